"""The route as a video, recorded in a real headless Chromium and read back with ffmpeg."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from conftest import CHROMIUM
from storymap.cli import main
from storymap.export import export_story
from storymap.storyfile import load_story
from storymap.video import SIZES, VideoError, export_video

FIXTURE = Path(__file__).parent / "fixtures" / "story.geojson"

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} not installed")]


def _frames(path: Path) -> tuple[dict[str, Any], list[np.ndarray]]:
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    w, h = meta["size"]
    return meta, [np.frombuffer(f, dtype=np.uint8).reshape(h, w, 3) for f in reader]


PROGRESS: list[tuple[str, int, int]] = []


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("video") / "route.mp4"
    return export_video(load_story(FIXTURE), out, progress=lambda *call: PROGRESS.append(call))


def test_the_recording_reports_its_progress_part_by_part(video: Any) -> None:
    parts = list(dict.fromkeys(message for message, _, _ in PROGRESS))
    assert parts == ["Starting Chromium", "Title card", "Stop 1 of 3: Vostochny Cosmodrome",
                     "Stop 2 of 3: Komsomolsk-on-Amur", "Stop 3 of 3: Vladivostok", "The whole route", "Encoding"]
    done = [d for _, d, _ in PROGRESS]
    assert done == sorted(done) and PROGRESS[-1][1] == PROGRESS[-1][2] == video.frames
    # the estimate made before recording is the length recorded, give or take a few frames
    estimate = PROGRESS[1][2]
    assert abs(estimate - video.frames) <= 3, (estimate, video.frames)


def test_video_has_the_size_and_length_of_the_route(video: Any) -> None:
    meta, frames = _frames(video.path)
    assert tuple(meta["size"]) == SIZES["landscape"] == (video.width, video.height)
    assert len(frames) == video.frames
    assert abs(meta["duration"] - video.seconds) < 0.1
    # the title card, then three stops each held for seconds, then the closing view
    assert 12 < video.seconds < 40
    assert len(video.stop_frames) == 3 and list(video.stop_frames) == sorted(video.stop_frames)


def test_each_stop_in_the_video_looks_as_the_page_does_at_that_step(video: Any, browser: Any,
                                                                   tmp_path: Path) -> None:
    _, frames = _frames(video.path)
    html = export_story(load_story(FIXTURE), tmp_path / "story.html")
    page = browser.new_page(viewport={"width": video.width, "height": video.height})
    try:
        for n, index in enumerate(video.stop_frames, start=1):
            page.goto("about:blank")
            page.goto(html.as_uri() + f"#present-step-{n}")
            page.wait_for_function(f"() => window.storymap && window.storymap.step() === {n}")
            page.wait_for_timeout(400)
            shot = np.asarray(Image.open(io.BytesIO(page.screenshot())).convert("RGB"))
            frame = frames[index]
            Image.fromarray(frame).save(tmp_path / f"video-stop-{n}.png")
            Image.fromarray(shot).save(tmp_path / f"page-stop-{n}.png")
            # the whole frame: the video records the page's presentation mode
            diff = np.abs(frame.astype(int) - shot.astype(int)).mean()
            assert diff < 6, f"stop {n}: the video frame differs from the page (mean {diff:.1f})"
            other = frames[video.stop_frames[n % 3]]
            assert np.abs(other.astype(int) - shot.astype(int)).mean() > diff
    finally:
        page.close()


def test_square_gif_and_webm_from_the_command_line(tmp_path: Path) -> None:
    story = load_story(FIXTURE)
    one_stop = json.loads(json.dumps(story))
    keep = next(f for f in one_stop["features"] if f["properties"].get("stop") == 1)
    for f in one_stop["features"]:
        if f["properties"].get("role") == "stop" and f is not keep:
            f["properties"].update({"role": "mention", "stop": None, "status": None})
    one_stop["features"] = [f for f in one_stop["features"] if f["geometry"]["type"] == "Point"]
    one_stop["storymap"]["stops"] = [keep["id"]]
    src = tmp_path / "one.geojson"
    src.write_text(json.dumps(one_stop), encoding="utf-8")
    for name in ("route.gif", "route.webm"):
        result = CliRunner().invoke(main, ["export", str(src), "-o", str(tmp_path / name), "--size", "square"])
        assert result.exit_code == 0, result.output
        meta, frames = _frames(tmp_path / name)
        w, h = meta["size"]
        assert w == h and (w == 1080 or name.endswith(".gif")), meta["size"]
        assert meta["duration"] > 5 and len(frames) > 10


def test_without_chromium_the_message_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYMAP_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(VideoError, match="STORYMAP_CHROMIUM"):
        export_video(load_story(FIXTURE), tmp_path / "x.mp4")
    result = CliRunner().invoke(main, ["export", str(FIXTURE), "-o", str(tmp_path / "x.mp4")])
    assert result.exit_code == 1 and "STORYMAP_CHROMIUM" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.mp4").exists()


def routeless_story() -> dict[str, Any]:
    """The fixture's story with its stops made mentions: a story with no route."""
    story = load_story(FIXTURE)
    for f in story["features"]:
        if f["properties"].get("role") == "stop":
            f["properties"].update({"role": "mention", "stop": None, "status": None})
    story["features"] = [f for f in story["features"] if f["geometry"]["type"] == "Point"]
    story["storymap"]["stops"] = []
    return story


def test_a_story_without_a_route_gives_a_short_video_of_its_cover(tmp_path: Path) -> None:
    story = routeless_story()
    info = export_video(story, tmp_path / "cover.gif")
    assert info.stop_frames == ()
    assert 4 < info.seconds < 8  # the cover, then the closing hold: never the 15-minute guard


def test_storymap_video_shows_its_progress_part_by_part(tmp_path: Path) -> None:
    story = routeless_story()
    src = tmp_path / "cover.geojson"
    src.write_text(json.dumps(story), encoding="utf-8")
    result = CliRunner().invoke(main, ["video", str(src), "-o", str(tmp_path / "cover.webm"), "--style", "dark"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Video:")]
    assert [line.split(" (frame")[0] for line in lines] == [
        "Video: Starting Chromium", "Video: Title card", "Video: Encoding"]
    assert (tmp_path / "cover.webm").stat().st_size > 0
    refused = CliRunner().invoke(main, ["video", str(src), "-o", str(tmp_path / "x.html")])
    assert refused.exit_code == 1 and "a video is .mp4, .webm or .gif" in refused.output
