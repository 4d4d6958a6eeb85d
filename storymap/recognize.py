"""Find place names in article text, with exact character offsets.

Recognition is gazetteer matching over the proper-noun n-grams of each story block,
followed by general rules that tell places from people and ordinary words:

- a name inside a longer proper-noun chunk ("Kim" in "Kim Jong Un", "Vladimir" in
  "Vladimir Putin") is part of that name, not a place, unless it opens the chunk as a
  country, division or large city ("US National Security Advisor");
- the words of people's names (after a title such as "President", or a multi-word name
  that is no place) are people wherever they appear alone later ("Kim", "Putin");
- a generic word after a name types it ("Khabarovsk region" is the division,
  "Vostochny cosmodrome" the facility), and "<facility> named after <person>" finds a
  facility by its eponym;
- weak matches are dropped: a capitalised word that opens a sentence and names only a
  small place, or a name known only as an alternate spelling of a village;
- a name the words right before put someone at, in, on or bound for ("reached X", "arrived
  on X", "left X", "bound for X"; read from the parse: :func:`put_there`) is a place whatever
  the entity model reads it as;
- a site is placed at the place in its name ("Windsor Castle", "Florida Atlantic
  University"), or at the place it is said to be in ("Trinity College in Dublin", a
  shrine the gazetteer lacks "in Kyoto");
- hard-wrapped text (wire copy) breaks lines inside names: a line break inside a
  paragraph joins the words of a name as a space does ("West\nGermany").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from storymap import patterns
from storymap.articles import Article
from storymap.dateline import agency_follows, ends_dateline
from storymap.document import Document, model_text
from storymap.gazetteer import (ABBREVIATION, AREA_TYPES, DEMONYM, DIVISION_TYPES, EPONYM, FIRST_WORD_ABBREVIATIONS,
                                JURISDICTION_TYPES, POPULATED_TYPES, PRIMARY, Gazetteer, NameMatch, PlaceType, name_key)
from storymap.lexicon import alternation, phrases, words
from storymap.ner import blank_tokenizer

if TYPE_CHECKING:
    from storymap.ner import EntityModel

TITLES = words("titles") | words("courtesy_titles")
#: a storm's kind and its name ("Hurricane Nadia", "Tropical Storm Nadia"): a name, not a place
_STORM_NAME = re.compile(r"\b(?:" + alternation([w.capitalize() for w in sorted(words("named_storm_kinds"))]) +
                         r")\s+([A-Z][a-z]+)\b")
# in prose "and" joins two names far more often than it makes one ("Chillicothe and Zanesville");
# a dateline's place takes it ("TRINIDAD AND TOBAGO")
CONNECTORS = words("name_connectors") - {"and"}
# joined by spaces inside a name ("Republic of Korea"); the others only by hyphens ("Komsomolsk-on-Amur")
SPACED_CONNECTORS = CONNECTORS - words("hyphen_connectors")
#: the small words a Title Case headline leaves in lower case: they say nothing of its capitals
HEADLINE_SMALL_WORDS = CONNECTORS | words("headline_small_words")
COUNTY_SUFFIXES = words("county_nouns")
# "department" after a name is a body ("Police Department", "State Department"), before "of" a division
ADMIN_SUFFIXES = words("division_nouns") - {"department"}
CITY_CUES = re.compile(r"\b(?:" + alternation(phrases("settlement_nouns")) + r")\s+of\s+$", re.IGNORECASE)
#: "the province of Idlib", "the State of Oaxaca": the name after them is a division
ADMIN_CUES = re.compile(r"\b(?:" + alternation(phrases("division_nouns") + phrases("county_nouns")) + r")\s+of\s+$",
                        re.IGNORECASE)
# "middle" is no direction: "the middle of Syria" is in Syria, "north of Syria" is not
DIRECTIONS = words("directions") | (words("region_qualifiers") - {"middle", "mid", "far"})
CALENDAR = words("weekdays") | words("months") | words("month_abbreviations")
DETERMINERS = words("determiners")
LEADING_WORDS = words("sentence_openers") | DETERMINERS
FACILITY_HEADS = phrases("facility_heads")


#: the word part of spaCy's tokens: an acronym ("U.S."), or a letter and the letters and
#: digits after it, with elisions ("d'Ivoire", "don't") but no possessive ("Kim's" -> "Kim");
#: "St." -> "St", "a.m." -> "a" and "m", "Komsomolsk-on-Amur" -> three words
_WORD = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_][\w]*(?:['’](?![sS]\b)\w+)*")
_NAMED_AFTER = re.compile(
    r"\b(?P<head>(?:(?!(?:an?|the)\s)[a-z]+\s+){0,2}(?:" + alternation(FACILITY_HEADS) + r"))"
    r"\s+named\s+(?:after|for)\s+"
    r"(?:[A-Za-z]+\s+){0,3}?(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,3})"
)
#: nouns that call the name after their "of" a place ("the seaside resort of X")
PLACE_NOUNS = phrases("place_nouns")
_PLACE_NOUN_OF = re.compile(r"\b(?:" + alternation(PLACE_NOUNS) + r")\s+of\s+$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?][\"”’)]?\s+$")


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str

    @property
    def cap(self) -> bool:
        return self.text[0].isupper()


@dataclass(frozen=True)
class Mention:
    """A place name found in an article: ``article.text[start:end] == text``.

    ``candidates`` are the gazetteer records the name may refer to; ``constraint`` narrows
    them when the words around the name say what kind of place it is.
    """

    article: str
    start: int
    end: int
    text: str
    candidates: tuple[NameMatch, ...]
    constraint: str | None = None  # "admin", "populated", "facility"
    demonym: bool = False
    #: the name is in the article's dateline ("HANOVER, Germany -"): where it was filed
    dateline: bool = False
    #: the name is one common English word ("Congress", "Post"): a town of that name needs the
    #: text to put it there
    word: bool = False
    #: the entity model, run on the text, reads the name as no place: a person, a body, or
    #: nothing ("Nancy said", "officials in Whitehall"): a town of that name needs the story to
    #: be about its country
    unconfirmed: bool = False
    #: the words right before the name put someone at, in, on or bound for it ("reached X",
    #: "arrived on X", "landed in X", "left X", "bound for X"; see :func:`put_there`): a
    #: village that is the name's only town is that village, whatever the entity model reads
    put_there: bool = False


def _words(text: str, tokens: Iterable[tuple[int, int]]) -> list[Token]:
    """The words recognition reads, from spaCy's tokens (their (start, end) in ``text``, in
    order): each token's word part (see :data:`_WORD`; punctuation, numbers and spaces have
    none), a token that goes on a word with no break ("do" "n't", "U.S" "..") joined to it."""
    out: list[Token] = []
    run_start = run_end = -1
    for s, e in tokens:
        if s == run_end and _inside_word(text, s):
            run_end = e
            continue
        if run_end > run_start:
            out += _run_words(text, run_start, run_end)
        run_start, run_end = s, e
    if run_end > run_start:
        out += _run_words(text, run_start, run_end)
    return out


def _inside_word(text: str, pos: int) -> bool:
    """Whether a token boundary at ``pos`` may cut a word: letters, digits, periods and
    apostrophes on both sides ("do|n't", "U.S|..", "name|_")."""
    return _WORD_CHAR.match(text, pos - 1) is not None and _WORD_CHAR.match(text, pos) is not None


_WORD_CHAR = re.compile(r"[\w.'’]")


def _run_words(text: str, start: int, end: int) -> list[Token]:
    return [Token(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text, start, end)
            if not (m.group(0) in ("s", "S") and m.start() > 0 and text[m.start() - 1] in "'’")]


def _parsed_blocks(article: Article, document: Document | None
                   ) -> tuple[list[tuple[int, int, list[Token]]], list[tuple[int, Any]]]:
    """(start, end, words) of each story block, and the spaCy docs they come from with
    their offsets: the parse's (the document's), or with no parse, each block through
    spaCy's English tokenizer, which needs no model."""
    text = article.text
    if document is not None and document.docs:
        pieces = list(zip(document.offsets, document.docs, strict=True))
    else:
        tokenizer = blank_tokenizer()
        pieces = [(b.start, tokenizer(model_text(text[b.start : b.end]))) for b in article.blocks]
    spans = [(off + t.idx, off + t.idx + len(t)) for off, doc in pieces for t in doc if not t.is_space]
    starts = [s for s, _ in spans]
    out = []
    for b in article.blocks:
        lo, hi = bisect.bisect_left(starts, b.start), bisect.bisect_left(starts, b.end)
        out.append((b.start, b.end, _words(text, spans[lo:hi])))
    return out, pieces


_CUE_MATCHERS: dict[int, tuple[Any, Any]] = {}


def cued_names(doc: Any) -> list[tuple[int, int]]:
    """(start, end) in ``doc.text`` of the names the words before them call places ("the
    city of X", "the seaside resort of X"), by the patterns of
    ``storymap/patterns/place_cues.json``, in text order."""
    vocab = doc.vocab
    found = _CUE_MATCHERS.get(id(vocab))
    if found is None or found[0] is not vocab:
        found = (vocab, patterns.matcher(vocab, "place_cues"))
        _CUE_MATCHERS[id(vocab)] = found
    # every pattern is a noun, "of" and the name
    return sorted((doc[s + 2].idx, doc[e - 1].idx + len(doc[e - 1])) for _, s, e in found[1](doc))



#: abbreviated first words of place names, written with a period: "St. Petersburg", "Ft. Worth"
NAME_ABBREVIATIONS = frozenset(FIRST_WORD_ABBREVIATIONS)


#: what may separate the words of one name: a space, a hyphen, a line break of hard-wrapped text
_CHUNK_GAPS = frozenset({" ", "-", "‐", "‑", "\u00a0", "\n", "\r\n"})


def _as_space(gap: str) -> str:
    """A gap between words, a line break read as the space it stands for."""
    return " " if gap in ("\n", "\r\n") else gap


def _joinable(text: str, a: Token, b: Token) -> bool:
    """Tokens that can sit inside one name: a space or hyphen between, a possessive, or the
    period of an abbreviated first word ("St. Petersburg")."""
    gap = text[a.end : b.start]
    # a line break inside a paragraph of hard-wrapped text ("New South\nWales") joins too
    return gap in (" ", "-", "‐", "‑", "\u00a0", "\n", "\r\n") or bool(re.fullmatch(r"['’]s ", gap)) or \
        (gap == ". " and a.text in NAME_ABBREVIATIONS)


def _chunks(text: str, toks: list[Token]) -> list[tuple[int, int]]:
    """Maximal runs of capitalised tokens (with name connectors inside), as token index ranges."""
    out = []
    i = 0
    while i < len(toks):
        if not toks[i].cap or toks[i].text.lower() in DETERMINERS:
            i += 1
            continue
        j = i
        while j + 1 < len(toks):
            nxt = toks[j + 1]
            gap = text[toks[j].end : nxt.start]
            # (a line break inside a paragraph of hard-wrapped text is a space: "Helmut\nKohl")
            if gap not in _CHUNK_GAPS:
                break
            if nxt.cap:
                j += 1
            elif nxt.text.lower() in CONNECTORS and j + 2 < len(toks) and toks[j + 2].cap and \
                    _as_space(text[nxt.end : toks[j + 2].start]) == _as_space(gap) and \
                    (_as_space(gap) != " " or nxt.text.lower() in SPACED_CONNECTORS):
                j += 2
            else:
                break
        out.append((i, j))
        i = j + 1
    return out


def _sentence_start(text: str, block_start: int, pos: int) -> bool:
    # only the end of what comes before matters: walk back over the white space
    j = pos
    while j > block_start and text[j - 1].isspace():
        j -= 1
    if j == block_start:
        return True
    before = text[max(block_start, j - 2) : pos]
    return bool(_SENTENCE_END.search(before)) or text[j - 1] in (":", "“", '"')


def _title_case_line(text: str, toks: list[Token]) -> bool:
    """A headline in Title Case, where capitals say nothing about names."""
    if not toks or text[toks[0].start : toks[-1].end + 2].rstrip().endswith((".", "!", "?", "”", '"')):
        return False
    words = [t for t in toks if t.text.lower() not in HEADLINE_SMALL_WORDS]
    return len(words) >= 3 and sum(t.cap for t in words) / len(words) > 0.75


def _is_strong(m: NameMatch, *, big_city: int = 1_000_000) -> bool:
    r = m.record
    return r.place_type in AREA_TYPES or m.kind in (DEMONYM, ABBREVIATION) or r.population >= big_city


@dataclass(frozen=True)
class Analysis:
    """What recognition found in one article."""

    mentions: list[Mention]
    #: words of people's names ("Kim", "Putin"): never places in this article
    people: frozenset[str]
    unknown: tuple[tuple[int, int, str], ...] = ()
    #: place names the entity model found that the gazetteer cannot place (streets, buildings...)
    unlocated: tuple[tuple[int, int, str], ...] = ()


def _curated(match: NameMatch) -> bool:
    """A place from our own landmarks table."""
    return match.record.gazetteer_id.startswith("landmark:")


class Recognizer:
    """Finds :class:`Mention` objects in articles using a :class:`Gazetteer` and, when
    installed, a statistical named-entity model (see :mod:`storymap.ner`).

    Parameters
    ----------
    gazetteer:
        The offline gazetteer.
    ner:
        ``"auto"`` (default) uses the spaCy model when it is installed, ``None`` uses
        gazetteer matching alone, or pass an object with an ``entities(texts)`` method.
    """

    def __init__(self, gazetteer: Gazetteer, *, ner: EntityModel | Literal["auto"] | None = "auto") -> None:
        self.gazetteer = gazetteer
        if isinstance(ner, str):  # "auto"
            from storymap.ner import default_ner

            ner = default_ner()
        self.ner: EntityModel | None = ner

    def find(self, article: Article) -> list[Mention]:
        """All place mentions in the article's story blocks, in text order."""
        return self.analyse(article).mentions

    def analyse(self, article: Article, document: Document | None = None) -> Analysis:
        """Place mentions and the people named in one article; the entities come from the
        article's :class:`~storymap.document.Document` when given (parsed once for every
        stage), else from the entity model run here."""
        text = article.text
        blocks, pieces = _parsed_blocks(article, document)
        ents: list[tuple[int, int, str]] | None = None
        if blocks and document is not None:
            ents = [(e.start, e.end, e.label) for e in document.entities()]
        elif blocks and self.ner is not None:
            ents = [(bs + e.start, bs + e.end, e.label) for (bs, _be, _toks), found in
                    zip(blocks, self.ner.entities([text[bs:be] for bs, be, _ in blocks]), strict=True)
                    for e in found]
        # a word the entity model reads alone as a place somewhere in the article ("the show in
        # Glasgow") is no person's name there, whatever name it opens ("Glasgow Green")
        places = {text[s:e] for s, e, label in ents or () if label in ("GPE", "LOC", "FAC")}
        # (but "Hurricane Nadia", "Tropical Storm Nadia": a storm's name, wherever else the model
        # reads it as a place)
        storms = {m.group(1) for m in _STORM_NAME.finditer(text)}
        people = self._people(text, blocks) - places | storms
        keys: set[str] = set()
        for _, _, toks in blocks:
            for i, tok in enumerate(toks):
                if not tok.cap or tok.text.lower() in _NOT_NAME_STARTS:
                    continue
                for j in range(i, min(i + 6, len(toks))):
                    if j > i and not _joinable(text, toks[j - 1], toks[j]):
                        break
                    keys.add(name_key(text[tok.start : toks[j].end]))
                    if j > i and toks[j].text.lower() in _DIVISION_SUFFIXES:
                        keys.add(name_key(text[tok.start : toks[j - 1].end]))
        found = self.gazetteer.lookup_keys(keys)
        # a dateline writes its place in capitals ("HANOVER, Germany -"): read it as a name
        datelined = document.dateline.places if document is not None and document.dateline else ()
        mentions: list[Mention] = []
        for bs, _, toks in blocks:
            mentions += self._block(article, bs, toks, found, people, datelined)
        if document is not None and document.docs:
            mentions = _mark_put_there(mentions, pieces)
        unlocated: list[tuple[int, int, str]] = []
        if ents is not None:
            mentions, unlocated = self._combine(article, mentions, ents, storms)
        mentions = [replace(m, word=True) if _WORD.fullmatch(m.text) and self.gazetteer.common_word(m.text) else m
                    for m in mentions]
        # Names the context calls places ("the city of X") that the gazetteer does not know.
        unknown = []
        placed = _Spans((x.start, x.end) for x in mentions)
        for off, doc in pieces:
            for s, e in cued_names(doc):
                if not placed.holds(off + s):
                    unknown.append((off + s, off + e, text[off + s : off + e]))
        return Analysis(sorted(mentions, key=lambda m: m.start), frozenset(people), tuple(unknown),
                        tuple(unlocated))

    # ------------------------------------------------------------------ people

    def _people(self, text: str, blocks: Iterable[tuple[int, int, list[Token]]]) -> set[str]:
        """Words of people's names in this article."""
        people: set[str] = set()
        keys: dict[tuple[int, int, int], str] = {}
        spans = []
        for bs, _, toks in blocks:
            title_line = _title_case_line(text, toks)
            for i, j in _chunks(text, toks):
                words = toks[i : j + 1]
                if any(w.text.lower() in CONNECTORS for w in words):
                    continue  # "Bank of England": an organisation
                titled = i > 0 and toks[i - 1].text.lower().rstrip(".") in TITLES and \
                    text[toks[i - 1].end : toks[i].start] == " "
                # "In Guangzhou, ...": a capitalised preposition opening the sentence is no name
                while words and words[0].text.lower() in LEADING_WORDS:
                    words = words[1:]
                # "UN General Assembly", "NBC News": an acronym makes an organisation, unless it
                # is a country opening the chunk ("U.S. President Joe Biden")
                if any(w.text.isupper() and len(w.text) > 1 and
                       (k > 0 or not any(_is_strong(m) for m in self.gazetteer.lookup(w.text)))
                       for k, w in enumerate(words)):
                    continue
                # "President Vladimir Putin", "Commission President Ursula": a name follows its title
                last_title = max((k for k, w in enumerate(words) if w.text.lower().rstrip(".") in TITLES), default=-1)
                if last_title >= 0:
                    words = words[last_title + 1 :]
                    titled = True
                if not words or (len(words) < 2 and not titled) or len(words) > 6 or (title_line and not titled):
                    continue
                spans.append((titled, words))
                keys[(bs, words[0].start, words[-1].end)] = name_key(text[words[0].start : words[-1].end])
        hits = self.gazetteer.lookup_keys(keys.values())
        for titled, words in spans:
            whole = name_key(text[words[0].start : words[-1].end])
            if hits.get(whole) and not titled:
                continue  # "New Delhi", "North Korea": a place, not a person
            first = [] if titled else self.gazetteer.lookup(words[0].text)  # after a title comes a name
            if any(_is_strong(m) for m in first):
                words = words[1:]  # "Russian President ..." / "US National ..." open with a place
                while words and words[0].text.lower().rstrip(".") in TITLES:
                    words = words[1:]
                    titled = True
            if not words or len(words) > 4 or (len(words) < 2 and not titled) or \
                    any(w.text.isupper() and len(w.text) > 1 for w in words):
                continue  # acronyms make organisations: "UN General Assembly"
            if not titled and all(self.gazetteer.common_word(w.text) for w in words):
                continue  # "Great Hall", "Supreme Court": words, not a name
            if not titled and words[-1].text.lower() in SITE_HEADS:
                continue  # "Windsor Castle", "Balliol College": a site, not a person
            people.update(w.text for w in words)
        # a word the article puts a person in, at or near ("in Wayne") names a place there,
        # whatever chunk it also opens ("Wayne Gulf Express", a gas station)
        return people - {m.group(1) for m in _PUT_IN.finditer(text)}

    # ------------------------------------------------------------------ per block

    def _block(self, article: Article, bs: int, toks: list[Token], found: dict[str, list[NameMatch]],
               people: set[str], datelined: Iterable[tuple[int, int]] = ()) -> list[Mention]:
        text = article.text
        chunks = _chunks(text, toks)
        chunk_of = {}
        for ci, (i, j) in enumerate(chunks):
            for k in range(i, j + 1):
                chunk_of[k] = ci
        out: list[Mention] = []
        taken: list[tuple[int, int]] = []

        # facilities named after a person: "an aviation plant named after ... Yuri Gagarin"
        block_end = toks[-1].end if toks else bs
        for m in _NAMED_AFTER.finditer(text, bs, block_end):
            hits = [h for h in self.gazetteer.lookup(m.group("name")) if h.kind == EPONYM]
            if hits:
                out.append(Mention(article.id, m.start("head"), m.end("name"), text[m.start("head") : m.end("name")],
                                   tuple(hits), "facility"))
                taken.append((m.start("head"), m.end("name")))

        i = 0
        while i < len(toks):
            tok = toks[i]
            if not tok.cap or tok.text.lower() in _NOT_NAME_STARTS or any(s <= tok.start < e for s, e in taken):
                i += 1
                continue
            best = None
            for j in range(min(i + 5, len(toks) - 1), i - 1, -1):
                if any(not _joinable(text, toks[k - 1], toks[k]) for k in range(i + 1, j + 1)):
                    continue
                last = toks[j]
                span_text = text[tok.start : last.end]
                hits = found.get(name_key(span_text), [])
                constraint = None
                if not hits and j > i and tok.text == "County":
                    # "County Cork", "County Durham": Irish and British counties put the word first
                    hits = [h for h in found.get(name_key(text[toks[i + 1].start : last.end]), [])
                            if h.record.place_type in DIVISION_TYPES and h.kind != DEMONYM]
                    constraint = "admin" if hits else None
                if j > i and last.text.lower() in _DIVISION_SUFFIXES:
                    named = found.get(name_key(text[tok.start : toks[j - 1].end]), [])
                    head = [h for h in named if h.record.place_type in AREA_TYPES and h.kind != DEMONYM]
                    if last.text == "State" and any(h.record.country_code == "US" for h in head) and \
                            not any(h.record.place_type in POPULATED_TYPES and h.record.population >= 100_000
                                    for h in named):
                        # an American state's name has no "State" in it: "Ohio State", "Penn State",
                        # "Iowa State Patrol" are a university, a team, an agency; only where a
                        # big city shares the name does "State" tell the state ("New York State")
                        head = []
                    if head and not hits:
                        hits, constraint = head, "admin"
                    elif head and hits and last.text.lower() in COUNTY_SUFFIXES:
                        # "Kent County" is one of America's counties, or England's Kent ("Kent County
                        # Council"): the story decides (an American state is never "X County")
                        hits = hits + [h for h in head if h.record.country_code != "US" and h not in hits]
                    elif not hits and last.text.lower() in COUNTY_SUFFIXES and last.cap:
                        # "Orange County": counties are not in the gazetteer; their
                        # namesake town stands for them (often the county seat, always near).
                        town = [h for h in found.get(name_key(text[tok.start : toks[j - 1].end]), [])
                                if h.record.place_type in POPULATED_TYPES and h.kind != DEMONYM]
                        if town:
                            hits, constraint = town, "populated"
                if not hits:
                    continue
                if not last.cap and constraint is None and not any(
                        h.record.place_type not in POPULATED_TYPES for h in hits):
                    continue  # a lowercase ending only for facilities and regions ("Vostochny cosmodrome")
                if any(not t.cap and t.text.lower() not in CONNECTORS for t in toks[i : j + 1]) and \
                        constraint is None and all(h.kind == ABBREVIATION for h in hits):
                    continue
                best = (j, hits, constraint)
                break
            if best is None:
                i += 1
                continue
            j, hits, constraint = best
            mention = self._judge(article, bs, toks, i, j, hits, constraint, chunks, chunk_of, people,
                                  any(s <= toks[i].start and toks[j].end <= e for s, e in datelined))
            if mention is not None:
                out.append(mention)
                i = j + 1
            else:
                i += 1
        return out

    def _judge(self, article: Article, bs: int, toks: list[Token], i: int, j: int, hits: list[NameMatch],
               constraint: str | None, chunks: list[tuple[int, int]], chunk_of: dict[int, int],
               people: set[str], dateline: bool = False) -> Mention | None:
        """Keep or drop one gazetteer match by the rules in the module docstring."""
        text = article.text
        start, end = toks[i].start, toks[j].end
        surface = text[start:end]
        # Abbreviations match only in their own case: "US", not "us" or "Us"; a division's
        # ("Ore.", "GA", "Qld") only where it qualifies a name before it ("Salem, Ore.").
        qualifier = _QUALIFIER_BEFORE.search(text, max(bs, start - 40), start) is not None
        hits = [h for h in hits if h.kind != ABBREVIATION or (
            _same_abbreviation(surface, h.surface) and (qualifier or h.record.place_type != PlaceType.ADMIN1))]
        # An all-capitals word ("TASS", "NATO") names a place only when the place is written so.
        # (without a parse, a block that opens "MILLEDGEVILLE, Ga. -" or "LAGOS (Reuters)" is a dateline)
        # (and anywhere, a name in capitals before a wire agency: "... Press. WASHINGTON (AP) -",
        # where a page has run an article's furniture into its first paragraph)
        dateline = dateline or (i == 0 and ends_dateline(text, end)) or \
            (surface.isupper() and len(surface) > 2 and agency_follows(text, end))
        if surface.isupper() and len(surface) > 1 and not dateline:
            hits = [h for h in hits if h.surface.replace(".", "") == surface.replace(".", "") or
                    (h.kind == ABBREVIATION and _same_abbreviation(surface, h.surface))]
        # Eponyms ("Yuri Gagarin") reach a facility only through "named after".
        hits = [h for h in hits if h.kind != EPONYM]
        if not hits:
            return None
        if i == j and toks[i].text.lower() in DIRECTIONS:
            return None  # "Western countries"
        ci, cj = chunks[chunk_of[i]] if i in chunk_of else (i, j)
        last_is_suffix = not toks[j].cap
        inside = (ci < i or cj > j) and not last_is_suffix
        if inside:
            head = toks[ci : i]
            if ci == i and any(_is_strong(h) for h in hits):
                pass  # "US National Security Advisor", "Russian President"
            elif ci == i and cj == j + 1 and toks[cj].text.lower() in SEAT_NAMED_HEADS:
                pass  # "Windsor Castle": a site named for its town, placed there (see below)
            elif cj == j and ADMIN_CUES.fullmatch(text[toks[ci].start : start]):
                constraint = "admin"  # "the Province of Santa Fe", "the State of Oaxaca"
            elif cj == j and head and all(t.text.lower() in DIRECTIONS for t in head):
                pass  # "eastern Ukraine" written "Eastern Ukraine"
            elif cj == j and head and all(t.text.lower() in LEADING_WORDS for t in head):
                pass  # "In Gillette, ...": a preposition opening the sentence
            else:
                return None
        if i == j and toks[i].text in people and not any(h.record.place_type == PlaceType.COUNTRY for h in hits):
            return None
        strong = [h for h in hits if _is_strong(h, big_city=100_000) or h.record.place_type not in POPULATED_TYPES]
        if i == j and not strong and not dateline and _sentence_start(text, bs, start) and \
                not self._qualified_after(text, end):
            return None  # "Bush said", "Hope is": a capital any sentence start has ("Alston, Cumbria" is a place)
        if not strong and all(h.kind != 0 and h.record.population < 5_000 for h in hits):
            return None
        if constraint is None:
            before = text[max(bs, start - 40) : start]
            if CITY_CUES.search(before):
                constraint = "populated"
            elif ADMIN_CUES.search(before):
                constraint = "admin"
        hits = _demonym_first(hits)
        demonym = all(h.kind == DEMONYM for h in hits)
        if not demonym:
            hits = [h for h in hits if h.kind != DEMONYM] or hits
        if text.startswith(".", end) and any(h.kind == ABBREVIATION and h.surface.endswith(".") for h in hits):
            end += 1  # "Calif.", "Ore.": the period is the abbreviation's own
            surface = text[start:end]
        return Mention(article.id, start, end, surface, tuple(hits), constraint, demonym, dateline)

    def _qualified_after(self, text: str, end: int) -> bool:
        """Whether a first-level division, county or country follows the name after a comma."""
        m = _QUALIFIER_AFTER.match(text, end)
        return m is not None and any(h.record.place_type in JURISDICTION_TYPES
                                     for h in self.gazetteer.lookup(m.group(1)))

    # ------------------------------------------------------------------ with an entity model

    def _combine(self, article: Article, mentions: list[Mention], ents: list[tuple[int, int, str]],
                 names: Collection[str] = ()) -> tuple[list[Mention], list[tuple[int, int, str]]]:
        """Weigh gazetteer matches against the entity model's spans, and add the places it alone found.

        - a weak gazetteer match (no country, division, demonym or curated facility) that the
          model sees as no entity at all is an ordinary word ("Centre", "Industry");
        - a match the model reads only as a person ("Sam", "Paul") is a person, unless a country
          or a town listed with places ("Chillicothe, Zanesville and Ironton");
        - a seat of government ("White House", "Kremlin") is a place only where someone goes or
          is ("at the Kremlin"); otherwise it names the body it houses ("the Kremlin said");
        - a place entity with no gazetteer match over it is added when the gazetteer knows its
          name and it is none of ``names`` (a storm's: "Hurricane Nadia ... Nadia was");
          otherwise it is *unlocated* (streets, buildings: placed by context later).
        """
        from storymap.ner import PLACE_LABELS

        text = article.text
        ents.sort(key=lambda x: x[:2])  # (blocks are in order: a no-op, but the lookups rely on it)
        ent_index = _Spans((es, ee) for es, ee, _ in ents)
        by_start = sorted(mentions, key=lambda o: o.start)
        mention_starts = [o.start for o in by_start]

        def over(s: int, e: int) -> list[str]:
            return [ents[k][2] for k in ent_index.overlapping(s, e)]

        def around(m: Mention, labels: frozenset[str]) -> tuple[int, int, str] | None:
            """An entity of these labels that holds the mention and more ("Paris Hilton")."""
            for k in ent_index.overlapping(m.start, m.end):
                es, ee, lab = ents[k]
                if lab in labels and es <= m.start and m.end <= ee and (es, ee) != (m.start, m.end):
                    return es, ee, lab
            return None

        def listed_with_place(m: Mention) -> bool:
            """"Kherson and Odesa" read as one organisation: the other name is a sure place."""
            for k in ent_index.overlapping(m.start, m.end):
                es, ee, _ = ents[k]
                if es <= m.start and m.end <= ee:
                    near = by_start[bisect.bisect_left(mention_starts, es) : bisect.bisect_left(mention_starts, ee)]
                    others = [o for o in near if o is not m and es <= o.start and o.end <= ee]
                    if any(_is_strong(h, big_city=100_000) for o in others for h in o.candidates) and \
                            re.search(r"\b(?:and|or)\b|,", text[es:ee]):
                        return True
            return False

        block_starts = {b.start for b in article.blocks}
        kept: list[Mention] = []
        sites: set[int] = set()  # where the names of sites start (see below)
        # names the model reads only as people or bodies: places after all when listed with one
        # ("Chillicothe, Zanesville and Marietta"), decided once the other names are known
        named_otherwise: list[Mention] = []
        for m in mentions:
            labels = over(m.start, m.end)
            strong = m.constraint == "facility" or any(
                _is_strong(h, big_city=100_000) or _curated(h) for h in m.candidates)
            big = m.constraint == "facility" or any(
                h.record.place_type in (PlaceType.COUNTRY, PlaceType.CONTINENT) or h.kind in (DEMONYM, ABBREVIATION) or
                h.record.population >= 100_000 or _curated(h) for h in m.candidates)
            if not big and not labels and " " not in m.text and self.gazetteer.common_word(m.text):
                continue  # "Centre", "Industry", "Most": a common word, and no entity either
            if not strong and labels and all(lab in NON_PLACE_LABELS for lab in labels) and \
                    not _LOCATIVE.search(text, max(0, m.start - 12), m.start) and not m.put_there and \
                    not _PLACE_NOUN_OF.search(text, max(0, m.start - 20), m.start) and \
                    not listed_with_place(m) and not (m.start in block_starts and ends_dateline(text, m.end)):
                if any(h.record.place_type in POPULATED_TYPES for h in m.candidates):
                    named_otherwise.append(m)
                continue  # "Mary", "Congress": a person or body that shares a name with a town
            if " " not in m.text and not big and self.gazetteer.common_word(m.text) and \
                    re.search(r"\b[Tt]he\s+$", text[max(0, m.start - 5) : m.start]):
                continue  # "the Centre", "the Union": a common noun with a capital
            # "Florida Atlantic University", "Windsor Castle": a site named for the place in its
            # name (whatever the entity model calls it: it may read a castle as a person)
            holder = None if m.constraint == "facility" else around(m, frozenset({"FAC", "ORG", "LOC", "PERSON"}))
            site: tuple[int, int] | None = None
            if holder is not None:
                ws, we = trim_entity(text, holder[0], holder[1])
                head = text[ws:we].rsplit(None, 1)[-1].lower() if we > ws else ""
                site = (ws, we) if ws <= m.start and m.end <= we and head in SITE_HEADS else None
            country = any(h.record.place_type == PlaceType.COUNTRY or h.kind == DEMONYM for h in m.candidates)
            if not country and site is None and around(m, frozenset({"PERSON"})):
                continue  # "Paris Hilton", "Sam Gallagher": part of a person's name
            if any(h.record.place_type in INSTITUTION_SEATS for h in m.candidates) and \
                    not _LOCATIVE_THE.search(text, max(0, m.start - 16), m.start):
                continue  # "The White House said", "Kremlin spokesman": the institution, not the building
            if site is not None:
                # the site, placed at the place it is named for
                m = Mention(m.article, site[0], site[1], text[site[0] : site[1]], m.candidates, None, False)
                if all(h.record.place_type in POPULATED_TYPES or h.record.place_type in AREA_TYPES
                       for h in m.candidates):
                    sites.add(m.start)  # (not a site the gazetteer has: "the Guiana Space Centre")
            if not any(lab in PLACE_LABELS for lab in labels) and not m.put_there and not (
                    any(h.record.population >= 100_000 and h.kind == PRIMARY for h in m.candidates) and
                    (_LOCATIVE.search(text, max(0, m.start - 12), m.start) or
                     _BOUND_FOR.search(text, max(0, m.start - 12), m.start))):
                # (a city the words before put someone in, at or bound for is a place whatever the
                # model says: "a ship bound for Rotterdam"; and a town of any size that the parse
                # says someone reached, left, landed in or is bound for: see put_there)
                m = replace(m, unconfirmed=True)
            kept.append(m)
        kept += _listed_with_kept(text, kept, named_otherwise)
        kept.sort(key=lambda o: o.start)
        # "Trinity College in Dublin", "an air base near Incirlik": a site said to be in a place is
        # there, whatever its own name may name
        kept = [replace(m, candidates=host.candidates, constraint=host.constraint)
                if m.start in sites and (host := _site_host(text, m.end, kept)) is not None else m for m in kept]

        unlocated: list[tuple[int, int, str]] = []
        spans = _Spans((m.start, m.end) for m in kept)
        for s, e, label in ents:
            if spans.overlapping(s, e) or (label not in PLACE_LABELS and label not in _SITE_MISREAD):
                continue
            s, e = trim_entity(text, s, e)
            if e <= s or not text[s].isupper():
                continue
            surface = text[s:e]
            if surface in names:
                continue  # "Nadia was 200 miles south of Galveston" after "Tropical Storm Nadia"
            if label not in PLACE_LABELS:
                # a site the model reads as a body, a person or an event, said to be in a
                # place: "the Gion Shrine in Kyoto"
                if surface.rsplit(None, 1)[-1].lower() in SITE_HEADS and (host := _site_host(text, e, kept)):
                    kept.append(Mention(article.id, s, e, surface, host.candidates, host.constraint))
                    spans.add(s, e)
                continue
            qualifier = _QUALIFIER_BEFORE.search(text, max(0, s - 40), s) is not None
            hits = [h for h in self.gazetteer.lookup(surface) if h.kind != EPONYM and
                    (h.kind != ABBREVIATION or (_same_abbreviation(surface, h.surface) and
                                                (qualifier or h.record.place_type != PlaceType.ADMIN1)))]
            if label == "NORP":
                hits = [h for h in hits if h.kind == DEMONYM or h.record.place_type in AREA_TYPES]
            hits = _demonym_first(hits)
            if hits:
                demonym = all(h.kind == DEMONYM for h in hits)
                if not demonym:
                    hits = [h for h in hits if h.kind != DEMONYM]
                kept.append(Mention(article.id, s, e, surface, tuple(hits), None, demonym))
                spans.add(s, e)
            elif (label == "FAC" or surface.rsplit(None, 1)[-1].lower() in SITE_HEADS) and \
                    (host := _site_host(text, e, kept)) is not None:
                # a facility or site the gazetteer lacks, said to be in a place: "Naval Station
                # Norfolk in Virginia"
                kept.append(Mention(article.id, s, e, surface, host.candidates, host.constraint))
                spans.add(s, e)
            elif label != "NORP" and not surface.isupper() and \
                    (label in ("FAC", "LOC") or surface.rsplit(None, 1)[-1].lower() in SITE_HEADS or
                     (label == "GPE" and self._qualified_after(text, e))):
                # streets, rivers, buildings: placed by context; an unknown "GPE" is more often a
                # company or a person the model mislabelled than a town GeoNames lacks, unless a
                # division qualifies it ("Almo, Ky.": a hamlet too small for the gazetteer)
                unlocated.append((s, e, surface))
        return kept, unlocated


#: verbs (lemmas) of going, coming and leaving, whose preposition right before a name puts the
#: traveller there ("arrived on X", "landed in X", "sailed to X", "bound for X")
_GOING_VERBS = words("arrival_verbs") | words("departure_verbs") | words("move_verbs") | words("journey_verbs")
#: verbs (lemmas) whose object right after them is a place reached or left ("reached X", "left X")
_REACHING_VERBS = words("journey_verbs") | words("departure_verbs")
#: prepositions that put a traveller at, in, on, bound for or coming from a place
_PUTTING_PREPOSITIONS = words("destination_prepositions") | words("presence_prepositions") | \
    words("origin_prepositions")


def put_there(token: Any) -> bool:
    """Whether the words right before a name, of which ``token`` (a spaCy token) is the head,
    put someone at, in, on or bound for the place it names: the object of a verb of reaching or
    leaving right before it ("reached Lampedusa", "left Sfax"), or of a preposition right before
    it that a verb of going or coming governs ("arrived on Lampedusa", "landed in X", "bound for
    X"). Not a possessive ("in Nancy's words") nor a person met ("met Nancy")."""
    first = token.left_edge
    if token.dep_ == "poss" or first.i == 0:
        return False
    before = token.doc[first.i - 1]
    head = token.head
    if token.dep_ in ("dobj", "obj") and head.i == before.i:
        return head.pos_ == "VERB" and head.lemma_.lower() in _REACHING_VERBS
    if token.dep_ == "pobj" and head.i == before.i and head.lower_ in _PUTTING_PREPOSITIONS:
        verb = head.head
        return verb.i != head.i and verb.pos_ in ("VERB", "ADJ") and verb.lemma_.lower() in _GOING_VERBS
    return False


def _mark_put_there(mentions: list[Mention], pieces: list[tuple[int, Any]]) -> list[Mention]:
    """The mentions, each marked :attr:`Mention.put_there` when the parse says so."""
    starts = [off for off, _ in pieces]
    out = []
    for m in mentions:
        k = bisect.bisect_right(starts, m.start) - 1
        if k >= 0:
            off, doc = pieces[k]
            span = doc.char_span(m.start - off, m.end - off, alignment_mode="expand")
            if span is not None and len(span) and put_there(span.root):
                m = replace(m, put_there=True)
        out.append(m)
    return out


#: what separates the names of a list ("A, B and C", "A/B", "A & B"); resolution reads lists with it too
LIST_GAP = re.compile(r"\s*(?:,|;|/|,?\s+(?:and|or|nor|&)\s+|,\s+(?:and|or)\s+)\s*")


def _listed_with_kept(text: str, kept: list[Mention], candidates: list[Mention]) -> list[Mention]:
    """The ``candidates`` listed next to a kept place, or next to one listed so in turn
    ("Chillicothe, Zanesville and Marietta": the model's person is the towns' neighbour)."""
    placed = sorted(kept, key=lambda m: m.start)
    found: list[Mention] = []
    waiting = sorted(candidates, key=lambda m: m.start)
    while waiting:
        starts = [m.start for m in placed]
        added = []
        for m in waiting:
            k = bisect.bisect_left(starts, m.start)
            before = placed[k - 1] if k else None
            after = placed[k] if k < len(placed) else None
            if (before is not None and LIST_GAP.fullmatch(text, before.end, m.start)) or \
                    (after is not None and LIST_GAP.fullmatch(text, m.end, after.start)):
                added.append(m)
        if not added:
            break
        found += added
        placed = sorted(placed + added, key=lambda m: m.start)
        done = {id(m) for m in added}
        waiting = [m for m in waiting if id(m) not in done]
    return found


class _Spans:
    """Character spans, found by position with bisection instead of a scan of them all.

    Spans may overlap; the longest one bounds how far back a span holding a position can start.
    """

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self._items = sorted(spans)
        self._starts = [s for s, _ in self._items]
        self._longest = max((e - s for s, e in self._items), default=0)

    def add(self, start: int, end: int) -> None:
        k = bisect.bisect_right(self._items, (start, end))
        self._items.insert(k, (start, end))
        self._starts.insert(k, start)
        self._longest = max(self._longest, end - start)

    def overlapping(self, start: int, end: int) -> list[int]:
        """Indexes (in start order) of the spans that overlap ``[start, end)``."""
        lo = bisect.bisect_left(self._starts, start - self._longest)
        hi = bisect.bisect_left(self._starts, end)
        return [k for k in range(lo, hi) if self._items[k][1] > start]

    def holds(self, pos: int) -> bool:
        """Whether some span has ``start <= pos < end``."""
        return bool(self.overlapping(pos, pos + 1))


#: "Salem, " before a name: the name may be a qualifier of the one before it
_QUALIFIER_AFTER = re.compile(r",[ \u00a0]+([A-Z][\w'’-]*(?:[ \u00a0][A-Z][\w'’-]*)?\.?)")
_QUALIFIER_BEFORE = re.compile(r"[A-Z][\w.'’-]*,[ \u00a0]$")


def _same_abbreviation(surface: str, abbreviation: str) -> bool:
    """"US" is "U.S." but not "us"; "GA" is "Ga." (postal codes are written in capitals)."""
    s, a = surface.replace(".", ""), abbreviation.replace(".", "")
    return s == a or (len(s) <= 3 and s.isupper() and s == a.upper())


def _demonym_first(hits: list[NameMatch]) -> list[NameMatch]:
    """A country's demonym outweighs villages of the same name ("Canadian", Oklahoma)."""
    if any(h.kind == DEMONYM for h in hits) and all(
            h.kind == DEMONYM or h.record.place_type in (PlaceType.TOWN, PlaceType.VILLAGE) for h in hits):
        return [h for h in hits if h.kind == DEMONYM]
    return hits


#: last words of names of sites (buildings, streets, waters) that take a place's name
SITE_HEADS = words("site_heads")
#: last words of sites named for the town they stand in ("Windsor Castle")
SEAT_NAMED_HEADS = words("seat_named_heads")
#: the entity labels the model may give a site's name ("the Gion Shrine": an event)
_SITE_MISREAD = frozenset({"ORG", "PERSON", "EVENT"})
#: the words between a site and the place it is said to be in: "X College in Y", "X Air Base, Y"
_SITE_IN = re.compile(r"(?:,|\s+(?:in|at|near|outside))\s+(?:the\s+)?")


def _site_host(text: str, end: int, kept: list[Mention]) -> Mention | None:
    """The place a site ending at ``end`` is said to be in ("... College in Dublin"), from
    the mentions ``kept`` (in text order): a town or a jurisdiction, not another site."""
    m = _SITE_IN.match(text, end)
    if m is None:
        return None
    k = bisect.bisect_left([o.start for o in kept], m.end())
    if k == len(kept) or kept[k].start != m.end():
        return None
    host = kept[k]
    if host.demonym or host.text.rsplit(None, 1)[-1].lower() in SITE_HEADS or not any(
            h.record.place_type in POPULATED_TYPES or h.record.place_type in JURISDICTION_TYPES for h in host.candidates):
        return None
    return host


#: entity labels that are not places: a weak gazetteer match under only these is dropped
NON_PLACE_LABELS = frozenset({"PERSON", "ORG", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW", "LANGUAGE"})
#: a word someone is put in, at or near, not followed by more of a name ("in Wayne", not "in Wayne County")
_PUT_IN = re.compile(r"\b(?:in|at|near)\s+([^\W\d_][\w'’-]*)(?![\w'’-]|[\s\u00a0]+[A-Z])")
_BOUND_FOR = re.compile(r"\b(?:" + alternation(phrases("destination_prepositions")) + r")\s+$", re.IGNORECASE)
_LOCATIVE = re.compile(r"\b(?:" + alternation(phrases("locative_prepositions")) + r")\s+$", re.IGNORECASE)
#: a locative preposition before a building's name ("arrived at the Kremlin")
_LOCATIVE_THE = re.compile(r"\b(?:" + alternation(phrases("locative_prepositions")) + r")\s+(?:the\s+)?$",
                           re.IGNORECASE)
#: the kinds of building whose name, said of anything but a visit, means the body seated there
INSTITUTION_SEATS = frozenset({"government building", "palace"})
_LEADING = re.compile(r"(?:the|The|THE)\s+")
_TRAILING = re.compile(r"['’]s?$")


def trim_entity(text: str, s: int, e: int) -> tuple[int, int]:
    """An entity span without a leading "the" or a trailing possessive."""
    m = _LEADING.match(text, s, e)
    if m:
        s = m.end()
    m = _TRAILING.search(text[s:e])
    if m:
        e = s + m.start()
    return s, e


# the unions and differences the rules read in their inner loops, made once
_NOT_NAME_STARTS = DETERMINERS | CALENDAR
_DIVISION_SUFFIXES = ADMIN_SUFFIXES | COUNTY_SUFFIXES
