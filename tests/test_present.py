"""The page's presentation mode (#present), which the video records: no control of any kind,
a title card, each stop's name, date and a short excerpt within the frame, the whole route at
the end; at both video sizes, in Chromium, measured by bounding boxes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Watched
from storymap.export import export_story
from storymap.look import with_look
from storymap.storyfile import load_story
from storymap.video import SIZES, VIRTUAL_TIME

FIXTURE = Path(__file__).parent / "fixtures" / "story.geojson"
STOP_NAMES = ["Vostochny Cosmodrome", "Komsomolsk-on-Amur", "Vladivostok"]
DATES = ["13 September 2023 \u00b7 Reported", "15 September 2023 \u00b7 Reported", "Date not reported \u00b7 Planned"]

#: every control a reader could use, shown: buttons, links, form fields, Leaflet's controls (the
#: stops' markers, which Leaflet makes focusable, are the map's content)
VISIBLE_CONTROLS = """() => [...document.querySelectorAll(
    'button, a[href], input, select, textarea, [role=button]:not(.leaflet-marker-icon), .leaflet-control, ' +
    '.sm-controls, .sm-itinerary')]
  .filter(n => { const r = n.getBoundingClientRect(), s = getComputedStyle(n);
                 return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; })
  .map(n => n.className || n.tagName)"""

#: the words shown, each with its box, and whether its column cuts anything off
SHOWN = """(selector) => {
  const box = n => { const r = n.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const column = document.querySelector(selector);
  return {column: column ? box(column) : null,
          clipped: column ? column.scrollHeight > column.clientHeight + 1 : null,
          parts: [...document.querySelectorAll(selector + ' > *')].filter(n => n.getClientRects().length)
                 .map(n => ({cls: n.className, text: n.textContent, box: box(n),
                             cut: n.scrollHeight > n.clientHeight + 2 && !/quote|name|head/.test(n.className)}))};
}"""


def _inside(box: list[float], width: int, height: int) -> bool:
    left, top, right, bottom = box
    return left >= 0 and top >= 0 and right <= width + 0.5 and bottom <= height + 0.5 and right > left


def _check_frame(page: Any, selector: str, width: int, height: int) -> dict[str, Any]:
    assert page.evaluate(VISIBLE_CONTROLS) == []
    shown = page.evaluate(SHOWN, selector)
    assert shown["column"] is not None and _inside(shown["column"], width, height), shown
    assert not shown["clipped"], shown
    for part in shown["parts"]:
        assert _inside(part["box"], width, height), part
        assert not part["cut"], part
    return shown


@pytest.fixture(scope="module")
def present_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture story, its first stop given a long name and a long excerpt."""
    story = load_story(FIXTURE)
    first = next(f for f in story["features"] if f["properties"].get("stop") == 1)
    for mention in first["properties"]["mentions"]:
        mention["excerpt"] = ("Wednesday's five-hour meeting at the Vostochny Cosmodrome " +
                              "went on and on about rockets, satellites and the friendship of peoples, " * 12)
    return export_story(story, tmp_path_factory.mktemp("present") / "story.html")


@pytest.mark.parametrize("size", list(SIZES))
def test_each_stop_shows_its_name_date_and_excerpt_within_the_frame_and_no_control(
        size: str, present_html: Path, offline_page: Watched, tmp_path: Path) -> None:
    width, height = SIZES[size]
    page = offline_page.page
    page.set_viewport_size({"width": width, "height": height})
    for n, name in enumerate(STOP_NAMES, start=1):
        page.goto("about:blank")
        page.goto(present_html.as_uri() + f"#present-step-{n}")
        page.wait_for_function(f"() => window.storymap && window.storymap.step() === {n}")
        page.wait_for_timeout(200)
        page.screenshot(path=tmp_path / f"{size}-{n}.png")
        shown = _check_frame(page, ".sm-stage", width, height)
        texts = {p["cls"]: p["text"] for p in shown["parts"]}
        assert texts["sm-kicker"] == f"Stop {n} of 3" and texts["sm-stage-name"] == name
        assert texts["sm-stage-date"] == DATES[n - 1] and texts["sm-stage-quote"]
        assert len(texts["sm-stage-quote"]) <= 231  # a short excerpt, cut at a word
        # the stop's marker is on the map, beside the words, not under them
        marker = page.locator(".sm-stop-icon.sm-active").bounding_box()
        assert marker is not None and _inside([marker["x"], marker["y"], marker["x"] + marker["width"],
                                               marker["y"] + marker["height"]], width, height)
        column = shown["column"]
        assert marker["x"] + marker["width"] <= column[0] or marker["y"] + marker["height"] <= column[1]
    assert offline_page.errors == [] and offline_page.outside == []


@pytest.mark.parametrize("size", list(SIZES))
def test_the_title_card_and_the_whole_route_at_the_end(size: str, present_html: Path, browser: Any,
                                                       tmp_path: Path) -> None:
    width, height = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.add_init_script(VIRTUAL_TIME)
        page.goto(present_html.as_uri() + "#present")
        page.wait_for_function("() => window.storymap && window.__smClock")
        page.evaluate("() => window.__smClock.advance(40)")
        page.screenshot(path=tmp_path / f"{size}-title.png")
        card = _check_frame(page, ".sm-title-card.sm-shown .sm-title-inner", width, height)
        assert card["parts"][1]["text"] == "Kim Jong Un in the Russian Far East"
        assert "From Vostochny Cosmodrome to Vladivostok" in card["parts"][2]["text"]
        # played on virtual time to the end
        page.evaluate("() => window.storymap.play({dwell: 500})")
        page.evaluate("""() => { for (let i = 0; i < 2000 && window.__smEnded === undefined; i++) {
                                   window.__smClock.advance(40); } }""")
        page.evaluate("() => window.__smClock.advance(2000)")
        page.screenshot(path=tmp_path / f"{size}-end.png")
        assert page.locator(".sm-title-card.sm-shown").count() == 0
        end = _check_frame(page, ".sm-stage", width, height)
        assert end["parts"][0]["text"] == "The whole route"
        assert page.locator(".sm-stage-list li").all_inner_texts() == STOP_NAMES
        # the whole route in view: every stop on the map
        frame = page.locator(".folium-map").bounding_box()
        assert frame is not None
        for icon in page.locator(".sm-stop-icon").all():
            box = icon.bounding_box()
            assert box is not None and frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
            assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"]
    finally:
        page.close()


def test_the_presentation_follows_the_house_style(tmp_path: Path, browser: Any) -> None:
    html = export_story(with_look(load_story(FIXTURE), style="dark", accent="#0a7f5a"), tmp_path / "dark.html")
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(html.as_uri() + "#present-step-2")
        page.wait_for_function("() => window.storymap && window.storymap.step() === 2")
        colours = page.evaluate("""() => [getComputedStyle(document.querySelector('.sm-stage-quote')).borderLeftColor,
                                          getComputedStyle(document.body).backgroundColor]""")
        assert colours == ["rgb(10, 127, 90)", "rgb(18, 24, 31)"]
    finally:
        page.close()
    assert json.loads("[]") == []
