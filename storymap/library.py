"""The story library: stories, their articles, the author's fields and every saved
revision, in a database.

The default is an SQLite file in the user data directory (or ``$STORYMAP_DATA_DIR``),
created on first use. A newsroom sharing one library points ``STORYMAP_DATABASE_URL`` at
PostgreSQL (``postgresql+psycopg://user@host/db``); both run the same SQLAlchemy code, and
the schema is kept by Alembic migrations (``storymap/migrations``), applied on opening.

Every save is a new revision, so nothing is lost and a save can be undone. A save names
the revision it was based on; when someone else saved in between, it is refused with
:class:`ConflictError` (nothing is overwritten silently).

>>> lib = Library("sqlite://")                                   # doctest: +SKIP
>>> saved = lib.add(story, articles=[...])                       # doctest: +SKIP
>>> lib.save(saved.id, base_revision=saved.revision, edits=...)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from storymap.errors import StorymapError
from storymap.storyfile import Story

metadata = sa.MetaData()

story_table = sa.Table(
    "stories", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("stops", sa.Integer, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
revision_table = sa.Table(
    "revisions", metadata,
    sa.Column("story_id", sa.String(32), sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("story", sa.Text, nullable=False),
    sa.Column("edits", sa.Text, nullable=False),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
)
article_table = sa.Table(
    "articles", metadata,
    sa.Column("story_id", sa.String(32), sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("meta", sa.Text, nullable=False),
)


class LibraryError(StorymapError):
    """The library cannot be opened, or a story in it cannot be found or changed."""


class ConflictError(LibraryError):
    """A save was based on a revision that is no longer the latest."""

    def __init__(self, story_id: str, base: int, latest: int) -> None:
        self.story_id, self.base, self.latest = story_id, base, latest
        super().__init__(f"story {story_id} was saved by someone else (revision {latest}) since revision {base} "
                         "was opened; reload it and make the change again")


@dataclass(frozen=True)
class ArticleText:
    """An article as kept in the library: its file name, text and metadata."""

    name: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Summary:
    """A library row: what the library view lists."""

    id: str
    title: str
    subject: str
    stops: int
    articles: int
    revision: int
    updated_at: dt.datetime


@dataclass(frozen=True)
class SavedStory:
    """One revision of a stored story."""

    id: str
    revision: int
    story: Story
    edits: dict[str, Any]
    author: dict[str, Any]
    articles: tuple[ArticleText, ...]
    note: str = ""


def article_text(name: str, data: bytes, meta: dict[str, Any] | None = None) -> ArticleText:
    """An uploaded or read file as an :class:`ArticleText` (UTF-8, else Windows-1252, else Latin-1)."""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return ArticleText(name, text.replace("\x00", ""), dict(meta or {}))


def data_dir() -> Path:
    """Where the default library lives: ``$STORYMAP_DATA_DIR`` or the user data directory."""
    base = os.environ.get("STORYMAP_DATA_DIR")
    if not base:
        import platformdirs

        base = platformdirs.user_data_dir("storymap")
    return Path(base)


def default_url() -> str:
    """``$STORYMAP_DATABASE_URL``, else an SQLite file ``library.sqlite`` in :func:`data_dir`."""
    return os.environ.get("STORYMAP_DATABASE_URL") or f"sqlite:///{data_dir() / 'library.sqlite'}"


def _now() -> dt.datetime:
    """When a revision was saved: library bookkeeping shown in the list, never in a story file."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)  # clock-ok


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _summary_fields(story: Story) -> dict[str, Any]:
    meta = story.get("storymap", {}) if isinstance(story, dict) else {}
    stops = sum(1 for f in story.get("features", []) if (f.get("properties") or {}).get("role") == "stop")
    return {"title": str(meta.get("title") or "Untitled story"), "subject": str(meta.get("subject") or ""),
            "stops": stops}


class Library:
    """A story library in the database at ``url`` (default :func:`default_url`)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        try:
            if self.url.startswith("sqlite:///") and self.url != "sqlite:///:memory:":
                Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            self.engine = sa.create_engine(self.url, future=True)
            if self.engine.dialect.name == "sqlite":
                sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            upgrade(self.engine)
        except (sa.exc.SQLAlchemyError, OSError, ImportError) as exc:
            raise LibraryError(f"cannot open the story library at {_safe_url(self.url)}: "
                               f"{' '.join(str(exc).split())[:200]}") from exc

    @contextmanager
    def _tx(self) -> Iterator[sa.Connection]:
        try:
            with self.engine.begin() as con:
                yield con
        except sa.exc.SQLAlchemyError as exc:
            raise LibraryError(f"the story library at {_safe_url(self.url)} failed: "
                               f"{' '.join(str(exc).split())[:200]}") from exc

    # ------------------------------------------------------------------ reading

    def list(self) -> list[Summary]:
        """Every story, the most recently changed first."""
        counts = sa.select(article_table.c.story_id, sa.func.count().label("n")).group_by(article_table.c.story_id).subquery()
        query = sa.select(story_table, sa.func.coalesce(counts.c.n, 0)).outerjoin(
            counts, counts.c.story_id == story_table.c.id).order_by(story_table.c.updated_at.desc(), story_table.c.id)
        with self._tx() as con:
            rows = con.execute(query).all()
        return [Summary(r.id, r.title, r.subject, r.stops, r[-1], r.revision, _utc(r.updated_at)) for r in rows]

    def get(self, story_id: str, revision: int | None = None) -> SavedStory:
        """A story at its latest revision, or at ``revision``."""
        with self._tx() as con:
            head = con.execute(sa.select(story_table.c.revision).where(story_table.c.id == story_id)).scalar_one_or_none()
            if head is None:
                raise LibraryError(f"no story {story_id!r} in the library")
            number = head if revision is None else revision
            row = con.execute(sa.select(revision_table).where(revision_table.c.story_id == story_id,
                                                         revision_table.c.number == number)).one_or_none()
            if row is None:
                raise LibraryError(f"story {story_id!r} has no revision {number} (latest: {head})")
            texts = con.execute(sa.select(article_table).where(article_table.c.story_id == story_id)
                                .order_by(article_table.c.position)).all()
        return SavedStory(story_id, number, json.loads(row.story), json.loads(row.edits), json.loads(row.author),
                          tuple(ArticleText(a.name, a.text, json.loads(a.meta)) for a in texts), row.note)

    def history(self, story_id: str) -> list[tuple[int, dt.datetime, str]]:
        """(revision, saved at, note) of every save of a story, oldest first."""
        self.get(story_id)
        with self._tx() as con:
            rows = con.execute(sa.select(revision_table.c.number, revision_table.c.saved_at, revision_table.c.note)
                               .where(revision_table.c.story_id == story_id).order_by(revision_table.c.number)).all()
        return [(r.number, _utc(r.saved_at), r.note) for r in rows]

    # ------------------------------------------------------------------ writing

    def add(self, story: Story, *, articles: Sequence[ArticleText] = (), edits: dict[str, Any] | None = None,
            author: dict[str, Any] | None = None, note: str = "created", story_id: str | None = None) -> SavedStory:
        """Keep a new story (revision 1) with its articles; returns it with its id (a new
        random one unless ``story_id`` is given)."""
        story_id = story_id or uuid.uuid4().hex
        now = _now()
        with self._tx() as con:
            con.execute(story_table.insert().values(id=story_id, revision=1, created_at=now, updated_at=now,
                                                **_summary_fields(story)))
            con.execute(revision_table.insert().values(story_id=story_id, number=1, story=_dumps(story),
                                                  edits=_dumps(edits or {}), author=_dumps(author or {}),
                                                  note=note, saved_at=now))
            self._add_articles(con, story_id, articles)
        return self.get(story_id)

    def add_articles(self, story_id: str, new: Sequence[ArticleText]) -> list[ArticleText]:
        """Add articles to a story; one already in it (same text) is not added twice. Returns the added."""
        self.get(story_id)
        with self._tx() as con:
            return self._add_articles(con, story_id, new)

    @staticmethod
    def _add_articles(con: sa.Connection, story_id: str, new: Sequence[ArticleText]) -> list[ArticleText]:
        have = set(con.execute(sa.select(article_table.c.sha256).where(article_table.c.story_id == story_id)).scalars())
        start = con.execute(sa.select(sa.func.count()).select_from(article_table)
                            .where(article_table.c.story_id == story_id)).scalar_one()
        added = []
        for art in new:
            if art.sha256 in have:
                continue
            have.add(art.sha256)
            con.execute(article_table.insert().values(story_id=story_id, sha256=art.sha256, position=start + len(added),
                                                 name=art.name, text=art.text, meta=_dumps(art.meta)))
            added.append(art)
        return added

    def save(self, story_id: str, *, base_revision: int, story: Story | None = None,
             edits: dict[str, Any] | None = None, author: dict[str, Any] | None = None,
             note: str = "saved") -> SavedStory:
        """Save a new revision based on ``base_revision``; what is not given is carried over.

        Raises :class:`ConflictError` when ``base_revision`` is no longer the latest.
        """
        current = self.get(story_id)
        story = current.story if story is None else story
        edits = current.edits if edits is None else edits
        author = current.author if author is None else author
        now = _now()
        with self._tx() as con:
            # the compare-and-set that makes concurrent saves safe on SQLite and PostgreSQL alike
            moved = con.execute(story_table.update().where(story_table.c.id == story_id,
                                                       story_table.c.revision == base_revision)
                                .values(revision=base_revision + 1, updated_at=now, **_summary_fields(story)))
            if moved.rowcount != 1:
                latest = con.execute(sa.select(story_table.c.revision).where(story_table.c.id == story_id)).scalar_one()
                raise ConflictError(story_id, base_revision, latest)
            con.execute(revision_table.insert().values(story_id=story_id, number=base_revision + 1, story=_dumps(story),
                                                  edits=_dumps(edits), author=_dumps(author), note=note,
                                                  saved_at=now))
        return self.get(story_id)

    def save_merging(self, story_id: str, *, base_revision: int, edits: dict[str, Any],
                     author: dict[str, Any], note: str = "saved") -> SavedStory:
        """:meth:`save` the edits and author fields; when someone else saved since
        ``base_revision``, merge the two where they do not touch (one changed a place, the
        other another) and save that, else raise :class:`ConflictError`."""
        try:
            return self.save(story_id, base_revision=base_revision, edits=edits, author=author, note=note)
        except ConflictError:
            from storymap.edits import Edits

            base, latest = self.get(story_id, base_revision), self.get(story_id)

            def canonical(value: dict[str, Any]) -> dict[str, Any]:
                return Edits.from_dict(value, name=f"story {story_id}").to_dict()

            both_edits = merged_edits(canonical(base.edits), canonical(edits), canonical(latest.edits))
            both_author = merged(base.author, author, latest.author)
            if both_edits is None or both_author is None or latest.story != base.story:
                raise
            return self.save(story_id, base_revision=latest.revision, edits=both_edits, author=both_author,
                             note=f"{note} (merged with revision {latest.revision})")

    def undo(self, story_id: str, *, base_revision: int) -> SavedStory:
        """Save the revision before ``base_revision`` again, as a new revision (history is kept)."""
        if base_revision <= 1:
            raise LibraryError(f"story {story_id!r}: nothing to undo before revision {base_revision}")
        before = self.get(story_id, base_revision - 1)
        return self.save(story_id, base_revision=base_revision, story=before.story, edits=before.edits,
                         author=before.author, note=f"undo of revision {base_revision}")

    def delete(self, story_id: str) -> None:
        """Remove a story, its revisions and its articles."""
        self.get(story_id)
        with self._tx() as con:
            con.execute(revision_table.delete().where(revision_table.c.story_id == story_id))
            con.execute(article_table.delete().where(article_table.c.story_id == story_id))
            con.execute(story_table.delete().where(story_table.c.id == story_id))

    # ------------------------------------------------------------------ story files

    def import_file(self, path: str | os.PathLike[str]) -> SavedStory:
        """Keep a story file (GeoJSON, checked against the contract) and the edits saved beside it."""
        from storymap.edits import edits_path, load_edits
        from storymap.storyfile import load_story

        story = load_story(path)
        edits = load_edits(edits_path(path))
        return self.add(story, edits=edits.to_dict(), note=f"imported from {Path(path).name}")

    def export_file(self, story_id: str, path: str | os.PathLike[str], revision: int | None = None) -> Path:
        """Write a story as the reader sees it (its edits applied) to a story file, atomically."""
        from storymap.storyfile import write_story

        return write_story(shown(self.get(story_id, revision)), path)

    def find(self, prefix: str) -> str:
        """The full id of the one story whose id starts with ``prefix`` (ids are long to type)."""
        with self._tx() as con:
            ids = con.execute(sa.select(story_table.c.id).where(story_table.c.id.startswith(prefix, autoescape=True))
                              .limit(2)).scalars().all()
        if len(ids) != 1:
            raise LibraryError(f"no story {prefix!r} in the library" if not ids else
                               f"{prefix!r} names more than one story: give more of its id")
        return ids[0]


#: the author's fields of a story, written into the story file's ``storymap`` member
AUTHOR_FIELDS = ("headline", "dek", "byline", "intro")


def with_author(story: Story, author: dict[str, Any]) -> Story:
    """``story`` with the author's headline, dek, byline and intro (those set) in its
    ``storymap`` member, and each stop's own text (``author_text``, Markdown) and ``zoom``
    (``author["stops"][place_id]``) in its properties; the generated ``title`` stays as the
    first suggestion."""
    fields = {k: str(author[k]).strip() for k in AUTHOR_FIELDS if str(author.get(k) or "").strip()}
    per_stop = author.get("stops") or {}
    if not fields and not per_stop:
        return story
    out = {**story, "storymap": {**story.get("storymap", {}), **fields}}
    if per_stop:
        features = []
        for f in story.get("features", []):
            mine = per_stop.get(str(f.get("id")))
            if mine:
                props = dict(f.get("properties") or {})
                if str(mine.get("text") or "").strip():
                    props["author_text"] = str(mine["text"]).strip()
                if isinstance(mine.get("zoom"), (int, float)) and 0 < mine["zoom"] <= 22:
                    props["zoom"] = mine["zoom"]
                if mine.get("media"):
                    props["media"] = [dict(m) for m in mine["media"]]
                f = {**f, "properties": props}
            features.append(f)
        out["features"] = features
    return out


#: the longest side of a stop's image as kept and exported (pixels), and its JPEG quality
IMAGE_SIDE, IMAGE_QUALITY = 960, 80
#: the most an image may weigh after resizing (bytes): the exported page stays light
IMAGE_BUDGET = 250_000


def image_media(data: bytes, *, caption: str = "", credit: str = "", alt: str = "") -> dict[str, str]:
    """An uploaded image as a story file ``media`` entry: resized to :data:`IMAGE_SIDE`,
    re-encoded as JPEG (which also drops any script or metadata the file carried) and
    inlined as a ``data:`` URI; :class:`LibraryError` when it is no image or stays too heavy."""
    import base64
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.thumbnail((IMAGE_SIDE, IMAGE_SIDE))
            rgb = img.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise LibraryError(f"the file is not an image that can be read ({exc})") from exc
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=IMAGE_QUALITY, optimize=True)
    if out.tell() > IMAGE_BUDGET:
        raise LibraryError(f"the image is {out.tell() // 1000} kB even when resized; the limit is "
                           f"{IMAGE_BUDGET // 1000} kB")
    src = "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")
    return {"src": src, "caption": caption.strip(), "credit": credit.strip(), "alt": alt.strip() or caption.strip()}


def url_media(url: str, *, caption: str = "", credit: str = "", alt: str = "") -> dict[str, str]:
    """An image by its web address (http(s) only; not fetched: the reader's browser loads it)."""
    import re

    url = url.strip()
    if not re.match(r"https?://[^\s<>\"]+$", url):
        raise LibraryError("an image address must be an http(s) address")
    return {"src": url, "caption": caption.strip(), "credit": credit.strip(), "alt": alt.strip() or caption.strip()}


def shown(saved: SavedStory) -> Story:
    """A stored story with its edits and the author's fields applied: what the map, the
    app and exports show."""
    from storymap.edits import Edits, apply_edits

    edits = Edits.from_dict(saved.edits, name=f"story {saved.id} revision {saved.revision}")
    story = saved.story if edits.is_empty() else apply_edits(saved.story, edits)
    return with_author(story, saved.author)


_MISSING, _CONFLICT = object(), object()
#: lists in edits that are sets of place ids: merged item by item
_SET_LISTS = frozenset({"rejected", "accepted"})


def _merge(base: Any, mine: Any, theirs: Any, *, key: str = "") -> Any:
    """Three-way merge of JSON values: what only one side changed is taken from that side;
    dicts merge key by key, sets of place ids item by item; else ``_CONFLICT``."""
    if mine == theirs:
        return mine
    if mine == base:
        return theirs
    if theirs == base:
        return mine
    if isinstance(mine, dict) and isinstance(theirs, dict):
        base = base if isinstance(base, dict) else {}
        out = {}
        for k in sorted(set(base) | set(mine) | set(theirs)):
            value = _merge(base.get(k, _MISSING), mine.get(k, _MISSING), theirs.get(k, _MISSING), key=k)
            if value is _CONFLICT:
                return _CONFLICT
            if value is not _MISSING:
                out[k] = value
        return out
    if key in _SET_LISTS and all(isinstance(v, list) for v in (mine, theirs)):
        before = set(base) if isinstance(base, list) else set()
        added = (set(mine) - before) | (set(theirs) - before)
        removed = (before - set(mine)) | (before - set(theirs))
        return sorted((before | added) - removed)
    return _CONFLICT


def _touched(base: dict[str, Any], edits: dict[str, Any]) -> set[str]:
    """The place (or article) ids a save changed in its edits; "order" for the route order."""
    out: set[str] = set()
    for field_name in sorted(set(base) | set(edits)):
        before, after = base.get(field_name), edits.get(field_name)
        if before == after:
            continue
        if isinstance(before or after, dict):
            before, after = before or {}, after or {}
            out |= {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        elif field_name in _SET_LISTS:
            out |= set(before or []) ^ set(after or [])
        else:
            out.add(field_name)
    return out


def merged_edits(base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any] | None:
    """Two saves of corrections merged when they touch different places (a place rejected by
    one reader and accepted by the other is a conflict: None)."""
    if _touched(base, mine) & _touched(base, theirs):
        return None
    return merged(base, mine, theirs)


def merged(base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any] | None:
    """``mine`` and ``theirs`` (two saves based on ``base``) merged, or None when they
    change the same thing differently ("merged where the edits do not touch")."""
    value = _merge(base, mine, theirs)
    return None if value is _CONFLICT else value


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _safe_url(url: str) -> str:
    """The URL without its password."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(unreadable database URL)"


def _sqlite_pragmas(dbapi_con: Any, _record: Any) -> None:
    cur = dbapi_con.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")  # several app sessions share one file
    cur.close()


def upgrade(engine: sa.Engine) -> None:
    """Bring the database's schema to the latest migration (Alembic)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    with engine.begin() as con:
        config.attributes["connection"] = con
        command.upgrade(config, "head")
