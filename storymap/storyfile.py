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
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from storymap import jsontext
from storymap.errors import StoryError
from storymap.files import read_regular, write_atomic

Story = dict[str, Any]


def slugify(name: str) -> str:
    """A stable, URL-safe id from a place name: ``"Komsomolsk-on-Amur"`` -> ``"komsomolsk-on-amur"``."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['’]", "", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "place"


def dumps_story(story: Story) -> str:
    """Serialise a story deterministically: sorted keys, 2-space indent, UTF-8, final newline."""
    return json.dumps(story, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_story(story: Story, path: str | os.PathLike[str]) -> Path:
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
        expected = expected if isinstance(expected, list) else [expected]
        return f"{value} is not {' or '.join(_TYPE_WORDS.get(e, e) for e in expected)}"
    if kind == "const":
        return f"{value} should be {error.validator_value!r}"
    if kind == "enum":
        return f"{value} should be one of {', '.join(map(repr, error.validator_value))}"
    if kind == "required":
        return error.message
    if kind in ("minimum", "maximum"):
        word = "less" if kind == "minimum" else "more"
        return f"{value} is {word} than {error.validator_value}"
    if kind in ("minItems", "maxItems"):
        return f"{value} has too {'few' if kind == 'minItems' else 'many'} items"
    if kind == "pattern" and "data:image" in str(error.validator_value):
        return f"{value} {_NOT_MEDIA}"
    if kind == "pattern":
        return f"{value} is not an ISO date (YYYY-MM-DD)"
    return reprlib.repr(error.message)


_NOT_MEDIA = ("is not an image source: a media src is an http(s) address or an inline PNG, JPEG, GIF or WebP "
              "image (data:image/...;base64,...), never a file path")


def _flat_visits(story: Story) -> None:
    """Read the ``visits`` text (``"1;4"``) that GeoJSON exports of earlier versions wrote over
    the list, as the list it stands for (see docs/story-file.md)."""
    for feature in story["features"]:
        props = feature.get("properties") if isinstance(feature, dict) else None
        visits = props.get("visits") if isinstance(props, dict) else None
        if isinstance(visits, str) and _FLAT_VISITS.fullmatch(visits):
            props["visits"] = [int(v) for v in visits.split(";")]


def _bad_media(story: Story) -> tuple[list[Any], Any] | None:
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


def _not_finite(story: Story) -> tuple[list[Any], Any] | None:
    """The first coordinate that is NaN or infinite (JSON allows neither, Python's parser both)."""
    for n, feature in enumerate(story["features"]):
        geometry = feature["geometry"]
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if not isinstance(coords, list):
            continue
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


def validate_story(story: Any, *, name: str = "story") -> Story:
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


def parse_story(text: str, *, name: str = "story") -> Story:
    """Parse and check a story file's text; raise :class:`StoryError` naming ``name``."""
    try:
        story = jsontext.loads(text)
    except jsontext.JSONTextError as exc:
        msg = f"{name}: {exc}"
        raise StoryError(msg) from exc
    if _SURROGATE_ESCAPE.search(text):
        story = _replace_surrogates(story)
    return validate_story(story, name=name)


def load_story(path: str | os.PathLike[str]) -> Story:
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


def places(story: Story) -> list[dict[str, Any]]:
    """The place features (stops and mentions), in file order."""
    return [f for f in story["features"] if f["properties"].get("role") in ("stop", "mention")]


def stops(story: Story) -> list[dict[str, Any]]:
    """The stop features ordered along the route."""
    found = [f for f in story["features"] if f["properties"].get("role") == "stop"]
    return sorted(found, key=lambda f: (f["properties"].get("stop") or 0, f.get("id", "")))


def route_visits(story: Story) -> list[dict[str, Any]]:
    """The stop features in route order, a place once per visit (a round trip passes a place
    twice): the route's ``stops`` ids when they name stops, else :func:`stops`."""
    by_id = {str(f.get("id")): f for f in stops(story)}
    ids = [str(i) for i in ((route(story) or {}).get("properties", {}).get("stops") or [])]
    if ids and all(i in by_id for i in ids) and set(ids) == set(by_id):
        return [by_id[i] for i in ids]
    return list(by_id.values())


def route(story: Story) -> dict[str, Any] | None:
    """The route feature, if the story has one."""
    for f in story["features"]:
        if f["properties"].get("role") == "route":
            return f
    return None
