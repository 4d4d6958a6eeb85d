"""Token patterns in data files: ``<name>.json`` holds an ``about`` (what the patterns
match) and ``patterns``, a list of ``{"label", "pattern"}`` in spaCy's ``Matcher`` form.

A value ``"$name"`` in a pattern stands for the word list ``storymap/lexicons/<name>.txt``
(:mod:`storymap.lexicon`), so a class of words is listed once.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from storymap.lexicon import phrases


def load(name: str) -> list[dict[str, Any]]:
    """The patterns of ``<name>.json``, each ``"$list"`` replaced by that word list's entries."""
    data = json.loads(resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8"))
    return [_expand(p) for p in data["patterns"]]


def matcher(vocab: Any, name: str) -> Any:
    """A spaCy ``Matcher`` over ``vocab`` with the patterns of ``<name>.json``; of
    overlapping matches of one label, the longest is kept."""
    from spacy.matcher import Matcher

    out = Matcher(vocab)
    by_label: dict[str, list[Any]] = {}
    for entry in load(name):
        by_label.setdefault(entry["label"], []).append(entry["pattern"])
    for label, found in by_label.items():
        out.add(label, found, greedy="LONGEST")
    return out


def _expand(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _expand(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v) for v in value]
    if isinstance(value, str) and value.startswith("$"):
        return list(phrases(value[1:]))
    return value
