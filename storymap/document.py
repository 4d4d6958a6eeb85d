"""One analysis per article: each story block parsed once, read by every later stage.

:func:`storymap.components.parse_articles` runs spaCy's whole English pipeline (tagger,
dependency parser, lemmatizer, entity recognizer) over the story blocks of each article,
once. The resulting :class:`Document` owns the parses; recognition reads its entities, the
itinerary its sentences, tokens and dependency tree. Offsets are always into
``article.text``: a block's parse starts at its block's offset.

The text given to the model keeps every offset: line breaks inside a paragraph of
hard-wrapped text become spaces, and runs of characters no prose holds become blanks
(see :func:`storymap.ner.blank_long_runs`).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from storymap.articles import Article
from storymap.dateline import Dateline, shift_dateline
from storymap.ner import Entity, blank_long_runs

_LINE_BREAK = re.compile(r"\r\n|[\r\n\t\f\v]")


@dataclass(frozen=True)
class Document:
    """An article and the parse of its story text.

    ``docs[k]`` is the spaCy ``Doc`` of the piece of text starting at ``offsets[k]``
    (a block, or a part of a long block); token ``t`` covers
    ``article.text[offsets[k] + t.idx : offsets[k] + t.idx + len(t)]``.
    """

    article: Article
    offsets: tuple[int, ...]
    docs: tuple[Any, ...]

    @functools.cached_property
    def dateline(self) -> Dateline | None:
        """The dateline opening the story text ("LAGOS, May 2 (Reuters) -"), parsed apart
        from the sentence it opens: the first piece's ``doc._.dateline`` (see
        :mod:`storymap.components`), offsets into ``article.text``."""
        for off, doc in zip(self.offsets, self.docs, strict=True):
            found = getattr(doc._, "dateline", None)
            if found is not None:
                return shift_dateline(found, off)
        return None

    def entities(self) -> list[Entity]:
        """The entity model's entities, offsets into ``article.text``, in text order."""
        return [Entity(off + e.start_char, off + e.end_char, e.label_)
                for off, doc in zip(self.offsets, self.docs, strict=True) for e in doc.ents]

    def sentences(self) -> Iterator[tuple[int, Any]]:
        """(offset, sentence ``Span``) for every sentence the parser found, in order."""
        for off, doc in zip(self.offsets, self.docs, strict=True):
            for sent in doc.sents:
                yield off, sent

    def locate(self, start: int, end: int) -> tuple[int, Any] | None:
        """(offset, ``Span``) of the tokens covering ``article.text[start:end]``, or None
        when that text lies outside the parsed story text."""
        k = bisect.bisect_right(self.offsets, start) - 1
        if k < 0:
            return None
        off, doc = self.offsets[k], self.docs[k]
        span = doc.char_span(start - off, end - off, alignment_mode="expand")
        return None if span is None or not len(span) else (off, span)


def model_text(text: str) -> str:
    """The text the model reads: same length, line breaks and tabs as spaces."""
    return blank_long_runs(_LINE_BREAK.sub(lambda m: " " * len(m.group()), text))
