"""Choose which place each mention means, with evidence and a confidence.

Evidence, in the order a careful reader weighs it:

1. what the words around the name say (``constraint``: "the city of", "region", "named after"),
   and the area a qualifier puts it in ("Paris, Texas", "Tripoli in northern Lebanon");
2. the kind of place and its size (countries and big cities are mentioned more than villages);
3. how the name matched (a primary name beats an alternate spelling);
4. the countries the story talks about (by name or by their people: "Pakistani"), the
   country its own sentence names most of all ("arrived in Hyderabad to meet Pakistani
   officials"), and the share of its other names read in each ("Windsor" beside "Edinburgh"
   is in England);
5. spatial coherence: a place near the story's other places, near where each article was
   filed (its dateline) and near its outlet's home city, beats a namesake far away
   ("Uglegorsk" near the cosmodrome is Tsiolkovsky, not the Sakhalin town), and a town near
   the first reading of the name beside it, though that name has namesakes too ("from Dundee
   to Perth"); a town named like a country or state needs the story's places among its
   neighbours, not merely in its region ("Florida" in a story of New Jersey towns is the
   state);
6. local focus: the first-level division most of the other confidently placed names (and
   the outlet's home) lie in;
7. names listed together ("A, B and C") are alike: read together, each reading weighed with
   the best reading of its neighbour in the list, so the two agree ("Perth and Inverness").

That the story talks about a country is weak evidence for a small town there: a town abroad
far less renowned than its name's best known town and named in fewer of the world's
languages (a fifth of the people, or far fewer names: "Washington" in a story about
Britain, "Venice" in one about the United States; not Windsor, England, named as widely as
the bigger Windsor, Ontario), or one that bears the name only as an old or foreign name of it,
wins only when the text anchors it (a qualifier, a place of the story near it, the division
it is in, named as a place: not "English"). And "none of these" may win: a village in a country the story neither names nor
places another name in, that nothing in the text anchors, is not what its name means;
another reading the text backs is ("Delphi" after "Athens"), or none is, and the name, a
word or a name that happens to name a village ("the Pope", a first name), is left out; unless
the village is its name's only town and the words right before put someone there ("the boat
sailed to Stromboli": see :func:`storymap.recognize.put_there`). So
with a town the entity model reads as no place ("officials in Whitehall") in a story
placed elsewhere; and a town named by a common English word ("Congress", "Post") or only
by another spelling needs the text itself to put it there.

The scores become a confidence through a softmax over the candidates; the runners-up
are kept for review.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from storymap.gazetteer import (ABBREVIATION, ALTERNATE, AREA_TYPES, DIVISION_TYPES, JURISDICTION_TYPES,
                                POPULATED_TYPES, PRIMARY, Gazetteer, GazetteerRecord, NameMatch, PlaceType,
                                distance_km, name_key, spelled_out, within)
from storymap.dateline import wire_dateline
from storymap.lexicon import alternation, phrases
from storymap.recognize import DIRECTIONS, LIST_GAP, Mention


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible reading of a mention, with its score and confidence."""

    record: GazetteerRecord
    score: float
    confidence: float


@dataclass(frozen=True)
class Resolved:
    """A mention with its chosen place and the candidates it was chosen from (best first)."""

    mention: Mention
    candidates: tuple[Candidate, ...]
    #: the mention qualifies the name before it ("Mass." in "Springfield, Mass."): a toponym
    #: of the text, but evidence for that name rather than a place of its own in a story
    qualifies: bool = False

    @property
    def best(self) -> Candidate:
        return self.candidates[0]


def _allowed(match: NameMatch, constraint: str | None) -> bool:
    kind = match.record.place_type
    if constraint == "admin":
        return kind in AREA_TYPES
    if constraint == "populated":
        return kind in POPULATED_TYPES
    if constraint == "facility":
        return kind not in POPULATED_TYPES and kind not in AREA_TYPES
    return True


def prior(match: NameMatch) -> float:
    r = match.record
    if r.place_type in (PlaceType.COUNTRY, PlaceType.CONTINENT):
        score = 3.5
    elif r.place_type == PlaceType.ADMIN1:
        score = 2.2
    elif r.place_type in POPULATED_TYPES:
        score = math.log10(r.population + 1) / 2
    elif r.place_type == PlaceType.ADMIN2:  # a county: by its people (Cook County, Illinois before Georgia's)
        score = 0.5 + math.log10(r.population + 1) / 2
    else:  # landmarks, facilities and named regions: curated, so specific
        score = 3.0
    score += {PRIMARY: 1.0, ABBREVIATION: 1.0, ALTERNATE: 0.0}.get(_how_named(match), 0.0)
    return score


def _how_named(match: NameMatch) -> int:
    """How the name matched the place: an alternate name that only writes the primary name
    short counts as the primary name ("St Petersburg": GeoNames' "Saint Petersburg")."""
    if match.kind == ALTERNATE and match.surface and spelled_out(match.surface) == spelled_out(match.record.name):
        return PRIMARY
    return match.kind


def _softmax(scores: Sequence[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


#: a home town read from an outlet's name or web address has at least this many people:
#: a big city's name there is its home ("Chicago Tribune", "dallasnews.com"); a small
#: town's may be anyone's namesake
HOME_MIN_POPULATION = 100_000
_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\d?\.)?(?P<label>[a-z0-9-]+)\.", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
#: words of newspaper and broadcaster names, which follow the home town run together in a
#: web address ("dallasnews", "hulldailymail", "miamiherald")
_MASTHEAD = re.compile(r"(?:-?(?:" + alternation(phrases("masthead_words")) + r"))+")


def outlet_home(gazetteer: Gazetteer, outlet: str | None, url: str | None) -> GazetteerRecord | None:
    """The city an outlet is named for, from its name ("The Chicago Tribune") or the first
    label of its web address ("www.dallasnews.com"): the one city of
    :data:`HOME_MIN_POPULATION` people or more that the longest leading words name; None
    when they name none, or several ("The Springfield News")."""
    names: list[str] = []
    if outlet:
        words = _WORD.findall(outlet)[:4]
        if words and words[0].lower() == "the":
            words = words[1:]
        names += [" ".join(words[:n]) for n in range(min(3, len(words)), 0, -1)]
    if url and (m := _HOST.match(url.strip())):
        label = m.group("label").lower()
        # the whole label ("cleveland.com"), or a town before masthead words ("dallasnews")
        names += [label[:k] for k in range(len(label), 3, -1) if k == len(label) or _MASTHEAD.fullmatch(label, k)]
    for name in names:
        towns = [h.record for h in gazetteer.lookup(name) if h.kind == PRIMARY and
                 h.record.place_type in POPULATED_TYPES and h.record.population >= HOME_MIN_POPULATION]
        if len({r.gazetteer_id for r in towns}) == 1:
            return towns[0]
        if towns:
            return None  # "Salem", "Springfield": several big cities; the outlet's is not told
    return None


def resolve(mentions: Sequence[Mention], texts: Mapping[str, str] | None = None,
            outlet_homes: Mapping[str, GazetteerRecord] | None = None) -> list[Resolved]:
    """Resolve all mentions of a story together (coherence needs the whole story), in
    their order, leaving out the names that none of their readings fits (see below).

    ``texts`` maps article ids to their text, for evidence between mentions (lists);
    ``outlet_homes`` maps article ids to their outlet's home city (:func:`outlet_home`),
    which weighs the names of that article as a confidently placed name of it would.
    """
    outlet_homes = outlet_homes or {}
    options: list[list[NameMatch]] = []
    for m in mentions:
        allowed = [c for c in m.candidates if _allowed(c, m.constraint)] or list(m.candidates)
        options.append(allowed)

    # Countries the story talks about: the country readings of unambiguous mentions
    # (and, per name, how much of that the name itself gave).
    countries: Counter[str] = Counter()
    own: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    naming: list[set[str]] = []  # per mention, the countries it names
    for m, opts in zip(mentions, options, strict=True):
        given = own[(m.article, name_key(m.text))]
        naming.append(set())
        if len(opts) == 1 or opts[0].record.place_type == PlaceType.COUNTRY:
            countries[opts[0].record.country_code] += 1
            given[opts[0].record.country_code] += 1
            naming[-1].add(opts[0].record.country_code)
        best = max(opts, key=prior)
        if best.record.place_type == PlaceType.COUNTRY:
            countries[best.record.country_code] += 1
            given[best.record.country_code] += 1
            naming[-1].add(best.record.country_code)
    # ... and the countries the sentence of each mention names, by name or by its people, besides
    # the name itself ("flew to San Jose to meet Costa Rican leaders"): nearer evidence than a
    # country named anywhere in the story
    sentences: dict[tuple[str, int], list[int]] = defaultdict(list)
    sentence_of = _sentences(mentions, texts or {})
    for i, where in enumerate(sentence_of):
        sentences[where].append(i)
    said_here = [{cc for k in sentences[where] if name_key(mentions[k].text) != name_key(m.text) for cc in naming[k]}
                 for m, where in zip(mentions, sentence_of, strict=True)]

    # First pass: prior and countries; anchors for coherence are the confident, point-like places.
    first = []
    anchors = []
    for i, opts in enumerate(options):
        ranked = sorted(opts, key=lambda c: _ranking(prior(c) + _country_bonus(c, countries), c.record))
        host = _host(mentions, options, i, texts or {})
        if host is not None and all(h.kind == ABBREVIATION for h in host):
            # "Salem, Ore.": an abbreviated division is surely a qualifier (a list has full names)
            inside = [c for c in ranked if _inside(c.record, host)]
            if inside:
                ranked = opts = inside
        first.append(ranked[0])
        # a confident choice anchors the others: few readings, a clear lead, or a runner-up in the
        # same place ("Lisbon" the city and "Lisbon" the district)
        rivals = [c for c in ranked[1:] if distance_km(c.record.lat, c.record.lon, ranked[0].record.lat,
                                                       ranked[0].record.lon) > 50]
        margin = (prior(ranked[0]) + _country_bonus(ranked[0], countries)) - \
            (prior(rivals[0]) + _country_bonus(rivals[0], countries)) if rivals else 9.0
        # (a county is small enough to anchor its neighbours, as a town does)
        if (ranked[0].record.place_type not in AREA_TYPES or ranked[0].record.place_type == PlaceType.ADMIN2) and \
                (len(opts) <= 2 or margin >= 1.5):
            anchors.append((i, ranked[0].record))

    # Where each article was filed: its dateline's first name, whatever its kind ("VATICAN
    # CITY", "SINGAPORE"), anchors the names near it as a town does.
    filed: dict[str, int] = {}
    for i, m in enumerate(mentions):
        if m.dateline and (m.article not in filed or m.start < mentions[filed[m.article]].start):
            filed[m.article] = i
    anchored = {k for k, _ in anchors}
    anchors += [(i, first[i].record) for i in sorted(filed.values())
                if i not in anchored and first[i].record.place_type != PlaceType.CONTINENT]

    # Local focus: the first-level division the confident places of other names lie in
    # ("SALEM, Ore." and a story of Oregon towns): its places weigh more for an ambiguous name.
    divisions: dict[str, set[tuple[str, str]]] = defaultdict(set)
    named = [(k, f.record) for k, f in enumerate(first) if f.record.place_type == PlaceType.ADMIN1]
    homes: dict[tuple[str, str], tuple[str | None, set[str]]] = {}
    for k, (m, opts) in enumerate(zip(mentions, options, strict=True)):
        key = (m.article, name_key(m.text))
        if key not in homes:
            # the story's country without this name's own votes ("Georgia" in a story of US
            # towns), and the countries this name may be that the story never mentions otherwise
            others = countries - own[key]
            home = max(sorted(others), key=lambda cc: others[cc], default=None)
            foreign = {c.record.country_code for c in opts
                       if c.record.place_type == PlaceType.COUNTRY and not others[c.record.country_code]}
            homes[key] = (home, foreign)
        home, foreign = homes[key]
        if foreign and first[k].record.place_type == PlaceType.COUNTRY:
            named += [(k, c.record) for c in opts
                      if c.record.place_type == PlaceType.ADMIN1 and c.record.country_code == home]
    # the first-level divisions the story names: a town in one, or near its point where the
    # gazetteer does not record the town's division, is anchored by the text ("County Cavan
    # ... Virginia": the Irish village, not the South African city)
    states = {f.record.gazetteer_id: f.record for f in first if f.record.place_type == PlaceType.ADMIN1}
    # (named as a place, not only by its people or language: "English"; and the states named
    # though first read as a country, which may be the story's focus: "the state of Georgia")
    named_states = {f.record.gazetteer_id: f.record for m, f in zip(mentions, first, strict=True)
                    if f.record.place_type == PlaceType.ADMIN1 and not m.demonym}
    named_divisions = {r.gazetteer_id for k, r in named if not mentions[k].demonym}
    for k, r in [*anchors, *named]:
        if (d := _division(r)) is not None:
            divisions[d].add((mentions[k].article, name_key(mentions[k].text)))
    for article, city in sorted(outlet_homes.items()):
        if (d := _division(city)) is not None:
            divisions[d].add((article, ""))  # the outlet's home: one more vote, named by no mention

    def focus_of(key: tuple[str, str]) -> str | None:
        support = {d: len(keys - {key}) for d, keys in divisions.items()}
        total = sum(support.values())
        best = max(sorted(support), key=lambda d: support[d], default=None)
        return best if best is not None and support[best] >= 2 and support[best] * 2 > total else None

    # the countries of the first readings of the story's names that are places in them (towns
    # and sites, not areas: "the Texas senator" puts no town in Texas), and the names that put
    # them there
    picked: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for m, f in zip(mentions, first, strict=True):
        if f.record.place_type not in AREA_TYPES:
            picked[f.record.country_code].add((m.article, name_key(m.text)))

    # Coherence depends only on the name and the distinct anchor places of other names:
    # computed once per (article, name) and candidate, not once per mention.
    anchor_keys = [(mentions[k].article, name_key(mentions[k].text)) for k, _ in anchors]
    contexts: dict[tuple[str, str], list[GazetteerRecord]] = {}
    coherence: dict[tuple[tuple[str, str], str], float] = {}
    scores: list[list[tuple[float, NameMatch]]] = []
    #: per mention, per reading: how much a listed name's reading in its country and of its
    #: kind adds (see ``listed`` below)
    likeness: list[list[float]] = []
    story_shares: dict[tuple[str, str], dict[str, float]] = {}
    #: (article, name) and reading pairs that the text anchors (see ``local`` below)
    anchored_by_text: set[tuple[tuple[str, str], str]] = set()
    for i, (m, opts) in enumerate(zip(mentions, options, strict=True)):
        scored = []
        # "Mexico" is the country's own name and only an alternate name of Mexico City.
        # (Only countries and continents: "New York" is the city more often than the state.)
        primary_area = any(c.kind == PRIMARY and c.record.place_type in (PlaceType.COUNTRY, PlaceType.CONTINENT)
                           for c in opts)
        host = _host(mentions, options, i, texts or {})
        qualified = _qualified(mentions, options, i, texts or {})
        if qualified is None and i > 0 and _in_area(mentions[i - 1], m, texts or {}):
            # "Buffalo in New York": the area that holds the town the name before is first read
            # as, unless a town of this name is there ("Tiananmen Square in Beijing": the city,
            # not the province named after it)
            held = first[i - 1].record
            if not any(c.record.place_type in POPULATED_TYPES and
                       distance_km(c.record.lat, c.record.lon, held.lat, held.lon) <= LOCAL_KM for c in opts):
                qualified = [first[i - 1]]
        # the other places of the story, not this name again (it would only vote for itself)
        key = (m.article, name_key(m.text))
        # the share of the story's other names first read in each country ("Windsor" beside
        # "Edinburgh": all in Britain, though "Edinburgh" has namesakes too)
        shares = story_shares.get(key)
        if shares is None:
            votes = {cc: len(keys - {key}) for cc, keys in picked.items()}
            total = sum(votes.values())
            shares = story_shares[key] = {cc: n / total for cc, n in votes.items() if n} if total else {}
        context = contexts.get(key)
        if context is None:
            distinct: dict[str, GazetteerRecord] = {}
            for (_, r), anchor_key in zip(anchors, anchor_keys, strict=True):
                if anchor_key != key:
                    distinct.setdefault(r.gazetteer_id, r)
            context = contexts[key] = list(distinct.values()) + \
                ([outlet_homes[m.article]] if m.article in outlet_homes else [])
        focus = focus_of(key)
        home, foreign = homes[key]
        # the names just before and after it ("from Dundee to Perth"): a namesake beside a town
        # of its neighbourhood is anchored by it though that town has namesakes of its own
        # (not a name read among the same places: a site placed at this town by its name; and
        # past the areas between: "Columbus, Ohio, and Dublin")
        beside = []
        for step in (-1, 1):
            k = i + step
            while 0 <= k < len(mentions) and first[k].record.place_type in AREA_TYPES:
                k += step
            if 0 <= k < len(mentions) and mentions[k].article == m.article and \
                    abs(mentions[k].start - m.start) <= NEIGHBOUR_CHARS and \
                    not {c.record.gazetteer_id for c in options[k]} & {c.record.gazetteer_id for c in opts}:
                beside.append(first[k].record)
        # a town named like a country, state or region ("Florida, N.Y.", "Lebanon, Tenn.", a
        # "Middle East" neighbourhood) is near the story only when the story's places are its
        # neighbours, not merely in its region
        # (not a town in an area of its name, or at its point: Dublin in County Dublin)
        areas = [c.record for c in opts if c.kind == PRIMARY and c.record.place_type in NAMED_AREA_TYPES]
        # the best known town of this name (its own name, not an old or foreign one): a town
        # abroad that is much less known (a fifth of its people, or far fewer names in the
        # world's languages: Venice, California beside Venice) is its namesake
        towns = [c.record for c in opts if c.record.place_type in POPULATED_TYPES and _how_named(c) != ALTERNATE]
        biggest = max(towns, key=lambda r: (renown(r), r.gazetteer_id)) if towns else None
        # a wire's dateline with nothing between the name and the agency or the date is the
        # well-known place ("ROME, June 2 -"; a namesake's is "ROME, Ga., June 2")
        wired = m.dateline and texts is not None and m.article in texts and wire_dateline(texts[m.article], m.end)
        alike = []
        for c in opts:
            elsewhere = [a for a in areas if c.record.place_type in POPULATED_TYPES and not _holds(a, c.record)]
            namesake_of_area = bool(elsewhere) and len(elsewhere) == len(areas)
            # (a town named like a country, or like a division of another country)
            named_from_abroad = namesake_of_area and \
                any(a.place_type not in DIVISION_TYPES or a.country_code != c.record.country_code for a in elsewhere)
            scale = LOCAL_KM if namesake_of_area else REGION_KM
            near = coherence.get((key, c.record.gazetteer_id))
            if near is None:
                near = coherence[(key, c.record.gazetteer_id)] = _coherence(c.record, context, scale)
            near = max(near, _beside(c.record, beside, min(scale, NEIGHBOUR_KM)))
            hosted = host is not None and _inside(c.record, host)
            focused = focus is not None and focus in (_division(c.record), c.record.gazetteer_id)
            # the story's names read in a country are evidence for a town or a division there
            # ("Ontario" beside Toronto is the province), but not for a town named like a
            # country or like a division abroad ("Ontario" in a story of American towns is not
            # the Californian city: such a town needs its neighbours)
            bonus = _country_bonus(c, countries)
            if (c.record.place_type in POPULATED_TYPES and not named_from_abroad) or \
                    c.record.place_type in DIVISION_TYPES:
                bonus = max(bonus, shares.get(c.record.country_code, 0.0))
                if c.record.country_code in said_here[i]:
                    bonus = max(bonus, 1.0) + SAID_HERE
            local = hosted or focused or near >= LOCAL_ANCHOR or m.dateline or m.constraint == "populated" or \
                _division(c.record) in states or \
                any(distance_km(c.record.lat, c.record.lon, st.lat, st.lon) <= REGION_KM for st in states.values())
            if local:
                anchored_by_text.add((key, c.record.gazetteer_id))
            # a namesake abroad is anchored by the text, not by the division most of the story's
            # places lie in, nor by one named only by its people or language: a story of English
            # towns is a story of Britain, where "In Washington" is still the American capital
            anchoring = hosted or near >= LOCAL_ANCHOR or m.dateline or m.constraint == "populated" or \
                (focused and focus in named_divisions) or _division(c.record) in named_states or \
                any(distance_km(c.record.lat, c.record.lon, st.lat, st.lon) <= REGION_KM
                    for st in named_states.values())
            if biggest is not None and c.record.place_type in POPULATED_TYPES and \
                    (not anchoring and (_namesake(c.record, biggest) or _how_named(c) == ALTERNATE) or
                     wired and not hosted and _namesake(c.record, biggest)):
                # "Washington" in a story about Britain is still the capital, not the English
                # town: that the story talks about a country does not anchor a small namesake
                # there; the text must (a qualifier, the places around it, a division it names).
                # Nor does it make a town win by an old or foreign name of it ("Venice" for an
                # American city) over a town whose own name it is. (Nor does the division most of
                # its places lie in, which the text does not name.)
                bonus = 0.0
                focused = focused and focus in named_divisions
            s = prior(c) + bonus + near
            if hosted:
                s += 3.0  # "Paris, Texas": the Paris in Texas
            if focused:
                s += 1.0  # in the division the story is about
            if foreign and c.record.place_type == PlaceType.ADMIN1 and c.record.country_code == home:
                s += 1.0  # the state of the story's country, not a country the story never mentions
            if qualified is not None and any(within(q.record, c.record) for q in qualified):
                s += 3.0  # "Suffolk County, New York": the state that holds the county
            if primary_area and c.kind == ALTERNATE and c.record.place_type not in AREA_TYPES:
                s -= 2.0
            # "states such as California or Washington": listed names are alike (not a town
            # named like an area, which a list of areas must not pull into a town)
            alike.append(0.0 if namesake_of_area else LIKENESS)
            scored.append((s, c))
        scores.append(scored)
        likeness.append(alike)

    # Listed names are read together: each reading of a name gains what the best reading of
    # a name listed beside it scores with it (its own score, plus their likeness when both are
    # of one kind and in one country), less that name's best score alone. So "Perth and
    # Inverness" are both Scottish (the Australian city's lead is less than the likeness of the
    # pair), and the two names agree: neither leans on a reading the other no longer has.
    listed = [_listed_with(mentions, i, texts or {}) for i in range(len(mentions))]
    base = [list(sc) for sc in scores]
    for i, sibs in enumerate(listed):
        for k in sibs:
            alone = max(s for s, _ in base[k])
            for j, (s, c) in enumerate(scores[i]):
                together = max(sk + min(likeness[i][j], likeness[k][n])
                               if _kind(ck.record) == _kind(c.record) and ck.record.country_code == c.record.country_code
                               else sk
                               for n, (sk, ck) in enumerate(base[k]))
                scores[i][j] = (s + together - alone, c)

    # the countries the story's names are now read in (not their first readings: "Perth" beside
    # "Inverness" is no longer in Australia), and the names that put them there
    placed: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for m, scored in zip(mentions, scores, strict=True):
        top = min(scored, key=lambda sc: _ranking(sc[0], sc[1].record))[1]
        placed[top.record.country_code].add((m.article, name_key(m.text)))

    def backed(key: tuple[str, str], r: GazetteerRecord) -> bool:
        """Whether the text puts the name ``key`` at ``r``: it anchors it there, or names its
        country or places another name in it."""
        return (key, r.gazetteer_id) in anchored_by_text or \
            countries[r.country_code] > own[key][r.country_code] or bool(placed[r.country_code] - {key})

    # One sense per discourse: the same name in one article means the same place, so its
    # mentions share their evidence ("Parkland, Florida" ... "Parkland" is still in Florida).
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        groups[(m.article, name_key(m.text))].append(i)
    # the names the words right before put someone at, in or bound for, in any of their mentions
    put = {key for key, group in groups.items() if any(mentions[k].put_there for k in group)}
    out: list[Resolved] = []
    means: dict[tuple[str, str], dict[str, float]] = {}
    for i, m in enumerate(mentions):
        gkey = (m.article, name_key(m.text))
        group = groups[gkey]
        scored = scores[i]
        if len(group) > 1:
            mean = means.get(gkey)
            if mean is None:  # once per group, not once per mention of it
                pooled: dict[str, list[float]] = defaultdict(list)
                for k in group:
                    for s, c in scores[k]:
                        pooled[c.record.gazetteer_id].append(s)
                mean = means[gkey] = {gid: sum(v) / len(v) for gid, v in pooled.items()}
            scored = [(mean[c.record.gazetteer_id], c) for _, c in scored]
        scored.sort(key=lambda sc: _ranking(sc[0], sc[1].record))

        def fits(match: NameMatch, m: Mention = m, gkey: tuple[str, str] = gkey) -> bool:
            """Whether the text can mean this reading of the name (see below)."""
            r = match.record
            if r.place_type not in POPULATED_TYPES:
                return True
            if (m.word and r.place_type != PlaceType.CITY) or \
                    (r.place_type != PlaceType.CITY and _how_named(match) == ALTERNATE):
                return (gkey, r.gazetteer_id) in anchored_by_text
            if r.place_type == PlaceType.VILLAGE:
                # (a village that is the name's only town, where the words right before put
                # someone: "the boat reached Lampedusa")
                return backed(gkey, r) or (gkey in put and _only_town(match, m.candidates))
            if m.unconfirmed and r.population < UNCONFIRMED_MAX:
                # (a story of that town alone says nothing against it: "Schools in Franklin closed")
                return backed(gkey, r) or not any(keys - {gkey} for keys in placed.values())
            return True

        if not fits(scored[0][1]):
            # a village in a country the story neither names nor places another name in, far
            # from its places, that nothing in the text puts there, is not what the name means:
            # a reading the text backs is ("Delphi" after "Athens": the Greek village, not
            # Indiana's), or none is, and the name is a word or a name that happens to name a
            # village ("the Pope"). So with a town that the entity model reads as no place (a
            # person, a body: "officials in Whitehall") in a story placed elsewhere; and a town named by a common English
            # word ("Congress", "Post") or only by another spelling ("Nancy" for an American
            # village) is that word or that name unless the text itself puts it there (a
            # qualifier, its neighbours, a dateline)
            scored = [sc for sc in scored if fits(sc[1])]
            if not scored:
                continue
        conf = _softmax([2.0 * s for s, _ in scored])
        out.append(Resolved(m, tuple(Candidate(c.record, round(s, 3), round(p, 3))
                                     for (s, c), p in zip(scored, conf, strict=True))))
    for i in range(1, len(out)):
        area = out[i].best.record
        if area.place_type in JURISDICTION_TYPES and \
                _comma_between(out[i - 1].mention, out[i].mention, texts or {}) and \
                within(out[i - 1].best.record, area):
            out[i] = replace(out[i], qualifies=True)
        area = out[i - 1].best.record
        if area.place_type in JURISDICTION_TYPES and \
                _possessive_before(out[i - 1].mention, out[i].mention, texts or {}) and \
                within(out[i].best.record, area) and out[i].best.record.gazetteer_id != area.gazetteer_id:
            out[i - 1] = replace(out[i - 1], qualifies=True)  # "Pakistan's Sindh province"
    return out


def _only_town(match: NameMatch, candidates: Sequence[NameMatch]) -> bool:
    """Whether a reading is the only town (city, town or village) its name names by its own
    name (not an old or foreign one)."""
    return not any(c.record.place_type in POPULATED_TYPES and _how_named(c) != ALTERNATE and
                   c.record.gazetteer_id != match.record.gazetteer_id for c in candidates)


def _sentences(mentions: Sequence[Mention], texts: Mapping[str, str]) -> list[tuple[str, int]]:
    """The sentence each mention is in, as (article id, the sentence's start in its text): a
    sentence as the text's punctuation and line breaks bound it (a mention of an article whose
    text is not given is a sentence of its own)."""
    starts: dict[str, list[int]] = {}
    out = []
    for m in mentions:
        text = texts.get(m.article)
        if text is None:
            out.append((m.article, m.start))
            continue
        if m.article not in starts:
            starts[m.article] = [0, *(b.end() for b in _SENTENCE_BREAK.finditer(text))]
        at = starts[m.article]
        out.append((m.article, at[bisect.bisect_right(at, m.start) - 1]))
    return out


def _holds(area: GazetteerRecord, town: GazetteerRecord) -> bool:
    """Whether an area holds a town of its name as its own: a division it records the town in,
    or its point is the town's (a country's or region's point is its middle, not its towns)."""
    return (area.place_type in DIVISION_TYPES and within(town, area)) or \
        distance_km(town.lat, town.lon, area.lat, area.lon) <= LOCAL_KM


def _ranking(score: float, record: GazetteerRecord) -> tuple[float, float, str]:
    """The order of readings: by score, and of readings that score alike (states, which all
    have one prior) the better known first ("Florida": the American state, not the
    Puerto Rican municipality), then by id, so that the order is fixed."""
    return -score, -renown(record), record.gazetteer_id


def _listed_with(mentions: Sequence[Mention], i: int, texts: Mapping[str, str]) -> list[int]:
    """Mentions listed next to mention ``i`` ("A, B and C") in the same article's text."""
    out: list[int] = []
    text = texts.get(mentions[i].article)
    if text is None:
        return out
    for k in (i - 1, i + 1):
        if 0 <= k < len(mentions) and mentions[k].article == mentions[i].article:
            a, b = sorted((mentions[k], mentions[i]), key=lambda m: m.start)
            if 0 <= b.start - a.end <= 7 and LIST_GAP.fullmatch(text[a.end : b.start]):
                out.append(k)
    return out


def _comma_between(a: Mention, b: Mention, texts: Mapping[str, str]) -> bool:
    """Whether ``b`` follows ``a`` after a comma ("Paris, Texas"), as a qualifier does (not a
    demonym, which qualifies no name: "In Washington, British officials said")."""
    if a.article != b.article or b.demonym or not 0 < b.start - a.end <= 2:
        return False
    text = texts.get(a.article)
    return text is None or bool(_QUALIFIER_GAP.fullmatch(text, a.end, b.start))


def _possessive_before(a: Mention, b: Mention, texts: Mapping[str, str]) -> bool:
    """Whether ``a`` is the possessive right before ``b`` ("Pakistan's Sindh province"), as a
    qualifier before its name is."""
    if a.article != b.article or not 0 < b.start - a.end <= 3:
        return False
    text = texts.get(a.article)
    return text is not None and bool(_POSSESSIVE_GAP.fullmatch(text, a.end, b.start))


_QUALIFIER_GAP = re.compile(r",[ \u00a0]?")
_POSSESSIVE_GAP = re.compile(r"['\u2019]s[ \u00a0]")
_SPACE = r"[ \u00a0]+"
_PART = "(?:" + "|".join(sorted(DIRECTIONS, key=len, reverse=True)) + ")"
#: "in", and the part of the area the name is in: "in northern", "in the south-west of"
_IN_AREA_GAP = re.compile(rf",?{_SPACE}in{_SPACE}"
                          rf"(?:(?:the{_SPACE})?{_PART}(?:-{_PART})?(?:{_SPACE}of(?:{_SPACE}the)?)?{_SPACE})?")
#: the longest such gap, in characters
_IN_AREA_CHARS = 40
#: the end of a sentence: a full stop, question or exclamation mark (and closing quotes or
#: brackets) before a capital, or a line break
_SENTENCE_BREAK = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+(?=[\"\u201c\u2018(\[]?[A-Z0-9])|\n\s*")
#: a list's last item joined without a comma: "and Venice", "or Rome"
_LIST_GOES_ON = re.compile(r"\s+(?:and|or)\s+[A-Z]")


def _in_area(a: Mention, b: Mention, texts: Mapping[str, str]) -> bool:
    """Whether ``b`` follows ``a`` after "in", or "in" and a part of it, as an area that holds
    it does ("Tripoli in northern Lebanon", "Perth, in central Scotland", "London in the
    south-west of Ontario")."""
    if a.article != b.article or b.demonym or not 0 < b.start - a.end <= _IN_AREA_CHARS:
        return False
    text = texts.get(a.article)
    return text is not None and bool(_IN_AREA_GAP.fullmatch(text, a.end, b.start))


def _qualifier(mentions: Sequence[Mention], options: Sequence[Sequence[NameMatch]], i: int,
               texts: Mapping[str, str]) -> bool:
    """Whether mention ``i`` may qualify the name before it: after a comma, and not the middle
    of a list that goes on without one ("Florence, Milan and Venice"), unless the name is
    first of all an area ("Paris, Texas and Dallas")."""
    if i == 0 or not _comma_between(mentions[i - 1], mentions[i], texts):
        return False
    text = texts.get(mentions[i].article)
    return text is None or not _LIST_GOES_ON.match(text, mentions[i].end) or \
        max(options[i], key=lambda c: (prior(c), c.record.gazetteer_id)).record.place_type in JURISDICTION_TYPES


def _host(mentions: Sequence[Mention], options: Sequence[Sequence[NameMatch]], i: int,
          texts: Mapping[str, str]) -> list[NameMatch] | None:
    """The areas a name is qualified by, as in "Paris, Texas" or "Perth, Australia", or said to
    be in ("Tripoli in northern Lebanon")."""
    if i + 1 >= len(mentions) or not (_qualifier(mentions, options, i + 1, texts) or
                                      _in_area(mentions[i], mentions[i + 1], texts)):
        return None
    areas = [c for c in options[i + 1] if c.record.place_type in JURISDICTION_TYPES]
    return areas or None


def _qualified(mentions: Sequence[Mention], options: Sequence[Sequence[NameMatch]], i: int,
               texts: Mapping[str, str]) -> list[NameMatch] | None:
    """The readings of the name that mention ``i`` qualifies ("Springfield, Mass.": Springfield's)."""
    if not _qualifier(mentions, options, i, texts):
        return None
    return list(options[i - 1]) or None


def _namesake(record: GazetteerRecord, best_known: GazetteerRecord) -> bool:
    """Whether a town abroad is a namesake of the best known town of its name: much less
    renowned (:data:`NAMESAKE_GAP`) and named in fewer of the world's languages. A town that
    the world names as often is no one's namesake, however many more people the other has
    (Windsor, England beside the bigger Windsor, Ontario, which was named after it)."""
    return record.country_code != best_known.country_code and record.names < best_known.names and \
        renown(record) + NAMESAKE_GAP <= renown(best_known)


def _kind(record: GazetteerRecord) -> str:
    """A place's kind for likeness in a list: a city and a village are both towns there."""
    return "populated" if record.place_type in POPULATED_TYPES else record.place_type


def _division(record: GazetteerRecord) -> str | None:
    """The gazetteer id of the first-level division a place records, if it records one."""
    if record.place_type == PlaceType.ADMIN1:
        return record.gazetteer_id
    return record.located_in if record.located_in.startswith("countrystatecity:") else None


def _inside(record: GazetteerRecord, host: Sequence[NameMatch]) -> bool:
    return any(within(record, h.record) for h in host)


def _country_bonus(match: NameMatch, countries: Counter[str]) -> float:
    """Up to 1.0 for a place in a country the story talks about, by how much it does."""
    if match.record.place_type == PlaceType.COUNTRY or not countries:
        return 0.0
    n = countries.get(match.record.country_code, 0)
    return 0.6 + 0.4 * n / max(countries.values()) if n else 0.0


#: what a reading gains, over the most the story's countries give, when its sentence names its
#: country or that country's people ("to meet Costa Rican leaders")
SAID_HERE = 0.5
#: what a reading gains from a name listed beside it read in its country as its kind of place
LIKENESS = 1.0
#: a town or city the entity model reads as no place is a place only where the story is about
#: its country, unless it has this many people (a world city is that city whatever the model says)
UNCONFIRMED_MAX = 1_000_000
#: how far a story's places pull a name's readings towards them: a region's reach, and a
#: town's own surroundings (its neighbouring towns)
REGION_KM, LOCAL_KM = 150.0, 25.0
#: areas whose name a town may borrow: a country, a state, a named region
NAMED_AREA_TYPES = frozenset({PlaceType.COUNTRY, PlaceType.ADMIN1, PlaceType.REGION, PlaceType.CONTINENT})
#: a town this much less renowned (see :func:`renown`) than the best known town of its name
#: is a namesake ("Paris, Texas"), which needs more than the story's country to win: a fifth of
#: the people, or (with as many people) a little under half the names
NAMESAKE_GAP = math.log10(5)


def renown(record: GazetteerRecord) -> float:
    """How well known a place is: the logarithm of its people, and twice that of the names
    it goes by in the world's languages (a place the world writes about is named in many):
    equal for the city of 10,000 people and 100 names and the one of a million people and 10."""
    return math.log10(record.population + 1) + 2 * math.log10(record.names + 1)
#: the coherence (see :func:`_coherence`) of a reading that the story's places anchor: one of
#: them within about 120 km (20 km of a town named like an area)
LOCAL_ANCHOR = 0.67


def _beside(record: GazetteerRecord, neighbours: Sequence[GazetteerRecord], scale: float) -> float:
    """The coherence of a town's or a site's reading with the first readings of the names
    beside it in the text, at ``scale`` (:data:`NEIGHBOUR_KM`, or less for a town named like
    an area); an area's point is no neighbour of the towns in it."""
    return 0.0 if record.place_type in AREA_TYPES else _coherence(record, neighbours, scale)


#: the most coherence a reading gets from the places near it
_COHERENCE_MAX = 1.5
#: names this close in the text (in characters) are neighbours (see :func:`_beside`), and how
#: far a neighbour's first reading reaches: it is less sure than an anchor, so it pulls a
#: reading only among its nearby towns (Perth beside Dundee), not across a region
NEIGHBOUR_CHARS, NEIGHBOUR_KM = 120, 50.0


def _coherence(record: GazetteerRecord, anchors: Sequence[GazetteerRecord], scale: float = REGION_KM) -> float:
    if record.place_type in AREA_TYPES and record.place_type not in DIVISION_TYPES:
        return 0.0  # continents, countries and regions are too wide to be near anything
    # (a state or county is near the story's places when its point is: England's Kent beside
    # Maidstone, not Michigan's)
    others = list(anchors)
    if not others:
        return 0.0
    d = min(distance_km(record.lat, record.lon, a.lat, a.lon) for a in others)
    return _COHERENCE_MAX * math.exp(-d / scale)
