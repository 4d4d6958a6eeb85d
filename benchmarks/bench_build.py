"""Benchmark the story pipeline: gazetteer build, `storymap build seeds`, lookups, memory.

Run:  .venv/bin/python benchmarks/bench_build.py            (everything)
      .venv/bin/python benchmarks/bench_build.py --scaling  (only build time against article size)
Targets (2-core machine): build of the seeds under 2 s wall including imports, peak
memory under 400 MB; a 1 MB article under 15 s, build time linear in article size
(seconds per 100 KB about constant). Prints figures; asserts nothing.
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


CITIES = ["Madrid", "Lisbon", "Rome", "Vienna", "Prague", "Budapest", "Warsaw", "Berlin", "Paris", "Brussels",
          "Amsterdam", "Copenhagen", "Oslo", "Stockholm", "Helsinki", "Tallinn", "Riga", "Vilnius", "Athens",
          "Sofia", "Bucharest", "Belgrade", "Zagreb", "Ljubljana", "Dublin", "Edinburgh", "Cardiff", "Porto",
          "Seville", "Milan", "Naples", "Munich", "Hamburg", "Geneva", "Zurich", "Krakow", "Gdansk", "Bratislava",
          "Dakar", "Casablanca"]
PARAGRAPHS = [
    "Special envoy Maria Lopez arrived in {a} on Monday, September {d}, for talks with officials about trade "
    "and energy, her office said in a statement.",
    "On Tuesday she travelled to {b}, where she met the prime minister and visited the port. Mr. Garcia, a "
    "spokesman, said the talks in {a} had gone well.",
    "Lopez is expected to fly to {c} on Thursday before returning home to Buenos Aires at the end of the week.",
    "Officials in {c} and {b} said they welcomed the visit; a planned stop in {a} was postponed until October.",
]


def long_article(size: int) -> str:
    """An article of just under ``size`` characters (ASCII, so bytes): an envoy's travels
    between real cities, with dates."""
    out = ["Envoy tours Europe\n\n"]
    n = len(out[0])
    i = 0
    while True:
        a, b, c = (CITIES[(i + k) % len(CITIES)] for k in (0, 7, 19))
        para = PARAGRAPHS[i % len(PARAGRAPHS)].format(a=a, b=b, c=c, d=1 + i % 28) + "\n\n"
        if n + len(para) > size:
            return "".join(out)
        out.append(para)
        n += len(para)
        i += 1


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def scaling(env: dict[str, str], tmp: Path) -> None:
    """Build time of one article of 100 KB, 500 KB and 1 MB (wall, imports included)."""
    rows = []
    for size in (100_000, 500_000, 1_000_000):
        path = tmp / f"article-{size // 1000}kb.txt"
        path.write_text(long_article(size), encoding="utf-8")
        cpu = _children_cpu()
        t = time.perf_counter()
        try:
            subprocess.run([str(STORYMAP), "build", str(path), "-o", str(tmp / "big.geojson")], env=env, check=True,
                           capture_output=True, timeout=900)
        except subprocess.TimeoutExpired:
            print(f"storymap build of a {size // 1000} KB article: over 900 s, stopped")
            return
        rows.append((size, time.perf_counter() - t, _children_cpu() - cpu))
    print("storymap build of one article (imports included; target: 1 MB < 15 s wall, linear):")
    for size, secs, cpu in rows:
        print(f"  {size // 1000:>5} KB: {secs:6.1f} s wall ({secs / (size / 100_000):.2f} s per 100 KB), "
              f"{cpu:6.1f} s CPU ({cpu / (size / 100_000):.2f} s per 100 KB)")
    (s0, t0, _), (s1, t1, _) = rows[0], rows[-1]
    print(f"  marginal: {(t1 - t0) / ((s1 - s0) / 100_000):.2f} s per extra 100 KB")


def main() -> None:
    env = dict(os.environ)
    if "--scaling" in sys.argv[1:]:
        with tempfile.TemporaryDirectory() as tmp:
            scaling(env, Path(tmp))  # uses the gazetteer in $STORYMAP_CACHE_DIR or the user cache
        return
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
        scaling(env, Path(tmp))


if __name__ == "__main__":
    main()
