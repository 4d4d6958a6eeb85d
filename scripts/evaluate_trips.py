"""Measure route inference on a trips set with the shared reference scorer.

    python scripts/evaluate_trips.py                      # ../shared/eval/trips/expected.json
    python scripts/evaluate_trips.py EXPECTED.json --per-trap --show

Builds every story in one process (the model and the gazetteer load once) the way
``score_trips.py --storymap`` does: each story's articles are copied into a fresh folder
with a ``NAME.meta.json`` holding the publication date the set records, built with
:func:`storymap.story.build_story` (the same code as ``storymap build``), and the story
files are scored with ``score_trips.py --pred``. ``--per-trap`` adds mean stop F1 and
exact routes per trap tag; ``--show`` prints each story's predicted and expected route
(a diagnostic for developers: the texts and routes never go into the repository).
``--half a`` or ``--half b`` takes one half of the stories, fixed by a hash of each id
(:func:`half`): write a rule from one half's failures, keep it if the other does not get worse.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EXPECTED = ROOT.parent / "shared" / "eval" / "trips" / "expected.json"


def half(story_id: str) -> str:
    """The half ("a" or "b") a story belongs to: fixed by its id, whatever the set's order."""
    return "ab"[hashlib.sha256(story_id.encode("utf-8")).digest()[0] % 2]


def build_all(expected: Path, out: Path, only: set[str] | None = None) -> tuple[float, dict[str, float]]:
    """Build each story of ``expected`` into ``out/<id>.geojson``; returns the seconds taken
    in all and per story."""
    from storymap.errors import StorymapError
    from storymap.gazetteer import Gazetteer
    from storymap.story import build_story
    from storymap.storyfile import write_story

    stories = json.loads(expected.read_text(encoding="utf-8"))
    gazetteer = Gazetteer()
    started = time.perf_counter()
    each: dict[str, float] = {}
    for story in stories:
        if only and story["id"] not in only:
            continue
        with tempfile.TemporaryDirectory(prefix="trip-") as tmp:
            folder = Path(tmp) / story["id"]
            folder.mkdir()
            for art in story.get("articles") or [{"file": f"{story['id']}.txt"}]:
                src = expected.parent / art["file"]
                shutil.copy(src, folder / src.name)
                published = (art.get("source") or {}).get("published")
                if published:
                    (folder / f"{src.stem}.meta.json").write_text(json.dumps({"published": published}),
                                                                 encoding="utf-8")
            one = time.perf_counter()
            try:
                result = build_story([folder], gazetteer=gazetteer, base=folder)
            except StorymapError as exc:
                print(f"{story['id']}: {exc}", file=sys.stderr)
                continue
            write_story(result.story, out / f"{story['id']}.geojson")
            each[story["id"]] = time.perf_counter() - one
    return time.perf_counter() - started, each


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("expected", nargs="?", type=Path, default=DEFAULT_EXPECTED)
    ap.add_argument("--pred", type=Path, default=Path("/tmp/storymap-trips"), help="folder for the story files")
    ap.add_argument("--scorer", type=Path, default=None, help="score_trips.py (default: beside the set's folder)")
    ap.add_argument("--only", nargs="*", help="story ids to build (default: all)")
    ap.add_argument("--half", choices=("a", "b"), help="only the stories of this half (see half())")
    ap.add_argument("--per-trap", action="store_true", help="mean stop F1 and exact routes per trap tag")
    ap.add_argument("--show", action="store_true", help="print each story's predicted and expected stops")
    args = ap.parse_args(argv)
    if not args.expected.is_file():
        print(f"{args.expected}: no such file", file=sys.stderr)
        return 1
    scorer = args.scorer or args.expected.parent.parent / "score_trips.py"
    if args.half:
        ids = [s["id"] for s in json.loads(args.expected.read_text(encoding="utf-8"))]
        args.only = [i for i in ids if half(i) == args.half and (not args.only or i in args.only)]
    args.pred.mkdir(parents=True, exist_ok=True)
    seconds, each = build_all(args.expected, args.pred, set(args.only) if args.only else None)
    slowest = max(each, key=each.get) if each else None
    print(f"built in {seconds:.1f} s" + (f"; slowest story {slowest} in {each[slowest]:.2f} s" if slowest else ""))
    rows_file = args.pred / "scores.json"
    expected = args.expected
    if args.only:
        subset = [s for s in json.loads(args.expected.read_text(encoding="utf-8")) if s["id"] in args.only]
        for s in subset:
            for a in s.get("articles") or []:
                a["file"] = str((args.expected.parent / a["file"]).resolve())
        expected = args.pred / "expected-subset.json"
        expected.write_text(json.dumps(subset), encoding="utf-8")
    done = subprocess.run([sys.executable, str(scorer), str(expected), "--pred", str(args.pred),
                           "--json", str(rows_file), "--quiet"], check=False)
    scores = json.loads(rows_file.read_text(encoding="utf-8")) if rows_file.exists() else {}
    gold = {s["id"]: s for s in json.loads(args.expected.read_text(encoding="utf-8"))}
    rows = scores.get("stories") or scores.get("rows") or []
    if args.per_trap and rows:
        by_trap: dict[str, list[dict]] = defaultdict(list)
        for row in rows:
            for trap in gold[row["id"]].get("traps", []):
                by_trap[trap].append(row)
        print(f"{'trap':32} {'n':>3} {'F1':>6} {'exact':>6}")
        for trap, group in sorted(by_trap.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            f1 = sum(r.get("f1", 0.0) for r in group) / len(group)
            exact = sum(bool(r.get("exact")) for r in group)
            print(f"{trap:32} {len(group):>3} {f1:6.3f} {exact:>3}/{len(group)}")
    if args.show:
        for sid, story in gold.items():
            if args.only and sid not in args.only:
                continue
            path = args.pred / f"{sid}.geojson"
            pred = []
            subject = None
            if path.exists():
                data = json.loads(path.read_text(encoding="utf-8"))
                subject = data.get("storymap", {}).get("subject")
                stops = sorted((f for f in data["features"] if f["properties"].get("role") == "stop"),
                               key=lambda f: f["properties"]["stop"])
                pred = [f"{f['properties']['name']} ({f['properties'].get('date')}, {f['properties'].get('status')})"
                        for f in stops]
            row = next((r for r in rows if r["id"] == sid), {})
            print(f"\n{sid}  F1 {row.get('f1', 0):.2f}{'  EXACT' if row.get('exact') else ''}")
            print(f"  subject: {subject!r}  (gold: {story.get('subject')})")
            print("  pred: " + " -> ".join(pred))
            print("  gold: " + " -> ".join(f"{s['name']} ({s.get('date')}, {s.get('status')})" for s in story["stops"]))
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
