"""Benchmark the language core against spaCy alone: `build` on a story beside spaCy's own
parse of the same texts.

Run:  .venv/bin/python benchmarks/bench_pipeline.py [FOLDER] [--repeat 7]
Default story: the seeds. In one process, with the model loaded and the gazetteer open
before timing, prints the median (and the best) of ``--repeat`` runs of
- spaCy: the bare model (``spacy.load``, no storymap component) over each article's story
  text (its blocks), in one ``nlp.pipe``;
- storymap: :func:`storymap.story.build_story` on the same files (reading, the parse with
  storymap's components, recognition, resolution, the itinerary, the story's assembly);
and their ratio; then the same as a user meets it, each a fresh process (best of
``--repeat``): ``storymap build FOLDER`` beside a Python that imports spaCy, loads the
model and parses the same texts. Target: storymap within 1.2x of spaCy. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def seconds(run, repeat: int) -> tuple[float, float]:  # noqa: ANN001 - a callable of no argument
    """(median, best) of ``repeat`` runs: the best is the steadier figure on a busy machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", nargs="?", default=str(ROOT / "seeds"))
    ap.add_argument("--repeat", type=int, default=7)
    a = ap.parse_args()

    import spacy

    from storymap.gazetteer import Gazetteer
    from storymap.ner import MODEL
    from storymap.story import build_story, read_articles

    paths = sorted(p for p in Path(a.folder).iterdir() if p.suffix in (".txt", ".md", ".html", ".htm"))
    articles, _ = read_articles(paths)
    texts = ["\n\n".join(article.text[b.start : b.end] for b in article.blocks) for article in articles]
    nlp = spacy.load(MODEL, exclude=["senter"])
    gazetteer = Gazetteer()
    list(nlp.pipe(texts))
    build_story(paths, gazetteer=gazetteer)  # loads storymap's own pipeline once

    bare, bare_best = seconds(lambda: list(nlp.pipe(texts)), a.repeat)
    ours, ours_best = seconds(lambda: build_story(paths, gazetteer=gazetteer), a.repeat)
    chars = sum(len(t) for t in texts)
    print(f"{len(articles)} articles, {chars:,} characters of story text, {a.repeat} runs: median (best)")
    print(f"spaCy alone (bare model): {bare * 1000:.0f} ms ({bare_best * 1000:.0f} ms)")
    print(f"storymap build:           {ours * 1000:.0f} ms ({ours_best * 1000:.0f} ms)")
    print(f"ratio: {ours / bare:.2f}x ({ours_best / bare_best:.2f}x) (target: at most 1.20x)")

    storymap = Path(sys.executable).with_name("storymap")
    spacy_only = ("import json, sys, spacy; nlp = spacy.load(sys.argv[1], exclude=['senter']); "
                  "list(nlp.pipe(json.load(open(sys.argv[2], encoding='utf-8'))))")
    with tempfile.TemporaryDirectory() as tmp:
        texts_file = Path(tmp) / "texts.json"
        texts_file.write_text(json.dumps(texts), encoding="utf-8")
        out = Path(tmp) / "story.geojson"

        def best(cmd: list[str]) -> float:
            times = []
            for _ in range(a.repeat):
                start = time.perf_counter()
                subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                times.append(time.perf_counter() - start)
            return min(times)

        bare_cmd = best([sys.executable, "-c", spacy_only, MODEL, str(texts_file)])
        ours_cmd = best([str(storymap), "build", a.folder, "-o", str(out)])
    print(f"as commands, best of {a.repeat} (imports and the model's loading included):")
    print(f"spaCy alone: {bare_cmd:.2f} s, storymap build: {ours_cmd:.2f} s, ratio {ours_cmd / bare_cmd:.2f}x")


if __name__ == "__main__":
    main()
