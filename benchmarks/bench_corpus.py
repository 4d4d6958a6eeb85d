"""Benchmark corpus runs on Dask: `storymap events` with 1 and 2 workers, memory, and `trace`.

Run:  .venv/bin/python benchmarks/bench_corpus.py [--small 2000] [--large 20000]

Makes a corpus of news-like articles from templates written for this benchmark (invented
people, real world cities, 250 articles per JSONL.gz file), then prints, in one run:
- articles/s of `events` on a local Dask cluster of 1 and of 2 worker processes (the
  speed-up), over the small corpus, the workers started and their model loaded first;
- resident memory per worker after about 2,000 and after all 20,000 articles of the
  large corpus (2 workers), and each worker's peak;
- the time of `trace` over the large corpus's table (the function, and the command);
- projected hours for 1,000,000 articles here and on a 64-core cluster (per-worker rate
  times 64, discounted by the 1->2 worker efficiency measured here).
Targets: speed-up >= 1.8x, memory per worker flat between the two sizes, trace < 2 s.
Asserts nothing. The gazetteer must be built (`storymap gazetteer`).

Reading hostile corpus files (no model, no gazetteer):

    .venv/bin/python benchmarks/bench_corpus.py --reading [--tree DIR]

prints, for a Parquet file of 2,000,000 rows that compress to about 200 KB and a 255 KiB
.jsonl.gz of 256 MiB of newlines, the peak resident memory when the first record is given,
the records and the seconds to read each file to its end (`storymap.corpus.read_partition`,
each in a fresh process). ``--tree`` reads with the storymap of another checkout (for
example ``git worktree add /tmp/old HEAD~3``) to compare. Targets: memory bounded by a batch
(about the interpreter's and pyarrow's own), seconds not minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from storymap.corpus import local_cluster
from storymap.events import events_corpus, trace

PER_FILE = 250
FIRST = ["Ana", "Tomas", "Leila", "Marek", "Sofia", "Kwame", "Ingrid", "Rahul", "Mei", "Diego", "Amara", "Yusuf",
         "Elena", "Pavel", "Noor", "Jonas", "Aiko", "Bruno", "Zara", "Felix"]
LAST = ["Lopes", "Varga", "Haddad", "Novak", "Brandt", "Mensah", "Lund", "Mehta", "Tanaka", "Ortiz", "Diallo",
        "Kaya", "Petrova", "Sousa", "Farah", "Weber", "Moreau", "Rossi", "Adeyemi", "Kowal"]
TITLES = ["Foreign Minister", "Trade Minister", "President", "Prime Minister", "envoy", "Chief Executive"]
CITIES = ["Berlin", "Warsaw", "Vilnius", "Nairobi", "Accra", "Dakar", "Lisbon", "Madrid", "Rome", "Vienna",
          "Prague", "Budapest", "Oslo", "Helsinki", "Tokyo", "Seoul", "Hanoi", "Jakarta", "Manila", "Canberra",
          "Ottawa", "Lima", "Santiago", "Bogota", "Cairo", "Tunis", "Amman", "Doha", "Baku", "Tbilisi"]
TOPICS = ["trade", "energy", "security", "migration", "climate finance", "fisheries", "rail links"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
OUTLETS = ["Bench Wire", "Bench Daily", "Bench Radio"]


def article(n: int, rng: random.Random) -> dict:
    who = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    last = who.split()[1]
    other = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    a, b, c, d = rng.sample(CITIES, 4)
    day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(366))
    first_day, second_day = rng.sample(WEEKDAYS, 2)
    text = (f"{a.upper()}, {day:%B} {day.day} ({rng.choice(OUTLETS)}) - {rng.choice(TITLES)} {who} arrived in {a} "
            f"on {first_day} for talks on {rng.choice(TOPICS)}.\n"
            f"{last} met local leaders and will travel to {b} on {second_day}, officials said.\n"
            f"The visit follows {last}'s trip to {c} last month, where a deal on {rng.choice(TOPICS)} was signed.\n"
            f"Separately, {other} flew to {d} for a conference.")
    return {"id": f"bench-{n:07d}", "title": f"{who} visits {a}", "outlet": rng.choice(OUTLETS),
            "published": day.isoformat(), "text": text}


def make_corpus(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    rng = random.Random(count)
    for start in range(0, count, PER_FILE):
        with gzip.open(folder / f"news-{start // PER_FILE:05d}.jsonl.gz", "wt", encoding="utf-8") as fh:
            for n in range(start, min(count, start + PER_FILE)):
                fh.write(json.dumps(article(n, rng)) + "\n")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def _warm() -> None:
    """Load the model and open the gazetteer in this worker (what its first partition would do)."""
    from storymap.pipeline import shared_recognizer
    from storymap.events import article_events
    from storymap.records import record_article

    article_events([record_article({"id": "warm", "text": "Ana Lopes flew to Paris."})[0]],
                   shared_recognizer())


def run(corpus: Path, out: Path, workers: int, sample_at: int = 0) -> tuple[float, int, list[float], dict[int, list[float]]]:
    """Seconds, articles, each worker's peak memory (MB) of `events` on a fresh local cluster,
    and each worker's resident memory when about ``sample_at`` articles (and all) were done."""
    from dask.distributed import Client

    samples: dict[int, list[float]] = {}
    with local_cluster(workers) as cluster, Client(cluster) as client:

        def progress(done: int, total: int) -> None:
            if sample_at and done == max(1, sample_at // PER_FILE) or done == total:
                samples[done * PER_FILE] = sorted(client.run(_rss_mb).values())

        client.run(_warm)  # start-up (about 3 s a worker, in parallel) is not throughput
        t = time.perf_counter()
        result = events_corpus(str(corpus), out, scheduler=cluster.scheduler_address, progress=progress)
        seconds = time.perf_counter() - t
        peaks = sorted(client.run(_peak_mb).values())
    return seconds, result.articles, peaks, samples

# the peak is VmHWM, this process's own: ru_maxrss would count the parent's memory at the fork
_PROBE = """
import sys, time
from storymap.corpus import read_partition

def peak():
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024

t, n, first = time.perf_counter(), 0, None
try:
    for n, _ in read_partition(sys.argv[1]):
        if first is None:
            first = peak()
except Exception as exc:
    print("stopped:", type(exc).__name__, str(exc)[:120], file=sys.stderr)
print(n, first or 0, peak(), time.perf_counter() - t)
"""


def reading(tree: str | None, timeout: float) -> None:
    """Peak memory and time of reading a Parquet file of many small-to-store rows and a .gz of newlines."""
    import os

    import pyarrow as pa
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rows = 2_000_000
        text = "Storms hit Manila and Cebu on Sunday, closing ports across the region. " * 14
        table = pa.table({"id": pa.array(["same"]).take(pa.array([0] * rows)),
                          "text": pa.array([text]).take(pa.array([0] * rows))})
        pq.write_table(table, root / "rows.parquet", compression="zstd", row_group_size=rows)
        del table
        with gzip.open(root / "newlines.jsonl.gz", "wb", compresslevel=9) as fh:
            for _ in range(256):
                fh.write(b"\n" * 2**20)
        env = dict(os.environ, PYTHONPATH=tree) if tree else None
        for name in ("rows.parquet", "newlines.jsonl.gz"):
            size = (root / name).stat().st_size
            try:
                out = subprocess.run([sys.executable, "-c", _PROBE, str(root / name)], capture_output=True, text=True,
                                     env=env, cwd=tmp, timeout=timeout, check=True).stdout.split()
            except subprocess.TimeoutExpired:
                print(f"{name} ({size / 1024:.0f} KiB): not done after {timeout:.0f} s")
                continue
            n, first, peak, seconds = int(out[0]), float(out[1]), float(out[2]), float(out[3])
            at_first = f"peak {first:.0f} MB at the first record, " if n else ""
            print(f"{name} ({size / 1024:.0f} KiB): {at_first}peak {peak:.0f} MB at the end; "
                  f"{n} records in {seconds:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", type=int, default=2000)
    ap.add_argument("--large", type=int, default=20000)
    ap.add_argument("--reading", action="store_true", help="Only the hostile-file reading figures.")
    ap.add_argument("--tree", default=None, help="With --reading: read with the storymap of this checkout.")
    ap.add_argument("--timeout", type=float, default=600, help="With --reading: seconds per file at most.")
    args = ap.parse_args()
    if args.reading:
        reading(args.tree, args.timeout)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_corpus(root / "small", args.small)
        make_corpus(root / "large", args.large)
        one_s, n_small, _, _ = run(root / "small", root / "e1", 1)
        two_s, _, _, _ = run(root / "small", root / "e2", 2)
        big_s, n_large, peaks, samples = run(root / "large", root / "e3", 2, sample_at=args.small)
        rate1, rate2 = n_small / one_s, n_small / two_s
        speedup = rate2 / rate1
        print(f"events, {n_small} articles, 1 worker:  {one_s:7.1f} s  {rate1:6.1f} articles/s")
        print(f"events, {n_small} articles, 2 workers: {two_s:7.1f} s  {rate2:6.1f} articles/s  "
              f"speed-up {speedup:.2f}x (target >= 1.8x)")
        print(f"events, {n_large} articles, 2 workers: {big_s:7.1f} s  {n_large / big_s:6.1f} articles/s")
        for done, rss in sorted(samples.items()):
            print(f"memory per worker after about {min(done, n_large)} articles: "
                  f"{', '.join(f'{m:.0f}' for m in rss)} MB resident")
        print(f"peak memory per worker over {n_large} articles: {', '.join(f'{p:.0f}' for p in peaks)} MB "
              "(target: flat between the two samples)")
        subject = f"{FIRST[0]} {LAST[0]}"
        t = time.perf_counter()
        traced = trace(root / "e3", subject)
        fn_s = time.perf_counter() - t
        t = time.perf_counter()
        subprocess.run([str(Path(sys.executable).with_name("storymap")), "trace", str(root / "e3"), "--subject",
                        subject, "-o", str(root / "traced.geojson")], check=True, capture_output=True)
        cli_s = time.perf_counter() - t
        print(f"trace {subject!r} over {n_large} articles' table: {fn_s:.2f} s (function), {cli_s:.2f} s "
              f"(command, start-up included); {traced.events} events, {traced.articles} articles (target < 2 s)")
        per_worker = rate1 * min(1.0, speedup / 2)
        print(f"projected for 1,000,000 articles: {1e6 / rate2 / 3600:.1f} h on this machine (2 workers), "
              f"{1e6 / (per_worker * 64) / 3600:.2f} h on a 64-core cluster ({per_worker:.1f} articles/s per worker)")


if __name__ == "__main__":
    main()
