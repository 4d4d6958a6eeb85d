"""Movement events from the parse: who went where, when, and whether it happened.

:func:`candidates` reads each place mention of an article through the dependency tree
of its sentence (see :mod:`storymap.document`). Climbing from the place through
coordination ("Lisbon and Porto"), lists ("countries including Chile"), "of" phrases
("the capital of Chile") and the things a place locates ("a plant in X"), the first
word that is a movement or presence predicate governs it:

- a verb with the place as its object ("visited Hanoi", "left Paris") or in a
  prepositional phrase ("flew to", "arrived in", "said in", "passed through");
- a travel noun ("visit to", "the Dallas trip", "tour of", "talks in") whose traveller
  is its possessor ("Kerry's visit") or the subject of the verb that governs it
  ("began a visit to", "during a visit to").

Distance references ("70 miles south of"), names ("the Bank of England") and topics
("talks on the conflict in Syria") stop the climb; a landfall near a town is at it. A
position expression as a whole ("was centered 70 miles south of X", see
:mod:`storymap.positions`) is a place of its own, read from the verb it hangs on. The traveller is the predicate's
subject, climbing through infinitives ("expected to travel"), coordinated verbs and
participles; the object of "urged X to go" or "took X to"; a passive's subject when
it is the one received ("was welcomed in"); the antecedent of a relative pronoun; a
pronoun's last named clause subject. An arrival, talks or "here" with no place named
take the dateline's place.

:func:`find_subject` picks who or what the story follows: the named traveller of most
events (the lede's main subject weighing most, events told by a title the texts gave
the name counting for it), or a thing or group named in the lede when no named
traveller moves. :func:`subject_events` keeps the subject's events: named, by a pronoun
that agrees with it, by its title or kind ("the minister", "the storm", "the couple").

Each event has a status from the words governing its predicate (negation, cancelling
verbs, plans, conditionals, departures, tense), a time (a date in its own clause, else
the sentence verb's, else the story's last told date for a report; never the clock) and
an order cue ("after visiting", "before returning", "earlier", perfect tenses).

Word lists here name general classes (movement verbs, travel nouns, kinds of
travellers), never one article's words.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import enum
import math
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from storymap.articles import is_caption
from storymap.dates import DateMention, Direction, find_dates, resolve_range, vague_offset
from storymap.lexicon import phrases, words
from storymap.recognize import DIRECTIONS, TITLES

#: verbs whose place argument is a destination ("to", "for", "into") or where the
#: traveller is ("in", "at") or passes through ("via", "through"), or that take the
#: place as object ("visit Hanoi")
MOVE_VERBS = words("move_verbs")
VISIT_VERBS = words("visit_verbs")
#: verbs whose object place is left, not reached ("left Paris"): the place came before
ORIGIN_VERBS = words("origin_verbs")
#: passive verbs whose grammatical subject is the one who travelled ("was welcomed in")
RECEIVED_VERBS = words("received_verbs")
#: verbs of leading a group ("a delegation led by Reyes"): the leader travels with it
LEADING_VERBS = words("leading_verbs")
#: means and adverbs of taking part from afar ("by video link", "virtually"), and their prepositions
REMOTE_MEANS = words("remote_means")
MEANS_PREPS = words("means_prepositions")
#: conjunctions of an act in progress ("while sailing to Rotterdam")
PROGRESS_MARKS = words("progress_marks")
#: nouns of an act, pact or view whose "of" or possessor is what it is about ("the reaffirmation of Paris")
ABSTRACT_NOUNS = words("abstract_nouns")
#: those a speaker tells in person ("told reporters", "told a news conference")
AUDIENCE_NOUNS = words("audience_nouns")
#: adjectives that make a journey only a possibility ("a possible visit to Canada")
POSSIBILITY_MODIFIERS = words("possibility_modifiers")
#: nouns of feeling, whose "at" tells a cause ("satisfaction at the rescheduling")
FEELING_NOUNS = words("feeling_nouns")
#: verbs whose agent comes after or before the act they tell of ("followed by a visit to X")
SUCCESSION_VERBS = words("succession_verbs")
#: verbs of what a storm does where it is ("moved inland over Houston")
WEATHER_VERBS = words("weather_verbs")
#: a direction, not an arrival ("moving toward Brownsville")
TOWARD_PREPS = words("heading_prepositions")
#: the coast of a place ("the Texas coast") is at the place
COAST_NOUNS = words("coast_nouns")
#: verbs of a storm or a blow striking a place ("slammed into the Philippines")
IMPACT_VERBS = words("impact_verbs")
#: adjectives that deny the act they govern ("is unlikely to travel")
NEGATIVE_ADJECTIVES = words("negative_adjectives")
#: verbs of a view held of someone: in the passive, the holders are at the place, not the one held
ATTITUDE_VERBS = words("attitude_verbs")
#: verbs that send a journey somewhere else than where it was bound ("was diverted to Halifax")
DIVERSION_VERBS = words("diversion_verbs")
#: verbs of a host receiving a guest at a place: the guest came ("welcomed Reyes in Nairobi")
HOSTING_VERBS = words("hosting_verbs")
#: nouns of travel and presence: "a visit to", "the tour of", "a stopover in"
TRAVEL_NOUNS = words("travel_nouns")
#: verbs that carry a travel noun for their subject ("made a visit", "began a tour")
LIGHT_VERBS = words("light_verbs")
CANCEL_VERBS = words("cancel_verbs")
PLAN_WORDS = words("plan_words")
#: verbs of wanting and hoping: what they govern is a wish ("hopes to visit"), not a plan
WISH_VERBS = words("wish_verbs")
#: plan words whose own object is a listener ("told a news conference"), not a plan
DIRECTIVE_VERBS = words("directive_verbs")
#: adjectives that make a travel noun a plan ("an upcoming visit"), besides the plan words' participles
PLAN_MODIFIERS = words("plan_modifiers")
#: verbs whose travel-noun object is a trip to come ("announced a tour")
ANNOUNCE_VERBS = words("announce_verbs")
HYPOTHETICAL = words("hypothetical_words")
FUTURE_AUX = words("future_auxiliaries")
#: prepositions that put the traveller at (or on the way to) the place
TO_PREPS = words("destination_prepositions")
AT_PREPS = words("presence_prepositions")
VIA_PREPS = words("passage_prepositions")
FROM_PREPS = words("origin_prepositions")
LIST_PREPS = words("list_prepositions")  # "such as": the "as" of it
#: the place is the subject of these, and the traveller somewhere near it: not a stop
#: (and a compass word that spaCy reads as a preposition: "west of Kabul")
REFERENCE_PREPS = words("reference_prepositions") | DIRECTIONS
#: what a pronoun can refer to: a man, a woman, a group (or a plural), a thing
PRONOUN_CLASS = {w: cls for cls in ("male", "female", "plural", "thing") for w in phrases(f"pronouns_{cls}")}
SPEAKERS = words("pronouns_speaker")
PRONOUNS = frozenset(PRONOUN_CLASS) | SPEAKERS
#: verbs whose object is what the subject acts with: "used its engines to travel to X" moves the subject
INSTRUMENT_VERBS = words("instrument_verbs")
#: relative pronouns: their antecedent is the noun the clause hangs on, never the last name
RELATIVES = words("relative_pronouns")
#: of those, the ones that can be their clause's subject ("the man who flew", not "whose")
SUBJECT_RELATIVES = RELATIVES - {"whom", "whose"}
#: units and words of distance: a place after them is a reference point
DISTANCES = words("distance_words")
#: verbs of meeting someone in person: a place's officeholder met is met at the place
MEETING_VERBS = words("meeting_verbs")
#: adverbs that put an act on an earlier occasion ("previously visited", "once lived in")
PAST_TRIP_ADVERBS = words("past_trip_adverbs")
#: the air above a place: a traveller in it flies over the place ("the airspace of Tunisia")
OVERFLOWN = words("overflown_nouns")
#: nouns for anyone at all: never the thing a story follows
ANYONE = words("anyone_nouns")
#: nouns for people travelling together
GROUP_NOUNS = words("group_nouns")
QUANTIFIERS = words("quantifiers")
#: kinds of traveller: a title noun of one kind refers to a subject given another
KIND_CLASSES = tuple(words(f"kinds_{kind}") for kind in ("vessel", "storm", "aircraft", "train", "troupe"))
#: the kinds of people who travel together as one ("the band", "the team"): "they" or "it"
TROUPES = words("kinds_troupe")
RIDING_VERBS = words("riding_verbs")
CAMP_NOUNS = words("camp_nouns")
DENIAL_VERBS = words("denial_verbs")
ACCEPT_VERBS = words("accept_verbs")
#: what one rides in: the crafts of the kind classes and the vehicles of the road
VEHICLES = words("kinds_vessel") | words("kinds_aircraft") | words("kinds_train") | words("vehicle_nouns")
#: the general nouns of the kind classes ("the vessel"), which tell of a particular one ("the tanker")
KIND_GENERICS = words("kind_generics")
#: every kind noun of the classes above
ALL_KINDS = frozenset().union(*KIND_CLASSES)
#: courtesy titles say nothing of what a traveller is
COURTESY = words("courtesy_titles")
#: verbs that move their object: the traveller is the object, not the subject
CARRY_VERBS = words("carry_verbs")
#: of those, the ones whose subject goes too ("the pope took refugees back to Rome")
ACCOMPANY_VERBS = words("accompany_verbs")
#: a pronoun's antecedent given by title ("the minister") rather than by name
TITLE_MARK = "@"
#: the mention of an event that names no place
NO_PLACE = (-1, -1)
#: what ends a journey: the places still ahead are never reached
TERMINAL = words("terminal_verbs")
#: nouns whose possessor asks someone else to travel
INVITATIONS = words("invitation_nouns")
#: parts of a journey an ordinal puts first or last ("the first leg", "its final stop")
ITINERARY_PARTS = words("itinerary_part_nouns")
#: adjectives that make such a part the journey's last
FINAL_WORDS = words("final_words")
#: verbs that end the journey that is their object ("ends the trip in"), and that begin it
ENDING_VERBS = words("ending_verbs")
STARTING_VERBS = words("starting_verbs")
#: "the past days", "the previous week": a span of days before the act told next
SPANS_OF_DAYS = words("spans_of_days")
BYGONE_WORDS = words("bygone_words")
EARLIER_WORDS = words("earlier_words")
LATER_WORDS = words("later_words")
#: prepositions that set the act they govern before ("after visiting") or after ("before
#: returning") the one they go with
EARLIER_PREPS = words("earlier_prepositions")
LATER_PREPS = words("later_prepositions")
#: words that stand for a time told before ("before that", "after this")
BACK_REFERENCES = words("back_references")
#: conjunctions whose present-tense clause is still to come ("before he returns")
PENDING_MARKS = words("pending_conjunctions")
#: words that deny their act ("no visit", "never went")
NEGATIVE_WORDS = words("negative_words")
#: verbs that cancel with a particle: "called off", "ruled out"
CANCEL_PARTICLE_VERBS = words("cancel_particle_verbs")
CANCEL_PARTICLES = words("cancel_particles")
#: "bound for", "took off for", "en route to": on the way, not there
UNDER_WAY_WORDS = words("under_way_words")
#: prepositions by which a thing that locates a place still places the traveller
PLACING_PREPS = words("placing_prepositions")
#: verbs whose object (or passive subject) is the place gone to
TOURING_VERBS = words("touring_verbs")
#: verbs whose object is a place the traveller is at or reaches ("the storm hit Manila")
PLACE_OBJECT_VERBS = words("place_object_verbs")
#: verbs besides those of movement and visit that take a destination ("welcomed to")
DESTINATION_VERBS = words("destination_verbs")
#: verbs besides those of movement and leaving whose "from" place the traveller was at
FROM_VERBS = words("from_verbs")
#: verbs of staying: as sure a presence as a journey ("spent three days in")
STAY_VERBS = words("stay_verbs")
#: prepositions that name where an arrival or a meeting took place ("landed at the airport")
SCENE_PREPS = words("scene_prepositions")
#: prepositions by which a travel noun names its own participants ("talks between X and Y")
PARTICIPANT_PREPS = words("participant_prepositions")
#: prepositions after which a verb's object goes to the travel noun ("urged the parties to talks")
GOAL_PREPS = words("goal_prepositions")
#: words after which "near" a place puts the traveller at it ("made landfall near", "centered near")
NEAR_PLACING_WORDS = words("near_placing_words")
#: prepositions of nearness
NEAR_PREPS = words("near_prepositions")
#: the part of a thing its position is told of ("the center of the storm")
CENTRE_NOUNS = words("centre_nouns")
#: the places a journey starts or ends at that take their town's name ("Norvik airport")
PORT_NOUNS = words("port_nouns")


class EventStatus(enum.StrEnum):
    """What the text says of a movement event (the value is the word the story file and the
    event table hold)."""

    REPORTED = "reported"  # it happened: "arrived in Paris"
    EXPECTED = "expected"  # it is to come or under way: "will visit", "is heading to", "left for"
    CANCELLED = "cancelled"  # "called off his trip to Rome"
    NEGATED = "negated"  # "did not visit"
    HYPOTHETICAL = "hypothetical"  # "could visit", "aimed to raise money in Britain"
    PAST = "past"  # it happened, on an earlier trip than the story's ("visited Hanoi in 2014")
    NOT_REACHED = "not reached"  # expected, but the journey ended before it (the ship sank)


class EventKind(enum.StrEnum):
    """What a movement event does with its place."""

    VISIT = "visit"  # the traveller is at, or goes to, the place
    ORIGIN = "origin"  # the place was left, or came before
    END = "end"  # the journey ended ("the Marlin sank"), with no place: it tells what was never reached


class Reference(enum.StrEnum):
    """How a sentence refers to its traveller."""

    NAME = "name"  # "Kerry arrived"
    PRONOUN = "pronoun"  # "he arrived", after a name
    TITLE = "title"  # "the minister arrived", "the storm hit"
    IT = "it"  # "it landed": a thing, if the story follows one
    CONTEXT = "context"  # no traveller in the clause ("the visit to X"): whoever the story is at
    NONE = "none"  # no traveller the text tells


@dataclass(frozen=True, slots=True)
class MovementEvent:
    """A sentence that puts a traveller at (or on the way to) a place.

    ``mention`` is the place mention's (start, end) in the article text (:data:`NO_PLACE`
    for an end); ``sentence`` the sentence's span.
    """

    article: str
    mention: tuple[int, int]
    sentence: tuple[int, int]
    predicate: str
    traveller: str
    status: EventStatus
    kind: EventKind
    date: dt.date | None
    date_end: dt.date | None
    date_text: str | None
    cue: str | None  # "first", "earlier", "later" or "final": the text's own order cue
    confidence: float
    #: the date is the traveller's last told date, the sentence naming none
    date_inferred: bool = False


@dataclass(frozen=True, slots=True)
class MovementCandidate:
    """A movement event before its traveller is known to be the subject."""

    article: str
    mention: tuple[int, int]
    sentence: tuple[int, int]
    predicate: str
    traveller: str
    name: tuple[str, ...] | None  # the traveller's proper-name words, if named
    noun: str | None  # a title or kind noun ("minister", "storm")
    how: Reference
    status: EventStatus
    kind: EventKind
    dates: tuple[DateMention, ...]
    cue: str | None
    strength: float
    years: tuple[int, ...] = ()
    #: the dates are the traveller's last told date, not this sentence's
    inferred: bool = False
    #: "is returning to Washington": under way as the article is written
    under_way: bool = False
    #: the predicate is in the simple present ("flies to Washington this weekend")
    simple_present: bool = False
    #: words of this and the previous sentence (names, nouns, pronouns), for a travel noun
    #: that names no traveller: it is the subject's only when the subject is at hand
    nearby: frozenset[str] = frozenset()


def _name_words(tok: Any) -> tuple[str, ...]:
    """The words of the proper name headed by ``tok`` ("Secretary of State John Kerry" -> John Kerry)."""
    words = [t for t in tok.subtree if t.i <= tok.i and t.pos_ == "PROPN" and
             (t.i == tok.i or t.dep_ in ("compound", "flat", "nmod") and t.head.i >= t.i)]
    # keep the run of proper nouns that ends at the head
    run: list[Any] = []
    for t in reversed(words):
        if run and t.i != run[-1].i - 1:
            break
        run.append(t)
    run.reverse()
    if tok.ent_type_ and run:
        # "U.S. Treasury Secretary James Baker": the name is the entity the head is in
        run = [t for t in run if t.ent_type_ == tok.ent_type_] or run
        first = max((t.i for t in run if t.ent_iob_ == "B"), default=run[0].i)
        run = [t for t in run if t.i >= first]
    out = [t.text.rstrip(".").replace("’", "'") for t in run if t.lower_.rstrip(".") not in TITLES]
    return tuple(w.removesuffix("'s") for w in out if w)


class _Parse:
    """Helpers over one sentence's dependency tree."""

    @staticmethod
    def subject_of(verb: Any) -> tuple[Any | None, bool]:
        """The grammatical subject of ``verb`` (climbing to the clause that has one), and
        whether the verb is passive."""
        v = verb
        for _ in range(6):
            subj = [c for c in v.children if c.dep_ in ("nsubj", "nsubjpass", "csubj", "expl")]
            passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in v.children)
            if subj:
                s = subj[0]
                if s.lower_ in SUBJECT_RELATIVES and v.dep_ == "relcl":
                    return v.head, passive  # "the minister, who arrived in ..."
                return s, passive
            if v.dep_ == "xcomp" and v.head.i != v.i and v.head.lemma_.lower() not in INSTRUMENT_VERBS:
                obj = [c for c in v.head.children if c.dep_ in ("dobj", "dative")]
                if obj:
                    return obj[0], False  # "urged Britons to stay", "invited him to visit"
            if v.dep_ in ("xcomp", "advcl") and v.head.i != v.i:
                to = [c for c in v.children if c.dep_ == "aux" and c.lower_ == "to"]
                named = [g for c in v.head.children if c.dep_ == "prep" and c.lower_ == "for" and c.i < v.i
                         for g in c.children if g.dep_ == "pobj" and to and g.right_edge.i + 1 == to[0].i]
                if named:
                    return named[0], False  # "is providing for family members to fly home": they fly
            if v.dep_ in ("xcomp", "conj", "advcl", "ccomp", "pcomp", "acomp") and v.head.i != v.i:
                # "expected to travel", "arrived and met", "heading to", "after arriving"
                v = v.head
                if v.pos_ == "ADP" and v.head.i != v.i:
                    v = v.head  # "before heading to": the verb the preposition hangs on
                    if v.pos_ == "NOUN" and v.dep_ == "npadvmod" and v.head.i != v.i:
                        v = v.head  # "visited Jordan a day after meeting": the verb the span measures from
                continue
            if v.dep_ in ("acl", "relcl") and v.head.lemma_.lower() in INVITATIONS:
                taker = v.head.head
                if v.head.dep_ == "dobj" and taker.lemma_.lower() in ACCEPT_VERBS:
                    # "she accepted an invitation to visit Ottawa": she goes
                    return next((c for c in taker.children if c.dep_ in ("nsubj", "nsubjpass")), None), passive
                return None, passive  # "Kim's invitation to visit": the invitee is someone else
            if v.dep_ in ("acl", "relcl") and v.head.i != v.i:
                poss = [c for c in v.head.children if c.dep_ == "poss"]
                if poss and v.head.pos_ == "NOUN":
                    return poss[0], passive  # "Kim's plans to visit"
                if v.dep_ == "acl" and v.head.pos_ == "NOUN" and v.head.lemma_.lower() in TRAVEL_NOUNS:
                    return _noun_traveller(v.head)[0], passive  # "during a trip to attend": the trip's traveller
                return v.head, passive  # "the ship, bound for", "a plane carrying"
            return None, passive
        return None, False

    @staticmethod
    def chain(tok: Any) -> list[Any]:
        """``tok`` and the words that govern it up to its clause's root."""
        out = [tok]
        t = tok
        for _ in range(8):
            if t.head.i == t.i or t.dep_ in ("relcl", "acl", "ccomp", "advcl", "parataxis", "appos"):
                break
            t = t.head
            out.append(t)
        return out


#: verbs of setting out: where they lead is where the traveller is going, not yet is
DEPARTURES = words("departure_verbs")


def _own_clause(chain: list[Any]) -> list[Any]:
    """A chain of governing words cut at a conjoined verb with an auxiliary or a tense of its own: "cancelled
    a trip to Kiev and will instead stay in Vienna" tells the stay by its own "will"."""
    for k, t in enumerate(chain):
        if t.dep_ == "conj" and t.pos_ in ("VERB", "AUX") and _own_tense(t):
            return chain[: k + 1]  # (and "did not go to Kiev but stayed in Vienna": a tense of its own)
    return chain


def _own_tense(verb: Any) -> bool:
    """Whether a conjoined verb has an auxiliary or a tense of its own (see :func:`_own_clause`)."""
    return any(c.dep_ in ("aux", "auxpass") for c in verb.children) or \
        verb.tag_ in ("VBD", "VBZ", "VBP") and any(c.dep_ in ("aux", "auxpass") for c in verb.head.children)


def struck(event: MovementEvent) -> bool:
    """Whether an event tells a storm or a blow striking its place ("slammed into the
    Philippines"): no visit, so no town the article was filed from stands for it."""
    return event.predicate.split()[0] in IMPACT_VERBS


def _infinitive(verb: Any) -> bool:
    """Whether a verb is a "to" infinitive ("to visit", "to be followed")."""
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _status(pred: Any, governor: Any, rel: str = "") -> EventStatus:
    """Reported, expected, cancelled, negated or hypothetical, from the words governing the predicate."""
    words: list[Any] = [pred.head] if pred.dep_ == "acl" and pred.head.pos_ == "NOUN" else []  # "plans to visit"
    for t in _own_clause(_Parse.chain(pred)) + ([] if governor is None else _own_clause(_Parse.chain(governor))):
        if all(t.i != w.i for w in words):
            words.append(t)
    top = words[-1]
    if top.dep_ in ("advcl", "acl") and top.tag_ == "VB" and _infinitive(top):
        # "will travel to Europe to attend the Venice summit", "during a trip to attend": a purpose
        # is as the act it is for
        words += [t for t in _Parse.chain(top.head) if all(t.i != w.i for w in words)]
    status = EventStatus.REPORTED
    if any(t.lemma_.lower() in SUCCESSION_VERBS and _infinitive(t) for t in words):
        status = EventStatus.EXPECTED  # "to be followed by a visit to Nicaragua": still to come
    kids = list(pred.children)
    if pred.pos_ == "VERB" and pred.tag_ == "VB" and _infinitive(pred) and \
            (pred.dep_ == "ROOT" or pred.dep_ in ("acl", "relcl") and pred.head.pos_ in ("PROPN", "NOUN") and
             _headline(pred)):
        status = EventStatus.EXPECTED  # a headline's "Obama to visit London"
    if any(t.tag_ in ("VBZ", "VBP") and any(c.dep_ in ("mark", "advmod") and c.lower_ in PENDING_MARKS
                                            for c in t.children) for t in words):
        # "before Obama returns to Washington", "after it passes through the mountains", "when
        # they meet in Washington" (the parser hangs "when" as an adverb)
        status = EventStatus.EXPECTED
    timed = False  # past a "before" or "after" that the predicate's clause hangs on
    for t in words:
        lemma = t.lemma_.lower()
        kids = list(t.children)
        timed = timed or t.i != pred.i and t.pos_ == "ADP" and t.lower_ in TIME_PREPS
        if any(c.dep_ == "neg" for c in kids) or any(c.lower_ in NEGATIVE_WORDS for c in kids if c.dep_ in
                                                        ("det", "neg", "advmod")) or \
                t.pos_ == "ADJ" and lemma in NEGATIVE_ADJECTIVES:
            return EventStatus.NEGATED  # "did not go", "is unlikely to travel"
        if any(c.dep_ == "advmod" and c.lower_ in REMOTE_MEANS or c.dep_ == "prep" and c.lower_ in MEANS_PREPS
               and any(g.dep_ == "pobj" and (g.lower_ in REMOTE_MEANS or any(
                   h.dep_ == "compound" and h.lower_ in REMOTE_MEANS for h in g.children)) for g in c.children)
               for c in kids):
            return EventStatus.NEGATED  # "addressed the summit in Nairobi by video link": not there
        if lemma in DENIAL_VERBS and t.i != pred.i and t.pos_ == "VERB" or \
                t.pos_ == "NOUN" and t.dep_ == "dobj" and t.head.lemma_.lower() in DENIAL_VERBS:
            return EventStatus.NEGATED  # "denied reports that she would travel to Kyiv"
        if lemma in CANCEL_VERBS and t.pos_ in ("VERB", "AUX") or \
                (lemma in CANCEL_PARTICLE_VERBS and any(c.lower_ in CANCEL_PARTICLES for c in kids)):
            return EventStatus.CANCELLED
        if any(c.lower_ in HYPOTHETICAL and c.dep_ in ("aux", "mark", "advmod") for c in kids) or \
                lemma in WISH_VERBS and t.i != pred.i and t.pos_ in ("VERB", "AUX"):
            # "could become a major hurricane before reaching Jamaica": the reaching is taken as given
            hedged = EventStatus.EXPECTED if timed else EventStatus.HYPOTHETICAL
            status = hedged if status == EventStatus.REPORTED else status
        if any(c.lower_ in FUTURE_AUX and c.dep_ == "aux" for c in kids) or lemma in PLAN_WORDS and t.i != pred.i \
                and not (lemma in DIRECTIVE_VERBS and pred.head.i == t.i and pred.dep_ in ("dobj", "dative")):
            status = EventStatus.EXPECTED if status != EventStatus.HYPOTHETICAL else status
        if t.tag_ == "VBG" and any(c.lemma_ == "be" and c.dep_ == "aux" and c.tag_ in ("VBZ", "VBP")
                                   for c in kids) and lemma in JOURNEY_VERBS:
            # "is travelling to", "is heading to"
            status = EventStatus.EXPECTED if status == EventStatus.REPORTED else status
        if t.tag_ in ("VBZ", "VBP") and not _headline(t) and \
                (t.i == pred.i and lemma in JOURNEY_VERBS or any(c.dep_ == "nsubj" and _journey_subject(c)
                                                                for c in t.children)):
            # "who flies to Washington this weekend", "the last leg of her tour takes her to Lima"
            status = EventStatus.EXPECTED if status == EventStatus.REPORTED else status
        if lemma == "be" and any(c.dep_ == "xcomp" for c in kids) and t.tag_ in ("VBZ", "VBP", "VBD"):
            # "is to visit", "was to travel"
            status = EventStatus.EXPECTED if status == EventStatus.REPORTED else status
    if status == EventStatus.REPORTED and pred.dep_ == "acl" and pred.head.lemma_.lower() in INVITATIONS and \
            pred.head.dep_ == "dobj" and pred.head.head.lemma_.lower() in ACCEPT_VERBS:
        status = EventStatus.EXPECTED  # "accepted an invitation to visit Ottawa": to come
    if status == EventStatus.REPORTED and _expected_at(pred):
        status = EventStatus.EXPECTED  # "is expected in Quito on Friday", "is due in Lima"
    if status == EventStatus.REPORTED and rel == "dest" and any(
            t.lemma_.lower() in DEPARTURES or t.lower_ in UNDER_WAY_WORDS or
            t.pos_ == "VERB" and any(c.dep_ == "prt" and c.lower_ in UNDER_WAY_WORDS for c in t.children)
            for t in words[:3]):
        # "left for Paris", "took off for Beijing", "bound for Rome": the arrival is to come
        status = EventStatus.EXPECTED
    if status == EventStatus.REPORTED and pred.tag_ in ("VBZ", "VBP") and pred.dep_ in ("relcl", "acl") and \
            pred.head.lemma_.lower() in TRAVEL_NOUNS and not _headline(pred):
        status = EventStatus.EXPECTED  # "a tour that takes him to Jakarta": the tour's course, still ahead
    if status == EventStatus.REPORTED and rel == "dest" and pred.pos_ == "NOUN" and pred.dep_ == "pobj" and \
            pred.head.lower_ == "for":
        status = EventStatus.EXPECTED  # "loaded onto a barge for a trip to Los Angeles": the trip is ahead
    if status == EventStatus.REPORTED and rel == "dest" and pred.tag_ == "VBG" and \
            any(c.dep_ == "mark" and c.lower_ in PROGRESS_MARKS for c in pred.children):
        status = EventStatus.EXPECTED  # "ran aground while sailing to Rotterdam": still on the way
    if status == EventStatus.REPORTED and rel == "dest" and any(
            c.dep_ == "prep" and c.lower_ in TOWARD_PREPS for c in pred.children):
        status = EventStatus.EXPECTED  # "was moving toward Brownsville": not there yet
    if status == EventStatus.REPORTED and pred.lemma_.lower() == "approach":
        status = EventStatus.EXPECTED  # "approaching Australia": not there yet
    if pred.pos_ == "NOUN" and any(c.dep_ == "amod" and c.lower_ in POSSIBILITY_MODIFIERS for c in pred.children):
        return EventStatus.HYPOTHETICAL  # "with a possible visit to Canada": maybe, not a plan
    if status == EventStatus.REPORTED and pred.pos_ == "NOUN" and any(
            c.dep_ in ("amod", "compound") and (c.lower_ in PLAN_MODIFIERS or c.lemma_.lower() in PLAN_WORDS and
                                                c.tag_ in ("VBN", "VBG", "JJ")) for c in pred.children):
        status = EventStatus.EXPECTED  # "her planned trip to Washington", "an upcoming visit to Oslo"
    if status == EventStatus.REPORTED and any(
            t.pos_ == "NOUN" and t.lemma_.lower() in TRAVEL_NOUNS and t.dep_ == "dobj" and
            t.head.lemma_.lower() in ANNOUNCE_VERBS for t in words):
        status = EventStatus.EXPECTED  # "announced a tour with shows in Leeds"
    top = words[-1] if words else pred
    if top.dep_ in ("relcl", "acl") and top.head.pos_ == "NOUN" and top.head.lemma_.lower() in TRAVEL_NOUNS and \
            top.head.i != pred.i and _status(top.head, None) == EventStatus.CANCELLED:
        return EventStatus.CANCELLED  # "postponed the tour, which was to include shows in Leeds"
    if status == EventStatus.EXPECTED and any(t.lower_ == "instead" for t in pred.sent) and \
            not any(c.lower_ == "instead" for t in words for c in t.children):
        # "was due to play in Hamburg but has instead returned home"; not "will instead fly to Oslo"
        return EventStatus.CANCELLED
    return status


def _expected_at(pred: Any) -> bool:
    """Whether a place's predicate says the traveller is awaited there: "is expected in Quito",
    "is due in Lima", "will be expected at the summit" (a plan word as the predicate, in the
    present or future)."""
    word = pred
    if pred.lemma_ == "be":
        word = next((c for c in pred.children if c.dep_ == "acomp" and c.lemma_.lower() in PLAN_WORDS), pred)
    if word.lemma_.lower() not in PLAN_WORDS or word.tag_ not in ("VBN", "JJ"):
        return False
    bes = [b for b in (*word.children, word.head) if b.dep_ in ("aux", "auxpass") or b.i == word.head.i == pred.i]
    bes += [b for b in pred.children if b.dep_ == "aux"]
    return any(b.lemma_ == "be" and b.tag_ in ("VBZ", "VBP") or b.lower_ in FUTURE_AUX for b in bes)


#: verbs of a journey, whose simple present in a story's body tells a plan
#: (visiting, arriving, reaching: the verbs of a journey besides those of movement; less the
#: movement verbs that tell of a thing moved: "brings", "sends")
OTHER_JOURNEY_VERBS = words("journey_verbs")
JOURNEY_VERBS = (MOVE_VERBS | OTHER_JOURNEY_VERBS) - words("conveying_verbs")


def _headline(tok: Any) -> bool:
    """Whether a token is in a line without a full stop (a headline, where the simple
    present reports)."""
    sent = tok.sent
    last = sent[-1]
    return last.text not in (".", "!", "?", '"', "”", "’", "'") and not last.text.endswith(".")


def _govern(place: Any) -> tuple[Any, str, str] | None:
    """The predicate governing a place token, the preposition between them ("" for an
    object), and the relation ("dest", "at", "via", "from", "obj", "origin", "mod")."""
    tok = place
    climbed = ""  # the preposition of a noun the place locates ("a plant in X"), once climbed through it
    for _ in range(8):
        dep = tok.dep_
        head = tok.head
        if head.i == tok.i:
            return None
        if dep in ("conj", "appos"):
            tok = head  # "Lisbon and Porto": the first conjunct's role
            continue
        if dep == "pobj" and (head.pos_ == "ADP" or head.dep_ == "prep" and head.lower_ in LIST_PREPS):
            # (a participle read as a preposition, "including", is one)
            if climbed and head.lower_ in TIME_PREPS and tok.lemma_.lower() in SPANS_OF_DAYS:
                return tok, climbed, "at"  # "arrived after two days in Hanoi": the days were spent there
            if any(c.ent_type_ in ("DATE", "TIME") and c.i < tok.i for c in tok.children):
                return None  # "said on Friday Washington and Moscow had...": no place phrase
            prep = head.lower_
            gov = head.head
            if prep in LIST_PREPS and gov.lemma_.lower() in TRAVEL_NOUNS and gov.pos_ == "NOUN":
                return gov, prep, "dest"  # "a tour of Asia, including Vietnam"
            if prep in LIST_PREPS and gov.pos_ in ("NOUN", "PROPN") and gov.i != head.i:
                tok = gov  # "countries including Chile": the list's role
                if gov.dep_ == "amod" or gov.lower_ == "such":
                    tok = gov.head
                continue
            if prep == "as" and gov.lower_ == "such":
                tok = gov.head
                continue
            if prep == "of" and (gov.lemma_.lower() in DIRECTIONS or gov.lemma_.lower() in DISTANCES or
                                 gov.lemma_.lower() in OVERFLOWN):
                return None  # "840 kilometers west of Tashkent", "south of Miami": a reference point; "the airspace of"
            if prep == "of" and gov.pos_ in ("NOUN", "PROPN") and gov.lemma_.lower() not in TRAVEL_NOUNS:
                if gov.pos_ == "PROPN":
                    return None  # "Bank of England", "University of Chicago": part of a name
                if gov.lemma_.lower() in ABSTRACT_NOUNS:
                    return None  # "implied in the reaffirmation of Paris": what it is about
                tok = gov  # "the capital of Chile", "the outskirts of Kabul"
                continue
            if prep == "of" and gov.lemma_.lower() in TRAVEL_NOUNS:
                return gov, prep, "dest"  # "a tour of Asia"
            if prep == "over" and gov.pos_ == "NOUN" and gov.dep_ == "pobj" and \
                    gov.head.head.lemma_.lower() in WEATHER_VERBS:
                gov = gov.head.head  # "weakened to a tropical storm over Florida": weakened there
            if prep == "over" and gov.lemma_.lower() in WEATHER_VERBS | IMPACT_VERBS | TERMINAL:
                return gov, prep, "at"  # "moved inland over Houston": the storm is there
            if prep in REFERENCE_PREPS:
                return _placing_near(head)  # "70 miles south of", "off the coast of", "near"
            if prep in AT_PREPS and (gov.lemma_.lower() in FEELING_NOUNS or head.i > 0 and
                                     head.nbor(-1).lemma_.lower() in FEELING_NOUNS):
                return None  # "expressed satisfaction at the rescheduling of Peru's debt": a cause, not a place
            if prep in AT_PREPS and gov.pos_ in ("NOUN", "PROPN") and gov.lemma_.lower() not in TRAVEL_NOUNS and \
                    gov.dep_ in ("pobj", "dobj", "conj") and not any(c.dep_ == "poss" for c in gov.children):
                if gov.dep_ == "pobj" and gov.head.dep_ == "agent" and gov.head.head.pos_ == "VERB":
                    return gov.head.head, prep, "at"  # "was seized by Iranian forces in the Strait": seized there
                if gov.dep_ == "pobj" and gov.head.lower_ == "with" and (
                        gov.head.head.pos_ in ("VERB", "AUX") or gov.head.head.lemma_.lower() in TRAVEL_NOUNS):
                    return gov.head.head, prep, "at"  # "met with Gulf leaders in Riyadh", "talks with Putin at"
                if gov.dep_ == "dobj" and gov.head.pos_ in ("VERB", "AUX") and \
                        (gov.ent_type_ == "PERSON" or gov.lemma_.lower() in TITLES or
                         gov.head.lemma_.lower() in MEETING_VERBS | HOSTING_VERBS and
                         gov.ent_type_ not in ("GPE", "LOC", "FAC")):
                    # "will meet King Abdullah in Jordan", "welcomed Reyes in Nairobi" (a name the
                    # parser took for a body's: whom one meets or hosts is someone)
                    return gov.head, prep, "at"
                if gov.pos_ == "PROPN":
                    return None  # "the Endeavour Fund in Britain": a name's place, not the traveller's
                tok = gov  # "heading to an aircraft plant in X": the plant's role places X
                climbed = climbed or prep
                continue
            if prep in ("on", "upon") and gov.pos_ == "VERB" and any(
                    c.dep_ in ("advcl", "xcomp") and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
                    for c in gov.children):
                return None  # "called on Bonn to cut rates": a government appealed to, not a place visited
            if climbed and prep not in PLACING_PREPS:
                return None  # "talks that focused on the conflict in Syria": a topic, not a place
            if prep in TO_PREPS:
                rel = "dest"
            elif prep in AT_PREPS:
                rel = "at"
            elif prep in VIA_PREPS:
                rel = "via"
            elif prep in FROM_PREPS:
                rel = "from"
            else:
                return None
            if gov.pos_ == "ADP" and gov.head.i != gov.i:
                gov = gov.head  # "back to", "out of"
            if gov.pos_ == "ADV" and gov.head.i != gov.i:
                gov = gov.head  # "home to", "en route to"
            if gov.pos_ == "ADJ" and gov.dep_ == "acomp" and gov.head.i != gov.i:
                gov = gov.head  # "is due back in Lisbon": the being there
            return gov, prep, rel
        if dep == "poss" and head.lemma_.lower() in OVERFLOWN:
            return None  # "crossed Malta's airspace": flown over
        if dep == "poss" and head.lemma_.lower() in ABSTRACT_NOUNS:
            return None  # "Peru's debt", "Moscow's stance": what is about the place
        if dep == "poss" and head.pos_ in ("NOUN", "PROPN") and head.lemma_.lower() not in TRAVEL_NOUNS:
            tok = head  # "arrived at Amsterdam's central station": the station's role places Amsterdam
            continue
        # (less the light verbs "be" and "make": their object, not they, tells the act)
        if dep in ("dobj", "obj") and head.pos_ in ("VERB", "AUX") and climbed and \
                head.lemma_.lower() in _VISITS_NOT_BE and not _dest_ok(head, "obj"):
            return head, climbed, "at"  # "would tell buyers of palm oil in London": telling them there
        if dep in ("dobj", "obj") and head.pos_ in ("VERB", "AUX"):
            rel = "origin" if head.lemma_.lower() in ORIGIN_VERBS else "obj"
            return head, "", rel
        if dep == "nsubjpass" and head.lemma_.lower() in TOURING_VERBS:
            return head, "", "obj_passive"  # "Hanoi was visited by"
        if dep in ("compound", "nmod", "amod") and head.lemma_.lower() in TRAVEL_NOUNS:
            return head, "", "mod"  # "the Dallas trip", "his Asia tour"
        if dep == "compound" and (head.pos_ == "NOUN" and head.lemma_.lower() in PORT_NOUNS | COAST_NOUNS | CAMP_NOUNS or
                                  head.pos_ == "PROPN" and head.lower_ in COAST_NOUNS):
            tok = head  # "landed at Norvik airport", "reached the Texas coast": their role places the town
            continue
        if dep in ("compound", "amod") and head.lower_ in TITLES and tok.i == head.i - 1:
            return _host(head)  # "will meet Philippines President Ana Reyes", "South Korean President"
        if dep == "npadvmod" and head.pos_ == "VERB":
            return head, "", "at"  # "flew home", rarely a place
        if dep == "attr" and head.lemma_ == "be":
            stop = [c for c in head.children if c.dep_ == "nsubj" and c.pos_ == "NOUN" and
                    c.lemma_.lower() in ITINERARY_PARTS | TRAVEL_NOUNS]
            if stop:
                return stop[0], "", "dest"  # "her next stop is Manila", "the first leg was Hanoi"
        return None
    return None


def _carried(who: Any, people: frozenset[str]) -> Any:
    """The person a group or a craft told as the traveller stands for: the leader of "a
    delegation led by Reyes", the owner of "Reyes's plane" or the one "a flight carrying
    President Reyes" carries; else ``who``."""
    if who is None or who.pos_ != "NOUN":
        return who
    if who.dep_ == "dobj" and who.head.dep_ == "acl" and who.head.lemma_.lower() in CARRY_VERBS and \
            who.head.head.lemma_.lower() in ALL_KINDS:
        who = who.head.head  # those "a boat carrying 60 migrants" carries travel as the boat
    leader = next((g for a in who.children if a.dep_ == "acl" and a.lemma_.lower() in LEADING_VERBS
                   for b in a.children if b.dep_ == "agent" for g in b.children if g.dep_ == "pobj"), None)
    if leader is not None:
        return leader
    if who.lemma_.lower() not in ALL_KINDS:
        return who
    carried = [*who.children, *(g for a in who.children if a.dep_ == "acl" and a.lemma_.lower() in CARRY_VERBS
                                for g in a.children)]
    return next((c for c in carried if c.dep_ in ("poss", "dobj") and
                 (c.ent_type_ == "PERSON" or c.text in people or
                  PRONOUN_CLASS.get(c.lower_) in ("male", "female"))), who)


def _diverted(pred: Any) -> bool:
    """Whether a predicate tells a journey sent elsewhere than where it was bound: "was
    diverted to Halifax", "was forced to land in Guayaquil", "made an emergency landing in"."""
    lemma = pred.lemma_.lower()
    if lemma in DIVERSION_VERBS:
        return True
    if lemma == "turn" and any(c.lower_ == "back" for c in pred.children):
        return True  # "turned back to Sydney"
    if lemma == "land" and pred.dep_ == "xcomp" and pred.head.lemma_.lower() == "force":
        return True
    return lemma == "landing" and any(c.dep_ in ("amod", "compound") and c.lower_ == "emergency"
                                      for c in pred.children)


def _not_reached(found: list[MovementCandidate], preds: Sequence[Any]) -> list[MovementCandidate]:
    """A sentence's events with the destinations of a diverted journey not reached: "a flight
    from Frankfurt to New York was diverted to Halifax", "her plane, bound for Quito, was
    forced to land" never came to New York or Quito (the destination told with the journey
    diverted, not one it went on to later: "which landed in X has resumed its flight to Y")."""
    bound: set[int] = set()
    for p in preds:
        if _diverted(p):
            subj, _ = _Parse.subject_of(p.head if p.pos_ == "NOUN" else p)
            bound |= {t.i for t in subj.subtree} if subj is not None else set()
    return [dataclasses.replace(c, status=EventStatus.CANCELLED)
            if c.kind == EventKind.VISIT and p.i in bound and c.predicate.endswith((" to", " for"))
            else c for c, p in zip(found, preds, strict=True)]


def _placing_near(prep: Any) -> tuple[Any, str, str] | None:
    """A landfall near a place is at it ("made landfall near Port Ellis", "came ashore near
    X", "landfall near X"), as is a storm centred near it ("was centered near X"), a blow near
    it ("hit Vietnam near Hue") and an end near it ("crashed near Pokhara"): the
    predicate, the preposition and "at"; else None (a place after a reference preposition is
    a reference point)."""
    gov = prep.head
    if prep.lower_ not in NEAR_PREPS or gov.i == prep.i:
        return None
    if gov.lemma_.lower() in NEAR_PLACING_WORDS | TERMINAL | IMPACT_VERBS | WEATHER_VERBS or \
            gov.pos_ in ("VERB", "AUX") and \
            any(c.dep_ in ("dobj", "advmod", "prt") and c.lemma_.lower() in NEAR_PLACING_WORDS for c in gov.children):
        return gov, prep.lower_, "at"
    return None


def _whole_of(who: Any) -> Any:
    """The thing a part of it stands for in a position ("the center of Hurricane Mira",
    "the storm's eye" are where the storm is), else ``who``."""
    if who is None or who.lemma_.lower() not in CENTRE_NOUNS:
        return who
    of = [g for c in who.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]
    poss = [c for c in who.children if c.dep_ == "poss"]
    return (of or poss or [who])[0]


def _positions_apart(found: list[MovementCandidate], preds: Sequence[int], positions: Collection[tuple[int, int]]
                     ) -> list[MovementCandidate]:
    """A sentence's events less the positions whose predicate also places a named place:
    there the position tells where that place is ("made landfall in X, about 200 miles south
    of Y"), not another place. ``preds`` are the events' predicate tokens."""
    named = {i for c, i in zip(found, preds, strict=True) if c.mention not in positions}
    return [c for c, i in zip(found, preds, strict=True) if c.mention not in positions or i not in named]


def _position_govern(tok: Any) -> tuple[Any, str, str] | None:
    """The predicate a position expression hangs on, climbing from its head word ("was
    centered 70 miles east of X", "was about 45 miles (70 km) northwest of X"): the verb
    with "at"; a position in a prepositional phrase is read as a place is."""
    for _ in range(4):
        head = tok.head
        if head.i == tok.i:
            return None
        if tok.dep_ == "pobj" and head.pos_ == "ADP":
            return _govern(tok)
        if head.pos_ in ("VERB", "AUX"):
            return head, "", "at"
        if tok.dep_ not in ("appos", "npadvmod", "advmod", "compound", "nummod", "amod", "prep"):
            return None
        tok = head
    return None


def _host(title: Any) -> tuple[Any, str, str] | None:
    """The verb by which a traveller meets a place's officeholder, named with the place before
    the title ("met Philippines President Ana Reyes"), when the clause names no place of its
    own: the meeting is at the officeholder's place."""
    person = title
    while person.dep_ in ("compound", "flat") and person.head.i != person.i:
        person = person.head
    verb = person.head
    if person.dep_ not in ("dobj", "pobj") or person.ent_type_ not in ("PERSON", "ORG", ""):
        return None
    if person.dep_ == "pobj" and person.head.lower_ == "with":
        verb = person.head.head  # "met with"
    if verb.pos_ != "VERB" or verb.lemma_.lower() not in MEETING_VERBS:
        return None
    if any(c.dep_ == "prep" and c.lower_ in AT_PREPS and any(g.ent_type_ not in ("DATE", "TIME") for g in c.children)
           for c in verb.subtree):
        return None  # "met Japan's premier in Washington": the meeting's own place
    if any(c.dep_ in ("relcl", "acl") for c in person.children):
        return None  # "met Ukraine's president, who was visiting Lisbon": where he is, the clause tells
    return verb, "", "at"


def _dest_ok(pred: Any, rel: str) -> bool:
    """Whether a predicate and relation put the traveller at the place."""
    lemma = pred.lemma_.lower()
    if pred.pos_ in ("NOUN", "PROPN"):
        return lemma in TRAVEL_NOUNS or rel == "at" and lemma in SPANS_OF_DAYS or \
            rel == "dest" and lemma in ITINERARY_PARTS  # "her next destination is Manila"
    if pred.pos_ not in ("VERB", "AUX"):
        return False
    if rel == "dest":
        return lemma in _TO_PLACE_VERBS
    if rel in ("obj", "obj_passive"):
        return lemma in PLACE_OBJECT_VERBS | IMPACT_VERBS
    if rel in ("at", "via"):
        return True  # any act of the traveller in or at a place puts them there
    if rel in ("from", "origin"):
        return lemma in _FROM_PLACE_VERBS
    return False


def _noun_traveller(noun: Any) -> tuple[Any | None, Any | None]:
    """The traveller of a travel noun and the verb that governs the noun, if any."""
    for _ in range(3):
        if any(c.dep_ == "poss" and c.ent_type_ not in ("DATE", "TIME") for c in noun.children):
            break
        if noun.dep_ == "pobj" and noun.head.lower_ == "of" and noun.head.head.pos_ == "NOUN":
            noun = noun.head.head  # "a day of talks in Moscow": the day's traveller
        else:
            break
    poss = [c for c in noun.children if c.dep_ == "poss" and c.ent_type_ not in ("DATE", "TIME")]
    if poss and poss[0].lower_ in PRONOUN_CLASS and noun.dep_ == "dobj" and noun.head.pos_ in ("VERB", "AUX"):
        subj, passive = _Parse.subject_of(noun.head)
        if subj is not None and not passive and subj.pos_ in ("NOUN", "PROPN") and \
                PRONOUN_CLASS[poss[0].lower_] in ("thing", "plural") and subj.lemma_.lower() not in TRAVEL_NOUNS:
            return subj, noun.head  # "the band kicked off its tour in Boston": the band's
    if poss:
        return poss[0], noun.head if noun.head.i != noun.i else None
    comp = [c for c in noun.children if c.dep_ == "compound" and c.ent_type_ in ("PERSON", "ORG", "NORP")
            and c.pos_ == "PROPN"]
    if comp:
        return comp[-1], None
    head = noun.head
    if noun.dep_ in ("dobj", "attr") and head.pos_ in ("VERB", "AUX"):
        journey = [c for c in head.children if c.dep_ == "nsubj" and c.pos_ == "NOUN" and c.i != noun.i and
                   c.lemma_.lower() in TRAVEL_NOUNS]
        if journey:
            return _noun_traveller(journey[0])[0], head  # "her trip includes stops in Lima": the trip's traveller
    if noun.dep_ in ("dobj", "attr", "oprd") and head.pos_ in ("VERB", "AUX") and \
            (head.lemma_.lower() in LIGHT_VERBS or head.lemma_.lower() in CANCEL_VERBS):
        subj, passive = _Parse.subject_of(head)
        return (None if passive else subj), head
    if noun.dep_ == "dobj" and head.pos_ == "VERB" and head.lemma_.lower() in SAY_VERBS:
        # "the bank's chief told a conference in X": who speaks to an event is at it
        subj, passive = _Parse.subject_of(head)
        if subj is not None and not passive:
            return subj, head
    if noun.dep_ == "pobj" and head.dep_ == "agent" and head.head.lemma_.lower() in SUCCESSION_VERBS:
        # "the trip, to be followed by a visit to Nicaragua": the trip's traveller, else the one at hand
        follow = head.head
        first = next((c for c in follow.children if c.dep_ == "nsubjpass"),
                     follow.head if follow.dep_ in ("acl", "relcl") and follow.head.i != follow.i else None)
        if first is not None and first.pos_ == "NOUN" and first.lemma_.lower() in TRAVEL_NOUNS:
            return _noun_traveller(first)[0], follow
        return first, follow
    if noun.dep_ == "pobj" and head.pos_ == "ADP":
        verb = head.head
        if verb.pos_ in ("VERB", "AUX"):
            # "during a visit to", "after talks in": the verb's subject; "urged the parties to
            # talks in Geneva": its object
            obj = [c for c in verb.children if c.dep_ in ("dobj", "dative")] if head.lower_ in GOAL_PREPS else []
            if obj:
                return obj[0], verb
            subj, passive = _Parse.subject_of(verb)
            return (None if passive else subj), verb
    if noun.dep_ == "nsubjpass" and head.lemma_.lower() in CANCEL_VERBS:
        return None, head
    return None, None


def _traveller(pred: Any, rel: str) -> tuple[Any | None, Any | None]:
    """The traveller token of a predicate and the verb governing a travel noun."""
    if pred.pos_ in ("NOUN", "PROPN"):
        return _noun_traveller(pred)
    if rel == "obj_passive":
        agent = [c for c in pred.children if c.dep_ == "agent"]
        objs = [g for a in agent for g in a.children if g.dep_ == "pobj"]
        return (objs[0] if objs else None), None
    subj, _ = _Parse.subject_of(pred)
    if subj is not None and subj.pos_ == "NOUN" and subj.lemma_.lower() in TRAVEL_NOUNS:
        subj = _noun_traveller(subj)[0] or subj  # "Eurostar's maiden trip arrived at"
    # passive is the predicate's own voice: "is expected to reach X" is no passive of "reach"
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in pred.children)
    if pred.lemma_.lower() in CARRY_VERBS and rel in ("dest", "at", "via", "from") and not passive:
        obj = [c for c in pred.children if c.dep_ in ("dobj", "dative")]
        goes_along = pred.lemma_.lower() in ACCOMPANY_VERBS and subj is not None and \
            (subj.ent_type_ == "PERSON" or subj.lower_ in PRONOUN_CLASS)
        if obj and not goes_along and not (pred.lemma_.lower() in RIDING_VERBS and obj[0].lemma_.lower() in VEHICLES
                                           and subj is not None):
            return obj[0], None  # "a tour that took Herrington to Iraq", "flew him to Punta Arenas"
        # ("took a train to Osaka": the one who took it went)
    if pred.lemma_.lower() in HOSTING_VERBS and rel == "at" and not passive:
        guest = [c for c in pred.children if c.dep_ == "dobj" and
                 (c.pos_ == "PROPN" or c.lower_ in PRONOUN_CLASS or c.lemma_.lower() in TITLES)]
        if guest:
            return guest[0], None  # "Otieno welcomed Reyes in Nairobi": Reyes came to Nairobi
    if passive and pred.lemma_.lower() in ATTITUDE_VERBS:
        return None, None  # "is admired in Tokyo", "was considered here to be": those who hold the view are there
    if passive and pred.lemma_.lower() not in RECEIVED_VERBS and rel in ("obj",):
        return None, None
    return subj, None


def _cue(pred: Any) -> str | None:
    """The text's own order cue for a predicate: "first" ("started the tour in", "the
    journey, which began in"), "earlier" ("after visiting Hanoi, he...", "earlier, he
    toured", "flew in from", "the first leg"), "later" ("before returning to London", "then
    travelled to"), "final" ("ends the trip in", "the last stop") or none."""
    cue = _sequence_cue(pred)
    if cue in ("first", "earlier"):
        return cue  # "after completing a tour of X": before the act it goes with
    for t in _Parse.chain(pred):
        if t.lower_ in TIME_PREPS and t.pos_ in ("ADP", "SCONJ"):
            break  # "a final stop in A before returning to B": B's act is the later one
        if t.pos_ == "NOUN" and t.lemma_.lower() in ITINERARY_PARTS and \
                any(c.dep_ == "amod" and c.lower_ in FINAL_WORDS for c in t.children):
            return "final"  # "the last stop"
        if _journey_verb(t, ENDING_VERBS):
            return "final"  # "ends the trip in Singapore", "will wrap up his tour in Lima"
    return cue


def _journey_verb(t: Any, verbs: frozenset[str]) -> bool:
    """Whether ``t`` is one of ``verbs`` said of a journey: its object ("ended his tour (in
    Lima)"), its subject ("the tour began in Hanoi") or the noun its relative clause tells of
    ("the journey, which began in Abu Dhabi"); or that journey ("ended his tour in Lima")."""
    def journey(noun: Any) -> bool:
        return noun.pos_ == "NOUN" and noun.lemma_.lower() in TRAVEL_NOUNS
    if t.pos_ in ("VERB", "AUX"):
        return t.lemma_.lower() in verbs and (any(c.dep_ in ("dobj", "nsubj") and journey(c) for c in t.children) or
                                              t.dep_ == "relcl" and journey(t.head))
    return t.dep_ == "dobj" and journey(t) and t.head.lemma_.lower() in verbs


def _sequence_cue(pred: Any) -> str | None:
    """"first", "earlier", "later" or None: the cue of the words that govern a predicate (see :func:`_cue`)."""
    for t in _Parse.chain(pred):
        if t.pos_ == "NOUN" and t.lemma_.lower() in ITINERARY_PARTS and \
                any(c.dep_ == "amod" and c.lower_ == "first" for c in t.children):
            return "earlier"  # "the first leg"
        if _journey_verb(t, STARTING_VERBS):
            return "first"  # "started their tour in India": before every other stop
        if any(c.lower_ in SPANS_OF_DAYS and any(g.dep_ == "amod" and g.lower_ in BYGONE_WORDS for g in c.children)
               for c in t.children):
            return "earlier"  # "spent the past days in Bhutan"
        head = t.head
        if t.dep_ == "pobj" and head.lower_ in FROM_PREPS and t.pos_ == "NOUN" and t.lemma_.lower() in TRAVEL_NOUNS:
            return "earlier"  # "returned on Sunday from a trip to Angola": the trip came first
        if t.dep_ == "pobj" and head.dep_ == "agent" and head.head.lemma_.lower() in SUCCESSION_VERBS:
            # "arrived in Cuba, to be followed by a visit to Nicaragua"; "preceded by a stop in Dubai"
            return "later" if head.head.lemma_.lower() == "follow" else "earlier"
        if t.dep_ in ("pcomp", "pobj") and head.i != t.i:
            if head.lower_ in EARLIER_PREPS:
                return "earlier"
            if head.lower_ in LATER_PREPS:
                return "later"
        for c in t.children:  # (a preposition of the other order is no cue here: "before returning" is later)
            if c.dep_ in ("advmod", "npadvmod") and c.lower_ in _EARLIER_ADVERBS:
                return "earlier"
            if c.dep_ == "prep" and c.lower_ in TIME_PREPS and any(g.dep_ == "pobj" and g.lower_ in BACK_REFERENCES
                                                                    for g in c.children):
                # "Before that, she spent three days in Quito", "after that": the time of the act told before
                return "earlier" if c.lower_ in LATER_PREPS else "later"
            if c.dep_ in ("advmod", "mark") and c.lower_ in _LATER_ADVERBS:
                return "later"
        if t.pos_ in ("VERB", "AUX") and t.tag_ == "VBN" and t.lemma_.lower() not in DEPARTURES and \
                any(c.dep_ == "aux" and c.lemma_ == "have" for c in t.children):
            # "a tour that has taken him to Iraq", "had visited Hanoi"; not "has left for Oslo",
            # "has resumed its flight to Quito", whose end is still ahead
            return "earlier"
        if t.pos_ in ("VERB", "AUX") and t.i != pred.i:
            break  # the clause that holds the predicate decides
    return None


#: how much a sentence's way of naming its traveller leaves a reader sure of who moves
_REFERENCE_WEIGHT = {Reference.NAME: 1.0, Reference.TITLE: 0.9, Reference.PRONOUN: 0.85, Reference.CONTEXT: 0.7,
                     Reference.NONE: 0.6, Reference.IT: 0.6}


def _strength(pred: Any, rel: str, how: Reference) -> float:
    """How sure a reader is that this sentence moves the traveller to the place."""
    lemma = pred.lemma_.lower()
    if pred.pos_ in ("NOUN", "PROPN"):
        base = 0.8
    elif rel in ("dest", "obj", "obj_passive", "via") or lemma in _STRONG_VERBS:
        base = 0.9
    elif lemma == "be":
        base = 0.75
    else:
        base = 0.55  # "said in Moscow": present there, but a weaker cue
    return base * _REFERENCE_WEIGHT[how]


def candidates(document: Any, mentions: Sequence[tuple[int, int]], *,
               positions: Collection[tuple[int, int]] = ()) -> list[MovementCandidate]:
    """Every movement event of any traveller in one parsed article, travellers unresolved
    beyond pronouns (a pronoun takes the last clause subject that was a name). Of the
    ``mentions``, the ``positions`` are position expressions ("70 miles east of Bermuda",
    :mod:`storymap.positions`), read by :func:`_position_govern`."""
    article = document.article
    text = article.text
    mentions = sorted(mentions)
    out: list[MovementCandidate] = []
    by_sentence: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    sents = list(document.sentences())
    starts = [off + s.start_char for off, s in sents]

    for s, e in mentions:
        k = bisect.bisect_right(starts, s) - 1
        if k >= 0:
            off, sent = sents[k]
            by_sentence[(off + sent.start_char, off + sent.end_char)].append((s, e))
    last_name: tuple[str, ...] | None = None
    last_thing: tuple[tuple[str, ...], frozenset[str]] | None = None
    people = _person_words(document)
    dateline = document.dateline
    # the story's last told date, for sentences that name none
    context: DateMention | None = None
    previous: Any = ()
    # each sentence's dates, found once (a dateline's date is the filing date)
    sent_dates = [tuple(d for d in find_dates(text, off + sent.start_char, off + sent.end_char)
                        if dateline is None or not dateline.start <= d.start < dateline.end) for off, sent in sents]
    dated = _dated_events(sents, sent_dates)
    for (off, sent), dates in zip(sents, sent_dates, strict=True):
        if is_caption(sent.text):
            continue  # a photo caption tells what a picture shows, not the trip
        span = (off + sent.start_char, off + sent.end_char)
        dates += _night_before(sent, off)
        # names that are clause subjects in this sentence: a later pronoun's antecedent
        # (and whose journey a clause subject is: "The final leg of X's tour takes him to Lima")
        named = [(t.i, _name_words(t) if t.pos_ == "PROPN" else (t.text,)) for t in sent
                 if (t.dep_ in ("nsubj", "nsubjpass") or t.dep_ == "poss" and _journey_subject(t.head)) and
                 _is_name(t, people) and t.ent_type_ not in ("GPE", "LOC", "NORP", "FAC")]
        first = len(out)
        preds: list[int] = []  # the predicate token of each event of this sentence
        for ms, me in by_sentence.get(span, []):
            located = document.locate(ms, me)
            if located is None:
                continue
            _, place = located
            governed = _position_govern(place.root) if (ms, me) in positions else _govern(place.root)
            if governed is None:
                continue
            pred, prep, rel = governed
            if not _dest_ok(pred, rel):
                continue
            if prep == "for" and pred.pos_ in ("VERB", "AUX") and pred.lemma_.lower() not in _FOR_PLACE_VERBS:
                continue  # "For Taiwan, Yeutter said": whom it is for, not where one goes ("left for Paris")
            who, governor = _traveller(pred, rel)
            who = _whole_of(who)  # "the center of Hurricane Mira", "the storm's eye": the storm
            journey = False
            # (not a journey that is itself the traveller: "the flight took off")
            if who is not None and who.pos_ == "NOUN" and who.lemma_.lower() in TRAVEL_NOUNS and \
                    who.lemma_.lower() not in ALL_KINDS and who.dep_ in ("nsubj", "nsubjpass"):
                # "the tour ends in Glasgow", "her visit takes her to Rome": the journey's traveller
                journey = True
                who = next((c for c in who.children if c.dep_ == "poss"), None)
            who = _carried(who, people)
            if who is not None and who.ent_type_ not in ("PERSON", "ORG", "NORP") and \
                    _inside(off + who.idx, mentions):
                continue  # a place as the subject ("Moscow said", "Cairo airport officials")
            before = [n for i, n in named if who is not None and i < who.i and n]
            # "During his trip to Washington, Bangemann will meet...": a possessive before the
            # sentence's named subject is that subject's
            ahead = [n for i, n in named if who is not None and who.dep_ == "poss" and i > who.i and n and
                     sent[i - sent.start].head.dep_ == "ROOT"] if not before else []
            name, noun, how, label = _describe(who, before[-1] if before else ahead[0] if ahead else last_name,
                                               people, None if before or ahead else last_thing)
            nearby: frozenset[str] = frozenset()
            if who is None and (pred.pos_ == "NOUN" and not _others(pred) or journey):
                # "Wednesday's meeting at X", "the visit to X is the first...": the story's
                # current traveller, unless the noun names others ("talks between ...")
                name, how, label = None, Reference.CONTEXT, ""
                nearby = frozenset(t.text.removesuffix("'s") for t in (*previous, *sent) if t.pos_ == "PROPN") | \
                    frozenset(t.lemma_.lower() for t in (*previous, *sent) if t.pos_ == "NOUN") | \
                    frozenset(PRONOUN_CLASS[t.lower_] for t in (*previous, *sent) if t.lower_ in PRONOUN_CLASS)
            status = _status(pred, governor, rel)
            if status == EventStatus.EXPECTED and rel == "at" and pred.pos_ in ("VERB", "AUX") and \
                    pred.lemma_.lower() not in _MOVE_OR_VISIT_VERBS | WEATHER_VERBS | IMPACT_VERBS and \
                    not _expected_at(pred) and not _journey_verb(pred, ENDING_VERBS | STARTING_VERBS) and \
                    not ((subject := _Parse.subject_of(pred)[0]) is not None and _journey_subject(subject)):
                # (not a journey's start or end, nor what a journey does: "will end her tour in Cairo",
                # "the tour continues in Chicago and ends in Denver")
                status = EventStatus.HYPOTHETICAL  # "aimed to raise money in Britain": an aim, not a trip
            kind = EventKind.ORIGIN if rel in ("from", "origin") else EventKind.VISIT
            own = _dates_in(pred, off, dates, plan=status == EventStatus.EXPECTED)
            if not own and pred.pos_ == "NOUN":
                # "to attend the Venice summit (meeting) ... After the June 8-10 summit": the one summit's dates
                known = [dated[t.lemma_.lower()] for t in (pred, *pred.children)
                         if (t.i == pred.i or t.dep_ == "compound") and len(dated.get(t.lemma_.lower(), ())) == 1]
                own = known[0][0] if known else own
            cue = _cue(pred)
            # a plan is for later than the last told date, and a relative clause tells of its noun's
            # own past ("the journey, which began in X"), not of the last told day
            inferred = not own and rel not in ("from", "origin") and cue is None and context is not None and \
                status == EventStatus.REPORTED and not _relative(pred)
            if inferred and context is not None:
                own = (context,)
            preds.append(pred.i)
            under_way = pred.tag_ == "VBG" and any(c.lemma_ == "be" and c.dep_ == "aux" and c.tag_ in ("VBZ", "VBP")
                                                   for c in pred.children)
            out.append(MovementCandidate(article.id, (ms, me), span, pred.lemma_.lower() + (f" {prep}" if prep else ""),
                                  label, name, noun, how, status, kind, own, cue, _strength(pred, rel, how),
                                  _past_years(pred), inferred, under_way, nearby=nearby,
                                  simple_present=pred.tag_ in ("VBZ", "VBP") and not _headline(pred)))
        out[first:] = _not_reached(out[first:], [sent.doc[i] for i in preds])
        if positions and len(out) > first:
            out[first:] = _positions_apart(out[first:], preds, positions)
        # (a position is no member of a list of places)
        out[first:] = _lists(text, [m for m in by_sentence.get(span, []) if m not in positions], out[first:], dates)
        out += _unplaced_arrivals(document, sent, off, span, dates, mentions, last_name)
        for tok in sent:
            if tok.lemma_.lower() in TERMINAL and tok.pos_ == "VERB" and \
                    not any(c.dep_ == "prep" for c in tok.children if any(_inside(off + g.idx, mentions)
                                                                        for g in c.children)):
                # "the Marlin sank on Wednesday": an end with no place, kept to tell what was never reached
                who, _ = _traveller(tok, "at")
                name, noun, how, label = _describe(who, last_name, people, last_thing)
                if how not in (Reference.NAME, Reference.TITLE, Reference.IT):
                    continue  # "... who died": only an end told of the traveller by name or kind
                out.append(MovementCandidate(article.id, NO_PLACE, span, tok.lemma_.lower(), label, name, noun, how,
                                     _status(tok, None), EventKind.END, (), None, 0.0))
        told = [d for d in dates if _adverbial(sent.doc, d, off) and not d.vague]
        if told:
            context = told[-1]
        previous = sent
        # the clause subjects of this sentence, for the pronouns of the next
        for tok in sent:
            if (tok.dep_ in ("nsubj", "nsubjpass") and tok.head.dep_ == "ROOT" or
                tok.dep_ == "poss" and _journey_subject(tok.head)) and _is_name(tok, people) and \
                    tok.ent_type_ not in ("GPE", "LOC", "NORP", "FAC"):  # "The U.S. said ... He": not the U.S.
                last_name = (_name_words(tok) if tok.pos_ == "PROPN" else (tok.text,)) or last_name
                break
            if tok.dep_ in ("nsubj", "nsubjpass") and tok.head.dep_ == "ROOT" and tok.pos_ == "NOUN" and \
                    tok.lemma_.lower() in TITLES and any(c.lower_ == "the" for c in tok.children):
                last_name = (TITLE_MARK + tok.lemma_.lower(),)  # "The crown prince ... He": by that title
                break
        # the group or thing this sentence tells of, for a "they" or "it" in the next; none when
        # the sentence is about someone or something else
        subject = next((t for t in sent if t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "ROOT"), None)
        if subject is not None and subject.pos_ != "PRON":
            last_thing = _thing_told(subject)
    return out


#: what may stand between two places of a list besides the separators and their dates
#: ("Leeds on May 3, Glasgow on May 5 and Cardiff"): prepositions of time, brackets, dashes
_LIST_GAP = re.compile(r"(?:[\s,;()\u2013\u2014-]|\b(?:on|at|from|in|the|and|or)\b)*", re.IGNORECASE)
_LIST_END = re.compile(r"\b(?:and|or)\b", re.IGNORECASE)


def _lists(text: str, places: Sequence[tuple[int, int]], found: list[MovementCandidate],
           dates: Sequence[DateMention]) -> list[MovementCandidate]:
    """A sentence's candidates with its lists of places read as lists: "shows in Leeds on
    May 3, Glasgow on May 5 and Cardiff on May 8", whose members the parser often hangs
    elsewhere than on the first (a date, the verb). A list is a run of places with only
    commas, dates and time prepositions between them, its last gap an "and" or "or". Its
    members share one role, that of the first the parse gave one ("shows in"); when every
    member has a date of its own after it, each takes its own."""
    if len(places) < 2:
        return found
    by_place: dict[tuple[int, int], list[MovementCandidate]] = defaultdict(list)
    for c in found:
        by_place[c.mention].append(c)
    ordered = sorted(places)
    runs: list[list[tuple[int, int]]] = [[ordered[0]]]
    gaps: list[list[str]] = [[]]
    for a, b in zip(ordered, ordered[1:], strict=False):
        gap = text[a[1]:b[0]]
        for d in dates:
            if a[1] <= d.start and d.end <= b[0]:
                gap = gap.replace(text[d.start:d.end], " ")
        if "," in gap or ";" in gap or _LIST_END.search(gap):
            if _LIST_GAP.fullmatch(gap):
                runs[-1].append(b)
                gaps[-1].append(gap)
                continue
        runs.append([b])
        gaps.append([])
    out = list(found)
    for run, between in zip(runs, gaps, strict=True):
        # a list ends with "and"/"or": a run that does not is cut at its last conjunction
        ends = [k for k, g in enumerate(between) if _LIST_END.search(g)]
        if not ends:
            continue
        run = run[: ends[-1] + 2]
        lead = next((m for m in run if by_place.get(m)), None)
        if len(run) < 2 or lead is None:
            continue
        for m in run:
            if m != lead and [c.predicate for c in by_place.get(m, ())] != [c.predicate for c in by_place[lead]]:
                out = [c for c in out if c.mention != m]
                made = [dataclasses.replace(c, mention=m) for c in by_place[lead]]
                by_place[m] = made
                out += made
        own: list[tuple[DateMention, ...]] = []
        # each member's own dates: those between it and the next member (the last's up to the sentence's next words)
        for k, m in enumerate(run):
            hi = run[k + 1][0] if k + 1 < len(run) else m[1] + 24
            mine = tuple(d for d in dates if m[1] <= d.start < hi and _LIST_GAP.fullmatch(text[m[1]:d.start]))
            own.append(mine)
        if all(own) and len(own) == len(run):
            for m, mine in zip(run, own, strict=True):
                for c in by_place.get(m, ()):
                    out[out.index(c)] = dataclasses.replace(c, dates=mine, inferred=False)
        elif not any(own[:-1]):  # (a range after the last member is the whole list's)
            shared = {c.dates for m in run for c in by_place.get(m, ())}
            span = next(iter(shared))[0] if [len(d) for d in shared] == [1] else None
            if span is not None and span.end_day is not None and not span.vague:
                # "will visit Doha, Riyadh and Muscat from May 6 to 10": the tour opens in the first
                # on May 6 and ends in the last by May 10; the others fall between
                first = dataclasses.replace(span, end_year=None, end_month=None, end_day=None, end_weekday=None)
                last = dataclasses.replace(first, year=span.end_year, month=span.end_month, day=span.end_day,
                                           weekday=span.end_weekday)
                for k, m in enumerate(run):
                    mine = (first,) if k == 0 else (last,) if k == len(run) - 1 else ()
                    for c in by_place.get(m, ()):
                        out[out.index(c)] = dataclasses.replace(c, dates=mine, inferred=False)
    out.sort(key=lambda c: c.mention)
    return out


def _dated_events(sents: Sequence[tuple[int, Any]],
                  sent_dates: Sequence[tuple[DateMention, ...]]) -> dict[str, list[tuple[DateMention, ...]]]:
    """The travel nouns an article dates by a definite mention ("the June 8-10 summit", "the
    Monday meeting"), by lemma: each distinct set of dates it gives that noun."""
    out: defaultdict[str, list[tuple[DateMention, ...]]] = defaultdict(list)
    for (off, sent), dates in zip(sents, sent_dates, strict=True):
        nouns = [t for t in sent if t.pos_ == "NOUN" and t.lemma_.lower() in TRAVEL_NOUNS and
                 any(c.dep_ == "det" and c.lower_ == "the" for c in t.children)]
        for t in nouns:
            mine = tuple(d for d in dates if off + t.left_edge.idx <= d.start and d.end <= off + t.idx)
            seen = [[(d.start, d.end) for d in m] for m in out[t.lemma_.lower()]]
            if mine and [(d.start, d.end) for d in mine] not in seen:
                out[t.lemma_.lower()].append(mine)
    return out


def _relative(pred: Any) -> bool:
    """Whether a predicate is that of a relative clause, or joined to one ("which began in X
    and ended in Y")."""
    while pred.dep_ == "conj" and pred.head.i != pred.i:
        pred = pred.head
    return pred.dep_ == "relcl"


def _night_before(sent: Any, off: int) -> tuple[DateMention, ...]:
    """"last night" and "overnight": the day before the anchor."""
    out = []
    for tok in sent:
        if tok.lower_ == "night" and tok.i > sent.start and tok.nbor(-1).lower_ == "last":
            first = tok.nbor(-1)
            out.append(DateMention(off + first.idx, off + tok.idx + len(tok), f"{first.text} {tok.text}",
                                   relative=-1))
        elif tok.lower_ == "overnight" and tok.dep_ in ("advmod", "npadvmod"):
            out.append(DateMention(off + tok.idx, off + tok.idx + len(tok), tok.text, relative=-1))
    return tuple(out)


#: movements that need no place named: where they end is where the story was filed
#: ("landed for a three-day stay", "told reporters here")
ARRIVAL_VERBS = words("arrival_verbs")
UNPLACED_NOUNS = words("unplaced_nouns")


def _inside(pos: int, mentions: Sequence[tuple[int, int]]) -> bool:
    """Whether a character offset is inside one of the (sorted, disjoint) mentions."""
    k = bisect.bisect_right(mentions, (pos, math.inf)) - 1
    return k >= 0 and mentions[k][0] <= pos < mentions[k][1]


def _unplaced_arrivals(document: Any, sent: Any, off: int, span: tuple[int, int], dates: Sequence[DateMention],
                       mentions: Sequence[tuple[int, int]],
                       last_name: tuple[str, ...] | None) -> list[MovementCandidate]:
    """Arrivals with no place named, acts done "here", and a lede's meeting or talk to reporters in
    a sentence that names no place, placed at the dateline's place."""
    dateline = document.dateline
    if dateline is None or not dateline.places:
        return []
    place = next(((s, e) for s, e in mentions if dateline.places[0][0] <= s < dateline.places[0][1]), None)
    if place is None:
        return []
    out = []
    # the lede, when it names no place: "LIMA - Reyes met the president on Tuesday" is at the dateline's place
    lede = off + sent.start_char <= dateline.end + 2 and not any(_inside(off + t.idx, mentions) for t in sent)
    for tok in sent:
        lemma = tok.lemma_.lower()
        if tok.lower_ == "here" and tok.dep_ == "advmod":
            pred = tok.head  # "told reporters here", "Velayati, here on a visit"
            if pred.pos_ in ("VERB", "AUX"):
                who, _ = _traveller(pred, "at")
            elif pred.pos_ == "NOUN" and pred.lemma_.lower() in TRAVEL_NOUNS:
                who = _noun_traveller(pred)[0]  # "expressed satisfaction during a meeting here": who met
            elif pred.pos_ in ("NOUN", "PROPN"):
                who = pred
            else:
                continue
            word = f"{pred.lemma_.lower()} here"
        elif lemma in ARRIVAL_VERBS and tok.pos_ == "VERB" or \
                (lemma in UNPLACED_NOUNS or tok.lower_ in UNPLACED_NOUNS) and tok.pos_ == "NOUN" or \
                lede and _meets_or_tells(tok):
            if any(c.dep_ == "prep" and c.lower_ in SCENE_PREPS and
                   any(g.dep_ == "pobj" and g.ent_type_ not in ("DATE", "TIME") and
                       g.lemma_.lower() not in TRAVEL_NOUNS for g in c.children)
                   for c in tok.children):
                continue  # the place is said ("at the nearest airport"): not the dateline's
            if tok.pos_ == "NOUN" and tok.head.dep_ == "prep" and tok.head.lower_ == "for" and \
                    tok.head.head.pos_ == "VERB" and tok.head.head.lemma_.lower() in MOVE_VERBS and \
                    any(off + t.idx > dateline.end and _inside(off + t.idx, mentions) for t in tok.head.head.subtree):
                continue  # "will fly to Rabat for talks": where the journey goes, not the dateline
            pred = tok
            who, _ = _traveller(tok, "at")
            word = lemma
        else:
            continue
        name, noun, how, label = _describe(who, last_name)
        out.append(MovementCandidate(document.article.id, place, span, word, label, name, noun, how,
                              _status(pred, None), EventKind.VISIT, _dates_in(pred, off, dates), _cue(pred),
                              _strength(pred, "at", how) * 0.9))
    return out


def _meets_or_tells(verb: Any) -> bool:
    """Whether a sentence's main verb is a meeting ("met the president") or a talk to those
    present ("told reporters", "told a news conference")."""
    lemma = verb.lemma_.lower()
    return verb.pos_ == "VERB" and verb.dep_ == "ROOT" and (lemma in MEETING_VERBS or lemma in SAY_VERBS and any(
        c.dep_ in ("dobj", "dative") and c.lemma_.lower() in AUDIENCE_NOUNS for c in verb.children))


def _others(noun: Any) -> bool:
    """Whether a travel noun names its own participants ("talks between X and Y", "a visit by")."""
    return any(c.dep_ in ("prep", "agent") and c.lower_ in PARTICIPANT_PREPS and
               any(g.pos_ in ("PROPN", "NOUN", "PRON") for g in c.children) for c in noun.children)


#: times of day: "before dawn on Saturday" is a time, not another act
TIMES_OF_DAY = words("times_of_day")
#: verbs of saying: their date is when a plan was told, not when it is to happen
SAY_VERBS = words("say_verbs")
#: prepositions that set an act before or after another, which has its own time
TIME_PREPS = EARLIER_PREPS | LATER_PREPS


def _dates_in(pred: Any, off: int, dates: Sequence[DateMention], plan: bool = False) -> tuple[DateMention, ...]:
    """The dates inside the predicate's clause, else those of the sentence; for a ``plan``,
    not the date it was told on ("will visit Spain, a source said on Monday")."""
    if plan and pred.pos_ == "NOUN" and pred.dep_ == "pobj" and pred.head.lower_ in ("for", "on"):
        # "left on Monday for a trip to Gdansk", "stopped in Dakar on Tuesday on her way to Abuja":
        # Monday is the leaving; the trip keeps its own time
        lo, hi = off + pred.left_edge.idx, off + pred.right_edge.idx + len(pred.right_edge)
        return tuple(d for d in dates if lo <= d.start < hi)
    clause = pred
    for t in _Parse.chain(pred):
        if t.i != pred.i and t.pos_ == "ADP" and t.lower_ in TIME_PREPS:
            # "arrived on Monday after a tour of the Gulf": the tour has its own time
            lo, hi = off + t.left_edge.idx, off + t.right_edge.idx + len(t.right_edge)
            return tuple(d for d in dates if lo <= d.start < hi)
        clause = t
        if t.pos_ in ("VERB", "AUX"):
            break
    lo = off + clause.left_edge.idx
    hi = off + clause.right_edge.idx + len(clause.right_edge)
    inside = tuple(d for d in dates if lo <= d.start < hi and not _in_other_clause(pred, d, off))
    if inside:
        return inside
    if clause.dep_ in ("pcomp", "advcl") and clause.head.lower_ == "before" and \
            clause.lemma_.lower() in DEPARTURES and clause.head.head.pos_ in ("VERB", "AUX"):
        # "will host a summit on Monday before leaving for Sydney": it leaves that day
        act = clause.head.head
        lo, hi = off + act.left_edge.idx, off + act.right_edge.idx + len(act.right_edge)
        return tuple(d for d in dates if lo <= d.start < hi and _adverbial(act.doc, d, off) and
                     not _in_other_clause(act, d, off))
    if plan and clause.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in PROGRESS_MARKS
                                               for c in clause.children):
        return ()  # "ran aground on Tuesday while sailing to Rotterdam": not Tuesday's
    if clause.dep_ in ("advcl", "acl") and clause.lemma_.lower() in SUCCESSION_VERBS:
        return ()  # "arrived on Monday, to be followed by a visit to Nicaragua": not Monday's
    # ("ahead of" governs through its "of")
    if clause.dep_ in ("pcomp", "advcl") and clause.head.lower_ in _CLAUSE_TIME_PREPS:
        return ()  # "arrived on Sunday after attending a summit": the summit has its own time
    root = clause
    while root.head.i != root.i:
        root = root.head
    if plan and root.lemma_.lower() in SAY_VERBS:
        return ()
    if clause is not root and any(c.dep_ == "aux" and c.lower_ in ("had", "'d") for c in clause.children) and \
            clause.tag_ == "VBN":
        return ()  # "who had flown in from X, spoke on Saturday": the flight came before
    lo = off + root.left_edge.idx
    hi = off + root.right_edge.idx + len(root.right_edge)
    # the dates of the clauses that hold the predicate ("the Times reported the tank began
    # its journey on Sunday when crews pushed it into X"), not of those beside it
    return tuple(d for d in dates if lo <= d.start < hi and _adverbial(root.doc, d, off) and
                 not _in_other_clause(pred, d, off))


def _in_other_clause(pred: Any, date: DateMention, off: int) -> bool:
    """Whether a date sits in a relative or adverbial clause that does not hold the
    predicate ("Hiroshima, where a bomb killed thousands on Aug. 6, 1945")."""
    span = pred.doc.char_span(date.start - off, date.end - off, alignment_mode="expand")
    if span is None or not len(span):
        return True
    holding = {t.i for t in pred.ancestors} | {pred.i}
    # (an adverb heading a phrase as a preposition does: "ahead of the June 11 election")
    if any(t.lower_ in TIME_PREPS and (t.pos_ in ("ADP", "SCONJ") or t.pos_ == "ADV" and any(
            c.dep_ == "prep" for c in t.children)) and t.i not in holding and t.i != span.root.head.i
           and not any(c.lemma_.lower() in TIMES_OF_DAY for c in t.children) for t in span.root.ancestors):
        return True  # "in Rome before returning for a vote on Tuesday": the vote's time
    if any(t.dep_ == "conj" and t.pos_ in ("VERB", "AUX") and t.i not in holding and
           (any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children) or _own_tense(t))
           for t in span.root.ancestors):
        # "will travel to Quito, and she returns to Madrid on Friday", "held talks in Manila and
        # will visit Cebu on Thursday": the return's, the visit's time
        return True
    # a clause that speaks of the traveller ("Ottawa, where Trudeau welcomed him on
    # Friday") tells the time of the same visit
    # and a clause that tells of the journey itself ("his trip, which runs from April 26 to 29")
    # tells its time
    return any(t.dep_ in ("relcl", "acl", "advcl", "ccomp") and t.i not in holding and
               not (t.dep_ == "relcl" and any(c.lower_ in PRONOUN_CLASS and c.dep_ in ("dobj", "dative", "nsubj")
                                              for c in t.children)) and
               not (t.dep_ == "relcl" and pred.pos_ == "NOUN" and pred.lemma_.lower() in TRAVEL_NOUNS and
                    (t.head.i == pred.i or t.head.head.head.i == pred.i))  # (or on its place, as parsed)
               for t in span.root.ancestors)


def _adverbial(doc: Any, date: DateMention, off: int) -> bool:
    """Whether a date tells when a verb's act happened ("met on Friday", "arrived Sunday"),
    not what a noun is ("the June 23 referendum", "Monday's stock market collapse")."""
    span = doc.char_span(date.start - off, date.end - off, alignment_mode="expand")
    if span is None or not len(span):
        return False
    head = span.root
    if head.dep_ == "pobj":
        return head.head.head.pos_ in ("VERB", "AUX")
    return head.dep_ in ("npadvmod", "tmod", "advmod", "obl") and head.head.pos_ in ("VERB", "AUX")


def _past_years(pred: Any) -> tuple[int, ...]:
    """Years the predicate's clause names ("in 2014", "the 1990s"; "last year", "ago" and the
    adverbs of an earlier occasion, "previously", are read as -1): an act in an earlier
    year than the article's is a past trip, not this story's. A clause that hangs on a year
    takes it ("since 2009, when she toured Oslo"); the dates of the clauses inside it are
    theirs ("who visited Oslo last year, arrived in Rome": the arrival is not last year's)."""
    clause = pred
    for t in _Parse.chain(pred):
        clause = t
        if t.pos_ in ("VERB", "AUX"):
            break
    out = []
    if any(c.dep_ == "advmod" and c.lower_ in PAST_TRIP_ADVERBS for c in clause.children):
        out.append(-1)  # "previously visited", "once lived in"
    head = clause.head
    if clause.dep_ in ("relcl", "advcl") and head.ent_type_ == "DATE" and _YEAR.fullmatch(head.text):
        out.append(int(head.text))  # "since 2009, when she toured Oslo"
    for t in clause.subtree:
        if t.ent_type_ != "DATE" or _in_subclause(t, clause):
            continue
        if t.dep_ == "pobj" and t.head.lower_ == "since":
            continue  # "the first visit since 2019": the time between, not this act's year
        if _YEAR.fullmatch(t.text):
            out.append(int(t.text))
        elif _DECADE.fullmatch(t.text):
            out.append(int(t.text[:4]))  # "in the 1990s"
        elif t.lower_ == "year" and t.i > 0 and t.nbor(-1).lower_ == "last":
            out.append(-1)
        elif t.lower_ == "ago":
            out.append(-1)
    return tuple(out)


_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_DECADE = re.compile(r"(?:1[89]|20)\d0'?s")


def _in_subclause(tok: Any, clause: Any) -> bool:
    """Whether ``tok`` is inside a relative, adverbial or reported clause of ``clause``'s."""
    t = tok
    while t.i != clause.i and t.head.i != t.i:
        if t.dep_ in ("relcl", "acl", "advcl", "ccomp", "parataxis") and t.pos_ in ("VERB", "AUX"):
            return True
        t = t.head
    return False


def _person_words(document: Any) -> frozenset[str]:
    """Words of people's names anywhere in the article: the words of the entity model's
    people, and the last word of a proper name after a title ("President Ana Reyes"),
    which the model sometimes takes for an organisation."""
    words = set()
    for d in document.docs:
        for t in d:
            if t.pos_ != "PROPN":
                continue
            if t.ent_type_ == "PERSON":
                words.add(t.text)
            elif t.ent_type_ not in ("GPE", "LOC", "NORP", "FAC") and t.dep_ != "compound" and t.i and \
                    d[t.i - 1].pos_ == "PROPN" and any(w.lower_.rstrip(".") in TITLES for w in t.lefts):
                words.add(t.text)
    return frozenset(words)


def _is_name(tok: Any, people: frozenset[str]) -> bool:
    """A proper noun, or a capitalised word the tagger took for a common noun that the
    article uses as a person's name elsewhere ("Lopes will travel..." opening a sentence,
    "the source said Reyes would")."""
    return tok.pos_ == "PROPN" or (tok.pos_ in ("NOUN", "ADJ") and tok.text[:1].isupper() and tok.text in people)


def _journey_subject(noun: Any) -> bool:
    """Whether a noun is a journey, or a journey of one, that is a clause subject ("her tour
    ends in Rome", "the last leg of her tour takes her to Lima")."""
    while noun.lemma_.lower() in TRAVEL_NOUNS | ITINERARY_PARTS and noun.pos_ == "NOUN":
        if noun.dep_ in ("nsubj", "nsubjpass"):
            return True
        if noun.dep_ != "pobj" or noun.head.lower_ != "of":
            return False
        noun = noun.head.head
    return False


def _member(who: Any) -> Any:
    """Who a group noun stands for: the students of "a group of 40 students"; else ``who``
    (also for "a delegation of officials": anyone's title says less than the group's noun)."""
    if who.pos_ == "NOUN" and who.lemma_.lower() in GROUP_NOUNS:
        return next((g for c in who.children if c.dep_ == "prep" and c.lower_ == "of"
                     for g in c.children if g.dep_ == "pobj" and g.pos_ == "NOUN" and
                     g.lemma_.lower() not in TITLES and g.lemma_.lower() not in ANYONE), who)
    return who


def _plural_teller(pronoun: Any) -> Any:
    """The plural common noun a "they" refers to as the subject of a clause that holds it
    ("Kenyan officials said they would travel", "the ministers agreed that they would meet"),
    else None."""
    if PRONOUN_CLASS.get(pronoun.lower_) != "plural":
        return None
    for verb in pronoun.ancestors:
        subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < pronoun.i), None)
        if subject is not None:
            return subject if subject.pos_ == "NOUN" and subject.tag_ == "NNS" else None
    return None


def _thing_told(subject: Any) -> tuple[tuple[str, ...], frozenset[str]] | None:
    """A clause subject that a group or a thing is told by ("The royal couple arrived", "A
    tanker left", "A group of 30 students arrived"): the reference a later pronoun of its
    class makes to it (a group is "they", a ship "it", a band either), else None."""
    who = _member(subject)
    lemma = who.lemma_.lower()
    if who.pos_ != "NOUN" or not (lemma in ALL_KINDS or lemma in GROUP_NOUNS or who is not subject) or \
            not any(c.dep_ == "det" for c in subject.children):
        return None
    if who.tag_ == "NNS" or lemma in GROUP_NOUNS:
        classes = frozenset({"plural"})
    elif lemma in TROUPES:
        classes = frozenset({"plural", "thing"})
    else:
        classes = frozenset({"thing"})
    return (TITLE_MARK + lemma,), classes


def _describe(who: Any, last_name: tuple[str, ...] | None, people: frozenset[str] = frozenset(),
              thing: tuple[tuple[str, ...], frozenset[str]] | None = None
              ) -> tuple[tuple[str, ...] | None, str | None, Reference, str]:
    """(name words, title noun, how it was found, the words as written) for a traveller token;
    ``people`` are the article's person-name words (:func:`_person_words`); ``thing`` is the
    group or thing the last sentence told of (:func:`_thing_told`), for a pronoun of its class."""
    if who is None:
        return None, None, Reference.NONE, ""
    who = _member(who)
    toks = [t for t in who.subtree if t.i <= who.i]
    while toks and toks[0].dep_ in ("det", "punct"):
        toks = toks[1:]
    first = toks[0].i if toks else who.i
    # as written, spaces made plain (a span's text: the whole Doc's text is rebuilt on each call)
    label = " ".join(who.doc[first : who.i + 1].text.split())[-80:]
    if who.lower_ in RELATIVES:
        return None, None, Reference.NONE, who.text
    if who.lower_ in SPEAKERS:
        return None, None, Reference.NONE, who.text  # "I", "we": a speaker quoted, not the one told of
    if who.pos_ == "PRON" or who.lower_ in PRONOUNS:
        told_by = _plural_teller(who)
        if told_by is not None:
            # "Kenyan officials said they would travel": those officials, a group or thing if one
            told = _thing_told(told_by)
            return (told[0], "plural", Reference.PRONOUN, who.text) if told else (None, None, Reference.NONE, who.text)
        if thing is not None and PRONOUN_CLASS.get(who.lower_) in thing[1]:
            return thing[0], PRONOUN_CLASS.get(who.lower_), Reference.PRONOUN, who.text  # "The tanker left ... It"
        if last_name is None and PRONOUN_CLASS.get(who.lower_) == "thing":
            return None, "thing", Reference.IT, who.text  # "it landed": a thing, if the story follows one
        return last_name, PRONOUN_CLASS.get(who.lower_), Reference.PRONOUN if last_name else Reference.NONE, who.text
    if who.pos_ != "PROPN" and _is_name(who, people):
        return (who.text.removesuffix("'s"),), None, Reference.NAME, label
    if who.pos_ == "PROPN":
        words = _name_words(who)
        if words:
            return words, None, Reference.NAME, label
        if who.lower_.rstrip(".") in TITLES:
            return None, who.lower_.rstrip("."), Reference.TITLE, label  # "The Pope's visit"
    if who.pos_ == "NOUN" and who.tag_ == "NNS" and any(c.lower_ in QUANTIFIERS for c in who.children):
        return None, None, Reference.NONE, label  # "many visitors travel to Florence": no one in particular
    if who.pos_ == "NOUN":
        # "the trade envoy Maria Sousa", "the envoy, Maria Sousa,": the name in apposition is who it is
        named = [c for c in who.children if c.dep_ == "appos" and c.pos_ == "PROPN" and
                 (gap := who.doc[who.i + 1 : min(t.i for t in c.subtree)]) is not None and
                 all(t.text == "," for t in gap) and len(gap) <= 1]
        if named and (words := _name_words(named[0])):
            return words, None, Reference.NAME, label
        # "the minister", "the storm"; "Hurricane Alex" has the name as its head
        return None, who.lemma_.lower(), Reference.TITLE, label
    return None, None, Reference.NONE, label


# --------------------------------------------------------------------------- the subject


@dataclass(frozen=True, slots=True)
class Subject:
    """Who or what the story follows: the name's words, the nouns the texts call it by, and
    the pronoun that refers to it ("male", "female", "plural", "thing"; None when unknown)."""

    name: str
    words: frozenset[str]
    kinds: frozenset[str]
    pronoun: str | None = None
    #: travels with others named beside it ("Guhdar, his wife and their children arrived"): "they" can be it
    group: bool = False

    def is_name(self, words: Iterable[str] | None) -> bool:
        if not words:
            return False
        ws = {w for w in words if w}
        return bool(ws) and ws <= self.words

    def is_kind(self, noun: str | None) -> bool:
        if not noun:
            return False
        if self.group and noun in GROUP_NOUNS:
            return True  # "the couple", "the royals", "the family" for a subject travelling with others
        if noun in self.kinds:
            return True
        # "the vessel" for the carrier Cumberlande; but beside an unnamed submarine, a
        # warship is another vessel
        return bool(self.words) and any(noun in cls and self.kinds & cls for cls in KIND_CLASSES)


class _Names:
    """The texts' names of people and things (:func:`_full_names`), indexed by word: the
    fullest name that holds some words, and how many names share a word with them, each
    in time that does not grow with the number of names."""

    def __init__(self, names: Sequence[tuple[str, ...]],
                 apart: Iterable[tuple[tuple[str, ...], tuple[str, ...]]] = ()) -> None:
        self.names = list(names)
        #: (a name, a fuller name that is someone else): "Reagan and Nancy Reagan"
        self._apart = frozenset(apart)
        self._holding: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        self._ids: dict[str, set[int]] = defaultdict(set)
        for k, n in enumerate(self.names):
            for w in set(n):
                self._ids[w].add(k)
        for n in dict.fromkeys(self.names):
            if not {w.lower() for w in n} & TRAVEL_NOUNS:
                for w in set(n):
                    self._holding[w].append(n)
        self._fullest: dict[tuple[str, ...], tuple[str, ...]] = {}

    def canonical(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """The longest full name that holds all of these words ("Kerry" -> John Kerry)."""
        got = self._fullest.get(words)
        if got is None:
            ws = set(words)
            pool = self._holding.get(min(ws), []) if ws else list(dict.fromkeys(
                n for n in self.names if not {w.lower() for w in n} & TRAVEL_NOUNS))
            fuller = [n for n in pool if ws <= set(n) and (words, n) not in self._apart]
            got = self._fullest[words] = max(fuller, key=lambda n: (len(n), n)) if fuller else words
        return got

    def sharing(self, words: Iterable[str]) -> int:
        """How many names (counted as often as the texts name them) share a word with these."""
        return len(set().union(*(self._ids.get(w, set()) for w in set(words))))


def _full_names(documents: Sequence[Any]) -> _Names:
    """Multi-word names of people and things in the texts (entities of the model)."""
    names: list[tuple[str, ...]] = []
    apart: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for doc in documents:
        for off, d in zip(doc.offsets, doc.docs, strict=True):
            last: tuple[Any, tuple[str, ...]] | None = None
            for ent in d.ents:
                if ent.label_ not in ("PERSON", "ORG", "PRODUCT", "NORP", "EVENT", "FAC", "WORK_OF_ART"):
                    continue
                words = tuple(w.text.rstrip(".").removesuffix("'s").removesuffix("’s") for w in ent
                              if w.pos_ == "PROPN" and w.lower_.rstrip(".") not in TITLES)
                if not words:
                    continue
                names.append(words)
                if last is not None and last[0].end + 1 == ent.start and d[last[0].end].pos_ == "CCONJ":
                    # "Reagan and Nancy Reagan", "Nancy Reagan and Reagan": the fuller name is someone else
                    short, full = sorted((last[1], words), key=len)
                    if set(short) < set(full):
                        apart.append((short, full))
                last = (ent, words)
    return _Names(names, apart)


def find_subject(cands: Sequence[MovementCandidate], documents: Sequence[Any],
                 override: str | None = None) -> Subject | None:
    """The traveller the story follows: the named traveller of the most movement events
    (a name in the headline or first sentence counts extra), with every way the texts
    name it. ``override`` (``--subject``) decides the name."""
    names = _full_names(documents)
    if override:
        words = frozenset(w.rstrip(".") for w in override.split())
        return Subject(override, words, _kinds(words, _kind_index(documents)), _pronoun_of(words, documents),
                       _in_group(words, documents))
    score: defaultdict[tuple[str, ...], float] = defaultdict(float)
    events: Counter[tuple[str, ...]] = Counter()
    things: Counter[frozenset[str]] = Counter()  # by the nouns of a kind ("the tanker", "the vessel")
    number: defaultdict[str, set[bool]] = defaultdict(set)  # whether each noun was told in the plural
    told_by: Counter[str] = Counter()  # the events told by each noun
    lead_text = " ".join(_lead(d) for d in documents)
    for c in cands:
        if c.kind == EventKind.END:
            continue  # an end is no movement
        if c.name and c.how in (Reference.NAME, Reference.PRONOUN) and c.status != EventStatus.HYPOTHETICAL and \
                not c.name[0].startswith(TITLE_MARK):
            key = names.canonical(c.name)
            score[key] += (1.0 if c.how == Reference.NAME else 0.5) * (0.6 if c.kind == EventKind.ORIGIN else 1.0)
            events[key] += 1
        elif c.status != EventStatus.HYPOTHETICAL and (noun := _thing_noun(c)) is not None:
            things[_kind_of(noun)] += 1  # a thing or group, written in lower case
            told_by[noun] += 1
            number[noun].add(c.how == Reference.TITLE and c.traveller.split()[-1] != noun)
    for general in [kind for kind in things if kind <= KIND_GENERICS]:
        for kind in things:
            if kind & general and not kind <= KIND_GENERICS and \
                    number[min(kind - KIND_GENERICS)] >= set().union(*(number[n] for n in general)):
                # "the tanker ... the vessel" (but "the submarine ... the vessels" are others)
                things[kind] += things[general]
    # (only one the lead tells of)
    things = Counter({k: n for k, n in things.items()
                      if any(re.search(rf"\b{re.escape(w)}", lead_text, re.IGNORECASE) for w in k)})
    # (a group, "the couple", "the delegation", is the story's only when no one named moves:
    # else it is the named traveller's party)
    able = [k for k in things if not events or not k & GROUP_NOUNS]
    best_thing = max(sorted(able, key=sorted), key=lambda k: things[k], default=None)
    if best_thing:
        things[best_thing] += sum(1 for c in cands if c.how == Reference.IT and c.status != EventStatus.HYPOTHETICAL)
    # (against a named traveller, a thing's events by one noun: a name may be the thing the nouns tell of)
    # (one event will do for a craft, a storm or a troupe alone on the move in the lead: "A plane
    # crashed near Pokhara"; not for any noun: "Brent crude traded in London")
    if best_thing and things[best_thing] >= (1 if not events and best_thing & ALL_KINDS else 2) and \
            (not events or max(told_by[n] for n in best_thing) > max(events.values()) and
             max(told_by[n] for n in best_thing) >= 2):
        # no named traveller moves, a thing does: "the tank", "the vessel"
        particular = best_thing - KIND_GENERICS
        if particular:
            best_thing = particular | {n for n in best_thing & KIND_GENERICS if number[n] <= number[min(particular)]}
        told = [c for c in cands if c.how == Reference.TITLE and c.noun in best_thing]
        # (the longest way the texts tell it by its noun; its noun when only pronouns after it move)
        label = max((c.traveller for c in told), key=lambda t: (len(t.split()), t),
                    default=min(best_thing - KIND_GENERICS or best_thing))
        plural = any(c.traveller.split()[-1] != c.noun for c in told) or \
            any(c.how == Reference.PRONOUN and c.noun == "plural" and c.name and
                c.name[0].removeprefix(TITLE_MARK) in best_thing for c in cands)
        return Subject(label, frozenset(), best_thing, "plural" if plural else "thing", False)
    first_named: list[tuple[str, ...]] = []
    for doc in documents:
        # (a name the entity model did not call a person's counts when the texts move it: the
        # model reads many a person as an organisation, "Ana Reyes arrived")
        keys = [(names.canonical(name), person) for name, person in _lead_names(doc)]
        led = [key for key, person in keys if person or key in events]
        for k, key in enumerate(led):
            score[key] += 0.0
            if k == 0:
                first_named.append(key)
    if not score:
        return _titled_traveller(cands, lead_text)
    index = _kind_index(documents)
    titled = Counter(c.noun for c in cands
                     if c.how == Reference.TITLE and c.noun and c.status != EventStatus.HYPOTHETICAL)
    for key in list(score):
        if titled:
            # "the crown prince" stopped in Boston: the events told by a title the texts gave the name
            kinds = _kinds(key, index)
            score[key] += 0.8 * sum(n for noun, n in titled.items() if noun in kinds)
        if key in first_named:
            score[key] += 1.5  # the lede's first named subject is who the story is about
        elif any(re.search(rf"\b{re.escape(w)}\b", lead_text) for w in key):
            score[key] += 0.5
        mentions = names.sharing(key)
        score[key] += min(mentions, 10) * 0.1
    best = max(sorted(score), key=lambda k: score[k])
    return _named(best, index, documents)


def _thing_noun(c: MovementCandidate) -> str | None:
    """The noun of the group or thing a candidate is told of, by that noun ("the tanker", "a
    group of 40 students") or by a pronoun after it ("It is due in Singapore"); None for a
    title (someone in particular: see :func:`_titled_traveller`) or for anyone at all."""
    if c.how == Reference.TITLE and c.noun and c.traveller.split() and \
            c.traveller.split()[-1] in (c.noun, c.noun + "s", c.noun + "es"):
        noun = c.noun
    elif c.how == Reference.PRONOUN and c.name and c.name[0].startswith(TITLE_MARK):
        noun = c.name[0].removeprefix(TITLE_MARK)
    else:
        return None
    return None if noun in TITLES or noun in ANYONE else noun


def _kind_of(noun: str) -> frozenset[str]:
    """The nouns that may tell of the same thing as this one: itself and the general nouns
    of its kind ("tanker", "ship", "vessel"); for a general noun, its kind's general nouns."""
    cls = next((cls for cls in KIND_CLASSES if noun in cls), frozenset())
    return frozenset({noun}) | (cls & KIND_GENERICS)


def _named(key: tuple[str, ...], index: dict[str, frozenset[str]], documents: Sequence[Any]) -> Subject:
    """The subject a name's words make, with the nouns and the pronoun the texts use for it."""
    words = frozenset(key)
    kinds, pronoun, group = _kinds(words, index), _pronoun_of(words, documents), _in_group(words, documents)
    if pronoun in ("plural", "thing") and not group and kinds & TITLES:
        pronoun = None  # one officeholder is no "they" or "it": those were others ("the pact they struck")
    return Subject(" ".join(key), words, kinds, pronoun, group)


def _titled_traveller(cands: Sequence[MovementCandidate], lead_text: str) -> Subject | None:
    """Someone the texts call only by title ("The envoy arrived in Lisbon ... She travelled
    to Porto"), when no named traveller moves: the title of the lead with the most events
    told by it or by a pronoun after it, at least two, and the pronoun used for it."""
    told: defaultdict[str, set[tuple[str, tuple[int, int]]]] = defaultdict(set)
    labels: defaultdict[str, list[str]] = defaultdict(list)
    pronouns: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for c in cands:
        if c.kind == EventKind.END or c.status == EventStatus.HYPOTHETICAL:
            continue
        if c.how == Reference.TITLE and c.noun in TITLES and c.traveller.split() and \
                c.traveller.split()[-1].lower() == c.noun:
            told[c.noun].add((c.article, c.sentence))
            labels[c.noun].append(c.traveller)
        elif c.how == Reference.PRONOUN and c.name and c.name[0].startswith(TITLE_MARK) and c.noun:
            noun = c.name[0].removeprefix(TITLE_MARK)
            told[noun].add((c.article, c.sentence))
            pronouns[noun][c.noun] += 1
    able = [n for n in sorted(told) if labels[n] and n not in COURTESY and len(told[n]) >= 2 and
            re.search(rf"\b{re.escape(n)}\b", lead_text, re.IGNORECASE)]
    if not able:
        return None
    best = max(able, key=lambda n: len(told[n]))
    label = max(labels[best], key=lambda t: (len(t.split()), t))
    pronoun = pronouns[best].most_common(1)[0][0] if pronouns[best] else None
    return Subject(label, frozenset(), frozenset({best}), pronoun, False)


def travellers(cands: Sequence[MovementCandidate], documents: Sequence[Any]) -> list[Subject]:
    """Everyone and everything the texts name on the move: the subject the story follows
    (:func:`find_subject`) first, then each other named traveller once, by its fullest name
    in the texts, in order of first appearance. A name inside one already given ("Kim" with
    "Kim Jong Un") is that traveller."""
    main = find_subject(cands, documents)
    out = [main] if main else []
    names = _full_names(documents)
    index = _kind_index(documents)
    for c in cands:
        if c.how != Reference.NAME or not c.name or c.name[0].startswith(TITLE_MARK) or c.kind == EventKind.END:
            continue
        key = names.canonical(c.name)
        if any(frozenset(key) <= s.words for s in out):
            continue
        out.append(_named(key, index, documents))
    return out


def _in_group(words: frozenset[str], documents: Sequence[Any]) -> bool:
    """Whether the subject is a clause subject coordinated with others."""
    for doc in documents:
        for _, sent in doc.sentences():
            for t in sent:
                if t.text in words and t.dep_ in ("nsubj", "nsubjpass") and \
                        any(c.dep_ == "conj" for c in t.children):
                    return True
    return False


def _pronoun_of(words: frozenset[str], documents: Sequence[Any]) -> str | None:
    """The pronoun class the texts use for the subject: the clause-subject pronoun of the
    sentence after one whose subject is the name, and the first pronoun after the name in its own."""
    votes: Counter[str] = Counter()
    for doc in documents:
        previous_is_subject = False
        for _, sent in doc.sentences():
            named = [t for t in sent if t.dep_ in ("nsubj", "nsubjpass") and t.pos_ == "PROPN" and
                     t.text.rstrip(".").removesuffix("'s") in words]
            prons = [t for t in sent if t.lower_ in PRONOUN_CLASS and t.dep_ in ("nsubj", "nsubjpass", "poss")]
            if named:
                # the first pronoun after the name: later ones may be others' ("she expects nations to
                # reaffirm the pact they struck")
                after = [t for t in prons if t.i > named[0].i]
                votes.update(PRONOUN_CLASS[t.lower_] for t in after[:1])
            elif previous_is_subject and prons and prons[0].dep_ != "poss":
                votes[PRONOUN_CLASS[prons[0].lower_]] += 1
            previous_is_subject = bool(named)
    if not votes:
        return None
    (best, n), *rest = votes.most_common()
    return best if not rest or n > rest[0][1] else None


def _lead_names(document: Any) -> list[tuple[tuple[str, ...], bool]]:
    """Names that are main-clause subjects in an article's first three sentences, each with
    whether the entity model calls it a person's (else it called it an organisation's or nothing)."""
    out = []
    for n, (_, sent) in enumerate(document.sentences()):
        if n >= 3:
            break
        for tok in sent:
            if tok.dep_ in ("nsubj", "nsubjpass") and tok.pos_ == "PROPN" and \
                    tok.ent_type_ in ("PERSON", "ORG", "") and tok.head.dep_ == "ROOT":
                words = _name_words(tok)
                if words:
                    out.append((words, tok.ent_type_ == "PERSON"))
    return out


def _lead(document: Any) -> str:
    """The title and first three sentences of an article."""
    article = document.article
    lead = " ".join(article.text[s.start : s.end] for s in article.sentences[:3])
    return f"{article.title or ''} {lead}"


def _kind_index(documents: Sequence[Any]) -> dict[str, frozenset[str]]:
    """For each word of a proper name, the title and kind nouns the texts give that name:
    "Foreign Minister Ann Lee" (minister), "Hurricane Alex" (hurricane), "the Envoy, a bulk
    carrier" (carrier). One pass over the parse serves every candidate subject."""
    index: dict[str, set[str]] = defaultdict(set)
    for doc in documents:
        for d in doc.docs:
            for tok in d:
                if tok.pos_ != "PROPN":
                    continue
                kinds = index[tok.text.rstrip(".").removesuffix("'s")]
                head = tok
                while head.dep_ in ("compound", "flat") and head.head.i != head.i:
                    head = head.head
                for t in head.subtree:
                    if t.i < head.i and t.lower_.rstrip(".") in _TITLES_AND_KINDS:
                        kinds.add(t.lower_.rstrip("."))
                    if t.dep_ == "appos" and t.head.i == head.i and t.pos_ == "NOUN":
                        kinds.add(t.lemma_.lower())
                if head.dep_ == "appos" and head.head.pos_ == "NOUN":
                    kinds.add(head.head.lemma_.lower())  # "the band, Fleshgod Apocalypse"
    return {word: frozenset(kinds - COURTESY) for word, kinds in index.items()}


def _kinds(words: Iterable[str], index: dict[str, frozenset[str]]) -> frozenset[str]:
    """The title and kind nouns the texts give a name made of these words."""
    return frozenset().union(*(index.get(w, frozenset()) for w in words))


def subject_events(cands: Sequence[MovementCandidate], subject: Subject, anchors: dict[str, dt.date | None],
                   undated: Iterable[str] = ()) -> list[MovementEvent]:
    """The candidates whose traveller is the subject, as events with dates resolved.

    ``anchors`` gives each article's anchor date; for the ``undated`` articles (no
    publication date, the anchor is a date in the text) a weekday is the nearest one."""
    undated = set(undated)
    out: list[MovementEvent] = []
    last_planned: dict[tuple[str, tuple[int, int]], dt.date] = {}  # a sentence's last planned date
    for c in cands:
        if c.how == Reference.IT:
            mine = subject.pronoun == "thing" and not subject.words
        elif c.how == Reference.CONTEXT:
            # the subject is at hand: named, called by its kind, or a pronoun of its kind
            mine = bool(subject.words & c.nearby or subject.kinds & c.nearby or
                        subject.pronoun and subject.pronoun in c.nearby)
        elif c.how == Reference.PRONOUN and c.name and c.name[0].startswith(TITLE_MARK):
            # (a named thing the texts give no kind is what "the plane ... its journey" tells of)
            mine = subject.is_kind(c.name[0].removeprefix(TITLE_MARK)) or \
                bool(subject.words) and c.noun == "thing" and subject.pronoun in (None, "thing") and \
                not subject.kinds & ALL_KINDS
        elif c.how == Reference.PRONOUN and subject.pronoun and c.noun and c.noun != subject.pronoun and \
                not (c.noun == "plural" and subject.pronoun in ("male", "female") and subject.group):
            mine = False  # "his trip" in a story about a woman: someone else's
        elif c.how == Reference.PRONOUN and c.noun == "plural" and not subject.pronoun and not subject.group and \
                subject.kinds & TITLES:
            mine = False  # "they" is not one officeholder travelling alone ("the pact they struck in Paris")
        elif c.how in (Reference.NAME, Reference.PRONOUN):
            mine = subject.is_name(c.name)
        elif c.how == Reference.TITLE:
            mine = subject.is_kind(c.noun)
        else:
            mine = False
        if not mine:
            continue
        dates = c.dates
        if c.status == EventStatus.REPORTED and (c.under_way or c.simple_present) and dates and \
                all(d.vague and d.text.lower().startswith("this") and not d.text.lower().endswith("year")
                    for d in dates) and c.article not in undated:
            # "is in Beijing this week": there on the day it was written
            dates = (DateMention(dates[0].start, dates[0].end, dates[0].text, relative=0),)
        if c.under_way and (not dates or c.inferred) and c.article not in undated:
            # "is returning to Washington": under way on the day it was written
            dates = (DateMention(c.mention[0], c.mention[0], c.predicate.split()[0], relative=0),)
        date, date_end, date_text, status = date_event(dates, anchors.get(c.article), c.status,
                                                       undated=c.article in undated, years=c.years,
                                                       simple_present=c.simple_present, kind=c.kind)
        told = last_planned.get((c.article, c.sentence))
        if status == EventStatus.EXPECTED and date is not None and told is not None and date < told and \
                len(dates) == 1 and dates[0].weekday is not None and dates[0].day is None:
            # "will visit Bogota on Monday, Lima on Wednesday and Santiago on Friday": a plan's
            # weekdays told in turn follow one another
            date += dt.timedelta(days=7 * math.ceil((told - date).days / 7))
            date_end = None
        if status == EventStatus.EXPECTED and date is not None:
            last_planned[(c.article, c.sentence)] = date
        out.append(MovementEvent(c.article, c.mention, c.sentence, c.predicate, c.traveller,
                                 status, c.kind, date, date_end, date_text, c.cue, c.strength,
                                 c.inferred))
    if any(e.status == EventStatus.REPORTED and (e.kind == EventKind.END or e.predicate.split()[0] in TERMINAL)
           for e in out):
        # the ship sank, the explorer died: where it was still going it never reached
        out = [dataclasses.replace(e, status=EventStatus.NOT_REACHED) if e.status == EventStatus.EXPECTED else e
               for e in out]
    return out


#: a reported act this many days before the article's date belongs to an earlier trip
PAST_DAYS = 45


def date_event(dates: Sequence[DateMention], anchor: dt.date | None, status: EventStatus, *, undated: bool,
               years: Sequence[int] = (), simple_present: bool = False, kind: EventKind = EventKind.VISIT
               ) -> tuple[dt.date | None, dt.date | None, str | None, EventStatus]:
    """An event's (date, end date, date phrase, status) from the date phrases of its
    clause, counted from its article's ``anchor``.

    ``undated``: the article has no publication date (the anchor is a date in the text or
    another article's), so a reported weekday is the nearest one and a date after the
    anchor does not make a plan. ``years`` are the past years the clause names. Used by
    :func:`subject_events` and by ``storymap trace`` for the events of an article that had
    no anchor of its own when the table was mined.
    """
    # a reported act happened by the anchor; a plan's weekday is ahead of it
    direction: Direction = "future" if status != EventStatus.REPORTED else "nearest" if undated else "past"
    date, date_end, date_text = _resolve_dates(dates, anchor, direction)
    if anchor is not None and status == EventStatus.REPORTED and _before_story(years, dates, date, anchor):
        status = EventStatus.PAST  # "visited Hanoi in 2014", "last year", "in September" months back
    elif date is not None and status == EventStatus.EXPECTED and simple_present and anchor and not undated and \
            date < anchor:
        status = EventStatus.REPORTED  # "Kim visits a plant on September 15" under a later date: it happened
    elif date is not None and status == EventStatus.REPORTED and anchor and not undated and date > anchor and \
            kind != EventKind.ORIGIN:
        status = EventStatus.EXPECTED  # a reported verb with a date after publication: a plan
    elif date is None and status == EventStatus.REPORTED and kind != EventKind.ORIGIN and \
            any((vague_offset(d.text) or 0) > 0 for d in dates):
        status = EventStatus.EXPECTED  # "when he is in Washington next week": a plan
    return date, date_end, date_text, status


def _before_story(years: Sequence[int], dates: Sequence[DateMention], date: dt.date | None, anchor: dt.date) -> bool:
    if any(y == -1 or y < anchor.year for y in years):
        return True
    if any((vague_offset(d.text) or 0) <= -PAST_DAYS for d in dates):
        return True  # "earlier this year", "last year"
    if date is not None:
        return (anchor - date).days > PAST_DAYS
    for d in dates:
        if d.month_only and d.month is not None:
            year = d.year or (anchor.year - (1 if d.month > anchor.month else 0))
            if (anchor.year - year) * 12 + anchor.month - d.month > 1:
                return True
    return False


def _resolve_dates(dates: Sequence[DateMention], anchor: dt.date | None,
                   direction: Direction) -> tuple[dt.date | None, dt.date | None, str | None]:
    """The first date of the clause that resolves, weekdays counted in ``direction``."""
    for d in dates:
        value, end = resolve_range(d, anchor, direction=direction)
        if value is not None:
            return value, end, d.text
    return None, None, (dates[0].text if dates else None)


# the unions and differences the rules read in their inner loops, made once
_VISITS_NOT_BE = VISIT_VERBS - {"be", "make"}
_TO_PLACE_VERBS = MOVE_VERBS | VISIT_VERBS | DESTINATION_VERBS
_FROM_PLACE_VERBS = MOVE_VERBS | ORIGIN_VERBS | FROM_VERBS
#: verbs whose "for" tells where one is going ("left for Paris", "bound for Rome"), not whom an act is for
_FOR_PLACE_VERBS = MOVE_VERBS | DESTINATION_VERBS | DEPARTURES
_EARLIER_ADVERBS = EARLIER_WORDS - LATER_PREPS
_LATER_ADVERBS = LATER_WORDS - EARLIER_PREPS
_STRONG_VERBS = MOVE_VERBS | OTHER_JOURNEY_VERBS | STAY_VERBS
_MOVE_OR_VISIT_VERBS = MOVE_VERBS | VISIT_VERBS
_CLAUSE_TIME_PREPS = TIME_PREPS - {"ahead"}
_TITLES_AND_KINDS = TITLES | ALL_KINDS
