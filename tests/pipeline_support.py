"""Shared helpers for the pipeline tests: the gazetteer, and articles written to a temp folder."""

from __future__ import annotations

import datetime as dt
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


def event_row(article: str, place: str, gid: str, lon: float, lat: float, *, status: str = "reported",
              date: dt.date | None = None, published: dt.date = dt.date(2024, 3, 1), who: str = "Ines Ferro",
              predicate: str = "visit") -> dict:
    """One row of a movement-event table: ``who`` visited ``place`` in a sentence at offset 100."""
    sentence = f"{who} visited {place}."
    start = len(who) + 9
    return {
        "article_id": article, "outlet": f"Outlet {article}", "published": published, "title": f"Story {article}",
        "url": None, "source_file": "archive.jsonl", "traveller": who, "traveller_normalised": who,
        "is_subject": True, "place_name": place, "mention": place, "gazetteer_id": gid, "geonameid": None,
        "place_type": "city", "country_code": "PT", "located_in": None, "lat": lat, "lon": lon,
        "place_confidence": 0.9, "date": date, "date_end": None, "date_text": None, "date_inferred": False,
        "status": status, "kind": "visit", "predicate": predicate, "cue": None, "confidence": 0.8,
        "sentence_start": 100, "sentence_end": 100 + len(sentence), "mention_start": 100 + start,
        "mention_end": 100 + start + len(place), "excerpt": sentence,
    }
