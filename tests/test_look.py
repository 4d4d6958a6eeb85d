"""The house style: a base-map style (light, dark, muted; all offline) and an accent colour,
chosen by `storymap export --style/--accent`, kept in the story file and applied by the page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import Watched
from storymap.cli import main
from storymap.errors import StoryError
from storymap.export import export_story, geojson_text, kml_text
from storymap.library import with_author
from storymap.look import PALETTES, STYLES, check_accent, check_style, look_of, on_accent, with_look
from storymap.render import story_data, story_html
from storymap.storyfile import MapStyle, dumps_story, parse_story, read_story

FIXTURE = Path(__file__).parent / "fixtures" / "story.geojson"


def test_every_style_has_a_palette_and_unknown_values_are_refused_by_name() -> None:
    assert set(PALETTES) == set(MapStyle) and STYLES == ("light", "dark", "muted")
    assert check_style(" Dark ") == MapStyle.DARK
    with pytest.raises(StoryError, match="unknown style 'neon': choose light, dark or muted"):
        check_style("neon")
    assert check_accent("#0A7F5A") == "#0a7f5a" and check_accent("#abc") == "#aabbcc"
    for bad in ("red", "#12345", "0a7f5a", "#0a7f5az", "#ggg"):
        with pytest.raises(StoryError, match=f"'{bad}' is not a colour"):
            check_accent(bad)


def test_text_on_the_accent_stays_readable() -> None:
    assert on_accent("#b3202e") == "#ffffff"
    assert on_accent("#ffd700") == "#111111"


def test_the_story_file_keeps_the_style_and_reads_it_back() -> None:
    story = with_look(read_story(FIXTURE), style="dark", accent="#0A7F5A")
    text = dumps_story(story)
    assert json.loads(text)["storymap"]["style"] == "dark" and json.loads(text)["storymap"]["accent"] == "#0a7f5a"
    again = parse_story(text)
    assert again["storymap"]["style"] == "dark"
    assert dumps_story(read_story_from(text)) == text
    look = look_of(again)
    assert (look.style, look.accent) == (MapStyle.DARK, "#0a7f5a")
    # the style alone: the accent is the style's own
    assert look_of(with_look(read_story(FIXTURE), style="muted")).accent == PALETTES[MapStyle.MUTED].accent
    assert look_of(read_story(FIXTURE)).style == MapStyle.LIGHT  # a story without one is light


def read_story_from(text: str) -> Any:
    from storymap.storyfile import Story

    return Story.from_geojson(parse_story(text))


@pytest.mark.parametrize(("member", "value", "message"), [
    ("style", "neon", "storymap.style: 'neon' should be one of 'light', 'dark', 'muted'"),
    ("accent", "#12345", "storymap.accent: '#12345' is not a colour"),
    ("accent", "red", "storymap.accent: 'red' is not a colour"),
])
def test_a_story_file_with_an_unknown_style_or_a_bad_colour_is_refused_naming_it(member: str, value: str,
                                                                                message: str) -> None:
    story = json.loads(FIXTURE.read_text(encoding="utf-8"))
    story["storymap"][member] = value
    with pytest.raises(StoryError, match=message):
        parse_story(json.dumps(story), name="x.geojson")


def test_export_chooses_the_style_and_the_geojson_keeps_it(tmp_path: Path) -> None:
    out = tmp_path / "styled.geojson"
    run = CliRunner().invoke(main, ["export", str(FIXTURE), "-o", str(out), "--style", "muted", "--accent", "#0a7f5a"])
    assert run.exit_code == 0, run.output
    story = read_story(out)
    assert (story.meta.style, story.meta.accent) == (MapStyle.MUTED, "#0a7f5a")
    # the GIS styles follow the accent too
    props = [f["properties"] for f in json.loads(out.read_text(encoding="utf-8"))["features"]]
    assert {p.get("marker-color") for p in props if p.get("role") == "stop"} == {"#0a7f5a"}
    assert "ff5a7f0a" in kml_text(story)  # KML's aabbggrr
    # exported again, without options: the same bytes (the story's own style is used)
    again = tmp_path / "again.geojson"
    assert CliRunner().invoke(main, ["export", str(out), "-o", str(again)]).exit_code == 0
    assert again.read_bytes() == out.read_bytes() == geojson_text(story).encode("utf-8")


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--style", "neon", "unknown style 'neon'"), ("--accent", "crimson", "'crimson' is not a colour")])
def test_export_names_a_bad_style_or_colour(tmp_path: Path, option: str, value: str, message: str) -> None:
    run = CliRunner().invoke(main, ["export", str(FIXTURE), "-o", str(tmp_path / "x.html"), option, value])
    assert run.exit_code == 1 and message in run.output and "Traceback" not in run.output
    assert not (tmp_path / "x.html").exists()


def test_the_library_applies_the_authors_style_and_leaves_out_what_the_file_would_refuse() -> None:
    story = with_author(read_story(FIXTURE), {"style": "dark", "accent": "#123456"})
    assert (story.meta.style, story.meta.accent) == (MapStyle.DARK, "#123456")
    story = with_author(read_story(FIXTURE), {"style": "neon", "accent": "#1234"})
    assert story.meta.style is None and story.meta.accent is None


def test_the_page_carries_the_style_as_css_variables_and_stays_deterministic() -> None:
    story = with_look(read_story(FIXTURE), style="dark", accent="#0a7f5a")
    data = story_data(story)
    assert (data["style"], data["accent"]) == ("dark", "#0a7f5a")
    page = story_html(story)
    assert "--sm-route: #0a7f5a;" in page and f"--sm-land: {PALETTES[MapStyle.DARK].land};" in page
    assert page == story_html(story)


# --------------------------------------------------------------------------- in Chromium
COMPUTED = """() => {
  const css = (sel, prop) => { const n = document.querySelector(sel); return n ? getComputedStyle(n)[prop] : null; };
  return {leg: css('path.sm-ghost', 'stroke'), badge: css('.sm-badge', 'backgroundColor'),
          num: css('.sm-step-num', 'backgroundColor'), land: css('path.sm-land', 'fill'),
          sea: css('.leaflet-container', 'backgroundColor'), paper: css('body', 'backgroundColor'),
          drawn: css('path.sm-leg', 'stroke')};
}"""


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.mark.parametrize("style", STYLES)
def test_each_style_renders_offline_with_the_accent_on_the_route_and_markers(
        style: str, offline_page: Watched, tmp_path: Path) -> None:
    accent = "#0a7f5a"
    html = export_story(with_look(read_story(FIXTURE), style=style, accent=accent), tmp_path / f"{style}.html")
    page = offline_page.page
    page.goto(html.as_uri() + "#step-3")
    page.wait_for_function("() => window.storymap && window.storymap.step() === 3 && document.querySelector('path.sm-leg')")
    page.wait_for_timeout(300)
    page.screenshot(path=tmp_path / f"{style}.png")
    seen = page.evaluate(COMPUTED)
    palette = PALETTES[MapStyle(style)]
    assert seen["leg"] == seen["drawn"] == seen["badge"] == seen["num"] == _rgb(accent), seen
    assert seen["land"] == _rgb(palette.land) and seen["sea"] == _rgb(palette.sea), seen
    assert seen["paper"] == _rgb(palette.paper), seen
    assert offline_page.errors == [] and offline_page.outside == []
