"""Word lists read from the package's data files (``storymap/lexicons/*.txt``).

Each file holds one class of words ("verbs of movement", "titles of people", "month
names"), one word or phrase a line, in the case the rules compare them in (lower case,
except where a file says otherwise), after a ``#`` header that says what class of words it
holds, what reads it and, where the list is a fact of the world, where it comes from.
Blank lines and lines starting with ``#`` are not entries.

Modules name their vocabularies once, at import (``TITLES = words("titles")``); a list
read twice is read from the file once.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

from storymap.errors import LexiconError

#: the folder of the word lists, inside the package
PACKAGE_DIR = "lexicons"
SUFFIX = ".txt"
_NAME = re.compile(r"[a-z][a-z0-9_]*")


def names() -> tuple[str, ...]:
    """Every word list the package holds, by name, sorted."""
    folder = files("storymap") / PACKAGE_DIR
    return tuple(sorted(p.name.removesuffix(SUFFIX) for p in folder.iterdir()
                        if p.name.endswith(SUFFIX) and _NAME.fullmatch(p.name.removesuffix(SUFFIX))))


@cache
def phrases(name: str) -> tuple[str, ...]:
    """The entries of word list ``name`` in file order (for lists whose order matters: a
    regex's alternatives, the months by number); raises :class:`LexiconError` for a name
    the package has no list of."""
    if not _NAME.fullmatch(name):
        raise LexiconError(f"{name!r} is no word list name: names are lower case letters, digits and '_'")
    path = files("storymap") / PACKAGE_DIR / f"{name}{SUFFIX}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LexiconError(f"no word list {name!r} in storymap/{PACKAGE_DIR} "
                           f"(there are: {', '.join(names())})") from None
    return tuple(line for line in text.splitlines() if line.strip() and not line.startswith("#"))


@cache
def words(name: str) -> frozenset[str]:
    """The entries of word list ``name`` as a set (see :func:`phrases`)."""
    return frozenset(phrases(name))


def alternation(entries: tuple[str, ...] | list[str]) -> str:
    """A regex alternation of literal entries, in the order given: ``city|town|port\\ city``."""
    return "|".join(re.escape(e) for e in entries)
