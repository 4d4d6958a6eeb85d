"""Stories: articles -> (the pipeline) -> places -> stops -> GeoJSON.

``build_story`` builds a story from article files (the command line and the app);
:func:`assemble_story` turns a traveller's places and movement events into the story
file, for ``build`` and for ``trace`` alike.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storymap.articles import Article, find_articles, read_article, sentence_at, unique_ids
from storymap.dates import vague_offset
from storymap.edits import Edits, carry_edits
from storymap.errors import ArticleError, StoryError
from storymap.gazetteer import AREA_TYPES, POPULATED_TYPES, Gazetteer, GazetteerRecord, PlaceType, within
from storymap.itinerary import VIA_PREPS, EventKind, EventStatus, MovementEvent, Subject, struck
from storymap.lexicon import alternation, phrases, words
from storymap.pipeline import Progress, analyse
from storymap.positions import COMPUTED, id_precision_km, is_computed, reference_id
from storymap.resolve import Resolved
from storymap.storyfile import Story, StoryData, slugify

if TYPE_CHECKING:
    from storymap.document import Document
    from geopy.location import Location

STORY_VERSION = 2


@dataclass
class Place:
    """One distinct place of the story with every mention of it."""

    record: GazetteerRecord
    mentions: list[Resolved] = field(default_factory=list)
    evidence: list[MovementEvent] = field(default_factory=list)
    role: str = "mention"
    stop: int | None = None
    date: dt.date | None = None
    date_status: EventStatus | None = None
    status: EventStatus | None = None
    part_of: str | None = None
    id: str = ""
    date_end: dt.date | None = None
    date_text: str | None = None
    stop_confidence: float | None = None


@dataclass
class BuildResult:
    """A built story and what went wrong on the way (each problem names its file)."""

    story: Story
    problems: list[str]
    articles: list[Article]
    places: list[Place]
    unplaced: list[str]


def read_articles(paths: Sequence[Path]) -> tuple[list[Article], list[str]]:
    """Read every article, collecting problems instead of stopping at the first."""
    articles: list[Article] = []
    problems: list[str] = []
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            article, warnings = read_article(path)
        except ArticleError as exc:
            problems.append(str(exc))
            continue
        problems += warnings
        if article.sha256 in seen:
            # the same file given twice, or a copy: its places would count twice
            same = "the same file as" if _same_file(path, seen[article.sha256]) else "the same bytes as"
            problems.append(f"{path}: {same} {seen[article.sha256]}; read once")
            continue
        seen[article.sha256] = path
        articles.append(article)
    return unique_ids(articles), problems


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def collect_paths(inputs: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Article files from folders and files; a StoryError when there is nothing to read."""
    paths: list[Path] = []
    for item in inputs:
        p = Path(item)
        try:
            kind = os.stat(p).st_mode
        except OSError:
            kind = None
        if kind is not None and stat.S_ISDIR(kind):
            try:
                found = find_articles(p)
            except OSError as exc:
                msg = f"{p}: cannot list this folder ({exc.strerror or exc})"
                raise StoryError(msg) from exc
            if not found:
                msg = f"{p}: no articles (.txt, .md or .html files) in this folder"
                raise StoryError(msg)
            paths += found
        elif kind is not None or os.path.islink(p):
            paths.append(p)  # files; devices, pipes and broken links are refused when read
        else:
            msg = f"{p}: no such file or folder"
            raise StoryError(msg)
    if not paths:
        msg = "no articles given"
        raise StoryError(msg)
    return paths


def build_story(inputs: Sequence[str | os.PathLike[str]], *, gazetteer: Gazetteer | None = None,
                subject: str | None = None, title: str | None = None, base: str | os.PathLike[str] | None = None,
                progress: Progress | None = None, online: Callable[[str], Location | None] | None = None,
                online_name: str = "nominatim") -> BuildResult:
    """Build a story from article files or folders.

    Parameters
    ----------
    inputs:
        Article files and/or folders of articles.
    gazetteer:
        The offline gazetteer (default: the one in the user cache, built on first use).
    subject:
        Whose itinerary to trace; found from the text when not given.
    title:
        The story's title; made from the subject and the stops' country when not given.
    base:
        Folder that article paths in the story file are written relative to (default: cwd).
    online:
        Optional online ``geocode(name)`` (see :func:`storymap.geocoder.online_geocoder`) for
        names the text calls places but the offline gazetteer does not know.

    Raises
    ------
    StoryError
        When no article can be read or no place is found in any of them.
    """
    paths = collect_paths(inputs)
    articles, problems = read_articles(paths)
    if not articles:
        msg = "no readable article:\n  " + "\n  ".join(problems)
        raise StoryError(msg)
    gazetteer = gazetteer or Gazetteer()
    [analysis] = analyse(articles, gazetteer=gazetteer, subject=subject, online=online, online_name=online_name,
                         progress=progress)
    problems += analysis.problems
    for a in analysis.articles:
        if not a.found.mentions:
            problems.append(f"{a.article.path}: no place names found")
    if not analysis.places:
        msg = "no place names found in any article:\n  " + "\n  ".join(str(a.path) for a in articles)
        raise StoryError(msg)
    trip = analysis.subject
    if trip is not None:
        places = story_places(trip.places, trip.events, trip.by_mention)
        subject = trip.traveller.name
    else:
        places = story_places(analysis.places, [], analysis.by_mention)
        subject = subject or ""
    who = named_travellers(trip.traveller if trip is not None else None, analysis.travellers,
                           [a.document for a in analysis.articles])
    # the order articles were written in: by date where known, then as given
    written = sorted(range(len(articles)), key=lambda n: (analysis.anchors[articles[n].id] or dt.date.max, n))
    story = assemble_story(places, [articles[n] for n in written], subject, title=title, gazetteer=gazetteer,
                           base=Path(base) if base else Path.cwd(), shown=articles, travellers=who,
                           anchors=analysis.anchors)
    online_used = online is not None and not any(p.startswith("online geocoder:") for p in analysis.problems)
    reason = "found neither offline nor online" if online_used else "not in the offline gazetteer"
    missing = sorted({f"{u.name} ({a.article.path.name}): {reason}" for a in analysis.articles
                      for u in a.unplaced})
    return BuildResult(story, problems, articles, places, missing)


def named_travellers(subject: Subject | None, others: Sequence[Subject],
                     documents: Sequence[Document]) -> list[tuple[str, int]]:
    """The story's subject and the other travellers the texts name on the move, each with the
    number of times the texts name it (a name of proper nouns within the traveller's name, or
    holding all of it: "Kim" and "Kim Jong Un" both name Kim Jong Un): the subject first, then
    the others, most named first (then by name). A name is counted for the first traveller it
    fits; a traveller inside the subject's name is the subject."""
    people = [subject] if subject is not None else []
    people += [t for t in others if not any(t.words <= p.words for p in people)]
    counts = [0] * len(people)
    for doc in documents:
        for d in doc.docs:
            for ent in d.ents:
                words = frozenset(w.text.rstrip(".").removesuffix("'s").removesuffix("’s") for w in ent
                                  if w.pos_ == "PROPN")
                if not words:
                    continue
                for k, p in enumerate(people):
                    if words <= p.words or (p.words and p.words <= words):
                        counts[k] += 1
                        break
    named = list(zip((p.name for p in people), counts, strict=True))
    first = 1 if subject is not None else 0
    return named[:first] + sorted(named[first:], key=lambda t: (-t[1], t[0]))


@dataclass
class Rebuilt:
    """A story built again (for another subject) and the corrections it keeps."""

    result: BuildResult
    #: the corrections that still apply to the new story
    edits: Edits
    #: notes on those that no longer apply (:func:`storymap.edits.carry_edits`)
    dropped: list[str]


def rebuild_story(inputs: Sequence[str | os.PathLike[str]], subject: str | None, edits: Edits, *,
                  gazetteer: Gazetteer | None = None, base: str | os.PathLike[str] | None = None,
                  progress: Progress | None = None) -> Rebuilt:
    """The story of ``inputs`` built again for ``subject`` (found from the text when None),
    keeping every correction of ``edits`` that still applies to it (corrections name places
    by id, so one on a place the new build also has applies again) and listing the others.
    The title and the route's name follow the new subject. Raises as :func:`build_story`."""
    result = build_story(inputs, gazetteer=gazetteer, subject=subject, base=base, progress=progress)
    kept, dropped = carry_edits(result.story, edits)
    return Rebuilt(result, kept, dropped)


def assemble_story(places: list[Place], written: Sequence[Article], subject: str, *, title: str | None = None,
                   gazetteer: Gazetteer | None = None, base: Path | None = None,
                   shown: Sequence[Article] | None = None, travellers: Sequence[tuple[str, int]] = (),
                   anchors: dict[str, dt.date | None] | None = None) -> Story:
    """The story of a traveller's places and their evidence, as records checked against the
    story file contract: which places are stops, their statuses, dates and order
    (:func:`assign_roles`), the title (made from the subject and the stops' country when not
    given) and the places' features (:func:`story_geojson`).

    ``written`` are the story's articles in the order they were written (a later article's
    word on a plan wins); ``shown`` (default ``written``) in the order the story file lists
    them; their files are written relative to ``base`` (default: the working folder);
    ``travellers``: the travellers the texts name and how often (:func:`named_travellers`);
    ``anchors`` are the days the articles' dates count from (default: their publication
    dates), which place undated stops among dated ones.
    ``storymap build`` and ``storymap trace`` both end here.
    """
    assign_roles(places, {a.id: k for k, a in enumerate(written)},
                 anchors if anchors is not None else {a.id: a.published for a in written})
    if title is None:
        title = story_title(subject, [p for p in places if p.role == "stop"], gazetteer)
    # the pipeline's own output: read into records as it is (the tests hold it to the story
    # file's contract; checking it on every build cost more than the rest of the assembly)
    return Story.from_geojson(story_geojson(places, shown if shown is not None else written, subject, title,
                                            base if base is not None else Path.cwd(), travellers))


def story_places(resolved: Sequence[Resolved], evidence: Sequence[MovementEvent],
                 by_mention: dict[tuple[str, int], Resolved]) -> list[Place]:
    """The distinct places of placed mentions, each with its mentions and its movement events."""
    places: dict[str, Place] = {}
    for r in resolved:
        if r.qualifies:
            continue  # "Mass." in "Springfield, Mass.": Springfield's, not a place of its own
        rec = r.best.record
        places.setdefault(rec.gazetteer_id, Place(rec)).mentions.append(r)
    for ev in evidence:
        hit = by_mention.get((ev.article, ev.mention[0]))
        if hit is not None and not hit.qualifies:
            places[hit.best.record.gazetteer_id].evidence.append(ev)
    return list(places.values())


#: a named region closer than this to a specific stop holds it
REGION_KM = 500.0
#: two stops closer than this are one visit: well inside one city's own extent
SAME_VISIT_KM = 5.0


def _km(a: GazetteerRecord, b: GazetteerRecord) -> float:
    from geopy.distance import geodesic  # imported on first use: a build may never measure

    return geodesic((a.lat, a.lon), (b.lat, b.lon)).km


def _closer(a: GazetteerRecord, b: GazetteerRecord, km: float) -> bool:
    """Whether two places are less than ``km`` apart (a degree of latitude is at least
    110.5 km anywhere, so places farther apart in latitude alone are not measured)."""
    return abs(a.lat - b.lat) * 110.5 < km and _km(a, b) < km


#: the last words of named regions a traveller can be in: seas, straits, deserts... (not
#: oceans: a point in mid-ocean says no more of where someone was than a continent's does)
_FEATURE_HEAD = re.compile(r"\b(?:" + alternation(phrases("feature_heads")) + r")\b", re.IGNORECASE)
#: statuses that put the subject at a place; the others (cancelled, negated,
#: hypothetical) are kept as evidence but make no stop
STOP_STATUSES = (EventStatus.REPORTED, EventStatus.EXPECTED)


#: words of direction and of generic geography: a name made of them alone ("the Gulf", "West
#: Coast", "Central") is a phrase of the text unless the story is in the country of that division
GENERIC_WORDS = words("directions") | words("region_qualifiers") | words("generic_geography")


def _generic_division(p: Place, places: Sequence[Place]) -> bool:
    """A division named in generic words ("Gulf", "West Coast") in a country no other place of
    the story is in: the words, not that division."""
    if p.record.place_type not in (PlaceType.ADMIN1, PlaceType.ADMIN2, PlaceType.REGION):
        return False
    words = {w for m in p.mentions for w in re.split(r"[\s\-]+", m.mention.text.lower().removeprefix("the "))}
    if not words or not words <= GENERIC_WORDS:
        return False
    return not any(q is not p and q.record.country_code == p.record.country_code for q in places)


def _place_status(p: Place, order: dict[str, int]) -> EventStatus | None:
    """A place's status from all its evidence: reported when any sentence reports it;
    else the latest article's word on it (a later report that cancels a plan drops it)."""
    live = [e for e in p.evidence if e.status in STOP_STATUSES]
    if any(e.status == EventStatus.REPORTED for e in live):
        return EventStatus.REPORTED
    if not live:
        return None
    latest = max(order[e.article] for e in p.evidence)
    last_word = [e for e in p.evidence if order[e.article] == latest]
    if all(e.status not in STOP_STATUSES for e in last_word):
        return None
    return EventStatus.EXPECTED


def assign_roles(places: list[Place], article_order: dict[str, int],
                 anchors: dict[str, dt.date | None] | None = None) -> None:
    """Decide stops, fold facilities into their town, drop containers, order and date the stops
    (:func:`order_stops`; ``anchors`` are the days the articles were written, where known)."""
    by_id = {p.record.gazetteer_id: p for p in places}
    for p in places:
        p.status = _place_status(p, article_order) if p.evidence else None
        if p.record.place_type == PlaceType.CONTINENT or p.record.place_type == PlaceType.REGION and \
                not _FEATURE_HEAD.search(p.record.name):
            # "Europe", "the Middle East", "the EU", an ocean: never a stop; seas and the like can be
            p.status = None
        elif p.status and _generic_division(p, places):
            p.status = None
    visited = [p for p in places if p.status]
    # A facility inside a visited town belongs to that town's stop.
    for p in visited:
        host = by_id.get(p.record.located_in)
        if host is not None and host.status and host is not p and p.record.place_type not in AREA_TYPES \
                and host.record.place_type not in AREA_TYPES:
            host.evidence += p.evidence
            host.status = _place_status(host, article_order)
            p.part_of = host.record.gazetteer_id
    # Two places closer than a town's own extent are one visit named twice ("the Vatican"
    # and "Rome"): the smaller belongs to the larger's stop, as a facility does.
    for p in sorted(visited, key=lambda p: (p.record.population or 0, p.record.gazetteer_id)):
        if p.part_of is not None:
            continue
        hosts = [q for q in visited if q is not p and q.part_of is None and
                 (q.record.population or 0, q.record.gazetteer_id) > (p.record.population or 0, p.record.gazetteer_id)
                 and q.record.place_type not in AREA_TYPES and _closer(p.record, q.record, SAME_VISIT_KM)]
        if hosts:
            host = min(hosts, key=lambda q: _km(p.record, q.record))
            host.evidence += p.evidence
            host.status = _place_status(host, article_order)
            p.part_of = host.record.gazetteer_id
    stops = [p for p in visited if p.part_of is None]
    # A country visited, and the one town in it that an article was filed from: the visit is
    # told from there ("Funaro's tour of Switzerland" and "BERNE, March 4 - Funaro met ..."),
    # so the town names where in the country the stop is.
    for p in [p for p in stops if p.record.place_type == PlaceType.COUNTRY]:
        if any(s is not p and s.record.place_type not in AREA_TYPES and within(s.record, p.record) for s in stops):
            continue
        if all(struck(e) for e in p.evidence):
            continue  # a storm that "slammed into" the country is not where the article was filed
        filed = [q for q in places if q.status is None and q.part_of is None and q.record.place_type in POPULATED_TYPES
                 and any(r.mention.dateline for r in q.mentions) and within(q.record, p.record)]
        if len(filed) == 1:
            town = filed[0]
            town.evidence += p.evidence
            town.status = _place_status(town, article_order)
            if town.status:
                stops.append(town)
    # Countries and regions are containers when the story has a more specific stop
    # inside them ("a four-day tour of Germany" with stops in Berlin and Munich).
    specific = [p for p in stops if p.record.place_type not in AREA_TYPES]
    for p in stops:
        inside = [s for s in specific
                  if s is not p and p.record.place_type in AREA_TYPES and within(s.record, p.record)]
        if len(inside) == 1 and not any(e.date for e in inside[0].evidence):
            # "headed for his first visit to Vietnam on Sunday" and "in Hanoi": one visit
            inside[0].evidence += [e for e in p.evidence if e.status in STOP_STATUSES and e.date]
    stops = [p for p in stops if p.record.place_type not in AREA_TYPES or
             not any(within(s.record, p.record) for s in specific if s is not p)]
    # a sea or other named region beside the story's towns is the area they lie in
    # ("a tour of the Baltic" with stops in Riga and Tallinn), not a stop of its own
    stops = [p for p in stops if p.record.place_type != PlaceType.REGION or
             not any(_closer(p.record, s.record, REGION_KM) for s in specific)]
    for p in stops:
        p.role = "stop"
        live = [e for e in p.evidence if e.status in STOP_STATUSES]
        pool = [e for e in live if e.status == p.status] or live
        # a date the sentence tells beats one carried over from the traveller's last sentence
        dated = [e for e in pool if e.date and not e.date_inferred] or \
            [e for e in live if e.date and not e.date_inferred] or [e for e in live if e.date]
        if dated:
            counts = Counter(e.date for e in dated)
            p.date = min(counts, key=lambda d: (-counts[d], d))
            ends = [e.date_end for e in dated if e.date == p.date and e.date_end]
            p.date_end = max(ends) if ends else None
            p.date_text = next(e.date_text for e in dated if e.date == p.date)
            p.date_status = p.status
        else:
            p.date = None
            p.date_text = next((e.date_text for e in pool if e.date_text), None)
            p.date_status = p.status  # undated: still what the texts say of the stop (reported or expected)
        best = max(e.confidence for e in live)
        p.stop_confidence = round(min(1.0, best + 0.05 * (len(live) - 1)), 3)
    for p in places:
        if p.role != "stop":
            p.status = None

    for n, p in enumerate(order_stops(stops, article_order, anchors or {}), 1):
        p.stop = n


#: the rank of an event's order cue within its sentence: what it says came first comes first
#: (a journey's end is the act of its sentence: "a final stop in A before returning to B")
_CUE_RANK = {"first": 0, "earlier": 0, None: 1, "final": 1, "later": 2}


def _cue_rank(e: MovementEvent, p: Place) -> int:
    """Where an event's own words put it among the acts of its sentence: a place left or
    passed through on the way to a planned one ("via Singapore") first, then as its cue
    says; a place the sentence does not name (a dateline's) has no cue there."""
    if not e.sentence[0] <= e.mention[0] < e.sentence[1]:
        return 1
    if e.kind == EventKind.ORIGIN or e.cue is None and p.status != EventStatus.REPORTED and \
            e.predicate.split()[-1] in VIA_PREPS:
        return 0
    return _CUE_RANK.get(e.cue, 1)


def order_stops(stops: Sequence[Place], article_order: dict[str, int],
                anchors: dict[str, dt.date | None]) -> list[Place]:
    """The stops in the order the traveller made them, from the calendar and the text's own
    sequence cues read together.

    Each source of order gives relations "A came before B"; they are taken strongest first,
    and a relation that contradicts those already taken is dropped (as are two of one
    strength that contradict each other):

    1. dates the sentences tell;
    2. the cues of one sentence: a place left before the one reached ("left Paris for
       Rome"), "after visiting A" before the act it goes with, "before flying to B" after it;
    3. a journey's start ("started the tour in A", "the journey, which began in A") before
       every other stop, its end ("ends the trip in C", "the final stop") after;
    4. what happened before what is still to come;
    5. dates carried over from an earlier sentence;
    6. the cues of one article: what it says came earlier ("a tour that has taken him to
       A", "flew in from A") before its other stops, "then" after those told before it, and
       the places a plan lists in one sentence in the order it lists them;
    7. the day an article was written: what it reports happened by then, what it plans
       comes after, about a week on for "next week".

    The stops are then taken in that partial order, of those free to come next the one
    the calendar (its date, else the day its article puts it at) and then the telling
    (article, then place in the text) put first.
    """
    n = len(stops)
    live = [[e for e in p.evidence if e.status in STOP_STATUSES] for p in stops]
    told = [min((article_order[e.article], e.mention[0]) for e in ev) for ev in live]
    about: list[dt.date | None] = []  # the day the texts put an undated stop at, roughly
    for p, ev in zip(stops, live, strict=True):
        if p.date is not None:
            about.append(p.date)
            continue
        days = [day + dt.timedelta(days=vague_offset(e.date_text or "") or 0) for e in ev
                if (day := anchors.get(e.article)) is not None]
        about.append(None if not days else min(days) if p.status == EventStatus.REPORTED else max(days))
    firm = [p.date is not None and any(e.date == p.date and not e.date_inferred for e in ev)
            for p, ev in zip(stops, live, strict=True)]
    final, first = ([any(e.cue == cue and e.sentence[0] <= e.mention[0] < e.sentence[1] for e in ev) for ev in live]
                    for cue in ("final", "first"))
    ranks = [[_cue_rank(e, p) for e in ev] for p, ev in zip(stops, live, strict=True)]
    earliest = [0 in r for r in ranks]
    reported = [p.status == EventStatus.REPORTED for p in stops]
    levels: list[set[tuple[int, int]]] = [set() for _ in range(7)]
    for i, a in enumerate(stops):
        for j, b in enumerate(stops):
            if i == j:
                continue
            if a.date is not None and b.date is not None and a.date < b.date:
                levels[0 if firm[i] and firm[j] else 4].add((i, j))
            if final[j] and not final[i] or first[i] and not first[j]:
                levels[2].add((i, j))
            if reported[i] and not reported[j]:
                levels[3].add((i, j))
            bound = about[i]
            if a.date is None and bound is not None and b.date is not None:
                if reported[i] and b.date > bound:
                    levels[6].add((i, j))
                elif not reported[i] and b.date < bound:
                    levels[6].add((j, i))
    # the cues of one article and of one sentence
    by_article: dict[str, list[tuple[int, MovementEvent, int]]] = defaultdict(list)
    for i, ev in enumerate(live):
        for e, r in zip(ev, ranks[i], strict=True):
            by_article[e.article].append((i, e, r))
    for article, items in by_article.items():
        anchor = anchors.get(article)
        for i, ea, ra in items:
            for j, eb, rb in items:
                if i == j:
                    continue
                when = stops[j].date
                if ea.sentence == eb.sentence:
                    if ra < rb:
                        levels[1].add((i, j))
                    elif ra == rb and ea.predicate == eb.predicate and ea.mention[0] < eb.mention[0] and \
                            ea.status == eb.status == EventStatus.EXPECTED:
                        levels[5].add((i, j))  # "will visit Doha, Riyadh and Muscat": a plan's list, in its order
                elif ra == 0 and rb == 1 and not earliest[j] and \
                        not (when and anchor and when < anchor - dt.timedelta(days=1)):
                    # said to have come earlier than the article's other stops (those of
                    # its day: an act it dates days back is as far in the past)
                    levels[5].add((i, j))
                elif rb == 2 and ra == 1 and ea.sentence[0] < eb.sentence[0]:
                    levels[5].add((i, j))  # "then": after what was told before it
    after: list[set[int]] = [set() for _ in range(n)]  # after[i]: the stops taken to come after stop i
    reach = [0] * n  # bit k of reach[i]: stop k comes after stop i, directly or not
    for level in levels:
        for i, j in sorted(level):
            if (j, i) in level or reach[j] >> i & 1 or reach[i] >> j & 1:
                continue  # contradicted, or already implied
            after[i].add(j)
            gained = 1 << j | reach[j]
            for k in range(n):
                if k == i or reach[k] >> i & 1:
                    reach[k] |= gained
    waiting = [0] * n  # how many stops still to be taken come before each
    for later in after:
        for j in later:
            waiting[j] += 1
    free = [i for i in range(n) if not waiting[i]]
    out: list[Place] = []
    while free:
        k = min(free, key=lambda i: (about[i] or dt.date.max, told[i]))
        free.remove(k)
        out.append(stops[k])
        for j in after[k]:
            waiting[j] -= 1
            if not waiting[j]:
                free.append(j)
    return out


# --------------------------------------------------------------------------- GeoJSON


def _the(name: str) -> str:
    if re.match(r"(?:United|Republic|Kingdom|Democratic|Czech Republic)\b", name) or \
            re.search(r"(?:Islands|Philippines|Netherlands|Bahamas|Gambia|Emirates)$", name):
        return "the " + name
    return name


def _article_meta(article: Article, base: Path) -> dict[str, Any]:
    try:
        file = os.path.relpath(article.path, base)
    except ValueError:
        file = str(article.path)
    return {
        "id": article.id,
        "file": Path(file).as_posix(),
        "title": article.title,
        "source": article.source,
        "original_source": article.original_source,
        "published": article.published.isoformat() if article.published else None,
        "url": article.url,
        "sha256": article.sha256,
    }


def _excerpt(article: Article, start: int) -> str:
    sent = sentence_at(article, start)
    if sent is not None:
        return article.text[sent.start : sent.end]
    return article.text[start : start + 200]


def _evidence(article: Article, e: MovementEvent) -> dict[str, Any]:
    start, end = article.file_span(*e.sentence)
    return {"article": article.id, "start": start, "end": end, "excerpt": article.text[e.sentence[0] : e.sentence[1]],
            "predicate": e.predicate, "traveller": e.traveller or None, "status": e.status,
            "date": e.date.isoformat() if e.date else None,
            "date_end": e.date_end.isoformat() if e.date_end else None, "date_text": e.date_text,
            "confidence": e.confidence}


def story_title(subject: str, stops: Sequence[Place], gazetteer: Gazetteer | None) -> str:
    """"<subject> in <country>" when most stops share a country (named by the gazetteer),
    else "<subject>: <first> to <last>"."""
    countries = Counter(p.record.country_code for p in stops if p.record.country_code).most_common()
    if subject and gazetteer is not None and countries and (len(countries) == 1 or countries[0][1] > countries[1][1]):
        rec = gazetteer.get(f"naturalearth:{countries[0][0]}")
        if rec is not None:
            return f"{subject} in {_the(rec.name)}"
    ordered = sorted(stops, key=lambda p: p.stop or 0)
    if subject and len(ordered) >= 2:
        return f"{subject}: {ordered[0].record.name} to {ordered[-1].record.name}"
    return subject or "Story map"


def _geocoder(record: GazetteerRecord) -> str:
    """What placed a record: an online geocoder, a computation from a position (the
    ``computed`` points of :mod:`storymap.positions`) or the offline gazetteer."""
    if record.source.startswith("online:"):
        return record.source.removeprefix("online:")
    return COMPUTED if is_computed(record.gazetteer_id) else "offline"


def story_geojson(places: list[Place], articles: Sequence[Article], subject: str, title: str,
                  base: Path, travellers: Sequence[tuple[str, int]] = ()) -> StoryData:
    """The story file of places whose roles are assigned (:func:`assign_roles`); excerpts and
    offsets come from ``articles``, whose files are written relative to ``base``;
    ``travellers``: (name, times named), the subject first."""
    by_article = {a.id: a for a in articles}
    stops = sorted((p for p in places if p.role == "stop"), key=lambda p: p.stop or 0)
    others = sorted((p for p in places if p.role != "stop"), key=lambda p: (p.record.name, p.record.gazetteer_id))
    ids: set[str] = set()
    for p in stops + others:
        slug = slugify(p.record.name)
        if slug in ids:
            slug = f"{slug}-{slugify(p.record.gazetteer_id.split(':', 1)[1])}"
        ids.add(slug)
        p.id = slug
    id_of = {p.record.gazetteer_id: p.id for p in places}

    features = []
    for p in stops + others:
        mentions: list[dict[str, Any]] = []
        for r in sorted(p.mentions, key=lambda r: (r.mention.article, r.mention.start)):
            art = by_article[r.mention.article]
            start, end = art.file_span(r.mention.start, r.mention.end)
            mentions.append({
                "article": art.id,
                "start": start,
                "end": end,
                "text": r.mention.text,
                "excerpt": _excerpt(art, r.mention.start),
                "confidence": r.best.confidence,
            })
        if p.evidence:
            first_ev = min(p.evidence, key=lambda e: (e.status != EventStatus.REPORTED, e.date is None, e.article,
                                                      e.mention))
            flat_excerpt = _excerpt(by_article[first_ev.article], first_ev.mention[0])
        else:
            flat_excerpt = mentions[0]["excerpt"]
        titles = []
        for m in mentions:
            t = by_article[m["article"]].title or by_article[m["article"]].id
            if t not in titles:
                titles.append(t)
        alternatives: list[dict[str, Any]] = []
        seen = {p.record.gazetteer_id}
        for r in p.mentions:
            for c in r.candidates[1:]:
                if c.record.gazetteer_id not in seen and len(alternatives) < 3:
                    seen.add(c.record.gazetteer_id)
                    alternatives.append({
                        "gazetteer_id": c.record.gazetteer_id, "name": c.record.name,
                        "place_type": c.record.place_type, "country_code": c.record.country_code,
                        "lat": c.record.lat, "lon": c.record.lon, "confidence": c.confidence,
                    })
        confidence = round(sum(r.best.confidence for r in p.mentions) / len(p.mentions), 3)
        props: dict[str, Any] = {
            "name": p.record.name,
            "role": p.role,
            "stop": p.stop,
            "date": p.date.isoformat() if p.date else None,
            "date_status": p.date_status,
            "status": p.status,
            "place_type": p.record.place_type,
            "country_code": p.record.country_code or None,
            "gazetteer_id": p.record.gazetteer_id,
            "geonameid": p.record.geonameid,
            "geocoder": _geocoder(p.record),
            "confidence": confidence,
            "alternatives": alternatives,
            "mention_count": len(mentions),
            "excerpt": flat_excerpt,
            "sources": "; ".join(titles),
            "mentions": mentions,
            "part_of": id_of.get(p.part_of) if p.part_of else None,
        }
        if is_computed(p.record.gazetteer_id):
            # a point worked out from a distance and bearing: measured from which place, how exactly
            reference = reference_id(p.record.gazetteer_id)
            props["reference"] = id_of.get(reference) if reference else None
            props["precision_km"] = id_precision_km(p.record.gazetteer_id)
        if p.role == "stop":
            props["date_end"] = p.date_end.isoformat() if p.date_end else None
            props["date_text"] = p.date_text
            props["stop_confidence"] = p.stop_confidence
            props["article_count"] = len({e.article for e in p.evidence if e.status in STOP_STATUSES})
        if p.evidence:
            props["evidence"] = [_evidence(by_article[e.article], e)
                                 for e in sorted(p.evidence, key=lambda e: (e.article, e.mention, e.predicate))]
        features.append({
            "type": "Feature",
            "id": p.id,
            "geometry": {"type": "Point", "coordinates": [p.record.lon, p.record.lat]},
            "properties": props,
        })
    if len(stops) >= 2:
        features.append({
            "type": "Feature",
            "id": "route",
            "geometry": {"type": "LineString", "coordinates": [[p.record.lon, p.record.lat] for p in stops]},
            "properties": {
                "role": "route",
                "name": f"Route of {subject}" if subject else "Route",
                "stops": [p.id for p in stops],
                "dates": [p.date.isoformat() if p.date else None for p in stops],
                "statuses": [p.status for p in stops],
            },
        })
    meta: dict[str, Any] = {
        "version": STORY_VERSION,
        "title": title,
        "subject": subject or None,
        "articles": [_article_meta(a, base) for a in articles],
        "attribution": "Places: GeoNames (CC BY 4.0), Natural Earth (public domain), "
                       "countries-states-cities-database (ODbL 1.0), storymap landmarks",
    }
    if travellers:
        meta["travellers"] = [{"name": name, "named": count} for name, count in travellers]
    return {"type": "FeatureCollection", "storymap": meta, "features": features}
