"""Exports read back with GDAL (pyogrio), as GIS users would open them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyogrio
import pytest
from click.testing import CliRunner

from conftest import HOSTILE
from storymap.cli import main
from storymap.errors import StoryError
from storymap.export import FLAT_FIELDS, export_story
from storymap.storyfile import Story, load_story, read_story

FIXTURE = Path(__file__).parent / "fixtures" / "story.geojson"
N_PLACES = 8


@pytest.fixture(scope="module")
def story() -> Story:
    return read_story(FIXTURE)


def _layers(path: Path) -> dict[str, str]:
    return {str(name): str(kind) for name, kind in pyogrio.list_layers(path)}


def test_geojson_is_rfc7946_with_flat_attributes_and_style(story: Story, tmp_path: Path) -> None:
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


def test_geojson_and_html_are_byte_identical_across_runs(story: Story, tmp_path: Path) -> None:
    for ext in ("geojson", "html"):
        first = export_story(story, tmp_path / f"a.{ext}").read_bytes()
        second = export_story(load_story(FIXTURE), tmp_path / f"b.{ext}").read_bytes()
        assert first == second, ext


def test_gpkg_has_places_and_route_layers(story: Story, tmp_path: Path) -> None:
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


def test_csv_has_one_row_per_place_with_lonlat_and_wkt(story: Story, tmp_path: Path) -> None:
    out = export_story(story, tmp_path / "story.csv")
    frame = pyogrio.read_dataframe(out)
    assert len(frame) == N_PLACES
    assert set(frame.geometry.geom_type) == {"Point"}, "GDAL reads the WKT column as geometry"
    assert [*FLAT_FIELDS, "lon", "lat", "WKT"] == [c for c in frame.columns if c != "geometry"]
    row = frame[frame["id"] == "vladivostok"].iloc[0]
    assert float(row["lon"]) == pytest.approx(row.geometry.x) == pytest.approx(131.882)
    assert float(row["lat"]) == pytest.approx(row.geometry.y) == pytest.approx(43.116)
    assert row["date_status"] == "expected" and row["date"] in ("", None)


def test_kml_has_layers_attributes_and_excerpts(story: Story, tmp_path: Path) -> None:
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


def test_format_option_overrides_extension(story: Story, tmp_path: Path) -> None:
    out = export_story(story, tmp_path / "places.txt", fmt="csv")
    assert out.read_text(encoding="utf-8").startswith("id,name,role,stop,")


def test_unknown_extension_or_format_is_a_story_error(story: Story, tmp_path: Path) -> None:
    with pytest.raises(StoryError, match="extension"):
        export_story(story, tmp_path / "story.shp")
    with pytest.raises(StoryError, match="format"):
        export_story(story, tmp_path / "story.csv", fmt="xlsx")
    assert list(tmp_path.iterdir()) == []


def test_exports_leave_no_temporary_files(story: Story, tmp_path: Path) -> None:
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


def test_cli_export_is_offline_unless_tiles_are_asked_for(tmp_path: Path) -> None:
    offline = tmp_path / "offline.html"
    assert CliRunner().invoke(main, ["export", str(FIXTURE), "-o", str(offline)]).exit_code == 0
    assert "L.tileLayer(" not in offline.read_text(encoding="utf-8")
    tiled = tmp_path / "tiled.html"
    result = CliRunner().invoke(main, ["export", str(FIXTURE), "-o", str(tiled), "--tiles", "osm"])
    assert result.exit_code == 0, result.output
    assert "tile.openstreetmap.org" in tiled.read_text(encoding="utf-8")
    url = "https://maps.example.org/{z}/{x}/{y}.png"
    unnamed = CliRunner().invoke(main, ["export", str(FIXTURE), "-o", str(tmp_path / "x.html"), "--tiles", url])
    assert unnamed.exit_code == 1 and "--tiles-attribution" in unnamed.output and "Traceback" not in unnamed.output
    assert not (tmp_path / "x.html").exists()


# --------------------------------------------------------------------------- hostile input
def _story_with(name: str, excerpt: str) -> Story:
    story = read_story(FIXTURE)
    first = story.places[0]
    mentions = tuple(replace(m, excerpt=excerpt) for m in first.mentions or ())
    return story.with_place(replace(first, name=name, excerpt=excerpt, mentions=mentions))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_never_start_a_spreadsheet_formula(start: str, tmp_path: Path) -> None:
    import csv

    payload = f"{start}HYPERLINK(\"http://example.invalid\",\"click\")"
    out = export_story(_story_with(payload, f"{start}1+1 said the minister."), tmp_path / "places.csv")
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    first = next(row for row in rows if row["id"] == "vostochny-cosmodrome")
    assert first["name"] == "'" + payload
    assert first["excerpt"] == f"'{start}1+1 said the minister."
    text_cells = [v for row in rows for k, v in row.items() if k not in ("lon", "lat", "confidence", "stop",
                                                                          "mention_count")]
    assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in text_cells)
    western = next(row for row in rows if float(row["lon"]) < 0)
    assert western["lon"].startswith("-"), "numbers are not prefixed"


def test_kml_is_valid_xml_with_control_characters_in_text(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    text = "Bell\x07 and\x00 escape\x1b and form\x0c feed; tab\tand newline\nstay."
    out = export_story(_story_with("Vostochny\x0b", text), tmp_path / "places.kml")
    root = ET.fromstring(out.read_bytes())
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    names = [n.text for n in root.iterfind(".//k:Placemark/k:name", ns)]
    assert "Vostochny" in names
    description = root.find(".//k:Placemark/k:description", ns).text
    assert "Bell and escape and form feed; tab\tand newline\nstay." in description
    assert len(pyogrio.read_dataframe(out, layer="places")) == N_PLACES


def test_gpkg_is_byte_identical_and_stamped_from_the_story(story: Story, tmp_path: Path) -> None:
    import sqlite3

    first = export_story(story, tmp_path / "a.gpkg")
    second = export_story(story, tmp_path / "b.gpkg")
    assert first.read_bytes() == second.read_bytes()
    with sqlite3.connect(first) as db:
        stamps = {row[0] for row in db.execute("SELECT last_change FROM gpkg_contents")}
    newest = max(a.published or "" for a in story.articles)
    assert stamps == {f"{newest}T00:00:00.000Z"}


def _mutated(change: Any) -> str:
    story = json.loads(FIXTURE.read_text(encoding="utf-8"))
    change(story)
    return json.dumps(story)


def _first(story: dict[str, Any]) -> dict[str, Any]:
    return story["features"][0]


def _route(story: dict[str, Any]) -> dict[str, Any]:
    return next(f for f in story["features"] if f["properties"].get("role") == "route")


MALFORMED = {
    "coordinates as strings": (lambda s: _first(s)["geometry"].update(coordinates=["128.3", "51.9"]),
                               "feature 0 ('vostochny-cosmodrome'): geometry.coordinates["),
    "NaN coordinate": (lambda s: _first(s)["geometry"].update(coordinates=[float("nan"), 51.9]),
                       "NaN is not a finite number"),
    "latitude out of range": (lambda s: _first(s)["geometry"].update(coordinates=[128.3, 95.0]),
                              "geometry.coordinates[1]: 95.0 is more than 90"),
    "a polygon place": (lambda s: _first(s).update(geometry={"type": "Polygon",
                                                             "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}),
                        "geometry.type: 'Polygon' should be 'Point'"),
    "stop number as text": (lambda s: _first(s)["properties"].update(stop="first"),
                            "properties.stop: 'first' is not an integer or null"),
    "confidence as text": (lambda s: _first(s)["properties"].update(confidence="high"),
                           "properties.confidence"),
    "mentions not a list": (lambda s: _first(s)["properties"].update(mentions={"a": 1}),
                            "properties.mentions"),
    "mention offset as text": (lambda s: _first(s)["properties"]["mentions"][0].update(start="12"),
                               "properties.mentions[0].start"),
    "route of single numbers": (lambda s: _route(s)["geometry"].update(coordinates=[1, 2]),
                                "('route'): geometry.coordinates["),
    "route stops not a list": (lambda s: _route(s)["properties"].update(stops="a,b"),
                               "('route'): properties.stops"),
    "properties a list": (lambda s: _first(s).update(properties=[]), "properties: [] is not an object"),
    "articles not a list": (lambda s: s["storymap"].update(articles="none"), "storymap.articles"),
    "article without id": (lambda s: s["storymap"]["articles"][0].pop("id"), "storymap.articles[0]"),
    "date not ISO": (lambda s: _first(s)["properties"].update(date="13 September"),
                     "properties.date: '13 September' is not an ISO date"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_story_file_names_the_feature_and_field(case: str, tmp_path: Path) -> None:
    change, expected = MALFORMED[case]
    path = tmp_path / "story.geojson"
    path.write_text(_mutated(change), encoding="utf-8")
    out = tmp_path / "story.html"
    result = CliRunner().invoke(main, ["export", str(path), "-o", str(out)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert str(path) in result.output and expected in result.output, result.output
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("text, expected", [
    ('{"type": "FeatureCollection", "features": ' + "[" * 50_000 + "]" * 50_000 + "}", "nested too deeply"),
    ('{"type": "FeatureCollection", "features": [], "n": ' + "7" * 5000 + "}", "thousands of digits"),
    ('{"type": "FeatureCollection", "features": [', "not valid JSON"),
    ("[1, 2, 3]", "not a GeoJSON FeatureCollection"),
    ("\ufeff" + FIXTURE.read_text(encoding="utf-8").replace("Komsomolsk-on-Amur", "Komsomolsk\\ud800"), None),
])
def test_story_files_that_are_not_stories_get_a_message(text: str, expected: str | None, tmp_path: Path) -> None:
    path = tmp_path / "story.geojson"
    path.write_text(text, encoding="utf-8")
    if expected is None:  # a lone surrogate escape becomes U+FFFD; a byte-order mark is skipped
        story = load_story(path)
        for fmt in ("geojson", "csv", "kml", "html"):
            assert export_story(story, tmp_path / f"out.{fmt}").stat().st_size > 0
        assert "Komsomolsk\ufffd" in (tmp_path / "out.csv").read_text(encoding="utf-8")
        return
    with pytest.raises(StoryError, match=expected):
        load_story(path)


def test_story_file_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoryError, match="not a regular file"):
        load_story("/dev/zero")
    with pytest.raises(StoryError, match=r"not a regular file \(a directory\)"):
        load_story(tmp_path)
