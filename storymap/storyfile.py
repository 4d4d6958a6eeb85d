"""Read and write the story file (``data/places.geojson``, see docs/story-file.md).

The story file is the one interface between the pipeline and everything that shows it,
so readers here only check the shape they rely on and say clearly what is wrong.
"""

from __future__ import annotations

import json
import math
import os
import re
import reprlib
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Self, TypeVar

from storymap import jsontext
from storymap.errors import StoryError
from storymap.files import read_regular, write_atomic
from storymap.itinerary import EventStatus

#: a story file as parsed JSON (the records are :class:`Story`)
StoryData = dict[str, Any]


def slugify(name: str) -> str:
    """A stable, URL-safe id from a place name: ``"Komsomolsk-on-Amur"`` -> ``"komsomolsk-on-amur"``."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['’]", "", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "place"


def dumps_story(story: Story | StoryData) -> str:
    """Serialise a story deterministically: sorted keys, 2-space indent, UTF-8, final newline."""
    data = story.to_geojson() if isinstance(story, Story) else story
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_story(story: Story | StoryData, path: str | os.PathLike[str]) -> Path:
    """Write a story file atomically."""
    return write_atomic(path, dumps_story(story))


#: a story file larger than this is refused: it is not one a person made, and reading it whole
#: would only exhaust memory
MAX_STORY_BYTES = 512 * 1024 * 1024
_SCHEMA_FILE = Path(__file__).parent / "data" / "story.schema.json"
#: what a stop's ``media[].src`` may be: an inline raster image (PNG, JPEG, GIF or WebP, never
#: SVG, which can hold script) or an http(s) address, which the reader's browser loads. Never a
#: path: nothing that shows a story opens a file a story file names. The same pattern is in the
#: JSON Schema (``$defs/media_src``).
MEDIA_SRC = re.compile(r'data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}|https?://[^\s\x00-\x1f\x7f<>"\\]+')
#: the flat attributes the GeoJSON export wrote as text before version 0.x (``"1;4"``): read as a list
_FLAT_VISITS = re.compile(r"[1-9][0-9]{0,8}(?:;[1-9][0-9]{0,8})*")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator  # imported here: it takes half a second

    schema = json.loads(_SCHEMA_FILE.read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def _where(story: Any, path: Sequence[Any]) -> str:
    """'feature 3 ('vladivostok'): geometry.coordinates[0]' for a path into a story."""
    parts = list(path)
    head = ""
    if len(parts) >= 2 and parts[0] == "features" and isinstance(parts[1], int):
        feature = story["features"][parts[1]]
        fid = feature.get("id") if isinstance(feature, dict) else None
        head = f"feature {parts[1]}" + (f" ({reprlib.repr(fid)})" if isinstance(fid, (str, int)) else "")
        parts = parts[2:]
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")
    if head and field:
        return f"{head}: {field}"
    return head or field or "top level"


_TYPE_WORDS = {"number": "a number", "integer": "an integer", "string": "text", "array": "a list",
               "object": "an object", "null": "null", "boolean": "true or false"}


def _problem(error: Any) -> str:
    """A short description of one schema error, never quoting a long value whole."""
    value = reprlib.repr(error.instance)
    kind = error.validator
    if kind == "type":
        expected = error.validator_value
        words = [str(e) for e in (expected if isinstance(expected, list) else [expected])]
        return f"{value} is not {' or '.join(_TYPE_WORDS.get(e, e) for e in words)}"
    if kind == "const":
        return f"{value} should be {error.validator_value!r}"
    if kind == "enum":
        return f"{value} should be one of {', '.join(map(repr, (v for v in error.validator_value if v is not None)))}"
    if kind == "required":
        return error.message
    if kind in ("minimum", "maximum"):
        word = "less" if kind == "minimum" else "more"
        return f"{value} is {word} than {error.validator_value}"
    if kind in ("minItems", "maxItems"):
        return f"{value} has too {'few' if kind == 'minItems' else 'many'} items"
    if kind == "pattern" and "data:image" in str(error.validator_value):
        return f"{value} {_NOT_MEDIA}"
    if kind == "pattern" and str(error.validator_value).startswith("^#"):
        return f"{value} is not a colour: an accent is #rrggbb, such as '#b3202e'"
    if kind == "pattern":
        return f"{value} is not an ISO date (YYYY-MM-DD)"
    return reprlib.repr(error.message)


_NOT_MEDIA = ("is not an image source: a media src is an http(s) address or an inline PNG, JPEG, GIF or WebP "
              "image (data:image/...;base64,...), never a file path")


def _flat_visits(story: StoryData) -> None:
    """Read the ``visits`` text (``"1;4"``) that GeoJSON exports of earlier versions wrote over
    the list, as the list it stands for (see docs/story-file.md)."""
    for feature in story["features"]:
        props = feature.get("properties") if isinstance(feature, dict) else None
        visits = props.get("visits") if isinstance(props, dict) else None
        if isinstance(props, dict) and isinstance(visits, str) and _FLAT_VISITS.fullmatch(visits):
            props["visits"] = [int(v) for v in visits.split(";")]


def _bad_media(story: StoryData) -> tuple[list[Any], Any] | None:
    """The first media ``src`` that is not :data:`MEDIA_SRC` in full (the schema's pattern is a
    search, which lets a final newline through)."""
    for n, feature in enumerate(story["features"]):
        if feature["properties"].get("role") not in ("stop", "mention"):
            continue  # only places show media, and only theirs are checked by the schema
        for i, item in enumerate(feature["properties"].get("media") or []):
            if not MEDIA_SRC.fullmatch(item["src"]):
                return ["features", n, "properties", "media", i, "src"], item["src"]
    return None


def is_media_src(value: object) -> bool:
    """Whether ``value`` is a media source a story may show (:data:`MEDIA_SRC`)."""
    return isinstance(value, str) and MEDIA_SRC.fullmatch(value) is not None


def _not_finite(story: StoryData) -> tuple[list[Any], Any] | None:
    """The first coordinate that is NaN or infinite (JSON allows neither, Python's parser both)."""
    for n, feature in enumerate(story["features"]):
        geometry = feature["geometry"]
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if not isinstance(coords, list):
            continue
        positions: list[tuple[list[str | int], Any]]
        if geometry.get("type") == "Point":
            positions = [(["coordinates"], coords)]
        else:
            positions = [(["coordinates", i], c) for i, c in enumerate(coords)]
        for path, position in positions:
            for j, value in enumerate(position if isinstance(position, list) else []):
                if isinstance(value, float) and not math.isfinite(value):
                    return ["features", n, "geometry", *path, j], value
    return None


def _replace_surrogates(value: Any) -> Any:
    """Lone UTF-16 surrogates (from ``\\udXXX`` escapes) become U+FFFD: one character each,
    so offsets hold, and every output can be encoded as UTF-8."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_replace_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_replace_surrogates(k): _replace_surrogates(v) for k, v in value.items()}
    return value


def validate_story(story: Any, *, name: str = "story") -> StoryData:
    """Check ``story`` against the story file contract (``storymap/data/story.schema.json``).

    Parameters
    ----------
    story
        A parsed story file.
    name
        What to call it in messages (usually the file's path).

    Returns
    -------
    dict
        The same story, with ``storymap`` and its ``articles`` list present.

    Raises
    ------
    StoryError
        Naming the feature and the field that is wrong, and why.
    """
    if not isinstance(story, dict) or story.get("type") != "FeatureCollection":
        msg = f"{name}: not a GeoJSON FeatureCollection"
        raise StoryError(msg)
    if isinstance(story.get("features"), list):
        _flat_visits(story)
    try:
        from jsonschema.exceptions import best_match

        error = best_match(_validator().iter_errors(story))
    except RecursionError as exc:
        msg = f"{name}: nested too deeply to be a story file"
        raise StoryError(msg) from exc
    if error is not None:
        msg = f"{name}: {_where(story, error.absolute_path)}: {_problem(error)}"
        raise StoryError(msg)
    bad = _not_finite(story)
    if bad is not None:
        msg = f"{name}: {_where(story, bad[0])}: {bad[1]} is not a finite number"
        raise StoryError(msg)
    media = _bad_media(story)
    if media is not None:
        msg = f"{name}: {_where(story, media[0])}: {reprlib.repr(media[1])} {_NOT_MEDIA}"
        raise StoryError(msg)
    meta = story.setdefault("storymap", {})
    meta.setdefault("articles", [])
    return story


def parse_story(text: str, *, name: str = "story") -> StoryData:
    """Parse and check a story file's text; raise :class:`StoryError` naming ``name``."""
    try:
        story = jsontext.loads(text)
    except jsontext.JSONTextError as exc:
        msg = f"{name}: {exc}"
        raise StoryError(msg) from exc
    if _SURROGATE_ESCAPE.search(text):
        story = _replace_surrogates(story)
    return validate_story(story, name=name)


def load_story(path: str | os.PathLike[str]) -> StoryData:
    """Read a story file from disk (a regular file of at most :data:`MAX_STORY_BYTES`)."""
    path = Path(path)

    def error(problem: str) -> StoryError:
        if problem == "no such file":
            problem = "no such story file (build one with 'storymap build')"
        return StoryError(f"{path}: {problem}")

    raw = read_regular(path, MAX_STORY_BYTES, error)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"{path}: not a story file (not UTF-8 text: byte {exc.start})"
        raise StoryError(msg) from exc
    return parse_story(text.removeprefix("\ufeff"), name=str(path))


def as_story(story: Story | StoryData, *, name: str = "story") -> Story:
    """The records of a story: ``story`` itself, or a parsed story file checked and read."""
    if isinstance(story, Story):
        return story
    return Story.from_geojson(validate_story(story, name=name))


def check_story(story: Story | StoryData, *, name: str = "story") -> Story:
    """The records of a story that keeps the story file contract (:func:`validate_story`),
    records included: what a file written from them must be."""
    data = story.to_geojson() if isinstance(story, Story) else story
    return Story.from_geojson(validate_story(data, name=name))


def read_story(path: str | os.PathLike[str]) -> Story:
    """The records of a story file on disk (:func:`load_story`)."""
    return Story.from_geojson(load_story(path))


def stops(story: StoryData) -> list[dict[str, Any]]:
    """The stop features of a parsed story file, ordered along the route (:attr:`Story.stops`
    on records)."""
    found = [f for f in story["features"] if f["properties"].get("role") == "stop"]
    return sorted(found, key=lambda f: (f["properties"].get("stop") or 0, f.get("id", "")))


# --------------------------------------------------------------------------- records
# The story file as typed, frozen records. A record keeps what the file holds exactly: members
# storymap does not know stay in ``extra`` (a value of the wrong kind for its field, say a status
# outside the vocabulary, too), and ``absent`` names the known members the file did not have, so
# that :meth:`Story.to_geojson` gives back the very object read (and :func:`dumps_story` the
# same bytes). Change a record with :func:`dataclasses.replace`; a member set to a value is
# written even where the file lacked it.


class Role(StrEnum):
    """What a feature is: a stop of the subject, a place only talked about, or the route."""

    STOP = "stop"
    MENTION = "mention"
    ROUTE = "route"


class DateStatus(StrEnum):
    """How a stop's date (or, without one, the stop itself) is known."""

    REPORTED = "reported"
    EXPECTED = "expected"
    INFERRED = "inferred"


class Geocoder(StrEnum):
    """What placed a place."""

    OFFLINE = "offline"
    NOMINATIM = "nominatim"
    MANUAL = "manual"
    AUTHOR = "author"
    #: worked out from a distance and bearing from another place ("70 miles SSW of X")
    COMPUTED = "computed"


class Review(StrEnum):
    """The author's mark on a place: ``added`` from the gazetteer, ``accepted`` as the pipeline placed it."""

    ADDED = "added"
    ACCEPTED = "accepted"


class MapStyle(StrEnum):
    """The base map's style (``storymap.style``): each one offline (see :mod:`storymap.look`)."""

    LIGHT = "light"
    DARK = "dark"
    MUTED = "muted"


#: the accent colour of a story's route and markers (``storymap.accent``): ``#rrggbb``. The same
#: pattern is in the JSON Schema (``$defs/meta/properties/accent``).
ACCENT = re.compile(r"#[0-9a-fA-F]{6}")


# the story file's vocabulary that the language core defines, EventStatus (a stop's and its
# evidence's status), is the itinerary's

_Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]


def _same(value: Any) -> Any:
    return value


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(value)


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    raise TypeError(value)


def _integer(value: Any) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise TypeError(value)


def _enum(kind: type[StrEnum]) -> _Codec:
    return (lambda v: None if v is None else kind(v)), (lambda v: None if v is None else str(v))


def _texts() -> _Codec:
    def load(value: Any) -> tuple[str | None, ...] | None:
        if value is None:
            return None
        if not isinstance(value, list) or not all(v is None or isinstance(v, str) for v in value):
            raise TypeError(value)
        return tuple(value)
    return load, lambda v: None if v is None else list(v)


def _integers() -> _Codec:
    def load(value: Any) -> tuple[int, ...] | None:
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise TypeError(value)
        return tuple(value)
    return load, lambda v: None if v is None else list(v)


def _records(kind: Any) -> _Codec:
    def load(value: Any) -> tuple[Any, ...] | None:
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise TypeError(value)
        return tuple(kind.from_geojson(v) for v in value)
    return load, lambda v: None if v is None else [r.to_geojson() for r in v]


def _mappings() -> _Codec:
    def load(value: Any) -> tuple[Mapping[str, Any], ...] | None:
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise TypeError(value)
        return tuple(value)
    return load, lambda v: None if v is None else [dict(m) for m in v]


def _boolean(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise TypeError(value)


def _required_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise TypeError(value)


_TEXT: _Codec = (_text, _same)
_REQUIRED_TEXT: _Codec = (_required_text, _same)
_NUMBER: _Codec = (_number, _same)
_INTEGER: _Codec = (_integer, _same)
_ANY: _Codec = (_same, _same)
_R = TypeVar("_R")


def _load(cls: Callable[..., _R], obj: Mapping[str, Any], codecs: Mapping[str, _Codec], **given: Any) -> _R:
    """A record of ``cls`` from a JSON object: known members through their codecs, the rest kept."""
    kwargs: dict[str, Any] = dict(given)
    extra: dict[str, Any] = {}
    absent: set[str] = set()
    for name, (load, _) in codecs.items():
        if name not in obj:
            absent.add(name)
            continue
        try:
            kwargs[name] = load(obj[name])
        except (TypeError, ValueError):
            extra[name] = obj[name]  # not what storymap reads there: kept as it is
    extra.update((k, v) for k, v in obj.items() if k not in codecs)
    return cls(**kwargs, extra=extra, absent=frozenset(absent))


def _dump(record: Any, codecs: Mapping[str, _Codec]) -> dict[str, Any]:
    """The JSON object of a record: what :func:`_load` read it from."""
    out: dict[str, Any] = {}
    for name, (_, dump) in codecs.items():
        value = getattr(record, name)
        if value is None and name in record.absent:
            continue
        out[name] = dump(value)
    out.update(record.extra)
    return out


def update(record: _R, **changes: Any) -> _R:
    """``record`` with members set, each written to the file even where it had none (as
    ``null`` for None); a record's ``absent`` makes the difference from :func:`dataclasses.replace`."""
    absent: frozenset[str] = getattr(record, "absent")
    return replace(record, absent=absent - changes.keys(), **changes)  # type: ignore[type-var]


def drop(record: _R, *names: str) -> _R:
    """``record`` without the members ``names``: neither a value nor a ``null`` in the file."""
    absent: frozenset[str] = getattr(record, "absent")
    return replace(record, absent=absent | set(names), **dict.fromkeys(names))  # type: ignore[type-var]


class _Member:
    """A record of one JSON object of the story file, read and written by its class's
    ``codecs`` (member name -> codec): members it does not know kept in ``extra``, known
    ones the object lacked named in ``absent``, so that writing gives the same bytes."""

    __slots__ = ()
    codecs: ClassVar[Mapping[str, _Codec]]

    @classmethod
    def from_geojson(cls, obj: Mapping[str, Any]) -> Self:
        return _load(cls, obj, cls.codecs)

    def to_geojson(self) -> dict[str, Any]:
        return _dump(self, self.codecs)


@dataclass(frozen=True, slots=True)
class ArticleRef(_Member):
    """One article a story was built from (``storymap.articles[]``)."""

    id: str
    file: str | None = None
    title: str | None = None
    source: str | None = None
    original_source: str | None = None
    published: str | None = None
    url: str | None = None
    sha256: str | None = None
    corpus_file: str | None = None
    #: the author corrected the outlet, date or address (in the app)
    edited: bool | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    absent: frozenset[str] = frozenset()


_ARTICLE: dict[str, _Codec] = {"id": _REQUIRED_TEXT, **dict.fromkeys(
    ("file", "title", "source", "original_source", "published", "url", "sha256", "corpus_file"), _TEXT),
    "edited": (_boolean, _same)}
ArticleRef.codecs = _ARTICLE


@dataclass(frozen=True, slots=True)
class Traveller(_Member):
    """A traveller the texts name on the move (``storymap.travellers[]``: the subject first),
    and how many times they name it."""

    name: str | None = None
    stops: tuple[str | None, ...] | None = None
    named: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    absent: frozenset[str] = frozenset()


_TRAVELLER: dict[str, _Codec] = {"name": _TEXT, "stops": _texts(), "named": _INTEGER}
Traveller.codecs = _TRAVELLER


@dataclass(frozen=True, slots=True)
class Meta(_Member):
    """The story's own member, ``storymap``: what it is about and what it was built from."""

    version: int | None = None
    title: str | None = None
    subject: str | None = None
    headline: str | None = None
    dek: str | None = None
    byline: str | None = None
    intro: str | None = None
    attribution: str | None = None
    articles: tuple[ArticleRef, ...] | None = None
    travellers: tuple[Traveller, ...] | None = None
    #: a story traced from an event table: ``{"events", "subject", "from", "to"}``
    traced: Mapping[str, Any] | None = None
    #: how many corrections the author made (a story with edits applied)
    edits: int | None = None
    #: the house style: the base map's style and the accent colour of the route and markers
    style: MapStyle | None = None
    accent: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    absent: frozenset[str] = frozenset()


_META: dict[str, _Codec] = {
    "version": _INTEGER,
    **dict.fromkeys(("title", "subject", "headline", "dek", "byline", "intro", "attribution"), _TEXT),
    "articles": _records(ArticleRef), "travellers": _records(Traveller), "traced": _ANY, "edits": _INTEGER,
    "style": _enum(MapStyle), "accent": _TEXT,
}
Meta.codecs = _META


@dataclass(frozen=True, slots=True)
class Mention(_Member):
    """One occurrence of a place's name: ``text[start:end]`` of the article file is ``text``."""

    article: str | None = None
    start: int | None = None
    end: int | None = None
    text: str | None = None
    excerpt: str | None = None
    confidence: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    absent: frozenset[str] = frozenset()


_MENTION: dict[str, _Codec] = {"article": _TEXT, "start": _INTEGER, "end": _INTEGER, "text": _TEXT,
                               "excerpt": _TEXT, "confidence": _NUMBER}
Mention.codecs = _MENTION


@dataclass(frozen=True, slots=True)
class Evidence(_Member):
    """A sentence that speaks of the subject at a stop (``start``/``end``: the sentence)."""

    article: str | None = None
    start: int | None = None
    end: int | None = None
    excerpt: str | None = None
    predicate: str | None = None
    traveller: str | None = None
    status: EventStatus | None = None
    date: str | None = None
    date_end: str | None = None
    date_text: str | None = None
    confidence: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    absent: frozenset[str] = frozenset()


_EVIDENCE: dict[str, _Codec] = {
    "article": _TEXT, "start": _INTEGER, "end": _INTEGER, "excerpt": _TEXT, "predicate": _TEXT, "traveller": _TEXT,
    "status": _enum(EventStatus), "date": _TEXT, "date_end": _TEXT, "date_text": _TEXT, "confidence": _NUMBER,
}
Evidence.codecs = _EVIDENCE


@dataclass(frozen=True, slots=True)
class Media(_Member):
    """An image of a stop: ``src`` is an inline raster image or an http(s) address (:data:`MEDIA_SRC`)."""

    src: str
    caption: str | None = None
    credit: str | None = None
    alt: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    absent: frozenset[str] = frozenset()


_MEDIA: dict[str, _Codec] = {"src": _REQUIRED_TEXT, "caption": _TEXT, "credit": _TEXT, "alt": _TEXT}
Media.codecs = _MEDIA


@dataclass(frozen=True, slots=True)
class Feature:
    """What every feature has besides its properties: its id, its coordinates and the members
    of the feature and of its geometry storymap does not read (kept as they are)."""

    id: str | int | None
    outer: Mapping[str, Any] = field(default_factory=dict)
    geometry_extra: Mapping[str, Any] = field(default_factory=dict)
    #: whether the feature has an ``id`` member at all
    has_id: bool = True

    @staticmethod
    def split(obj: Mapping[str, Any]) -> tuple[Feature, Any, Mapping[str, Any]]:
        """The feature's frame, its coordinates and its properties."""
        geometry = obj["geometry"]
        outer = {k: v for k, v in obj.items() if k not in ("type", "geometry", "properties", "id")}
        frame = Feature(obj.get("id"), outer, {k: v for k, v in geometry.items() if k not in ("type", "coordinates")},
                        has_id="id" in obj)
        return frame, geometry["coordinates"], obj["properties"]

    def join(self, kind: str, coordinates: Any, properties: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "Feature", "geometry": {"type": kind, "coordinates": coordinates,
                                                               **self.geometry_extra},
                               "properties": properties}
        if self.has_id:
            out["id"] = self.id
        out.update(self.outer)
        return out


def _position(value: Any) -> tuple[float, ...]:
    return tuple(value)


@dataclass(frozen=True, slots=True)
class Place:
    """A place of the story, a stop or a place only mentioned: a GeoJSON ``Point`` feature."""

    frame: Feature
    #: ``(longitude, latitude)``, WGS 84 (a third number, if the file has one, is kept)
    coordinates: tuple[float, ...]
    role: Role
    name: str | None = None
    #: the gazetteer's name of a place the author renamed (``name`` is then the author's)
    gazetteer_name: str | None = None
    stop: int | None = None
    visits: tuple[int, ...] | None = None
    date: str | None = None
    date_end: str | None = None
    date_text: str | None = None
    date_status: DateStatus | None = None
    status: EventStatus | None = None
    #: mostly a :class:`~storymap.gazetteer.PlaceType` (a ``StrEnum``, equal to its text), but the
    #: file's vocabulary is open: older files, online geocoders and authors use others ("facility")
    place_type: str | None = None
    gazetteer_id: str | None = None
    geonameid: int | None = None
    country_code: str | None = None
    geocoder: Geocoder | None = None
    confidence: float | None = None
    stop_confidence: float | None = None
    article_count: int | None = None
    mention_count: int | None = None
    excerpt: str | None = None
    sources: str | None = None
    part_of: str | None = None
    #: a computed point's reference place: the id of the place it is measured from
    reference: str | None = None
    #: a computed point's precision: how far (km) from the point the place may be
    precision_km: float | None = None
    #: other places the name could have been (``gazetteer_id``, ``name``, ``lat``, ``lon``...)
    alternatives: tuple[Mapping[str, Any], ...] | None = None
    mentions: tuple[Mention, ...] | None = None
    evidence: tuple[Evidence, ...] | None = None
    author_text: str | None = None
    media: tuple[Media, ...] | None = None
    zoom: float | None = None
    review: Review | None = None
    #: what the author's edits changed (``candidate``, ``coordinates``, ``date``, ``name``, ``role``), sorted
    edited: tuple[str, ...] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    absent: frozenset[str] = frozenset()

    @classmethod
    def create(cls, place_id: str, coordinates: tuple[float, float], role: Role, **members: Any) -> Place:
        """A new place with only ``role`` and ``members`` written to the file."""
        return cls(Feature(place_id), coordinates, role, **members,
                   absent=frozenset(_PLACE.keys() - members.keys() - {"role"}))

    @property
    def id(self) -> str | int | None:
        return self.frame.id

    @property
    def lon(self) -> float:
        return float(self.coordinates[0])

    @property
    def lat(self) -> float:
        return float(self.coordinates[1])

    @property
    def is_stop(self) -> bool:
        return self.role == Role.STOP

    @classmethod
    def from_geojson(cls, obj: Mapping[str, Any]) -> Place:
        frame, coordinates, props = Feature.split(obj)
        return _load(cls, props, _PLACE, frame=frame, coordinates=_position(coordinates))

    def to_geojson(self) -> dict[str, Any]:
        return self.frame.join("Point", list(self.coordinates), _dump(self, _PLACE))


_PLACE: dict[str, _Codec] = {
    "role": _enum(Role), "name": _TEXT, "gazetteer_name": _TEXT, "stop": _INTEGER, "visits": _integers(),
    "date": _TEXT, "date_end": _TEXT, "date_text": _TEXT, "date_status": _enum(DateStatus),
    "status": _enum(EventStatus), "place_type": _TEXT, "gazetteer_id": _TEXT, "geonameid": _INTEGER,
    "country_code": _TEXT, "geocoder": _enum(Geocoder), "confidence": _NUMBER, "stop_confidence": _NUMBER,
    "article_count": _INTEGER, "mention_count": _INTEGER, "excerpt": _TEXT, "sources": _TEXT, "part_of": _TEXT,
    "reference": _TEXT, "precision_km": _NUMBER,
    "alternatives": _mappings(), "mentions": _records(Mention), "evidence": _records(Evidence),
    "author_text": _TEXT, "media": _records(Media), "zoom": _NUMBER, "review": _enum(Review),
    "edited": _texts(),
}


@dataclass(frozen=True, slots=True)
class Route:
    """The route: a GeoJSON ``LineString`` through the stops, in order."""

    frame: Feature
    coordinates: tuple[tuple[float, ...], ...]
    role: Role = Role.ROUTE
    name: str | None = None
    #: the stop ids, one per visit
    stops: tuple[str | int | None, ...] | None = None
    dates: tuple[str | None, ...] | None = None
    statuses: tuple[str | None, ...] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    absent: frozenset[str] = frozenset()

    @property
    def id(self) -> str | int | None:
        return self.frame.id

    @classmethod
    def from_geojson(cls, obj: Mapping[str, Any]) -> Route:
        frame, coordinates, props = Feature.split(obj)
        return _load(cls, props, _ROUTE, frame=frame, coordinates=tuple(_position(c) for c in coordinates))

    def to_geojson(self) -> dict[str, Any]:
        return self.frame.join("LineString", [list(c) for c in self.coordinates], _dump(self, _ROUTE))


_ROUTE: dict[str, _Codec] = {"role": _enum(Role), "name": _TEXT, "stops": _texts(), "dates": _texts(),
                             "statuses": _texts()}


@dataclass(frozen=True, slots=True)
class OtherFeature:
    """A feature that is neither a place nor the route: kept as the file has it."""

    data: Mapping[str, Any]

    @property
    def id(self) -> str | int | None:
        value = self.data.get("id")
        return value if isinstance(value, (str, int)) else None

    def to_geojson(self) -> dict[str, Any]:
        return dict(self.data)


StoryFeature = Place | Route | OtherFeature


def feature_from_geojson(obj: Mapping[str, Any]) -> StoryFeature:
    """The record of one feature of a checked story file."""
    props = obj.get("properties")
    role = props.get("role") if isinstance(props, dict) else None
    if role in (Role.STOP, Role.MENTION):
        return Place.from_geojson(obj)
    if role == Role.ROUTE:
        return Route.from_geojson(obj)
    return OtherFeature(obj)


@dataclass(frozen=True, slots=True)
class Story:
    """A story file (docs/story-file.md) as records: its ``storymap`` member and its features."""

    meta: Meta
    features: tuple[StoryFeature, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_geojson(cls, obj: Mapping[str, Any]) -> Story:
        """The records of a checked story file (:func:`validate_story`)."""
        return cls(Meta.from_geojson(obj.get("storymap") or {}),
                   tuple(feature_from_geojson(f) for f in obj["features"]),
                   {k: v for k, v in obj.items() if k not in ("type", "storymap", "features")})

    def to_geojson(self) -> dict[str, Any]:
        """The story file's object: :func:`dumps_story` of it gives the bytes read."""
        return {"type": "FeatureCollection", "storymap": self.meta.to_geojson(),
                "features": [f.to_geojson() for f in self.features], **self.extra}

    @property
    def articles(self) -> tuple[ArticleRef, ...]:
        return self.meta.articles or ()

    @property
    def places(self) -> list[Place]:
        """The place features (stops and mentions), in file order."""
        return [f for f in self.features if isinstance(f, Place)]

    @property
    def stops(self) -> list[Place]:
        """The stops ordered along the route."""
        found = [f for f in self.features if isinstance(f, Place) and f.role == Role.STOP]
        return sorted(found, key=lambda f: (f.stop or 0, str(f.id or "")))

    @property
    def mentions(self) -> list[Place]:
        """The places only talked about, in file order."""
        return [f for f in self.features if isinstance(f, Place) and f.role == Role.MENTION]

    @property
    def route(self) -> Route | None:
        """The route feature, if the story has one."""
        return next((f for f in self.features if isinstance(f, Route)), None)

    def route_visits(self) -> list[Place]:
        """The stops in route order, a place once per visit (a round trip passes a place twice):
        the route's ``stops`` ids when they name stops, else :attr:`stops`."""
        by_id = {str(f.id): f for f in self.stops}
        ids = [str(i) for i in ((self.route.stops if self.route else None) or ())]
        if ids and all(i in by_id for i in ids) and set(ids) == set(by_id):
            return [by_id[i] for i in ids]
        return list(by_id.values())

    def place(self, place_id: str) -> Place | None:
        """The place whose id is ``place_id``."""
        return next((p for p in self.places if str(p.id) == place_id), None)

    def with_meta(self, **changes: Any) -> Story:
        """This story with ``storymap`` members changed."""
        return replace(self, meta=replace(self.meta, **changes))

    def with_features(self, features: Iterable[StoryFeature]) -> Story:
        return replace(self, features=tuple(features))

    def with_place(self, place: Place) -> Story:
        """This story with the place of ``place``'s id replaced by it."""
        return self.with_features(place if isinstance(f, Place) and f.id == place.id else f for f in self.features)
