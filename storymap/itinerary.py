"""Work out who a story is about and where that person is, was, or is expected to be.

A place is a *stop* when a sentence puts the subject there: the subject (or their
possessive: "Kim's visit to", "his plans to visit") is the agent of a travel word
("visit", "arrived in", "heading to", "expected to travel to", "a meeting at") whose
object is the place. Everything else is a *mention*: places only talked about
("Moscow's war on Ukraine", "the White House expressed concern", a visit someone else
will make). The tense around the travel word tells reported from expected; a date in
the same sentence, resolved against the article's anchor date, dates the stop.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from storymap.articles import Article, Block, sentences
from storymap.dates import DateMention, find_dates, resolve
from storymap.recognize import TITLES, Token, _tokens

# travel words whose object is where the agent goes or is
TRIGGER = re.compile(
    r"\b(?:(?P<noun>(?:visit|trip|tour|journey|arrival|stay|stop|meeting|summit|talks)\s+(?:to|in|at)|tour\s+of)\b|"
    r"(?P<verb>visit(?:s|ed|ing)?|tour(?:s|ed|ing)?|inspect(?:s|ed|ing)?|"
    r"arriv(?:e|es|ed|ing)\s+(?:in|at)|land(?:s|ed|ing)?\s+(?:in|at)|touch(?:es|ed|ing)?\s+down\s+(?:in|at)|"
    r"stopp(?:ed|ing)\s+over\s+in|"
    # "was welcomed in Beijing", "spent Wednesday in Beijing", "attended a summit in Delhi"
    r"(?:welcomed|greeted|received|hosted|feted)\s+(?:\w+\s+){0,3}?(?:in|at)|"
    r"spen(?:d|ds|t|ding)\s+(?:\w+\s+){0,4}?in|attend(?:s|ed|ing)?\s+(?:\w+\s+){0,5}?(?:in|at)|"
    r"(?:travel(?:s|ed|led|ing|ling)?|head(?:s|ed|ing)?|go(?:es|ing)?|went|fl(?:y|ies|ew|ying)|return(?:s|ed|ing)?|"
    r"mov(?:e|es|ed|ing)|com(?:e|es|ing)|came|drove|driv(?:e|es|ing)|sail(?:s|ed|ing)?|continu(?:e|es|ed|ing))\s+(?:on\s+|back\s+|home\s+|onward\s+)?to|"
    r"(?:stop(?:s|ped|ping)?|stay(?:s|ed|ing)?|be|been|was|were|is|are)\s+(?:in|at)|"
    r"(?:met|meet(?:s|ing)?|held|hold(?:s|ing)?)\s+(?:\w+\s+){0,7}?(?:in|at)|"
    r"le(?:ft|ave|aves|aving)\s+for|depart(?:s|ed|ing)?\s+for|reach(?:es|ed|ing)?)|"
    # where the agent was before: "flew in from Hiroshima", "left Hanoi"
    r"(?P<origin>(?:fl(?:y|ies|ew|own|ying)|arriv(?:e|es|ed|ing)|came|com(?:e|es|ing)|travel(?:s|ed|led|ing|ling)?|"
    r"return(?:s|ed|ing)?|drove|sail(?:s|ed|ing)?)\s+(?:in\s+|back\s+)?from|le(?:ft|aves?|aving)|depart(?:s|ed|ing)?)"
    r")\b",
    re.IGNORECASE,
)
EXPECTED = re.compile(
    r"\b(?:will|would|shall|plans?|planned|planning|expected|set|scheduled|due|intends?|intended|hopes?|"
    r"going|may|might|could|invit\w*|propos\w*|to\s+be)\b",
    re.IGNORECASE,
)
CLAUSE_BREAK = re.compile(r"(?:[;:—–]|,\s+(?:while|but|as|whereas)\b|\bthat\b|\bwhere\b|\bwhich\b|\bwho\b|"
                          r"\bafter\b|\bbefore\b|\bwhile\b|\bas\b|\bfollowing\b)", re.IGNORECASE)
OBJECT_BREAK = re.compile(r"[.;:!?]|,\s|\b(?:where|which|who|that|after|before|while|when|said|says|told|but)\b",
                          re.IGNORECASE)
AGENT_NOUNS = re.compile(r"^\s*(?:(?!to\b)[\w-]+\s+){0,2}?(?:visit|trip|tour|journey|arrival|stay|plans?|travels?|"
                         r"itinerary|delegation|train|motorcade|convoy|meeting|summit|talks)\b", re.IGNORECASE)
NEGATED = re.compile(r"\b(?:not|never|n[’']t|skipp\w*|miss(?:ed|es|ing)?|cancel\w*|postpon\w*|declin\w*|"
                     r"refus\w*|scrapp\w*|called off|instead of)\b", re.IGNORECASE)
SCENE = re.compile(r"\s*(?:(?:On|Later|Earlier|Then|Afterwards|Meanwhile)\b[^,]{0,30},\s*)?(?:In|At)\s+(?:the\s+)?")
#: a clause that opens (after a time phrase or two) with "the <title>": "On Wednesday, March 5, the minister"
THE_TITLE = re.compile(r"\s*(?:[^,.;]{0,40},\s*){0,2}the\s+(?:[\w-]+\s+){0,2}?([\w-]+)\s+(?:\w+\s+){0,3}?$",
                       re.IGNORECASE)
#: courtesy titles stand before any name: "the mr" refers to no one
_COURTESY = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "lady", "lord", "dame"})
EARLIER = re.compile(r"\b(?:earlier|previously|before that|beforehand|last week|days? before)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class StopEvidence:
    """One sentence that puts the subject at a place."""

    article: str
    mention_start: int
    sentence: Block
    trigger: str
    status: str  # "reported" or "expected"
    date: dt.date | None
    date_text: str | None
    earlier: bool = False  # the sentence says it came before the rest ("Earlier in the week, ...")


@dataclass(frozen=True, slots=True)
class Person:
    """A person named in an article: the words of their name and where they occur."""

    name: str
    words: frozenset[str]


def find_subject(names: Iterable[str], texts: Iterable[str]) -> str | None:
    """The person a story is about: the one whose name words occur most often.

    ``names`` are full names found in the articles ("Kim Jong Un", "Vladimir Putin");
    the longest spelling of the winner is returned.
    """
    names = sorted(set(names), key=lambda n: (-len(n), n))
    if not names:
        return None
    corpus = "\n".join(texts)
    words = Counter(re.findall(r"\w+", corpus))  # one pass; a name word made of \w counts the same

    def count(w: str) -> int:
        return words[w] if re.fullmatch(r"\w+", w) else len(re.findall(rf"\b{re.escape(w)}\b", corpus))

    counts: Counter[str] = Counter()
    for n in names:
        first = n.split()[0]
        last = n.split()[-1]
        # people are referred to by family name; Korean and Chinese names put it first
        counts[n] = max(count(w) for w in {first, last})
    firsts = {n.split()[0] for n in names}
    where = {w: corpus.find(w) for w in firsts}
    first_seen = {n: where[n.split()[0]] for n in names}
    # ties go to the person named first: the lede names who the story is about
    best = max(names, key=lambda n: (counts[n], -first_seen[n], len(n)))
    return best


def _person_spans(text: str, toks: Sequence[Token], people: set[str]) -> list[tuple[int, int, str]]:
    """Runs of person-name words, with the full run text."""
    out = []
    i = 0
    while i < len(toks):
        if toks[i].text in people:
            j = i
            while j + 1 < len(toks) and toks[j + 1].text in people and text[toks[j].end : toks[j + 1].start] == " ":
                j += 1
            out.append((toks[i].start, toks[j].end, text[toks[i].start : toks[j].end]))
            i = j + 1
        else:
            i += 1
    return out


class Itinerary:
    """Finds stop evidence in articles for one subject."""

    def __init__(self, subject: str, people: set[str]) -> None:
        self.subject = subject
        self.subject_words = frozenset(subject.split())
        self.people = people | set(self.subject_words)
        self._titles: frozenset[str] = frozenset()

    def _is_subject(self, name: str) -> bool:
        words = {w for w in name.split() if w.lower().rstrip(".") not in TITLES}
        return bool(words & self.subject_words) and not (words - self.subject_words)

    def evidence(self, article: Article, mention_starts: Sequence[tuple[int, int]],
                 anchor: dt.date | None) -> list[StopEvidence]:
        """Stop evidence for the mentions (given as (start, end)) of one article."""
        text = article.text
        out: list[StopEvidence] = []
        last_person: str | None = None
        self._titles = self._subject_titles(text)
        spans = sorted(mention_starts)
        starts = [s for s, _ in spans]
        for sent in sentences(article):
            toks = _tokens(text, sent.start, sent.end)
            persons = _person_spans(text, toks, self.people)
            in_sentence = spans[bisect.bisect_left(starts, sent.start) : bisect.bisect_left(starts, sent.end)]
            dates = find_dates(text, sent.start, sent.end)
            found = []
            for trig in TRIGGER.finditer(text, sent.start, sent.end):
                place = self._object(text, trig, in_sentence)
                if place is None:
                    continue
                agent = self._agent(text, sent, trig, persons, last_person)
                if agent is None or not self._is_subject(agent):
                    continue
                clause_start = self._clause_start(text, sent.start, trig.start())
                before = text[clause_start : trig.start()]
                if NEGATED.search(before):
                    continue  # "Biden skipped a summit in Jakarta", "did not travel to"
                status = "expected" if EXPECTED.search(before) or EXPECTED.search(trig.group(0)) else "reported"
                earlier = bool(trig.group("origin")) or bool(EARLIER.search(text, sent.start, trig.start())) or \
                    bool(re.match(r"\s*after\b", text[max(sent.start, clause_start - 6) : clause_start], re.IGNORECASE))
                found.append((trig, place, status, earlier, clause_start))
            scene = self._scene(text, sent, in_sentence, persons, last_person)
            if scene is not None:
                found.insert(0, scene)
            for n, (trig, place, status, earlier, clause_start) in enumerate(found):
                # the dates of this clause, up to the next move; the sentence's when it reports one move
                until = found[n + 1][0].start() if n + 1 < len(found) else sent.end
                own = [d for d in dates if clause_start <= d.start < until]
                pool = own or (dates if len(found) == 1 else [])
                if re.match(r"\s*(?:before|then)\b", text[max(sent.start, clause_start - 7) : clause_start],
                            re.IGNORECASE):
                    # "expected to travel to X before returning to Y": the plan's status carries over
                    if n > 0:
                        status = found[n - 1][2]
                    elif EXPECTED.search(text, sent.start, clause_start):
                        status = "expected"
                date, date_text = self._date(pool, anchor, status, "past" if article.published else "nearest")
                out.append(StopEvidence(article.id, place[0], sent, trig.group(0), status, date, date_text, earlier))
            if persons:
                # "he" in the next sentence is most often this sentence's subject: its first
                # person not in the possessive ("Putin gifted Kim a rifle. He ...")
                subjects = [p for p in persons if not re.match(r"['’]s\b", text[p[1] : p[1] + 2])]
                last_person = (subjects or persons)[0][2]
        return out

    def _subject_titles(self, text: str) -> frozenset[str]:
        """The title words the article puts before the subject's name ("French Foreign Minister
        Claire Dubois": foreign, minister), so that "the minister" can refer to the subject."""
        found: set[str] = set()
        for word in sorted(self.subject_words):
            for m in re.finditer(rf"((?:[A-Za-z][\w-]*\s+){{1,3}}){re.escape(word)}\b", text):
                titles = [w.lower().rstrip(".") for w in m.group(1).split()]
                while titles and titles[-1] not in TITLES and titles[-1].istitle():
                    titles.pop()  # other name words ("Claire" before "Dubois")
                found |= {t for t in titles if t in TITLES and t not in _COURTESY}
        return frozenset(found)

    def _scene(self, text: str, sent: Block, mentions: Sequence[tuple[int, int]],
               persons: Sequence[tuple[int, int, str]], last_person: str | None) -> tuple | None:
        """"In Guangzhou, Macron met students": a sentence set at a place, the subject acting there."""
        m = SCENE.match(text, sent.start, sent.end)
        if m is None:
            return None
        place = next(((s, e) for s, e in mentions if s == m.end()), None)
        if place is None:
            return None
        comma = text.find(",", place[1], sent.end)
        if comma < 0 or comma - place[1] > 40:
            return None
        main = text[comma + 1 : sent.end]
        actor = next((p for p in persons if p[0] > comma), None)
        pron = re.match(r"\s*(?:he|she|they)\b", main, re.IGNORECASE)
        agent = self.subject if pron and last_person and self._is_subject(last_person) else \
            actor[2] if actor and not re.match(r"['’]s\b", text[actor[1] : actor[1] + 2]) and \
            len(text[comma + 1 : actor[0]].split()) <= 3 else None
        if agent is None or not self._is_subject(agent):
            return None
        status = "expected" if EXPECTED.search(main) else "reported"
        return (m, place, status, False, sent.start)

    @staticmethod
    def _clause_start(text: str, start: int, pos: int) -> int:
        last = start
        for m in CLAUSE_BREAK.finditer(text, start, pos):
            last = m.end()
        return last

    @staticmethod
    def _object(text: str, trig: re.Match[str], mentions: Sequence[tuple[int, int]]) -> tuple[int, int] | None:
        """The first place after the travel word, if nothing breaks the phrase before it."""
        after = [(s, e) for s, e in mentions if s >= trig.end()]
        if not after:
            return None
        s, e = min(after)
        gap = text[trig.end() : s]
        if OBJECT_BREAK.search(gap) or len(gap.split()) > 12:
            return None
        return s, e

    def _agent(self, text: str, sent: Block, trig: re.Match[str], persons: Sequence[tuple[int, int, str]],
               last_person: str | None) -> str | None:
        """Who does the travelling: a possessive before a travel noun, else the clause's subject."""
        # "Kim's visit to", "Kim Jong Un's plans to visit", "his days-long visit to"
        for _, e, name in reversed(persons):
            if e <= trig.start() and re.match(r"['’]s\b", text[e : e + 2]) and \
                    AGENT_NOUNS.match(text[e + 2 : trig.end()] + " ") and \
                    len(text[e + 2 : trig.start()].split()) <= 3:
                return name
        m = re.search(r"\b(his|her|their)\s+(?:[\w-]+\s+){0,2}$", text[sent.start : trig.start()], re.IGNORECASE)
        if m and (AGENT_NOUNS.match(text[sent.start + m.end() : trig.end()] + " ") or trig.group("noun")):
            if m.group(1).lower() == "their":
                return self.subject  # "their summit": the subject and whoever they met
            before = [p for p in persons if p[1] <= trig.start()]
            return before[-1][2] if before else last_person or self.subject
        clause_start = self._clause_start(text, sent.start, trig.start())
        in_clause = [p for p in persons if clause_start <= p[0] and p[1] <= trig.start()
                     and not re.match(r"['’]s\b", text[p[1] : p[1] + 2])]
        if in_clause:
            return in_clause[-1][2]
        pron = re.search(r"\b(he|she|they)\b[^.]*$", text[clause_start : trig.start()], re.IGNORECASE)
        if pron:
            before = [p for p in persons if p[1] <= trig.start()]
            return before[-1][2] if before else last_person
        # "On Wednesday, the minister travelled to Warsaw": the subject by the title it was given
        lead = THE_TITLE.match(text, clause_start, trig.start())
        if lead and lead.group(1).lower() in self._titles:
            return self.subject
        if trig.group("noun"):
            # "Wednesday's meeting at ...", "the tour of ...": no one else named as its agent
            others = [p for p in persons if p[1] <= trig.start() and not self._is_subject(p[2])]
            return None if others and not re.match(r"['’]s\b", text[others[-1][1] : others[-1][1] + 2]) else self.subject
        # a participle continuing the sentence's subject: "Kim ... continued his visit, heading to"
        before = [p for p in persons if p[1] <= trig.start() and p[0] >= sent.start
                  and not re.match(r"['’]s\b", text[p[1] : p[1] + 2])]
        return before[0][2] if before else None

    @staticmethod
    def _date(dates: Sequence[DateMention], anchor: dt.date | None, status: str,
              direction: str) -> tuple[dt.date | None, str | None]:
        """The first date in the sentence; reported weekdays count back from a publication
        date, or to the nearer side of a date the text mentions; plans count forward."""
        for d in dates:
            value = resolve(d, anchor, direction=direction if status == "reported" else "future")
            if value is not None:
                return value, d.text
        return None, None
