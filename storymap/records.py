"""Corpus records and plain-text inputs: checked, decoded and read as articles.

A record is one JSON object with a string ``text`` and optionally ``id``, ``title`` (or
``headline``), ``outlet`` (or ``source``), ``published`` (or ``date``; an ISO date) and
``url``. :func:`record_article` reads its text exactly as ``storymap build`` reads an
article file (:func:`storymap.articles.text_article`), so every front end of the pipeline
sees the same story text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from storymap import jsontext
from storymap.articles import Article, Block, text_article
from storymap.errors import StorymapError


class GeoparseError(StorymapError, ValueError):
    """One input line cannot be geoparsed (not JSON, no text...)."""


#: The longest text geoparsed. Longer ones are refused with this number in the message:
#: no news article comes near it, and spaCy and the resolver both slow down with length.
MAX_TEXT_CHARS = 100_000
#: The longest input line read; the rest of a longer line is skipped without being kept
#: in memory. JSON escapes ("\\u0436") make a text up to six times its length in bytes.
MAX_LINE_BYTES = 16 * MAX_TEXT_CHARS

_BOM = "\ufeff"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: file extensions that say what an input is without looking inside
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
TEXT_SUFFIXES = (".txt", ".text", ".md")


def _too_long(count: int | None) -> str:
    size = f"{count:,} characters long" if count is not None else "too long"
    return (f"the text is {size}, over the limit of {MAX_TEXT_CHARS:,} characters per text; "
            "split it into several articles")


def _not_utf8(raw: bytes, exc: UnicodeDecodeError) -> str:
    return f"not UTF-8 (byte 0x{raw[exc.start]:02x} at byte {exc.start + 1})"


def parse_record(line: str | bytes, lineno: int) -> dict:
    """The JSON object of one input line, checked; :class:`GeoparseError` says what is wrong."""
    if isinstance(line, bytes):
        body = line.rstrip(b"\r\n")
        if len(body) > MAX_LINE_BYTES:
            msg = f"line {lineno}: longer than {MAX_LINE_BYTES:,} bytes (texts are limited to {MAX_TEXT_CHARS:,} characters)"
            raise GeoparseError(msg)
        try:
            line = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            msg = f"line {lineno}: {_not_utf8(body, exc)}"
            raise GeoparseError(msg) from exc
    line = line.removeprefix(_BOM)
    try:
        record = jsontext.loads(line)
    except jsontext.JSONTextError as exc:
        msg = f"line {lineno}: {exc}"
        raise GeoparseError(msg) from exc
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        msg = f"line {lineno}: expected a JSON object with a string 'text'"
        raise GeoparseError(msg)
    if len(record["text"]) > MAX_TEXT_CHARS:
        msg = f"line {lineno}: {_too_long(len(record['text']))}"
        raise GeoparseError(msg)
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        msg = (f"line {lineno}: holds \\u{ord(exc.object[exc.start]):04x}, half of a UTF-16 surrogate pair "
               "on its own, which is not a character")
        raise GeoparseError(msg) from exc
    except (ValueError, RecursionError) as exc:
        msg = f"line {lineno}: cannot be written back as JSON ({exc})"
        raise GeoparseError(msg) from exc
    return record


def decode_text(raw: bytes, name: str) -> str:
    """A plain-text input as a string: UTF-8, a leading byte-order mark dropped.

    Raises
    ------
    GeoparseError
        When it is empty, binary (NUL bytes), UTF-16, not UTF-8 or too long.
    """
    if raw.startswith(_UTF16_BOMS):
        msg = f"{name}: UTF-16 text; save it as UTF-8"
        raise GeoparseError(msg)
    if len(raw) > 4 * MAX_TEXT_CHARS + 3:
        msg = f"{name}: {_too_long(None)}"
        raise GeoparseError(msg)
    if b"\x00" in raw:
        msg = f"{name}: binary data (NUL bytes), not text"
        raise GeoparseError(msg)
    try:
        text = raw.decode("utf-8").removeprefix(_BOM)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        msg = f"{name}: line {line}: {_not_utf8(raw, exc)}"
        raise GeoparseError(msg) from exc
    if not text.strip():
        msg = f"{name}: empty, no text to geoparse"
        raise GeoparseError(msg)
    if len(text) > MAX_TEXT_CHARS:
        msg = f"{name}: {_too_long(len(text))}"
        raise GeoparseError(msg)
    return text


def is_comment(line: str | bytes) -> bool:
    """A blank line or a ``#`` comment in JSONL input: skipped, not reported."""
    if isinstance(line, bytes):
        raw = line.removeprefix(b"\xef\xbb\xbf").strip()
        return not raw or raw.startswith(b"#")
    stripped = line.removeprefix(_BOM).strip()
    return not stripped or stripped.startswith("#")


def read_lines(stream: BinaryIO, max_bytes: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """The lines of a binary stream, newline included.

    A line longer than ``max_bytes`` is given cut to ``max_bytes + 1`` bytes with no
    newline (so :meth:`Geoparser.parse_line` reports it as too long); the rest of it is
    read and dropped, never held in memory.
    """
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while True:
                rest = stream.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
        yield line


def input_format(head: Sequence[bytes], name: str | None = None, *, label: str | None = None) -> str:
    """"jsonl" or "text": what an input is, from its file extension or its first lines.

    ``.jsonl``, ``.ndjson`` and ``.json`` files are JSONL and ``.txt``, ``.md`` files are
    text, whatever they hold. Otherwise (standard input, other names) the input is JSONL
    when at least half of the first non-blank lines that are not ``#`` comments start
    with "{": a byte-order mark, a comment or one bad line does not turn a JSONL file
    into one plain-text article.

    Raises
    ------
    GeoparseError
        For UTF-16 input (its lines cannot be told apart as bytes), naming ``label``
        (default ``name``).
    """
    if head and head[0].startswith(_UTF16_BOMS):
        msg = f"{label or name or 'input'}: UTF-16 text; save it as UTF-8"
        raise GeoparseError(msg)
    suffix = Path(name).suffix.lower() if name else ""
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in TEXT_SUFFIXES:
        return "text"
    lines = [line.removeprefix(b"\xef\xbb\xbf").strip() for line in head]
    lines = [line for line in lines if line and not line.startswith(b"#")]
    objects = sum(1 for line in lines if line.startswith(b"{"))
    return "jsonl" if lines and 2 * objects >= len(lines) else "text"


def every_line(article: Article) -> Article:
    """The article with every non-blank line of its text as a block of story text: a
    geoparser lists every name in a text, page furniture and header lines included."""
    blocks = []
    pos = 0
    for line in article.text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            blocks.append(Block(pos + lead, pos + lead + len(stripped)))
        pos += len(line) + 1
    return replace(article, blocks=tuple(blocks))


def record_article(record: dict) -> tuple[Article, str | None]:
    """An :class:`Article` over a corpus record's ``text`` with its ``id``, ``title``,
    ``outlet`` (or ``source``), ``published`` and ``url``; and a note when a field is unusable."""
    article_id = str(record.get("id", ""))
    article, _ = text_article(record["text"], article_id)
    note = None
    published = None
    raw = record.get("published") or record.get("date")
    if raw:
        try:
            published = dt.date.fromisoformat(str(raw)[:10])
        except ValueError:
            note = f"'published' {str(raw)[:40]!r} is not an ISO date like 2023-09-15; read without it"

    def text(*keys: str) -> str | None:
        value = next((record[k] for k in keys if record.get(k) not in (None, "")), None)
        return None if value is None else str(value)

    # the record's own fields win over what the text's furniture and header say
    article = replace(article, title=text("title", "headline") or article.title,
                      source=text("outlet", "source") or article.source,
                      published=published or article.published, url=text("url") or article.url)
    return article, note


__all__ = ["JSONL_SUFFIXES", "MAX_LINE_BYTES", "MAX_TEXT_CHARS", "TEXT_SUFFIXES", "GeoparseError", "decode_text",
           "every_line", "input_format", "is_comment", "read_lines", "parse_record", "record_article"]
