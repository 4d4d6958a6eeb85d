"""geopy geocoders: the offline gazetteer as one more geopy geocoder, and online ones as an option.

``OfflineGeocoder`` answers from the local gazetteer and never touches the network.
``online_geocoder`` wraps any geopy geocoder (Nominatim by default) in geopy's
``RateLimiter`` and a disk cache, for users who turn it on.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from geopy.exc import GeopyError
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from storymap.errors import OnlineGeocoderError
from storymap.gazetteer import Gazetteer, GazetteerRecord, NameMatch, PlaceType
from storymap.resolve import prior


def _location(record: GazetteerRecord) -> Location:
    address = record.name if not record.country_code or record.place_type == PlaceType.COUNTRY else \
        f"{record.name}, {record.country_code}"
    return Location(address, (record.lat, record.lon), asdict(record))


class OfflineGeocoder(Geocoder):
    """A geopy geocoder over the offline gazetteer.

    ``geocode("Vladivostok")`` returns a :class:`geopy.location.Location` whose ``raw`` is
    the gazetteer record (id, type, population, source). Candidates are ranked as the
    pipeline ranks them without context: kind of place, size, and how the name matched.
    """

    def __init__(self, gazetteer: Gazetteer | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gazetteer = gazetteer or Gazetteer()

    def geocode(self, query: str, *, exactly_one: bool = True, country_codes: list[str] | None = None,
                limit: int | None = None) -> Location | list[Location] | None:
        """Look a place name up offline; ``None`` when the gazetteer does not know it."""
        matches: list[NameMatch] = self.gazetteer.lookup(str(query))
        if country_codes:
            wanted = {c.upper() for c in country_codes}
            matches = [m for m in matches if m.record.country_code in wanted]
        if not matches:
            return None
        ranked = sorted(matches, key=lambda m: (-prior(m), m.record.gazetteer_id))
        if exactly_one:
            return _location(ranked[0].record)
        return [_location(m.record) for m in ranked[: limit or len(ranked)]]


class _DiskCache:
    """A tiny SQLite cache of geocoder answers, keyed by geocoder and query."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.con = sqlite3.connect(path, check_same_thread=False)
        self.con.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, value TEXT)")

    def get(self, key: str) -> tuple[bool, Any]:
        row = self.con.execute("SELECT value FROM answers WHERE key=?", (key,)).fetchone()
        return (True, json.loads(row[0])) if row else (False, None)

    def put(self, key: str, value: Any) -> None:
        self.con.execute("INSERT OR REPLACE INTO answers VALUES (?, ?)", (key, json.dumps(value)))
        self.con.commit()


def online_geocoder(geocoder: Geocoder | None = None, *, cache_dir: str | os.PathLike[str] | None = None,
                    min_delay_seconds: float = 1.0) -> Callable[[str], Location | None]:
    """A rate-limited, disk-cached ``geocode(name)`` over an online geopy geocoder.

    Parameters
    ----------
    geocoder:
        Any geopy geocoder; default ``Nominatim(user_agent="storymap")`` (OpenStreetMap's
        usage policy asks for at most one request a second, hence the rate limiter).
    cache_dir:
        Where answers are kept so each name is asked once (default: the gazetteer's folder).

    The returned function raises :class:`~storymap.errors.OnlineGeocoderError` when the
    service cannot be reached or refuses (no network, quota, outage); answers, including
    "not found", are cached, failures are not.
    """
    from geopy.extra.rate_limiter import RateLimiter

    if geocoder is None:
        from geopy.geocoders import Nominatim

        geocoder = Nominatim(user_agent="storymap (https://pypi.org/project/storymap)")
    if cache_dir is None:
        from storymap.gazetteer import default_path

        cache_dir = default_path().parent
    cache = _DiskCache(Path(cache_dir) / "online-geocoder.sqlite")
    # no retries: a failure is reported once and the build goes on offline
    limited = RateLimiter(geocoder.geocode, min_delay_seconds=min_delay_seconds, max_retries=0,
                          swallow_exceptions=False)
    name = type(geocoder).__name__

    def geocode(query: str) -> Location | None:
        key = f"{name}:{query}"
        hit, value = cache.get(key)
        if hit:
            return None if value is None else Location(value["address"], (value["lat"], value["lon"]), value["raw"])
        try:
            loc = limited(query)
        except GeopyError as exc:
            reason = " ".join(str(exc).split())
            reason = f": {reason}" if reason and len(reason) <= 80 else ""
            raise OnlineGeocoderError(f"{name} could not be asked ({type(exc).__name__}{reason})") from exc
        cache.put(key, None if loc is None else
                  {"address": loc.address, "lat": loc.latitude, "lon": loc.longitude, "raw": loc.raw})
        return loc

    return geocode
