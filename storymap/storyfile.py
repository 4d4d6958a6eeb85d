"""Read and write the story file (``data/places.geojson``, see GEOJSON.md).

The story file is the one interface between the pipeline and everything that shows it,
so readers here only check the shape they rely on and say clearly what is wrong.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from storymap.errors import StoryError

Story = dict[str, Any]


def dumps_story(story: Story) -> str:
    """Serialise a story deterministically: sorted keys, 2-space indent, UTF-8, final newline."""
    return json.dumps(story, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    A reader never sees a half-written file, and a failed write leaves the old file intact.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_story(story: Story, path: str | os.PathLike[str]) -> Path:
    """Write a story file atomically."""
    return write_atomic(path, dumps_story(story))


def parse_story(text: str, *, name: str = "story") -> Story:
    """Parse and check a story file's text; raise :class:`StoryError` naming ``name``."""
    try:
        story = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"{name}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        raise StoryError(msg) from exc
    if not isinstance(story, dict) or story.get("type") != "FeatureCollection":
        msg = f"{name}: not a GeoJSON FeatureCollection"
        raise StoryError(msg)
    features = story.get("features")
    if not isinstance(features, list):
        msg = f"{name}: the FeatureCollection has no 'features' list"
        raise StoryError(msg)
    for n, feature in enumerate(features):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or "coordinates" not in geometry:
            msg = f"{name}: feature {n} has no geometry"
            raise StoryError(msg)
        if not isinstance(feature.get("properties"), dict):
            msg = f"{name}: feature {n} has no properties"
            raise StoryError(msg)
    meta = story.setdefault("storymap", {})
    if not isinstance(meta, dict):
        msg = f"{name}: 'storymap' member is not an object"
        raise StoryError(msg)
    meta.setdefault("articles", [])
    return story


def load_story(path: str | os.PathLike[str]) -> Story:
    """Read a story file from disk."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        msg = f"{path}: no such story file (build one with 'storymap build')"
        raise StoryError(msg) from exc
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"{path}: cannot read story file ({exc})"
        raise StoryError(msg) from exc
    return parse_story(text, name=str(path))


def places(story: Story) -> list[dict[str, Any]]:
    """The place features (stops and mentions), in file order."""
    return [f for f in story["features"] if f["properties"].get("role") in ("stop", "mention")]


def stops(story: Story) -> list[dict[str, Any]]:
    """The stop features ordered along the route."""
    found = [f for f in story["features"] if f["properties"].get("role") == "stop"]
    return sorted(found, key=lambda f: (f["properties"].get("stop") or 0, f.get("id", "")))


def route(story: Story) -> dict[str, Any] | None:
    """The route feature, if the story has one."""
    for f in story["features"]:
        if f["properties"].get("role") == "route":
            return f
    return None
