"""The exported story map in a real headless Chromium, with the network blocked.

Screenshots of each state are saved in the test's temporary folder.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conftest import HOSTILE, Watched
from storymap.export import export_story
from storymap.render import OSM_TILES, embed_snippet, story_data
from storymap.storyfile import Media, load_story, read_story

FIXTURE = Path(__file__).parent / "fixtures" / "story.geojson"
STOP_NAMES = ["Vostochny Cosmodrome", "Komsomolsk-on-Amur", "Vladivostok"]
TILE_HOST = re.compile(r"^https://tile\.openstreetmap\.org/\d+/\d+/\d+\.png$")

LEG_POINTS = """() => {
  const out = [];
  window.storymap.map.eachLayer(l => {
    if (l instanceof L.Polyline && /sm-leg/.test(l.options.className || '')) { out.push(l.getLatLngs().length); }
  });
  return out;
}"""

RECORD_STEPS = """() => {
  window.__steps = [];
  window.addEventListener('storymap:step', e => window.__steps.push(e.detail.step));
  window.addEventListener('storymap:end', () => { window.__ended = true; });
}"""
ALL_STOPS_IN_VIEW = """() => {
  const map = window.storymap.map, view = map.getBounds();
  return window.storymap.stops().length > 0 && [...document.querySelectorAll('.sm-stop-icon')].every(icon => {
    const box = icon.getBoundingClientRect(), frame = map.getContainer().getBoundingClientRect();
    return box.left >= frame.left && box.right <= frame.right && box.top >= frame.top && box.bottom <= frame.bottom;
  }) && view.isValid();
}"""


@pytest.fixture(scope="module")
def offline_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture story exported as HTML the default way (no online tiles)."""
    out = tmp_path_factory.mktemp("export") / "story.html"
    return export_story(load_story(FIXTURE), out)


@pytest.fixture(scope="module")
def tiled_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture story exported as HTML with OpenStreetMap tiles."""
    out = tmp_path_factory.mktemp("export") / "story.html"
    return export_story(load_story(FIXTURE), out, tiles=OSM_TILES)


def _open(watched: Watched, path: Path, fragment: str = "") -> Any:
    page = watched.page
    page.goto(path.as_uri() + fragment)
    page.wait_for_function("() => window.storymap && document.querySelector('.sm-place')")
    return page


def _place(page: Any) -> str:
    return page.locator(".sm-card .sm-place").inner_text()


def _assert_clean(watched: Watched) -> None:
    assert watched.errors == [], watched.errors
    assert watched.outside == [], watched.outside


def test_offline_page_draws_leaflet_stops_route_and_base_map(offline_page: Watched, offline_html: Path,
                                                              tmp_path: Path) -> None:
    page = _open(offline_page, offline_html)
    page.wait_for_timeout(300)
    page.screenshot(path=tmp_path / "overview.png")
    assert page.evaluate("() => L.version") == "1.9.3"
    assert page.locator(".sm-stop-icon").count() == 3
    assert page.locator("path.sm-ghost").count() == 2
    assert page.locator("path.sm-land").count() >= 1
    assert page.locator("path.sm-mention").count() == 5
    assert page.locator(".sm-steps .sm-step-name").all_inner_texts() == STOP_NAMES
    assert "Natural Earth" in page.locator(".leaflet-control-attribution").inner_text()
    assert "GeoNames" in page.locator(".leaflet-control-attribution").inner_text()
    assert page.locator(".leaflet-control-scale").count() == 1
    assert page.locator(".sm-legend").count() == 1
    assert page.title() == "Kim Jong Un in the Russian Far East"
    _assert_clean(offline_page)


def test_play_advances_through_every_stop_drawing_the_route(offline_page: Watched, offline_html: Path,
                                                             tmp_path: Path) -> None:
    page = _open(offline_page, offline_html)
    page.evaluate(RECORD_STEPS)
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("() => window.__steps.includes(2)", timeout=15000)
    page.wait_for_timeout(1200)
    page.screenshot(path=tmp_path / "playing.png")
    page.wait_for_function("() => window.__steps.includes(3)", timeout=20000)
    page.wait_for_function("() => document.querySelector('.sm-play').getAttribute('aria-pressed') === 'false'",
                           timeout=20000)
    page.wait_for_function("() => window.__ended", timeout=20000)
    page.wait_for_timeout(1500)
    page.screenshot(path=tmp_path / "played.png")
    assert page.evaluate("() => window.__steps") == [1, 2, 3]
    # play closes on the whole route, the last stop's card still open
    assert page.evaluate(ALL_STOPS_IN_VIEW)
    assert _place(page) == "Vladivostok"
    assert page.evaluate("() => location.hash") == "#step-3"
    assert page.evaluate(LEG_POINTS) == [49, 49], "both legs drawn in full along the geodesic"
    assert page.locator("path.sm-leg.sm-planned").count() == 1
    _assert_clean(offline_page)


def test_deep_link_opens_on_second_stop(offline_page: Watched, offline_html: Path, tmp_path: Path) -> None:
    page = _open(offline_page, offline_html, "#step-2")
    page.wait_for_timeout(300)
    page.screenshot(path=tmp_path / "step-2.png")
    assert _place(page) == "Komsomolsk-on-Amur"
    assert page.evaluate("() => window.storymap.step()") == 2
    card = page.locator(".sm-card").inner_text()
    assert "15 September 2023" in card and "Reported" in card
    assert page.locator(".sm-card mark").first.inner_text() == "Komsomolsk-on-Amur"
    assert "World News Blog" in card
    assert page.locator(".sm-step.sm-current .sm-step-name").inner_text() == "Komsomolsk-on-Amur"
    center = page.evaluate("() => window.storymap.map.getCenter()")
    assert abs(center["lat"] - 50.55) < 0.5 and abs(center["lng"] - 137.01) < 0.5
    _assert_clean(offline_page)


def test_keyboard_steps_and_plays(offline_page: Watched, offline_html: Path, tmp_path: Path) -> None:
    page = _open(offline_page, offline_html)
    page.locator("body").click(position={"x": 1200, "y": 780})
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => location.hash === '#step-1'")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => location.hash === '#step-2'")
    assert _place(page) == "Komsomolsk-on-Amur"
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => location.hash === '#step-1'")
    assert _place(page) == "Vostochny Cosmodrome"
    page.keyboard.press("Space")
    assert page.locator(".sm-play").get_attribute("aria-pressed") == "true"
    page.keyboard.press("Space")
    assert page.locator(".sm-play").get_attribute("aria-pressed") == "false"
    page.keyboard.press("Tab")
    page.screenshot(path=tmp_path / "keyboard.png")
    focused = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert focused != "none", "focus is visible"
    _assert_clean(offline_page)


def test_controls_have_labels_and_itinerary_is_a_list(offline_page: Watched, offline_html: Path) -> None:
    page = _open(offline_page, offline_html)
    for name in ("Restart", "Previous stop", "Play", "Next stop"):
        assert page.get_by_role("button", name=name).count() == 1
    itinerary = page.get_by_role("navigation", name="Itinerary")
    assert itinerary.locator("ol > li").count() == 3
    assert page.locator(".sm-steps button[aria-label*='Vladivostok']").get_attribute("aria-label").endswith("Planned")
    _assert_clean(offline_page)


def test_javascript_api_and_event(offline_page: Watched, offline_html: Path) -> None:
    page = _open(offline_page, offline_html)
    page.evaluate(RECORD_STEPS)
    assert page.evaluate("() => window.storymap.goTo(3)") == 3
    assert page.evaluate("() => window.__steps") == [3]
    assert page.evaluate("() => location.hash") == "#step-3"
    page.evaluate("() => window.storymap.play()")
    assert page.locator(".sm-play").get_attribute("aria-pressed") == "true"
    page.evaluate("() => window.storymap.pause()")
    assert page.locator(".sm-play").get_attribute("aria-pressed") == "false"
    page.evaluate("() => { location.hash = '#step-1'; }")
    page.wait_for_function("() => window.storymap.step() === 1")
    _assert_clean(offline_page)


def test_mentioned_places_show_excerpts_and_can_be_hidden(offline_page: Watched, offline_html: Path,
                                                           tmp_path: Path) -> None:
    page = _open(offline_page, offline_html)
    page.evaluate("() => window.storymap.map.setView([47, 120], 4, {animate: false})")
    page.wait_for_timeout(200)
    box = page.locator("path.sm-mention").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => document.querySelector('.sm-kicker').textContent === 'Place mentioned'")
    page.screenshot(path=tmp_path / "mention.png")
    assert page.locator(".sm-card .sm-excerpt").count() >= 1
    page.get_by_role("button", name=re.compile(r"^Moscow, mentioned")).click()
    assert _place(page) == "Moscow"
    assert "Moscow" in page.locator(".sm-card mark").first.inner_text()
    page.locator(".leaflet-control-layers").hover()
    page.get_by_label("Places mentioned").uncheck()
    assert page.locator("path.sm-mention").count() == 0
    _assert_clean(offline_page)


def test_reduced_motion_jumps_directly(make_page: Any, offline_html: Path) -> None:
    watched = make_page(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    page = _open(watched, offline_html)
    center = page.evaluate("() => { window.storymap.goTo(2); return window.storymap.map.getCenter(); }")
    assert abs(center["lat"] - 50.55) < 0.5 and abs(center["lng"] - 137.01) < 0.5
    assert page.evaluate(LEG_POINTS) == [49, 0], "the first leg is drawn at once"
    _assert_clean(watched)


def test_phone_puts_panel_under_map(make_page: Any, offline_html: Path, tmp_path: Path) -> None:
    watched = make_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = _open(watched, offline_html, "#step-1")
    page.screenshot(path=tmp_path / "phone.png", full_page=True)
    map_box = page.locator(".sm-map").bounding_box()
    panel_box = page.locator(".sm-panel").bounding_box()
    assert panel_box["y"] >= map_box["y"] + map_box["height"] - 1
    assert panel_box["width"] > 300
    _assert_clean(watched)


def test_with_tiles_only_tiles_are_requested_and_page_works_without_them(
        offline_page: Watched, tiled_html: Path, tmp_path: Path) -> None:
    page = _open(offline_page, tiled_html, "#step-2")
    page.wait_for_timeout(500)
    page.screenshot(path=tmp_path / "tiles-blocked.png")
    assert offline_page.outside, "the tile layer asked for tiles"
    assert all(TILE_HOST.match(url) for url in offline_page.outside), offline_page.outside
    assert offline_page.errors == []
    assert _place(page) == "Komsomolsk-on-Amur"
    assert page.locator("path.sm-land").count() >= 1
    assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").inner_text()
    # the failure is said once, quietly, and the base map carries on
    assert page.locator(".sm-tile-note").count() == 1
    assert "could not load" in page.locator(".sm-tile-note").inner_text()


def test_hostile_article_runs_no_script_and_shows_text(offline_page: Watched, hostile_story: dict[str, Any],
                                                       tmp_path: Path) -> None:
    html = export_story(hostile_story, tmp_path / "hostile.html")
    dialogs: list[str] = []
    offline_page.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page = _open(offline_page, html, "#step-1")
    page.evaluate("() => window.storymap.map.setView([50, 132], 5, {animate: false})")
    page.locator("path.sm-mention").first.hover()
    page.wait_for_timeout(300)
    page.screenshot(path=tmp_path / "hostile.png")
    assert page.evaluate("() => window.__pwned") is None
    assert dialogs == []
    assert page.title() == HOSTILE["title"]
    assert page.locator(".sm-panel img, .sm-panel svg[onload], .sm-panel b, .leaflet-container img").count() == 0
    assert page.locator(".sm-card .sm-place").inner_text() == HOSTILE["stop"]
    card = page.locator(".sm-card").inner_text()
    assert "</script><script>" in card and "\\1" in card and "`tick`" in card
    assert HOSTILE["article"] in card and HOSTILE["source"] in card
    assert page.locator(".sm-title").inner_text() == HOSTILE["title"]
    assert page.locator(".sm-steps .sm-step-name").first.inner_text() == HOSTILE["stop"]
    assert HOSTILE["stop"] in page.locator(".sm-label").first.inner_text()
    assert page.locator(".sm-tooltip").first.inner_text() == HOSTILE["mention"]
    page.evaluate("() => window.storymap.map.setView([48, 131], 6, {animate: false})")
    page.wait_for_timeout(200)
    box = page.locator("path.sm-mention").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => document.querySelector('.sm-kicker').textContent === 'Place mentioned'")
    assert page.locator(".sm-card .sm-place").inner_text() == HOSTILE["mention"]
    assert page.evaluate("() => window.__pwned") is None
    _assert_clean(offline_page)


# --------------------------------------------------------------------------- cover and media
PIXEL_PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
             "z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


@pytest.fixture(scope="module")
def authored_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture story with an author's cover, a stop's own text and image, and article links."""
    story = read_story(FIXTURE)
    articles = tuple(replace(a, url="https://news.example.org/" + a.id) for a in story.articles)
    story = story.with_meta(headline="A train heads east", dek="Six days on the rails", byline="By A. Reporter",
                            intro="It began in **the capital**. [Background](https://example.org/bg)\n\n"
                                  "<img src=x onerror=\"document.title='hacked'\">", articles=articles)
    gate = Media(PIXEL_PNG, "The plant's gate", "Photo: A. Photographer", "A gate")
    second = replace(story.stops[1], author_text="Our *own* words.\n\n- first point\n- [a bad link](javascript:alert(1))",
                     media=(gate,))
    story = story.with_place(second)
    out = tmp_path_factory.mktemp("export") / "authored.html"
    # a source that is no image never reaches the page: the story file is refused (tests/test_roundtrip.py),
    # and the renderer leaves it out of records that were never checked
    unchecked = story.with_place(replace(second, media=(gate, Media("javascript:alert(1)", "never shown", "", ""))))
    assert story_data(unchecked)["stops"][1]["media"] == story_data(story)["stops"][1]["media"]
    return export_story(story, out)


def test_cover_shows_headline_dek_byline_and_intro_over_the_whole_route(offline_page: Watched,
                                                                        authored_html: Path,
                                                                        tmp_path: Path) -> None:
    page = _open(offline_page, authored_html)
    page.screenshot(path=tmp_path / "cover.png")
    assert page.locator(".sm-title").inner_text() == "A train heads east"
    assert page.locator(".sm-card .sm-dek").inner_text() == "Six days on the rails"
    assert page.locator(".sm-card .sm-byline").inner_text().lower() == "by a. reporter"
    intro = page.locator(".sm-card .sm-intro-text")
    assert intro.locator("strong").inner_text() == "the capital"
    link = intro.locator("a")
    assert link.get_attribute("href") == "https://example.org/bg" and link.get_attribute("rel") == "noopener noreferrer"
    assert "<img src=x" in intro.inner_text() and page.locator(".sm-card img").count() == 0
    # the overview shows every stop
    assert page.evaluate(ALL_STOPS_IN_VIEW)
    assert page.title() != "hacked"
    _assert_clean(offline_page)


def test_stop_shows_author_text_and_image_above_excerpts_with_linked_credits(offline_page: Watched,
                                                                             authored_html: Path,
                                                                             tmp_path: Path) -> None:
    page = _open(offline_page, authored_html, "#step-2")
    page.wait_for_function("() => document.querySelector('.sm-figure img').complete")
    page.screenshot(path=tmp_path / "stop-media.png")
    card = page.locator(".sm-card")
    text = card.locator(".sm-stop-text")
    assert text.locator("em").inner_text() == "own"
    assert text.locator("a").count() == 0 and "a bad link" in text.inner_text()
    figures = card.locator(".sm-figure")
    assert figures.count() == 1  # the javascript: "image" is not an image source
    img = figures.locator("img")
    assert img.get_attribute("alt") == "A gate"
    assert page.evaluate("() => document.querySelector('.sm-figure img').naturalWidth") == 1
    assert "The plant's gate" in figures.inner_text() and "A. Photographer" in figures.inner_text()
    # the author's text and image come before the excerpts
    order = page.evaluate("() => [...document.querySelector('.sm-card').children].map(n => n.className)")
    assert order.index("sm-author sm-stop-text") < order.index("sm-figure") < order.index("sm-excerpts")
    credit_link = card.locator(".sm-excerpt .sm-credit a").first
    assert credit_link.get_attribute("href").startswith("https://news.example.org/")
    assert page.locator(".sm-source-list a").count() >= 1
    _assert_clean(offline_page)


def test_each_stop_opens_at_its_own_zoom(offline_page: Watched, offline_html: Path) -> None:
    page = _open(offline_page, offline_html, "#step-1")
    zooms = []
    for n in (1, 2, 3):
        page.evaluate(f"() => {{ location.hash = '#step-{n}'; }}")
        page.wait_for_function(f"() => window.storymap.step() === {n}")
        page.wait_for_timeout(300)
        zooms.append(page.evaluate("() => window.storymap.map.getZoom()"))
    expected = [p["zoom"] for p in story_data(load_story(FIXTURE))["stops"]]
    assert zooms == expected


STOP_AT_CENTRE = """n => {
  const icon = document.querySelector(`.sm-stop-icon[title^='Stop ${n}:']`).getBoundingClientRect();
  const map = document.querySelector('.sm-map').getBoundingClientRect();
  return Math.abs(icon.x + icon.width / 2 - (map.x + map.width / 2)) < map.width / 4
      && Math.abs(icon.y + icon.height / 2 - (map.y + map.height / 2)) < map.height / 4;
}"""


def test_a_map_laid_out_after_it_was_made_shows_the_route_and_follows_the_steps(offline_page: Watched,
                                                                               offline_html: Path) -> None:
    """The app's map sometimes stayed on empty sea and ignored stop clicks until a reload
    (issue 25): made while its page was not yet laid out (its frame not yet shown) it measured
    0 x 0, and no resize of the window came when the page was laid out at the size the window
    already had. Here the map's box is hidden until the page has loaded, the window unchanged."""
    page = offline_page.page
    page.add_init_script("""(() => { const sheet = new CSSStyleSheet();
        sheet.replaceSync('.folium-map.sm-map { display: none !important; }');
        document.adoptedStyleSheets = [sheet]; window.__unhide = () => { document.adoptedStyleSheets = []; }; })()""")
    _open(offline_page, offline_html)
    assert page.evaluate("() => window.storymap.map.getSize().x") == 0  # made with no box
    page.evaluate("() => window.__unhide()")
    page.wait_for_function(ALL_STOPS_IN_VIEW, timeout=5_000)  # the whole route, not the sea at its first view
    size = page.evaluate("() => { const s = window.storymap.map.getSize(); return [s.x, s.y]; }")
    box = page.locator(".sm-map").bounding_box()
    assert size == [round(box["width"]), round(box["height"])], (size, box)
    page.locator(".sm-step-btn").nth(1).click()  # a stop chosen in the itinerary is flown to
    page.wait_for_function(STOP_AT_CENTRE, arg=2, timeout=10_000)
    _assert_clean(offline_page)


# --------------------------------------------------------------------------- place names
NAME_BOXES = """() => {
  const frame = document.querySelector('.sm-map').getBoundingClientRect();
  const box = n => { const r = n.getBoundingClientRect(); return {x: r.left, y: r.top, r: r.right, b: r.bottom,
                                                                text: n.textContent}; };
  return {frame: {x: frame.left, y: frame.top, r: frame.right, b: frame.bottom},
          names: [...document.querySelectorAll('.sm-name')].map(box),
          kinds: [...document.querySelectorAll('.sm-name')].map(n => n.className),
          stops: [...document.querySelectorAll('.sm-stop-icon, .leaflet-tooltip.sm-label:not(.sm-label-hidden)')].map(box)};
}"""


def _apart(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["r"] <= b["x"] or b["r"] <= a["x"] or a["b"] <= b["y"] or b["b"] <= a["y"]


@pytest.mark.parametrize("fragment", ["", "#step-1", "#step-2", "#step-3"])
def test_base_map_names_places_without_overlaps_or_running_off_the_map(offline_page: Watched, offline_html: Path,
                                                                       tmp_path: Path, fragment: str) -> None:
    page = _open(offline_page, offline_html, fragment)
    page.wait_for_timeout(400)
    page.screenshot(path=tmp_path / f"names{fragment.replace('#', '-')}.png")
    seen = page.evaluate(NAME_BOXES)
    names, frame = seen["names"], seen["frame"]
    assert len(names) >= (3 if not fragment else 2), "the base map names places at this zoom"
    if not fragment:
        assert any("sm-name-country" in k for k in seen["kinds"]), "the overview names countries"
    else:
        assert any("sm-name-town" in k or "sm-name-city" in k for k in seen["kinds"]), "a stop's neighbours are named"
    for i, a in enumerate(names):
        assert frame["x"] <= a["x"] and a["r"] <= frame["r"] and frame["y"] <= a["y"] and a["b"] <= frame["b"], a
        for b in names[i + 1:]:
            assert _apart(a, b), (a, b)
        for stop in seen["stops"]:
            assert _apart(a, stop), (a, stop)
    _assert_clean(offline_page)


def test_base_map_names_give_way_to_tiles(offline_page: Watched, tiled_html: Path) -> None:
    page = _open(offline_page, tiled_html, "#step-2")
    page.wait_for_selector(".sm-tile-note")  # blocked here: the names come back with the base map
    page.wait_for_timeout(300)
    assert page.locator(".sm-name").count() >= 3


# --------------------------------------------------------------------------- embeds
def _host(tmp_path: Path, page_path: Path, width: int) -> Path:
    """An article page that embeds the story with the snippet `storymap export --embed` prints."""
    (tmp_path / "story.html").write_bytes(page_path.read_bytes())
    host = tmp_path / f"article-{width}.html"
    host.write_text("<!DOCTYPE html><html><body style='margin:0'><p>Before the map.</p>"
                    f"<div style='width:{width}px'>{embed_snippet('story.html', title='The route')}</div>"
                    "<p>After the map.</p></body></html>", encoding="utf-8")
    return host


INNER = """() => {
  const doc = document.documentElement, card = document.querySelector('.sm-card');
  const map = document.querySelector('.sm-map').getBoundingClientRect();
  const quote = document.querySelector('.sm-card .sm-quote');
  const q = quote ? quote.getBoundingClientRect() : null;
  return {scroll: doc.scrollHeight, client: doc.clientHeight, mapW: map.width, mapH: map.height,
          mapBottom: map.bottom, quoteTop: q ? q.top : null, quoteVisible: q ? q.height > 0 : false,
          panelScrolls: getComputedStyle(document.querySelector('.sm-panel')).overflowY};
}"""


@pytest.mark.parametrize("width", [700, 390])
def test_embedded_page_fits_its_column_and_shows_map_and_excerpt_without_inner_scrolling(
        make_page: Any, offline_html: Path, tmp_path: Path, width: int) -> None:
    watched = make_page(viewport={"width": 1100, "height": 900})
    page = watched.page
    page.goto(_host(tmp_path, offline_html, width).as_uri())
    frame_el = page.locator("iframe")
    frame = page.frame_locator("iframe")
    frame.locator(".sm-place").wait_for()
    inner = next(f for f in page.frames if f.url.endswith("story.html"))
    inner.evaluate("() => window.storymap.goTo(1)")
    page.wait_for_timeout(1200)
    page.screenshot(path=tmp_path / f"embed-{width}.png", full_page=True)
    seen = inner.evaluate(INNER)
    frame_box = frame_el.bounding_box()
    assert frame_box["width"] == width
    # the frame is as tall as the page inside it: nothing scrolls inside the frame
    assert abs(frame_box["height"] - seen["scroll"]) <= 1, (frame_box, seen)
    assert seen["mapW"] >= 240 and seen["mapH"] >= 240
    assert seen["quoteVisible"] and seen["quoteTop"] < 600, "the excerpt shows in the first 600 px"
    if width >= 560:
        assert frame_box["height"] == 600, "side by side: the frame keeps the height it was given"
        assert seen["mapBottom"] <= 600
    _assert_clean(watched)


def test_page_reports_its_height_to_the_host(make_page: Any, offline_html: Path, tmp_path: Path) -> None:
    watched = make_page(viewport={"width": 1100, "height": 900})
    page = watched.page
    page.add_init_script("window.__heights = []; addEventListener('message', e => { "
                         "if (e.data && e.data.type === 'storymap:height') window.__heights.push(e.data.height); });")
    page.goto(_host(tmp_path, offline_html, 390).as_uri())
    page.wait_for_function("() => window.__heights.length > 0")
    heights = page.evaluate("() => window.__heights")
    assert all(isinstance(h, int) and h > 300 for h in heights)


def test_map_only_mode_fills_the_slot_with_a_caption(make_page: Any, offline_html: Path, tmp_path: Path) -> None:
    watched = make_page(viewport={"width": 400, "height": 300})
    page = _open(watched, offline_html, "#map-step-2")
    page.screenshot(path=tmp_path / "map-only.png")
    assert not page.locator(".sm-panel").is_visible()
    box = page.locator(".sm-map").bounding_box()
    assert box["width"] == 400 and box["height"] == 300
    assert page.locator(".sm-map-caption").inner_text().startswith("2. Komsomolsk-on-Amur")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => location.hash === '#map-step-3'")
    assert "Vladivostok" in page.locator(".sm-map-caption").inner_text()
    _assert_clean(watched)


def test_cli_prints_the_embed_snippet(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from storymap.cli import main

    out = tmp_path / "route.html"
    result = CliRunner().invoke(main, ["export", str(FIXTURE), "-o", str(out), "--embed-url",
                                       "https://news.example.org/maps/route.html?a=1&b=2"])
    assert result.exit_code == 0, result.output
    assert '<iframe data-storymap src="https://news.example.org/maps/route.html?a=1&amp;b=2"' in result.stdout
    assert "storymap:height" in result.stdout
    bad = CliRunner().invoke(main, ["export", str(FIXTURE), "-o", str(tmp_path / "x.csv"), "--embed"])
    assert bad.exit_code == 1 and "HTML" in bad.output
    script = CliRunner().invoke(main, ["export", str(FIXTURE), "-o", str(tmp_path / "y.html"),
                                       "--embed-url", "javascript:alert(1)"])
    assert script.exit_code == 1 and "http(s)" in script.output and "Traceback" not in script.output
    assert not (tmp_path / "y.html").exists()


# what browsers strip or remove before reading an address (WHATWG URL): none of it may smuggle a script in
SCRIPT_URLS = [" javascript:alert(1)", "\tjavascript:alert(1)", "java\tscript:alert(1)", "java\nscript:alert(1)",
               "\x01javascript:alert(1)", "javascript:alert(1)\x00", "JavaScript:alert(1)", "  DATA:text/html,<b>x",
               "java\x0bscript:alert(1)", "vbscript:msgbox(1)"]


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_embed_url_is_read_as_a_browser_reads_it_and_only_http_or_relative_passes(url: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from storymap.cli import main

    out = tmp_path / "y.html"
    run = CliRunner().invoke(main, ["export", str(FIXTURE), "-o", str(out), "--embed-url", url])
    assert run.exit_code == 1, run.output
    assert "http(s) URL or a relative path" in run.output and "Traceback" not in run.output
    assert not out.exists()


def test_embed_url_keeps_what_a_browser_keeps() -> None:
    from storymap.render import embed_url

    assert embed_url(" \tHTTPS://news.exa\nmple.org/route.html\r\n") == "https://news.example.org/route.html"
    assert embed_url("maps/route.html") == "maps/route.html"


def test_host_script_resizes_only_the_storymap_frame(make_page: Any, offline_html: Path, tmp_path: Path) -> None:
    """Another frame on the article's page (an advert) that sends the storymap message is not resized,
    and the storymap frame is resized only to what its own page reports."""
    watched = make_page(viewport={"width": 1100, "height": 900})
    page = watched.page
    host = _host(tmp_path, offline_html, 390)
    advert = ("<iframe id='advert' style='height:90px' srcdoc=\"<script>parent.postMessage("
              "{type: 'storymap:height', height: 4000}, '*')</script>\"></iframe>")
    host.write_text(host.read_text(encoding="utf-8").replace("<p>After the map.</p>", advert), encoding="utf-8")
    page.goto(host.as_uri())
    page.frame_locator("iframe").first.locator(".sm-place").wait_for()
    page.wait_for_timeout(800)
    assert page.locator("#advert").evaluate("f => f.style.height") == "90px"
    story_frame = page.locator("iframe").first
    height = story_frame.evaluate("f => f.style.height")
    # a forged report from the advert, sent with the storymap frame's window as its source, cannot be made:
    # a report from the host page itself changes nothing either
    page.evaluate("() => window.postMessage({type: 'storymap:height', height: 3000}, '*')")
    page.wait_for_timeout(300)
    assert story_frame.evaluate("f => f.style.height") == height != "3000px"


def test_a_round_trip_passes_a_place_twice(offline_page: Watched, tmp_path: Path) -> None:
    from storymap.edits import Edits, apply_edits

    story = load_story(FIXTURE)
    ids = [f["id"] for f in sorted((f for f in story["features"] if f["properties"].get("role") == "stop"),
                                   key=lambda f: f["properties"]["stop"])]
    html = export_story(apply_edits(story, Edits(order=[*ids, ids[0]])), tmp_path / "round.html")
    page = _open(offline_page, html, "#step-4")
    page.screenshot(path=tmp_path / "round-trip.png")
    assert _place(page) == STOP_NAMES[0]
    assert page.locator(".sm-stop-icon").count() == 3, "one marker per place"
    assert page.locator(".sm-badge", has_text="1\u00b74").count() == 1
    assert page.locator(".sm-steps li").count() == 4
    assert page.evaluate(LEG_POINTS) == [49, 49, 49]
    _assert_clean(offline_page)


# --------------------------------------------------------------------------- the page (issue 25, item 5)
#: six stops a day's drive apart, three of them close together (High Wycombe, Ellesborough and
#: Aylesbury lie within 21 km), each with the author's text, a photo with a caption and a long excerpt
CLOSE_STOPS = [("London", 51.5072, -0.1276, "city"), ("High Wycombe", 51.6287, -0.7482, "town"),
               ("Ellesborough", 51.7470, -0.7900, "village"), ("Aylesbury", 51.8156, -0.8084, "town"),
               ("Oxford", 51.7520, -1.2577, "city"), ("Birmingham", 52.4862, -1.8904, "city")]


def _photo(width: int, height: int, colour: tuple[int, int, int]) -> str:
    """A plain PNG photo as a data: address."""
    import base64
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _close_stops_story() -> dict[str, Any]:
    """A story file (text written here) whose stops crowd each other on the map."""
    features: list[dict[str, Any]] = []
    for n, (name, lat, lon, kind) in enumerate(CLOSE_STOPS, 1):
        excerpt = (f"On day {n} the minister drove to {name}, where her husband met us at the station; "
                   "the visit, aides said, would be short. " * 3).strip()
        features.append({
            "type": "Feature", "id": f"p{n}", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"name": name, "role": "stop", "stop": n, "date": f"2025-06-{n + 10:02d}",
                           "date_status": "reported", "place_type": kind, "gazetteer_id": "manual",
                           "geocoder": "manual", "confidence": 0.9, "mention_count": 1,
                           "author_text": f"The author's own words on **{name}**, stop {n} of the tour.",
                           "media": [{"src": _photo(480, 300, (40 * n, 90, 160)), "caption": f"The square in {name}",
                                      "credit": "Photo: A. Photographer", "alt": f"A square in {name}"}],
                           "mentions": [{"article": "a1", "start": 0, "end": len(name), "text": name,
                                         "excerpt": excerpt}]}})
    features.append({"type": "Feature", "id": "route",
                     "geometry": {"type": "LineString", "coordinates": [[lon, lat] for _, lat, lon, _ in CLOSE_STOPS]},
                     "properties": {"role": "route", "name": "The minister's tour",
                                    "stops": [f"p{n}" for n in range(1, len(CLOSE_STOPS) + 1)],
                                    "dates": [f"2025-06-{n + 10:02d}" for n in range(1, len(CLOSE_STOPS) + 1)]}})
    return {"type": "FeatureCollection",
            "storymap": {"version": 1, "title": "The minister's tour", "subject": "The minister",
                         "articles": [{"id": "a1", "file": "a1.txt", "title": "A week on the road",
                                       "source": "The Example Courier", "published": "2025-06-20"}]},
            "features": features}


@pytest.fixture(scope="module")
def close_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_story(_close_stops_story(), tmp_path_factory.mktemp("export") / "close.html")


CAPTION = """() => {
  const box = n => { const r = n.getBoundingClientRect(); return {x: r.left, y: r.top, r: r.right, b: r.bottom}; };
  const img = document.querySelector('.sm-card .sm-figure img');
  return {img: box(img), caption: box(document.querySelector('.sm-card .sm-figure figcaption > :first-child')),
          panel: box(document.querySelector('.sm-panel')), map: box(document.querySelector('.sm-map')),
          loaded: img.complete && img.naturalWidth > 0};
}"""


@pytest.mark.parametrize("viewport", [(1280, 800), (700, 600), (390, 844)])
def test_the_photo_caption_sits_under_its_image_in_the_panel(make_page: Any, close_html: Path, tmp_path: Path,
                                                             viewport: tuple[int, int]) -> None:
    watched = make_page(viewport={"width": viewport[0], "height": viewport[1]})
    page = _open(watched, close_html, "#step-2")
    page.wait_for_function("() => document.querySelector('.sm-card .sm-figure img').complete")
    page.screenshot(path=tmp_path / f"caption-{viewport[0]}.png", full_page=True)
    seen = page.evaluate(CAPTION)
    img, caption, panel = seen["img"], seen["caption"], seen["panel"]
    assert seen["loaded"] and img["b"] - img["y"] > 50
    # directly below the image: under its bottom edge, within a few pixels, starting at its left edge
    assert img["b"] - 0.5 <= caption["y"] <= img["b"] + 12, seen
    assert abs(caption["x"] - img["x"]) <= 1, seen
    assert page.locator(".sm-card figcaption").inner_text().startswith("The square in High Wycombe")
    for box in (img, caption):
        assert panel["x"] <= box["x"] and box["r"] <= panel["r"] + 0.5 and panel["y"] <= box["y"], (box, panel)
    # and never over the map
    assert _apart(caption, seen["map"]), seen
    _assert_clean(watched)


IN_VIEW = """() => {
  const panel = document.querySelector('.sm-panel'), bar = document.querySelector('.sm-controls');
  const p = panel.getBoundingClientRect(), controls = bar.getBoundingClientRect();
  const box = sel => { const n = document.querySelector(sel); if (!n) return null;
                       const r = n.getBoundingClientRect(); return {y: r.top, b: r.bottom, h: r.height}; };
  return {top: Math.max(p.top, 0, controls.bottom), bottom: Math.min(p.bottom, innerHeight),
          heading: box('.sm-card .sm-place'), text: box('.sm-card .sm-stop-text'), image: box('.sm-card .sm-figure img'),
          place: document.querySelector('.sm-card .sm-place').textContent, step: window.storymap.step(),
          scrolled: panel.scrollTop};
}"""


def _in_view(seen: dict[str, Any], *keys: str) -> bool:
    return all(seen[k] is not None and seen[k]["h"] > 0 and seen["top"] - 0.5 <= seen[k]["y"]
               and seen[k]["b"] <= seen["bottom"] + 0.5 for k in keys)


def test_a_framed_embed_brings_each_stop_into_view_in_its_panel_and_never_scrolls_the_host(
        make_page: Any, close_html: Path, tmp_path: Path) -> None:
    """The embed snippet's frame, 700 x 600 in an article with text above and below: choosing any
    stop, from the itinerary down the panel or with the controls, shows its heading, text and photo
    in the panel; the article around the frame stays where the reader left it."""
    watched = make_page(viewport={"width": 1100, "height": 800})
    page = watched.page
    (tmp_path / "story.html").write_bytes(close_html.read_bytes())
    text = "".join(f"<p>Paragraph {i} of the article.</p>" for i in range(30))
    host = tmp_path / "article.html"
    host.write_text(f"<!DOCTYPE html><html><body style='margin:0'>{text}<div style='width:700px'>"
                    f"{embed_snippet('story.html', title='The tour', height=600)}</div>{text}</body></html>",
                    encoding="utf-8")
    page.goto(host.as_uri())
    frame = page.frame_locator("iframe")
    frame.locator(".sm-place").wait_for()
    inner = next(f for f in page.frames if f.url.endswith("story.html"))
    box = page.locator("iframe").bounding_box()
    assert (box["width"], box["height"]) == (700, 600)
    page.evaluate("() => window.scrollTo(0, document.querySelector('iframe').offsetTop - 100)")
    page.wait_for_timeout(300)
    host_y = page.evaluate("() => scrollY")
    assert host_y > 0

    def check(n: int, how: str) -> None:
        inner.wait_for_function(f"() => window.storymap.step() === {n}")
        # the panel may glide there: wait until it has
        inner.wait_for_function(f"() => {{ const s = ({IN_VIEW})(); return s.heading.y >= s.top - 0.5 "
                                "&& s.heading.b <= s.bottom + 0.5; }")
        page.wait_for_timeout(100)
        seen = inner.evaluate(IN_VIEW)
        assert seen["place"] == CLOSE_STOPS[n - 1][0], (how, seen)
        assert _in_view(seen, "heading", "text", "image"), (how, n, seen)
        assert page.evaluate("() => scrollY") == host_y, (how, n)

    for n in range(1, len(CLOSE_STOPS) + 1):
        # the reader scrolls the panel down to the itinerary and chooses the stop there
        inner.evaluate(f"""() => {{ const panel = document.querySelector('.sm-panel');
            const item = document.querySelectorAll('.sm-steps .sm-step-btn')[{n - 1}];
            panel.scrollTop = item.offsetTop - panel.clientHeight / 2;
            item.click(); }}""")
        check(n, "itinerary")
    page.screenshot(path=tmp_path / "embed-700x600.png")
    for n in range(len(CLOSE_STOPS) - 1, 0, -1):
        # the controls stay at the panel's top, the excerpt read further down
        inner.evaluate("() => { const p = document.querySelector('.sm-panel'); p.scrollTop = p.scrollHeight; }")
        controls = inner.evaluate("() => { const r = document.querySelector('.sm-prev').getBoundingClientRect(); "
                                  "return r.top >= 0 && r.bottom <= innerHeight; }")
        assert controls, "the controls are in view"
        frame.get_by_role("button", name="Previous stop").click()
        check(n, "previous")
    _assert_clean(watched)


LABEL_BOXES = """() => {
  const box = n => { const r = n.getBoundingClientRect(); return {x: r.left, y: r.top, r: r.right, b: r.bottom,
                                                                text: n.textContent}; };
  const visible = n => getComputedStyle(n).visibility !== 'hidden';
  const labels = [...document.querySelectorAll('.leaflet-tooltip.sm-label')];
  return {labels: labels.filter(visible).map(box), hidden: labels.filter(n => !visible(n)).map(n => n.textContent),
          icons: [...document.querySelectorAll('.sm-stop-icon')].map(box),
          current: (document.querySelector('.sm-stop-icon.sm-active') || {}).title || null};
}"""


def _labels_apart(seen: dict[str, Any]) -> None:
    """No two shown stop labels overlap, and none but the current stop's (always shown, where
    the stops crowd too close for it) covers another stop's marker."""
    labels = seen["labels"]
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            assert _apart(a, b), (a, b)
    names = [n for n, *_ in CLOSE_STOPS]
    current = (seen["current"] or "").split(": ", 1)[-1]
    for label in labels:
        own = names.index(label["text"])
        if label["text"] == current:
            continue
        for k, icon in enumerate(seen["icons"]):
            if k != own:
                assert _apart(label, icon), (label, icon)


@pytest.mark.parametrize("fragment", ["", *(f"#step-{n}" for n in range(1, len(CLOSE_STOPS) + 1))])
def test_stop_labels_never_overlap_each_other_or_other_stops(offline_page: Watched, close_html: Path,
                                                             tmp_path: Path, fragment: str) -> None:
    page = _open(offline_page, close_html, fragment)
    page.wait_for_timeout(300)
    page.screenshot(path=tmp_path / f"labels{fragment.replace('#', '-')}.png")
    seen = page.evaluate(LABEL_BOXES)
    _labels_apart(seen)
    shown = [label["text"] for label in seen["labels"]]
    if fragment:
        # the current stop is always named
        assert CLOSE_STOPS[int(fragment.rsplit("-", 1)[1]) - 1][0] in shown, seen
    assert len(shown) >= 3, seen
    # the same view places the same labels
    again = _open(offline_page, close_html, fragment)
    again.reload()
    again.wait_for_function("() => window.storymap && document.querySelector('.sm-place')")
    again.wait_for_timeout(300)
    assert again.evaluate(LABEL_BOXES) == seen
    _assert_clean(offline_page)


def test_stop_labels_stay_apart_when_the_reader_zooms_out(offline_page: Watched, close_html: Path) -> None:
    page = _open(offline_page, close_html, "#step-3")
    for zoom in (9, 8, 7, 6):
        page.evaluate(f"() => window.storymap.map.setZoom({zoom}, {{animate: false}})")
        page.wait_for_timeout(150)
        seen = page.evaluate(LABEL_BOXES)
        _labels_apart(seen)
        assert "Ellesborough" in [label["text"] for label in seen["labels"]]
    _assert_clean(offline_page)


def test_a_name_is_highlighted_as_a_whole_word_only(offline_page: Watched, tmp_path: Path) -> None:
    story = _close_stops_story()
    sentence = "Her husband said the trip to the US was brief; the Busan leg, US-bound, was dropped."
    story["features"][0]["properties"]["mentions"].append(
        {"article": "a1", "start": 29, "end": 31, "text": "US", "excerpt": sentence})
    page = _open(offline_page, export_story(story, tmp_path / "us.html"), "#step-1")
    quote = page.locator(".sm-quote", has_text="Busan")
    assert quote.locator("mark").all_inner_texts() == ["US", "US"]
    assert quote.inner_text() == sentence
    # "us" in "met us" is no name of this place: the other excerpt marks London alone
    assert set(page.locator(".sm-quote", has_text="met us").first.locator("mark").all_inner_texts()) == {"London"}
    _assert_clean(offline_page)
