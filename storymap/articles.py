"""Read articles: decode, strip page furniture, find title, outlet and publication date.

An :class:`Article` keeps the whole decoded file text; its ``blocks`` are the character
ranges of story text. Everything else (weather widgets, comment forms, "Related
Articles", share buttons, HTML markup; inside the text, boxes of links to other stories,
captions of old pictures, credit lines, embedded posts, the outlet's name after a web
page's title) is furniture: no place or excerpt may come from it, but the title, outlet
and date may be read from it.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import functools
import hashlib
import html
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from storymap import jsontext
from storymap.dates import find_dates
from storymap.errors import ArticleError, MetadataError
from storymap.files import read_regular
from storymap.lexicon import alternation, phrases, words

#: Articles longer than this many characters are refused: no news article is this long,
#: and build time grows with the text, about 2.3 s of CPU per 100 KB on the 2-core CI
#: machine, most of it the entity model (benchmarks/bench_build.py --scaling).
MAX_CHARS = 1_000_000
#: An HTML page may be larger (markup, scripts); its text is held to MAX_CHARS.
MAX_HTML_CHARS = 5_000_000
#: Files larger than this are not read at all (UTF-32 takes four bytes a character).
MAX_BYTES = 4 * MAX_HTML_CHARS
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

    @functools.cached_property
    def sentences(self) -> tuple[Block, ...]:
        """The sentences of the story text (see :func:`sentences`), split once."""
        return _split_sentences(self.text, self.blocks)

    @functools.cached_property
    def sentence_starts(self) -> tuple[int, ...]:
        return tuple(s.start for s in self.sentences)

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


_NEWLINE = re.compile(r"\r\n|\r|\n")
_AGENCIES = alternation(phrases("photo_agencies"))
_PICTURE = r"(?:photos?|images?|pictures?|photographs?)(?![\w-])"
#: a photo caption kept among the sentences: "This undated photo provided by ... shows",
#: "In this photo taken Friday, ...", "FILE - In this Jan. 5, 2016, file photo, ...", "Photo: ...",
#: "Image copyright ...", and a sentence that ends in a photo credit: "(AP Photo/Jane Doe)",
#: "(... via AP)", "(Jane Doe/Getty Images)", "(Reuters/Jane Doe)", "(Photo: Jane Doe)"
_CAPTION = re.compile(
    r"^\s*(?:In\s+)?(?:this|these)\s+(?:[\w-]+\s+){0,4}?(?:photos?|images?|pictures?|photographs?)\b"
    r"[^.]{0,80}?\b(?:shows?|showing|taken|provided|released|made|obtained)\b"
    r"|^\s*In\s+this\s+(?:(?-i:[A-Z][a-z]{2,8})\.?\s+\d{1,2},?\s+(?:\d{4},?\s+)?)?"
    r"(?:(?:undated|file|handout|aerial)\s+)*" + _PICTURE +
    r"|^\s*(?:file|handout)(?:\s+photo)?\s*[-\u2013\u2014:]\s"
    r"|^\s*(?:" + alternation(phrases("caption_labels")) + r")\s*:\s"
    r"|^\s*(?:" + alternation(phrases("caption_openers")) + r")\b"
    r"|\((?:" + _AGENCIES + r")\s+Photo\s*/"
    r"|\bvia\s+(?:" + _AGENCIES + r")\)\s*$"
    r"|/\s*(?:" + _AGENCIES + r")(?:\s+photo)?\s*\)\s*$"
    r"|\((?:" + _AGENCIES + r")\s*/\s*[^()/]{1,60}\)\s*$"
    r"|\((?:photos?|images?|pictures?)\s*(?::|by\b)[^()]{1,80}\)\s*$",
    re.IGNORECASE)


def is_caption(text: str) -> bool:
    """Whether a sentence is a photo caption (what a picture shows, not what the story tells)."""
    return bool(_CAPTION.search(text))


# --------------------------------------------------------------------------- boxes, captions, credits

#: a caption of a picture taken at another time ("FILE - ...", "This undated photo ...", "In a 2012
#: file photo, ..."): it tells of another event than the story's
_OTHER_TIME = re.compile(r"^\s*file\b|\b(?:" + alternation(phrases("archive_words")) + r")\s+" +
                         r"(?:photos?|images?|pictures?|photographs?|footage)\b", re.IGNORECASE)


def _other_time_caption(block: str) -> bool:
    """Whether a paragraph is the caption of a picture from another time than the story's: a
    caption opens it or a photo credit ends it, and its first sentence says the picture is old
    (then its sentences all tell what the picture shows)."""
    if not is_caption(block):
        return False
    first = _split_sentences(block, [Block(0, len(block))])[0]
    return bool(_OTHER_TIME.search(block, first.start, first.end))


#: A block longer than this is story text, whatever it starts or ends with: captions, credit
#: lines and link boxes are short.
MAX_BOX_CHARS = 800
_BOX_LABEL = alternation(phrases("link_box_labels"))
#: "Related", "Read more:", "[See also]" alone on a line: a box of links to other stories follows
_BOX_HEAD = re.compile(r"^[\s\[(]*(?:" + _BOX_LABEL + r")\s*[:|\u00bb\u203a>.\u2026\u2013\u2014-]*[\s\])]*$",
                       re.IGNORECASE)
#: "Related: Storm floods the coast", "READ MORE | Minister resigns": one link to another story
_BOX_LINK = re.compile(r"^[\s\[(]*(?:" + _BOX_LABEL + r")\s*[:|\u00bb\u203a>\u2013\u2014-]\s*\S", re.IGNORECASE)
#: "[Read the full text of the speech]": an editor's note or a link set in square brackets
_BRACKETED = re.compile(r"^\s*\[[^\[\]]+\]\s*$")
#: a picture's file name left in the text ("map.jpg")
_IMAGE_FILE = re.compile(r"^\s*[\w.%~+-]+\.(?:jpe?g|png|gif|webp|svg|tiff?)\s*$", re.IGNORECASE)
#: an embedded social media post: "... pic.twitter.com/abc", "- Jane Doe (@jdoe) May 1, 2016",
#: "A post shared by Jane Doe (@jdoe) on ..."
_EMBED = re.compile(r"\bpic\.twitter\.com/\w+|\(@\w{1,30}\)\s+\w+\.?\s+\d{1,2},?\s+\d{4}\s*$|"
                    r"^\s*a post shared by\b", re.IGNORECASE)
#: a word of a person's or a place's name: capitalised, or a particle ("al-Sayed", "van Dijk")
_NAME_WORD = (r"(?-i:[A-Z][\w'\u2019.-]*|(?:al|el|bin|ibn|de|da|di|du|van|von|der|den|del|le|la|dos|das)"
              r"(?:-[\w'\u2019.]+)?)")
_NAMES = _NAME_WORD + r"(?:,?\s+(?:(?:and|in|from)\s+)?" + _NAME_WORD + r"){0,8}"
_CREDIT_PART = r"(?:" + alternation(phrases("credit_words")) + r")\s+by\s+" + _NAMES
#: a credit line: "(Reporting by Jane Doe in Lima; Editing by John Roe)", "Jane Doe in Lima
#: contributed to this report.", "Doe reported from Lima."
_CREDIT = re.compile(
    r"^\s*\(\s*(?:" + alternation(phrases("credit_words")) + r")\s+by\b[^()]*\)\s*$"
    r"|^\s*" + _CREDIT_PART + r"(?:\s*[;,]\s*(?:and\s+)?" + _CREDIT_PART + r")*\s*\.?\s*$"
    r"|^[^.!?]{1,150}\bcontributed\s+(?:reporting\b|to\s+this\s+(?:report|story|article)\b)[^!?]{0,150}$"
    r"|^\s*" + _NAMES + r"\s+reported\s+from\s+" + _NAMES + r"\.?\s*$",
    re.IGNORECASE)
#: the end of a sentence: a full stop, a question or exclamation mark, perhaps inside quotes or brackets
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s*$")


def _headline_like(line: str) -> bool:
    """A short line that ends without a sentence's end: a headline, a link's or a video's title."""
    return len(line) <= 200 and not _SENTENCE_END.search(line)


def _boxes(text: str, blocks: list[Block]) -> tuple[list[Block], list[str]]:
    """The blocks of story text among ``blocks``, and the text of those that are a page's
    furniture: the captions of pictures from another time (the whole paragraph; a caption of the
    story's own event stays, as it may date a stop, and :func:`is_caption` tells its sentences
    apart), boxes of links to other stories (a "Related" or "Read more" line and the headlines under
    it), credit lines, embedded social media posts, pictures' file names, and the headlines of
    other stories or videos after the story's last paragraph. A first block that reads as a
    headline is the article's and stays; a text that is all furniture stays whole.
    """
    headline = bool(blocks) and _headline_like(text[blocks[0].start : blocks[0].end])
    kept: list[Block] = []
    dropped: list[str] = []
    in_box = False
    for i, b in enumerate(blocks):
        line = text[b.start : b.end]
        if headline and i == 0:
            kept.append(b)
            continue
        if in_box and _headline_like(line):
            dropped.append(line)
            continue
        in_box = False
        if len(line) <= MAX_BOX_CHARS and _BOX_HEAD.match(line):
            in_box = True
        elif len(line) > MAX_BOX_CHARS or not (
                _BOX_LINK.match(line) or _BRACKETED.match(line) or _IMAGE_FILE.match(line) or
                _EMBED.search(line) or _CREDIT.match(line) or _other_time_caption(line)):
            kept.append(b)
            continue
        dropped.append(line)
    # after the story's last paragraph: the headlines of other stories and videos
    first = 1 if headline else 0
    last = max((k for k in range(first, len(kept)) if not _headline_like(text[kept[k].start : kept[k].end])),
               default=None)
    if last is not None and not any(text[b.start : b.end].endswith(":") for b in kept[last + 1 :]):
        # (a line ending in a colon leads in a list of the story's own: "The band plays these halls:")
        while len(kept) > last + 1:
            line = text[kept[-1].start : kept[-1].end]
            if len(line.split()) < 5 or line.isupper() or line[:1].isdigit() or find_dates(line):
                break  # a sign-off ("REUTER"), a subhead in capitals, a dated list's line: no headline
            dropped.append(line)
            kept.pop()
    if not kept:
        return blocks, []  # nothing else to read: the text is what its reader gave, not a page's margin
    return kept, dropped


def _lines(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each line in ``text[start:end]``, without the newline (``\\n``,
    ``\\r\\n`` or a lone ``\\r``, as old Mac files have)."""
    end = len(text) if end is None else end
    out = []
    for m in _NEWLINE.finditer(text, start, end):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, end))
    return out


#: Hard-wrapped text (wire copy, e-mail) breaks its lines near one width, within this range.
_WRAP_WIDTHS = range(50, 101)


def _unwrap(text: str, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Lines joined into paragraphs where the text is hard-wrapped.

    A text is hard-wrapped when most of its lines end near one width (the longest line,
    50 to 100 characters). There a line that reaches near that width continues on the
    next one, unless the next is blank or indented more than the text's continuation
    lines (an indented first line starts a paragraph, as in wire copy).
    """
    lengths = [(e - s, len(text[s:e]) - len(text[s:e].lstrip())) for s, e in ranges if text[s:e].strip()]
    if len(lengths) < 4:
        return ranges
    width = max(n for n, _ in lengths)
    if width not in _WRAP_WIDTHS or sum(n >= width - 20 for n, _ in lengths) < 0.5 * len(lengths):
        return ranges
    margin = min(indent for _, indent in lengths)
    out: list[tuple[int, int]] = []
    joining = False
    for s, e in ranges:
        line = text[s:e]
        indent = len(line) - len(line.lstrip())
        if joining and line.strip() and indent <= margin:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
        joining = bool(line.strip()) and e - s >= width - 25 and not line.rstrip().endswith(":")
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
    #: the outlet a web page's title names after the headline ("... – The Example Post")
    outlet: str | None = None


def _scan_plain(text: str, ranges: list[tuple[int, int]] | None = None) -> _Scan:
    """Split plain text into story blocks (one per non-empty line) and furniture lines."""
    ranges = _unwrap(text, ranges if ranges is not None else _lines(text))
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
        # (a "Read more" line heads a box of links: :func:`_boxes` drops it with the links)
        if tail or _TAIL_RE.match(line) or _FURNITURE_RE.match(line) and not _BOX_HEAD.match(line):
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
    blocks, boxes = _boxes(text, blocks)
    outlet = None
    if blocks and _headline_like(text[blocks[0].start : blocks[0].end]):
        blocks[0], outlet = _title_outlet(text, blocks[0])
    return _Scan(blocks, header + dates, furniture + boxes + dates, outlet)


#: the last part of a web page's title, after a dash or a bar: perhaps the outlet's name
_TITLE_TAIL = re.compile(r"\s+[-\u2013\u2014|]\s+(?P<name>(?:(?!\s[-\u2013\u2014|]\s).){2,50}?)\s*$")
_DOMAIN = re.compile(r"(?:www\.)?[\w-]+(?:\.[a-z]{2,6}){1,2}", re.IGNORECASE)
_MASTHEAD_WORDS = words("masthead_words")


def _title_outlet(text: str, block: Block) -> tuple[Block, str | None]:
    """A headline without the outlet's name a web page's title ends in ("Minister visits Leeds
    – The Example Post", "... | example.com", "... - CNN"), and that name; the block as it is and
    None when its last part names no outlet (a web address, capitals, a wire agency, or
    capitalised words with a newspaper's word such as "Post" or "News")."""
    line = text[block.start : block.end]
    m = _TITLE_TAIL.search(line)
    if m is None or m.start() < 10:
        return block, None
    name = m.group("name")
    tokens = name.split()
    if len(tokens) > 5:
        return block, None
    if (_DOMAIN.fullmatch(name) or re.fullmatch(r"[A-Z]{2,5}", name) or name.lower() in words("photo_agencies") or
            all(t[:1].isupper() for t in tokens) and any(t.lower().strip(".,'\u2019") in _MASTHEAD_WORDS
                                                         for t in tokens)):
        return Block(block.start, block.start + m.start()), name
    return block, None


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
    blocks, boxes = _boxes(flat, blocks)
    return _Scan(blocks, [], boxes), meta, tuple(flat_where)


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


#: Metadata files larger than this are not read: a few fields take a few hundred bytes.
MAX_META_BYTES = 1_000_000
#: Front matter is looked for in this many characters at the top of a Markdown file.
MAX_FRONT_MATTER = 65_536
#: A metadata value longer than this is ignored (a title, an outlet, a URL).
MAX_FIELD_CHARS = 2_000
_FRONT_MATTER = re.compile(r"---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def _front_matter(text: str, where: str = "front matter") -> tuple[dict[str, str], int, list[str]]:
    """Flat ``key: value`` front matter between ``---`` lines at the top of a Markdown file;
    its end offset, and warnings naming ``where`` and the field."""
    if not re.match(r"---[ \t]*\r?\n", text):
        return {}, 0, []
    m = _FRONT_MATTER.match(text, 0, min(len(text), MAX_FRONT_MATTER))
    if not m:
        return {}, 0, [f"{where}: the '---' block at the top is not closed by a '---' line within "
                       f"{MAX_FRONT_MATTER // 1024} KB; read as text"]
    meta = {}
    for line in m.group(1).splitlines():
        if ":" in line and not line.lstrip().startswith("#"):
            k, v = line.split(":", 1)
            meta[k.strip().lower()] = v.strip().strip("'\"")
    fields, warnings = _meta_fields(meta, where)
    return fields, m.end(), warnings


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _meta_fields(data: dict, where: object) -> tuple[dict[str, str], list[str]]:
    """The known fields of a metadata mapping; a warning for each one that cannot be used."""
    out: dict[str, str] = {}
    warnings: list[str] = []
    for k in META_KEYS:
        v = data.get(k)
        if v is None:
            continue
        if not isinstance(v, str):
            kind = {bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "an object"}.get(
                type(v), type(v).__name__)
            warnings.append(f"{where}: '{k}' must be a string, not {kind}; ignored")
            continue
        v = v.strip()
        if len(v) > MAX_FIELD_CHARS:
            warnings.append(f"{where}: '{k}' is too long ({len(v):,} characters, at most {MAX_FIELD_CHARS:,}); ignored")
            continue
        if k == "published" and v:
            try:
                _parse_published(v, where)
            except MetadataError as exc:
                warnings.append(f"{exc}; ignored")
                continue
        if v:
            out[k] = v
    return out, warnings


def _big_int(digits: str) -> int | float:
    """JSON integers, but no 100,000-digit ones (Python refuses to parse those)."""
    return int(digits) if len(digits) <= 300 else float("inf")


def _read_meta_file(path: Path) -> tuple[dict[str, str], list[str]]:
    """The metadata in ``NAME.meta.json`` beside an article, with a warning for each problem."""
    meta_path = path.with_name(path.stem + ".meta.json")
    if not os.path.lexists(meta_path):
        return {}, []
    try:
        raw = _read_file(meta_path, MAX_META_BYTES, "a metadata file")
    except ArticleError as exc:
        return {}, [f"{exc}; ignored"]
    try:
        # numbers too big for Python are kept as infinity, for the field check to name them
        data = jsontext.loads(raw.decode("utf-8-sig"), parse_int=_big_int, parse_float=float)
    except UnicodeDecodeError as exc:
        return {}, [f"{meta_path}: not UTF-8 text (byte {exc.start}); ignored"]
    except jsontext.JSONTextError as exc:
        return {}, [f"{meta_path}: {exc}; ignored"]
    if not isinstance(data, dict):
        return {}, [f"{meta_path}: must hold a JSON object such as "
                    f'{{"title": ..., "published": "2023-09-15"}}, not {type(data).__name__}; ignored']
    return _meta_fields(data, meta_path)


def _parse_published(value: str | None, where: object) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        raise MetadataError(where, f"'published' {_short(value)} is not an ISO date like 2023-09-15") from exc


# --------------------------------------------------------------------------- reading


def article_id(path: Path) -> str:
    """A stable id from the file name (the seeds are named ``NNN_hash.txt``)."""
    stem = re.sub(r"[^\w.-]+", "-", path.stem).strip("-")
    return stem or hashlib.sha1(str(path).encode()).hexdigest()[:12]


def _slug(text: str) -> str:
    return re.sub(r"[^\w.-]+", "-", text).strip("-")


def unique_ids(articles: Sequence[Article]) -> list[Article]:
    """The articles, with ids made unique where file names collide.

    An id is the file's stem (``article_id``). Articles that share one ("d1/story.txt"
    and "d2/story.txt", or "story.txt" and "story.html") all get a suffix: the file's
    extension when that tells them apart, else its folder's name, else a short hash of
    its bytes. The same files give the same ids whatever order they are given in.
    """
    groups: dict[str, list[Article]] = {}
    for a in articles:
        groups.setdefault(a.id, []).append(a)
    taken = {i for i, group in groups.items() if len(group) == 1}
    renamed: dict[int, str] = {}
    for base in sorted(i for i, group in groups.items() if len(group) > 1):
        group = groups[base]
        for suffix in (lambda a: a.path.suffix.lstrip("."), lambda a: a.path.resolve().parent.name,
                       lambda a: a.sha256[:8] or hashlib.sha1(str(a.path).encode()).hexdigest()[:8]):
            ids = [f"{base}-{_slug(suffix(a))}".rstrip("-") for a in group]
            if len(set(ids)) == len(ids) and not (set(ids) & taken) and base not in ids:
                break
        else:  # identical files under the same name: number them in a stable order
            order = sorted(range(len(group)), key=lambda k: (group[k].sha256, str(group[k].path.resolve())))
            ids = [""] * len(group)
            for n, k in enumerate(order, 1):
                ids[k] = f"{base}-{group[k].sha256[:8]}-{n}"
        taken.update(ids)
        renamed.update((id(a), new) for a, new in zip(group, ids, strict=True))
    return [dataclasses.replace(a, id=renamed[id(a)]) if id(a) in renamed else a for a in articles]


#: byte-order marks, longest first (the UTF-32 LE mark begins with the UTF-16 LE one)
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"), (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
         (b"\xef\xbb\xbf", "utf-8", "UTF-8"), (b"\xff\xfe", "utf-16-le", "UTF-16"),
         (b"\xfe\xff", "utf-16-be", "UTF-16"))
#: control characters that text files do not hold (tab, newlines, form feed and escape are allowed)
_BINARY_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0b\x0c\x1b")


def _read_file(path: Path, limit: int, what: str) -> bytes:
    """The bytes of ``path`` (:func:`storymap.files.read_regular`), problems as :class:`ArticleError`."""
    def error(problem: str) -> ArticleError:
        if problem.startswith("not a regular file"):
            problem += f"; {what} must be a file"
        return ArticleError(path, problem)

    return read_regular(path, limit, error)


def _decode(path: Path) -> tuple[str, str, list[str]]:
    """The text of an article file, its bytes' SHA-256, and warnings (stray NUL bytes)."""
    raw = _read_file(path, MAX_BYTES, "an article")
    sha256 = hashlib.sha256(raw).hexdigest()
    warnings: list[str] = []
    bom = next(((mark, codec, name) for mark, codec, name in _BOMS if raw.startswith(mark)), None)
    if bom is not None:
        mark, codec, name = bom
        try:
            text = raw[len(mark):].decode(codec)
        except UnicodeDecodeError as exc:
            msg = f"not {name} text although it starts with a {name} byte-order mark (byte {exc.start + len(mark)})"
            raise ArticleError(path, msg) from exc
        if sum(text.count(chr(b)) for b in _BINARY_BYTES) > max(2, len(text) // 100):
            raise ArticleError(path, f"binary file, not {name} text")
    else:
        head = raw[:8192]
        odd, even = head[1::2], head[0::2]
        if head.count(0) and (odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even) or
                              even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd)):
            raise ArticleError(path, "binary file, or UTF-16 text without a byte-order mark; save it as UTF-8")
        if sum(raw.count(b) for b in _BINARY_BYTES) > max(2, len(raw) // 100):
            raise ArticleError(path, "binary file, not text")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if b"\x00" in raw:
                raise ArticleError(path, "binary file, not text") from exc
            msg = f"not UTF-8 text (byte {exc.start}: {raw[exc.start:exc.start + 1]!r}); save it as UTF-8"
            raise ArticleError(path, msg) from exc
    if len(text) > MAX_HTML_CHARS:  # too long whatever it is; name the limit that applies to it
        html_file = path.suffix.lower() in (".html", ".htm")
        _too_long(path, len(text), MAX_HTML_CHARS if html_file else MAX_CHARS, " in the page" if html_file else "")
    if "\x00" in text:
        # NUL bytes in otherwise good text: blanks, so offsets still index the file's text
        warnings.append(f"{path}: {text.count(chr(0))} NUL bytes in the text read as spaces")
        text = text.replace("\x00", " ")
    if not text.replace("\ufeff", "").strip():
        raise ArticleError(path, "empty file" if not raw else "empty file (only white space)")
    return text, sha256, warnings


def _too_long(path: Path, n: int, limit: int, what: str = "") -> None:
    msg = (f"too large ({n:,} characters{what}; an article is at most {limit:,} characters, "
           "as build time grows with length)")
    raise ArticleError(path, msg)


def read_article(path: str | Path) -> tuple[Article, list[str]]:
    """Read one article file; return it with any warnings (e.g. an ignored metadata file)."""
    path = Path(path)
    text, sha256, warnings = _decode(path)
    is_html = path.suffix.lower() in (".html", ".htm") or re.match(r"\s*(<!doctype html|<html)", text, re.IGNORECASE)
    if is_html:
        scan, found, offsets = _scan_html(text, path)
        text = found.pop("_text") or ""
        if len(text) > MAX_CHARS:
            _too_long(path, len(text), MAX_CHARS, " of text in the page")
        if not scan.blocks:
            raise ArticleError(path, "no article text found (only page furniture)")
        article = _article(article_id(path), path, text, scan, found, warnings, title_from_text=False)
        article = dataclasses.replace(article, file_offsets=offsets)
    else:
        if len(text) > MAX_CHARS:
            _too_long(path, len(text), MAX_CHARS)
        article, more = text_article(text, article_id(path), path=path, markdown=path.suffix.lower() == ".md")
        warnings += more
        if not article.blocks:
            raise ArticleError(path, "no article text found (only page furniture)")
    meta, bad = _read_meta_file(path)
    warnings += bad
    if meta:
        title = html.unescape(meta["title"]).strip() or None if "title" in meta else article.title
        published = article.published
        if "published" in meta:
            published = _parse_published(meta["published"], path)  # checked by _meta_fields
        article = dataclasses.replace(
            article, title=title,
            source=meta.get("source", article.source), original_source=meta.get("original_source", article.original_source),
            published=published, url=meta.get("url") or article.url)
    return dataclasses.replace(article, sha256=sha256), warnings


def text_article(text: str, article_id: str, *, path: Path | None = None,
                 markdown: bool = False) -> tuple[Article, list[str]]:
    """An :class:`Article` over plain text, read as ``storymap build`` reads a ``.txt`` file
    (``.md`` with ``markdown``): hard-wrapped lines rejoined into paragraphs, page furniture
    and a heading dateline block set apart, the title, outlet and publication date read from
    them. ``path`` (default ``article_id``) names it in warnings. Its ``blocks`` are empty when
    the text holds only furniture.
    """
    path = Path(article_id) if path is None else path
    warnings: list[str] = []
    found: dict[str, str | None] = {}
    front, skip, bad = _front_matter(text, f"{path} (front matter)") if markdown else ({}, 0, [])
    warnings += bad
    found.update(front)
    scan = _scan_plain(text, _lines(text, skip))
    if markdown:
        scan.blocks[:] = [_strip_markdown(text, b) for b in scan.blocks]
    return _article(article_id, path, text, scan, found, warnings, title_from_text=True), warnings


def _article(ident: str, path: Path, text: str, scan: _Scan, found: dict[str, str | None], warnings: list[str],
             *, title_from_text: bool) -> Article:
    """The article of a scanned text: title, outlet, original source and publication date
    from the fields ``found`` in its markup, else from its first block, furniture and header."""
    title = found.get("title")
    if not title and title_from_text and scan.blocks:
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
    source = source or scan.outlet
    published = None
    if found.get("published"):
        try:
            published = _parse_published(str(found["published"]), path)
        except MetadataError as exc:
            warnings.append(f"{exc}; ignored")
    if published is None:
        for line in scan.header:
            full = [(d.year, d.month, d.day) for d in find_dates(line)
                    if d.year is not None and d.month is not None and d.day]
            if full:
                published = dt.date(*full[0])
                break
    return Article(id=ident, path=path, text=text, blocks=tuple(scan.blocks),
                   title=html.unescape(title).strip() if title else None, source=source, published=published,
                   url=found.get("url"), original_source=original)


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


_ABBREV = words("period_abbreviations")
_BOUNDARY = re.compile(r"[.!?]+[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")


_LAST_WORD = re.compile(r"([\w.]+)$")
#: Longer "sentences" (lists, text without full stops) are cut at a comma or a space, so
#: an excerpt stays readable and the work per sentence bounded.
MAX_SENTENCE = 1_000


def sentences(article: Article) -> tuple[Block, ...]:
    """Sentences of the story text, as ranges of the article file (never across blocks).

    Split once per article; every stage reads the same ranges.
    """
    return article.sentences


def sentence_at(article: Article, pos: int) -> Block | None:
    """The sentence holding ``text[pos]``, or None outside the story text."""
    found = article.sentence_starts
    i = bisect.bisect_right(found, pos) - 1
    if i >= 0:
        sent = article.sentences[i]
        if sent.start <= pos < sent.end:
            return sent
    return None


def _split_sentences(text: str, blocks: Sequence[Block]) -> tuple[Block, ...]:
    out: list[Block] = []
    for block in blocks:
        start = block.start
        for m in _BOUNDARY.finditer(text, block.start, block.end):
            # the word before the full stop (a few characters back is enough for an abbreviation)
            word = _LAST_WORD.search(text, max(start, m.start() - 40), m.start())
            w = (word.group(1) if word else "").lower().rstrip(".")
            if w in _ABBREV or (len(w) == 1 and w.isalpha()) or re.fullmatch(r"(?:[a-z]\.)+[a-z]", w):
                continue
            end = m.start() + len(m.group(0).rstrip())
            out += _cut(text, start, end)
            start = m.end()
        if start < block.end:
            out += _cut(text, start, block.end)
    return tuple(out)


_CUT_AT = re.compile(r"[;,]\s+|\s+")


def _cut(text: str, start: int, end: int) -> list[Block]:
    """A sentence, in pieces of at most MAX_SENTENCE characters when it is longer."""
    out = []
    while end - start > MAX_SENTENCE:
        limit = start + MAX_SENTENCE
        window = text[start + MAX_SENTENCE // 2 : limit]
        gaps = [m for m in _CUT_AT.finditer(window)]
        stops = [m for m in gaps if m.group(0)[0] in ";,"] or gaps
        if stops:
            cut = start + MAX_SENTENCE // 2 + stops[-1].start() + (1 if stops[-1].group(0)[0] in ";," else 0)
            nxt = start + MAX_SENTENCE // 2 + stops[-1].end()
        else:
            cut = nxt = limit
        out.append(Block(start, cut))
        start = nxt
    if start < end:
        out.append(Block(start, end))
    return out
