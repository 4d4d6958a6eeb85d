"""The one wiring: articles -> parse -> mentions -> places -> movement events.

:func:`analyse` is what every front end runs: ``storymap build`` (the articles are one
story), ``storymap events`` (each article its own story, every traveller kept),
``storymap geoparse`` (each article its own story, places only) and, through the event
table and :func:`storymap.story.assemble_story`, ``storymap trace``. Each step is done
here once: the parse (:func:`storymap.components.parse_articles`), recognition, the
outlet's home town, resolution, the itinerary's candidates and dates, the namesake
filter and the datelines' word on places.

Articles come in already read (:func:`storymap.articles.read_article` for files,
:func:`storymap.records.record_article` for corpus records), both through the same text
reading: wrapped lines rejoined, page furniture set apart, datelines parsed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from storymap.articles import Article
from storymap.dates import article_anchor, find_dates
from storymap.dateline import opening_dateline
from storymap.document import Document
from storymap.errors import OnlineGeocoderError
from storymap.gazetteer import AREA_TYPES, JURISDICTION_TYPES, Gazetteer, GazetteerRecord, NameMatch, PlaceType
from storymap.itinerary import (EventKind, MovementEvent, Reference, Subject, find_subject, struck, subject_events,
                                travellers)
from storymap.positions import computed_places
from storymap.recognize import TITLES, Analysis, Mention, Recognizer
from storymap.resolve import Resolved, outlet_home, resolve
from storymap.storyfile import slugify

if TYPE_CHECKING:
    from geopy.location import Location

Progress = Callable[[str, int, int], None]
#: ``geocode(name)`` of an online geocoder (see :func:`storymap.geocoder.online_geocoder`)
OnlineGeocoder = Callable[[str], "Location | None"]


@dataclass(frozen=True)
class Unplaced:
    """A name the text calls a place that the gazetteer cannot place: one the context calls
    a place ("the city of X") or one the entity model reads as a place (a street, a
    building, a hamlet), with where the article puts it, as far as it tells."""

    start: int
    end: int
    name: str
    #: the division or country that qualifies the name ("Almo, Ky."), else the article's
    #: main locality; None when the article places nothing
    near: GazetteerRecord | None


@dataclass(frozen=True)
class AnalysedArticle:
    """One article as the pipeline read it: its parse, what recognition found (mentions,
    people, unknown and unlocated names), its place mentions resolved and the names it
    calls places that nothing placed."""

    article: Article
    document: Document
    found: Analysis
    #: the place mentions (demonyms too when asked for), each with its ranked readings
    places: tuple[Resolved, ...]
    #: in text order
    unplaced: tuple[Unplaced, ...] = ()


@dataclass(frozen=True)
class Trip:
    """One traveller's movement events in a story, with the story's place mentions as that
    traveller's story reads them (a mention of the traveller's own name is no place)."""

    traveller: Subject
    is_subject: bool
    places: list[Resolved]
    events: list[MovementEvent]
    #: ``places`` by (article id, start)
    by_mention: dict[tuple[str, int], Resolved]


@dataclass
class StoryAnalysis:
    """A story's analysed articles, its place mentions and its travellers' trips (the
    subject first, when one is found)."""

    articles: list[AnalysedArticle]
    #: the story's place mentions (no demonyms), the datelines' readings applied
    places: list[Resolved]
    by_mention: dict[tuple[str, int], Resolved]
    trips: list[Trip]
    #: each article's anchor date, by article id (see :func:`article_anchors`)
    anchors: dict[str, dt.date | None]
    problems: list[str] = field(default_factory=list)
    #: every traveller the texts name on the move (:func:`storymap.itinerary.travellers`)
    travellers: list[Subject] = field(default_factory=list)

    @property
    def subject(self) -> Trip | None:
        """The trip of the traveller the story follows, or None."""
        return self.trips[0] if self.trips and self.trips[0].is_subject else None


@lru_cache(maxsize=1)
def shared_recognizer() -> Recognizer:
    """The process's :class:`Recognizer` over the default gazetteer: a worker loads the
    model and opens the gazetteer once, whatever the number of partitions it runs."""
    return Recognizer(Gazetteer())


def analyse(articles: Sequence[Article], *, recognizer: Recognizer | None = None, gazetteer: Gazetteer | None = None,
            together: bool = True, subject: str | None = None, every_traveller: bool = False,
            movements: bool = True, demonyms: bool = False, online: OnlineGeocoder | None = None,
            online_name: str = "nominatim", progress: Progress | None = None) -> list[StoryAnalysis]:
    """Analyse articles: one :class:`StoryAnalysis` for the whole lot (``together``), or
    one per article (each its own story), in the order given.

    Parameters
    ----------
    recognizer, gazetteer:
        The recognizer to use (default: one over ``gazetteer``, by default the one in the
        user cache).
    together:
        The articles tell one story: their names are resolved together and the subject is
        the story's (``storymap build``); else each article is a story of its own.
    subject:
        Whose trip to follow (``--subject``); found from the text when not given.
    every_traveller:
        Keep every named traveller's trip, not only the subject's.
    movements:
        Read movement events (needs the whole parse); without, only the entities are
        parsed and ``trips`` is empty.
    demonyms:
        Resolve demonyms too ("Russian"), as the geoparser lists them.
    online:
        An online geocoder for the names the text calls places but the gazetteer lacks.
    """
    recognizer = recognizer or Recognizer(gazetteer or Gazetteer())
    gazetteer = recognizer.gazetteer
    problems: list[str] = []
    if not articles:
        return []
    if progress:
        progress("parsing", 0, len(articles))
    parsed = recognizer.ner is not None
    if parsed:
        # spaCy is imported where a parse is made, not by every importer of the pipeline (trace)
        from storymap.components import parse_articles

        documents = parse_articles(articles, entities_only=not movements)
    else:
        # STORYMAP_NER=off, or no model: places from the gazetteer alone, and no parse to read a route from
        documents = [Document(a, (), ()) for a in articles]
        problems.append("no language model (STORYMAP_NER=off or spaCy's model missing): places found, "
                        "no route read")
    found: list[Analysis] = []
    for n, (article, document) in enumerate(zip(articles, documents, strict=True), 1):
        if progress:
            progress(f"reading {article.path.name}", n, len(articles))
        found.append(recognizer.analyse(article, document if parsed else None))
    if online is not None:
        try:
            found = [_place_online(a, art, online, online_name) for a, art in zip(found, articles, strict=True)]
        except OnlineGeocoderError as exc:
            problems.append(f"online geocoder: {exc}; placed with the offline gazetteer only")
    groups = [list(range(len(articles)))] if together else [[n] for n in range(len(articles))]
    out = []
    for group in groups:
        story = _story([articles[n] for n in group], [documents[n] for n in group], [found[n] for n in group],
                       gazetteer, subject=subject, every_traveller=every_traveller,
                       movements=movements, demonyms=demonyms)
        story.problems[:0] = problems
        out.append(story)
    return out


def _story(articles: list[Article], documents: list[Document], found: list[Analysis], gazetteer: Gazetteer, *,
           subject: str | None, every_traveller: bool, movements: bool, demonyms: bool) -> StoryAnalysis:
    """Resolution and the itinerary over the articles of one story."""
    homes = {a.id: home for a in articles if (home := outlet_home(gazetteer, a.source, a.url)) is not None}
    texts = {a.id: a.text for a in articles}
    places = [m for a in found for m in a.mentions if not m.demonym]
    resolved = resolve(places, texts, homes) if places else []
    if demonyms and any(m.demonym for a in found for m in a.mentions):
        # the demonyms weigh the story's countries, as in a geoparser's reading of the text
        every = resolve([m for a in found for m in a.mentions], texts, homes)
    else:
        every = resolved
    by_article: dict[str, list[Resolved]] = {a.id: [] for a in articles}
    for r in every:
        by_article[r.mention.article].append(r)
    analysed = [AnalysedArticle(a, d, f, tuple(by_article[a.id]), unplaced(a, f, by_article[a.id]))
                for a, d, f in zip(articles, documents, found, strict=True)]
    anchors = article_anchors(articles)
    story_places, _, by_mention = place_events(resolved, documents, [])
    story = StoryAnalysis(analysed, story_places, by_mention, [], anchors)
    if not movements or not resolved:
        return story
    # the storymap_positions and storymap_movements components, over each article with the
    # places recognition found: a position's computed point is a place of the trips only
    from storymap.components import read_movements, read_positions

    # "will meet South Korean President Lee": a country named by the demonym before an
    # officeholder's title is where the officeholder is met, when the traveller meets them
    titled = [m for a in found for m in a.mentions if m.demonym and _before_title(texts[m.article], m.end)]
    hosts = resolve(titled, texts, homes) if titled else []
    spans = [[(m.start, m.end) for m in a.mentions if not m.demonym or m in titled] for a in found]
    positions = read_positions(documents, spans)
    cands = read_movements(documents, spans, positions)
    computed = computed_places([(a.id, p) for a, found_here in zip(articles, positions, strict=True)
                                for p in found_here], by_mention, texts)
    main = find_subject(cands, documents, subject)
    story.travellers = travellers(cands, documents)
    if every_traveller and not subject:
        who = story.travellers
    else:
        who = [main] if main else []
    undated = [a.id for a in articles if not a.published]
    for n, person in enumerate(who):
        is_subject = n == 0  # with no subject found, the first named traveller takes the untold events
        # another traveller's events are those told by its name, or by a pronoun after it
        mine = cands if is_subject else [c for c in cands if c.how in (Reference.NAME, Reference.PRONOUN)]
        events = subject_events(mine, person, anchors, undated)
        # "Kerry" is a county, but in a story about John Kerry it is the man
        own = [r for r in resolved if r.best.record.place_type == PlaceType.COUNTRY or
               not person.is_name(r.mention.text.removesuffix("'s").split())]
        # a position is a place of the trip where the traveller is told to be there
        told = {(e.article, e.mention[0]) for e in events}
        own += [r for r in (*computed, *hosts) if (r.mention.article, r.mention.start) in told]
        own, events, mentions = place_events(own, documents, events)
        story.trips.append(Trip(person, is_subject, own, events, mentions))
    return story


_NEXT_WORD = re.compile(r"\s+([A-Za-z]+)")


def _before_title(text: str, end: int) -> bool:
    """Whether an officeholder's title follows a name directly ("South Korean President")."""
    m = _NEXT_WORD.match(text, end)
    return m is not None and m.group(1)[0].isupper() and m.group(1).lower() in TITLES


def article_anchors(articles: Sequence[Article]) -> dict[str, dt.date | None]:
    """The date each article's weekdays and yearless dates count from (by article id).

    An article's publication date, else its latest explicit date; an article with neither
    counts from the median of the others' dates, and None when no article has one.
    """
    published = [a.published for a in articles if a.published]
    near = sorted(published)[len(published) // 2] if published else None
    anchors = {}
    for article in articles:
        dates = [d for b in article.blocks for d in find_dates(article.text, b.start, b.end)]
        anchors[article.id] = _dateline_day(article) or article_anchor(dates, article.published, near)
    known = sorted(d for d in anchors.values() if d is not None)
    for article in articles:
        if anchors[article.id] is None and known:
            # no date of its own: its weekdays count from the story's other articles
            anchors[article.id] = known[len(known) // 2]
    return anchors


#: a dateline's own day is the article's when it is this close to the publication date
DATELINE_DAYS = 2


def _dateline_day(article: Article) -> dt.date | None:
    """The day an article's opening dateline gives ("JAKARTA, March 22 -"), when it is within
    :data:`DATELINE_DAYS` of the publication date: the day the writer counts "yesterday" and
    weekdays from, where a wire's timestamp may already be the next or still the previous day."""
    if article.published is None:
        return None
    for block in article.blocks[:2]:
        line = opening_dateline(article.text, block.start, block.end)
        date = line.date if line is not None else None
        if date is None or date.month is None or date.day is None:
            continue
        near = article.published.year
        for year in (date.year,) if date.year else (near - 1, near, near + 1):
            try:
                day = dt.date(year, date.month, date.day)
            except ValueError:
                continue
            if abs((day - article.published).days) <= DATELINE_DAYS:
                return day
    return None


def unplaced(article: Article, found: Analysis, resolved: Sequence[Resolved]) -> tuple[Unplaced, ...]:
    """The names of an article that recognition calls places and nothing placed (the
    context's and the entity model's), each near the division that qualifies it or the
    article's main locality."""
    home = main_locality([r.best.record for r in resolved if not r.mention.demonym])
    # a name qualified by a division ("Almo, Ky.") is in that division, wherever the story is
    qualifiers = {r.mention.start: r.best.record for r in resolved
                  if r.best.record.place_type in JURISDICTION_TYPES}
    spans = {(start, end): name for start, end, name in (*found.unknown, *found.unlocated)}
    out = []
    for (start, end), name in sorted(spans.items()):
        gap = _QUALIFIER_GAP.match(article.text, end, end + 3)
        out.append(Unplaced(start, end, name, (qualifiers.get(gap.end()) if gap else None) or home))
    return tuple(out)


_QUALIFIER_GAP = re.compile(r",[ \u00a0]+")


def main_locality(records: Sequence[GazetteerRecord]) -> GazetteerRecord | None:
    """An article's main locality: its most mentioned town or facility, else division, else country."""
    first: dict[GazetteerRecord, int] = {}
    for n, r in enumerate(records):
        first.setdefault(r, n)
    for kinds in (None, {PlaceType.ADMIN1, PlaceType.REGION}, {PlaceType.COUNTRY}):
        pool = [r for r in records if (r.place_type in kinds if kinds else r.place_type not in AREA_TYPES)]
        if pool:
            counts = Counter(r.gazetteer_id for r in pool)
            return max(pool, key=lambda r: (counts[r.gazetteer_id], -first[r]))
    return None


def place_events(resolved: list[Resolved], documents: Sequence[Document], evidence: Sequence[MovementEvent]
                 ) -> tuple[list[Resolved], list[MovementEvent], dict[tuple[str, int], Resolved]]:
    """The datelines' word on places and events: a name the dateline qualifies takes that
    reading, and a visit to a country told from a dateline town in it is a visit to the town.

    Returns the mentions, the events and the mentions by (article id, start).
    """
    by_mention = {(r.mention.article, r.mention.start): r for r in resolved}
    resolved = _dateline_qualified(resolved, documents, by_mention)
    by_mention = {(r.mention.article, r.mention.start): r for r in resolved}
    return resolved, _datelined(evidence, documents, by_mention), by_mention


def _place_online(analysis: Analysis, article: Article, online: Callable[[str], Location | None],
                  label: str) -> Analysis:
    """Turn the names the offline gazetteer lacks into mentions placed by an online geocoder."""
    added = []
    still = []
    for start, end, name in analysis.unknown:
        loc = online(name)
        if loc is None:
            still.append((start, end, name))
            continue
        raw = loc.raw if isinstance(loc.raw, dict) else {}
        ident = raw.get("osm_id") or raw.get("place_id") or slugify(name)
        record = GazetteerRecord(f"{label}:{raw.get('osm_type', 'place')}/{ident}", name, PlaceType.PLACE,
                                 round(loc.latitude, 5), round(loc.longitude, 5), source=f"online:{label}",
                                 located_in="")
        added.append(Mention(article.id, start, end, name, (NameMatch(record, 0, name),), None, False))
    if not added:
        return analysis
    mentions = sorted([*analysis.mentions, *added], key=lambda m: m.start)
    return Analysis(mentions, analysis.people, tuple(still), analysis.unlocated)


def _dateline_qualified(resolved: list[Resolved], documents: Sequence[Document],
                        by_mention: dict[tuple[str, int], Resolved]) -> list[Resolved]:
    """A dateline's qualifier ("HANOVER, Germany", "SALEM, Ore.") picks the candidate in that
    country for the dateline's town, and for the same name elsewhere in that article."""
    chosen: dict[tuple[str, str], str] = {}  # (article, name) -> gazetteer id
    for doc in documents:
        dl = doc.dateline
        if dl is None or dl.qualifier is None:
            continue
        q = _mention_within(by_mention, doc.article.id, dl.qualifier)
        if q is None or q.best.record.place_type not in (PlaceType.COUNTRY, PlaceType.ADMIN1):
            continue
        for span in dl.places:
            r = _mention_within(by_mention, doc.article.id, span)
            if r is None:
                continue
            fits = [c for c in r.candidates if c.record.country_code == q.best.record.country_code]
            if fits:
                chosen[(doc.article.id, r.mention.text.lower())] = fits[0].record.gazetteer_id
    if not chosen:
        return resolved
    out = []
    for r in resolved:
        want = chosen.get((r.mention.article, r.mention.text.lower()))
        if want is not None and r.best.record.gazetteer_id != want:
            first = [c for c in r.candidates if c.record.gazetteer_id == want]
            if first:
                r = replace(r, candidates=(*first, *(c for c in r.candidates if c.record.gazetteer_id != want)))
        out.append(r)
    return out


def _datelined(evidence: Sequence[MovementEvent], documents: Sequence[Document],
               by_mention: dict[tuple[str, int], Resolved]) -> list[MovementEvent]:
    """A visit to a country told from a dateline town in it ("HANOVER, Germany - ... said
    during a visit to Germany") is a visit to that town."""
    town: dict[str, Resolved] = {}
    for doc in documents:
        for span in doc.dateline.places if doc.dateline else ():
            r = _mention_within(by_mention, doc.article.id, span)
            if r is not None and r.best.record.place_type not in AREA_TYPES:
                town[doc.article.id] = r
                break
    out = []
    for ev in evidence:
        r = by_mention.get((ev.article, ev.mention[0]))
        host = town.get(ev.article)
        if r is not None and host is not None and r.best.record.place_type == PlaceType.COUNTRY and \
                ev.kind == EventKind.VISIT and host.best.record.country_code == r.best.record.country_code and \
                not struck(ev):  # (a storm that "slammed into" the country: not there)
            ev = dataclasses.replace(ev, mention=(host.mention.start, host.mention.end))
        out.append(ev)
    return out


def _mention_within(by_mention: dict[tuple[str, int], Resolved], article: str,
                    span: tuple[int, int]) -> Resolved | None:
    """The first placed mention of an article that starts inside ``span``."""
    return next((r for (art, start), r in sorted(by_mention.items()) if art == article and
                 span[0] <= start < span[1]), None)
