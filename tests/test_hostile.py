"""Property-based hostile input: whatever a user hands storymap, it answers with a clean
message (a :class:`StorymapError`) or a valid output, never a traceback or a hang."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TEMPLATE
from storymap.articles import read_article
from storymap.errors import StorymapError
from storymap.export import csv_text, geojson_text, kml_text
from storymap.render import story_html
from storymap.storyfile import parse_story

FIXTURE = Path(__file__).parent / "fixtures" / "story.geojson"
PROPERTY = settings(max_examples=int(os.environ.get("STORYMAP_HYPOTHESIS_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
#: text with what breaks parsers and templates: markup, template syntax, controls, surrogates
hostile_text = st.text(alphabet=st.characters(codec=None), max_size=300) | st.sampled_from([
    TEMPLATE, "<script>alert(1)</script>", "=cmd|' /C calc'!A0", "\x00\x07\x1b", "[/x] [bold]", "\ud800",
    "\ufeff{", "}}{{", "{% endraw %}",
])


# --------------------------------------------------------------------------- article readers
@PROPERTY
@given(data=st.binary(max_size=2000) | hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
       suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_any_article_bytes_give_an_article_or_a_clean_message(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"article{suffix}"
    path.write_bytes(data)
    try:
        article, warnings = read_article(path)
    except StorymapError as exc:
        assert str(exc).strip(), "the message says something"
        return
    assert isinstance(article.text, str)
    assert all(isinstance(w, str) for w in warnings)


@PROPERTY
@given(meta=json_values, raw=st.none() | st.binary(max_size=200))
def test_any_metadata_gives_an_article_with_warnings_or_a_clean_message(tmp_path: Path, meta: Any,
                                                                        raw: bytes | None) -> None:
    path = tmp_path / "story.txt"
    path.write_text("The minister flew from Lisbon to Porto on Monday to open a bridge.\n", encoding="utf-8")
    meta_path = tmp_path / "story.meta.json"
    meta_path.write_bytes(raw if raw is not None else json.dumps(meta).encode("utf-8"))
    try:
        article, warnings = read_article(path)
    except StorymapError as exc:
        assert "story" in str(exc)
        return
    assert "Lisbon" in article.text
    assert all(isinstance(w, str) for w in warnings)


# --------------------------------------------------------------------------- story files
def _base() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@st.composite
def damaged_stories(draw: st.DrawFn) -> str:
    """The fixture story with a few members replaced by arbitrary JSON or hostile text."""
    story = _base()
    for _ in range(draw(st.integers(1, 4))):
        feature = draw(st.sampled_from(story["features"]))
        target = draw(st.sampled_from(["properties", "geometry", "feature", "meta"]))
        value = draw(json_values | hostile_text)
        if target in ("properties", "geometry") and not isinstance(feature.get(target), dict):
            continue  # already replaced by something else
        if target == "properties":
            key = draw(st.sampled_from(["name", "stop", "date", "confidence", "mentions", "excerpt",
                                        "mention_count", "role", "stops", "dates", "sources"]))
            feature["properties"][key] = value
        elif target == "geometry":
            key = draw(st.sampled_from(["type", "coordinates"]))
            feature["geometry"][key] = value
        elif target == "feature":
            feature[draw(st.sampled_from(["id", "geometry", "properties", "type"]))] = value
        else:
            story["storymap"][draw(st.sampled_from(["title", "subject", "articles", "version"]))] = value
    return json.dumps(story, allow_nan=True)


def _check_outputs(story: dict[str, Any]) -> None:
    """Every text export of ``story`` is valid in its own format."""
    parsed = json.loads(geojson_text(story))
    assert parsed["type"] == "FeatureCollection"
    rows = list(csv.DictReader(io.StringIO(csv_text(story), newline="")))
    for row in rows:
        for key, value in row.items():
            if key not in ("lon", "lat", "stop", "confidence", "mention_count"):
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (key, value)
        assert math.isfinite(float(row["lon"])) and math.isfinite(float(row["lat"]))
    ET.fromstring(kml_text(story).encode("utf-8"))
    html = story_html(story, tiles=None)
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("</script>") == html.count("<script")


@pytest.mark.slow
@PROPERTY
@given(text=damaged_stories())
def test_any_story_file_gives_valid_exports_or_a_message_naming_the_problem(text: str) -> None:
    try:
        story = parse_story(text, name="damaged.geojson")
    except StorymapError as exc:
        assert str(exc).startswith("damaged.geojson: ")
        return
    if not any(f["properties"].get("role") in ("stop", "mention") for f in story["features"]):
        with pytest.raises(StorymapError):
            story_html(story)
        return
    _check_outputs(story)


@pytest.mark.slow
@PROPERTY
@given(title=hostile_text, name=hostile_text, excerpt=hostile_text)
def test_hostile_text_in_every_field_exports_validly_and_literally(title: str, name: str, excerpt: str) -> None:
    story = _base()
    story["storymap"]["title"] = title
    story["storymap"]["subject"] = name
    for feature in story["features"]:
        feature["properties"]["name"] = name
        for mention in feature["properties"].get("mentions") or []:
            mention["excerpt"] = excerpt
    story = parse_story(json.dumps(story), name="hostile.geojson")
    _check_outputs(story)
    if TEMPLATE in excerpt:
        assert json.dumps(TEMPLATE)[1:-1] in story_html(story, tiles=None)


# --------------------------------------------------------------------------- terminal output
#: what a terminal acts on instead of showing: C0 controls but newline and tab, DEL, C1
#: controls, bidirectional overrides and isolates
TERMINAL_CONTROLS = {*map(chr, range(0x20)), *map(chr, range(0x7f, 0xa0)),
                     *map(chr, range(0x202a, 0x202f)), *map(chr, range(0x2066, 0x206a))} - {"\n", "\t"}


@PROPERTY
@given(text=hostile_text | st.text(alphabet=st.sampled_from(sorted(TERMINAL_CONTROLS) + ["a", "\n", "\t", "é"])),
       one_line=st.booleans())
def test_printed_text_keeps_every_character_but_terminal_controls(text: str, one_line: bool) -> None:
    from storymap.cli import printable

    expected = "".join(c for c in text if c not in TERMINAL_CONTROLS)
    if one_line:
        expected = expected.replace("\n", " ").replace("\t", " ")
    assert printable(text, one_line=one_line) == expected
