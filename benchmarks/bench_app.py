"""Benchmark the app as a reader meets it (Debian Chromium via Playwright, network blocked).

Prints one line per measure:
  start_to_map_s  seconds from launching ``streamlit run app.py`` to the map painted
                  (stop markers in the map frame) in a fresh browser page; target < 5 s
  step_s          seconds from a "next stop" click to the new step shown in the panel
                  (median of clicks, measured inside the page); target < 0.5 s

With --sessions N, instead: N reader sessions (--concurrency at a time) against one
running server, each opening the app, uploading its own article and clicking "Build new
story" once, straight after choosing the file:
  first_click     sessions whose single click built the story (target: all), and the
                  seconds from that click to the new story's map
  rss_mb          the server's resident memory after one warm-up session (before), after
                  the N sessions, and after --settle seconds more

With --images N, instead: N app sessions (AppTest, in one process, as the server runs
them) each uploading, at the same time, the largest image a stop may have, of each kind: a
PNG of MAX_IMAGE_PIXELS (16 megapixels), a JPEG of MAX_JPEG_PIXELS (50 megapixels), both
under the 2 MB upload limit, and the 13000x13000 PNG of issue 22 (refused from its header):
  image_sessions  the process's resident memory after one warm-up session (before), its
                  peak while the N sessions upload, and the peak's growth per session

Usage: STORYMAP_CACHE_DIR=/tmp/smcache .venv/bin/python benchmarks/bench_app.py [--runs 3]
       STORYMAP_CACHE_DIR=/tmp/smcache .venv/bin/python benchmarks/bench_app.py --sessions 20 --concurrency 3
       .venv/bin/python benchmarks/bench_app.py --images 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from test_app_browser import INNER, LOCAL, MAP, free_port, start_app, stop_app, wait_healthy  # noqa: E402

STEP_JS = """
async () => {
  const frame = window;  // run inside the map's own (sandboxed) frame
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
        page.frame_locator(MAP).frame_locator(INNER).locator(".sm-stop-icon").first.wait_for(
            state="visible", timeout=60_000)
        painted = time.monotonic() - t0
        inner = next(f for f in page.frames if f.parent_frame is not None and f.parent_frame.parent_frame is not None)
        steps = inner.evaluate(STEP_JS)
        context.close()
        return painted, steps
    finally:
        stop_app(proc)


# --------------------------------------------------------------------------- many sessions
CITIES = ["Khabarovsk", "Vladivostok", "Irkutsk", "Novosibirsk", "Omsk", "Tomsk", "Yakutsk", "Chita", "Kazan",
          "Samara", "Murmansk", "Magadan"]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) / 1024 for line in fh if line.startswith("VmRSS"))


def article(i: int) -> str:
    """A short article of our own, different for each session (so each builds its own story)."""
    a, b = CITIES[i % len(CITIES)], CITIES[(i * 5 + 1) % len(CITIES)]
    return (f"Envoy tour, day {i}\n\nThe trade envoy Maria Lindqvist arrived in {a} on Monday, "
            f"September 11, 2023, after visiting {b}, officials said. She later travelled to Moscow.\n")


async def one_session(browser, url: str, i: int, folder: Path) -> tuple[bool, float]:  # noqa: ANN001
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    await context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL) else r.abort())
    page = await context.new_page()
    try:
        await page.goto(url)
        await page.frame_locator(MAP).frame_locator(INNER).locator(".sm-stop-icon").first.wait_for(
            state="attached", timeout=120_000)
        file = folder / f"envoy-{i}.txt"
        file.write_text(article(i), encoding="utf-8")
        await page.get_by_test_id("stSidebarNav").get_by_role("link", name="New story").click()
        await page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(file))
        await page.get_by_text(file.name).first.wait_for(timeout=120_000)  # what a reader sees before clicking
        t0 = time.monotonic()
        await page.get_by_role("button", name="Build new story").click()  # once, without waiting
        try:  # the click was taken when the session shows its own story
            await page.get_by_text("Built in this session").wait_for(timeout=240_000)
        except Exception:  # noqa: BLE001 - a lost click, or an error shown instead of a story
            shown = await page.locator("[data-testid=stAlert], [data-testid=stException]").all_inner_texts()
            print(f"session {i}: not built; the page shows {[t[:200] for t in shown]}", file=sys.stderr)
            return False, float("nan")
        await page.frame_locator(MAP).frame_locator(INNER).locator(
            ".sm-step-name", has_text=re.compile(CITIES[i % len(CITIES)])).first.wait_for(timeout=240_000)
        return True, time.monotonic() - t0
    finally:
        await context.close()


async def many_sessions(n: int, concurrency: int, settle: float) -> None:
    from playwright.async_api import async_playwright

    port = free_port()
    proc = start_app(port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            with tempfile.TemporaryDirectory(prefix="storymap-bench-") as tmp:
                await one_session(browser, url, 10_000, Path(tmp))  # warm-up: gazetteer, NER model, base map
                before = rss_mb(proc.pid)
                gate = asyncio.Semaphore(concurrency)

                async def gated(i: int) -> tuple[bool, float]:
                    async with gate:
                        return await one_session(browser, url, i, Path(tmp))

                t0 = time.monotonic()
                results = await asyncio.gather(*(gated(i) for i in range(n)))
                elapsed = time.monotonic() - t0
            after = rss_mb(proc.pid)
            await browser.close()
        await asyncio.sleep(settle)
        settled = rss_mb(proc.pid)
    finally:
        stop_app(proc)
    built = [t for ok, t in results if ok]
    print(f"first_click built={len(built)}/{n} concurrency={concurrency} elapsed_s={elapsed:.0f} "
          f"click_to_new_map_s median={statistics.median(built) if built else float('nan'):.1f}")
    print(f"rss_mb before={before:.0f} after={after:.0f} (+{after - before:.0f}, "
          f"{(after - before) / max(n, 1):.1f} per session) after_settle_{settle:.0f}s={settled:.0f}")


# --------------------------------------------------------------------------- image uploads
ROOT = Path(__file__).resolve().parent.parent


def _png(width: int, height: int) -> bytes:
    """A real PNG of ``width`` x ``height`` (a gradient down the image), made a row at a time."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pack = zlib.compressobj(9)
    body = []
    for y in range(height):
        shade = bytes((y * 255 // max(height - 1, 1), 90, 160)) * width
        body.append(pack.compress(b"\x00" + shade))
    body.append(pack.flush())
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", b"".join(body)) + chunk(b"IEND", b""))


def _jpeg(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=60)
    return out.getvalue()


def _largest_images(folder: Path) -> dict[str, Path]:
    """The images to upload, made here (their making takes memory the measure must not count)."""
    from storymap.library import MAX_IMAGE_PIXELS, MAX_JPEG_PIXELS

    side = int(MAX_IMAGE_PIXELS ** 0.5)
    jw = int((MAX_JPEG_PIXELS * 4 / 3) ** 0.5)
    made = {"png-largest": ("png", _png(side, MAX_IMAGE_PIXELS // side)),
            "jpeg-largest": ("jpg", _jpeg(jw, MAX_JPEG_PIXELS // jw)),
            "png-13000x13000": ("png", _png(13000, 13000))}
    paths = {}
    for kind, (ext, data) in made.items():
        paths[kind] = folder / f"{kind}.{ext}"
        paths[kind].write_bytes(data)
    return paths


def _upload_session(story_id: str, image: Path):  # noqa: ANN202 - AppTest
    """One reader: opens the story, uploads ``image`` for its first stop and saves."""
    from streamlit.testing.v1 import AppTest

    from storymap.library import Library
    from storymap.storyfile import stops

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.query_params["story"] = story_id
    at.run()
    at.switch_page("app_pages/author.py").run()
    place = str(stops(Library().get(story_id).story)[0]["id"])
    at.selectbox(key="author_place").set_value(place).run()
    mime = "image/png" if image.suffix == ".png" else "image/jpeg"
    at.file_uploader(key=f"stop_image_{place}").set_value((image.name, image.read_bytes(), mime))
    at.button(key=f"FormSubmitter:form_stop_text_{place}-Save the text").click().run()
    return at


def measure_uploads(n: int, image: Path, mode: str) -> None:
    """Run in a process of its own (the peak is the process's): ``n`` sessions uploading ``image``.

    ``sessions``: n AppTest sessions one after another, all kept open (AppTest runs one script at
    a time in a process); ``at-once``: the part of n simultaneous uploads that costs memory, the
    app's ``image_media`` on the file, in n threads at once, as the server runs sessions.
    """
    import resource
    from concurrent.futures import ThreadPoolExecutor

    from storymap.library import Library, LibraryError, image_media
    from storymap.storyfile import load_story

    story = load_story(ROOT / "tests" / "fixtures" / "story.geojson")
    ids = [Library().add(story, note="bench").id for _ in range(n + 1)]
    small = image.parent / f"small-{os.getpid()}.png"
    small.write_bytes(_png(64, 48))
    kept = [_upload_session(ids[0], small)]  # the app, its caches and PIL loaded
    before = rss_mb(os.getpid())
    data = image.read_bytes()
    if mode == "sessions":
        kept += [_upload_session(i, image) for i in ids[1:]]
        errors = {e.value[:100] for at in kept for e in at.error}
        done = sum(1 for i in ids[1:] if Library().get(i).author.get("stops"))
    else:
        def upload(_: int) -> str:
            try:
                return image_media(data)["src"][:5]
            except LibraryError as exc:
                return str(exc)[:100]

        with ThreadPoolExecutor(max_workers=n) as pool:
            results = list(pool.map(upload, range(n)))
        errors = {r for r in results if r != "data:"}
        done = results.count("data:")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    label = "image_sessions" if mode == "sessions" else "image_at_once"
    print(f"{label} {image.stem} file_kb={image.stat().st_size // 1000} n={n} kept={done} "
          f"rss_mb before={before:.0f} peak={peak:.0f} (+{peak - before:.0f}, {(peak - before) / n:.1f} per upload)"
          + (f" message={sorted(errors)}" if errors else ""), flush=True)


def image_uploads(n: int) -> None:
    import subprocess

    with tempfile.TemporaryDirectory(prefix="storymap-bench-") as tmp:
        env = {**os.environ, "STORYMAP_DATA_DIR": tmp}  # a library of its own
        for path in _largest_images(Path(tmp)).values():
            for mode in ("sessions", "at-once"):
                subprocess.run([sys.executable, __file__, "--measure-uploads", str(path), "--images", str(n),
                                "--mode", mode], env=env, check=True, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=0, help="load mode: this many reader sessions")
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--settle", type=float, default=10.0, help="seconds to wait before the last RSS reading")
    parser.add_argument("--images", type=int, default=0, help="image mode: this many sessions uploading at once")
    parser.add_argument("--measure-uploads", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=["sessions", "at-once"], default="sessions", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_uploads:
        measure_uploads(args.images, args.measure_uploads, args.mode)
        return
    if args.images:
        image_uploads(args.images)
        return
    if args.sessions:
        asyncio.run(many_sessions(args.sessions, args.concurrency, args.settle))
        return
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
