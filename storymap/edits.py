"""Reviewers' corrections to a story, kept apart from the story itself.

An :class:`Edits` record says what a person changed after the pipeline decided: places
rejected or accepted, a place switched to one of its alternative candidates, coordinates
set by hand, stop dates, stop order, roles and the names places are shown by.
:func:`apply_edits` turns a story plus edits into a new story (the input is never modified),
so the same edits can be applied again after a rebuild. Edits are saved beside the story as
a small JSON file (``data/places.edits.json`` for ``data/places.geojson``).

This module is pure: no Streamlit, no I/O except :func:`load_edits` / :func:`save_edits`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from storymap.errors import StorymapError
from storymap.files import write_atomic
from storymap.storyfile import (DateStatus, EventStatus, Feature, Geocoder, Place, Review, Role,
                                Route, Story, StoryData, StoryFeature, as_story, drop, update)

EDITS_VERSION = 1
ROLES = (Role.STOP, Role.MENTION)
DATE_STATUSES = tuple(DateStatus)
MANUAL = "manual"


class EditsError(StorymapError, ValueError):
    """An edits file or an edit is malformed."""


@dataclass
class Edits:
    """Corrections to a story, keyed by the story's stable feature ids.

    Attributes
    ----------
    rejected
        Place ids to drop from the story.
    accepted
        Place ids a reviewer confirmed (marked ``review: "accepted"``).
    candidates
        ``{place_id: gazetteer_id}``: use this alternative candidate of the place instead.
    coordinates
        ``{place_id: [lat, lon]}`` set by hand (the place becomes ``gazetteer_id: "manual"``).
    dates
        ``{place_id: {"date": "YYYY-MM-DD" or None, "status": "reported"|"expected"|"inferred"|None}}``.
    roles
        ``{place_id: "stop" | "mention"}``.
    order
        Stop ids in the wanted route order; stops not listed follow in their previous order.
    added
        ``{place_id: {"name", "lat", "lon", "gazetteer_id", "place_type", "country_code", "role"}}``:
        places the pipeline missed, found by the author in the gazetteer (``review: "added"``).
    articles
        ``{article_id: {"source": outlet, "published": "YYYY-MM-DD", "url": "https://..."}}``:
        an article's metadata corrected by hand (an empty value clears it).
    names
        ``{place_id: name}``: the name the author gives a place, shown on the map, the page and in
        every download (the place keeps the gazetteer's as ``gazetteer_name``).
    """

    rejected: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    candidates: dict[str, str] = field(default_factory=dict)
    coordinates: dict[str, list[float]] = field(default_factory=dict)
    dates: dict[str, dict[str, str | None]] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    added: dict[str, dict[str, Any]] = field(default_factory=dict)
    articles: dict[str, dict[str, str | None]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def is_empty(self) -> bool:
        """True when there is nothing to apply."""
        return not any(getattr(self, f.name) for f in fields(self))

    def count(self) -> int:
        """Number of individual corrections."""
        return sum(len(getattr(self, f.name)) for f in fields(self) if f.name != "order") + (1 if self.order else 0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, canonical form (sorted, so saved files are deterministic)."""
        return {
            "version": EDITS_VERSION,
            "rejected": sorted(set(self.rejected)),
            "accepted": sorted(set(self.accepted)),
            "candidates": dict(sorted(self.candidates.items())),
            "coordinates": {k: [float(v[0]), float(v[1])] for k, v in sorted(self.coordinates.items())},
            "dates": {k: {"date": v.get("date"), "status": v.get("status")} for k, v in sorted(self.dates.items())},
            "roles": dict(sorted(self.roles.items())),
            "order": list(self.order),
            "added": {k: dict(sorted(v.items())) for k, v in sorted(self.added.items())},
            "articles": {k: dict(sorted(v.items())) for k, v in sorted(self.articles.items())},
            "names": dict(sorted(self.names.items())),
        }

    @classmethod
    def from_dict(cls, data: Any, *, name: str = "edits") -> Edits:
        """Check and read the form written by :meth:`to_dict`; raise :class:`EditsError` naming ``name``."""
        if not isinstance(data, dict):
            raise EditsError(f"{name}: expected a JSON object")
        version = data.get("version", EDITS_VERSION)
        if version != EDITS_VERSION:
            raise EditsError(f"{name}: unsupported edits version {version!r} (expected {EDITS_VERSION})")
        edits = cls(
            rejected=_str_list(data.get("rejected", []), name, "rejected"),
            accepted=_str_list(data.get("accepted", []), name, "accepted"),
            candidates=_str_map(data.get("candidates", {}), name, "candidates"),
            coordinates={k: list(check_latlon(v, name=f"{name}: coordinates of '{k}'"))
                         for k, v in _map(data.get("coordinates", {}), name, "coordinates").items()},
            dates={k: _date_edit(v, f"{name}: date of '{k}'")
                   for k, v in _map(data.get("dates", {}), name, "dates").items()},
            roles=_str_map(data.get("roles", {}), name, "roles"),
            order=_str_list(data.get("order", []), name, "order"),
            added={k: _added(v, f"{name}: added place '{k}'")
                   for k, v in _map(data.get("added", {}), name, "added").items()},
            articles={k: check_article(v, name=f"{name}: article '{k}'")
                      for k, v in _map(data.get("articles", {}), name, "articles").items()},
            names={k: v.strip() for k, v in _str_map(data.get("names", {}), name, "names").items()},
        )
        for place_id, shown in edits.names.items():
            if not shown:
                raise EditsError(f"{name}: the name of '{place_id}' is blank")
        for place_id, role in edits.roles.items():
            if role not in ROLES:
                raise EditsError(f"{name}: role of '{place_id}' must be 'stop' or 'mention', not {role!r}")
        return edits


# --------------------------------------------------------------------------- checks
def _map(value: Any, name: str, key: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise EditsError(f"{name}: '{key}' must be an object keyed by place id")
    return value


def _str_map(value: Any, name: str, key: str) -> dict[str, str]:
    value = _map(value, name, key)
    if not all(isinstance(v, str) and v for v in value.values()):
        raise EditsError(f"{name}: every value of '{key}' must be a non-empty string")
    return dict(value)


def _str_list(value: Any, name: str, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise EditsError(f"{name}: '{key}' must be a list of place ids")
    return list(value)


def check_latlon(value: Any, *, name: str = "coordinates") -> tuple[float, float]:
    """``(lat, lon)`` from a pair of numbers in range; :class:`EditsError` otherwise."""
    if not isinstance(value, list | tuple) or len(value) != 2 or \
            not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        raise EditsError(f"{name}: expected [lat, lon] as two numbers")
    lat, lon = float(value[0]), float(value[1])
    if not -90.0 <= lat <= 90.0:
        raise EditsError(f"{name}: latitude {lat} is outside -90..90")
    if not -180.0 <= lon <= 180.0:
        raise EditsError(f"{name}: longitude {lon} is outside -180..180")
    return lat, lon


def check_date(value: Any, *, name: str = "date") -> str | None:
    """An ISO date string (or None); :class:`EditsError` for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise EditsError(f"{name}: {value!r} is not a date (use YYYY-MM-DD)") from exc


def _added(value: Any, name: str) -> dict[str, Any]:
    """An added place: a name, a point, and what the gazetteer says of it."""
    if not isinstance(value, dict) or not isinstance(value.get("name"), str) or not value["name"].strip():
        raise EditsError(f"{name}: expected an object with a 'name'")
    lat, lon = check_latlon([value.get("lat"), value.get("lon")], name=name)
    role = value.get("role", "stop")
    if role not in ROLES:
        raise EditsError(f"{name}: role must be 'stop' or 'mention', not {role!r}")
    text = {k: str(value[k]) for k in ("gazetteer_id", "place_type", "country_code") if value.get(k) is not None}
    return {"name": value["name"].strip(), "lat": lat, "lon": lon, "role": role, **text}


def check_article(value: Any, *, name: str = "article") -> dict[str, str | None]:
    """An article's outlet (``source``), publication date and web address, checked: a date as
    YYYY-MM-DD, an http(s) address; an empty value is None. :class:`EditsError` otherwise."""
    if not isinstance(value, dict) or not set(value) <= {"source", "published", "url"}:
        raise EditsError(f"{name}: expected an object with 'source', 'published' and/or 'url'")
    out: dict[str, str | None] = {}
    for key, v in value.items():
        if v is not None and not isinstance(v, str):
            raise EditsError(f"{name}: {key} must be text or null")
        v = (v or "").strip() or None
        if key == "published" and v is not None:
            v = check_date(v, name=f"{name}: published")
        if key == "url" and v is not None and not re.match(r"https?://[^\s<>\"]+$", v):
            raise EditsError(f"{name}: url must be an http(s) address")
        out[key] = v
    return out


def added_place(record: Any, role: str = "stop") -> tuple[str, dict[str, Any]]:
    """The id and the ``added`` edit for a gazetteer record the author picked."""
    place_id = "added-" + re.sub(r"[^a-z0-9]+", "-", str(record.gazetteer_id).lower()).strip("-")
    return place_id, {"name": record.name, "lat": float(record.lat), "lon": float(record.lon), "role": role,
                      "gazetteer_id": record.gazetteer_id, "place_type": record.place_type,
                      "country_code": record.country_code}


def _date_edit(value: Any, name: str) -> dict[str, str | None]:
    if not isinstance(value, dict):
        raise EditsError(f"{name}: expected {{\"date\": ..., \"status\": ...}}")
    status = value.get("status")
    if status is not None and status not in DATE_STATUSES:
        raise EditsError(f"{name}: status must be one of {', '.join(DATE_STATUSES)} or null, not {status!r}")
    return {"date": check_date(value.get("date"), name=name), "status": status}


# --------------------------------------------------------------------------- files
def edits_path(story_path: str | os.PathLike[str]) -> Path:
    """Where the edits of a story file live: ``data/places.geojson`` -> ``data/places.edits.json``."""
    p = Path(story_path)
    return p.with_name(f"{p.stem}.edits.json")


def load_edits(path: str | os.PathLike[str]) -> Edits:
    """Read an edits file; a missing file means no edits.

    Raises
    ------
    EditsError
        When the file cannot be read or is malformed (the message names the file).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Edits()
    except (OSError, UnicodeDecodeError) as exc:
        raise EditsError(f"{path}: cannot read edits file ({exc})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EditsError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from exc
    return Edits.from_dict(data, name=str(path))


def dumps_edits(edits: Edits) -> str:
    """The edits file's text: sorted keys, 2-space indent, final newline."""
    return json.dumps(edits.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def save_edits(edits: Edits, path: str | os.PathLike[str]) -> Path:
    """Write an edits file atomically."""
    return write_atomic(path, dumps_edits(edits))


def apply_saved_edits(story: Story | StoryData, story_path: str | os.PathLike[str]) -> Story | StoryData:
    """``story`` with the edits saved beside ``story_path`` applied (``story`` itself if there are none).

    This is the hook for ``storymap build``: call it on the freshly built story before
    writing it to ``story_path``.
    """
    edits = load_edits(edits_path(story_path))
    return story if edits.is_empty() else apply_edits(story, edits)


# --------------------------------------------------------------------------- applying
def _mark(place: Place, what: str) -> Place:
    return update(place, edited=tuple(sorted({*(place.edited or ()), what})))


def _switch_candidate(place: Place, gazetteer_id: str) -> Place:
    """``place`` as its alternative candidate ``gazetteer_id`` (unchanged if it has none such)."""
    if place.gazetteer_id == gazetteer_id:
        return place
    alternatives = list(place.alternatives or ())
    choice = next((a for a in alternatives if a.get("gazetteer_id") == gazetteer_id), None)
    if choice is None:
        return place
    lon, lat = place.coordinates[:2]
    previous = {"gazetteer_id": place.gazetteer_id, "name": place.name, "place_type": place.place_type,
                "country_code": place.country_code, "lat": lat, "lon": lon, "confidence": place.confidence}
    number = gazetteer_id.split(":", 1)[1]
    place = update(place, alternatives=(previous, *(a for a in alternatives if a is not choice)),
                   **{k: choice[k] for k in ("gazetteer_id", "name", "place_type", "country_code", "confidence")
                      if k in choice},
                   geonameid=int(number) if gazetteer_id.startswith("geonames:") and number.isdigit() else None)
    place = replace(place, frame=replace(place.frame, geometry_extra={}),
                    coordinates=(float(choice["lon"]), float(choice["lat"])))
    return _mark(place, "candidate")


def _set_coordinates(place: Place, latlon: list[float]) -> Place:
    lat, lon = check_latlon(latlon, name=f"coordinates of '{place.id}'")
    place = replace(place, frame=replace(place.frame, geometry_extra={}), coordinates=(lon, lat))
    return _mark(update(place, gazetteer_id=MANUAL, geocoder=Geocoder.MANUAL, geonameid=None), "coordinates")


def _set_role(place: Place, role: str) -> Place:
    if place.role == role:
        return place
    if role == Role.MENTION:
        place = update(place, role=Role.MENTION, stop=None, date=None, date_status=None, status=None)
    else:
        place = update(place, role=Role(role), status=place.status or EventStatus.REPORTED)
    return _mark(place, "role")


def _set_date(place: Place, change: dict[str, str | None]) -> Place:
    date = change.get("date")
    status = change.get("status")
    if status is None and date is not None:
        status = place.date_status or DateStatus.REPORTED
    place = update(place, date=date, date_status=None if status is None else DateStatus(status))
    if place.role == Role.STOP and status in (EventStatus.REPORTED, EventStatus.EXPECTED):
        place = update(place, status=EventStatus(status))
    return _mark(place, "date")


def _rename(place: Place, name: str) -> Place:
    """The place shown by the author's ``name``; the name it had (the gazetteer's) kept as
    ``gazetteer_name``, unless the place is a point of the author's own, which has no other."""
    if name == place.name:
        return place
    if place.review == Review.ADDED and place.gazetteer_id == MANUAL:
        return update(place, name=name)
    return _mark(update(place, name=name, gazetteer_name=place.gazetteer_name or place.name), "name")


def renumber(story: Story | StoryData, order: list[str] | None = None) -> Story:
    """Number the stops 1..n (``order`` first, then previous stop number, date, id) and redo the route.

    A place listed twice in ``order`` is a round trip: the route passes it again, its ``stop``
    is its first visit and ``visits`` lists every visit's number.

    Returns the story renumbered (``story`` itself is not changed).
    """
    story = as_story(story)
    order = order or []
    rank: dict[str, int] = {}
    for i, place_id in enumerate(order):
        rank.setdefault(place_id, i)  # a place listed twice is a round trip: first visit here
    features = story.features
    big = len(order) + len(features) + 1

    def key(f: Place) -> tuple[int, int, str, str]:
        return (rank.get(str(f.id), big), f.stop or big, f.date or "9999", str(f.id))

    stop_places = sorted((f for f in features if isinstance(f, Place) and f.role == Role.STOP), key=key)
    # the route: the order's stops, a place as often as it is listed, then the unlisted stops
    by_id = {str(f.id): n for n, f in enumerate(stop_places)}
    listed = [i for i in order if i in by_id]
    sequence = [by_id[i] for i in listed] + [n for n, f in enumerate(stop_places) if str(f.id) not in set(listed)]
    visits: dict[int, list[int]] = {}
    for number, n in enumerate(sequence, 1):
        visits.setdefault(n, []).append(number)
    for n, f in enumerate(stop_places):
        numbers = visits[n]
        f = update(f, stop=numbers[0])
        stop_places[n] = update(f, visits=tuple(numbers)) if len(numbers) > 1 else drop(f, "visits")
    # stops first in route order, then the other places in their previous order, then the route
    stop_ids = {id(f) for f in features if isinstance(f, Place) and f.role == Role.STOP}
    others: list[StoryFeature] = [
        drop(update(f, stop=None), "visits") if isinstance(f, Place) and f.role == Role.MENTION else f
        for f in features if not isinstance(f, Route) and id(f) not in stop_ids]
    old_route = story.route
    new: list[StoryFeature] = [*stop_places, *others]
    if stop_places:
        route_stops = [stop_places[n] for n in sequence]
        coords = tuple(tuple(f.coordinates[:2]) for f in route_stops)
        line = replace(old_route, frame=Feature("route")) if old_route else \
            Route(Feature("route"), (), Role.ROUTE, f"Route of {story.meta.subject}" if story.meta.subject else "Route")
        first = {n: i for i, n in reversed(list(enumerate(sequence)))}
        new.append(update(
            replace(line, coordinates=coords if len(coords) >= 2 else coords * 2),
            stops=tuple(f.id for f in route_stops),
            # a return visit's date is not the first visit's: the texts give one date per place
            dates=tuple(stop_places[n].date if first[n] == i else None for i, n in enumerate(sequence)),
            statuses=tuple(None if f.status is None else str(f.status) for f in route_stops)))
    return story.with_features(new)


def apply_edits(story: Story | StoryData, edits: Edits) -> Story:
    """A new story with ``edits`` applied; ``story`` itself is not modified.

    Edits naming ids that the story does not have are ignored (see :func:`unapplied`).
    Stops are renumbered and the route rebuilt. The result depends only on the inputs.
    """
    story = as_story(story)
    rejected = set(edits.rejected)
    accepted = set(edits.accepted)
    kept: list[StoryFeature] = []
    for feature in story.features:
        if not isinstance(feature, Place):
            kept.append(feature)
            continue
        place_id = str(feature.id)
        if place_id in rejected:
            continue
        if place_id in edits.candidates:
            feature = _switch_candidate(feature, edits.candidates[place_id])
        if place_id in edits.coordinates:
            feature = _set_coordinates(feature, edits.coordinates[place_id])
        if place_id in edits.roles:
            feature = _set_role(feature, edits.roles[place_id])
        if place_id in edits.dates:
            feature = _set_date(feature, edits.dates[place_id])
        if place_id in edits.names:
            feature = _rename(feature, edits.names[place_id])
        if place_id in accepted:
            feature = update(feature, review=Review.ACCEPTED)
        kept.append(feature)
    have = {str(f.id) for f in kept}
    for place_id, added in sorted(edits.added.items()):
        if place_id in have or place_id in rejected:
            continue
        role = Role(added["role"])
        place = Place.create(
            place_id, (added["lon"], added["lat"]), role, name=added["name"], stop=None, date=None, date_status=None,
            status=EventStatus.REPORTED if role == Role.STOP else None, review=Review.ADDED,
            gazetteer_id=added.get("gazetteer_id"), place_type=added.get("place_type"),
            country_code=added.get("country_code"), geocoder=Geocoder.AUTHOR, confidence=None, mention_count=0,
            mentions=(), evidence=(), alternatives=(), excerpt=None)
        if place_id in edits.dates:
            place = _set_date(place, edits.dates[place_id])
        if place_id in edits.roles:
            place = _set_role(place, edits.roles[place_id])
        if place_id in edits.names:
            place = _rename(place, edits.names[place_id])
        kept.append(place)
    articles = tuple(update(a, **edits.articles[a.id], edited=True) if edits.articles.get(a.id) else a
                     for a in story.articles)
    story = renumber(replace(story, features=tuple(kept)).with_meta(articles=articles), edits.order)
    if not edits.is_empty():
        story = replace(story, meta=update(story.meta, edits=edits.count()))
    return story


def carry_edits(story: Story | StoryData, edits: Edits) -> tuple[Edits, list[str]]:
    """The corrections of ``edits`` that apply to ``story`` (a story built again, say for
    another subject), and human-readable notes on the others: a place id the story does not
    have, an article it does not have, a candidate the place does not offer. The places the
    author added always apply."""
    story = as_story(story)
    ids: dict[str, Place | None] = {str(f.id): f for f in story.places}
    ids.update({place_id: None for place_id in edits.added if place_id not in ids})
    notes = []
    named: dict[str, list[str]] = {}
    for attr in ("rejected", "accepted", "order"):
        for place_id in getattr(edits, attr):
            named.setdefault(place_id, []).append(attr)
    for attr in ("candidates", "coordinates", "dates", "roles", "names"):
        for place_id in getattr(edits, attr):
            named.setdefault(place_id, []).append(attr)
    for place_id, what in sorted(named.items()):
        if place_id not in ids:
            notes.append(f"'{place_id}' is not in this story (edits: {', '.join(sorted(set(what)))})")
    articles = {a.id for a in story.articles}
    for article_id in sorted(set(edits.articles) - articles):
        notes.append(f"article '{article_id}' is not in this story")
    candidates = {}
    for place_id, gid in sorted(edits.candidates.items()):
        f = ids.get(place_id)
        known = {a.get("gazetteer_id") for a in f.alternatives or ()} if f else set()
        if f is not None and gid != f.gazetteer_id and gid not in known:
            notes.append(f"'{place_id}' has no alternative candidate {gid}")
        elif place_id in ids:
            candidates[place_id] = gid
    kept = Edits(
        rejected=[i for i in edits.rejected if i in ids], accepted=[i for i in edits.accepted if i in ids],
        candidates=candidates, coordinates={k: v for k, v in edits.coordinates.items() if k in ids},
        dates={k: v for k, v in edits.dates.items() if k in ids},
        roles={k: v for k, v in edits.roles.items() if k in ids},
        names={k: v for k, v in edits.names.items() if k in ids},
        order=[i for i in edits.order if i in ids], added=dict(edits.added),
        articles={k: v for k, v in edits.articles.items() if k in articles})
    return Edits.from_dict(kept.to_dict()), notes


def unapplied(story: Story | StoryData, edits: Edits) -> list[str]:
    """Human-readable notes on edits that do not fit ``story`` (unknown ids or candidates)."""
    return carry_edits(story, edits)[1]


__all__ = ["Edits", "EditsError", "added_place", "apply_edits", "apply_saved_edits", "carry_edits", "check_article",
           "check_date", "check_latlon", "dumps_edits", "edits_path", "load_edits", "renumber", "save_edits", "unapplied"]


# --------------------------------------------------------------------------- edit actions
# What a reviewer does, each a new Edits naming the place it acts on by id (the app and any
# other front end call these; none changes the Edits it is given).


def changed(edits: Edits, **changes: Any) -> Edits:
    """``edits`` with some of its members replaced, checked as a whole again."""
    return Edits.from_dict({**edits.to_dict(), **changes})


def accept(edits: Edits, place_id: str) -> Edits:
    """The place confirmed (and no longer rejected)."""
    return review_all(edits, [place_id], "accepted")


def reject(edits: Edits, place_id: str) -> Edits:
    """The place dropped from the story (and no longer accepted)."""
    return review_all(edits, [place_id], "rejected")


def forget(edits: Edits, place_id: str) -> Edits:
    """Every correction of one place undone (its place in the order aside)."""
    d = edits.to_dict()
    for key in ("rejected", "accepted"):
        d[key] = [i for i in d[key] if i != place_id]
    for key in ("candidates", "coordinates", "dates", "roles", "names", "added"):
        d[key].pop(place_id, None)
    return Edits.from_dict(d)


def set_role(edits: Edits, place_id: str, role: str, *, date: str | None = None, status: str | None = None,
             had_date: bool = False) -> Edits:
    """The place's role; a stop's date and date status too, when a date is given or it had one."""
    new = changed(edits, roles={**edits.roles, place_id: role})
    if role == Role.STOP and (date is not None or had_date):
        new = changed(new, dates={**new.dates, place_id: {"date": date, "status": status}})
    return new


def reorder(edits: Edits, order: list[str]) -> Edits:
    """The route in this order (stop ids, a place once per visit)."""
    return changed(edits, order=list(order))


def move_stop(edits: Edits, route: list[str], place_id: str, position: int) -> Edits:
    """The place's first visit moved to ``position`` (1-based) along ``route`` (its stop ids)."""
    order = list(route)
    order.remove(place_id)
    order.insert(max(0, position - 1), place_id)
    return reorder(edits, order)


def shifted(route: list[str], place_ids: list[str], by: int) -> list[str]:
    """``route`` (stop ids, a place once per visit) with every visit of the places ``place_ids``
    moved ``by`` places along it: -1 one place earlier, 1 one place later. Places moved together
    keep their order among themselves; a stop that is already first (moving earlier) or last
    (moving later) stays, and the others move past it only where there is room. Ids that are
    not on the route are left aside."""
    order = list(route)
    chosen = set(place_ids)
    step = -1 if by < 0 else 1
    for _ in range(abs(by)):
        # the visit nearest the end it moves to first: one that cannot move holds those behind it
        for i in range(len(order)) if step < 0 else range(len(order) - 1, -1, -1):
            j = i + step
            if order[i] in chosen and 0 <= j < len(order) and order[j] not in chosen:
                order[i], order[j] = order[j], order[i]
    return order


def shift_stops(edits: Edits, route: list[str], place_ids: list[str], by: int) -> Edits:
    """The stops ``place_ids`` (ids, never positions) moved ``by`` places along ``route``, the
    route's stop ids as it is now (see :func:`shifted`); ``edits`` itself when none can move."""
    order = shifted(route, place_ids, by)
    return edits if order == list(route) else reorder(edits, order)


def visit_again(edits: Edits, route: list[str], place_id: str, after: int) -> Edits:
    """A return visit to the place after stop number ``after`` of ``route``."""
    order = list(route)
    order.insert(after, place_id)
    return reorder(edits, order)


def drop_return_visit(edits: Edits, route: list[str], place_id: str) -> Edits:
    """The place's last return visit taken out of ``route`` (nothing when it is visited once)."""
    if route.count(place_id) < 2:
        return edits
    order = list(route)
    del order[len(order) - 1 - order[::-1].index(place_id)]
    return reorder(edits, order)


def use_candidate(edits: Edits, place_id: str, gazetteer_id: str) -> Edits:
    """The place read as another of its gazetteer candidates (coordinates set by hand dropped)."""
    return changed(edits, candidates={**edits.candidates, place_id: gazetteer_id},
                   coordinates={k: v for k, v in edits.coordinates.items() if k != place_id})


def place_at(edits: Edits, place_id: str, lat: float, lon: float) -> Edits:
    """The place put at ``lat``, ``lon`` by hand (a candidate chosen before dropped)."""
    return changed(edits, coordinates={**edits.coordinates, place_id: [float(lat), float(lon)]},
                   candidates={k: v for k, v in edits.candidates.items() if k != place_id})


def add_place(edits: Edits, record: Any, role: str = "stop") -> Edits:
    """A gazetteer record the pipeline missed added as a stop or a mention."""
    place_id, place = added_place(record, role)
    return _with_added(edits, place_id, place)


def add_point(edits: Edits, name: str, lat: float, lon: float, role: str = "stop") -> Edits:
    """A place of the author's own, named by them, at a point clicked on a map or typed
    ("Chequers" at 51.7164, -0.8039): no gazetteer entry (``gazetteer_id: "manual"``). Its id
    follows the name (``added-chequers``, ``added-chequers-2`` for a second point so named)."""
    lat, lon = check_latlon([lat, lon], name=f"the point of {name!r}")
    slug = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-") or "place"
    taken = set(edits.added) | set(edits.rejected)
    place_id = next(i for i in (f"added-{slug}" + (f"-{k}" if k > 1 else "") for k in range(1, len(taken) + 2))
                    if i not in taken)
    return _with_added(edits, place_id, {"name": name, "lat": lat, "lon": lon, "role": role,
                                         "gazetteer_id": MANUAL})


def _with_added(edits: Edits, place_id: str, place: dict[str, Any]) -> Edits:
    return changed(edits, added={**edits.added, place_id: place},
                   rejected=[i for i in edits.rejected if i != place_id])


def rename(edits: Edits, place_id: str, name: str, own: str | None = None) -> Edits:
    """The place shown by ``name`` (the author's spelling, or a name of their own); an empty
    name, or its own name ``own`` (the gazetteer's), takes the author's name back."""
    name = " ".join(name.split())
    names = {k: v for k, v in edits.names.items() if k != place_id}
    if name and name != own:
        names[place_id] = name
    return changed(edits, names=names)


def review_all(edits: Edits, place_ids: list[str], review: str) -> Edits:
    """Several places accepted (``review`` "accepted"), rejected ("rejected") or left to the
    pipeline again ("to review": neither accepted nor rejected), each named by id."""
    ids = set(place_ids)
    accepted = set(edits.accepted) - ids
    rejected = set(edits.rejected) - ids
    if review == "accepted":
        accepted |= ids
    elif review == "rejected":
        rejected |= ids
    elif review != "to review":
        raise EditsError(f"a review is 'accepted', 'rejected' or 'to review', not {review!r}")
    return changed(edits, accepted=sorted(accepted), rejected=sorted(rejected))


def set_article(edits: Edits, article_id: str, *, source: str | None, published: str | None,
                url: str | None) -> Edits:
    """An article's outlet, publication date and web address (raises :class:`EditsError` on a bad one)."""
    return changed(edits, articles={**edits.articles,
                                    article_id: {"source": source, "published": published, "url": url}})


def apply_table(edits: Edits, route: list[str], changes: dict[str, dict[str, Any]]) -> Edits:
    """Every change a reviewer made in the table of places, as one new Edits.

    ``changes`` is ``{place_id: {column: new value}}`` with only the columns that changed:
    ``review`` ("accepted", "rejected", "to review"), ``role``, ``date`` (ISO or None) with
    ``status`` and ``had_date`` (whether it had a date), and ``order`` (the stop's new number
    along ``route``, its stop ids, a place once per visit). Stops given a number are moved in
    the order of their new numbers, so "5 to 2" and "3 to 4" both hold.
    """
    for place_id, change in sorted(changes.items()):
        if "review" in change:
            edits = review_all(edits, [place_id], str(change["review"]))
        if {"role", "date", "status"} & set(change):
            edits = set_role(edits, place_id, str(change["role"]), date=check_date(change.get("date")),
                             status=change.get("status"), had_date=bool(change.get("had_date")))
    moves = sorted((int(change["order"]), place_id) for place_id, change in changes.items()
                   if change.get("order") is not None and place_id in route)
    route = list(route)
    for position, place_id in moves:
        edits = move_stop(edits, route, place_id, position)
        route = list(edits.order)
    return edits
