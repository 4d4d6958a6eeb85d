"""Batch geoparsing: find and place every toponym in plain texts.

This is the second front end of the one geoparser that ``storymap build`` uses: the
same :class:`~storymap.recognize.Recognizer` finds the names and the same
:func:`~storymap.resolve.resolve` places them. ``storymap build`` turns the result into a
story; this module turns it into one JSON line per article::

    {"id": "a1", "text": "...", "toponyms": [{"start": 3, "end": 9, "name": "Moscow",
      "lat": 55.75, "lon": 37.62, "gazetteer_id": "geonames:524901", "geonameid": 524901,
      "place_type": "city", "confidence": 0.97}]}

Offsets are Python ``str`` indices into ``text``, end exclusive. Every key of the input
line other than ``toponyms`` is passed through unchanged.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from storymap.articles import Article, Block
from storymap.errors import StorymapError
from storymap.gazetteer import ADMIN_TYPES, Gazetteer, GazetteerRecord
from storymap.recognize import Recognizer
from storymap.resolve import resolve


class GeoparseError(StorymapError, ValueError):
    """One input line cannot be geoparsed (not JSON, no text...)."""


@dataclass(frozen=True, slots=True)
class Toponym:
    """A place name in a text and where it is: ``text[start:end] == name``."""

    start: int
    end: int
    name: str
    lat: float | None
    lon: float | None
    gazetteer_id: str | None
    geonameid: int | None
    place_type: str
    confidence: float

    def to_dict(self) -> dict:
        return asdict(self)


def text_article(text: str, article_id: str = "text") -> Article:
    """An :class:`Article` over plain text, one story block per non-blank line."""
    blocks = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            blocks.append(Block(pos + lead, pos + lead + len(stripped)))
        pos += len(line) + 1
    return Article(article_id, Path(article_id), text, tuple(blocks))


def _locality(records: list[GazetteerRecord]) -> GazetteerRecord | None:
    """The article's main locality: its most mentioned town or facility, else division, else country."""
    for kinds in (None, {"admin1", "region"}, {"country"}):
        pool = [r for r in records if (r.place_type in kinds if kinds else r.place_type not in ADMIN_TYPES)]
        if pool:
            counts = Counter(r.gazetteer_id for r in pool)
            best = max(pool, key=lambda r: (counts[r.gazetteer_id], -records.index(r)))
            return best
    return None


class Geoparser:
    """Finds and places toponyms in texts.

    Parameters
    ----------
    gazetteer:
        The offline gazetteer (default: the one in the user cache, built on first use).
    """

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer or Gazetteer()
        self.recognizer = Recognizer(self.gazetteer)

    def parse_article(self, article: Article) -> list[Toponym]:
        """Toponyms of one article, in text order.

        Names the entity model calls places but the gazetteer cannot place (streets,
        buildings) are put at the article's main locality, with ``gazetteer_id`` null,
        ``place_type`` "nearby" and a low confidence.
        """
        analysis = self.recognizer.analyse(article)
        out = []
        resolved = resolve(analysis.mentions, {article.id: article.text}) if analysis.mentions else []
        for r in resolved:
            m, best = r.mention, r.best
            rec = best.record
            out.append(Toponym(m.start, m.end, m.text, rec.lat, rec.lon, rec.gazetteer_id, rec.geonameid,
                               rec.place_type, best.confidence))
        if analysis.unlocated:
            home = _locality([r.best.record for r in resolved if not r.mention.demonym])
            for start, end, name in analysis.unlocated:
                out.append(Toponym(start, end, name, home.lat if home else None, home.lon if home else None,
                                   None, None, "nearby", 0.1 if home else 0.0))
            out.sort(key=lambda t: t.start)
        return out

    def parse(self, text: str, article_id: str = "text") -> list[Toponym]:
        """Toponyms of a plain text, in text order."""
        return self.parse_article(text_article(text, article_id))

    def parse_line(self, line: str, lineno: int = 0) -> str:
        """One JSONL input line to one output line (without the newline).

        Raises
        ------
        GeoparseError
            When the line is not a JSON object with a string ``text``.
        """
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            msg = f"line {lineno}: not JSON ({exc.msg})"
            raise GeoparseError(msg) from exc
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            msg = f"line {lineno}: expected a JSON object with a string 'text'"
            raise GeoparseError(msg)
        article_id = str(record.get("id", f"line-{lineno}"))
        record["toponyms"] = [t.to_dict() for t in self.parse(record["text"], article_id)]
        return json.dumps(record, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class LineResult:
    """The outcome of one input line: an output line or an error message."""

    lineno: int
    output: str | None
    error: str | None = None


# one geoparser per worker process, made by the pool's initializer
_WORKER: Geoparser | None = None


def _init_worker(path: str) -> None:
    global _WORKER
    _WORKER = Geoparser(Gazetteer(path, build_missing=False))


def _work(item: tuple[int, str]) -> LineResult:
    assert _WORKER is not None
    return _one(_WORKER, item)


def _one(geoparser: Geoparser, item: tuple[int, str]) -> LineResult:
    lineno, line = item
    try:
        return LineResult(lineno, geoparser.parse_line(line, lineno))
    except GeoparseError as exc:
        return LineResult(lineno, None, str(exc))


def geoparse_lines(lines: Iterable[str], *, geoparser: Geoparser | None = None, jobs: int = 1) -> Iterator[LineResult]:
    """Geoparse JSONL lines, yielding one :class:`LineResult` per non-blank line, in input order.

    A bad line yields a result with ``error`` set and does not stop the others. With
    ``jobs > 1`` the lines are shared among that many worker processes.
    """
    geoparser = geoparser or Geoparser()
    items = ((n, line) for n, line in enumerate(lines, 1) if line.strip())
    if jobs <= 1:
        for item in items:
            yield _one(geoparser, item)
        return
    import multiprocessing

    ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(str(geoparser.gazetteer.path),)) as pool:
        yield from pool.imap(_work, items, chunksize=4)
