"""Batch geoparsing: find and place every toponym in plain texts.

This is a front end of the one pipeline that ``storymap build`` runs
(:func:`storymap.pipeline.analyse`, each text its own story, places only): the record is
read as ``build`` reads an article file (:func:`storymap.records.record_article`), but
every line of it is searched for names, furniture and header lines included
(:func:`storymap.records.every_line`: a geoparser lists every name in a text); the
same :class:`~storymap.recognize.Recognizer` finds the names and the same
:func:`~storymap.resolve.resolve` places them. ``storymap build`` turns the result into a
story; this module turns it into one JSON line per article::

    {"id": "a1", "text": "...", "toponyms": [{"start": 3, "end": 9, "name": "Moscow",
      "lat": 55.75, "lon": 37.62, "gazetteer_id": "geonames:524901", "geonameid": 524901,
      "place_type": "city", "confidence": 0.97}]}

Offsets are Python ``str`` indices into ``text``, end exclusive. Every key of the input
line other than ``toponyms`` is passed through unchanged; ``outlet`` (or ``source``) and
``url`` also name the outlet whose home city weighs ambiguous names
(:func:`~storymap.resolve.outlet_home`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache

from storymap.articles import Article
from storymap.corpus import (
    FORMATS,
    CorpusError,
    CorpusResult,
    PartitionResult,
    partition_name,
    read_partition,
    run_partitions,
    write_geoparquet,
)
from storymap.files import write_atomic
from storymap.gazetteer import Gazetteer
from storymap.pipeline import analyse, shared_recognizer
from storymap.recognize import Recognizer
from storymap.records import GeoparseError, decode_text, every_line, is_comment, parse_record, record_article, \
    text_article


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


class Geoparser:
    """Finds and places toponyms in texts.

    Parameters
    ----------
    gazetteer:
        The offline gazetteer (default: the one in the user cache, built on first use).
    """

    def __init__(self, gazetteer: Gazetteer | None = None, *, recognizer: Recognizer | None = None) -> None:
        self.recognizer = recognizer or Recognizer(gazetteer or Gazetteer())
        self.gazetteer = self.recognizer.gazetteer

    def parse_article(self, article: Article) -> list[Toponym]:
        """Toponyms of one article, in text order.

        Names the text calls places but the gazetteer cannot place (streets, buildings,
        hamlets: see :class:`storymap.pipeline.Unplaced`) are put at the article's main
        locality, or at the division that qualifies them ("Almo, Ky."), with
        ``gazetteer_id`` null, ``place_type`` "nearby" and a low confidence.
        """
        [story] = analyse([every_line(article)], recognizer=self.recognizer, together=False, movements=False,
                          demonyms=True)
        [read] = story.articles
        out = []
        for r in read.places:
            m, best = r.mention, r.best
            rec = best.record
            out.append(Toponym(m.start, m.end, m.text, rec.lat, rec.lon, rec.gazetteer_id, rec.geonameid,
                               rec.place_type, best.confidence))
        for u in read.unplaced:
            out.append(Toponym(u.start, u.end, u.name, u.near.lat if u.near else None,
                               u.near.lon if u.near else None, None, None, "nearby", 0.1 if u.near else 0.0))
        out.sort(key=lambda t: t.start)
        return out

    def parse(self, text: str, article_id: str = "text") -> list[Toponym]:
        """Toponyms of a plain text, in text order."""
        return self.parse_article(text_article(text, article_id)[0])

    def parse_line(self, line: str | bytes, lineno: int = 0) -> str:
        """One JSONL input line (bytes are decoded as UTF-8) to one output line (without the newline).

        Raises
        ------
        GeoparseError
            When the line is not UTF-8, not a JSON object with a string ``text``, holds a
            lone surrogate ("\\ud800") or a text over :data:`MAX_TEXT_CHARS`; the message
            starts with ``line N:``.
        """
        record = parse_record(line, lineno)
        # the record's outlet and web address weigh ambiguous names (:func:`outlet_home`)
        article, _ = record_article({**record, "id": record.get("id", f"line-{lineno}")})
        record["toponyms"] = [t.to_dict() for t in self.parse_article(article)]
        return json.dumps(record, ensure_ascii=False)

    def parse_text_input(self, raw: bytes, name: str, article_id: str | None = None) -> str:
        """A whole plain-text input (one article) to one output line (without the newline).

        ``name`` names the input in messages; ``article_id`` (default ``name``) is its id.

        Raises
        ------
        GeoparseError
            When the input is empty, binary, not UTF-8 or over :data:`MAX_TEXT_CHARS`.
        """
        text = decode_text(raw, name)
        article_id = name if article_id is None else article_id
        record = {"id": article_id, "text": text, "toponyms": [t.to_dict() for t in self.parse(text, article_id)]}
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


def _work(item: tuple[int, str | bytes]) -> LineResult:
    assert _WORKER is not None
    return _one(_WORKER, item)


def _one(geoparser: Geoparser, item: tuple[int, str | bytes]) -> LineResult:
    lineno, line = item
    try:
        return LineResult(lineno, geoparser.parse_line(line, lineno))
    except GeoparseError as exc:
        return LineResult(lineno, None, str(exc))


def geoparse_lines(lines: Iterable[str | bytes], *, geoparser: Geoparser | None = None,
                   jobs: int = 1) -> Iterator[LineResult]:
    """Geoparse JSONL lines, yielding one :class:`LineResult` per line that is not blank or a ``#`` comment.

    Lines may be ``bytes`` (decoded here, one by one, so bad bytes spoil only their own
    line) or ``str``. A bad line yields a result with ``error`` set ("line N: ...") and
    does not stop the others. With ``jobs > 1`` the lines are shared among that many
    worker processes.
    """
    geoparser = geoparser or Geoparser()
    items = ((n, line) for n, line in enumerate(lines, 1) if not is_comment(line))
    if jobs <= 1:
        for item in items:
            yield _one(geoparser, item)
        return
    import multiprocessing

    ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(str(geoparser.gazetteer.path),)) as pool:
        yield from pool.imap(_work, items, chunksize=4)


# --------------------------------------------------------------------------- corpora


@lru_cache(maxsize=1)
def worker_geoparser() -> Geoparser:
    """The process's :class:`Geoparser`: the model and the gazetteer load once per worker,
    whatever the number of partitions it runs."""
    return Geoparser(recognizer=shared_recognizer())


#: (column, pyarrow type name) of the toponym table written by ``--format parquet``
TOPONYM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("article_id", "string"), ("start", "int32"), ("end", "int32"), ("name", "string"),
    ("lat", "float64"), ("lon", "float64"), ("gazetteer_id", "string"), ("geonameid", "int64"),
    ("place_type", "string"), ("confidence", "float64"),
)


def geoparse_partition(path: str, out_dir: str, index: int, fmt: str = "jsonl") -> PartitionResult:
    """Geoparse one corpus file into ``out_dir/part-NNNNN.jsonl`` (lines in order of article
    id) or, with ``fmt="parquet"``, a GeoParquet table of its toponyms (``part-NNNNN.parquet``).

    A record that cannot be geoparsed is counted and reported ("file, record N: ..."), never
    fatal; a file that cannot be read at all is one bad record for the whole file.
    """
    geoparser = worker_geoparser()
    lines: list[tuple[str, int, str]] = []
    bad: list[str] = []
    try:
        for n, record in read_partition(path):
            try:
                out = geoparser.parse_line(record, n)
            except GeoparseError as exc:
                bad.append(f"{path}, {exc}".replace(f"line {n}:", f"record {n}:"))
                continue
            lines.append((_article_id(out, n), n, out))
    except CorpusError as exc:
        bad.append(str(exc))
    lines.sort(key=lambda x: (x[0], x[1]))
    target = os.path.join(out_dir, partition_name(index, fmt))
    if fmt == "parquet":
        rows = [{"article_id": article_id, **t} for article_id, _, line in lines
                for t in json.loads(line)["toponyms"]]
        write_geoparquet(target, rows, TOPONYM_COLUMNS)
    else:
        write_atomic(target, "".join(line + "\n" for _, _, line in lines))
    return PartitionResult(path, target, len(lines), tuple(bad))


def _article_id(line: str, n: int) -> str:
    value = json.loads(line).get("id")
    return str(value) if value is not None else f"line-{n}"


def geoparse_corpus(spec: str, out_dir: str | os.PathLike[str], *, fmt: str = "jsonl", scheduler: str | None = None,
                    workers: int | None = None,
                    progress: Callable[[int, int], None] | None = None) -> CorpusResult:
    """Geoparse every file of a corpus into ``out_dir``: one JSONL file (or, with
    ``fmt="parquet"``, one GeoParquet table of toponyms) per input file.

    Parameters
    ----------
    spec
        A corpus file, a folder of them or a glob; local or an fsspec URL.
    out_dir
        The output folder (created); ``part-NNNNN.jsonl`` for the Nth input file in sorted order.
    scheduler
        ``None`` (default): a local Dask cluster of ``workers`` processes, or this process
        alone when there is one file or ``workers`` is 1; ``"local"``: this process;
        ``"tcp://host:8786"``: an existing Dask scheduler (its workers need storymap installed
        and the corpus and ``out_dir`` reachable).
    workers
        Worker processes of the local cluster (default: one per core).
    progress
        Called with (partitions done, partitions in all) as they finish.
    """
    if fmt not in FORMATS:
        raise CorpusError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    return run_partitions(geoparse_partition, spec, out_dir, (fmt,), scheduler=scheduler, workers=workers,
                          progress=progress)


__all__ = ["TOPONYM_COLUMNS", "GeoparseError", "Geoparser", "LineResult", "Toponym", "geoparse_corpus",
           "geoparse_lines", "geoparse_partition", "worker_geoparser"]
