"""JSON from text a user hands us (story files, metadata, corpus lines).

:func:`json.loads` fails in three ways on such text, two of them not
:class:`json.JSONDecodeError`: deep nesting (:class:`RecursionError`) and integers too
long to convert (:class:`ValueError`); and it reads ``NaN``, ``Infinity`` and ``1e999``,
which are not JSON, as numbers no export can write back. :func:`loads` turns all three into one
:class:`JSONTextError` whose message says what is wrong in a few words, for the caller to
put after the file or line it names.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from storymap.errors import StorymapError


class JSONTextError(StorymapError, ValueError):
    """Text that is not JSON this program can read; the message is the reason."""


class _NotFinite(ValueError):
    pass


def _constant(name: str) -> float:
    raise _NotFinite(name)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999: valid JSON syntax, but no number Python can hold
        raise _NotFinite(text)
    return value


def loads(text: str | bytes, *, parse_int: Callable[[str], Any] | None = None,
          parse_float: Callable[[str], Any] = _float) -> Any:
    """Parse JSON ``text`` like :func:`json.loads` (``parse_int`` and ``parse_float`` as there;
    by default a float that overflows is refused).

    Raises
    ------
    JSONTextError
        "not valid JSON (... at line L, column C)", "not valid JSON (NaN is not a finite
        number)" (also Infinity and 1e999, which JSON does not have), "JSON nested too
        deeply" or "a number with thousands of digits".
    """
    try:
        return json.loads(text, parse_int=parse_int, parse_float=parse_float, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        msg = f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        raise JSONTextError(msg) from exc
    except _NotFinite as exc:
        msg = f"not valid JSON ({exc} is not a finite number)"
        raise JSONTextError(msg) from exc
    except RecursionError as exc:
        msg = "JSON nested too deeply"
        raise JSONTextError(msg) from exc
    except ValueError as exc:  # the one other refusal: an integer too long to convert
        msg = "a number with thousands of digits"
        raise JSONTextError(msg) from exc
