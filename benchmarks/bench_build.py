"""Benchmark the story pipeline: gazetteer build, `storymap build seeds`, lookups, memory.

Run:  .venv/bin/python benchmarks/bench_build.py
Targets (2-core machine): build of the seeds under 2 s wall including imports, peak
memory under 400 MB. Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STORYMAP = Path(sys.executable).with_name("storymap")


def main() -> None:
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        env["STORYMAP_CACHE_DIR"] = tmp
        t = time.perf_counter()
        subprocess.run([str(STORYMAP), "gazetteer"], env=env, check=True, capture_output=True)
        build_s = time.perf_counter() - t
        size = sum(p.stat().st_size for p in Path(tmp).glob("gazetteer-*.sqlite"))
        print(f"gazetteer build (one time): {build_s:.1f} s, {size / 1e6:.0f} MB")

        runs = []
        out = Path(tmp) / "places.geojson"
        for _ in range(5):
            t = time.perf_counter()
            subprocess.run([str(STORYMAP), "build", "seeds", "-o", str(out)], cwd=ROOT, env=env, check=True,
                           capture_output=True)
            runs.append(time.perf_counter() - t)
        print(f"storymap build seeds (wall, imports included): best {min(runs):.2f} s, "
              f"median {sorted(runs)[2]:.2f} s over 5 runs (target < 2 s)")
        gaz_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        probe = ("import resource, sys; from storymap.cli import main; "
                 "main(['build', 'seeds', '-o', sys.argv[1]], standalone_mode=False); "
                 "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
        rss = subprocess.run([sys.executable, "-c", probe, str(out)], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True).stdout.split()[-1]
        print(f"peak memory of storymap build seeds: {int(rss) / 1024:.0f} MB (target < 400 MB); "
              f"of the one-time gazetteer build: {gaz_rss / 1024:.0f} MB")

        os.environ["STORYMAP_CACHE_DIR"] = tmp
        from storymap.gazetteer import Gazetteer

        g = Gazetteer()
        names = ["Vladivostok", "Moscow", "Paris", "Springfield", "Komsomolsk-on-Amur", "Lagos", "Perth", "Kim",
                 "Ukraine", "Texas"] * 100
        t = time.perf_counter()
        for n in names:
            g._cache.clear()
            g.lookup(n)
        dt = time.perf_counter() - t
        print(f"gazetteer lookups (uncached, one name a query): {len(names) / dt:,.0f} per second")


if __name__ == "__main__":
    main()
