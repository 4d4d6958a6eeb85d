"""Read and write the story file (``data/places.geojson``, see docs/story-file.md).

The story file is the one interface between the pipeline and everything that shows it,
so readers here only check the shape they rely on and say clearly what is wrong.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import reprlib
import stat
import tempfile
import time
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from storymap import jsontext
from storymap.errors import StoryError, StorymapError

Story = dict[str, Any]


def dumps_story(story: Story) -> str:
    """Serialise a story deterministically: sorted keys, 2-space indent, UTF-8, final newline."""
    return json.dumps(story, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class OutputError(StorymapError):
    """An output file cannot be written (a directory or device in the way, no permission...)."""


#: temporaries of a crashed writer older than this are removed even when their pid cannot be read
_STALE_SECONDS = 3600


def pid_alive(pid: int) -> bool:
    """Whether a process with this id is running (on this machine)."""
    if pid <= 0:
        return False
    if os.name != "posix":  # pragma: no cover - no cheap check: assume it is
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:
        return True
    return True


def temp_prefix(name: str) -> str:
    """The start of the name of this process's temporaries for an output called ``name``.

    ``.NAME.PID.``: the pid tells a later writer whether the one that made it is gone.
    """
    return f".{name[:120]}.{os.getpid()}."


def remove_stale_temporaries(folder: str | os.PathLike[str], prefix: str, suffix: str) -> list[Path]:
    """Remove ``PREFIX<pid>.<random>SUFFIX`` files in ``folder`` whose process is gone; return them.

    ``PREFIX`` is what :func:`temp_prefix` gives without the pid. A temporary without a
    pid (``PREFIX<random>SUFFIX``, from an older version) is removed once it has not
    changed for an hour. Files that cannot be removed are left alone.
    """
    removed = []
    pattern = re.compile(re.escape(prefix) + r"(?:(\d+)[.-])?[a-z0-9_]{8}" + re.escape(suffix))
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if not match:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if match.group(1):
                stale = not pid_alive(int(match.group(1)))
            else:
                stale = time.time() - entry.stat(follow_symlinks=False).st_mtime > _STALE_SECONDS
            if stale:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"))


def output_target(path: str | os.PathLike[str]) -> Path:
    """The file that writing ``path`` replaces: ``path``, or the file a symbolic link points to.

    Raises
    ------
    OutputError
        When ``path`` (or what it links to) exists and is not a regular file: a directory,
        a device such as /dev/null, a FIFO or a socket is never replaced by a file.
    """
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        st = target.stat()
    except FileNotFoundError:
        return target  # a new file (or a link to one not written yet)
    except OSError as exc:
        msg = f"{path}: cannot write there ({exc.strerror or exc})"
        raise OutputError(msg) from exc
    if not stat.S_ISREG(st.st_mode):
        kind = next((k for test, k in _KINDS if test(st.st_mode)), "not a regular file")
        via = f" (through the link to {target})" if target != path else ""
        msg = f"{path}: is {kind}{via}, not a regular file; refusing to write over it"
        raise OutputError(msg)
    return target


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary file name beside ``path``; when the block ends without error it replaces ``path``.

    For writers that need a file name (a GeoPackage driver); :func:`atomic_output` gives
    an open file instead. If the block raises (or the process dies) ``path`` keeps its
    old content; the temporary is removed, and one left by a killed writer (its name holds
    the writer's pid) is removed by the next write beside the same file. A symbolic link
    is written through (the file it points to is replaced, the link kept); a directory,
    device, FIFO or socket is refused with :class:`OutputError`, and left as it was.
    """
    target = output_target(path)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(folder, f".{target.name[:120]}.", suffix)
        fd, name = tempfile.mkstemp(prefix=temp_prefix(target.name), suffix=suffix, dir=folder)
        os.close(fd)
    except OSError as exc:
        msg = f"{path}: cannot write there ({exc.strerror or exc})"
        raise OutputError(msg) from exc
    tmp = Path(name)
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())  # on disk before it takes the real name
        try:
            mode = stat.S_IMODE(target.stat().st_mode)  # a replaced file keeps its permissions
        except FileNotFoundError:
            mode = 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        msg = f"{path}: cannot write there ({exc.strerror or exc})"
        raise OutputError(msg) from exc


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Like :func:`atomic_path`, with the temporary file open for writing bytes."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        yield fh


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    A reader never sees a half-written file, and a failed write leaves the old file intact.
    See :func:`atomic_path` for symbolic links and what is refused.

    Raises
    ------
    OutputError
        When ``path`` is a directory, device, FIFO or socket, or cannot be written.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with atomic_output(path) as fh:
            fh.write(raw)
    except OSError as exc:
        msg = f"{path}: cannot write there ({exc.strerror or exc})"
        raise OutputError(msg) from exc
    return Path(path)


def write_story(story: Story, path: str | os.PathLike[str]) -> Path:
    """Write a story file atomically."""
    return write_atomic(path, dumps_story(story))


#: a story file larger than this is refused: it is not one a person made, and reading it whole
#: would only exhaust memory
MAX_STORY_BYTES = 512 * 1024 * 1024
_SCHEMA_FILE = Path(__file__).parent / "data" / "story.schema.json"
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
    if kind == "pattern":
        return f"{value} is not an ISO date (YYYY-MM-DD)"
    return reprlib.repr(error.message)


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
    try:
        with open(path, "rb", opener=lambda p, flags: os.open(p, flags | os.O_NONBLOCK)) as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                msg = f"{path}: not a regular file"
                raise StoryError(msg)
            if info.st_size > MAX_STORY_BYTES:
                msg = f"{path}: {info.st_size / 1e6:.0f} MB is too large for a story file"
                raise StoryError(msg)
            text = fh.read(MAX_STORY_BYTES + 1).decode("utf-8")
    except FileNotFoundError as exc:
        msg = f"{path}: no such story file (build one with 'storymap build')"
        raise StoryError(msg) from exc
    except IsADirectoryError as exc:
        msg = f"{path}: is a folder, not a story file"
        raise StoryError(msg) from exc
    except UnicodeDecodeError as exc:
        msg = f"{path}: not a story file (not UTF-8 text: byte {exc.start})"
        raise StoryError(msg) from exc
    except OSError as exc:
        msg = f"{path}: cannot read story file ({exc.strerror or exc})"
        raise StoryError(msg) from exc
    return parse_story(text.removeprefix("\ufeff"), name=str(path))


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
