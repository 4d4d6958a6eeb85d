"""storymap: turn news articles into an animated, source-cited story map, offline."""

from storymap.errors import StorymapError

__all__ = ["StorymapError", "__version__"]
__version__ = "0.1.0"
