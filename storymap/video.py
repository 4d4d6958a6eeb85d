"""A video of a story's route: the exported page played in headless Chromium, frame by frame.

The page is the one :func:`storymap.render.story_html` writes, in its presentation mode
(``#present``: no controls; a title card, then each stop's name, date and a short excerpt beside
the map, then the whole route), in the story's house style. Time in the page is virtual: a
script loaded before the page's own replaces its clock, timers and animation frames, and
the recorder advances that clock one frame at a time and takes a screenshot after each
step. The video therefore has every frame however slow the machine, and the same story
gives the same frames. While nothing moves (a stop held, the title card) the clock jumps to
the next change in one step and the last picture is repeated, without asking the browser.
Progress goes to a callback, ``progress(message, frames_done, frames_total)``. The frames go to the ffmpeg that the ``imageio-ffmpeg`` package
ships, which encodes MP4 (H.264), WebM (VP9) or an animated GIF.

Nothing is fetched: the page is written to a temporary folder and any outside request
(online tiles, if asked for) is refused, so the offline base map is what shows.
"""

from __future__ import annotations

import base64
import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storymap.errors import StorymapError
from storymap.files import atomic_path
from storymap.render import story_html
from storymap.storyfile import Story, StoryData

#: frame sizes: a landscape video, and a square one for social media
SIZES = {"landscape": (1280, 720), "square": (1080, 1080)}
FPS = 25
#: how long the cover shows before play, each stop once reached, and the closing view (ms)
COVER_MS, DWELL_MS, CLOSING_MS = 3000, 3200, 3500
#: a story never plays longer than this (a guard against a page that never ends)
MAX_MS = 15 * 60 * 1000
GIF_FPS, GIF_WIDTH = 12, 640
#: after a change, this many more pictures are taken before a still page's last one is reused
STILL_SHOTS = 2
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")

#: what a video calls as it records: a message ("Stop 2 of 5: Vladivostok"), frames done, frames in all
Progress = Callable[[str, int, int], None]

#: Loaded before the page's scripts: a virtual clock the recorder advances (``__smClock``).
#: Date, performance.now, timers and animation frames all read it, so Leaflet's flights and
#: the route's drawing move exactly one frame per step. CSS transitions are turned off (Leaflet
#: then finishes a zoom on its own timer, which is virtual too).
VIRTUAL_TIME = r"""
(function () {
  var now = 0, seq = 0, timers = [], frames = [];
  var epoch = 1700000000000, RealDate = Date;
  function FakeDate() {
    if (!(this instanceof FakeDate)) { return new RealDate(epoch + now).toString(); }
    var args = Array.prototype.slice.call(arguments);
    return args.length ? new (Function.prototype.bind.apply(RealDate, [null].concat(args)))()
                       : new RealDate(epoch + now);
  }
  FakeDate.prototype = RealDate.prototype;
  FakeDate.now = function () { return epoch + now; };
  FakeDate.UTC = RealDate.UTC;
  FakeDate.parse = RealDate.parse;
  window.Date = FakeDate;
  performance.now = function () { return now; };
  window.setTimeout = function (fn, ms) {
    var args = Array.prototype.slice.call(arguments, 2);
    timers.push({ id: ++seq, at: now + Math.max(0, Number(ms) || 0), fn: fn, args: args });
    return seq;
  };
  window.clearTimeout = function (id) { timers = timers.filter(function (t) { return t.id !== id; }); };
  window.requestAnimationFrame = function (fn) { frames.push({ id: ++seq, fn: fn }); return seq; };
  window.cancelAnimationFrame = function (id) { frames = frames.filter(function (f) { return f.id !== id; }); };
  window.__smClock = {
    /* advance by ms; [callbacks run, ms until the next timer when no frame is pending (-1: none
       pending at all), the page's step, whether play has ended] */
    advance: function (ms) {
      var end = now + ms, ran = 0;
      for (;;) {
        timers.sort(function (a, b) { return a.at - b.at || a.id - b.id; });
        var t = timers[0];
        if (!t || t.at > end) { break; }
        timers.shift();
        now = t.at;
        if (typeof t.fn === "function") { t.fn.apply(null, t.args); ran += 1; }
      }
      now = end;
      var due = frames;
      frames = [];
      due.forEach(function (f) { f.fn(now); ran += 1; });
      var idle = frames.length ? 0 : -1;
      if (!frames.length && timers.length) {
        idle = Math.min.apply(null, timers.map(function (t) { return t.at; })) - now;
      }
      return [ran, idle, window.__smStep, window.__smEnded !== undefined];
    }
  };
  window.__smStep = 0;
  window.addEventListener("storymap:step", function (e) { window.__smStep = e.detail.step; });
  window.__smArrived = [];
  window.addEventListener("storymap:arrive", function (e) { window.__smArrived.push([e.detail.step, now]); });
  window.addEventListener("storymap:end", function () { window.__smEnded = now; });
  var style = document.createElement("style");
  style.textContent = "*, *::before, *::after { transition: none !important; animation: none !important; }";
  document.addEventListener("DOMContentLoaded", function () { document.head.appendChild(style); });
})();
"""


class VideoError(StorymapError):
    """The video cannot be made: no Chromium, no ffmpeg, or the recording failed."""


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What was written: the file, its frame size, frame count and duration."""

    path: Path
    width: int
    height: int
    frames: int
    seconds: float
    #: for each stop, a frame (0-based, at the video's own rate) from the middle of its hold
    stop_frames: tuple[int, ...] = ()


def chromium_path() -> str:
    """The installed Chromium (``$STORYMAP_CHROMIUM`` or one on the PATH), or :class:`VideoError`."""
    explicit = os.environ.get("STORYMAP_CHROMIUM")
    if explicit:
        if not Path(explicit).is_file():
            raise VideoError(f"STORYMAP_CHROMIUM is {explicit}, which is not a file")
        return explicit
    for name in CHROMIUM:
        found = shutil.which(name)
        if found:
            return found
    raise VideoError("a video needs Chromium: install it (Debian: apt-get install chromium) "
                     "or set STORYMAP_CHROMIUM to its path")


def _ffmpeg() -> str:
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - a dependency
        raise VideoError("a video needs the 'imageio-ffmpeg' package (pip install imageio-ffmpeg)") from exc
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:
        raise VideoError(f"ffmpeg cannot be found: {exc}") from exc


def _encoder(suffix: str, out: Path, fps: int, width: int) -> list[str]:
    """ffmpeg's arguments: JPEG frames on standard input to ``out`` in the format of ``suffix``."""
    source = ["-hide_banner", "-loglevel", "error", "-y", "-f", "image2pipe", "-framerate", str(fps),
              "-c:v", "mjpeg", "-i", "-"]
    exact = ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact"]
    if suffix == ".mp4":
        codec = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
                 "-movflags", "+faststart"]
    elif suffix == ".webm":
        codec = ["-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "34", "-deadline", "realtime", "-cpu-used", "8",
                 "-row-mt", "1", "-pix_fmt", "yuv420p"]
    else:  # .gif: fewer frames, smaller, one palette made for this video
        side = min(width, GIF_WIDTH)
        codec = ["-vf", f"fps={GIF_FPS},scale={side}:-1:flags=lanczos,split[a][b];[a]palettegen=stats_mode=diff[p];"
                        "[b][p]paletteuse=dither=bayer:bayer_scale=4", "-loop", "0"]
    return [*source, *codec, *exact, "-f", {".mp4": "mp4", ".webm": "webm", ".gif": "gif"}[suffix], str(out)]


VIDEO_SUFFIXES = (".mp4", ".webm", ".gif")


def export_video(story: Story | StoryData, out: str | os.PathLike[str], *, size: str = "landscape",
                 fmt: str | None = None, fps: int = FPS, progress: Progress | None = None) -> VideoInfo:
    """Record the story's route as a video: MP4, WebM or an animated GIF.

    Parameters
    ----------
    story
        A story, or its parsed file; shown in its house style (``storymap.style``, ``accent``).
    out
        The video file; written under a temporary name and renamed when complete.
    size
        ``"landscape"`` (1280x720) or ``"square"`` (1080x1080).
    fmt
        ``"mp4"``, ``"webm"`` or ``"gif"``; None to use ``out``'s extension.
    fps
        Frames per second (a GIF keeps :data:`GIF_FPS` of them).
    progress
        Called as the video is recorded: ``progress(message, frames_done, frames_total)``, the
        message naming the part recorded ("Title card", "Stop 2 of 5: Vladivostok", "The whole
        route"), the total estimated from the story before recording (the last call has
        ``frames_done == frames_total``).

    Returns
    -------
    VideoInfo

    Raises
    ------
    VideoError
        Without Chromium or ffmpeg, for an unknown size or extension, or when recording fails.
    """
    out = Path(out)
    suffix = f".{fmt}" if fmt else out.suffix.lower()
    if suffix not in VIDEO_SUFFIXES:
        raise VideoError(f"{out}: a video is .mp4, .webm or .gif, not '{suffix or '(none)'}'")
    if size not in SIZES:
        raise VideoError(f"unknown video size '{size}' (choose {' or '.join(SIZES)})")
    width, height = SIZES[size]
    browser_exe, ffmpeg = chromium_path(), _ffmpeg()
    page_html = story_html(story)
    report = progress or (lambda message, done, total: None)
    with tempfile.TemporaryDirectory(prefix="storymap-video-") as tmp:
        page_file = Path(tmp) / "story.html"
        page_file.write_text(page_html, encoding="utf-8")
        with atomic_path(out) as part:
            # in a thread of its own: Playwright's synchronous API refuses a thread that
            # already runs an event loop (a notebook, a server, another Playwright session)
            with ThreadPoolExecutor(max_workers=1) as pool:
                frames, held = pool.submit(_record, page_file, Path(part), browser_exe, ffmpeg, suffix,
                                           width, height, fps, report).result()
    rate = GIF_FPS if suffix == ".gif" else fps
    return VideoInfo(out, *(_gif_size(width, height) if suffix == ".gif" else (width, height)),
                     frames=frames if suffix != ".gif" else round(frames * GIF_FPS / fps),
                     seconds=round(frames / fps, 2),
                     stop_frames=tuple(int(ms / 1000 * rate) for ms in held))


def _gif_size(width: int, height: int) -> tuple[int, int]:
    side = min(width, GIF_WIDTH)
    return side, round(height * side / width / 2) * 2


def _record(page_file: Path, out: Path, browser_exe: str, ffmpeg: str, suffix: str,
            width: int, height: int, fps: int, report: Progress) -> tuple[int, list[float]]:
    """Play the page's presentation mode on virtual time and pipe one screenshot per frame to
    ffmpeg; the frame count, and the time (ms of video) in the middle of each stop's hold."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - a dependency
        raise VideoError("a video needs the 'playwright' package (pip install playwright)") from exc
    step = 1000.0 / fps
    encoder = subprocess.Popen([ffmpeg, *_encoder(suffix, out, fps, width)], stdin=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    count = 0
    report("Starting Chromium", 0, 1)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=browser_exe, args=["--no-sandbox", "--disable-gpu"])
            try:
                page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                           else r.abort())
                page.add_init_script(VIRTUAL_TIME)
                page.goto(page_file.as_uri() + "#present")
                page.wait_for_function("() => window.storymap && window.__smClock")
                names = [s["name"] for s in page.evaluate("() => window.storymap.stops()")]
                play_ms = page.evaluate(f"() => window.storymap.playTime({DWELL_MS})")
                total = math.ceil((COVER_MS + play_ms + CLOSING_MS) / step)

                cdp = page.context.new_cdp_session(page)
                last = b""
                still = 0
                state: dict[str, Any] = {"step": 0, "ended": False, "idle": -1.0}

                def write(times: int) -> None:
                    nonlocal count
                    assert encoder.stdin is not None
                    for _ in range(times):
                        encoder.stdin.write(last)
                    count += times
                    at = state["step"]
                    message = ("The whole route" if state["ended"] else f"Stop {at} of {len(names)}: {names[at - 1]}"
                               if at else "Title card")
                    report(message, min(count, total - 1), total)

                def frame() -> float:
                    # nothing ran on this step: the page has not changed, so the last picture
                    # stands (taken twice after each change, to let the browser finish painting it)
                    nonlocal last, still
                    ran, state["idle"], state["step"], state["ended"] = page.evaluate(
                        f"() => window.__smClock.advance({step})")
                    still = still + 1 if ran == 0 else 0
                    if still <= STILL_SHOTS or not last:
                        shot = cdp.send("Page.captureScreenshot", {"format": "jpeg", "quality": 90,
                                                                   "optimizeForSpeed": True})
                        last = base64.b64decode(shot["data"])
                    write(1)
                    return step

                def hold(elapsed: float, until: float) -> float:
                    # a still page with no timer due before ``until`` (ms of video): the clock
                    # jumps there at once and the last picture fills the frames in between
                    idle = state["idle"]
                    if still < STILL_SHOTS or not last or idle == 0:
                        return 0.0
                    reach = until - elapsed if idle < 0 else min(idle, until - elapsed)
                    frames = math.floor((reach - 0.001) / step)
                    if frames < 1:
                        return 0.0
                    page.evaluate(f"() => window.__smClock.advance({frames * step})")
                    if idle > 0:
                        state["idle"] = idle - frames * step
                    write(frames)
                    return frames * step

                def tick(elapsed: float, until: float) -> float:
                    return hold(elapsed, until) or frame()

                elapsed = 0.0
                while elapsed < COVER_MS:  # the title card over the whole route
                    elapsed += tick(elapsed, COVER_MS)
                # a story of mentions alone has no route to play: the title card is the video
                if names:
                    page.evaluate(f"() => window.storymap.play({{dwell: {DWELL_MS}}})")
                    state["idle"] = 0  # play has begun: the next step runs it
                ended = None if names else elapsed
                while elapsed < MAX_MS:
                    elapsed += tick(elapsed, MAX_MS if ended is None else ended + CLOSING_MS)
                    if ended is None and state["ended"]:
                        ended = elapsed
                    if ended is not None and elapsed - ended >= CLOSING_MS:
                        break
                # the page's clock is the video's: frame i shows time (i + 1) * step
                held: dict[int, float] = {}
                for stop, at in page.evaluate("() => window.__smArrived"):
                    if stop >= 1 and stop not in held:
                        held[stop] = at + DWELL_MS / 2
            finally:
                browser.close()
    except (PlaywrightError, BrokenPipeError, OSError) as exc:
        encoder.kill()
        encoder.wait()
        raise VideoError(f"recording the video failed: {exc}") from exc
    report("Encoding", count, count)
    assert encoder.stdin is not None
    encoder.stdin.close()
    problem = encoder.stderr.read().decode("utf-8", "replace") if encoder.stderr else ""
    if encoder.wait() != 0:
        raise VideoError(f"ffmpeg could not encode the video: {problem.strip()[-500:]}")
    return count, [held[k] - step for k in sorted(held)]


__all__ = ["SIZES", "VIDEO_SUFFIXES", "Progress", "VideoError", "VideoInfo", "chromium_path", "export_video"]
