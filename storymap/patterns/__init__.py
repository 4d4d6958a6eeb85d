"""Token patterns in data files: ``<name>.json`` holds an ``about`` (what the patterns
match) and ``patterns``, a list of ``{"label", "pattern"}`` in spaCy's ``Matcher`` form.

A value ``"$NAME"`` in a pattern stands for a word list the caller passes by that name,
so a class of words is listed once, where its module keeps it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any


def load(name: str, words: Mapping[str, Iterable[str]]) -> list[dict[str, Any]]:
    """The patterns of ``<name>.json``, each ``"$NAME"`` replaced by ``words[NAME]`` (sorted)."""
    data = json.loads(resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8"))
    return [_expand(p, words) for p in data["patterns"]]


def matcher(vocab: Any, name: str, words: Mapping[str, Iterable[str]]) -> Any:
    """A spaCy ``Matcher`` over ``vocab`` with the patterns of ``<name>.json``; of
    overlapping matches of one label, the longest is kept."""
    from spacy.matcher import Matcher

    out = Matcher(vocab)
    by_label: dict[str, list[Any]] = {}
    for entry in load(name, words):
        by_label.setdefault(entry["label"], []).append(entry["pattern"])
    for label, patterns in by_label.items():
        out.add(label, patterns, greedy="LONGEST")
    return out


def _expand(value: Any, words: Mapping[str, Iterable[str]]) -> Any:
    if isinstance(value, dict):
        return {k: _expand(v, words) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, words) for v in value]
    if isinstance(value, str) and value.startswith("$"):
        return sorted(words[value[1:]])
    return value
