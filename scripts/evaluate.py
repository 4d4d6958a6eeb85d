"""Measure the geoparser on an annotated corpus with the shared reference scorer.

    python scripts/evaluate.py                       # GeoWebNews dev set in ../shared/eval
    python scripts/evaluate.py GOLD.jsonl --per-type --resolution-errors 30

Geoparses every article of GOLD.jsonl with :class:`storymap.geoparse.Geoparser` (the
same code as ``storymap build``), writes the predictions (default
``/tmp/storymap-pred.jsonl``) and runs ``score.py`` from the same folder as the corpus's
parent (``eval/score.py``). ``--resolution-errors N`` also lists the N most frequent
names placed more than 161 km from the gold point (a diagnostic for developers; the
corpus and its names never go into the repository).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GOLD = ROOT.parent / "shared" / "eval" / "dev" / "geowebnews.jsonl"


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gold", nargs="?", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--pred", type=Path, default=Path("/tmp/storymap-pred.jsonl"))
    ap.add_argument("--scorer", type=Path, default=None, help="score.py (default: beside the corpus folder)")
    ap.add_argument("--per-type", action="store_true")
    ap.add_argument("--errors", type=int, default=0, help="pass --errors N to the scorer")
    ap.add_argument("--json", type=Path, default=None, help="pass --json FILE to the scorer")
    ap.add_argument("--resolution-errors", type=int, default=0)
    args = ap.parse_args(argv)

    from storymap.geoparse import Geoparser
    from storymap.records import record_article

    t0 = time.perf_counter()
    gp = Geoparser()
    gold = [json.loads(line) for line in args.gold.open(encoding="utf-8") if line.strip()]
    preds = []
    with args.pred.open("w", encoding="utf-8") as out:
        for g in gold:
            # as `storymap geoparse` reads a JSONL record: the text with its id, outlet and url
            tops = [t.to_dict() for t in gp.parse_article(record_article(g)[0])]
            preds.append(tops)
            out.write(json.dumps({"id": g["id"], "toponyms": tops}, ensure_ascii=False) + "\n")
    print(f"geoparsed {len(gold)} articles in {time.perf_counter() - t0:.2f} s -> {args.pred}", file=sys.stderr)

    scorer = args.scorer or args.gold.resolve().parent.parent / "score.py"
    cmd = [sys.executable, str(scorer), str(args.gold), str(args.pred)]
    if args.per_type:
        cmd.append("--per-type")
    if args.errors:
        cmd += ["--errors", str(args.errors)]
    if args.json:
        cmd += ["--json", str(args.json)]
    rc = subprocess.call(cmd)

    if args.resolution_errors:
        wrong: Counter[tuple[str, str]] = Counter()
        for g, tops in zip(gold, preds, strict=True):
            by_span = {(t["start"], t["end"]): t for t in tops}
            for gt in g.get("toponyms", []):
                p = by_span.get((gt["start"], gt["end"]))
                if p is None or gt.get("lat") is None or p["lat"] is None:
                    continue
                d = _km((gt["lat"], gt["lon"]), (p["lat"], p["lon"]))
                if d > 161:
                    wrong[(gt["name"], f"{p['gazetteer_id']} {p['place_type']} {round(d)} km")] += 1
        print("\nmost frequent resolution errors (> 161 km):")
        for (name, what), n in wrong.most_common(args.resolution_errors):
            print(f"  {n:3d}  {name!r:30} -> {what}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
