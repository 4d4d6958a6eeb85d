"""Benchmark a scripted journalist: from a pasted article to a corrected, published 5-stop story.

Starts ``streamlit run app.py`` on a free port with a library of its own (a temporary
``STORYMAP_DATA_DIR``), opens Debian Chromium through Playwright (every request that leaves
the machine aborted) and does what a journalist does, with no time to think or read:

  open       the app, until its map is painted
  paste      "New story": the article (written here: a minister's five-city tour, with two
             places of her past and a planned return to the capital that the pipeline takes
             for stops, a town in a quote, and one of the five stops in a clause that it
             reads as a mere mention), its publication date, outlet and web address
  build      "Build new story", until the new story's map shows its first stop
  review     "Review", in the table of places: tick every stop that is not one of the five the
             tour made; make a stop of each of the five the pipeline took for a mere mention
             (its role and its date, typed in the table's cells from the keyboard); "Reject
             selected" once (one save, the cells' changes with it); then, if the route's order
             disagrees with its dates, "Order the stops by date"
  author     "Author": a headline, saved
  publish    the standalone HTML page downloaded from the sidebar

and counts what the journalist does: clicks (a button, a link, a checkbox, a table cell, each a
click or an Enter on it), keys (a key that moves in the table or opens or closes a cell's
editor) and fields typed (a paste or a typed value, each one action), and the wall seconds of
each phase (the app's work included, the journalist's reading and thinking excluded). The end
state is checked: the downloaded page, and the story in the library, have exactly the five
intended stops in order, with their dates, and the headline; the script exits with status 1,
saying what is wrong, when they do not.

Usage: STORYMAP_CACHE_DIR=/tmp/smcache .venv/bin/python benchmarks/bench_journalist.py [--runs 3]
       [--shots DIR]   (a screenshot of each phase's end)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from app_server import free_port, start_app, stop_app, wait_healthy  # noqa: E402 - the tests' one way to serve the app

CHROMIUM = "/usr/bin/chromium"  # as the browser tests (tests/conftest.py)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
LOCAL = ("http://localhost", "http://127.0.0.1", "ws://localhost", "ws://127.0.0.1", "data:", "blob:", "about:")
MAP = "iframe[title='Animated story map']"
INNER = "iframe#storymap-frame"

# ---------------------------------------------------------------------------- the article
#: the tour's stops, in order, with the weekday the article gives each and its date
TOUR = [("Leipzig", "Monday", "2025-03-10"), ("Dresden", "Tuesday", "2025-03-11"),
        ("Chemnitz", "Wednesday", "2025-03-12"), ("Erfurt", "Thursday", "2025-03-13"),
        ("Magdeburg", "Friday", "2025-03-14")]
#: the places the article names that are no stop of this tour: her past, a quote, her ministry
ELSEWHERE = ("Rostock", "Hamburg", "Wolfsburg", "Berlin")
PUBLISHED = "2025-03-15"  # the Saturday after the tour
OUTLET = "The Example Courier"
URL = "https://courier.example.com/2025/03/15/weiss-tour-east"
HEADLINE = "Five cities in five days: Weiss takes her energy plan east"


def article() -> str:
    """A made-up news article of a minister's five-city tour (written for this benchmark)."""
    (a, d1, _), (b, d2, _), (c, d3, _), (d, d4, _), (e, d5, _) = TOUR
    rostock, hamburg, wolfsburg, berlin = ELSEWHERE
    return (
        "Minister Weiss takes her energy plan on a five-city tour of the east\n\n"
        f"Economy Minister Clara Weiss arrived in {a} on {d1} at the start of a five-day tour of eastern "
        "Germany, opening a battery research centre and telling workers that the region would not be left "
        "behind.\n\n"
        f"Weiss grew up in {rostock} and studied in {hamburg} before entering politics, and aides said she chose "
        "the east for her first tour since taking office in the spring.\n\n"
        f"On {d2} Weiss travelled to {b}, meeting chipmakers at a plant on the edge of the city. \"What "
        f"happened in {wolfsburg} twenty years ago must not happen here,\" she told reporters after the visit.\n\n"
        f"She arrived in {c} on {d3} for talks with the city's mayor about the new rail link, then drove to "
        f"{d} on {d4}, where she spoke to the state parliament.\n\n"
        f"Weiss ended the tour in {e} on {d5}, visiting a steelworks that is switching to hydrogen. She will "
        f"fly back to {berlin} for a cabinet meeting next week.\n")


def wait_idle(page: Any) -> None:
    """Wait until the app is not running its script (no 'Running...' status widget)."""
    time.sleep(0.3)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)


def map_frame(page: Any) -> Any:
    return page.frame_locator(MAP).frame_locator(INNER)


# ---------------------------------------------------------------------------- the journalist
@dataclass
class Phase:
    name: str
    clicks: int = 0
    keys: int = 0
    fields: int = 0
    seconds: float = 0.0


@dataclass
class Journalist:
    """A page and the count of what is done on it, phase by phase."""

    page: Any
    phases: list[Phase] = field(default_factory=list)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self.phases.append(Phase(name))
        t0 = time.monotonic()
        try:
            yield
        except Exception as exc:  # a step that never came: a timeout, a control not found
            raise SystemExit(f"bench_journalist: the journalist got stuck in the {name} phase: "
                             f"{str(exc).splitlines()[0]}") from exc
        finally:
            self.phases[-1].seconds = time.monotonic() - t0

    def click(self, locator: Any) -> None:
        self.phases[-1].clicks += 1
        locator.click()

    def press(self, name: str) -> None:
        """A button of the main area, from the keyboard (a click can land off a button that
        Streamlit's scrolling main block has moved; the keyboard reaches it as a reader's would)."""
        self.phases[-1].clicks += 1
        self.page.get_by_role("button", name=name, exact=True).focus()
        self.page.keyboard.press("Enter")

    def type(self, locator: Any, text: str) -> None:
        """One field filled: a paste, or a value typed."""
        self.phases[-1].fields += 1
        locator.fill(text)

    def key(self, name: str) -> None:
        """A key pressed: one that moves in the table, opens or closes a cell's editor."""
        self.phases[-1].keys += 1
        self.page.keyboard.press(name)

    def nav(self, name: str) -> None:
        self.click(self.page.get_by_test_id("stSidebarNav").get_by_role("link", name=name))
        wait_idle(self.page)

    def tick(self, grid: Any, row: int) -> None:
        """The checkbox of the table's ``row`` (1: the first after the header), mid-column."""
        self.phases[-1].clicks += 1
        box = grid.bounding_box()
        self.page.mouse.click(box["x"] + 41, box["y"] + ROW * row + ROW / 2)
        wait_idle(self.page)

    def make_stop(self, grid: Any, row: int, date: str) -> None:
        """Make the table's ``row`` a stop on ``date``, from the keyboard: its Place cell chosen,
        then the Role cell's editor (the next column: "stop"), then the Date cell's (three
        columns on from the Place cell)."""
        self.cell(grid, row, 1)
        self.phases[-1].fields += 1
        self.page.keyboard.type("stop")
        self.key("Enter")
        wait_idle(self.page)
        self.cell(grid, row, 3)
        self.type(self.page.get_by_test_id("date-picker-cell"), date)
        self.key("Enter")
        wait_idle(self.page)

    def cell(self, grid: Any, row: int, right: int) -> None:
        """Open the editor of the cell ``right`` columns after the Place cell of ``row``: the
        Place cell clicked, the arrow key, Enter (again, once, if a rerun took the focus)."""
        box = grid.bounding_box()
        for _ in range(2):
            self.phases[-1].clicks += 1
            self.page.mouse.click(box["x"] + 110, box["y"] + ROW * row + ROW / 2)  # the Place cell
            for _ in range(right):
                self.key("ArrowRight")
            self.key("Enter")
            try:
                self.page.locator("#portal .gdg-clip-region").first.wait_for(timeout=5_000)
                return
            except Exception:  # noqa: BLE001 - a rerun redrew the table meanwhile
                wait_idle(self.page)
        raise SystemExit(f"bench_journalist: the editor of row {row}'s cell did not open")


ROW = 35  # the height of the review table's header and of each row, Streamlit's default


def table_rows(grid: Any) -> list[list[str]]:
    """The texts of the review table's cells, row by row (the grid's accessible copy)."""
    return [row.locator("[role=gridcell]").all_inner_texts() for row in grid.locator("[role=row]").all()[1:]]


def run_once(browser: Any, shots: Path | None) -> tuple[list[Phase], str]:
    """One journalist's session against a fresh app and library; the phases and the page's file name."""
    data_dir = tempfile.mkdtemp(prefix="storymap-bench-journalist-")
    os.environ["STORYMAP_DATA_DIR"] = data_dir  # this process reads the same library at the end
    port = free_port()
    proc = start_app(port, {"STORYMAP_DATA_DIR": data_dir, "STORYMAP_DATABASE_URL": ""})
    url = f"http://127.0.0.1:{port}"
    context = None
    try:
        wait_healthy(url, proc)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        outside: list[str] = []
        errors: list[str] = []

        def route(r: Any) -> None:
            if r.request.url.startswith(LOCAL):
                r.continue_()
            else:
                outside.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        j = Journalist(page)

        def shot(name: str) -> None:
            if shots is not None:
                page.screenshot(path=str(shots / f"journalist-{name}.png"), full_page=True)

        with j.phase("open"):
            page.goto(url)
            map_frame(page).locator(".sm-stop-icon").first.wait_for(state="attached", timeout=120_000)
            wait_idle(page)
        shot("open")
        with j.phase("paste"):
            j.nav("New story")
            j.type(page.get_by_label("…or paste an article"), article())
            j.type(page.get_by_label("Publication date"), PUBLISHED)
            j.type(page.get_by_label("Outlet"), OUTLET)
            j.type(page.get_by_label("Web address"), URL)
            wait_idle(page)
        shot("paste")
        with j.phase("build"):
            j.click(page.get_by_role("button", name="Build new story"))
            page.get_by_text("Built in this session").wait_for(timeout=180_000)
            map_frame(page).locator(".sm-step-name", has_text=TOUR[0][0]).first.wait_for(timeout=120_000)
            page.wait_for_function("() => new URL(location.href).searchParams.get('story')", timeout=60_000)
            wait_idle(page)
        shot("build")
        intended = [name for name, _, _ in TOUR]
        with j.phase("review"):
            j.nav("Review")
            grid = page.get_by_test_id("stDataFrame").first
            grid.wait_for(timeout=60_000)
            grid.scroll_into_view_if_needed()
            wait_idle(page)
            rows = table_rows(grid)  # what the journalist reads: ✓, Place, Role, Stop, Date, ...
            names = [cells[1] for cells in rows]
            absent = [name for name in intended if name not in names]
            if absent:
                raise SystemExit(f"bench_journalist: the pipeline found no place {absent} at all (the table lists "
                                 f"{names}); this journalist only rejects stops and makes stops of mentions")
            wrong = [n for n, cells in enumerate(rows, 1) if cells[2] == "stop" and cells[1] not in intended]
            missed = [(n, date) for n, cells in enumerate(rows, 1) for name, _, date in TOUR
                      if cells[1] == name and cells[2] != "stop"]
            for n in wrong:
                j.tick(grid, n)
            for n, date in missed:
                j.make_stop(grid, n, date)
            if wrong or missed:
                label = f"Reject selected ({len(wrong)})" if wrong else \
                    f"Save the table ({len(missed)} change{'s' if len(missed) > 1 else ''})"
                page.get_by_role("button", name=label).wait_for(timeout=60_000)
                j.press(label)  # one save: the rejects and the cells' changes
                page.get_by_role("button", name="Save the table (0 changes)").wait_for(timeout=120_000)  # a new table
                wait_idle(page)
            if page.get_by_role("button", name="Order the stops by date").count():
                j.press("Order the stops by date")
                page.get_by_role("button", name="Order the stops by date").wait_for(state="detached", timeout=120_000)
            wait_idle(page)
        shot("review")
        with j.phase("author"):
            j.nav("Author")
            form = page.get_by_test_id("stForm").filter(has_text="Headline")
            j.type(form.get_by_role("textbox", name="Headline"), HEADLINE)
            j.phases[-1].clicks += 1
            form.get_by_role("button", name="Save the text").focus()
            page.keyboard.press("Enter")
            page.locator("h1", has_text=HEADLINE).first.wait_for(timeout=60_000)
            wait_idle(page)
        shot("author")
        download = Path(data_dir) / "published"
        with j.phase("publish"):
            with page.expect_download(timeout=120_000) as info:
                j.click(page.get_by_test_id("stSidebar").get_by_role("button", name="Standalone HTML map"))
            info.value.save_as(download)
        name = info.value.suggested_filename
        story_id = page.evaluate("() => new URL(location.href).searchParams.get('story')")
        problems = check_end(download.read_text(encoding="utf-8"), story_id)
        problems += [f"a request left the machine: {u}" for u in outside[:3]]
        problems += [f"the page raised: {e}" for e in errors[:3]]
        if problems:
            if shots is not None:
                shot("failed")
            raise SystemExit("bench_journalist: the published story is wrong:\n  " + "\n  ".join(problems))
        return j.phases, name
    finally:
        if context is not None:
            context.close()
        stop_app(proc)
        shutil.rmtree(data_dir, ignore_errors=True)


def check_end(html: str, story_id: str | None) -> list[str]:
    """What is wrong with the published page and the library's story (nothing: [])."""
    from storymap.library import Library, shown

    intended = [(name, date) for name, _, date in TOUR]
    problems = []
    found = re.search(r'<script type="application/json" id="storymap-data">(.*?)</script>', html, re.S)
    if found is None:
        return ["the downloaded page carries no story data"]
    data = json.loads(found.group(1))
    stops = [(s["name"], s["date"]) for s in data["stops"]]
    if stops != intended:
        problems.append(f"the page's stops are {stops}, not {intended}")
    if data.get("title") != HEADLINE:
        problems.append(f"the page's title is {data.get('title')!r}, not the headline")
    if not story_id:
        return problems + ["the app's address names no story of the library"]
    story = shown(Library().get(story_id))
    kept = [(str(p.name), p.date) for p in story.route_visits()]
    if kept != intended:
        problems.append(f"the library's story has the stops {kept}, not {intended}")
    if story.meta.headline != HEADLINE:
        problems.append(f"the library's story has the headline {story.meta.headline!r}")
    return problems


def actions(p: Phase) -> int:
    return p.clicks + p.keys + p.fields


def table(phases: list[Phase]) -> str:
    lines = [f"{'phase':<9} {'actions':>7} {'clicks':>6} {'keys':>4} {'fields':>6} {'seconds':>8}"]
    total = Phase("total", sum(p.clicks for p in phases), sum(p.keys for p in phases), sum(p.fields for p in phases),
                  sum(p.seconds for p in phases))
    for p in [*phases, total]:
        lines.append(f"{p.name:<9} {actions(p):>7} {p.clicks:>6} {p.keys:>4} {p.fields:>6} {p.seconds:>8.1f}")
    work = [p for p in phases if p.name != "open"]
    lines.append(f"paste to published: {sum(actions(p) for p in work)} actions, {sum(p.seconds for p in work):.1f} s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--shots", type=Path, default=None, help="a folder for a screenshot of each phase's end")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        raise SystemExit(f"bench_journalist: {CHROMIUM} not found: install it with 'apt-get install -y chromium'")
    if args.shots is not None:
        args.shots.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    totals = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for run in range(1, args.runs + 1):
                phases, name = run_once(browser, args.shots)
                print(f"run {run}: published {name!r}, {len(TOUR)} stops in order")
                print(table(phases), flush=True)
                totals.append(sum(p.seconds for p in phases if p.name != "open"))
        finally:
            browser.close()
    if len(totals) > 1:
        print(f"paste_to_published_s median={statistics.median(totals):.1f} "
              f"runs={[round(t, 1) for t in totals]}")


if __name__ == "__main__":
    main()
