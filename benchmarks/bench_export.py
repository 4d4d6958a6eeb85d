"""Benchmark: export time per format and file size for one story file.

Usage::

    python benchmarks/bench_export.py [STORY.geojson] [--repeat N]

The story defaults to ``data/places.geojson``, falling back to the test fixture.
The first HTML export includes reading Natural Earth for the base map (cold); the
figures after it are warm (cached), as in a long-running app.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from storymap.export import FORMATS, VIDEO_FORMATS, export_story
from storymap.storyfile import load_story

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = (ROOT / "data" / "places.geojson", ROOT / "tests" / "fixtures" / "story.geojson")


def _story_path(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    return next((p for p in DEFAULTS if p.exists()), DEFAULTS[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("story", nargs="?", help="story file (default: data/places.geojson)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per format (default 5)")
    args = parser.parse_args(argv)
    path = _story_path(args.story)
    story = load_story(path)
    print(f"story: {path} ({len(story['features'])} features)")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        export_story(story, Path(tmp) / "cold.html")
        print(f"{'html (cold)':12s} {1000 * (time.perf_counter() - start):8.1f} ms")
        for fmt in [f for f in FORMATS if f not in VIDEO_FORMATS]:  # videos: bench_map.py
            out = Path(tmp) / f"story.{fmt}"
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                export_story(story, out)
                times.append(time.perf_counter() - start)
            size = out.stat().st_size
            print(f"{fmt:12s} {1000 * statistics.median(times):8.1f} ms  {size:>9,d} bytes"
                  f"  ({size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
