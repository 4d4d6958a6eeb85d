"""Run storymap's command line on hostile and careless input and classify every outcome.

Each case makes its input in a fresh temporary folder (with a previous output in place,
so a lost or half-written output shows), runs one command with a time limit, and is
classified:

- ``clean``: a message on standard error and a sensible exit code, or a valid output;
- ``traceback``: Python's traceback reached the user;
- ``hang``: still running at the time limit;
- ``lost``: a previous output (or a special file) was replaced or truncated by a failure;
- ``wrong``: exit 0 with a wrong result (same ids for different articles, an evaluated
  template, a formula cell, invalid XML...), a file storymap wrote itself refused, or more
  memory than a case allows (a run under a memory limit that fails for it counts here);
- ``hole``: a security hole: a story of the library acted on from an empty or too short
  id, a local file's path or content in a page, a ``javascript:`` embed address accepted,
  a terminal escape sequence printed.

Every case runs with ``STORYMAP_DATA_DIR`` in its own folder (never the user's library),
some with more environment, a memory limit (``RLIMIT_AS``) or a shorter time limit.

Usage::

    python scripts/hostile_cases.py                       # .venv/bin/storymap
    python scripts/hostile_cases.py --storymap "python -m storymap" --timeout 60

Nothing here is a test: it prints a table for a person to read (issues 13 and 22: before
and after figures). The test suite checks the same behaviours case by case.
"""

from __future__ import annotations

import argparse
import atexit
import gzip
import json
import os
import random
import resource
import shlex
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import time
import zlib
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
    code: int | None  # None: killed at the time limit; negative: killed by that signal
    out: str
    err: str
    seconds: float
    max_rss: int = 0  # peak resident memory of the command's process, bytes


@dataclass
class Case:
    group: str
    name: str
    make: Callable[[Path], list[str]]  # makes the input in a folder, returns the arguments
    check: Callable[[Path, Run], str | None] | None = None  # "lost"/"wrong: ..."/"hole: ..." or None
    env: dict[str, str] | None = None  # more environment ("{dir}" is the case's folder)
    memory: int | None = None  # the command's address space limit (RLIMIT_AS), bytes
    timeout: float | None = None  # seconds, when shorter than --timeout


CASES: list[Case] = []


def case(group: str, name: str, check: Callable[[Path, Run], str | None] | None = None, *,
         env: dict[str, str] | None = None, memory: int | None = None, timeout: float | None = None) -> Callable:
    def register(make: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
        CASES.append(Case(group, name, make, check, env, memory, timeout))
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


# =========================================================================== issue 22
STORYMAP: list[str] = []
GIB = 1024 ** 3


# Helpers that run storymap while a case is made (a story in the case's library, an event
# table...): the same command, environment and library as the case itself.
def _sm(d: Path, *args: object, timeout: float = 600) -> Run:
    run = execute([str(a) for a in args], d, timeout=timeout)
    if run.code != 0:
        tail = (run.err.strip().splitlines() or ["no message"])[-1]
        raise SetupError(f"storymap {' '.join(map(str, args))[:80]}: exit {run.code}: {tail[:160]}")
    return run


class SetupError(RuntimeError):
    """A case's input could not be made (reported as such, not as an outcome)."""


def _db(d: Path) -> Path:
    return d / "library" / "library.sqlite"


def _story_ids(d: Path) -> list[str]:
    with sqlite3.connect(_db(d)) as con:
        return sorted(r[0] for r in con.execute("SELECT id FROM stories"))


def _library_with(d: Path, first_characters: str, story: Path = FIXTURE) -> list[str]:
    """One story in the case's library per character, each id changed to start with it (ids
    are random; a case must not depend on luck); every table's ``story_id`` follows."""
    for _ in first_characters:
        _sm(d, "stories", "import", story)
    con = sqlite3.connect(_db(d))
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        linked = [t for t in tables if "story_id" in [c[1] for c in con.execute(f'PRAGMA table_info("{t}")')]]
        ids = sorted(r[0] for r in con.execute("SELECT id FROM stories"))
        for old, first in zip(ids, first_characters, strict=True):
            new = first + old[1:]
            con.execute("UPDATE stories SET id = ? WHERE id = ?", (new, old))
            for table in linked:
                con.execute(f'UPDATE "{table}" SET story_id = ? WHERE story_id = ?', (new, old))
        con.commit()
    finally:
        con.close()
    return _story_ids(d)


def _none_removed(count: int) -> Callable[[Path, Run], str | None]:
    def check(d: Path, run: Run) -> str | None:
        left = len(_story_ids(d))
        return f"hole: {count - left} of {count} stories deleted" if left < count else None
    return check


def _refused(what: str) -> Callable[[Path, Run], str | None]:
    def check(d: Path, run: Run) -> str | None:
        return f"hole: {what}" if run.code == 0 else None
    return check


def _not_exported(d: Path, run: Run) -> str | None:
    if run.code == 0 or (d / "mine.geojson").exists():
        return "hole: exported a story it was not given the id of"
    return None


# --------------------------------------------------------------------------- library: ids
@case("library", 'delete "" (one story)', _none_removed(1))
def _(d: Path) -> list[str]:
    _library_with(d, "a")
    return ["stories", "delete", "", "--yes"]


@case("library", 'show "" (one story)', _refused("showed a story for an empty id"))
def _(d: Path) -> list[str]:
    _library_with(d, "a")
    return ["stories", "show", ""]


@case("library", 'export "" (one story)', _not_exported)
def _(d: Path) -> list[str]:
    _library_with(d, "a")
    return ["stories", "export", "", "-o", str(d / "mine.geojson")]


@case("library", "delete a prefix two stories share", _none_removed(2))
def _(d: Path) -> list[str]:
    _library_with(d, "aa")
    return ["stories", "delete", "a", "--yes"]


@case("library", "show a prefix two stories share", _refused("showed one of two stories"))
def _(d: Path) -> list[str]:
    _library_with(d, "aa")
    return ["stories", "show", "a"]


@case("library", "export a prefix two stories share", _not_exported)
def _(d: Path) -> list[str]:
    _library_with(d, "aa")
    return ["stories", "export", "a", "-o", str(d / "mine.geojson")]


def _only_the_named_one(d: Path, run: Run) -> str | None:
    """A start that fits one story may name it (refusing is clean too); no other story goes."""
    left = [i[0] for i in _story_ids(d)]
    if left == ["b", "c"]:
        return "wrong: exit 0 but nothing deleted" if run.code == 0 else None
    return None if left == ["c"] and run.code == 0 else f"hole: the stories left are {left}"


@case("library", "delete from a start only one id has", _only_the_named_one)
def _(d: Path) -> list[str]:
    _library_with(d, "bc")
    return ["stories", "delete", "b", "--yes"]


def _unknown_revision(d: Path) -> None:
    _library_with(d, "a")
    with sqlite3.connect(_db(d)) as con:
        con.execute("UPDATE alembic_version SET version_num = 'ffff'")


@case("library", "unknown Alembic revision: list")
def _(d: Path) -> list[str]:
    _unknown_revision(d)
    return ["stories", "list"]


@case("library", "unknown Alembic revision: import")
def _(d: Path) -> list[str]:
    _unknown_revision(d)
    return ["stories", "import", str(FIXTURE)]


# --------------------------------------------------------------------------- storymap's own GeoJSON
def _own(d: Path) -> Path:
    """The fixture story as `storymap export -o .geojson` writes it (the app's download too)."""
    _sm(d, "export", FIXTURE, "-o", d / "own.geojson")
    return d / "own.geojson"


def _loads(d: Path, run: Run) -> str | None:
    return "wrong: refused a story file storymap wrote" if run.code != 0 else None


for _ext in ("html", "csv", "kml", "gpkg", "geojson"):
    case("roundtrip", f"exported GeoJSON -> {_ext}", _loads)(
        lambda d, ext=_ext: ["export", str(_own(d)), "-o", str(d / f"out.{ext}")])


@case("roundtrip", "exported GeoJSON -> stories import", _loads)
def _(d: Path) -> list[str]:
    return ["stories", "import", str(_own(d))]


@case("roundtrip", "exported GeoJSON -> video",
      lambda d, run: None if run.code == 0 or "chromium" in run.err.lower() else "wrong: refused before recording")
def _(d: Path) -> list[str]:
    return ["export", str(_own(d)), "-o", str(d / "out.mp4")]


@case("roundtrip", "stories export -> export html", _loads)
def _(d: Path) -> list[str]:
    (story_id,) = _library_with(d, "a")
    _sm(d, "stories", "export", story_id, "-o", d / "library.geojson")
    return ["export", str(d / "library.geojson"), "-o", str(d / "out.html")]


# --------------------------------------------------------------------------- stop media
def _stop(s: dict) -> dict:
    return next(f for f in s["features"] if f["properties"].get("role") == "stop")


def _with_media(d: Path, media: object) -> list[str]:
    return _export(d, _story(d, lambda s: _stop(s)["properties"].update(media=media)))


def _local_file_shown(*needles: str) -> Callable[[Path, Run], str | None]:
    def check(d: Path, run: Run) -> str | None:
        page = (d / "out.html").read_text(encoding="utf-8", errors="replace")
        found = [n for n in needles if n and n in page and page != PREVIOUS]
        return f"hole: {found[0][:40]!r} in the page" if found else _export_kept(d, run)
    return check


def _hostname() -> str:
    try:
        name = Path("/etc/hostname").read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return name if len(name) >= 8 else ""


@case("media", "src /etc/passwd", _local_file_shown("/etc/passwd", "root:x:0:0"))
def _(d: Path) -> list[str]:
    return _with_media(d, [{"src": "/etc/passwd", "caption": "c"}])


@case("media", "src file:///etc/hostname", _local_file_shown("file:///etc/hostname", _hostname()))
def _(d: Path) -> list[str]:
    return _with_media(d, [{"src": "file:///etc/hostname", "caption": "c"}])


@case("media", "src ../../../../etc/passwd", _local_file_shown("etc/passwd", "root:x:0:0"))
def _(d: Path) -> list[str]:
    return _with_media(d, [{"src": "../../../../etc/passwd"}])


@case("media", "src javascript:", _local_file_shown("javascript:alert"))
def _(d: Path) -> list[str]:
    return _with_media(d, [{"src": "javascript:alert(1)"}])


ODD_MEDIA: dict[str, object] = {
    "src a number": [{"src": 5}],
    "src a list": [{"src": ["https://example.org/a.png"]}],
    "src an object": [{"src": {"href": "https://example.org/a.png"}}],
    "media a string": "https://example.org/a.png",
    "media a number": 7,
    "media a list of strings": ["https://example.org/a.png"],
    "media an object": {"src": "https://example.org/a.png"},
}
for _name, _media in ODD_MEDIA.items():
    case("media", _name, _export_kept)(lambda d, media=_media: _with_media(d, media))


# --------------------------------------------------------------------------- --embed-url
for _name, _url in {"leading space": " javascript:alert(1)", "tab inside": "java\tscript:alert(1)",
                    "newline inside": "java\nscript:alert(1)", "control character first": "\x01javascript:alert(1)"
                    }.items():
    case("embed", f"javascript: with a {_name}",
         lambda d, run: "hole: a javascript: address in the snippet" if run.code == 0 and "alert(1)" in run.out
         else None)(lambda d, url=_url: ["export", str(_story(d)), "-o", str(d / "out.html"), "--embed-url", url])


# --------------------------------------------------------------------------- corpora: damaged gzip
def _records(n: int) -> bytes:
    return b"".join(json.dumps({"id": f"r{i:02d}", "text": ARTICLE.replace("Monday", f"Monday ({i})")}).encode()
                    + b"\n" for i in range(n))


RECORDS = 40


def _gz_truncated(d: Path) -> int:
    """A .jsonl.gz cut at two thirds; returns how many whole records can still be read."""
    data = gzip.compress(_records(RECORDS), mtime=0)
    cut = data[: len(data) * 2 // 3]
    (d / "corpus").mkdir()
    (d / "corpus" / "a.jsonl.gz").write_bytes(cut)
    readable = zlib.decompressobj(wbits=31).decompress(cut)
    return readable.count(b"\n")


def _gz_garbage(d: Path) -> int:
    (d / "corpus").mkdir()
    (d / "corpus" / "a.jsonl.gz").write_bytes(gzip.compress(_records(RECORDS), mtime=0)
                                             + random.Random(3).randbytes(300))
    return RECORDS


def _event_articles(d: Path) -> set[str]:
    import pyarrow.parquet as pq

    ids: set[str] = set()
    for part in sorted((d / "out").glob("*.parquet")):
        ids |= set(pq.read_table(part, columns=["article_id"]).column(0).to_pylist())
    return ids


def _geoparsed_articles(d: Path) -> set[str]:
    ids: set[str] = set()
    for part in sorted((d / "out").glob("*.jsonl")):
        ids |= {json.loads(line)["id"] for line in part.read_text(encoding="utf-8").splitlines() if line.strip()}
    return ids


def _kept(count: Callable[[Path], set[str]]) -> Callable[[Path, Run], str | None]:
    def check(d: Path, run: Run) -> str | None:
        expected = int((d / "expected").read_text())
        got = len(count(d)) if (d / "out").is_dir() else 0
        return f"lost: {got} of {expected} readable records kept" if got < expected else None
    return check


for _name, _make in (("truncated", _gz_truncated), ("garbage after the end", _gz_garbage)):
    for _command, _count in (("events", _event_articles), ("geoparse", _geoparsed_articles)):
        def _damaged(d: Path, make: Callable[[Path], int] = _make, command: str = _command) -> list[str]:
            (d / "expected").write_text(str(make(d)))
            return [command, str(d / "corpus"), "-o", str(d / "out")]
        case("gzip", f"{_command}: .jsonl.gz {_name}", _kept(_count))(_damaged)


# --------------------------------------------------------------------------- corpora: memory and time
#: the commands' address space in the memory cases: a run of the models needs under 3 GiB
MEMORY = 4 * GIB


def _parquet_bomb(d: Path) -> Path:
    """A Parquet file of a few kB whose table is 6 GB of text once read: one 4 MB text,
    dictionary-encoded, in 1500 rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = 1500
    text = "Ana Lopes flew to Berlin. " * (4_000_000 // 26)
    column = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array([text]))
    path = d / "corpus" / "bomb.parquet"
    path.parent.mkdir()
    pq.write_table(pa.table({"id": pa.array([f"r{i}" for i in range(rows)]), "text": column}), path,
                   compression="zstd")
    return path


def _newline_bomb(d: Path) -> Path:
    """256 MiB of newlines in a gzip file of about 255 kB."""
    path = d / "corpus" / "newlines.jsonl.gz"
    path.parent.mkdir()
    chunk = b"\n" * (1024 * 1024)
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        for _ in range(256):
            fh.write(chunk)
    return path


for _command in ("events", "geoparse"):
    case("memory", f"{_command}: Parquet of 6 GB text", memory=MEMORY, timeout=300)(
        lambda d, command=_command: [command, str(_parquet_bomb(d)), "-o", str(d / "out")])
    case("memory", f"{_command}: 256 MiB of newlines gzipped", memory=MEMORY, timeout=60)(
        lambda d, command=_command: [command, str(_newline_bomb(d)), "-o", str(d / "out")])


# --------------------------------------------------------------------------- corpora: special files
def _corpus_with(d: Path, special: Callable[[Path], None]) -> Path:
    folder = d / "corpus"
    folder.mkdir()
    (folder / "a.jsonl").write_bytes(_records(2))
    special(folder / "b.jsonl")
    return folder


for _name, _special in (("a fifo", os.mkfifo), ("a link to /dev/zero", lambda p: p.symlink_to("/dev/zero"))):
    for _command in ("events", "geoparse"):
        case("special", f"{_command}: corpus .jsonl is {_name}", timeout=60)(
            lambda d, command=_command, special=_special: [command, str(_corpus_with(d, special)), "-o",
                                                           str(d / "out")])


# --------------------------------------------------------------------------- trace
def _variant(name: str, places: tuple[str, str, str]) -> str:
    text = ARTICLE.replace("Ana Lopes", name)
    for old, new in zip(("Berlin", "Warsaw", "Vilnius"), places, strict=True):
        text = text.replace(old, new)
    return text


TRAVELLERS = {"lopes": ARTICLE, "silva": _variant("Ana Silva", ("Madrid", "Lisbon", "Porto")),
              "costa": _variant("Ana Costa", ("Rome", "Milan", "Turin")),
              "reis": _variant("Bruno Reis", ("Oslo", "Bergen", "Stockholm"))}
_CACHE: dict[str, Path] = {}


def _jsonl(path: Path, ids: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"id": i, "text": TRAVELLERS[i], "published": "2025-03-03"}) + "\n"
                            for i in ids), encoding="utf-8")
    return path


def _event_table() -> Path:
    """The event table of the four travellers' articles, made once a run by `storymap events`."""
    if "table" not in _CACHE:
        folder = Path(tempfile.mkdtemp(prefix="storymap-hostile-events-"))
        atexit.register(shutil.rmtree, folder, True)
        _sm(folder, "events", _jsonl(folder / "corpus" / "all.jsonl", list(TRAVELLERS)), "-o", folder / "events")
        _CACHE["table"] = folder / "events" / "part-00000.parquet"
    return _CACHE["table"]


def _malformed_table(d: Path, change: Callable) -> Path:  # noqa: ANN001
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(_event_table())
    for name, values in change(table, pa).items():
        table = table.set_column(table.schema.get_field_index(name), name, values)
    path = d / "events" / "part-00000.parquet"
    path.parent.mkdir()
    pq.write_table(table, path)
    return path.parent


def _traced(d: Path, run: Run) -> str | None:
    out = d / "out.geojson"
    text = out.read_text(encoding="utf-8", errors="replace")
    if run.code != 0:
        return None if text == PREVIOUS else "lost"
    try:
        story = json.loads(text)
        points = [f["geometry"]["coordinates"] for f in story["features"] if (f.get("geometry") or {}).get(
            "type") == "Point"]
    except (ValueError, KeyError, TypeError):
        return "wrong: not a story"
    bad = [p for p in points if not all(isinstance(v, (int, float)) for v in p)]
    return f"wrong: coordinates {bad[0]}" if bad else None


def _trace(folder: Path, subject: str = "Ana Lopes") -> list[str]:
    return ["trace", str(folder), "--subject", subject, "-o", str(_previous(folder.parent / "out.geojson"))]


MALFORMED_EVENTS: dict[str, Callable] = {
    "traveller names as numbers": lambda t, pa: {"traveller_normalised": pa.array(range(t.num_rows), pa.int64())},
    "dates as text": lambda t, pa: {"date": t.column("date").cast(pa.string())},
    "publication dates as numbers": lambda t, pa: {"published": pa.array([20250303] * t.num_rows, pa.int64())},
    "latitude and longitude as text": lambda t, pa: {"lat": t.column("lat").cast(pa.string()),
                                                     "lon": t.column("lon").cast(pa.string())},
    "offsets as text": lambda t, pa: {"mention_start": t.column("mention_start").cast(pa.string()),
                                      "sentence_end": t.column("sentence_end").cast(pa.string())},
    "confidences as text": lambda t, pa: {"confidence": t.column("confidence").cast(pa.string()),
                                          "place_confidence": t.column("place_confidence").cast(pa.string())},
    "excerpts as numbers": lambda t, pa: {"excerpt": pa.array(range(t.num_rows), pa.int64())},
}
for _name, _change in MALFORMED_EVENTS.items():
    case("trace", f"event table with {_name}", _traced)(
        lambda d, change=_change: _trace(_malformed_table(d, change)))


@case("trace", "event table given as JSONL", _traced)
def _(d: Path) -> list[str]:
    import pyarrow.parquet as pq

    rows = pq.read_table(_event_table()).drop_columns(["geometry"]).to_pylist()
    (d / "events").mkdir()
    (d / "events" / "part-00000.jsonl").write_text("".join(json.dumps(r, default=str) + "\n" for r in rows),
                                                   encoding="utf-8")
    return _trace(d / "events")


@case("trace", "stale part file of an earlier run",
      lambda d, run: "wrong: traced the earlier run's events" if run.code == 0 else None)
def _(d: Path) -> list[str]:
    # run 1: two corpus files (Ana Lopes, Bruno Reis); run 2 into the same folder: one (Ana Silva)
    _jsonl(d / "first" / "a.jsonl", ["lopes"])
    _jsonl(d / "first" / "b.jsonl", ["reis"])
    _jsonl(d / "second" / "a.jsonl", ["silva"])
    for corpus in ("first", "second"):
        _sm(d, "events", d / corpus, "-o", d / "events", "--scheduler", "local")
    return _trace(d / "events", "Bruno Reis")


def _ambiguous(d: Path, run: Run) -> str | None:
    named = [n for n in ("Ana Lopes", "Ana Silva", "Ana Costa") if n in run.err]
    if run.code == 0 and len(named) < 2:
        return "wrong: merged the travellers called Ana without a word"
    return _traced(d, run)


@case("trace", "a subject three travellers share", _ambiguous)
def _(d: Path) -> list[str]:
    (d / "events").mkdir()
    shutil.copy(_event_table(), d / "events" / "part-00000.parquet")
    return _trace(d / "events", "Ana")


# --------------------------------------------------------------------------- terminal escapes
ESCAPES = "\x1b]0;pwned\x07\x1b[2J"
CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e")


def _no_escapes(d: Path, run: Run) -> str | None:
    found = [c for c in CONTROLS if c in run.out or c in run.err]
    return f"hole: {found[0]!r} printed" if found else None


def _escaped_title(d: Path) -> list[str]:
    def title(s: dict) -> None:
        s["storymap"]["title"] = f"Tour{ESCAPES} of \u202eevil"
        _stop(s)["properties"]["name"] = f"Berlin{ESCAPES}"
    return _library_with(d, "a", _story(d, title))


@case("escapes", "a title in stories list", _no_escapes)
def _(d: Path) -> list[str]:
    _escaped_title(d)
    return ["stories", "list"]


@case("escapes", "a title and a stop in stories show", _no_escapes)
def _(d: Path) -> list[str]:
    (story_id,) = _escaped_title(d)
    return ["stories", "show", story_id]


@case("escapes", "a file name in stories import", _no_escapes)
def _(d: Path) -> list[str]:
    path = d / f"story{ESCAPES}.geojson"
    shutil.copy(FIXTURE, path)
    return ["stories", "import", str(path)]


@case("escapes", "a file name in export", _no_escapes)
def _(d: Path) -> list[str]:
    return ["export", str(FIXTURE), "-o", str(d / f"out{ESCAPES}.html")]


@case("escapes", "a file name in an error", _no_escapes)
def _(d: Path) -> list[str]:
    (d / f"a{ESCAPES}.txt").write_bytes(b"")
    return _build(d, d / f"a{ESCAPES}.txt")


@case("escapes", "a file name click cannot open", _no_escapes)
def _(d: Path) -> list[str]:
    return ["geoparse", str(d / "missing\x1b]0;pwned\x07.jsonl"), "-o", str(d / "out.jsonl")]


# --------------------------------------------------------------------------- running
OUTCOMES = ("clean", "traceback", "hang", "lost", "wrong", "hole")
#: a case with a memory limit is "wrong" past this peak (a run of the models takes under 1 GiB)
MEMORY_BOUND = int(1.5 * GIB)


def _environment(folder: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ, STORYMAP_DATA_DIR=str(folder / "library"))
    env.update({k: v.replace("{dir}", str(folder)) for k, v in (extra or {}).items()})
    return env


def execute(args: list[str], folder: Path, *, timeout: float, env: dict[str, str] | None = None,
            memory: int | None = None) -> Run:
    """Run storymap with ``args`` in ``folder``; its own process group, killed whole at the
    time limit; the peak memory of the command's process from ``wait4``."""
    def limit() -> None:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    start = time.monotonic()
    proc = subprocess.Popen([*STORYMAP, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=folder, env=_environment(folder, env),
                            start_new_session=True, preexec_fn=limit)
    chunks: dict[str, bytes] = {}

    def read(name: str, stream) -> None:  # noqa: ANN001
        chunks[name] = stream.read()

    readers = [threading.Thread(target=read, args=item, daemon=True)
               for item in (("out", proc.stdout), ("err", proc.stderr))]
    for reader in readers:
        reader.start()
    code: int | None = None
    max_rss = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            code = os.waitstatus_to_exitcode(status)
            max_rss = usage.ru_maxrss * 1024
            break
        if time.monotonic() - start > timeout:
            break
        time.sleep(0.05)
    seconds = time.monotonic() - start
    try:  # what it started (a local Dask cluster) goes with it
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if code is None:
        os.wait4(proc.pid, 0)
    proc.returncode = code if code is not None else -9
    for reader in readers:
        reader.join(10)
    return Run(code, chunks.get("out", b"").decode("utf-8", "replace"),
               chunks.get("err", b"").decode("utf-8", "replace"), seconds, max_rss)


def _memory_problem(c: Case, run: Run) -> str | None:
    if not c.memory:
        return None
    if "MemoryError" in run.err or "std::bad_alloc" in run.err or "memory allocation" in run.err.lower() \
            or (run.code is not None and run.code < 0):
        return f"wrong: out of memory under a {c.memory / GIB:.0f} GiB limit"
    if run.max_rss > MEMORY_BOUND:
        return f"wrong: {run.max_rss / GIB:.1f} GiB of memory (bound {MEMORY_BOUND / GIB:.1f} GiB)"
    return None


def run_case(c: Case, timeout: float) -> tuple[str, str, float]:
    timeout = min(timeout, c.timeout or timeout)
    with tempfile.TemporaryDirectory(prefix="storymap-hostile-") as tmp:
        folder = Path(tmp)
        try:
            args = c.make(folder)
        except SetupError as exc:
            return "setup", f"the case's input could not be made: {exc}", 0.0
        run = execute(args, folder, timeout=timeout, env=c.env, memory=c.memory)
        if run.code is None:
            return "hang", f"still running after {timeout:.0f} s", timeout
        memory = _memory_problem(c, run)
        if memory:
            return "wrong", f"{memory} (exit {run.code})", run.seconds
        if "Traceback (most recent call last)" in run.err:
            last = [line for line in run.err.strip().splitlines() if line.strip()][-1]
            return "traceback", last[:120], run.seconds
        problem = c.check(folder, run) if c.check else None
        message = (run.err.strip().splitlines() or [""])[-1][:120]
        if problem:
            outcome = problem.split(":")[0] if problem.split(":")[0] in ("lost", "hole") else "wrong"
            return outcome, f"{problem} (exit {run.code}) {message!r}"[:300], run.seconds
        return "clean", f"exit {run.code}: {message!r}", run.seconds


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
    print(f"\n{len(results)} cases: " + ", ".join(f"{counts[k]} {k}" for k in OUTCOMES)
          + (f", {counts['setup']} not run (setup failed)" if counts["setup"] else ""))
    if options.json:
        options.json.write_text(json.dumps(results, indent=1, sort_keys=True), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
