"""Exports read back with GDAL (pyogrio), as GIS users would open them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyogrio
import pytest
from click.testing import CliRunner

from conftest import HOSTILE
from storymap.cli import main
from storymap.errors import StoryError
from storymap.export import FLAT_FIELDS, export_story
from storymap.storyfile import load_story

FIXTURE = Path(__file__).parent / "fixtures" / "story.geojson"
N_PLACES = 8


@pytest.fixture(scope="module")
def story() -> dict[str, Any]:
    return load_story(FIXTURE)


def _layers(path: Path) -> dict[str, str]:
    return {str(name): str(kind) for name, kind in pyogrio.list_layers(path)}


def test_geojson_is_rfc7946_with_flat_attributes_and_style(story: dict[str, Any], tmp_path: Path) -> None:
    out = export_story(story, tmp_path / "story.geojson")
    raw = json.loads(out.read_text(encoding="utf-8"))
    assert "crs" not in raw
    frame = pyogrio.read_dataframe(out)
    assert len(frame) == N_PLACES + 1
    assert sorted(frame.geometry.geom_type.unique()) == ["LineString", "Point"]
    assert set(FLAT_FIELDS) - {"id"} <= set(frame.columns)
    komsomolsk = frame[frame["name"] == "Komsomolsk-on-Amur"].iloc[0]
    assert komsomolsk.geometry.x == pytest.approx(137.01) and komsomolsk.geometry.y == pytest.approx(50.55)
    assert komsomolsk["stop"] == 2 and komsomolsk["date_status"] == "reported"
    assert komsomolsk["marker-color"] == "#b3202e" and komsomolsk["marker-symbol"] == "2"
    route = frame[frame["role"] == "route"].iloc[0]
    assert route["stroke"] == "#b3202e"


def test_geojson_and_html_are_byte_identical_across_runs(story: dict[str, Any], tmp_path: Path) -> None:
    for ext in ("geojson", "html"):
        first = export_story(story, tmp_path / f"a.{ext}").read_bytes()
        second = export_story(load_story(FIXTURE), tmp_path / f"b.{ext}").read_bytes()
        assert first == second, ext


def test_gpkg_has_places_and_route_layers(story: dict[str, Any], tmp_path: Path) -> None:
    out = export_story(story, tmp_path / "story.gpkg")
    assert _layers(out) == {"places": "Point", "route": "LineString"}
    places = pyogrio.read_dataframe(out, layer="places")
    route = pyogrio.read_dataframe(out, layer="route")
    assert len(places) == N_PLACES and len(route) == 1
    assert list(places.columns) == [*FLAT_FIELDS, "geometry"]
    stops = places[places["role"] == "stop"].sort_values("stop")
    assert list(stops["name"]) == ["Vostochny Cosmodrome", "Komsomolsk-on-Amur", "Vladivostok"]
    assert list(stops["stop"]) == [1, 2, 3]
    info = pyogrio.read_info(out, layer="places")
    types = dict(zip(info["fields"], info["dtypes"]))
    assert types["stop"].startswith("int") and types["mention_count"].startswith("int")
    assert types["confidence"].startswith("float")
    assert info["crs"] == "EPSG:4326"
    assert route.iloc[0]["stops"] == "vostochny-cosmodrome; komsomolsk-on-amur; vladivostok"
    assert len(route.geometry.iloc[0].coords) == 3


def test_csv_has_one_row_per_place_with_lonlat_and_wkt(story: dict[str, Any], tmp_path: Path) -> None:
    out = export_story(story, tmp_path / "story.csv")
    frame = pyogrio.read_dataframe(out)
    assert len(frame) == N_PLACES
    assert set(frame.geometry.geom_type) == {"Point"}, "GDAL reads the WKT column as geometry"
    assert [*FLAT_FIELDS, "lon", "lat", "WKT"] == [c for c in frame.columns if c != "geometry"]
    row = frame[frame["id"] == "vladivostok"].iloc[0]
    assert float(row["lon"]) == pytest.approx(row.geometry.x) == pytest.approx(131.882)
    assert float(row["lat"]) == pytest.approx(row.geometry.y) == pytest.approx(43.116)
    assert row["date_status"] == "expected" and row["date"] in ("", None)


def test_kml_has_layers_attributes_and_excerpts(story: dict[str, Any], tmp_path: Path) -> None:
    out = export_story(story, tmp_path / "story.kml")
    layers = _layers(out)
    assert set(layers) == {"places", "route"}
    places = pyogrio.read_dataframe(out, layer="places")
    route = pyogrio.read_dataframe(out, layer="route")
    assert len(places) == N_PLACES and set(places.geometry.geom_type) == {"Point"}
    assert len(route) == 1 and set(route.geometry.geom_type) == {"LineString"}
    assert {"role", "stop", "date", "date_status", "mention_count", "gazetteer_id"} <= set(places.columns)
    vostochny = places[places["gazetteer_id"] == "landmark:vostochny-cosmodrome"].iloc[0]
    assert "Wednesday’s five-hour meeting" in vostochny["description"]


def test_hostile_text_is_escaped_in_kml_and_kept_as_data_elsewhere(hostile_story: dict[str, Any],
                                                                  tmp_path: Path) -> None:
    kml = export_story(hostile_story, tmp_path / "hostile.kml")
    places = pyogrio.read_dataframe(kml, layer="places")
    description = " ".join(places["description"])
    assert "<script" not in description and "<img" not in description
    assert "&lt;script&gt;" in description
    csv_frame = pyogrio.read_dataframe(export_story(hostile_story, tmp_path / "hostile.csv"))
    assert HOSTILE["stop"] in set(csv_frame["name"])
    assert HOSTILE["excerpt"] in set(csv_frame["excerpt"])
    gpkg = pyogrio.read_dataframe(export_story(hostile_story, tmp_path / "hostile.gpkg"), layer="places")
    assert HOSTILE["mention"] in set(gpkg["name"])


def test_format_option_overrides_extension(story: dict[str, Any], tmp_path: Path) -> None:
    out = export_story(story, tmp_path / "places.txt", fmt="csv")
    assert out.read_text(encoding="utf-8").startswith("id,name,role,stop,")


def test_unknown_extension_or_format_is_a_story_error(story: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(StoryError, match="extension"):
        export_story(story, tmp_path / "story.shp")
    with pytest.raises(StoryError, match="format"):
        export_story(story, tmp_path / "story.csv", fmt="xlsx")
    assert list(tmp_path.iterdir()) == []


def test_exports_leave_no_temporary_files(story: dict[str, Any], tmp_path: Path) -> None:
    for ext in ("html", "geojson", "gpkg", "csv", "kml"):
        export_story(story, tmp_path / f"story.{ext}")
        export_story(story, tmp_path / f"story.{ext}")  # replacing an existing file
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"story.{ext}" for ext in ("html", "geojson", "gpkg", "csv", "kml"))


def test_cli_export_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "story.html"
    result = CliRunner().invoke(main, ["export", str(FIXTURE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    bad = CliRunner().invoke(main, ["export", str(FIXTURE), "-o", str(tmp_path / "story.doc")])
    assert bad.exit_code != 0 and "extension" in bad.output
