"""Benchmark the reader's map: page size, time to first paint from disk, and the video.

Run:  .venv/bin/python benchmarks/bench_map.py [STORY.geojson] [--no-video]
The story defaults to ``data/places.geojson`` (the seeds' story). Prints the exported page's
size (target: under 1 MB for the seeds' story), the time from opening the file in headless
Chromium to its first contentful paint and to the story controls being ready (median of
five), and the time to record the route as a 1280x720 MP4 (target: under 30 s here).
Asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from storymap.export import export_story
from storymap.storyfile import load_story
from storymap.video import chromium_path, export_video

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("story", nargs="?", default=str(ROOT / "data" / "places.geojson"))
    parser.add_argument("--no-video", action="store_true", help="skip the video")
    args = parser.parse_args(argv)
    story = load_story(args.story)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        page_path = export_story(story, Path(tmp) / "story.html")
        print(f"page: {page_path.stat().st_size / 1024:.0f} KiB, exported in {time.perf_counter() - start:.2f} s")
        paints, ready = [], []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
            for _ in range(5):
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
                start = time.perf_counter()
                page.goto(page_path.as_uri())
                page.wait_for_function("() => window.storymap && document.querySelector('.sm-name')")
                ready.append(time.perf_counter() - start)
                page.wait_for_timeout(200)
                paint = page.evaluate("() => (performance.getEntriesByType('paint')"
                                      ".find(e => e.name === 'first-contentful-paint') || {}).startTime")
                if paint is not None:
                    paints.append(paint / 1000)
                page.close()
            browser.close()
        first = f"{statistics.median(paints):.2f} s" if paints else "not reported by the browser"
        print(f"first contentful paint: {first}; "
              f"controls and place names ready: {statistics.median(ready):.2f} s (median of 5)")
        if not args.no_video:
            start = time.perf_counter()
            info = export_video(story, Path(tmp) / "route.mp4")
            size = info.path.stat().st_size
            print(f"video: {info.width}x{info.height}, {info.seconds:.1f} s, {info.frames} frames, "
                  f"{size / 1e6:.1f} MB, recorded in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
