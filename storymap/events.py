"""Movement events: an archive mined once, and stories traced from the result.

:func:`article_events` runs the pipeline of ``storymap build`` (one parse per article,
recognition, resolution, the itinerary's candidates and dates, the datelines) over a
batch of independent articles and keeps every movement event of every traveller the
texts name, not only the story's subject. :func:`events_partition` does it for one
corpus file and writes a GeoParquet table (``storymap events``); :func:`trace` reads such
tables and builds the story file of one traveller from every article's evidence, with
the same stop rules as ``build`` (:func:`storymap.story.assign_roles`), without parsing
again.

The table has one row per (traveller, event); its columns are :data:`EVENT_COLUMNS`.
Offsets are ``str`` indices into the record's ``text``, end exclusive.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from storymap.articles import Article, Block
from storymap.corpus import CorpusError, CorpusResult, PartitionResult, partition_name, read_partition, \
    run_partitions, write_geoparquet
from storymap.errors import StorymapError
from storymap.gazetteer import Gazetteer, GazetteerRecord, PlaceType
from storymap.dates import find_dates
from storymap.itinerary import TITLES, EventKind, EventStatus, MovementEvent, date_event
from storymap.pipeline import analyse, article_anchors, shared_recognizer
from storymap.recognize import Mention, Recognizer
from storymap.records import MAX_TEXT_CHARS, GeoparseError, parse_record, record_article
from storymap.resolve import Candidate, Resolved
from storymap.storyfile import Story, check_story, update
from storymap.story import Place, assemble_story

#: (column, pyarrow type name) of the movement-event table, in order; "geometry" is the
#: place's point as WKB (GeoParquet 1.0, longitude/latitude on WGS 84)
EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("article_id", "string"), ("outlet", "string"), ("published", "date32"), ("title", "string"),
    ("url", "string"), ("source_file", "string"),
    ("traveller", "string"), ("traveller_normalised", "string"), ("is_subject", "bool_"),
    ("place_name", "string"), ("mention", "string"), ("gazetteer_id", "string"), ("geonameid", "int64"),
    ("place_type", "string"), ("country_code", "string"), ("located_in", "string"),
    ("lat", "float64"), ("lon", "float64"), ("place_confidence", "float64"),
    ("date", "date32"), ("date_end", "date32"), ("date_text", "string"), ("date_inferred", "bool_"),
    ("status", "string"), ("kind", "string"), ("predicate", "string"), ("cue", "string"),
    ("confidence", "float64"),
    ("sentence_start", "int32"), ("sentence_end", "int32"), ("mention_start", "int32"), ("mention_end", "int32"),
    ("excerpt", "string"),
)

#: articles parsed in one pass of the model
BATCH = 32


class TraceError(StorymapError):
    """A story cannot be traced (no event table there, no event of that traveller...)."""


def article_events(articles: Sequence[Article], recognizer: Recognizer, source: str = "") -> list[dict[str, Any]]:
    """The event table's rows for independent articles (each read on its own, as one story)
    from the corpus file ``source``.

    Every traveller the article names on the move gets its events; an event told by a
    title or a pronoun goes to the story's subject, by the same rules as ``build``
    (both run :func:`storymap.pipeline.analyse`).
    """
    rows: list[dict[str, Any]] = []
    if recognizer.ner is None or not articles:
        return rows  # no parse, no itinerary
    for story in analyse(articles, recognizer=recognizer, together=False, every_traveller=True):
        [read] = story.articles
        claimed: set[tuple[tuple[int, int], str]] = set()
        for n, trip in enumerate(story.trips):
            for e in trip.events:
                r = trip.by_mention.get((e.article, e.mention[0]))
                if r is None or (e.mention, e.predicate) in claimed and n:
                    continue
                if n == 0:
                    claimed.add((e.mention, e.predicate))
                rows.append(_row(read.article, source, e, r, trip.traveller.name, trip.is_subject))
    rows.sort(key=lambda r: (r["article_id"], r["mention_start"], r["traveller_normalised"], r["predicate"]))
    return rows


def _row(article: Article, source: str, e: MovementEvent, r: Resolved, traveller: str,
         is_subject: bool) -> dict[str, Any]:
    rec = r.best.record
    return {
        "article_id": article.id, "outlet": article.source, "published": article.published,
        "title": article.title, "url": article.url, "source_file": source or None,
        "traveller": e.traveller or None, "traveller_normalised": traveller, "is_subject": is_subject,
        "place_name": rec.name, "mention": article.text[r.mention.start : r.mention.end],
        "gazetteer_id": rec.gazetteer_id, "geonameid": rec.geonameid, "place_type": rec.place_type,
        "country_code": rec.country_code or None, "located_in": rec.located_in or None,
        "lat": rec.lat, "lon": rec.lon, "place_confidence": r.best.confidence,
        "date": e.date, "date_end": e.date_end, "date_text": e.date_text, "date_inferred": e.date_inferred,
        "status": e.status, "kind": e.kind, "predicate": e.predicate, "cue": e.cue, "confidence": e.confidence,
        "sentence_start": e.sentence[0], "sentence_end": e.sentence[1],
        "mention_start": e.mention[0], "mention_end": e.mention[1],
        "excerpt": article.text[e.sentence[0] : e.sentence[1]],
    }


def events_partition(path: str, out_dir: str, index: int) -> PartitionResult:
    """The movement events of one corpus file, written to ``out_dir/part-NNNNN.parquet``.

    A record that is not a JSON object with a string ``text`` is counted and reported,
    never fatal; an unusable ``published`` is reported and the record read without it.
    """
    recognizer = shared_recognizer()
    bad: list[str] = []
    articles: list[Article] = []
    rows: list[dict[str, Any]] = []

    def flush() -> None:
        rows.extend(article_events(articles, recognizer, path))
        articles.clear()

    try:
        for n, raw in read_partition(path):
            try:
                record = parse_record(raw, n)
            except GeoparseError as exc:
                bad.append(f"{path}, {exc}".replace(f"line {n}:", f"record {n}:"))
                continue
            record.setdefault("id", f"line-{n}")
            article, note = record_article(record)
            if note:
                bad.append(f"{path}, record {n}: {note}")
            articles.append(article)
            if len(articles) >= BATCH:
                flush()
    except CorpusError as exc:  # the records read before it are kept
        bad.append(str(exc))
    flush()
    rows.sort(key=lambda r: (r["article_id"], r["mention_start"], r["traveller_normalised"], r["predicate"]))
    target = os.path.join(out_dir, partition_name(index, "parquet"))
    write_geoparquet(target, rows, EVENT_COLUMNS)
    return PartitionResult(path, target, len({r["article_id"] for r in rows}), tuple(bad), events=len(rows))


def events_corpus(spec: str, out_dir: str | os.PathLike[str], *, scheduler: str | None = None,
                  workers: int | None = None, progress: Callable[[int, int], None] | None = None) -> CorpusResult:
    """The movement-event table of a corpus: one GeoParquet file per input file in ``out_dir``
    (see :func:`storymap.corpus.run_partitions` for the scheduler, workers and progress)."""
    return run_partitions(events_partition, spec, out_dir, (), scheduler=scheduler, workers=workers,
                          progress=progress)


# --------------------------------------------------------------------------- trace


def _words(name: str) -> frozenset[str]:
    words = (w.lower().rstrip(".").removesuffix("'s").removesuffix("’s") for w in re.split(r"[\s,]+", name))
    return frozenset(w for w in words if w and w not in TITLES)


def same_traveller(query: str, name: str | None) -> bool:
    """Whether a traveller named ``name`` in the table is the one asked for: one name's words
    (case, titles and possessives aside) hold the other's ("Putin", "Vladimir Putin",
    "President Putin")."""
    q, n = _words(query), _words(name or "")
    return bool(q and n) and (q <= n or n <= q)


@dataclass(frozen=True, slots=True)
class TraceResult:
    """A traced story, the number of events it was built from, and what could not be used."""

    story: Story
    events: int
    articles: int
    problems: tuple[str, ...] = ()


class EventTableError(TraceError):
    """An event table is malformed: not Parquet, a column missing, of the wrong type, empty
    where a value is needed or out of range. The message names the file and the column."""


class AmbiguousSubjectError(TraceError):
    """The name asked for matches several different travellers.

    ``matches`` holds each of them, the fullest name, with its number of events, most first.
    """

    def __init__(self, source: object, subject: str, matches: Sequence[tuple[str, int]]) -> None:
        self.subject = subject
        self.matches = tuple(matches)
        shown = "; ".join(f"{name} ({count} event{'s' if count != 1 else ''})"
                          for name, count in self.matches[:MAX_LISTED])
        more = f"; and {len(self.matches) - MAX_LISTED} more" if len(self.matches) > MAX_LISTED else ""
        super().__init__(f"{source}: {subject!r} names {len(self.matches)} different travellers: {shown}{more}. "
                         "Give a fuller name, or merge them into one story deliberately (--all)")


#: travellers listed by :class:`AmbiguousSubjectError`; the rest are counted
MAX_LISTED = 20

#: columns a traced event cannot do without (the others may be null)
REQUIRED_COLUMNS = ("article_id", "traveller_normalised", "place_name", "mention", "gazetteer_id", "place_type",
                    "lat", "lon", "place_confidence", "status", "kind", "predicate", "confidence",
                    "sentence_start", "sentence_end", "mention_start", "mention_end", "excerpt")
#: columns that hold a word of a closed vocabulary
VOCABULARY_COLUMNS: dict[str, type[enum.StrEnum]] = {"place_type": PlaceType, "status": EventStatus,
                                                     "kind": EventKind}
#: the offsets of an event: into an article's text, so never beyond the longest text read
OFFSET_COLUMNS = ("sentence_start", "sentence_end", "mention_start", "mention_end")
# what a column of each type of EVENT_COLUMNS may hold in a table written by something else
# (pandas, DuckDB...): its kind of value in messages, and the pyarrow.types tests it may pass
_KINDS = {
    "string": ("text", ("is_string", "is_large_string", "is_string_view")),
    "int32": ("integer", ("is_integer",)),
    "int64": ("integer", ("is_integer",)),
    "float64": ("number", ("is_floating", "is_integer")),
    "date32": ("date", ("is_date",)),
    "bool_": ("true/false", ("is_boolean",)),
}


def event_schema() -> Any:
    """The pyarrow schema of :data:`EVENT_COLUMNS`."""
    import pyarrow as pa

    return pa.schema([pa.field(name, getattr(pa, kind)()) for name, kind in EVENT_COLUMNS])


def _not_table(file: str, problem: str) -> EventTableError:
    return EventTableError(f"{file}: not an event table from 'storymap events' ({problem})")


def check_event_file(file: str) -> None:
    """Check that the Parquet file ``file`` has every column of :data:`EVENT_COLUMNS`, each of
    the right kind of value.

    Raises
    ------
    EventTableError
        Naming the file and the column.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(file)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise _not_table(file, f"cannot read it as Parquet: {exc}") from exc
    for name, kind in EVENT_COLUMNS:
        if schema.get_field_index(name) < 0:
            raise _not_table(file, f"no column {name!r}")
        found = schema.field(name).type
        what, tests = _KINDS[kind]
        fits = any(getattr(pa.types, test)(found) for test in tests)
        if not (fits or pa.types.is_null(found) and name not in REQUIRED_COLUMNS):
            raise EventTableError(f"{file}: column {name!r} holds {found} values, not {what} "
                                  f"({kind.rstrip('_')}); not an event table from 'storymap events'")


def check_event_rows(file: str, table: Any) -> None:
    """Check the rows ``table`` read from ``file``: no null where an event needs a value, and
    offsets within a text (0 to :data:`~storymap.records.MAX_TEXT_CHARS`, starts before ends).

    Raises
    ------
    EventTableError
        Naming the file and the column.
    """
    import pyarrow.compute as pc

    if not table.num_rows:
        return
    for name in REQUIRED_COLUMNS:
        nulls = table.column(name).null_count
        if nulls:
            raise EventTableError(f"{file}: column {name!r} is empty in {nulls} of the events asked for; "
                                  "every event needs one")
    for name in OFFSET_COLUMNS:
        low, high = pc.min_max(table.column(name)).values()
        if low.as_py() < 0 or high.as_py() > MAX_TEXT_CHARS:
            bad = low.as_py() if low.as_py() < 0 else high.as_py()
            raise EventTableError(f"{file}: column {name!r} holds {bad}, not an offset into a text "
                                  f"(0 to {MAX_TEXT_CHARS:,})")
    for start, end in (("sentence_start", "sentence_end"), ("mention_start", "mention_end")):
        if pc.any(pc.greater(table.column(start), table.column(end))).as_py():
            raise EventTableError(f"{file}: column {end!r} holds an offset before its {start!r}")
    for name, vocabulary in VOCABULARY_COLUMNS.items():
        for value in pc.unique(table.column(name)).to_pylist():
            if value not in set(vocabulary):
                raise EventTableError(f"{file}: column {name!r} holds {value!r}, not one of "
                                      f"{', '.join(vocabulary)}")


def _event_files(source: str | os.PathLike[str]) -> list[str]:
    path = str(source)
    files = sorted(str(p) for p in Path(path).glob("*.parquet")) if Path(path).is_dir() else [path]
    if not files:
        raise TraceError(f"{source}: no .parquet files there; make an event table with 'storymap events'")
    return files


def travellers_of(counts: dict[str, int]) -> list[tuple[str, int]]:
    """The different travellers among names (with their numbers of events): a name whose
    words another's hold ("Putin", "President Putin" beside "Vladimir Putin") is that one's.

    Each traveller is given by its fullest name (its most frequent spelling), with the events
    of its own names; most events first, then by name.
    """
    by_words: dict[frozenset[str], Counter[str]] = {}
    for name, count in counts.items():
        by_words.setdefault(_words(name), Counter())[name] += count
    fullest = [w for w in by_words if not any(w < other for other in by_words)]
    out = []
    for words in fullest:
        spellings = by_words[words]
        name = min(spellings, key=lambda n: (-spellings[n], n))
        out.append((name, sum(spellings.values())))
    return sorted(out, key=lambda x: (-x[1], x[0]))


def read_events(source: str | os.PathLike[str], subject: str, date_from: dt.date | None = None,
                date_to: dt.date | None = None, *, merge: bool = False) -> list[dict[str, Any]]:
    """The rows of an event table (a GeoParquet file, or a folder of them) about ``subject``,
    dated (by the event's date, else the article's publication date) within the range, and
    the rows with neither date (an article without a publication date, whose date phrase
    only the story's other articles can date: see :func:`trace`).

    Raises
    ------
    EventTableError
        When a file is not an event table (see :func:`check_event_file`, :func:`check_event_rows`).
    AmbiguousSubjectError
        When ``subject`` names several different travellers in the range ("Ana": "Ana
        Lopes", "Ana Varga"...), unless ``merge`` is true.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    files = _event_files(source)
    schema = event_schema()
    datasets = []
    names: set[str] = set()
    for file in files:
        check_event_file(file)
        try:
            data = ds.dataset(file, schema=schema, format="parquet")
            names.update(n for n in pc.unique(data.to_table(columns=["traveller_normalised"]).column(0)).to_pylist()
                         if n is not None)
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise _not_table(file, str(exc)) from exc
        datasets.append((file, data))
    wanted = sorted(n for n in names if same_traveller(subject, n))
    if not wanted:
        return []
    where = pc.field("traveller_normalised").isin(wanted)
    when = pc.if_else(pc.is_null(pc.field("date")), pc.field("published"), pc.field("date"))
    within = pc.scalar(True)
    if date_from is not None:
        within &= when >= pa.scalar(date_from, pa.date32())
    if date_to is not None:
        within &= when <= pa.scalar(date_to, pa.date32())
    if date_from is not None or date_to is not None:
        where &= within | pc.is_null(when)
    columns = [c for c, _ in EVENT_COLUMNS]
    tables = []
    for file, data in datasets:
        try:
            table = data.to_table(columns=columns, filter=where)
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise EventTableError(f"{file}: cannot read the event table ({exc})") from exc
        check_event_rows(file, table)
        tables.append(table)
    table = pa.concat_tables(tables)
    if not merge:
        counts = table.column("traveller_normalised").value_counts().to_pylist()
        found = travellers_of({c["values"]: c["counts"] for c in counts})
        if len(found) > 1:
            raise AmbiguousSubjectError(source, subject, found)
    rows = table.to_pylist()
    # the scan's order may vary between runs; the story must not
    return sorted(rows, key=lambda r: (r["article_id"], r["mention_start"], r["traveller_normalised"],
                                       r["predicate"], r["status"], r["source_file"] or ""))


def trace(source: str | os.PathLike[str], subject: str, *, date_from: dt.date | None = None,
          date_to: dt.date | None = None, title: str | None = None, gazetteer: Gazetteer | None = None,
          merge: bool = False) -> TraceResult:
    """The story of ``subject`` from an event table: its stops merged across every article
    that reports them, each with all its evidence and the number of articles behind it.

    Stops, statuses (a later article's cancellation drops a plan), dates (the most reported
    date wins; the others stay in the evidence) and order follow the rules of ``build``.
    ``gazetteer`` (optional) names the country in the title. When ``subject`` names several
    different travellers ("Ana": "Ana Lopes", "Ana Varga"), the story is refused unless
    ``merge`` is true: then it is the story of all of them.

    Raises
    ------
    TraceError
        When the table cannot be read or holds no event of ``subject`` in the range;
        :class:`EventTableError` when it is malformed, :class:`AmbiguousSubjectError` when
        ``subject`` names several travellers.
    """
    rows = read_events(source, subject, date_from, date_to, merge=merge)
    span = "" if date_from is None and date_to is None else \
        f" between {date_from or 'the start'} and {date_to or 'the end'}"
    # each article's anchor as build's story of these articles has it: an article with no
    # date of its own counts its weekdays and yearless dates from the others'
    anchors = article_anchors(_articles(rows))
    rows = [_dated(row, anchors.get(row["article_id"])) for row in rows]
    if span:
        # an event of an undated article is in the range once the story's anchors date it
        rows = [row for row in rows if _within(row["date"] or row["published"], date_from, date_to)]
    if not rows:
        raise TraceError(f"{source}: no movement event of {subject!r}{span}")
    # the name the table gives the traveller most often ("Putin" asked, "Vladimir Putin" found)
    counts = Counter(row["traveller_normalised"] for row in rows)
    name = min(counts, key=lambda n: (-counts[n], -len(n), n))
    articles = _articles(rows)
    places: dict[str, Place] = {}
    for row in rows:
        place = places.get(row["gazetteer_id"])
        if place is None:
            place = places[row["gazetteer_id"]] = Place(_place_record(row))
        mention = Mention(row["article_id"], row["mention_start"], row["mention_end"], row["mention"], ())
        if not any(m.mention.article == mention.article and m.mention.start == mention.start for m in place.mentions):
            place.mentions.append(Resolved(mention, (Candidate(place.record, 1.0, row["place_confidence"]),)))
        place.evidence.append(MovementEvent(
            row["article_id"], (row["mention_start"], row["mention_end"]), (row["sentence_start"], row["sentence_end"]),
            row["predicate"], row["traveller"] or "", EventStatus(row["status"]), EventKind(row["kind"]), row["date"],
            row["date_end"],
            row["date_text"], row["cue"], row["confidence"], bool(row["date_inferred"])))
    order = sorted(articles, key=lambda a: (anchors[a.id] or dt.date.max, a.id))
    ordered = list(places.values())
    story = assemble_story(ordered, order, name, title=title, gazetteer=gazetteer)
    stops = [p for p in ordered if p.role == "stop"]
    source_files = {row["article_id"]: row["source_file"] for row in rows}
    # each article is a record of a corpus file, not a file of its own
    refs = tuple(update(a, file=None, sha256=None, corpus_file=source_files[a.id]) for a in story.articles)
    traced = {"events": str(source), "subject": subject, "from": date_from.isoformat() if date_from else None,
              "to": date_to.isoformat() if date_to else None}
    story = replace(story, meta=update(story.meta, articles=refs, traced=traced))
    problems = () if stops else (f"no stop: {subject!r} is only mentioned or planned elsewhere{span}",)
    return TraceResult(check_story(story, name="traced story"), len(rows), len(articles), problems)


def _dated(row: dict[str, Any], anchor: dt.date | None) -> dict[str, Any]:
    """An event of an article with no publication date, whose date phrase could not be
    dated when its article was mined alone, dated from the story's ``anchor`` for that
    article as ``build`` dates it (see :func:`storymap.itinerary.date_event`)."""
    if row["published"] is not None or row["date"] is not None or not row["date_text"] or anchor is None:
        return row
    dates = find_dates(row["date_text"])
    if not dates:
        return row
    date, date_end, _, status = date_event(dates, anchor, EventStatus(row["status"]), undated=True,
                                           kind=EventKind(row["kind"]))
    if date is None:
        return row
    return {**row, "date": date, "date_end": date_end, "status": status}


def _within(date: dt.date | None, date_from: dt.date | None, date_to: dt.date | None) -> bool:
    return date is not None and (date_from is None or date >= date_from) and (date_to is None or date <= date_to)


def _place_record(row: dict[str, Any]) -> GazetteerRecord:
    return GazetteerRecord(row["gazetteer_id"], row["place_name"], PlaceType(row["place_type"]), row["lat"], row["lon"],
                           row["country_code"] or "", 0, row["geonameid"], "", row["located_in"] or "")


def _articles(rows: Iterable[dict[str, Any]]) -> list[Article]:
    """The articles of the rows, their text rebuilt from the excerpts at their offsets
    (blanks between), so the story's offsets and excerpts are the original article's."""
    sentences: dict[str, dict[tuple[int, int], str]] = {}
    meta: dict[str, dict[str, Any]] = {}
    for row in rows:
        sentences.setdefault(row["article_id"], {})[(row["sentence_start"], row["sentence_end"])] = row["excerpt"]
        meta.setdefault(row["article_id"], row)
    out = []
    for article_id in sorted(sentences):
        spans = sorted(sentences[article_id])
        chars = [" "] * max(end for _, end in spans)
        for (start, end), text in sorted(sentences[article_id].items()):
            if len(text) == end - start:
                chars[start:end] = text
        row = meta[article_id]
        out.append(Article(article_id, Path(article_id), "".join(chars),
                           tuple(Block(s, e) for s, e in _disjoint(spans)), title=row["title"], source=row["outlet"],
                           published=row["published"], url=row["url"]))
    return out


def _disjoint(spans: Sequence[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    last = -1
    for start, end in spans:
        if start >= last:
            yield start, end
            last = end


__all__ = ["EVENT_COLUMNS", "MAX_LISTED", "OFFSET_COLUMNS", "REQUIRED_COLUMNS", "VOCABULARY_COLUMNS",
           "AmbiguousSubjectError", "EventTableError", "TraceError", "TraceResult", "article_events", "check_event_file",
           "check_event_rows", "event_schema", "events_corpus", "events_partition", "read_events", "same_traveller",
           "trace", "travellers_of"]
