"""Shared helpers for the pipeline tests: the gazetteer, and articles written to a temp folder."""

from __future__ import annotations

import functools
from pathlib import Path

from storymap.gazetteer import Gazetteer

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@functools.cache
def gazetteer() -> Gazetteer:
    """The offline gazetteer (built once into $STORYMAP_CACHE_DIR or the user cache)."""
    return Gazetteer()


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path
