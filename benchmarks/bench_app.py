"""Benchmark the app as a reader meets it (Debian Chromium via Playwright, network blocked).

Prints one line per measure:
  start_to_map_s  seconds from launching ``streamlit run app.py`` to the map painted
                  (stop markers in the map frame) in a fresh browser page; target < 5 s
  step_s          seconds from a "next stop" click to the new step shown in the panel
                  (median of clicks, measured inside the page); target < 0.5 s

Usage: STORYMAP_CACHE_DIR=/tmp/smcache .venv/bin/python benchmarks/bench_app.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from test_app_browser import LOCAL, MAP, free_port, start_app, stop_app, wait_healthy  # noqa: E402

STEP_JS = """
async () => {
  const frame = document.querySelector("iframe[title='Animated story map']").contentWindow;
  const doc = frame.document;
  const times = [];
  for (let i = 0; i < 3; i++) {
    frame.storymap.goTo(i === 0 ? 0 : i, {});
    await new Promise(r => setTimeout(r, 200));
    const before = frame.storymap.step();
    const t0 = performance.now();
    doc.querySelector(".sm-next").click();
    await new Promise(resolve => {
      const check = () => {
        const c = doc.querySelector(".sm-counter").textContent;
        if (c === "Stop " + (before + 1) + " of 3") { resolve(); } else { requestAnimationFrame(check); }
      };
      check();
    });
    await new Promise(r => requestAnimationFrame(() => r()));
    times.push((performance.now() - t0) / 1000);
  }
  return times;
}
"""


def run_once(browser) -> tuple[float, list[float]]:  # noqa: ANN001
    port = free_port()
    t0 = time.monotonic()
    proc = start_app(port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL) else r.abort())
        page.goto(url)
        page.frame_locator(MAP).locator(".sm-stop-icon").first.wait_for(state="visible", timeout=60_000)
        painted = time.monotonic() - t0
        steps = page.evaluate(STEP_JS)
        context.close()
        return painted, steps
    finally:
        stop_app(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        starts, steps = [], []
        for _ in range(args.runs):
            painted, step_times = run_once(browser)
            starts.append(painted)
            steps += step_times
        browser.close()
    print(f"start_to_map_s median={statistics.median(starts):.2f} runs={[round(s, 2) for s in starts]} (target < 5)")
    print(f"step_s median={statistics.median(steps):.3f} max={max(steps):.3f} n={len(steps)} (target < 0.5)")


if __name__ == "__main__":
    main()
