"""Read articles: decode, strip page furniture, find title, outlet and publication date.

An :class:`Article` keeps the whole decoded file text; its ``blocks`` are the character
ranges of story text. Everything else (weather widgets, comment forms, "Related
Articles", share buttons, HTML markup) is furniture: no place or excerpt may come from
it, but the title, outlet and date may be read from it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from storymap.dates import find_dates
from storymap.errors import ArticleError, MetadataError

#: Files larger than this are refused: no news article is 5 MB of text.
MAX_BYTES = 5_000_000
SUFFIXES = (".txt", ".md", ".html", ".htm")
META_KEYS = ("title", "source", "published", "url", "original_source")


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph of story text: ``text[start:end]`` of the article file."""

    start: int
    end: int


@dataclass(frozen=True)
class Article:
    """One input article.

    ``text`` is the decoded file exactly as on disk (``str`` offsets index it) or, for an
    HTML page, the page's text without markup (``file_span`` maps back into the file);
    ``blocks`` are the ranges of ``text`` that hold story text, in order.
    """

    id: str
    path: Path
    text: str
    blocks: tuple[Block, ...]
    title: str | None = None
    source: str | None = None
    published: dt.date | None = None
    url: str | None = None
    original_source: str | None = None
    #: For HTML: ``text`` is the page's decoded text and this maps each of its
    #: characters to its offset in the file; None when ``text`` is the file itself.
    file_offsets: tuple[int, ...] | None = field(default=None, repr=False)
    #: SHA-256 of the file's bytes, so a story can tell when its articles changed
    sha256: str = ""

    def block_text(self, block: Block) -> str:
        """The text of one block."""
        return self.text[block.start : block.end]

    def file_span(self, start: int, end: int) -> tuple[int, int]:
        """Where ``text[start:end]`` lies in the article file (they differ only for HTML)."""
        if self.file_offsets is None:
            return start, end
        return self.file_offsets[start], self.file_offsets[end - 1] + 1


# --------------------------------------------------------------------------- furniture

_FURNITURE_LINE = [
    r"-?\d{1,3}(?:\.\d)?\s*°?\s*[CF]",  # weather widget "28.1 C"
    r"no comments?:?",
    r"\d+ comments?:?",
    r"powered by \w+\.?",
    r"related (?:articles|posts|stories|news)",
    r"(?:latest|recent|popular|trending|most read|more) (?:articles|posts|stories|news)",
    r"stay connected",
    r"please enter your (?:comment|name|email)(?: here)?!?",
    r"leave a (?:reply|comment)",
    r"post a comment",
    r"-?\s*advertisement\s*-?\s*\w*",
    r"(?:share|share this|share on \w+|tweet|print|email)",
    r"(?:subscribe|sign up|follow us|read more|click here|continue reading)\b.*",
    r"(?:all rights reserved|copyright|©).*",
    r"for more (?:updates|news|stories),? stay tuned to .+",
    r"source\s*:\s*.+",
    r"(?:image|photo|picture)\s*(?:credit|source)?\s*:.*",
    r"tags?\s*:.*",
    r"(?:newer|older) posts?",
    r"home",
]
_FURNITURE_RE = re.compile(r"^\s*(?:" + "|".join(_FURNITURE_LINE) + r")\s*$", re.IGNORECASE)
# Once one of these appears, the rest of the page is furniture.
_TAIL_RE = re.compile(
    r"^\s*(?:related (?:articles|posts|stories)|no comments?:?|\d+ comments?:?|leave a (?:reply|comment)|"
    r"post a comment|please enter your comment!?)\s*$",
    re.IGNORECASE,
)
_OUTLET_PATTERNS = [
    re.compile(r"stay tuned to (?P<name>[A-Z][\w&.' -]{1,60}?)\s*[!.]?\s*$", re.IGNORECASE),
    re.compile(r"^\s*(?:©|copyright)\s*(?:\d{4}\s*)?(?P<name>[A-Z][\w&.' -]{1,60}?)[.,]?\s*(?:all rights reserved.*)?$",
               re.IGNORECASE),
]
_ORIGINAL_SOURCE = re.compile(r"^\s*source\s*:\s*(?P<name>.{2,80}?)\s*$", re.IGNORECASE)


def _lines(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each line in ``text[start:end]``, without the newline."""
    end = len(text) if end is None else end
    out = []
    for m in re.finditer(r"[^\n]*", text[start:end]):
        if m.start() == m.end() and out and out[-1][1] == start + m.start():
            continue
        out.append((start + m.start(), start + m.end()))
    return out


def _trimmed(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


@dataclass
class _Scan:
    blocks: list[Block]
    header: list[str]
    furniture: list[str]


def _scan_plain(text: str, ranges: list[tuple[int, int]] | None = None) -> _Scan:
    """Split plain text into story blocks (one per non-empty line) and furniture lines."""
    ranges = ranges if ranges is not None else _lines(text)
    blocks: list[Block] = []
    header: list[str] = []
    dates: list[str] = []
    furniture: list[str] = []
    in_header = True
    tail = False
    for s, e in ranges:
        s, e = _trimmed(text, s, e)
        line = text[s:e]
        if not line:
            if blocks or header:
                in_header = False
            continue
        if tail or _FURNITURE_RE.match(line) or _TAIL_RE.match(line):
            tail = tail or bool(_TAIL_RE.match(line))
            furniture.append(line)
            continue
        # A dateline block at the very top: short lines before the first blank line,
        # one of which is a date or a weather reading ("28.1 C / New Delhi / Friday, ...").
        if in_header and not blocks and len(line) < 60 and not line.endswith("."):
            header.append(line)
            continue
        if len(blocks) <= 2 and _is_dateline(line):
            dates.append(line)  # "May 21, 2023" under the headline: when, not what
            continue
        blocks.append(Block(s, e))
    if header and not any(_is_dateline(h) or _FURNITURE_RE.match(h) for h in header):
        # Not a dateline after all: the first short line was the headline.
        first = [b for b in _header_blocks(text, ranges, header)]
        blocks = first + blocks
        header = []
    return _Scan(blocks, header + dates, furniture + dates)


def _is_dateline(line: str) -> bool:
    """A line that is nothing but a date ("Friday, September 22, 2023", "Published Oct. 18, 2023")."""
    line = re.sub(r"^\s*(?:(?:first\s+|last\s+)?(?:published|updated|posted)(?:\s+on)?|date)\s*:?\s*", "", line,
                  flags=re.IGNORECASE)
    covered = sum(d.end - d.start for d in find_dates(line))
    return covered >= 0.8 * len(line.strip(" ,.|-"))


def _header_blocks(text: str, ranges: list[tuple[int, int]], header: list[str]) -> list[Block]:
    out = []
    wanted = list(header)
    for s, e in ranges:
        s, e = _trimmed(text, s, e)
        if wanted and text[s:e] == wanted[0]:
            out.append(Block(s, e))
            wanted.pop(0)
    return out


# --------------------------------------------------------------------------- HTML


def _html_view(raw: str) -> tuple[str, list[int]]:
    """Decoded text of an HTML page with, for each character, its offset in ``raw``.

    Tags are dropped (block tags become newlines), entities decoded, script/style skipped.
    """
    out: list[str] = []
    where: list[int] = []
    token = re.compile(r"<!--.*?-->|<(script|style|noscript|template)\b.*?</\1\s*>|<[^>]*>|&#?\w+;|[^<&]+|[<&]",
                       re.IGNORECASE | re.DOTALL)
    block_tag = re.compile(r"</?(?:p|div|br|h[1-6]|li|ul|ol|tr|td|th|table|section|article|header|footer|"
                           r"blockquote|figure|figcaption|title|main|aside|nav)\b", re.IGNORECASE)
    for m in token.finditer(raw):
        piece = m.group(0)
        if piece.startswith("<"):
            if block_tag.match(piece):
                out.append("\n")
                where.append(m.start())
            continue
        if piece.startswith("&"):
            decoded = html.unescape(piece)
            for ch in decoded:
                out.append(ch)
                where.append(m.start())
            continue
        for i, ch in enumerate(piece):
            out.append(ch)
            where.append(m.start() + i)
    return "".join(out), where


def _scan_html(raw: str, path: Path) -> tuple[_Scan, dict[str, str | None], tuple[int, ...]]:
    import trafilatura

    meta: dict[str, str | None] = {}
    try:
        doc = trafilatura.bare_extraction(raw, with_metadata=True, favor_precision=True, include_comments=False)
    except Exception as exc:  # trafilatura raises many kinds on broken pages  # noqa: BLE001
        msg = f"cannot extract article text from HTML ({exc.__class__.__name__}: {exc})"
        raise ArticleError(path, msg) from exc
    if doc is None:
        raise ArticleError(path, "no article text found in this HTML page")
    d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    meta = {"title": d.get("title"), "source": d.get("sitename"), "published": d.get("date"), "url": d.get("url")}
    body = d.get("text") or ""
    view, where = _html_view(raw)
    flat, flat_where = _collapse(view, where)
    blocks: list[Block] = []
    pos = 0
    for para in body.split("\n"):
        para = " ".join(para.split())
        if not para or _FURNITURE_RE.match(para):
            continue
        i = flat.find(para, pos)
        if i < 0:
            i = flat.find(para)
        if i < 0:
            continue
        blocks.append(Block(i, i + len(para)))
        pos = i + len(para)
    meta["_text"] = flat
    return _Scan(blocks, [], []), meta, tuple(flat_where)


def _collapse(view: str, where: list[int]) -> tuple[str, list[int]]:
    """Collapse runs of whitespace to one space, keeping the offset map aligned."""
    out: list[str] = []
    w: list[int] = []
    space = False
    for ch, at in zip(view, where, strict=True):
        if ch.isspace():
            if not space and out:
                out.append(" ")
                w.append(at)
            space = True
            continue
        space = False
        out.append(ch)
        w.append(at)
    return "".join(out), w


# --------------------------------------------------------------------------- metadata


def _front_matter(text: str) -> tuple[dict[str, str], int]:
    """Flat ``key: value`` front matter between ``---`` lines at the top of a Markdown file."""
    m = re.match(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", text, re.DOTALL)
    if not m:
        return {}, 0
    meta = {}
    for line in m.group(1).splitlines():
        if ":" in line and not line.lstrip().startswith("#"):
            k, v = line.split(":", 1)
            meta[k.strip().lower()] = v.strip().strip("'\"")
    return meta, m.end()


def _read_meta_file(path: Path) -> dict[str, str]:
    meta_path = path.with_name(path.stem + ".meta.json")
    if not meta_path.exists():
        return {}
    try:
        data = json.loads(meta_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MetadataError(meta_path, f"not valid JSON ({exc}); ignored") from exc
    if not isinstance(data, dict):
        raise MetadataError(meta_path, "must hold a JSON object such as {\"title\": ..., \"published\": \"2023-09-15\"}")
    out = {}
    for k in META_KEYS:
        v = data.get(k)
        if v is None:
            continue
        if not isinstance(v, str):
            raise MetadataError(meta_path, f"'{k}' must be a string, not {type(v).__name__}")
        out[k] = v
    return out


def _parse_published(value: str | None, where: Path) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        raise MetadataError(where, f"published date {value!r} is not an ISO date like 2023-09-15") from exc


# --------------------------------------------------------------------------- reading


def article_id(path: Path) -> str:
    """A stable id from the file name (the seeds are named ``NNN_hash.txt``)."""
    stem = re.sub(r"[^\w.-]+", "-", path.stem).strip("-")
    return stem or hashlib.sha1(str(path).encode()).hexdigest()[:12]


def decode(path: Path) -> tuple[str, str]:
    """Read and decode an article file, refusing what is not text; also its bytes' SHA-256."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ArticleError(path, f"cannot read ({exc.strerror or exc})") from exc
    if size > MAX_BYTES:
        raise ArticleError(path, f"too large ({size / 1e6:.1f} MB; an article is at most {MAX_BYTES / 1e6:.0f} MB)")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ArticleError(path, f"cannot read ({exc.strerror or exc})") from exc
    if not raw.strip():
        raise ArticleError(path, "empty file")
    if b"\x00" in raw[:8192]:
        raise ArticleError(path, "binary file, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = f"not UTF-8 text (byte {exc.start}: {raw[exc.start:exc.start + 1]!r}); save it as UTF-8"
        raise ArticleError(path, msg) from exc
    return text, hashlib.sha256(raw).hexdigest()


def read_article(path: str | Path) -> tuple[Article, list[str]]:
    """Read one article file; return it with any warnings (e.g. an ignored metadata file)."""
    path = Path(path)
    warnings: list[str] = []
    text, sha256 = decode(path)
    is_html = path.suffix.lower() in (".html", ".htm") or re.match(r"\s*(<!doctype html|<html)", text, re.IGNORECASE)
    found: dict[str, str | None] = {}
    offsets = None
    if is_html:
        scan, found, offsets = _scan_html(text, path)
        text = found.pop("_text") or ""
    else:
        front, skip = _front_matter(text) if path.suffix.lower() == ".md" else ({}, 0)
        found.update({k: v for k, v in front.items() if k in META_KEYS})
        scan = _scan_plain(text, _lines(text, skip))
        scan.blocks[:] = [_strip_markdown(text, b) for b in scan.blocks] if path.suffix.lower() == ".md" else scan.blocks
    if not scan.blocks:
        raise ArticleError(path, "no article text found (only page furniture)")

    title = found.get("title")
    if not title and not is_html:
        first = text[scan.blocks[0].start : scan.blocks[0].end]
        if len(first) <= 200 and not first.rstrip().endswith((".", ":")):
            title = first.lstrip("# ").strip()
    source = found.get("source")
    original = found.get("original_source")
    for line in scan.furniture:
        for pat in _OUTLET_PATTERNS:
            m = pat.search(line)
            if m and not source:
                source = m.group("name").strip()
        m = _ORIGINAL_SOURCE.match(line)
        if m and not original:
            original = m.group("name").strip()
    published = None
    if found.get("published"):
        try:
            published = dt.date.fromisoformat(str(found["published"])[:10])
        except ValueError:
            warnings.append(f"{path}: publication date {found['published']!r} is not an ISO date; ignored")
    if published is None:
        for line in scan.header:
            full = [d for d in find_dates(line) if d.year is not None and d.month is not None and d.day]
            if full:
                published = dt.date(full[0].year, full[0].month, full[0].day)
                break
    try:
        meta = _read_meta_file(path)
    except MetadataError as exc:
        warnings.append(str(exc))
        meta = {}
    if meta:
        title = meta.get("title", title)
        source = meta.get("source", source)
        original = meta.get("original_source", original)
        if "published" in meta:
            try:
                published = _parse_published(meta["published"], path.with_name(path.stem + ".meta.json"))
            except MetadataError as exc:
                warnings.append(str(exc) + "; ignored")
    article = Article(
        id=article_id(path),
        path=path,
        text=text,
        blocks=tuple(scan.blocks),
        file_offsets=offsets,
        sha256=sha256,
        title=html.unescape(title).strip() if title else None,
        source=source,
        published=published,
        url=meta.get("url") or found.get("url"),
        original_source=original,
    )
    return article, warnings


def _strip_markdown(text: str, block: Block) -> Block:
    """Drop Markdown line markers (#, >, -, *) from the start of a block."""
    m = re.match(r"(?:#{1,6}|>|[-*+]|\d+\.)\s+", text[block.start : block.end])
    return Block(block.start + m.end(), block.end) if m else block


def find_articles(folder: str | Path) -> list[Path]:
    """Article files in a folder, sorted by name (metadata files excluded)."""
    folder = Path(folder)
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
    )


_ABBREV = frozenset({"mr", "mrs", "ms", "dr", "st", "gen", "sen", "rep", "jr", "sr", "lt", "col", "gov", "prof",
                     "vs", "no", "sgt", "capt", "cmdr", "adm", "mt", "ft", "inc", "corp", "co", "ltd"})
_BOUNDARY = re.compile(r"[.!?]+[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")


def sentences(article: Article) -> list[Block]:
    """Sentences of the story text, as ranges of the article file (never across blocks)."""
    out: list[Block] = []
    text = article.text
    for block in article.blocks:
        start = block.start
        for m in _BOUNDARY.finditer(text, block.start, block.end):
            word = re.search(r"([\w.]+)$", text[start : m.start()] + "")
            w = (word.group(1) if word else "").lower().rstrip(".")
            if w in _ABBREV or (len(w) == 1 and w.isalpha()) or re.fullmatch(r"(?:[a-z]\.)+[a-z]", w):
                continue
            end = m.start() + len(m.group(0).rstrip())
            out.append(Block(start, end))
            start = m.end()
        if start < block.end:
            out.append(Block(start, block.end))
    return out
