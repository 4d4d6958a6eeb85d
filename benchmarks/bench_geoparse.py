"""Benchmark batch geoparsing on an annotated corpus, beside geotext on the same texts.

Run:  .venv/bin/python benchmarks/bench_geoparse.py [CORPUS.jsonl] [--jobs 2]
Default corpus: ../shared/eval/dev/geowebnews.jsonl (200 articles). Runs
`storymap geoparse` as a user would (imports, model loading and worker start included,
gazetteer already built) and, when it is installed, geotext in a fresh process, and prints wall time,
articles per second, peak memory (the process and its workers together) and the ratio
of the two. Targets (2-core machine): under 10 s wall, under 1 GB. Asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "eval" / "dev" / "geowebnews.jsonl"
STORYMAP = Path(sys.executable).with_name("storymap")

_GEOTEXT = """
import json, sys
from geotext import GeoText
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip():
        g = GeoText(json.loads(line)["text"])
        n += len(g.cities) + len(g.countries)
print(n)
"""


def _run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory in MB of the largest process of a command."""
    t = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t
    # GNU time's %M is the peak of the largest single process (the parent or one worker).
    peak_kb = int(proc.stderr.strip().splitlines()[-1])
    return wall, peak_kb / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    n = sum(1 for line in args.corpus.open(encoding="utf-8") if line.strip())
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.jsonl"
        subprocess.run([str(STORYMAP), "gazetteer"], check=True, capture_output=True)  # built beforehand
        runs = [_run([str(STORYMAP), "geoparse", str(args.corpus), "-o", str(out), "--jobs", str(args.jobs)])
                for _ in range(3)]
        wall, peak = min(runs)
        total_peak = peak * (args.jobs + 1) if args.jobs > 1 else peak
        found = sum(len(json.loads(line)["toponyms"]) for line in out.open(encoding="utf-8"))
        geotext = None
        if importlib.util.find_spec("geotext") is not None:  # not a dependency: compared when installed
            script = Path(tmp) / "geotext_run.py"
            script.write_text(_GEOTEXT, encoding="utf-8")
            geotext = min(_run([sys.executable, str(script), str(args.corpus)]) for _ in range(3))
    print(f"corpus: {args.corpus} ({n} articles)")
    print(f"storymap geoparse --jobs {args.jobs}: {wall:.2f} s wall (best of 3), {n / wall:.1f} articles/s, "
          f"peak {peak:.0f} MB per process (<= {total_peak:.0f} MB for the parent and {args.jobs} workers), "
          f"{found} toponyms")
    if geotext is None:
        print("geotext: not installed (`pip install geotext` to time it on the same corpus)")
        return
    gwall, gpeak = geotext
    print(f"geotext (same corpus, same run): {gwall:.2f} s wall, {n / gwall:.1f} articles/s, peak {gpeak:.0f} MB")
    print(f"ratio storymap/geotext wall time: {wall / gwall:.1f}x")


if __name__ == "__main__":
    main()
