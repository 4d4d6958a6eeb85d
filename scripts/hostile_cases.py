"""Run storymap's command line on hostile and careless input and classify every outcome.

Each case makes its input in a fresh temporary folder (with a previous output in place,
so a lost or half-written output shows), runs one command with a time limit, and is
classified:

- ``clean``: a message on standard error and a sensible exit code, or a valid output;
- ``traceback``: Python's traceback reached the user;
- ``hang``: still running at the time limit;
- ``lost``: a previous output (or a special file) was replaced or truncated by a failure;
- ``wrong``: exit 0 with a wrong result (same ids for different articles, an evaluated
  template, a formula cell, invalid XML...).

Usage::

    python scripts/hostile_cases.py                       # .venv/bin/storymap
    python scripts/hostile_cases.py --storymap "python -m storymap" --timeout 60

Nothing here is a test: it prints a table for a person to read (issue 13's before and
after figures). The test suite checks the same behaviours case by case.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import stat
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "story.geojson"
ARTICLE = ("Foreign Minister Ana Lopes flew to Berlin on Monday, 3 March 2025, for talks with her "
           "German counterpart. On Wednesday she travelled to Warsaw, and she ends the tour in Vilnius.\n")
TEMPLATE = "{{ 7*7 }} {% raw %}{{ 8*8 }}{% endraw %} {# note #} {% if 1 %}"


@dataclass
class Run:
    code: int | None  # None: killed at the time limit
    out: str
    err: str
    seconds: float


@dataclass
class Case:
    group: str
    name: str
    make: Callable[[Path], list[str]]  # makes the input in a folder, returns the arguments
    check: Callable[[Path, Run], str | None] | None = None  # "lost"/"wrong: ..." or None


CASES: list[Case] = []


def case(group: str, name: str, check: Callable[[Path, Run], str | None] | None = None) -> Callable:
    def register(make: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
        CASES.append(Case(group, name, make, check))
        return make
    return register


# --------------------------------------------------------------------------- helpers
PREVIOUS = '{"previous": true}\n'


def _previous(path: Path) -> Path:
    path.write_text(PREVIOUS, encoding="utf-8")
    return path


def _build(folder: Path, *inputs: Path | str, extra: tuple[str, ...] = ()) -> list[str]:
    out = _previous(folder / "out.geojson")
    return ["build", *map(str, inputs), "-o", str(out), *extra]


def _kept_or_story(folder: Path, run: Run) -> str | None:
    """A failed build leaves the previous file; a successful one writes a story."""
    out = folder / "out.geojson"
    if not out.exists():
        return "lost" if run.code != 0 else "wrong: exit 0 but no story"
    text = out.read_text(encoding="utf-8", errors="replace")
    if run.code != 0:
        return None if text == PREVIOUS else "lost"
    try:
        story = json.loads(text)
    except ValueError:
        return "wrong: the story file is not JSON"
    if story.get("type") != "FeatureCollection":
        return "wrong: exit 0 but the previous file is still there" if text == PREVIOUS else "wrong: not a story"
    return None


def _article(folder: Path, name: str = "article.txt", text: str = ARTICLE) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _meta(folder: Path, content: bytes | None = None, *, link: str | None = None, directory: bool = False) -> Path:
    article = _article(folder)
    meta = folder / "article.meta.json"
    if link:
        meta.symlink_to(link)
    elif directory:
        meta.mkdir()
    else:
        meta.write_bytes(content or b"")
    return article


def _story_check(check: Callable[[dict], str | None]) -> Callable[[Path, Run], str | None]:
    def run_check(folder: Path, run: Run) -> str | None:
        problem = _kept_or_story(folder, run)
        if problem or run.code != 0:
            return problem
        return check(json.loads((folder / "out.geojson").read_text(encoding="utf-8")))
    return run_check


def _distinct_ids(story: dict) -> str | None:
    ids = [a["id"] for a in story["storymap"]["articles"]]
    return None if len(ids) == len(set(ids)) == 2 else f"wrong: article ids {ids}"


# --------------------------------------------------------------------------- build: articles
@case("build", "empty file", _kept_or_story)
def _(d: Path) -> list[str]:
    (d / "a.txt").write_bytes(b"")
    return _build(d, d / "a.txt")


@case("build", "whitespace only", _kept_or_story)
def _(d: Path) -> list[str]:
    (d / "a.txt").write_text(" \n\t\n  ", encoding="utf-8")
    return _build(d, d / "a.txt")


@case("build", "binary bytes", _kept_or_story)
def _(d: Path) -> list[str]:
    (d / "a.txt").write_bytes(random.Random(1).randbytes(4096))
    return _build(d, d / "a.txt")


@case("build", "Latin-1 text", _kept_or_story)
def _(d: Path) -> list[str]:
    (d / "a.txt").write_bytes(("Café owner " + ARTICLE).encode("latin-1"))
    return _build(d, d / "a.txt")


@case("build", "UTF-16 with byte-order mark", _story_check(lambda s: None if s["features"] else "wrong: no places"))
def _(d: Path) -> list[str]:
    (d / "a.txt").write_bytes(ARTICLE.encode("utf-16"))
    return _build(d, d / "a.txt")


@case("build", "UTF-8 with byte-order mark", _kept_or_story)
def _(d: Path) -> list[str]:
    (d / "a.txt").write_bytes(b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"))
    return _build(d, d / "a.txt")


@case("build", "NUL bytes in text", _kept_or_story)
def _(d: Path) -> list[str]:
    (d / "a.txt").write_bytes(ARTICLE.encode("utf-8").replace(b" ", b"\x00", 3))
    return _build(d, d / "a.txt")


@case("build", "6 MB article (over any cap)", _kept_or_story)
def _(d: Path) -> list[str]:
    (d / "a.txt").write_text(ARTICLE * (6_000_000 // len(ARTICLE)), encoding="utf-8")
    return _build(d, d / "a.txt")


@case("build", "1 MB article", _kept_or_story)
def _(d: Path) -> list[str]:
    (d / "a.txt").write_text(ARTICLE * (1_000_000 // len(ARTICLE)), encoding="utf-8")
    return _build(d, d / "a.txt")


@case("build", "1 MB paragraph with no line break", _kept_or_story)
def _(d: Path) -> list[str]:
    (d / "a.txt").write_text(ARTICLE.strip().replace("\n", " ") * (1_000_000 // len(ARTICLE)), encoding="utf-8")
    return _build(d, d / "a.txt")


@case("build", "HTML that is only script", _kept_or_story)
def _(d: Path) -> list[str]:
    (d / "a.html").write_text("<html><script>var a = 1;</script></html>", encoding="utf-8")
    return _build(d, d / "a.html")


@case("build", "carriage returns only", _kept_or_story)
def _(d: Path) -> list[str]:
    (d / "a.txt").write_text(ARTICLE.replace("\n", "\r") * 3, encoding="utf-8")
    return _build(d, d / "a.txt")


@case("build", "template syntax in the article", _story_check(
    lambda s: None if TEMPLATE in json.dumps(s, ensure_ascii=False) else "wrong: template text changed"))
def _(d: Path) -> list[str]:
    return _build(d, _article(d, text=f"{ARTICLE.strip()} {TEMPLATE}\n"))


@case("build", "markup in --title", _kept_or_story)
def _(d: Path) -> list[str]:
    return _build(d, _article(d), extra=("--title", "Tour [/x] [bold]of[/bold] [link=x]"))


@case("build", "markup in --subject", _kept_or_story)
def _(d: Path) -> list[str]:
    return _build(d, _article(d), extra=("--subject", "[/] Ana Lopes"))


@case("build", "markup in the file name", _kept_or_story)
def _(d: Path) -> list[str]:
    return _build(d, _article(d, name="[/x]report[bold].txt"))


@case("build", "markup in a metadata date", _kept_or_story)
def _(d: Path) -> list[str]:
    return _build(d, _meta(d, b'{"published": "[/x] soon", "title": "[bold]x"}'))


@case("build", "nonexistent input", _kept_or_story)
def _(d: Path) -> list[str]:
    return _build(d, d / "missing.txt")


@case("build", "folder with no articles", _kept_or_story)
def _(d: Path) -> list[str]:
    (d / "empty").mkdir()
    return _build(d, d / "empty")


@case("build", "/dev/zero as an article", _kept_or_story)
def _(d: Path) -> list[str]:
    return _build(d, "/dev/zero")


@case("build", "fifo as an article", _kept_or_story)
def _(d: Path) -> list[str]:
    os.mkfifo(d / "pipe.txt")
    return _build(d, d / "pipe.txt")


# --------------------------------------------------------------------------- build: metadata
@case("meta", "metadata is a folder", _kept_or_story)
def _(d: Path) -> list[str]:
    return _build(d, _meta(d, directory=True))


@case("meta", "metadata links to /dev/zero", _kept_or_story)
def _(d: Path) -> list[str]:
    return _build(d, _meta(d, link="/dev/zero"))


@case("meta", "metadata is a dangling link", _kept_or_story)
def _(d: Path) -> list[str]:
    return _build(d, _meta(d, link=str(d / "nowhere.json")))


@case("meta", "metadata nested 100,000 deep", _kept_or_story)
def _(d: Path) -> list[str]:
    return _build(d, _meta(d, b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"))


@case("meta", "metadata with a 10,000-digit number", _kept_or_story)
def _(d: Path) -> list[str]:
    return _build(d, _meta(d, b'{"published": ' + b"9" * 10_000 + b"}"))


@case("meta", "metadata with 1e999999", _kept_or_story)
def _(d: Path) -> list[str]:
    return _build(d, _meta(d, b'{"published": 1e999999}'))


@case("meta", "metadata not an object", _kept_or_story)
def _(d: Path) -> list[str]:
    return _build(d, _meta(d, b"[1, 2, 3]"))


@case("meta", "metadata fields of the wrong type", _kept_or_story)
def _(d: Path) -> list[str]:
    return _build(d, _meta(d, b'{"published": 20230915, "title": ["a"], "url": {"x": 1}, "source": null}'))


@case("meta", "metadata not JSON", _kept_or_story)
def _(d: Path) -> list[str]:
    return _build(d, _meta(d, b"title: not json"))


@case("meta", "front matter that is not YAML", _kept_or_story)
def _(d: Path) -> list[str]:
    return _build(d, _article(d, "a.md", "---\ntitle: [unclosed\npublished: {{\n---\n" + ARTICLE))


# --------------------------------------------------------------------------- build: ids and outputs
@case("ids", "same name in two folders", _story_check(_distinct_ids))
def _(d: Path) -> list[str]:
    first = _article(d / "d1", text=ARTICLE)
    second = _article(d / "d2", text=ARTICLE.replace("Berlin", "Prague"))
    return _build(d, first, second)


@case("ids", "story.txt and story.html", _story_check(_distinct_ids))
def _(d: Path) -> list[str]:
    first = _article(d, "story.txt")
    second = _article(d, "story.html", f"<html><body><p>{ARTICLE.replace('Berlin', 'Prague')}</p></body></html>")
    return _build(d, first, second)


def _device_kept(d: Path, run: Run) -> str | None:
    return None if stat.S_ISCHR((d / "null").lstat().st_mode) else "lost"


@case("output", "-o a character device", _device_kept)
def _(d: Path) -> list[str]:
    os.mknod(d / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return ["build", str(_article(d)), "-o", str(d / "null")]


def _link_kept(d: Path, run: Run) -> str | None:
    link = d / "link.geojson"
    if not link.is_symlink():
        return "lost"
    target = d / "real.geojson"
    if run.code == 0 and target.read_text(encoding="utf-8") == PREVIOUS:
        return "wrong: exit 0 but the link's target was not written"
    return None


@case("output", "-o a symlink to a story", _link_kept)
def _(d: Path) -> list[str]:
    _previous(d / "real.geojson")
    (d / "link.geojson").symlink_to("real.geojson")
    return ["build", str(_article(d)), "-o", str(d / "link.geojson")]


@case("output", "-o a folder", lambda d, run: None if (d / "folder").is_dir() else "lost")
def _(d: Path) -> list[str]:
    (d / "folder").mkdir()
    return ["build", str(_article(d)), "-o", str(d / "folder")]


@case("output", "-o a fifo", lambda d, run: None if stat.S_ISFIFO((d / "fifo").lstat().st_mode) else "lost")
def _(d: Path) -> list[str]:
    os.mkfifo(d / "fifo")
    return ["build", str(_article(d)), "-o", str(d / "fifo")]


# --------------------------------------------------------------------------- export
def _story(d: Path, change: Callable[[dict], object] | None = None) -> Path:
    story = json.loads(FIXTURE.read_text(encoding="utf-8"))
    if change:
        change(story)
    path = d / "story.geojson"
    path.write_text(json.dumps(story, allow_nan=True), encoding="utf-8")
    return path


def _export(d: Path, story: Path, ext: str = "html") -> list[str]:
    return ["export", str(story), "-o", str(_previous(d / f"out.{ext}"))]


def _export_kept(d: Path, run: Run) -> str | None:
    out = next(d.glob("out.*"))
    if run.code != 0:
        return None if out.read_text(encoding="utf-8", errors="replace") == PREVIOUS else "lost"
    return None


def _first(s: dict) -> dict:
    return s["features"][0]


def _route(s: dict) -> dict:
    return next(f for f in s["features"] if f["properties"].get("role") == "route")


MALFORMED: dict[str, Callable[[dict], object]] = {
    "coordinates as strings": lambda s: _first(s)["geometry"].update(coordinates=["128.3", "51.9"]),
    "NaN coordinate": lambda s: _first(s)["geometry"].update(coordinates=[float("nan"), 51.9]),
    "infinite coordinate": lambda s: _first(s)["geometry"].update(coordinates=[float("inf"), 51.9]),
    "one coordinate": lambda s: _first(s)["geometry"].update(coordinates=[128.3]),
    "polygon place": lambda s: _first(s).update(geometry={"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1],
                                                                                             [0, 0]]]}),
    "no geometry": lambda s: _first(s).update(geometry=None),
    "stop number as text": lambda s: _first(s)["properties"].update(stop="first"),
    "confidence as text": lambda s: _first(s)["properties"].update(confidence="high"),
    "mention count as text": lambda s: _first(s)["properties"].update(mention_count="two"),
    "mentions as an object": lambda s: _first(s)["properties"].update(mentions={"a": 1}),
    "excerpt as a number": lambda s: _first(s)["properties"].update(excerpt=5),
    "route of numbers": lambda s: _route(s)["geometry"].update(coordinates=[1, 2]),
    "route stops as text": lambda s: _route(s)["properties"].update(stops="a,b"),
    "route dates as numbers": lambda s: _route(s)["properties"].update(dates=[1, 2, 3]),
    "properties as a list": lambda s: _first(s).update(properties=[]),
    "articles as text": lambda s: s["storymap"].update(articles="none"),
    "storymap as a list": lambda s: s.update(storymap=[]),
    "features as an object": lambda s: s.update(features={}),
    "title as an object": lambda s: s["storymap"].update(title={"a": 1}),
}
for _name, _change in MALFORMED.items():
    case("export", _name, _export_kept)(lambda d, change=_change: _export(d, _story(d, change)))


@case("export", "nested 100,000 deep", _export_kept)
def _(d: Path) -> list[str]:
    (d / "story.geojson").write_text('{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000
                                     + "}", encoding="utf-8")
    return _export(d, d / "story.geojson")


@case("export", "a 10,000-digit number", _export_kept)
def _(d: Path) -> list[str]:
    (d / "story.geojson").write_text('{"type": "FeatureCollection", "features": [], "n": ' + "7" * 10_000 + "}",
                                     encoding="utf-8")
    return _export(d, d / "story.geojson")


@case("export", "not JSON", _export_kept)
def _(d: Path) -> list[str]:
    (d / "story.geojson").write_bytes(random.Random(2).randbytes(500))
    return _export(d, d / "story.geojson")


@case("export", "/dev/zero as the story", _export_kept)
def _(d: Path) -> list[str]:
    return _export(d, Path("/dev/zero"))


def _template_literal(d: Path, run: Run) -> str | None:
    html = (d / "out.html").read_text(encoding="utf-8")
    if run.code != 0:
        return "wrong: refused a valid story"
    return None if TEMPLATE.replace("'", "\\u0027") in html or TEMPLATE in html else "wrong: template evaluated"


def _set_everywhere(s: dict, text: str) -> None:
    s["storymap"]["title"] = s["storymap"]["subject"] = text
    for feature in s["features"]:
        feature["properties"]["name"] = text
        for mention in feature["properties"].get("mentions") or []:
            mention["excerpt"] = text


@case("export", "template syntax in every field (HTML)", _template_literal)
def _(d: Path) -> list[str]:
    return _export(d, _story(d, lambda s: _set_everywhere(s, f"Kim {TEMPLATE}")))


@case("export", "template that runs a shell command (HTML)",
      lambda d, run: "wrong: command ran" if (d / "pwned").exists() else None)
def _(d: Path) -> list[str]:
    payload = "{{ cycler.__init__.__globals__.os.system('touch " + str(d / "pwned") + "') }}"
    return _export(d, _story(d, lambda s: _set_everywhere(s, payload)))


def _no_formula(d: Path, run: Run) -> str | None:
    import csv

    with (d / "out.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    bad = [v for row in rows for k, v in row.items() if k not in ("lon", "lat") and v[:1] in ("=", "+", "-", "@")]
    return f"wrong: formula cells {bad[:2]}" if bad else None


@case("export", "formulas in text (CSV)", _no_formula)
def _(d: Path) -> list[str]:
    return _export(d, _story(d, lambda s: _set_everywhere(s, "=HYPERLINK(\"http://x.invalid\",\"x\")")), "csv")


def _valid_xml(d: Path, run: Run) -> str | None:
    try:
        ET.fromstring((d / "out.kml").read_bytes())
    except ET.ParseError as exc:
        return f"wrong: invalid KML ({exc})"
    return None


@case("export", "control characters in text (KML)", _valid_xml)
def _(d: Path) -> list[str]:
    return _export(d, _story(d, lambda s: _set_everywhere(s, "bell\x07 escape\x1b nul\x00 end")), "kml")


def _gpkg_twice(d: Path, run: Run) -> str | None:
    first = (d / "out.gpkg").read_bytes()
    time.sleep(1.1)
    again = subprocess.run([*STORYMAP, "export", str(d / "story.geojson"), "-o", str(d / "again.gpkg")],
                           capture_output=True, timeout=120, check=False)
    if again.returncode != 0:
        return "wrong: second export failed"
    return None if first == (d / "again.gpkg").read_bytes() else "wrong: GeoPackage bytes differ between runs"


@case("export", "GeoPackage twice", _gpkg_twice)
def _(d: Path) -> list[str]:
    return _export(d, _story(d), "gpkg")


@case("export", "-o a character device", _device_kept)
def _(d: Path) -> list[str]:
    os.mknod(d / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return ["export", str(_story(d)), "-o", str(d / "null"), "--format", "html"]


# --------------------------------------------------------------------------- geoparse
def _lines_out(expected: int) -> Callable[[Path, Run], str | None]:
    def check(d: Path, run: Run) -> str | None:
        out = d / "out.jsonl"
        text = out.read_text(encoding="utf-8", errors="replace")
        if run.code != 0 and text == PREVIOUS:
            return f"wrong: nothing written, {expected} good lines expected"
        if run.code != 0:
            return "lost"
        got = [json.loads(line) for line in text.splitlines() if line.strip()]
        if len(got) != expected:
            return f"wrong: {len(got)} lines out, {expected} expected"
        return None
    return check


def _geoparse(d: Path, data: bytes, *extra: str) -> list[str]:
    (d / "in.jsonl").write_bytes(data)
    return ["geoparse", str(d / "in.jsonl"), "-o", str(_previous(d / "out.jsonl")), *extra]


GOOD = [json.dumps({"id": f"g{i}", "text": f"Floods hit {city} on Monday."}).encode() for i, city in
        enumerate(["Lagos", "Abuja", "Accra"])]


@case("geoparse", "invalid UTF-8 on one line", _lines_out(3))
def _(d: Path) -> list[str]:
    return _geoparse(d, b"\n".join([GOOD[0], b'{"id": "bad", "text": "Lagos \xff\xfe"}', GOOD[1], GOOD[2]]))


@case("geoparse", "lone surrogate on one line", _lines_out(3))
def _(d: Path) -> list[str]:
    return _geoparse(d, b"\n".join([GOOD[0], b'{"id": "bad", "text": "Lagos \\ud800"}', GOOD[1], GOOD[2]]))


@case("geoparse", "line nested 100,000 deep", _lines_out(3))
def _(d: Path) -> list[str]:
    return _geoparse(d, b"\n".join([GOOD[0], b'{"id": "x", "t": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
                                    GOOD[1], GOOD[2]]))


@case("geoparse", "a 1,000,000-character text", lambda d, run: None if run.code is not None else None)
def _(d: Path) -> list[str]:
    big = json.dumps({"id": "big", "text": "Floods hit Lagos. " * 55_000}).encode()
    return _geoparse(d, b"\n".join([GOOD[0], big, GOOD[1]]))


@case("geoparse", "byte-order mark before JSONL", _lines_out(3))
def _(d: Path) -> list[str]:
    return _geoparse(d, b"\xef\xbb\xbf" + b"\n".join(GOOD))


@case("geoparse", "comment line before JSONL", _lines_out(3))
def _(d: Path) -> list[str]:
    return _geoparse(d, b"# exported from the archive\n" + b"\n".join(GOOD))


@case("geoparse", "bad first line before JSONL", _lines_out(3))
def _(d: Path) -> list[str]:
    return _geoparse(d, b"{not json\n" + b"\n".join(GOOD))


@case("geoparse", "every line bad keeps the previous output",
      lambda d, run: None if (d / "out.jsonl").read_text(encoding="utf-8") == PREVIOUS or run.code == 0 else "lost")
def _(d: Path) -> list[str]:
    return _geoparse(d, b'{"id": 1\n{"text": \n[1, 2]\n')


@case("geoparse", "-o a character device", _device_kept)
def _(d: Path) -> list[str]:
    os.mknod(d / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    (d / "in.jsonl").write_bytes(b"\n".join(GOOD))
    return ["geoparse", str(d / "in.jsonl"), "-o", str(d / "null")]


# --------------------------------------------------------------------------- running
STORYMAP: list[str] = []


def run_case(c: Case, timeout: float) -> tuple[str, str, float]:
    with tempfile.TemporaryDirectory(prefix="storymap-hostile-") as tmp:
        folder = Path(tmp)
        args = c.make(folder)
        start = time.monotonic()
        try:
            proc = subprocess.run([*STORYMAP, *args], capture_output=True, timeout=timeout, check=False,
                                  stdin=subprocess.DEVNULL, cwd=folder)
            run = Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"),
                      time.monotonic() - start)
        except subprocess.TimeoutExpired:
            return "hang", f"still running after {timeout:.0f} s", timeout
        if "Traceback (most recent call last)" in run.err:
            last = [line for line in run.err.strip().splitlines() if line.strip()][-1]
            return "traceback", last[:120], run.seconds
        problem = c.check(folder, run) if c.check else None
        message = (run.err.strip().splitlines() or [""])[-1][:120]
        if problem:
            outcome = "lost" if problem == "lost" else "wrong"
            return outcome, f"{problem} (exit {run.code}) {message}", run.seconds
        return "clean", f"exit {run.code}: {message}", run.seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--storymap", default=str(ROOT / ".venv" / "bin" / "storymap"),
                        help="the command to run (default: .venv/bin/storymap)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a run counts as a hang")
    parser.add_argument("-k", dest="only", default="", help="run only cases whose name contains this")
    parser.add_argument("--json", type=Path, help="also write the outcomes to this JSON file")
    options = parser.parse_args()
    STORYMAP[:] = shlex.split(options.storymap)
    results = {}
    for c in CASES:
        if options.only and options.only not in f"{c.group} {c.name}":
            continue
        outcome, detail, seconds = run_case(c, options.timeout)
        results[f"{c.group}: {c.name}"] = outcome
        print(f"{c.group:9} {c.name:45} {outcome:9} {seconds:6.1f} s  {detail}", flush=True)
    counts = Counter(results.values())
    print(f"\n{len(results)} cases: " + ", ".join(f"{counts[k]} {k}" for k in
                                                 ("clean", "traceback", "hang", "lost", "wrong")))
    if options.json:
        options.json.write_text(json.dumps(results, indent=1, sort_keys=True), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
