"""Files a user names: read them safely, write them atomically.

Every input storymap reads from a path the user gives (an article, a metadata file, a
story file) goes through :func:`read_regular`: only a regular file, never more than a
cap, never blocking on a FIFO or reading a device forever. Every output goes through
:func:`atomic_path` (or :func:`write_atomic`): a temporary file beside the target,
renamed over it when complete, so a failed or killed run leaves the previous file as it
was; a directory, device, FIFO or socket is never replaced, and a symbolic link is
written through.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from storymap.errors import StorymapError


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, for messages: "a directory", "a named pipe (FIFO)"..."""
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a special file"


def read_regular(path: str | os.PathLike[str], limit: int, error: Callable[[str], Exception]) -> bytes:
    """The bytes of the regular file at ``path``, if it holds at most ``limit`` bytes.

    Never blocks on a FIFO and never reads a device: the file is opened non-blocking and
    checked again after opening.

    Parameters
    ----------
    path
        The file (a symbolic link is followed).
    limit
        The most bytes accepted.
    error
        Makes the exception to raise from a short problem ("not a regular file (a
        directory)", "too large (6.0 MB, at most 5.0 MB)", "no such file"...).
    """
    try:
        info = os.stat(path)
    except FileNotFoundError as exc:
        raise error("a broken symbolic link" if os.path.islink(path) else "no such file") from exc
    except OSError as exc:
        raise error(f"cannot read ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(info.st_mode):
        raise error(f"not a regular file ({kind_of(info.st_mode)})")
    if info.st_size > limit:
        raise error(f"too large ({size_text(info.st_size)}, at most {size_text(limit)})")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise error(f"cannot read ({exc.strerror or exc})") from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # swapped for something else since the check
            raise error(f"not a regular file ({kind_of(mode)})")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise error(f"cannot read ({exc.strerror or exc})") from exc
    finally:
        os.close(fd)
    if len(raw) > limit:  # grew since it was measured
        raise error(f"too large (over {size_text(limit)})")
    return raw


def size_text(n: int) -> str:
    """A file size for messages: "6.0 MB", "12 KB", "300 bytes"."""
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} KB" if n >= 1000 else f"{n} bytes"


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
    removed: list[Path] = []
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
                # an old temporary without a pid is aged by its modification time; no output depends on it
                stale = time.time() - entry.stat(follow_symlinks=False).st_mtime > _STALE_SECONDS  # clock-ok
            if stale:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


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
        kind = kind_of(st.st_mode)
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
