"""Every file storymap writes as a story, storymap reads back: in every export format, into the
library and into a video. The writers: `storymap export -o x.geojson`, the app's GeoJSON
downloads, `storymap stories export` and `storymap trace`."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pyogrio
import pytest
from click.testing import CliRunner
from PIL import Image

from conftest import CHROMIUM
from pipeline_support import event_row
from storymap import app_support as sup
from storymap.cli import main
from storymap.corpus import write_geoparquet
from storymap.edits import Edits, apply_edits
from storymap.errors import StoryError
from storymap.events import EVENT_COLUMNS
from storymap.export import FLAT_FIELDS, geojson_text
from storymap.storyfile import MapStyle, Media, Story, dumps_story, load_story, parse_story, read_story, stops

FIXTURE = Path(__file__).parent / "fixtures" / "story.geojson"
READ_FORMATS = ("html", "geojson", "gpkg", "csv", "kml")


def _png() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (20, 90, 160)).save(buffer, "PNG")
    import base64

    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def rich_story() -> Story:
    """The fixture story with everything the flat columns could trample: a place the route
    passes twice (``visits`` is a list), the author's text, images and cover."""
    story = read_story(FIXTURE)
    ids = [str(f.id) for f in story.stops]
    story = apply_edits(story, Edits(order=[*ids, ids[0]]))
    story = story.with_meta(headline="The envoy's loop", intro="Where the *train* went.", style=MapStyle.DARK,
                            accent="#0a7f5a")
    first = story.place(ids[0])
    assert first is not None
    media = (Media(_png(), "A square of blue", "Test", "blue"),
             Media.from_geojson({"src": "https://img.example.org/quay.jpg", "caption": "The quay"}))
    return story.with_place(replace(first, author_text="The first stop, and the last.", zoom=7, media=media))


def _cli(*args: str) -> str:
    run = CliRunner().invoke(main, list(args))
    assert run.exit_code == 0, run.output
    return run.output


# --------------------------------------------------------------------------- the writers
def write_by_export(story: Story, folder: Path) -> Path:
    source = folder / "source.geojson"
    source.write_text(dumps_story(story), encoding="utf-8")
    _cli("export", str(source), "-o", str(folder / "exported.geojson"))
    return folder / "exported.geojson"


def write_by_app_download(story: Story, folder: Path) -> Path:
    # the app's GeoJSON downloads ("GeoJSON", "Story with corrections") are export_bytes(story, "geojson")
    fmt, _label, name, _mime = next(spec for spec in sup.download_specs(story) if spec[0] == "geojson")
    out = folder / name
    out.write_bytes(sup.export_bytes(story, fmt))
    return out


def write_by_stories_export(story: Story, folder: Path) -> Path:
    from storymap.library import Library, image_media, url_media

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 160, 20)).save(buffer, "JPEG")
    first = str(story.stops[0].id)
    author = {"headline": "From the library", "intro": "An *intro*.",
              "stops": {first: {"text": "Kept in the library.", "zoom": 6,
                                "media": [image_media(buffer.getvalue(), caption="Yellow"),
                                          url_media("https://img.example.org/a.png", caption="A")]}}}
    saved = Library().add(story, author=author, note="round trip test")
    out = folder / "library.geojson"
    _cli("stories", "export", saved.id, "-o", str(out))
    return out


def write_by_trace(_story: Story, folder: Path) -> Path:
    table = folder / "events"
    table.mkdir()
    write_geoparquet(str(table / "part-00000.parquet"), [
        event_row("a", "Lisbon", "t:lisbon", -9.14, 38.72, date=dt.date(2024, 3, 4)),
        event_row("a", "Porto", "t:porto", -8.61, 41.15, date=dt.date(2024, 3, 6)),
        event_row("b", "Lisbon", "t:lisbon", -9.14, 38.72, date=dt.date(2024, 3, 9),
                  published=dt.date(2024, 3, 10)),
    ], EVENT_COLUMNS)
    out = folder / "traced.geojson"
    _cli("trace", str(table), "--subject", "Ines Ferro", "-o", str(out))
    return out


WRITERS: dict[str, Callable[[Story, Path], Path]] = {
    "export": write_by_export, "app-download": write_by_app_download,
    "stories-export": write_by_stories_export, "trace": write_by_trace,
}


@pytest.fixture(params=list(WRITERS))
def written(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    folder = tmp_path / "written"
    folder.mkdir()
    return WRITERS[request.param](rich_story(), folder)


# --------------------------------------------------------------------------- the readers
def test_every_story_file_storymap_writes_loads_into_every_command_that_reads_stories(written: Path,
                                                                                    tmp_path: Path) -> None:
    story = load_story(written)
    for fmt in READ_FORMATS:
        _cli("export", str(written), "-o", str(tmp_path / f"again.{fmt}"))
    # the GeoJSON written from it is a story file too, and the same one when written again
    again = tmp_path / "again.geojson"
    _cli("export", str(again), "-o", str(tmp_path / "twice.geojson"))
    assert (tmp_path / "twice.geojson").read_bytes() == again.read_bytes()
    assert "Imported" in _cli("stories", "import", str(written))
    assert "Imported" in _cli("stories", "import", str(again))
    # what the story says survives the trip
    reread = load_story(again)
    assert [f["id"] for f in stops(reread)] == [f["id"] for f in stops(story)]
    for before, after in zip(story["features"], reread["features"], strict=True):
        kept = {k: v for k, v in before["properties"].items() if v is not None}
        assert {k: after["properties"].get(k) for k in kept} == kept
    assert reread["storymap"] == story["storymap"]


def test_the_export_keeps_the_story_and_adds_flat_columns_that_trample_nothing() -> None:
    story = rich_story()
    exported = parse_story(geojson_text(story), name="exported.geojson")
    loop = next(f for f in exported["features"] if f["properties"].get("visits"))
    assert loop["properties"]["visits"] == [1, 4]
    place = story.place(loop["id"])
    assert place is not None and loop["properties"]["media"] == [m.to_geojson() for m in place.media or ()]
    # every stop has its visits as a list; QGIS (GDAL) reads them as an integer list
    assert all(isinstance(f["properties"]["visits"], list) for f in stops(exported))


def test_gis_tools_find_the_flat_columns_in_the_geojson(tmp_path: Path) -> None:
    out = tmp_path / "story.geojson"
    out.write_text(geojson_text(rich_story()), encoding="utf-8")
    frame = pyogrio.read_dataframe(out)
    assert set(FLAT_FIELDS) - {"id"} <= set(frame.columns)
    loop = frame[frame["stop"] == 1].iloc[0]
    assert list(loop["visits"]) == [1, 4] and loop["mention_count"] >= 1 and loop["excerpt"]


def test_geojson_written_by_earlier_versions_with_visits_as_text_still_loads(tmp_path: Path) -> None:
    old = json.loads(geojson_text(rich_story()))
    for f in old["features"]:
        if f["properties"].get("visits"):
            f["properties"]["visits"] = ";".join(map(str, f["properties"]["visits"]))
    assert any(f["properties"].get("visits") == "1;4" for f in old["features"])
    path = tmp_path / "old.geojson"
    path.write_text(json.dumps(old), encoding="utf-8")
    assert any(f["properties"].get("visits") == [1, 4] for f in load_story(path)["features"])
    old["features"][0]["properties"]["visits"] = "first and last"
    with pytest.raises(StoryError, match="visits"):
        parse_story(json.dumps(old), name="old.geojson")


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} not installed")
def test_an_exported_geojson_makes_a_video(tmp_path: Path) -> None:
    exported = write_by_export(rich_story(), tmp_path)
    _cli("export", str(exported), "-o", str(tmp_path / "route.gif"))
    assert (tmp_path / "route.gif").read_bytes()[:6] == b"GIF89a"


# --------------------------------------------------------------------------- media sources
@pytest.mark.parametrize("src", ["/etc/hostname", "file:///etc/hostname", "story.png", " https://x.example/a.png",
                                 "https://x.example/a.png\n", "javascript:alert(1)",
                                 "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", "data:text/html;base64,PGI+",
                                 "data:image/png,raw"])
def test_a_story_whose_media_is_not_an_image_or_an_http_address_is_refused_where_it_comes_in(
        src: str, tmp_path: Path) -> None:
    story = rich_story().to_geojson()  # a file someone wrote: checked where it comes in
    first = next(f for f in story["features"] if f["properties"].get("media"))
    first["properties"]["media"][0]["src"] = src
    path = tmp_path / "story.geojson"
    path.write_text(json.dumps(story), encoding="utf-8")
    with pytest.raises(StoryError, match=r"story\.geojson: feature \d+ .*media\[0\]\.src: .*never a file path"):
        load_story(path)
    for args in (["export", str(path), "-o", str(tmp_path / "x.html")], ["stories", "import", str(path)]):
        run = CliRunner().invoke(main, args)
        assert run.exit_code == 1 and "media[0].src" in run.output and "Traceback" not in run.output
    assert not (tmp_path / "x.html").exists()


def test_the_schema_and_the_loader_agree_on_media_sources() -> None:
    from storymap.storyfile import _SCHEMA_FILE, MEDIA_SRC

    schema = json.loads(_SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$defs"]["media_src"]["pattern"] == f"^(?:{MEDIA_SRC.pattern})$"
