"""The app in a real browser: Debian Chromium via Playwright against ``streamlit run``.

Every request that leaves localhost is aborted and recorded, so these tests prove the
app needs no internet. Screenshots go to ``$STORYMAP_SCREENSHOTS`` (default: a temp dir).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_server import serving

ROOT = Path(__file__).resolve().parent.parent
MAP = "iframe[title='Animated story map']"
INNER = "iframe#storymap-frame"  # the map page, sandboxed with allow-scripts only, inside the app's wrapper
LOCAL = ("http://localhost", "http://127.0.0.1", "ws://localhost", "ws://127.0.0.1", "data:", "blob:", "about:")
ARTICLE = ("Kim Jong Un arrives in Khabarovsk\n\n"
           "North Korean leader Kim Jong Un arrived in Khabarovsk on Saturday, September 16, 2023, "
           "after visiting Komsomolsk-on-Amur, state media said. He later travelled to Vladivostok.\n")

pytestmark = pytest.mark.browser  # every test here drives Chromium against `streamlit run`


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    with serving() as url:
        yield url


@pytest.fixture(scope="session")
def chromium(browser: Any) -> Any:
    """The shared headless Chromium from conftest.py (one Playwright per test session)."""
    return browser


@pytest.fixture(scope="session")
def shots() -> Path:
    folder = Path(os.environ.get("STORYMAP_SCREENSHOTS") or tempfile.mkdtemp(prefix="storymap-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def app_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.outside = []
    page.errors = []

    def route(r: Any) -> None:
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            page.outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()


def wait_idle(page: Any) -> None:
    """Wait until the app is not running its script (no 'Running...' status widget)."""
    time.sleep(0.3)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=30_000)


def nav(page: Any, name: str) -> None:
    """Open one of the app's pages from the sidebar's navigation, as a reader does."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    wait_idle(page)


def tab(page: Any, name: str) -> None:
    """Open one of the Read page's tabs once the app has settled, as a reader does: a rerun
    under the click redraws the tabs on their first one, so the click is made again until
    the tab stays chosen."""
    wait_idle(page)
    for _ in range(3):
        page.get_by_role("tab", name=name).click()
        wait_idle(page)
        if page.get_by_role("tab", name=name).get_attribute("aria-selected") == "true":
            return
    raise AssertionError(f"the {name!r} tab did not stay chosen")


def choose_article(page: Any, path: Path) -> None:
    """Choose an article file on the new story page, as a reader does: until it is listed.

    Streamlit lists a chosen file, and disables the form's buttons until it has arrived, only
    once the server has answered the browser's request for an upload address. A click before
    that finds the form empty, and the app says the file may still be uploading; a reader
    sees the file listed before reaching for the button, so the tests do too.
    """
    nav(page, "New story")
    uploader = page.get_by_test_id("stFileUploader")
    uploader.locator("input[type=file]").set_input_files(str(path))
    uploader.get_by_text(path.name).wait_for()


def map_frame(page: Any) -> Any:
    return page.frame_locator(MAP).frame_locator(INNER)


def open_map(page: Any, url: str) -> Any:
    page.goto(url)
    frame = map_frame(page)
    frame.locator(".sm-stop-icon").first.wait_for(state="attached", timeout=60_000)
    return frame


def test_map_shows_the_stops_and_steps_to_komsomolsk(app_page: Any, app_url: str, shots: Path) -> None:
    page = app_page
    frame = open_map(page, app_url)
    assert frame.locator(".sm-stop-icon").count() == 3
    names = frame.locator(".sm-step-name").all_text_contents()
    assert names == ["Vostochny Cosmodrome", "Komsomolsk-on-Amur", "Vladivostok"]
    frame.locator(".sm-next").click()
    frame.locator(".sm-next").click()
    frame.locator(".sm-place", has_text="Komsomolsk-on-Amur").wait_for()
    assert frame.locator(".sm-counter").text_content() == "Stop 2 of 3"
    page.wait_for_function("() => location.search.includes('step=2')")
    time.sleep(1.5)
    page.screenshot(path=str(shots / "app-step2.png"), full_page=True)
    assert not page.outside, page.outside
    assert not page.errors, page.errors


def test_shared_step_link_opens_that_step_and_reruns_keep_the_map(app_page: Any, app_url: str) -> None:
    page = app_page
    frame = open_map(page, f"{app_url}/?step=2")
    frame.locator(".sm-place", has_text="Komsomolsk-on-Amur").wait_for()
    frame.locator(".sm-next").click()
    frame.locator(".sm-place", has_text="Vladivostok").wait_for()
    page.wait_for_function("() => location.search.includes('step=3')")
    # a rerun that does not change the story must not reload the map
    page.evaluate("() => { document.querySelector(\"iframe[title='Animated story map']\")"
                  ".contentWindow.__marker = 'kept'; }")
    tab(page, "Places")
    box = page.get_by_test_id("stSelectbox").filter(has_text="Show the excerpts of")
    box.locator("input").click()
    box.locator("input").fill("Vladivostok")
    page.keyboard.press("Enter")
    page.get_by_text("Putin also mentioned").first.wait_for()
    kept = page.evaluate("() => document.querySelector(\"iframe[title='Animated story map']\").contentWindow.__marker")
    assert kept == "kept"
    assert frame.locator(".sm-counter").text_content() == "Stop 3 of 3"
    assert not page.outside, page.outside


def test_downloads_deliver_files_that_parse(app_page: Any, app_url: str, tmp_path: Path) -> None:
    page = app_page
    open_map(page, app_url)
    sidebar = page.get_by_test_id("stSidebar")
    got: dict[str, Path] = {}
    for label in ("GeoJSON", "Standalone HTML map", "GeoPackage", "CSV table", "KML (Google Earth)"):
        with page.expect_download() as info:
            sidebar.get_by_role("button", name=label).click()
        download = info.value
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        got[target.suffix] = target
    assert set(got) == {".geojson", ".html", ".gpkg", ".csv", ".kml"}
    assert got[".geojson"].name == "kim-jong-un-in-russia.geojson"
    story = json.loads(got[".geojson"].read_text(encoding="utf-8"))
    assert {f["id"] for f in story["features"]} >= {"vostochny-cosmodrome", "komsomolsk-on-amur", "vladivostok"}
    assert "Komsomolsk-on-Amur" in got[".html"].read_text(encoding="utf-8")
    import pyogrio

    layers = pyogrio.list_layers(got[".gpkg"])
    assert len(layers) >= 1
    assert len(pyogrio.read_dataframe(got[".gpkg"], layer=layers[0][0])) >= 3
    assert "Vladivostok" in got[".csv"].read_text(encoding="utf-8")
    ET.parse(got[".kml"])
    assert not page.outside, page.outside


def test_uploaded_article_becomes_a_story(app_page: Any, app_url: str, tmp_path: Path, shots: Path) -> None:
    page = app_page
    open_map(page, app_url)
    article = tmp_path / "khabarovsk.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    choose_article(page, article)
    page.get_by_text("210.0B").first.wait_for()  # the upload finished
    wait_idle(page)
    page.get_by_role("button", name="Build new story").click()
    page.get_by_text("Built in this session").wait_for(timeout=60_000)
    frame = map_frame(page)
    frame.locator(".sm-step-name", has_text="Khabarovsk").wait_for(timeout=30_000)
    time.sleep(1)
    page.screenshot(path=str(shots / "app-upload.png"), full_page=True)
    assert not page.outside, page.outside
    assert not page.errors, page.errors


def test_first_build_click_builds_right_after_the_upload(app_page: Any, app_url: str, tmp_path: Path) -> None:
    """No waiting for the upload to finish or the app to settle: the first click, as soon as
    the file is listed, builds (issue 13)."""
    page = app_page
    open_map(page, app_url)
    article = tmp_path / "khabarovsk.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    choose_article(page, article)
    page.get_by_role("button", name="Build new story").click()  # once
    page.get_by_text("Built in this session").wait_for(timeout=60_000)
    map_frame(page).locator(".sm-step-name", has_text="Khabarovsk").wait_for(timeout=30_000)
    assert not page.errors, page.errors


def test_map_frame_is_sandboxed_and_still_animates_and_steps(app_page: Any, app_url: str) -> None:
    page = app_page
    frame = open_map(page, app_url)
    outer = page.locator(MAP)
    inner = page.frame_locator(MAP).locator(INNER)
    assert inner.get_attribute("sandbox") == "allow-scripts"
    inner_frame = next(f for f in page.frames if f.parent_frame is not None and f.parent_frame.parent_frame is not None)
    assert inner_frame.evaluate("() => window.origin") == "null"  # opaque: cannot reach the app
    assert inner_frame.evaluate("""() => { try { return String(window.parent.document.title); }
                                           catch (e) { return "blocked"; } }""") == "blocked"
    storage = "() => { try { return String(localStorage.length); } catch (e) { return 'blocked'; } }"
    assert inner_frame.evaluate(storage) == "blocked"
    # the step controls work and the address follows through postMessage
    frame.locator(".sm-next").click()
    frame.locator(".sm-counter", has_text="Stop 1 of 3").wait_for()
    page.wait_for_function("() => location.search.includes('step=1')")
    # playing animates the route: the drawn leg grows while the counter advances
    frame.locator(".sm-play").click()
    frame.locator(".sm-counter", has_text="Stop 2 of 3").wait_for(timeout=20_000)
    page.wait_for_function("() => location.search.includes('step=2')")
    assert outer.count() == 1
    assert not page.errors, page.errors


def test_uploaded_article_with_template_and_script_shows_as_text(app_page: Any, app_url: str,
                                                                tmp_path: Path) -> None:
    """An upload whose text is template code and script runs nothing, on the server or in the page."""
    page = app_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_map(page, app_url)
    payload = "{{ 7*7 }} {% raw %}{{ 8*8 }}{% endraw %} <img src=x onerror=alert(1)><script>alert(2)</script>"
    article = tmp_path / "payload.txt"
    article.write_text(ARTICLE.replace("state media said.", f"state media said {payload}."), encoding="utf-8")
    choose_article(page, article)
    page.get_by_role("button", name="Build new story").click()
    page.get_by_text("Built in this session").wait_for(timeout=60_000)
    frame = map_frame(page)
    frame.locator(".sm-step-name", has_text="Khabarovsk").first.click()
    card = frame.locator(".sm-card")
    card.filter(has_text="{{ 7*7 }}").wait_for(timeout=30_000)
    text = card.inner_text()
    assert payload in text and "49" not in text and "64" not in text
    assert frame.locator(".sm-card img, .sm-card script").count() == 0
    assert dialogs == [] and not page.errors, (dialogs, page.errors)


def test_a_built_story_survives_a_reload_and_opens_from_its_link(app_page: Any, app_url: str, chromium: Any) -> None:
    """The story library in a real browser: the address names the story, a reload and a
    fresh browser (another reader with the link) open it again."""
    page = app_page
    open_map(page, app_url)
    nav(page, "New story")
    page.get_by_label("…or paste an article").fill(ARTICLE)
    page.get_by_role("button", name="Build new story").click()
    page.get_by_text("Built in this session").wait_for(timeout=60_000)
    map_frame(page).locator(".sm-step-name", has_text="Khabarovsk").wait_for(timeout=30_000)
    page.wait_for_function("() => new URL(location.href).searchParams.get('story')", timeout=30_000)
    link = page.url
    page.reload()
    map_frame(page).locator(".sm-step-name", has_text="Khabarovsk").wait_for(timeout=60_000)
    assert page.get_by_text("From the library").count() == 1
    other = chromium.new_context(viewport={"width": 1400, "height": 1000})
    try:
        stranger = other.new_page()
        stranger.goto(link)
        map_frame(stranger).locator(".sm-step-name", has_text="Khabarovsk").wait_for(timeout=60_000)
    finally:
        other.close()
    assert not page.outside, page.outside
    assert not page.errors, page.errors


def test_the_timeline_chart_draws_offline(app_page: Any, app_url: str) -> None:
    page = app_page
    open_map(page, app_url)
    tab(page, "Timeline")
    page.locator("[data-testid=stVegaLiteChart] canvas, [data-testid=stVegaLiteChart] svg").first.wait_for(
        timeout=30_000)
    assert not page.outside, page.outside
    assert not page.errors, page.errors


def press(page: Any, name: str, until: str | None = None) -> None:
    """Press a button of the main area (Playwright's click lands off a button that Streamlit's
    scrolling main block has moved; the keyboard reaches it as a reader's would). With
    ``until``, wait for that text; a press that went to a button a rerun was redrawing (the
    button still there and enabled once the app is idle) is made again."""
    button = page.get_by_role("button", name=name, exact=True)
    for _ in range(3):
        button.focus()
        page.keyboard.press("Enter")
        if until is None:
            return
        try:
            page.get_by_text(until).first.wait_for(timeout=20_000)
            return
        except Exception:  # not yet: pressed again only if the button is still there to press
            wait_idle(page)
            if page.get_by_text(until).count() or not button.count() or not button.is_enabled():
                break
    if until is not None:
        page.get_by_text(until).first.wait_for(timeout=60_000)


def expand(page: Any, label: str) -> None:
    """Open an expander of the main area from the keyboard (see press: a click can land off it)."""
    page.locator("summary", has_text=label).focus()
    page.keyboard.press("Enter")


def select(page: Any, label: str, typed: str, option: str) -> None:
    """Choose `option` in the select box labelled `label` from the keyboard, as press does
    for buttons: type `typed`, wait for the option, take it with Enter; a rerun that
    redraws the box meanwhile is met by trying again."""
    box = page.get_by_test_id("stSelectbox").filter(has_text=label)
    for _ in range(3):
        box.locator("input").focus()
        box.locator("input").fill("")
        box.locator("input").press_sequentially(typed, delay=50)  # typed: the list opens as it filters
        try:
            page.get_by_role("option", name=option).wait_for(timeout=10_000)
        except Exception:  # the list did not open or was redrawn: type again
            wait_idle(page)
            continue
        page.keyboard.press("Enter")
        wait_idle(page)
        if box.locator("input").input_value() == option:
            return
    raise AssertionError(f"could not choose {option!r} in {label!r}")


def test_two_readers_editing_one_story_lose_no_edit(app_page: Any, app_url: str, chromium: Any) -> None:
    """Two browsers on one saved story: the second save, based on the old revision, is
    refused with a message and a reload, and the first reader's correction stands."""
    page = app_page
    open_map(page, app_url)
    nav(page, "New story")
    page.get_by_label("…or paste an article").fill(ARTICLE)
    page.get_by_role("button", name="Build new story").click()
    map_frame(page).locator(".sm-step-name", has_text="Khabarovsk").wait_for(timeout=60_000)  # the read page
    page.wait_for_function("() => new URL(location.href).searchParams.get('story')", timeout=60_000)
    wait_idle(page)
    link = page.url
    other = chromium.new_context(viewport={"width": 1400, "height": 1000})
    try:
        second = other.new_page()
        second.goto(link)
        map_frame(second).locator(".sm-stop-icon").first.wait_for(state="attached", timeout=60_000)
        for reader in (page, second):
            nav(reader, "Review")
        press(page, "Reject", until="This place is rejected")
        press(second, "Accept")
        second.get_by_text("saved by someone else").wait_for(timeout=30_000)
        press(second, "Reload the latest version")
        second.get_by_text("1 correction applied").wait_for(timeout=30_000)  # the first reader's
        second.get_by_text("saved by someone else").wait_for(state="detached", timeout=30_000)
    finally:
        other.close()
    assert not page.errors, page.errors


def test_the_build_buttons_show_their_whole_labels_at_1440_px(chromium: Any, app_url: str) -> None:
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        open_map(page, app_url)
        nav(page, "New story")
        for name in ("Build new story", "Add to this story"):
            button = page.get_by_role("button", name=name)
            clipped = button.evaluate("b => [b, ...b.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1)")
            assert not clipped, name
    finally:
        context.close()


def click_a_town(chart: Any) -> str:
    """Click, as a reader would, a town point of a review map that nothing covers; its name."""
    towns = chart.locator("g.points_marks path[aria-label*='town nearby']")
    towns.first.wait_for(timeout=30_000)
    free = chart.evaluate("""root => [...root.querySelectorAll("g.points_marks path[aria-label*='town nearby']")]
        .findIndex(p => { const b = p.getBoundingClientRect();
                          return document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2) === p; })""")
    assert free >= 0, "a town point is free to click"
    town = towns.nth(free)
    name = town.get_attribute("aria-label").split("Place: ")[1].split(";")[0]
    town.click()
    return name


def test_review_map_moves_a_place_to_a_town_clicked_on_it(app_page: Any, app_url: str, shots: Path) -> None:
    """The review page's small offline map: the place, its other readings and the towns around
    it; clicking a town and confirming moves the place there (no coordinates typed)."""
    page = app_page
    open_map(page, app_url)
    nav(page, "Review")
    chart = page.locator("[data-testid=stVegaLiteChart]:visible").first
    chart.wait_for(timeout=60_000)
    chart.scroll_into_view_if_needed()
    chart.locator("g.points_marks path").first.wait_for(timeout=30_000)
    chart.screenshot(path=shots / "review-map.png")
    town = click_a_town(chart)
    button = page.get_by_role("button", name=f"Move it to {town}")
    button.wait_for(timeout=30_000)
    press(page, f"Move it to {town}", until="1 correction applied")
    assert not page.outside, page.outside
    assert not page.errors, page.errors


def add_map(page: Any) -> Any:
    """The map of the story's area that adds a place, opened as a reader does."""
    expand(page, "Add a place the pipeline missed")
    page.get_by_text("Click on the map", exact=True).click()
    chart = page.locator("[data-testid=stExpander] [data-testid=stVegaLiteChart]:visible").first
    chart.wait_for(timeout=60_000)
    chart.scroll_into_view_if_needed()
    chart.locator("g.points_marks path").first.wait_for(timeout=30_000)
    return chart


def test_a_place_of_the_authors_own_is_added_by_clicking_an_empty_spot(app_page: Any, app_url: str,
                                                                       shots: Path) -> None:
    """A click on no town, on the map of the story's area (over the Russian Far East, not the
    ocean at 0, 0), picks that spot; named "Chequers", it is added there as the author's place."""
    page = app_page
    open_map(page, app_url)
    nav(page, "Review")
    chart = add_map(page)
    labels = chart.locator("g.mark-text text").all_text_contents()
    assert "Vladivostok" in labels and "Komsomolsk-on-Amur" in labels  # the story's area
    inside = chart.evaluate("""root => { const b = root.querySelector("svg").getBoundingClientRect();
        return [...root.querySelectorAll("g.mark-text text")].filter(t => t.textContent === "Vladivostok")
            .map(t => t.getBoundingClientRect()).some(r => r.width > 0 && r.x >= b.x && r.right <= b.right
                                                           && r.y >= b.y && r.bottom <= b.bottom); }""")
    assert inside, "the map opens over the story's stops"
    # a spot where no point, label or legend is: the grid's cell under it is picked
    spot = chart.evaluate("""root => { const svg = root.querySelector("svg"); const b = svg.getBoundingClientRect();
        for (const [fx, fy] of [[0.3, 0.3], [0.6, 0.25], [0.45, 0.6], [0.2, 0.5], [0.7, 0.5], [0.4, 0.4]]) {
            const x = b.x + b.width * fx, y = b.y + b.height * 0.85 * fy;
            const hit = document.elementFromPoint(x, y);
            if (hit && !hit.closest("g.points_marks") && !hit.closest("g.mark-text") && !hit.closest(".role-legend"))
                return [x, y]; }
        return null; }""")
    assert spot, "an empty spot on the map"
    page.mouse.click(spot[0], spot[1])
    page.get_by_text("Picked the point").wait_for(timeout=60_000)
    page.get_by_label("Its name").fill("Chequers")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Add Chequers").wait_for(timeout=30_000)
    chart.screenshot(path=shots / "add-spot.png")
    press(page, "Add Chequers", until="1 correction applied")
    assert not page.outside, page.outside
    assert not page.errors, page.errors


def test_a_missed_place_is_added_by_clicking_a_town_on_the_map(app_page: Any, app_url: str, shots: Path) -> None:
    page = app_page
    open_map(page, app_url)
    nav(page, "Review")
    chart = add_map(page)
    chart.screenshot(path=shots / "add-map.png")
    town = click_a_town(chart)
    page.get_by_role("button", name=f"Add {town}").wait_for(timeout=30_000)
    press(page, f"Add {town}", until="1 correction applied")
    assert not page.outside, page.outside
    assert not page.errors, page.errors


def test_author_text_and_image_show_in_the_map_and_the_exported_page(app_page: Any, app_url: str,
                                                                     tmp_path: Path, shots: Path) -> None:
    from PIL import Image

    page = app_page
    open_map(page, app_url)
    nav(page, "Author")
    page.get_by_role("textbox", name="Text (Markdown)").fill("Our *reporter* waited at the gate.")
    image = tmp_path / "gate.png"
    Image.new("RGB", (300, 200), (40, 90, 160)).save(image)
    # the upload has reached the server before the form is sent, as a reader waits for it
    with page.expect_response(lambda r: "upload_file" in r.url and r.request.method == "PUT", timeout=30_000):
        page.locator("[data-testid=stFileUploader] input[type=file]").last.set_input_files(str(image))
    page.get_by_text("gate.png").wait_for(timeout=30_000)
    page.get_by_role("textbox", name="Caption").fill("The gate")
    page.get_by_role("textbox", name="Credit").fill("Photo: A. Reporter")
    form = page.get_by_test_id("stForm").filter(has_text="Text (Markdown)")
    form.get_by_role("button", name="Save the text").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => new URL(location.href).searchParams.get('story')", timeout=60_000)
    wait_idle(page)
    story = page.evaluate("() => new URL(location.href).searchParams.get('story')")
    frame = open_map(page, f"{app_url}/?story={story}&step=1")  # the read page, on the first stop
    frame.locator(".sm-stop-text em").wait_for(timeout=60_000)
    assert frame.locator(".sm-stop-text").inner_text().startswith("Our reporter waited")
    assert frame.locator(".sm-figure img").count() == 1
    assert "The gate" in frame.locator(".sm-figure figcaption").inner_text()
    page.screenshot(path=shots / "author-in-map.png")
    # the exported page the sidebar downloads carries them too
    with page.expect_download() as download:
        page.get_by_test_id("stSidebar").get_by_role("button", name="Standalone HTML map").click()
    html = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Our " in html and "reporter" in html and "data:image/jpeg;base64," in html and "The gate" in html
    assert not page.outside, page.outside
    assert not page.errors, page.errors


def _week_story() -> dict[str, Any]:
    """A story (text written here) of eight stops on eight days running, reported in two articles."""
    towns = [("Lyon", 45.76, 4.84), ("Grenoble", 45.19, 5.72), ("Chambery", 45.57, 5.92), ("Annecy", 45.90, 6.13),
             ("Geneva", 46.20, 6.14), ("Lausanne", 46.52, 6.63), ("Montreux", 46.43, 6.91), ("Sion", 46.23, 7.36)]
    features: list[dict[str, Any]] = [
        {"type": "Feature", "id": f"s{n}", "geometry": {"type": "Point", "coordinates": [lon, lat]},
         "properties": {"name": name, "role": "stop", "stop": n, "date": f"2025-07-{n:02d}",
                        "date_status": "reported", "place_type": "city", "gazetteer_id": "manual",
                        "geocoder": "manual", "confidence": 0.9, "mention_count": 1,
                        "mentions": [{"article": "a1", "start": 12, "end": 12 + len(name), "text": name,
                                      "excerpt": f"The cyclists reached {name} on day {n}."}]}}
        for n, (name, lat, lon) in enumerate(towns, 1)]
    features.append({"type": "Feature", "id": "route",
                     "geometry": {"type": "LineString", "coordinates": [[lon, lat] for _, lat, lon in towns]},
                     "properties": {"role": "route", "name": "The cyclists' week",
                                    "stops": [f"s{n}" for n in range(1, 9)],
                                    "dates": [f"2025-07-{n:02d}" for n in range(1, 9)]}})
    return {"type": "FeatureCollection",
            "storymap": {"version": 1, "title": "The cyclists' week", "subject": "The cyclists",
                         "articles": [{"id": "a1", "file": "a1.txt", "title": "Eight days in the Alps",
                                       "source": "The Example Gazette", "published": "2025-07-04"},
                                      {"id": "a2", "file": "a2.txt", "title": "The last climb",
                                       "source": "The Example Gazette", "published": "2025-07-09"}]},
            "features": features}


TIMELINE_TEXT = """root => {
  const svg = root.querySelector('svg').getBoundingClientRect();
  return {svg: {x: svg.left, r: svg.right},
          labels: [...root.querySelectorAll('g.mark-text.role-mark text')].map(t => { const b = t.getBoundingClientRect();
            return {text: t.textContent, x: b.left, y: b.top, r: b.right, b: b.bottom,
                    size: parseFloat(getComputedStyle(t).fontSize) || parseFloat(t.getAttribute('font-size'))}; }),
          ticks: [...root.querySelectorAll('g.role-axis-label text')].map(t => t.textContent)};
}"""


def test_the_timeline_labels_every_dot_readably_without_overlaps_at_1440_px(chromium: Any, app_url: str,
                                                                            shots: Path) -> None:
    from storymap.library import Library

    library = Library()
    token = library.make_link(library.add(_week_story()).id)
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        open_map(page, f"{app_url}/?share={token}")
        tab(page, "Timeline")
        chart = page.locator("[data-testid=stVegaLiteChart]").first
        chart.locator("g.mark-text.role-mark text").first.wait_for(timeout=30_000)
        page.wait_for_timeout(500)
        chart.screenshot(path=shots / "timeline-1440.png")
        seen = chart.evaluate(TIMELINE_TEXT)
    finally:
        context.close()
    labels = seen["labels"]
    texts = [label["text"] for label in labels]
    # every stop and every article has its label
    for n, name in enumerate(["Lyon", "Grenoble", "Chambery", "Annecy", "Geneva", "Lausanne", "Montreux", "Sion"], 1):
        assert f"Stop {n}: {name}" in texts, texts
    assert any(t.startswith("Published: Eight days") for t in texts) and any("The last climb" in t for t in texts)
    # the axis counts days
    assert "4 Jul" in seen["ticks"] and not any(t.endswith(("AM", "PM")) for t in seen["ticks"]), seen["ticks"]
    for i, a in enumerate(labels):
        assert a["size"] >= 11, a
        assert seen["svg"]["x"] <= a["x"] and a["r"] <= seen["svg"]["r"], a
        for b in labels[i + 1:]:
            assert a["r"] <= b["x"] or b["r"] <= a["x"] or a["b"] <= b["y"] or b["b"] <= a["y"], (a, b)


def test_a_new_subject_rebuilds_the_route_and_keeps_the_corrections(app_page: Any, app_url: str,
                                                                     shots: Path) -> None:
    """The review page names whom the route follows and the other travellers; choosing
    another builds the route again for them, and a correction made before is kept."""
    page = app_page
    open_map(page, app_url)
    nav(page, "Review")
    page.get_by_text("The route follows Kim Jong Un (named 22 times)").wait_for(timeout=60_000)
    box = page.get_by_test_id("stSelectbox").filter(has_text="Place to review")
    box.locator("input").click()
    box.locator("input").fill("Moscow")
    page.keyboard.press("Enter")
    page.locator("strong", has_text="Moscow").first.wait_for(timeout=30_000)
    wait_idle(page)
    press(page, "Reject", until="1 correction applied")
    wait_idle(page)
    expand(page, "Change the subject")
    select(page, "Another traveller the texts name", "Vladimir", "Vladimir Putin (named 13 times)")
    press(page, "Build the route for this subject")
    page.get_by_text("The route now follows Vladimir Putin.").wait_for(timeout=120_000)
    wait_idle(page)
    assert page.locator("h1").first.inner_text() == "Vladimir Putin: Vostochny Cosmodrome to North Korea"
    page.get_by_text("The route follows Vladimir Putin (named 13 times)").wait_for(timeout=30_000)
    assert page.get_by_text("1 correction applied").count() == 1  # Moscow stays rejected
    page.wait_for_function("() => new URL(location.href).searchParams.get('story')", timeout=30_000)
    page.screenshot(path=str(shots / "app-new-subject.png"), full_page=True)
    assert not page.outside, page.outside
    assert not page.errors, page.errors


def test_five_stops_are_rejected_in_one_save_from_the_table(app_page: Any, app_url: str, shots: Path) -> None:
    """The review page's table: five rows ticked, one Reject selected, one save; the story keeps
    its other two stops."""
    from apptest_helpers import stops_story

    from storymap.library import Library, shown

    story_id = stops_story(7)
    page = app_page
    page.goto(f"{app_url}/?story={story_id}")
    map_frame(page).locator(".sm-stop-icon").first.wait_for(state="attached", timeout=60_000)
    nav(page, "Review")
    grid = page.get_by_test_id("stDataFrame").filter(has_text="").first
    grid.wait_for(timeout=60_000)
    grid.scroll_into_view_if_needed()
    wait_idle(page)
    box = grid.bounding_box()
    row = 35  # the table's header and rows, Streamlit's default height
    for n in range(2, 7):  # stops 2 to 6: the rows after the first
        page.mouse.click(box["x"] + 41, box["y"] + row * n + row / 2)  # the checkbox, mid-column
        wait_idle(page)
    grid.screenshot(path=shots / "review-table.png")
    page.get_by_role("button", name="Reject selected (5)").wait_for(timeout=30_000)
    press(page, "Reject selected (5)", until="5 corrections applied")
    # the story itself, or the reader's own copy of it: the one story made from it with two stops
    # (other tests of this session leave stories of their own in the same library)
    page.wait_for_function("() => new URL(location.href).searchParams.get('story')", timeout=30_000)
    shown_id = page.evaluate("() => new URL(location.href).searchParams.get('story')")
    saved = Library().get(shown_id)
    assert len(shown(saved).stops) == 2 and len(saved.edits["rejected"]) == 5
    assert not page.outside, page.outside
    assert not page.errors, page.errors


def test_a_ticked_stop_moves_up_the_route_and_a_place_is_renamed_on_the_map(app_page: Any, app_url: str,
                                                                            shots: Path) -> None:
    """The review page: a stop ticked in the table goes up the route by Move up, one save a
    click, staying ticked for the next; the first stop cannot go higher; a place given a name
    of the author's own in "One place in detail" shows it on the map, in its new order."""
    from apptest_helpers import stops_story

    from storymap.library import Library, shown

    story_id = stops_story(5)  # Faro, Lagos, Sines, Setubal, Lisbon
    page = app_page
    page.goto(f"{app_url}/?story={story_id}")
    map_frame(page).locator(".sm-stop-icon").first.wait_for(state="attached", timeout=60_000)
    nav(page, "Review")
    grid = page.get_by_test_id("stDataFrame").first
    grid.wait_for(timeout=60_000)
    grid.scroll_into_view_if_needed()
    wait_idle(page)
    box = grid.bounding_box()
    row = 35  # the table's header and rows, Streamlit's default height
    page.mouse.click(box["x"] + 41, box["y"] + row * 4 + row / 2)  # Setubal's checkbox: stop 4
    wait_idle(page)
    for stops in ("Faro, Lagos, Setubal, Sines, Lisbon", "Faro, Setubal, Lagos, Sines, Lisbon"):
        button = page.get_by_role("button", name="Move up (1)")
        button.wait_for(timeout=30_000)
        button.focus()
        page.keyboard.press("Enter")
        assert step_names(page, stops) == stops
        wait_idle(page)
    page.get_by_text("1 correction applied").wait_for(timeout=30_000)  # the route's order: one correction
    shown_id = page.evaluate("() => new URL(location.href).searchParams.get('story')")
    saved = Library().get(shown_id)
    assert [p.name for p in shown(saved).route_visits()] == ["Faro", "Setubal", "Lagos", "Sines", "Lisbon"]
    grid.screenshot(path=shots / "review-moved.png")
    # one place in detail: Faro is first, so it cannot go up; Setubal is renamed
    pick_place(page, "Faro")
    assert page.get_by_role("button", name="Move up", exact=True).is_disabled()
    pick_place(page, "Setubal")
    field = page.get_by_role("textbox", name="Name shown on the map")
    field.fill("Setúbal")
    press(page, "Rename")
    want = "Faro, Setúbal, Lagos, Sines, Lisbon"
    assert step_names(page, want) == want
    page.get_by_text("The gazetteer's name: Setubal").wait_for(timeout=30_000)
    wait_idle(page)
    box = page.get_by_test_id("stSelectbox").filter(has_text="Place to review")
    assert box.locator("input").input_value().startswith("Setúbal (stop, stop 2,")  # its label as it is now
    page.screenshot(path=str(shots / "review-renamed.png"), full_page=True)
    assert not page.outside, page.outside
    assert not page.errors, page.errors


def step_names(page: Any, want: str | None = None, timeout: float = 60) -> str:
    """The map's stops in order ("Faro, Lagos, ..."), once they are ``want`` (the map page is
    made again after a save), else as they are at ``timeout`` seconds."""
    end = time.monotonic() + timeout
    names = ""
    while time.monotonic() < end:
        try:
            names = ", ".join(map_frame(page).locator(".sm-step-name").all_text_contents())
        except Exception:  # the frame was being replaced
            names = ""
        if names == want or (want is None and names):
            break
        time.sleep(0.5)
    return names


def pick_place(page: Any, name: str) -> None:
    """Choose the place ``name`` in "Place to review" from the keyboard (its option's label
    starts with the name and goes on with its role, stop and review), trying again as select does."""
    box = page.get_by_test_id("stSelectbox").filter(has_text="Place to review")
    for _ in range(3):
        box.locator("input").focus()
        box.locator("input").fill(name)
        try:
            page.get_by_role("option", name=f"{name} (").first.wait_for(timeout=10_000)
        except Exception:  # the list did not open or was redrawn: type again
            wait_idle(page)
            continue
        page.keyboard.press("Enter")
        wait_idle(page)
        if box.locator("input").input_value().startswith(f"{name} ("):
            return
    raise AssertionError(f"could not choose {name!r} in 'Place to review'")


WEEKDAYS = ("Maria Santos tours the north\n\n"
            "Brazilian minister Maria Santos arrived in Porto on Monday for talks on the new harbour, her "
            "ministry said.\n\n"
            "She travelled on to Braga on Thursday and met the city's mayor.\n")


def test_a_pasted_texts_weekdays_are_dated_by_the_publication_date_set_before_the_build(
        app_page: Any, app_url: str, shots: Path) -> None:
    """Pasted text, a publication date (Friday 14 March 2025) typed on the New story page: the
    stops of "on Monday" and "on Thursday" are dated in that week on the built map."""
    page = app_page
    open_map(page, app_url)
    nav(page, "New story")
    page.get_by_label("…or paste an article").fill(WEEKDAYS)
    page.get_by_label("Publication date").fill("2025-03-14")
    page.get_by_label("Outlet").fill("Example News")
    wait_idle(page)
    page.get_by_role("button", name="Build new story").click()
    page.get_by_text("Built in this session").wait_for(timeout=90_000)
    frame = map_frame(page)
    porto = frame.locator(".sm-step-btn", has_text="Porto")
    porto.wait_for(timeout=60_000)
    assert "10 March 2025" in porto.locator(".sm-step-date").inner_text()  # Monday of that week
    braga = frame.locator(".sm-step-btn", has_text="Braga")
    assert "13 March 2025" in braga.locator(".sm-step-date").inner_text()  # Thursday
    page.screenshot(path=str(shots / "app-pasted-weekdays.png"), full_page=True)
    assert not page.outside, page.outside
    assert not page.errors, page.errors


def stop_in_view(frame: Any, step: int, timeout: float = 30) -> bool:
    """Whether stop ``step``'s marker comes into the map's view within ``timeout`` seconds (the
    flight to it takes longer on a busy machine)."""
    end = time.monotonic() + timeout
    while True:
        icon = frame.locator(f".sm-stop-icon[title^='Stop {step}:']").first.bounding_box()
        area = frame.locator(".folium-map").first.bounding_box()
        if icon and area:
            cx, cy = icon["x"] + icon["width"] / 2, icon["y"] + icon["height"] / 2
            if area["x"] + 10 < cx < area["x"] + area["width"] - 10 and \
                    area["y"] + 10 < cy < area["y"] + area["height"] - 10:
                return True
        if time.monotonic() > end:
            return False
        time.sleep(0.25)


def test_on_a_phone_the_apps_map_frame_grows_with_its_text_and_the_map_follows_the_step(
        chromium: Any, app_url: str, shots: Path) -> None:
    """At 390 px the page stacks its map over its text: the app's frame grows to the page's
    height, so each stop's text ends inside the frame (bounding boxes), and the map shows the
    stop the reader chose."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        frame = open_map(page, app_url)
        outer = page.locator(MAP)
        n = frame.locator(".sm-step-btn").count()
        assert n >= 2
        for step in range(1, n + 1):
            frame.locator(".sm-step-btn").nth(step - 1).dispatch_event("click")  # under the app's header at times
            page.wait_for_timeout(1500)  # the flight to the stop, and the frame's growth
            inner = page.frame_locator(MAP).locator(INNER)
            box, inner_box = outer.bounding_box(), inner.bounding_box()
            text = frame.locator(".sm-card").first.bounding_box() or frame.locator(".sm-panel").bounding_box()
            assert box and inner_box and text
            assert box["height"] > 620, box  # grown past the app's 620 px
            assert abs(inner_box["height"] - box["height"]) < 2, (inner_box, box)
            assert text["y"] + text["height"] <= box["y"] + box["height"] + 1, (step, text, box)
            assert frame.locator("body").evaluate("() => window.storymap.step()") == step
            assert stop_in_view(frame, step), step
        page.screenshot(path=str(shots / "app-390-grown.png"), full_page=True)
        assert not errors, errors
    finally:
        context.close()


def test_the_apps_map_keeps_showing_the_step_when_its_frame_changes_size(chromium: Any, app_url: str) -> None:
    """A stop chosen in a wide window, then the window narrowed to a phone's (the frame laid out
    again): the map shows that stop, not whatever its old centre and zoom now cover."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        frame = open_map(page, app_url)
        n = frame.locator(".sm-step-btn").count()
        frame.locator(".sm-step-btn").nth(n - 1).dispatch_event("click")
        page.wait_for_timeout(2500)  # the flight to the last stop
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(1500)
        assert frame.locator("body").evaluate("() => window.storymap.step()") == n
        icon = frame.locator(f".sm-stop-icon[title^='Stop {n}:']").first.bounding_box()
        area = frame.locator(".folium-map").first.bounding_box()
        assert icon and area
        cx, cy = icon["x"] + icon["width"] / 2, icon["y"] + icon["height"] / 2
        assert abs(cx - (area["x"] + area["width"] / 2)) < area["width"] / 4, (icon, area)
        assert abs(cy - (area["y"] + area["height"] / 2)) < area["height"] / 3, (icon, area)
    finally:
        context.close()
