"""One exception root for everything storymap raises on purpose.

The command line and the app turn a :class:`StorymapError` into a short message;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class StorymapError(Exception):
    """Root of all storymap errors."""


class ArticleError(StorymapError, ValueError):
    """An article file cannot be read as an article (empty, binary, too large...)."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class MetadataError(ArticleError):
    """A metadata file beside an article is malformed."""


class LexiconError(StorymapError, LookupError):
    """A word list (``storymap/lexicons/NAME.txt``) is asked for that the package does not hold."""


class GazetteerError(StorymapError):
    """The offline gazetteer is missing, broken or cannot be built."""


class StoryError(StorymapError, ValueError):
    """Nothing useful could be built, or a story file is malformed."""


class OnlineGeocoderError(StorymapError):
    """An online geocoder cannot be reached or refused to answer (no network, quota, outage)."""
