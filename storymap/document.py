"""One analysis per article: each story block parsed once, read by every later stage.

:func:`parse_articles` runs spaCy's whole English pipeline (tagger, dependency parser,
lemmatizer, entity recognizer) over the story blocks of each article, once. The
resulting :class:`Document` owns the parses; recognition reads its entities, the
itinerary its sentences, tokens and dependency tree. Offsets are always into
``article.text``: a block's parse starts at its block's offset.

The text given to the model keeps every offset: line breaks inside a paragraph of
hard-wrapped text become spaces, and runs of characters no prose holds become blanks
(see :func:`storymap.ner.blank_long_runs`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from storymap.articles import Article
from storymap.dateline import Dateline, find_dateline, find_run_in_dateline
from storymap.ner import Entity, SpacyNER, blank_long_runs, split_text

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
    #: the dateline opening the story text ("LAGOS, May 2 (Reuters) -"), parsed apart
    #: from the sentence it opens
    dateline: Dateline | None = None

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


def _model_text(text: str) -> str:
    """The text the model reads: same length, line breaks and tabs as spaces."""
    return blank_long_runs(_LINE_BREAK.sub(lambda m: " " * len(m.group()), text))


def parse_articles(articles: Sequence[Article], ner: SpacyNER | None = None, *,
                   entities_only: bool = False) -> list[Document]:
    """Parse the story blocks of every article in one pass of the model; with
    ``entities_only``, only the entities (no sentences or dependency tree: faster)."""
    ner = ner or SpacyNER.shared()
    owner: list[tuple[int, int]] = []
    pieces: list[str] = []
    datelines: list[Dateline | None] = []
    for n, article in enumerate(articles):
        datelines.append(None)
        for k, block in enumerate(article.blocks):
            start = block.start
            if k < 4 and datelines[n] is None:
                found = find_dateline(article.text, block.start, block.end) or \
                    find_run_in_dateline(article.text, block.start, block.end)
                if found is not None and found.end < block.end:
                    datelines[n] = found
                    owner.append((n, block.start))
                    pieces.append(_model_text(article.text[block.start : found.end]))
                    start = found.end
            text = article.text[start : block.end]
            for s, e in split_text(text):
                owner.append((n, start + s))
                pieces.append(_model_text(text[s:e]))
    offsets: list[list[int]] = [[] for _ in articles]
    docs: list[list[Any]] = [[] for _ in articles]
    for (n, off), doc in zip(owner, ner.parse(pieces, entities_only=entities_only), strict=True):
        offsets[n].append(off)
        docs[n].append(doc)
    return [Document(a, tuple(o), tuple(d), dl) for a, o, d, dl in zip(articles, offsets, docs, datelines,
                                                                          strict=True)]
