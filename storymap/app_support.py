"""Helpers for the Streamlit app (``app.py``) that need no Streamlit.

Everything here is plain Python so it can be tested without a browser: finding or
building the story file, the review table and its filters, excerpts with the place name
highlighted, the timeline, upload checks, downloads and the map page with its URL bridge.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from storymap.articles import find_articles, read_article
from storymap.edits import Edits
from storymap.errors import StoryError, StorymapError
from storymap.storyfile import (ArticleRef, DateStatus, Story, StoryData, as_story, is_media_src,
                                read_story, write_story)

ROOT = Path(__file__).resolve().parent.parent
STORY_PATH = ROOT / "data" / "places.geojson"
SEEDS_DIR = ROOT / "seeds"
UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm")
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILES = 20
MAX_PASTE_CHARS = 200_000
FORMATS: dict[str, tuple[str, str, str]] = {
    # fmt: (label, extension, mime)
    "geojson": ("GeoJSON", ".geojson", "application/geo+json"),
    "html": ("Standalone HTML map", ".html", "text/html"),
    "gpkg": ("GeoPackage", ".gpkg", "application/geopackage+sqlite3"),
    "csv": ("CSV table", ".csv", "text/csv"),
    "kml": ("KML (Google Earth)", ".kml", "application/vnd.google-earth.kml+xml"),
}
#: the video, recorded on request (it takes tens of seconds): fmt: (label, extension, mime)
VIDEOS: dict[str, tuple[str, str, str]] = {"mp4": ("Video (MP4)", ".mp4", "video/mp4")}


# --------------------------------------------------------------------------- the story file
def _newest_mtime(folder: Path) -> float:
    times = [folder.stat().st_mtime] if folder.exists() else []
    times += [p.stat().st_mtime for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
    return max(times, default=0.0)


def story_is_stale(story_path: Path, seeds_dir: Path) -> bool:
    """True when the story file is missing or was not built from the seed files as they are.

    Stories record each article's SHA-256, so a fresh checkout (where file times are
    arbitrary) is not rebuilt for nothing; a story without them falls back to file times.
    """
    if not story_path.exists():
        return True
    try:
        articles = read_story(story_path).articles
    except StoryError:
        return True
    recorded = {Path(a.file or "").name: a.sha256 for a in articles}
    if recorded and all(recorded.values()) and seeds_dir.is_dir():
        current = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in find_articles(seeds_dir)}
        return current != recorded
    return story_path.stat().st_mtime < _newest_mtime(seeds_dir)


def ensure_story(story_path: Path, seeds_dir: Path, *,
                 build: Callable[[Sequence[Path]], Story]) -> Story:
    """Load the story file, building it from ``seeds_dir`` first when missing or stale.

    The built story is written to ``story_path`` when the folder is writable; if it is
    not, the story is still returned.
    """
    if story_is_stale(story_path, seeds_dir):
        if not seeds_dir.is_dir():
            if story_path.exists():
                return read_story(story_path)
            raise StoryError(f"{story_path}: no story file and no {seeds_dir.name}/ folder to build it from")
        story = build([seeds_dir])
        try:
            write_story(story, story_path)
        except OSError:
            pass
        return story
    return read_story(story_path)


def file_stem(story: Story | StoryData) -> str:
    """A download name from the author's headline, else the story's title: ``kim-jong-un-in-russia``."""
    meta = as_story(story).meta
    title = (meta.headline or "").strip() or meta.title or "story-map"
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower().replace("’", "").replace("'", "")).strip("-")
    return (slug or "story-map")[:60].strip("-")


def article_paths(story: Story | StoryData, root: Path = ROOT) -> list[Path]:
    """The article files of a story that still exist on disk."""
    found = []
    for article in as_story(story).articles:
        if article.file:
            p = Path(os.path.normpath(root / article.file))
            if p.is_file():
                found.append(p)
    return found


def article_rows(story: Story | StoryData) -> list[dict[str, Any]]:
    """One row per article: title, outlet, date and link."""
    rows = []
    for a in as_story(story).articles:
        outlet = a.source or ""
        if a.original_source and a.original_source != outlet:
            outlet = f"{outlet} (from {a.original_source})" if outlet else a.original_source
        rows.append({"id": a.id, "title": a.title or Path(a.file or "").name,
                     "outlet": outlet or None, "published": a.published, "url": a.url})
    return rows


# --------------------------------------------------------------------------- review table
def _plain(value: StrEnum | None) -> str | None:
    return None if value is None else str(value)


def place_rows(original: Story | StoryData, shown: Story | StoryData, edits: Edits) -> list[dict[str, Any]]:
    """The review table: every place of the original story with its state after the edits.

    Rejected places stay in the table (review ``rejected``) so they can be restored.
    """
    original, shown = as_story(original), as_story(shown)
    shown_by_id = {str(f.id): f for f in shown.places}
    rows: list[dict[str, Any]] = []
    order = {str(f.id): i for i, f in enumerate(shown.stops)}
    for f in original.places:
        place_id = str(f.id)
        p = shown_by_id.get(place_id, f)
        if place_id in edits.rejected:
            review = "rejected"
        elif place_id in edits.accepted:
            review = "accepted"
        elif p.edited:
            review = "edited"
        else:
            review = "to review"
        articles = sorted({m.article for m in p.mentions or () if m.article})
        rows.append({
            "id": place_id, "name": p.name, "role": "rejected" if review == "rejected" else _plain(p.role),
            "stop": p.stop if review != "rejected" else None, "type": p.place_type,
            "date": p.date, "status": _plain(p.date_status), "confidence": p.confidence,
            "mentions": p.mention_count or len(p.mentions or ()), "review": review,
            "sources": p.sources, "articles": articles, "lat": round(p.lat, 5), "lon": round(p.lon, 5),
            "stop_confidence": p.stop_confidence, "_order": order.get(place_id, len(order)),
        })
    known = {r["id"] for r in rows}
    for p in shown.places:  # places the author added from the gazetteer
        place_id = str(p.id)
        if place_id in known:
            continue
        rows.append({
            "id": place_id, "name": p.name, "role": _plain(p.role), "stop": p.stop,
            "type": p.place_type, "date": p.date, "status": _plain(p.date_status), "confidence": None,
            "mentions": 0, "review": "added", "sources": None, "articles": [], "lat": round(p.lat, 5),
            "lon": round(p.lon, 5), "stop_confidence": None, "_order": order.get(place_id, len(order)),
        })
    rows.sort(key=lambda r: (r["role"] != "stop", r["_order"], -(r["mentions"] or 0), r["name"] or ""))
    for r in rows:
        del r["_order"]
    return rows


#: what a reviewer says of a place in the table of places
REVIEWS = ("to review", "accepted", "rejected")
#: the table's columns a reviewer changes
TABLE_EDITABLE = ("review", "role", "order", "date", "status")


def table_rows(original: Story | StoryData, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The review table's rows (from :func:`place_rows`), each carrying its place's id: a
    checkbox to select it, its name, role, stop number, date, date status, review, the
    pipeline's confidence."""
    roles = {str(f.id): _plain(f.role) for f in as_story(original).places}
    out = []
    for r in rows:
        out.append({"select": False, "name": r["name"] or "",
                    "role": roles.get(r["id"]) or "stop" if r["role"] == "rejected" else r["role"],
                    "order": r["stop"], "date": r["date"], "status": r["status"],
                    "review": r["review"] if r["review"] in REVIEWS else "to review",
                    "confidence": r["stop_confidence"] if r["stop_confidence"] is not None else r["confidence"],
                    "id": r["id"]})
    return out


def _cell(value: Any) -> Any:
    """A table cell as plain Python: a missing value (None, NaN, NaT) None, a date ISO text."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in ("NaT", "nan", "<NA>"):
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()[:10]
    if isinstance(value, str) and re.match(r"\d{4}-\d\d-\d\dT", value):  # a date as a time of day
        return value[:10]
    return value


def table_changes(before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``{place_id: {column: new value}}`` for the rows of ``after`` (the table as edited)
    that differ from ``before`` (as shown), matched by id, never by position; a changed
    role, date or status brings the three along with ``had_date``."""
    shown = {r["id"]: r for r in before}
    changes: dict[str, dict[str, Any]] = {}
    for row in after:
        old = shown.get(row["id"])
        if old is None:
            continue
        change = {k: _cell(row.get(k)) for k in TABLE_EDITABLE if _cell(row.get(k)) != _cell(old.get(k))}
        if "order" in change and change["order"] is not None:
            change["order"] = int(change["order"])
        if {"role", "date", "status"} & set(change):
            change.update(role=_cell(row.get("role")) or old["role"], date=_cell(row.get("date")),
                          status=_cell(row.get("status")), had_date=bool(old.get("date")))
        if change:
            changes[row["id"]] = change
    return changes


def filter_rows(rows: Iterable[dict[str, Any]], *, roles: Iterable[str] | None = None,
                articles: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Rows whose role is in ``roles`` and that are mentioned in one of ``articles`` (None = all)."""
    roles = set(roles) if roles is not None else None
    articles = set(articles) if articles is not None else None
    return [r for r in rows if (roles is None or r["role"] in roles)
            and (articles is None or articles.intersection(r["articles"]))]


def shown_cells(rows: Iterable[dict[str, Any]], *, hidden: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Rows for a table on screen: the ``hidden`` columns left out, and an empty cell where
    a value is missing (a table would show "None")."""
    rows = [{k: v for k, v in r.items() if k not in set(hidden)} for r in rows]
    gaps = {k for r in rows for k, v in r.items() if v is None}  # one type a column: their figures as text
    return [{k: "" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v)) if k in gaps else v
             for k, v in r.items()} for r in rows]


# emphasis, code, links, tables and strikethrough; HTML is escaped separately
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")


# GFM "autolink literals" (www.x.com, http://x, https://x, a@b.com) become links even when
# escaped; a word joiner (U+2060, invisible, never a line break) inside each trigger stops them
WORD_JOINER = "\u2060"
_AUTOLINK_TRIGGER = re.compile(r"(?i)(?<![^\W_])(www)(?=\.)|(https?|mailto|xmpp)(?=:)|(?=@)")


def no_autolink(text: str) -> str:
    """``text`` with a word joiner inside every ``www.``, ``http:``, ``https:`` and before every ``@``."""
    return _AUTOLINK_TRIGGER.sub(lambda m: (m.group(1) or m.group(2) or "") + WORD_JOINER, text)


def md_text(text: object) -> str:
    """Untrusted text made literal for ``st.markdown``: no links (not even autolinks), emphasis or HTML."""
    return no_autolink(_MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False)))


# CommonMark images start "![": a word joiner between the two characters makes the "!" text
# and the rest a link, which is how the exported page shows an image in an author's text
# (render.markdown_blocks parses without the image rule), so no reader's browser fetches it
_MARKDOWN_IMAGE = re.compile(r"!(?=\[)")


def author_markdown(text: object) -> str:
    """An author's Markdown (a stop's text, the intro, the standfirst) for ``st.markdown``:
    rendered, but every image made a link to its address, as the exported page shows it
    (nothing in it loads), and HTML shown as text."""
    return _MARKDOWN_IMAGE.sub("!" + WORD_JOINER, str(text or "").replace("<", "&lt;"))


#: the most pixels an image that a story carries inline may have for the app to show it
#: (Streamlit decodes it to fit the column); the images the app makes are 960 pixels a side at most
MAX_SHOWN_PIXELS = 4_000_000
#: the image formats the app shows (raster only, as the story file allows: no SVG)
SHOWN_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")


def media_image(src: object) -> bytes | str | None:
    """What the app may give ``st.image`` for a stop's media ``src``, or None to show nothing.

    An inline PNG, JPEG, GIF or WebP (``data:image/...;base64,``) gives its bytes, when their
    header reads as one of those formats of at most :data:`MAX_SHOWN_PIXELS`; an http(s)
    address is given as it is, for the reader's browser to load, as the exported page does.
    Anything else (a path, another scheme, an SVG) gives None: nothing here opens a file.
    """
    import base64
    import binascii
    import io

    if not isinstance(src, str) or not is_media_src(src):
        return None
    if not src.startswith("data:"):
        # st.image opens a string that names an existing file before it tries it as an address
        return None if os.path.lexists(src) else src
    try:
        data = base64.b64decode(src.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data), formats=SHOWN_FORMATS) as img:  # reads the header only
            width, height = img.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    return data if width * height <= MAX_SHOWN_PIXELS else None


def highlight_html(text: str, words: Iterable[str]) -> str:
    """``text`` escaped for Markdown with HTML, every occurrence of ``words`` as a whole word
    (no letter or digit on either side: "US", not the "us" in "husband") wrapped in ``<mark>``."""
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if not words:
        return md_text(text)
    pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(re.escape(w) for w in words) + r")(?![^\W_])", re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(md_text(text[pos:m.start()]))
        out.append(f"<mark>{md_text(m.group(0))}</mark>")
        pos = m.end()
    out.append(md_text(text[pos:]))
    return "".join(out)


def _credit(article: ArticleRef | None) -> str:
    if article is None:
        return ""
    return ", ".join(str(x) for x in (article.title, article.source, article.published) if x)


def place_excerpts(story: Story | StoryData, place_id: str) -> list[dict[str, str]]:
    """Every distinct excerpt of a place: ``{"html": ..., "credit": ...}`` with the name highlighted."""
    story = as_story(story)
    place = story.place(place_id)
    if place is None:
        return []
    titles = {a.id: a for a in story.articles}
    seen: dict[tuple[str, str], set[str]] = {}
    for m in place.mentions or ():
        key = (m.article or "", m.excerpt or "")
        if key[1]:
            seen.setdefault(key, set()).add(m.text or "")
    out = []
    for (article_id, text), words in seen.items():
        out.append({"html": highlight_html(text, words | {place.name or ""}),
                    "credit": _credit(titles.get(article_id)) or article_id})
    return out


def review_order(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Places to review, doubtful decisions first: stops by their stop confidence (lowest
    first), then the other places by their match confidence."""
    def key(r: dict[str, Any]) -> tuple:
        doubt = r.get("stop_confidence") if r.get("role") == "stop" else r.get("confidence")
        return (r.get("role") != "stop", 1.0 if doubt is None else float(doubt), r.get("stop") or 0, r["id"])
    return sorted(rows, key=key)


def evidence_rows(story: Story | StoryData, place_id: str) -> list[dict[str, Any]]:
    """Why a place is a stop: each sentence with the name highlighted (``html``), its
    predicate, traveller, status, date phrase, confidence and article credit."""
    story = as_story(story)
    place = story.place(place_id)
    if place is None:
        return []
    titles = {a.id: a for a in story.articles}
    words = {place.name or ""} | {m.text or "" for m in place.mentions or ()}
    out = []
    for e in place.evidence or ():
        out.append({"html": highlight_html(e.excerpt or "", words),
                    "predicate": e.predicate, "traveller": e.traveller, "status": _plain(e.status),
                    "date": e.date_text or e.date, "confidence": e.confidence,
                    "credit": _credit(titles.get(e.article or "")) or (e.article or "")})
    return out


def timeline_rows(story: Story | StoryData) -> list[dict[str, Any]]:
    """Dated events in date order: dated stops (with their status) and article publication dates."""
    story = as_story(story)
    rows = []
    for p in story.stops:
        if p.date:
            status = _plain(p.date_status)
            rows.append({"date": p.date, "event": f"Stop {p.stop}: {p.name}",
                         "kind": {"expected": "planned"}.get(status or "", status or "stop"),
                         "source": p.sources})
    for a in story.articles:
        if a.published:
            rows.append({"date": a.published, "event": f"Published: {a.title or a.id}",
                         "kind": "article", "source": a.source})
    rows.sort(key=lambda r: (r["date"], r["kind"] == "article", r["event"]))
    return rows


#: the timeline's kinds of event, in the legend's order, and their colours (the page's: the route's red)
TIMELINE_KINDS = {"reported": "#b3202e", "planned": "#e07b86", "inferred": "#a07d2e", "stop": "#1d232a",
                  "article": "#5f6f80"}
#: each event has a row of its own this tall (px): no two labels share one, whatever the width
TIMELINE_ROW_PX = 26
#: a dot in the first part of the time span is labelled after it, one later than this before it,
#: so that no label runs off the chart
_TIMELINE_TURN = 0.6


#: the time axis's ticks for a span of up to so many days: (days, interval, step, label format)
_TIMELINE_TICKS = ((16, "day", 1, "%-d %b"), (70, "week", 1, "%-d %b"), (400, "month", 1, "%b %Y"),
                   (1500, "month", 3, "%b %Y"))


def _day(value: Any) -> int | None:
    try:
        return datetime.date.fromisoformat(str(value)[:10]).toordinal()
    except ValueError:
        return None


def timeline_chart(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The timeline as a Vega-Lite spec (its data inline): the events of :func:`timeline_rows`
    in date order, one row each, a dot at its date coloured by its kind and labelled beside it
    with the stop or the article (after the dot, or before it late in the span). Drawn as SVG."""
    days = [_day(r.get("date")) for r in rows]
    known = [d for d in days if d is not None]
    first, last = (min(known), max(known)) if known else (0, 0)
    turn = first + (last - first) * _TIMELINE_TURN
    values = [{**r, "order": i, "side": "before" if d is not None and last > first and d > turn else "after"}
              for i, (r, d) in enumerate(zip(rows, days))]
    _, interval, step, label = next((t for t in _TIMELINE_TICKS if last - first <= t[0]), (0, "year", 1, "%Y"))
    # the dates are days: read and shown in UTC, so that no reader's time zone moves them
    axis = {"tickCount": {"interval": interval, "step": step}, "labelExpr": f"utcFormat(datum.value, '{label}')",
            "labelOverlap": "greedy", "grid": True}
    kinds = [k for k in TIMELINE_KINDS if any(r.get("kind") == k for r in rows)]
    kinds += sorted({str(r.get("kind")) for r in rows} - set(kinds))
    colours = [TIMELINE_KINDS.get(k, "#8a8273") for k in kinds]
    text = {"type": "text", "fontSize": 12, "limit": 360, "baseline": "middle"}
    return {
        "data": {"values": values},
        "height": {"step": TIMELINE_ROW_PX},
        "usermeta": {"embedOptions": {"renderer": "svg"}},
        "encoding": {"x": {"field": "date", "type": "temporal", "title": None, "scale": {"type": "utc", "padding": 24},
                           "axis": axis},
                     "y": {"field": "order", "type": "ordinal", "axis": None}},
        "layer": [
            {"mark": {"type": "point", "filled": True, "size": 120, "opacity": 1},
             "encoding": {"color": {"field": "kind", "type": "nominal", "title": None, "scale": {"domain": kinds, "range": colours},
                                    "legend": {"orient": "top"}},
                          "tooltip": [{"field": "date", "type": "temporal", "format": "%-d %B %Y", "formatType": "utc"},
                                      {"field": "event"}, {"field": "source"}]}},
            {"transform": [{"filter": {"field": "side", "equal": "after"}}],
             "mark": {**text, "align": "left", "dx": 10}, "encoding": {"text": {"field": "event"}}},
            {"transform": [{"filter": {"field": "side", "equal": "before"}}],
             "mark": {**text, "align": "right", "dx": -10}, "encoding": {"text": {"field": "event"}}},
        ],
    }


def _visit_dates(story: Story | StoryData) -> list[tuple[str, str | None, str, int]]:
    """(id, date, name, stop number) of every visit in route order; a return visit has no date
    of its own (the texts give one date per place)."""
    seen: set[str] = set()
    out = []
    for n, p in enumerate(as_story(story).route_visits(), 1):
        pid = str(p.id)
        out.append((pid, None if pid in seen else p.date, str(p.name), n))
        seen.add(pid)
    return out


def order_disagreements(story: Story | StoryData) -> list[str]:
    """Where the route's order disagrees with its dates ("stop 2 (2026-05-06) comes before
    stop 3 (2026-05-04)"), for a warning; undated stops disagree with nothing."""
    dated = [(n, date, name) for _, date, name, n in _visit_dates(story) if date]
    return [f"stop {a[0]}, {a[2]} ({a[1]}), comes before stop {b[0]}, {b[2]} ({b[1]})"
            for a, b in zip(dated, dated[1:]) if b[1] < a[1]]


def order_by_date(story: Story | StoryData) -> list[str]:
    """The route's stop ids (a place once per visit) in date order; undated visits, return
    visits among them, keep their place after the dated one before them."""
    visits = _visit_dates(story)
    dated = iter(sorted((date, pid) for pid, date, _, _ in visits if date))
    return [next(dated)[1] if date else pid for pid, date, _, _ in visits]


def undated_stops(story: Story | StoryData) -> list[str]:
    """Names of stops with no date (shown under the timeline)."""
    return [f"{p.stop}. {p.name}" + (" (planned)" if p.date_status == DateStatus.EXPECTED else "")
            for p in as_story(story).stops if not p.date]


# --------------------------------------------------------------------------- uploads
@dataclass(frozen=True)
class Upload:
    """An article a reader brought: a file name, its bytes and the details given with it
    (``source``, ``published``, ``url``: written beside it as ``NAME.meta.json``, which the
    reader takes over what the text says)."""

    name: str
    data: bytes
    meta: Mapping[str, str] = field(default_factory=dict)


def safe_name(name: str) -> str:
    """A file name without folders or odd characters, keeping the extension."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = os.path.splitext(base)
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._") or "article"
    return f"{stem[:80]}{suffix.lower()}"


def check_uploads(uploads: Sequence[Upload]) -> tuple[list[Upload], list[str]]:
    """Split uploads into accepted ones and messages for those refused (type, size, count, empty)."""
    accepted: list[Upload] = []
    refused: list[str] = []
    for u in uploads:
        suffix = Path(u.name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            refused.append(f"{u.name}: not an article file; upload .txt, .md or .html files")
        elif len(u.data) > MAX_FILE_BYTES:
            refused.append(f"{u.name}: too large ({len(u.data) / 1e6:.1f} MB); "
                           f"the limit is {MAX_FILE_BYTES // (1024 * 1024)} MB per file")
        elif not u.data.strip():
            refused.append(f"{u.name}: the file is empty")
        elif len(accepted) >= MAX_FILES:
            refused.append(f"{u.name}: skipped; at most {MAX_FILES} files at a time")
        else:
            accepted.append(u)
    return accepted, refused


def pasted_upload(text: str, title: str | None = None) -> Upload:
    """Pasted text as an upload (a ``# title`` line first when a title is given)."""
    if len(text) > MAX_PASTE_CHARS:
        raise StoryError(f"the pasted text is too long ({len(text):,} characters; the limit is "
                         f"{MAX_PASTE_CHARS:,}); upload it as a file or split it")
    if not text.strip():
        raise StoryError("nothing pasted: paste the text of an article first")
    body = f"{title.strip()}\n\n{text.strip()}\n" if title and title.strip() else text.strip() + "\n"
    stem = re.sub(r"[^a-z0-9]+", "-", (title or "pasted article").lower()).strip("-")[:50] or "pasted-article"
    return Upload(f"{stem}.txt", body.encode("utf-8"))


def write_uploads(uploads: Sequence[Upload], folder: Path) -> list[Path]:
    """Write uploads into ``folder`` under safe, distinct names; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for u in uploads:
        target = folder / safe_name(u.name)
        n = 1
        while target.exists():
            target = folder / f"{Path(safe_name(u.name)).stem}-{n}{Path(u.name).suffix.lower()}"
            n += 1
        target.write_bytes(u.data)
        if u.meta:
            target.with_name(f"{target.stem}.meta.json").write_text(json.dumps(dict(u.meta), sort_keys=True),
                                                                    encoding="utf-8")
        paths.append(target)
    return paths


def read_details(upload: Upload) -> dict[str, str]:
    """The outlet (``source``), publication date and web address the reader finds in an
    article, as ``storymap build`` reads it (empty ones left out)."""
    folder = upload_folder()
    try:
        [path] = write_uploads([upload], folder)
        article, _ = read_article(path)
    except StorymapError:
        return {}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    found = {"source": article.source, "published": article.published.isoformat() if article.published else None,
             "url": article.url}
    return {k: v for k, v in found.items() if v}


def upload_folder() -> Path:
    """A fresh private folder for one batch of uploads."""
    return Path(tempfile.mkdtemp(prefix="storymap-upload-"))


# --------------------------------------------------------------------------- downloads
def download_specs(story: Story | StoryData) -> list[tuple[str, str, str, str]]:
    """``(fmt, label, file_name, mime)`` of every download, without exporting anything."""
    stem = file_stem(story)
    return [(fmt, label, f"{stem}{ext}", mime) for fmt, (label, ext, mime) in FORMATS.items()]


def export_bytes(story: Story | StoryData, fmt: str, *, tiles: bool = False,
                 progress: Callable[[str, int, int], None] | None = None) -> bytes:
    """The story exported as ``fmt`` (a key of :data:`FORMATS` or of :data:`VIDEOS`), as bytes;
    ``tiles``: the HTML page draws OpenStreetMap tiles over its offline base map; ``progress``:
    told of a video's frames, ``progress(message, frames_done, frames_total)``."""
    from storymap.export import export_story
    from storymap.render import OSM_TILES

    label, ext, mime = {**FORMATS, **VIDEOS}[fmt]
    with tempfile.TemporaryDirectory(prefix="storymap-export-") as tmp:
        target = Path(tmp) / f"{file_stem(story)}{ext}"
        path = export_story(story, target, fmt=fmt, tiles=OSM_TILES if tiles else None) if fmt == "html" \
            else export_story(story, target, fmt=fmt, progress=progress) if fmt in VIDEOS \
            else export_story(story, target, fmt=fmt)
        return Path(path).read_bytes()


# --------------------------------------------------------------------------- the map page
# The map page holds article text, so it runs in an inner frame sandboxed with
# ``allow-scripts`` alone: an opaque origin that cannot reach the app, its cookies or its
# storage. (Streamlit gives ``st.iframe`` HTML a fixed sandbox that includes
# ``allow-same-origin``, which would let a page inside remove its own sandbox; only the
# trusted wrapper below, which holds no article text as markup, runs with it.)
# The map tells the wrapper each step with postMessage; the wrapper checks where the
# message comes from and writes ?step=N into the app's address without reloading, so the
# view can be shared. The map also reports its height ("storymap:height", as to an embed):
# the wrapper grows its frame to it, so a phone's stacked map and text are never cut off.
INNER_SANDBOX = "allow-scripts"

_BRIDGE = """<script>
(function () {
  "use strict";
  window.addEventListener("storymap:step", function (e) {
    var step = e.detail && e.detail.step;
    if (window.parent && window.parent !== window) {
      window.parent.postMessage({ storymapStep: typeof step === "number" ? step : 0 }, "*");
    }
  });
}());
</script>
"""

_WRAPPER = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Story map</title>
<style>html, body {{ margin: 0; padding: 0; height: 100%; overflow: hidden; }}
iframe {{ display: block; border: 0; width: 100%; height: 100%; }}</style></head>
<body><iframe id="storymap-frame" title="Story map" sandbox="{sandbox}" srcdoc="{srcdoc}"></iframe>
<script>
(function () {{
  "use strict";
  var inner = document.getElementById("storymap-frame");
  var least = window.innerHeight;  /* the height the app gave the frame: it grows, never shrinks below */
  function grow(height) {{
    /* the page stacks its map over its text in a narrow frame (a phone) and reports its height:
       the app's frame grows to it, so the stop's text is never cut off */
    if (typeof height !== "number" || !isFinite(height) || height < 100 || height > 50000) {{ return; }}
    var h = Math.max(least, Math.ceil(height));
    inner.style.height = h + "px";
    document.documentElement.style.height = document.body.style.height = h + "px";
    try {{ if (window.frameElement) {{ window.frameElement.style.height = h + "px"; }} }}
    catch (err) {{ /* a parent we may not touch: the page scrolls inside its frame instead */ }}
  }}
  window.addEventListener("message", function (e) {{
    if (e.source !== inner.contentWindow || !e.data || typeof e.data !== "object") {{ return; }}
    if (e.data.type === "storymap:height") {{ grow(e.data.height); return; }}
    var step = e.data.storymapStep;
    if (typeof step !== "number" || !isFinite(step) || step < 0 || step > 10000 || step % 1 !== 0) {{ return; }}
    try {{
      var top = window.parent;
      if (!top || top === window) {{ return; }}
      var url = new URL(top.location.href);
      if (step > 0) {{ url.searchParams.set("step", String(step)); }} else {{ url.searchParams.delete("step"); }}
      if (url.href !== top.location.href) {{ top.history.replaceState(top.history.state, "", url.href); }}
    }} catch (err) {{ /* a parent we may not touch: the map still works, the address just does not follow */ }}
  }});
}}());
</script></body></html>
"""


def map_page(story_html_text: str) -> str:
    """The renderer's page, step bridge added, inside a wrapper that sandboxes it with ``allow-scripts`` only.

    The page goes into the inner frame's ``srcdoc`` attribute fully HTML-escaped, so the
    wrapper's own markup and script cannot be changed by anything in the story.
    """
    at = story_html_text.rfind("</body>")
    inner = story_html_text + _BRIDGE if at < 0 else story_html_text[:at] + _BRIDGE + story_html_text[at:]
    return _WRAPPER.format(sandbox=INNER_SANDBOX, srcdoc=html.escape(inner, quote=True))


_SRCDOC = re.compile(r'<iframe id="storymap-frame"[^>]*\ssrcdoc="([^"]*)"')


def inner_map_html(page: str) -> str:
    """The map page inside :func:`map_page`'s wrapper (unescaped), for tests and checks."""
    m = _SRCDOC.search(page)
    return html.unescape(m.group(1)) if m else page


def parse_step(value: Any, n_stops: int) -> int | None:
    """A step from a query parameter: 1..n_stops, 0 for the overview, None when absent or invalid."""
    if value is None or value == "":
        return None
    try:
        step = int(str(value).strip())
    except ValueError:
        return None
    return max(0, min(n_stops, step))


def story_json(story: Story | StoryData) -> str:
    """Compact JSON of a story (for caches)."""
    return json.dumps(story.to_geojson() if isinstance(story, Story) else story, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(text: str) -> str:
    """A short fingerprint of ``text`` (what a session keeps instead of the text itself)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


# --------------------------------------------------------------------------- the review map
#: the review map's colours: the place as placed, the other readings of its name, towns nearby
REVIEW_KINDS = {"placed here": "#b3202e", "other reading": "#1a5fb4", "town nearby": "#5f6f80",
                "in the story": "#b3202e"}


def review_map_points(row: dict[str, Any], alternatives: list[dict[str, Any]],
                      nearby: list[Any]) -> list[dict[str, Any]]:
    """The points of the review map: the place where it is placed, the runners-up for its name
    (the gazetteer's other readings), and the towns around it (GazetteerRecords)."""
    points = [{"name": str(row["name"]), "lat": float(row["lat"]), "lon": float(row["lon"]),
               "kind": "placed here", "gazetteer_id": "", "detail": "where it is now"}]
    for alt in alternatives:
        if alt.get("lat") is None or alt.get("lon") is None:
            continue
        points.append({"name": str(alt.get("name") or ""), "lat": float(alt["lat"]), "lon": float(alt["lon"]),
                       "kind": "other reading", "gazetteer_id": str(alt.get("gazetteer_id") or ""),
                       "detail": " · ".join(str(x) for x in (alt.get("place_type"), alt.get("country_code")) if x)})
    seen = {p["gazetteer_id"] for p in points}
    for r in nearby:
        if r.gazetteer_id not in seen and r.name != row["name"]:
            seen.add(r.gazetteer_id)
            points.append({"name": r.name, "lat": r.lat, "lon": r.lon, "kind": "town nearby",
                           "gazetteer_id": r.gazetteer_id, "detail": f"{r.place_type} · {r.country_code}"})
    return points


def _clockwise(feature: dict[str, Any]) -> dict[str, Any]:
    """A feature with its polygons' outer rings clockwise, as Vega's spherical geometry (d3-geo)
    reads them (GeoJSON's counter-clockwise rings would fill the rest of the globe)."""
    from shapely.geometry import mapping, shape
    from shapely.geometry.polygon import orient

    import shapely

    geom = shape(feature["geometry"])
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return feature
    # long straight edges (where land meets the map's frame) would bow along great circles
    geom = shapely.segmentize(geom, 0.25)
    if geom.geom_type == "Polygon":
        geom = orient(geom, sign=-1.0)
    elif geom.geom_type == "MultiPolygon":
        from shapely.geometry import MultiPolygon

        geom = MultiPolygon([orient(p, sign=-1.0) for p in geom.geoms])
    return {**feature, "geometry": mapping(geom)}


def story_map_points(story: Story | StoryData, towns: list[Any],
                     area: tuple[float, float, float, float]) -> list[dict[str, Any]]:
    """Points of a map for adding a place: the story's places inside ``area`` (west, south,
    east, north; not pickable) and the towns of that area (pickable, by gazetteer id). A place
    far away ("Washington" in a story about Siberia) is left out, so the map frames the area
    and its towns lie far enough apart to be clicked."""
    west, south, east, north = area
    points = []
    taken = set()
    for p in as_story(story).places:
        taken.add(p.gazetteer_id or "")
        if not (west <= p.lon <= east and south <= p.lat <= north):
            continue
        points.append({"name": p.name or "", "lat": p.lat, "lon": p.lon,
                       "kind": "in the story", "gazetteer_id": "", "detail": str(p.role)})
    for r in towns:
        if r.gazetteer_id not in taken:
            points.append({"name": r.name, "lat": r.lat, "lon": r.lon, "kind": "town nearby",
                           "gazetteer_id": r.gazetteer_id, "detail": f"{r.place_type} · {r.country_code}"})
    return points


#: the click-anywhere grid of a review map: this many points across and down
SPOT_GRID = (96, 32)


def spot_grid(extent: tuple[float, float, float, float]) -> list[dict[str, float]]:
    """Evenly spread points over ``extent`` (west, south, east, north), rounded to 4 decimals."""
    west, south, east, north = extent
    across, down = SPOT_GRID
    return [{"lat": round(south + (north - south) * (j + 0.5) / down, 4),
             "lon": round(west + (east - west) * (i + 0.5) / across, 4)}
            for j in range(down) for i in range(across)]


def review_map_spec(points: list[dict[str, Any]], *, height: int = 300) -> dict[str, Any]:
    """A small offline map (Vega-Lite: Natural Earth land, then the points, labelled) on which
    a click picks a point (selection ``pick``, by ``gazetteer_id``) and a click anywhere else
    picks the spot (selection ``spot``: the ``lat`` and ``lon`` of the nearest of a fine grid
    of invisible points over the map)."""
    from storymap.basemap import outlines

    lats = [p["lat"] for p in points]
    lons = [p["lon"] for p in points]
    pad = max(0.3, 0.15 * max(max(lats) - min(lats), max(lons) - min(lons)))
    south, north = max(-80.0, min(lats) - pad), min(80.0, max(lats) + pad)
    # as wide as the chart is (about three times its height), in degrees of longitude here
    middle = (min(lons) + max(lons)) / 2
    half = max((max(lons) - min(lons)) / 2 + pad,
               1.5 * (north - south) / max(0.2, math.cos(math.radians((south + north) / 2))))
    extent = (max(-180.0, middle - half), south, min(180.0, middle + half), north)
    shapes = [_clockwise(f) for f in outlines(extent)["features"]]
    kinds = [k for k in REVIEW_KINDS if any(p["kind"] == k for p in points)]
    colour = {"field": "kind", "type": "nominal", "title": None,
              "scale": {"domain": kinds, "range": [REVIEW_KINDS[k] for k in kinds]},
              "legend": {"orient": "bottom"}}
    where = {"longitude": {"field": "lon", "type": "quantitative"},
             "latitude": {"field": "lat", "type": "quantitative"}}
    west, _, east, _ = extent
    # the frame's edges follow parallels and meridians (densified: Vega draws great circles)
    steps = [i / 24 for i in range(25)]
    ring = ([[west + (east - west) * t, south] for t in steps] + [[east, south + (north - south) * t] for t in steps]
            + [[east - (east - west) * t, north] for t in steps] + [[west, north - (north - south) * t] for t in steps])
    frame = _clockwise({"type": "Feature", "properties": {"kind": "frame"},
                        "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {
        "height": height,
        "width": "container",
        "projection": {"type": "mercator", "fit": frame},
        "params": [{"name": "pick", "select": {"type": "point", "fields": ["gazetteer_id"]}, "views": ["points"]},
                   {"name": "spot", "select": {"type": "point", "fields": ["lat", "lon"], "nearest": True},
                    "views": ["grid"]}],
        "layer": [
            {"data": {"values": [frame]}, "mark": {"type": "geoshape", "fill": "#d4e2ea", "stroke": None}},
            {"data": {"values": [f for f in shapes if f["properties"]["kind"] == "land"]},
             "mark": {"type": "geoshape", "fill": "#f4f1e8", "stroke": "#f4f1e8"}},
            {"data": {"values": [f for f in shapes if f["properties"]["kind"] != "land"]},
             "mark": {"type": "geoshape", "filled": False, "stroke": "#a9a195", "strokeWidth": 0.6}},
            {"name": "grid", "data": {"values": spot_grid(extent)},
             # invisible but the spot picked, a cross
             "mark": {"type": "point", "shape": "cross", "filled": True, "size": 140, "color": "#b3202e",
                      "cursor": "crosshair"},
             "encoding": {**where, "opacity": {"condition": {"param": "spot", "empty": False, "value": 1},
                                               "value": 0}}},
            {"name": "points", "data": {"values": points},
             "mark": {"type": "point", "filled": True, "cursor": "pointer", "stroke": "#fff", "strokeWidth": 1.5,
                      "opacity": 1},
             "encoding": {**where, "color": colour,
                          "size": {"condition": {"test": "datum.kind === 'placed here'", "value": 260}, "value": 130},
                          "shape": {"condition": {"test": "datum.kind === 'in the story'", "value": "diamond"},
                                    "value": "circle"},
                          "tooltip": [{"field": "name", "title": "Place"}, {"field": "kind", "title": ""},
                                      {"field": "detail", "title": ""}]}},
            {"data": {"values": [p for p in points if p["kind"] != "town nearby"]},
             "mark": {"type": "text", "dy": -12, "fontSize": 11, "fontWeight": "bold"},
             "encoding": {**where, "text": {"field": "name"}}},
            {"data": {"values": [p for p in points if p["kind"] == "town nearby"]},
             "mark": {"type": "text", "dy": 12, "fontSize": 10, "color": "#5f6f80"},
             "encoding": {**where, "text": {"field": "name"}}},
        ],
    }
