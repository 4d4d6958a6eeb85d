"""Benchmark the story library: open a library of 200 stories and a story from it.

Run:  .venv/bin/python benchmarks/bench_library.py [--stories 200] [--url DATABASE_URL]
Fills a fresh SQLite library (or the database --url names; it must be empty) with copies
of the seeds' story, three revisions each, then prints the time to list the library and to
open one story, best of five. Target on the project's 2-core machine: under 1 s each.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from storymap.library import ArticleText, Library

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=200)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    story = json.loads((ROOT / "data" / "places.geojson").read_text(encoding="utf-8"))
    seeds = [ArticleText(p.name, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "seeds").iterdir())
             if p.is_file()]
    with tempfile.TemporaryDirectory() as folder:
        lib = Library(args.url or f"sqlite:///{folder}/library.sqlite")
        start = time.perf_counter()
        ids = []
        for n in range(args.stories):
            saved = lib.add(story, articles=seeds + [ArticleText(f"note-{n}.txt", f"Story {n}.")])
            for rev in (1, 2):
                lib.save(saved.id, base_revision=rev, edits={"rejected": [f"p{rev}"]})
            ids.append(saved.id)
        filled = time.perf_counter() - start
        listing = min(_timed(lib.list) for _ in range(5))
        opening = min(_timed(lambda: lib.get(ids[len(ids) // 2])) for _ in range(5))
        print(f"library: {args.stories} stories, 3 revisions each ({lib.engine.dialect.name}); filled in {filled:.1f} s")
        print(f"list the library: {listing * 1000:.1f} ms (best of 5); open one story: {opening * 1000:.1f} ms")


def _timed(fn) -> float:  # noqa: ANN001
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
