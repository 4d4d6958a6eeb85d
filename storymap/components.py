"""storymap's spaCy pipeline components, and the parse that runs them over articles.

Five factories, registered with :func:`spacy.Language.factory` when this module is
imported, the first mending the model's reading of verbs, the others each writing a
``Doc`` extension:

- ``storymap_lemmas``: a verb the rule lemmatizer cut to a shorter verb ("hopes",
  "hoped", "hoping" -> "hop"; "rides" -> "rid") gets the verb it is
  (:func:`mend_lemma`), and a verb of movement the tagger read as a noun after a name
  ("Ana Reyes heads to Beijing") is the verb, with the name its subject (:func:`mend_verb`);
- ``storymap_dateline`` -> ``doc._.dateline``: the dateline opening the text ("LAGOS,
  May 2 (Reuters) -"), a :class:`~storymap.dateline.Dateline` with offsets into the doc's
  text (:func:`~storymap.dateline.opening_dateline`);
- ``storymap_toponyms`` -> ``doc._.mentions``: the (start, end) character spans that may
  name places, found without the gazetteer: the entity model's place entities (a
  leading "the" and a possessive trimmed) and the names the words around them call
  places (the patterns in ``storymap/patterns/place_cues.json``: "the city of X"), as
  recognition reads them (:func:`storymap.recognize.cued_names`);
- ``storymap_positions`` -> ``doc._.positions``: the position expressions measured from
  the doc's place spans ("70 miles south-southwest of Apalachicola"), each a
  :class:`storymap.positions.Position` (:func:`storymap.positions.find_positions`);
- ``storymap_movements`` -> ``doc._.movements``: the movement-event candidates
  (:class:`storymap.itinerary.MovementCandidate`) of the doc's place spans (``doc._.mentions``,
  a position expression in place of the place it is measured from), read through the
  dependency tree by :func:`storymap.itinerary.candidates`.

``nlp = spacy.load(...)`` plus ``nlp.add_pipe(...)`` of the five (see
:func:`storymap_nlp`) reads one sentence with no gazetteer: ``nlp("The minister flew to
Lagos on Monday.")._.movements``. That is how every rule is tested
(tests/test_components.py).

Over articles (:func:`parse_articles`) the same components run at two moments. The
dateline is read before the parse, because a paragraph's dateline is cut off the
sentence it opens and parsed apart; each piece's ``doc._.dateline`` holds it. The
positions and movements wait for recognition: an article's place mentions come from the gazetteer
(:mod:`storymap.recognize`) and a pronoun in one paragraph takes a name from an earlier
one, so :func:`read_positions` and :func:`read_movements` run the components over the
article's pieces with the mentions recognition found, and each piece's ``doc._.positions``
and ``doc._.movements`` hold what they found there.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from storymap.articles import Article, Block
from storymap.dateline import Dateline, opening_dateline, shift_dateline
from storymap.document import Document, model_text
from storymap.itinerary import MOVE_VERBS, MovementCandidate, candidates
from storymap.ner import SpacyNER, split_text
from storymap.positions import Position, find_positions, movement_spans
from storymap.recognize import cued_names, trim_entity

LEMMAS = "storymap_lemmas"
DATELINE = "storymap_dateline"
TOPONYMS = "storymap_toponyms"
POSITIONS = "storymap_positions"
MOVEMENTS = "storymap_movements"
#: the components, in the order they are added after the model's own
COMPONENTS = (LEMMAS, DATELINE, TOPONYMS, POSITIONS, MOVEMENTS)

for _name in ("dateline", "mentions", "positions", "movements"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


# ---------------------------------------------------------------------------- lemmas

#: the endings of a verb's inflected forms that drop a stem's final "e" ("hop-es", "hop-ed", "hop-ing")
_E_DROPPING = ("es", "ed", "ing")
_VOWELS = frozenset("aeiou")


def mend_lemma(word: str, lemma: str, verbs: Iterable[str] | Any) -> str:
    """The lemma of a verb form, mended where spaCy's rule lemmatizer took the shorter of
    two verbs its rules both reach: "hopes", "hoped" and "hoping" give "hop", though "hop"
    makes "hops", "hopped", "hopping". A stem ending in one vowel and one consonant
    doubles that consonant before "-ed" and "-ing" and takes "-s", so a form that is the
    stem plus "es", "ed" or "ing" undoubled is of the stem plus "e" when that is a verb
    (``verbs``: the lemmatizer's index of verbs)."""
    if len(lemma) < 3 or not word.startswith(lemma):
        return lemma
    rest = word[len(lemma):]
    one_consonant = lemma[-1] not in _VOWELS and lemma[-1] not in "wxy" and lemma[-2] in _VOWELS and \
        lemma[-3] not in _VOWELS
    if rest in _E_DROPPING and one_consonant and lemma + "e" in verbs:
        return lemma + "e"
    return lemma


def mend_verb(tok: Any) -> None:
    """A verb of movement the tagger read as a plural noun after a name ("Ana Reyes heads to
    Beijing", parsed as the noun "heads" with the name as its compound) is made the verb it
    is, and the name its subject."""
    if tok.dep_ != "ROOT" or tok.tag_ != "NNS" or tok.lemma_.lower() not in MOVE_VERBS or tok.i == 0 or \
            not any(c.dep_ == "prep" and c.i > tok.i for c in tok.children):
        return
    name = tok.doc[tok.i - 1]
    if name.dep_ != "compound" or name.head.i != tok.i or name.pos_ != "PROPN":
        return
    tok.pos_, tok.tag_ = "VERB", "VBZ"
    name.dep_ = "nsubj"


class LemmaComponent:
    """Mends the model's reading of verbs: a verb of movement read as a noun after a name
    (:func:`mend_verb`), and the lemmas of verbs the rule lemmatizer cut short
    (:func:`mend_lemma`; a doc with no lemmas, the entities alone parsed, keeps its own)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        verbs: Any = ()
        if "lemmatizer" in nlp.pipe_names:
            lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
            if lookups is not None and lookups.has_table("lemma_index"):
                verbs = lookups.get_table("lemma_index").get("verb", ())
        self.verbs = verbs

    def __call__(self, doc: Doc) -> Doc:
        for tok in doc:
            mend_verb(tok)
        if not self.verbs:
            return doc
        for tok in doc:
            if tok.pos_ in ("VERB", "AUX") and tok.lemma_:
                mended = mend_lemma(tok.lower_, tok.lemma_.lower(), self.verbs)
                if mended != tok.lemma_.lower():
                    tok.lemma_ = mended
        return doc


@Language.factory(LEMMAS, requires=["token.lemma", "token.pos"], assigns=["token.lemma"], default_config={})
def make_lemmas(nlp: Language, name: str) -> LemmaComponent:
    return LemmaComponent(nlp, name)


# ---------------------------------------------------------------------------- dateline


class DatelineComponent:
    """Sets ``doc._.dateline`` to the dateline opening the doc's text, or None; a dateline
    already set (:func:`parse_articles` reads it before the parse) is kept."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        if doc._.dateline is None:
            doc._.dateline = opening_dateline(doc.text, 0, len(doc.text))
        return doc


@Language.factory(DATELINE, assigns=["doc._.dateline"], default_config={})
def make_dateline(nlp: Language, name: str) -> DatelineComponent:
    return DatelineComponent(nlp, name)


# ---------------------------------------------------------------------------- toponyms


class ToponymComponent:
    """Sets ``doc._.mentions`` to the sorted, disjoint (start, end) spans that may name
    places: the entity model's entities of ``labels`` and the names the words before them
    call places (:func:`storymap.recognize.cued_names`).
    Spans already set (``doc = nlp.make_doc(text); doc._.mentions = [...]; nlp(doc)``) are kept."""

    def __init__(self, nlp: Language, name: str, labels: Sequence[str]) -> None:
        self.name = name
        self.labels = frozenset(labels)

    def spans(self, doc: Doc) -> list[tuple[int, int]]:
        """The place spans of ``doc``, character offsets into its text."""
        found = []
        for ent in doc.ents:
            if ent.label_ in self.labels:
                s, e = trim_entity(doc.text, ent.start_char, ent.end_char)
                if e > s:
                    found.append((s, e))
        found += cued_names(doc)
        out: list[tuple[int, int]] = []
        for s, e in sorted(found, key=lambda x: (x[0], -x[1])):
            if not out or s >= out[-1][1]:
                out.append((s, e))
        return out

    def __call__(self, doc: Doc) -> Doc:
        if doc._.mentions is None:  # spans already given (the gazetteer's, or a test's) are kept
            doc._.mentions = self.spans(doc)
        return doc


@Language.factory(TOPONYMS, assigns=["doc._.mentions"], requires=["doc.ents"],
                  default_config={"labels": ["GPE", "LOC", "FAC"]})
def make_toponyms(nlp: Language, name: str, labels: list[str]) -> ToponymComponent:
    return ToponymComponent(nlp, name, labels)


# ---------------------------------------------------------------------------- positions


class PositionComponent:
    """Sets ``doc._.positions`` to the position expressions measured from the doc's place
    spans (``doc._.mentions``): offsets into its text.

    :meth:`read` does the same over an article's pieces, with the article's mentions."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        if doc._.positions is None:
            doc._.positions = find_positions(doc, doc._.mentions or [])
        return doc

    def read(self, document: Document, mentions: Sequence[tuple[int, int]]) -> list[Position]:
        """The positions of an article measured from its place ``mentions`` (offsets into
        the article's text, as are the positions'); each piece's ``doc._.positions`` gets
        those in it (offsets into the piece's text)."""
        places = sorted(mentions)
        starts = [s for s, _ in places]
        out: list[Position] = []
        for off, doc in zip(document.offsets, document.docs, strict=True):
            lo, hi = bisect.bisect_left(starts, off), bisect.bisect_left(starts, off + len(doc.text))
            doc._.positions = find_positions(doc, [(s - off, e - off) for s, e in places[lo:hi]])
            out += [p.shifted(off) for p in doc._.positions]
        return out


@Language.factory(POSITIONS, assigns=["doc._.positions"], requires=["doc._.mentions"], default_config={})
def make_positions(nlp: Language, name: str) -> PositionComponent:
    return PositionComponent(nlp, name)


# ---------------------------------------------------------------------------- movements


class MovementComponent:
    """Sets ``doc._.movements`` to the movement-event candidates of the doc's place spans
    (``doc._.mentions``, each position of ``doc._.positions`` in place of its reference
    place), the doc read as one story: offsets into its text, article id "".

    :meth:`read` does the same over an article's pieces, with the article's mentions."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        article = Article("", Path(""), doc.text, (Block(0, len(doc.text)),))
        self.read(Document(article, (0,), (doc,)), doc._.mentions or [], doc._.positions or [])
        return doc

    def read(self, document: Document, mentions: Sequence[tuple[int, int]],
             positions: Sequence[Position] = ()) -> list[MovementCandidate]:
        """The candidates of an article's place ``mentions`` and ``positions`` (offsets into
        the article's text); each piece's ``doc._.mentions`` and ``doc._.movements`` get those
        in it (the mentions' offsets into the piece's text, the candidates' into the article's)."""
        found = candidates(document, movement_spans(mentions, positions),
                           positions=frozenset((p.start, p.end) for p in positions))
        places = sorted(mentions)
        place_starts = [s for s, _ in places]
        by_sentence = sorted(found, key=lambda c: c.sentence[0])
        sentence_starts = [c.sentence[0] for c in by_sentence]
        for off, doc in zip(document.offsets, document.docs, strict=True):
            end = off + len(doc.text)
            lo, hi = bisect.bisect_left(place_starts, off), bisect.bisect_left(place_starts, end)
            doc._.mentions = [(s - off, e - off) for s, e in places[lo:hi]]
            lo, hi = bisect.bisect_left(sentence_starts, off), bisect.bisect_left(sentence_starts, end)
            doc._.movements = by_sentence[lo:hi]
        return found


@Language.factory(MOVEMENTS, assigns=["doc._.movements"],
                  requires=["doc._.mentions", "doc._.positions", "token.dep", "token.lemma", "token.pos", "token.tag", "doc.sents"],
                  default_config={})
def make_movements(nlp: Language, name: str) -> MovementComponent:
    return MovementComponent(nlp, name)


# ---------------------------------------------------------------------------- articles


def storymap_nlp(ner: SpacyNER | None = None) -> Language:
    """The model's pipeline with the storymap components added (once, after its own)."""
    return (ner or SpacyNER.shared()).nlp(COMPONENTS)


def parse_articles(articles: Sequence[Article], ner: SpacyNER | None = None, *,
                   entities_only: bool = False) -> list[Document]:
    """Parse the story blocks of every article in one pass of the model; with
    ``entities_only``, only the entities (no sentences or dependency tree: faster).

    A dateline opening one of an article's first four blocks is read first and parsed
    apart from the sentence it opens (its piece's ``doc._.dateline``); the movements are
    read later, once the article's places are known (:func:`read_movements`).
    """
    ner = ner or SpacyNER.shared()
    storymap_nlp(ner)
    owner: list[tuple[int, int]] = []
    pieces: list[str] = []
    datelines: dict[int, Dateline] = {}  # piece index -> its dateline, offsets into the piece
    for n, article in enumerate(articles):
        found_one = False
        for k, block in enumerate(article.blocks):
            start = block.start
            if k < 4 and not found_one:
                found = opening_dateline(article.text, block.start, block.end)
                if found is not None:
                    found_one = True
                    datelines[len(pieces)] = shift_dateline(found, -block.start)
                    owner.append((n, block.start))
                    pieces.append(model_text(article.text[block.start : found.end]))
                    start = found.end
            text = article.text[start : block.end]
            for s, e in split_text(text):
                owner.append((n, start + s))
                pieces.append(model_text(text[s:e]))
    offsets: list[list[int]] = [[] for _ in articles]
    docs: list[list[Any]] = [[] for _ in articles]
    # the dateline is read above, before the cut; the movements need the article's places
    skip = (DATELINE, TOPONYMS, POSITIONS, MOVEMENTS)
    for k, ((n, off), doc) in enumerate(zip(owner, ner.parse(pieces, entities_only=entities_only, skip=skip),
                                            strict=True)):
        doc._.dateline = datelines.get(k)
        offsets[n].append(off)
        docs[n].append(doc)
    return [Document(a, tuple(o), tuple(d)) for a, o, d in zip(articles, offsets, docs, strict=True)]


def read_positions(documents: Iterable[Document], mentions: Iterable[Sequence[tuple[int, int]]],
                   ner: SpacyNER | None = None) -> list[list[Position]]:
    """The position expressions of each parsed article, measured from its place mentions,
    by the ``storymap_positions`` component (each piece's ``doc._.positions`` set)."""
    component = storymap_nlp(ner).get_pipe(POSITIONS)
    assert isinstance(component, PositionComponent)
    return [component.read(document, found) for document, found in zip(documents, mentions, strict=True)]


def read_movements(documents: Iterable[Document], mentions: Iterable[Sequence[tuple[int, int]]],
                   positions: Iterable[Sequence[Position]] | None = None,
                   ner: SpacyNER | None = None) -> list[MovementCandidate]:
    """The movement-event candidates of each parsed article, with its place mentions and
    positions (:func:`read_positions`), by the ``storymap_movements`` component (each
    piece's ``doc._.movements`` set)."""
    component = storymap_nlp(ner).get_pipe(MOVEMENTS)
    assert isinstance(component, MovementComponent)
    documents = list(documents)
    out: list[MovementCandidate] = []
    for document, found, where in zip(documents, mentions, positions or [()] * len(documents), strict=True):
        out += component.read(document, found, where)
    return out
