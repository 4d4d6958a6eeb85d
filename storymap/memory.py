"""Memory housekeeping shared by the app and the library."""

from __future__ import annotations

from typing import Any


def release_memory() -> bool:
    """Give the allocator's free pages back to the system (glibc ``malloc_trim``); False elsewhere.

    A build or a map for a new story allocates and frees a few hundred MB in the session's
    own thread; glibc keeps those pages per thread arena, so a server's resident memory
    grows with every session unless they are returned.
    """
    global _TRIM
    if _TRIM is None:
        try:
            import ctypes
            import ctypes.util

            _TRIM = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _TRIM = False
    if not _TRIM:
        return False
    _TRIM(0)
    return True


_TRIM: Any = None
