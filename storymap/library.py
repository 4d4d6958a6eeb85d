"""The story library: stories, their articles, the author's fields and every saved
revision, in a database.

The default is an SQLite file in the user data directory (or ``$STORYMAP_DATA_DIR``),
created on first use. A newsroom sharing one library points ``STORYMAP_DATABASE_URL`` at
PostgreSQL (``postgresql+psycopg://user@host/db``); both run the same SQLAlchemy code, and
the schema is kept by Alembic migrations (``storymap/migrations``), applied on opening.

Every save is a new revision, so nothing is lost and a save can be undone. A save names
the revision it was based on; when someone else saved in between, it is refused with
:class:`ConflictError` (nothing is overwritten silently).

Every story has an owner, and a :class:`Library` acts as one user (``user``; the local
user :data:`LOCAL_USER` on a laptop and in the command line unless told otherwise). The
checks live here, not in the app: a user lists, opens and exports only their own stories,
those shared with them (:meth:`Library.share`: read or edit access) and those whose
read-only link (:meth:`Library.make_link`, a capability token) they hold; saving and undo
need edit access, and undo only takes back the user's own save; deleting, sharing and
making links are the owner's. A story the user may not see is reported exactly like a
story that does not exist.

>>> lib = Library("sqlite://", user="ana@newsroom.example")     # doctest: +SKIP
>>> saved = lib.add(story, articles=[...])                       # doctest: +SKIP
>>> lib.save(saved.id, base_revision=saved.revision, edits=...)  # doctest: +SKIP
"""

from __future__ import annotations

import builtins
import datetime as dt
import enum
import hashlib
import json
import os
import re
import secrets
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from storymap.errors import StoryError, StorymapError
from storymap.memory import release_memory
from storymap.storyfile import Media, Place, Story, StoryData, as_story, is_media_src, update

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
    sa.Column("owner", sa.Text, nullable=False),
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
    sa.Column("saved_by", sa.Text, nullable=False),
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
#: who else may read or edit a story (the owner is in ``stories.owner``)
grant_table = sa.Table(
    "grants", metadata,
    sa.Column("story_id", sa.String(32), sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user", sa.Text, primary_key=True),
    sa.Column("access", sa.String(8), nullable=False),
)
#: read-only links: the SHA-256 of each link's token (the token itself is never stored)
link_table = sa.Table(
    "links", metadata,
    sa.Column("token_sha256", sa.String(64), primary_key=True),
    sa.Column("story_id", sa.String(32), sa.ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
)

#: the user a laptop's app and the command line act as; the owner of stories kept before owners existed
LOCAL_USER = "local"


class Access(enum.IntEnum):
    """What a user may do with a story; each level includes the ones below."""

    NONE = 0
    READ = 1  #: list, open, export
    EDIT = 2  #: also save, undo their own saves, add articles
    OWNER = 3  #: also delete, share, make and revoke links

    @property
    def label(self) -> str:
        return self.name.lower()


class LibraryError(StorymapError):
    """The library cannot be opened, or a story in it cannot be found or changed."""


class AccessError(LibraryError):
    """The user may see the story but not do this to it (save without edit access, delete
    without owning it...)."""


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
    owner: str = LOCAL_USER
    access: Access = Access.NONE


@dataclass(frozen=True)
class SavedStory:
    """One revision of a stored story."""

    id: str
    revision: int
    story: StoryData
    edits: dict[str, Any]
    author: dict[str, Any]
    articles: tuple[ArticleText, ...]
    note: str = ""
    owner: str = LOCAL_USER
    access: Access = Access.NONE  #: what the user who opened it may do
    saved_by: str = LOCAL_USER  #: who saved this revision

    @property
    def records(self) -> Story:
        """The story as records, read as the library keeps it: a story the library took is not
        checked again (what shows it leaves out what it may not show, such as a media source
        that is not an image)."""
        return Story.from_geojson(self.story)


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


def shared_server() -> bool:
    """Whether this library is a newsroom's, shared by many people who must sign in: a
    database named by ``$STORYMAP_DATABASE_URL``, or ``$STORYMAP_SHARED`` set to 1/true/yes
    (a shared SQLite file). A laptop's library is its local user's."""
    shared = os.environ.get("STORYMAP_SHARED", "").strip().lower()
    return bool(os.environ.get("STORYMAP_DATABASE_URL")) or shared in ("1", "true", "yes", "on")


def _now() -> dt.datetime:
    """When a revision was saved: library bookkeeping shown in the list, never in a story file."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)  # clock-ok


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _story_json(story: Story | StoryData) -> str:
    return _dumps(story.to_geojson() if isinstance(story, Story) else story)


def _summary_fields(story: Story | StoryData, edits: dict[str, Any] | None = None,
                    author: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the library lists of a story: its title (the author's headline when one is set) and
    subject, and its stops as shown (after the corrections)."""
    if not isinstance(story, Story):  # a story as stored: read as it is, never refused here
        stored = story
        try:
            story = Story.from_geojson(stored)
        except (StorymapError, TypeError, ValueError, KeyError, AttributeError):
            meta = stored.get("storymap", {}) if isinstance(stored, dict) else {}
            stops = sum(1 for f in stored.get("features", []) if (f.get("properties") or {}).get("role") == "stop")
            return {"title": str(meta.get("title") or "Untitled story"), "subject": str(meta.get("subject") or ""),
                    "stops": stops}
    if edits or author:
        from storymap.edits import Edits, apply_edits

        try:
            story = with_author(apply_edits(story, Edits.from_dict(edits or {})), author or {})
        except StorymapError:  # edits that no longer apply are listed as the story is
            pass
    meta = story.meta
    return {"title": str((meta.headline or "").strip() or meta.title or "Untitled story"),
            "subject": str(meta.subject or ""), "stops": len(story.stops)}


class Library:
    """A story library in the database at ``url`` (default :func:`default_url`), used by
    ``user`` (default :data:`LOCAL_USER`): every method checks what that user may do.

    Opening is cheap after the first time in a process: one engine per database, made and
    migrated once under a lock, so the app's sessions and threads share it.
    """

    def __init__(self, url: str | None = None, *, user: str = LOCAL_USER) -> None:
        self.url = url or default_url()
        self.user = check_user(user)
        self.engine = _engine(self.url)

    @contextmanager
    def _tx(self) -> Iterator[sa.Connection]:
        try:
            with self.engine.begin() as con:
                yield con
        except sa.exc.SQLAlchemyError as exc:
            raise LibraryError(f"the story library at {_safe_url(self.url)} failed: "
                               f"{' '.join(str(exc).split())[:200]}") from exc

    # ------------------------------------------------------------------ access
    def _visible(self) -> sa.ColumnElement[bool]:
        """Stories this user owns or was given access to."""
        granted = sa.select(grant_table.c.story_id).where(grant_table.c.user == self.user)
        return sa.or_(story_table.c.owner == self.user, story_table.c.id.in_(granted))

    def _access(self, con: sa.Connection, story_id: str, token: str | None = None, *, lock: bool = False) -> Access:
        query = sa.select(story_table.c.owner).where(story_table.c.id == story_id)
        # in a transaction that writes, the story's row stays locked until it ends (PostgreSQL):
        # a share taken away or a delete cannot land between the check and the write
        owner = con.execute(query.with_for_update() if lock else query).scalar_one_or_none()
        if owner is None:
            return Access.NONE
        if owner == self.user:
            return Access.OWNER
        level = con.execute(sa.select(grant_table.c.access).where(grant_table.c.story_id == story_id,
                                                                  grant_table.c.user == self.user)).scalar_one_or_none()
        access = Access.EDIT if level == "edit" else Access.READ if level == "read" else Access.NONE
        if access < Access.READ and token and con.execute(
                sa.select(link_table.c.story_id).where(link_table.c.token_sha256 == _token_hash(token),
                                                       link_table.c.story_id == story_id)).first():
            access = Access.READ
        return access

    def _require(self, con: sa.Connection, story_id: str, needed: Access, token: str | None = None, *,
                 lock: bool = False) -> Access:
        """This user's access to a story; :class:`LibraryError` below ``needed``. A story
        the user may not read is reported as missing: its id says nothing to them."""
        if not isinstance(story_id, str) or not story_id.strip():
            raise LibraryError("no story given: name a story by its id")
        access = self._access(con, story_id, token, lock=lock)
        if access < Access.READ:
            raise LibraryError(f"no story {story_id!r} in the library")
        if access < needed:
            raise AccessError(f"you ({self.user}) may only {access.label} story {story_id!r}; "
                              f"{_NEEDS[needed]}")
        return access

    # ------------------------------------------------------------------ reading

    def list(self) -> list[Summary]:
        """The stories this user may see (their own and those shared with them), the most
        recently changed first."""
        counts = sa.select(article_table.c.story_id, sa.func.count().label("n")).group_by(article_table.c.story_id).subquery()
        mine = sa.select(grant_table.c.story_id, grant_table.c.access).where(grant_table.c.user == self.user).subquery()
        query = (sa.select(story_table, mine.c.access, sa.func.coalesce(counts.c.n, 0).label("n"))
                 .outerjoin(counts, counts.c.story_id == story_table.c.id)
                 .outerjoin(mine, mine.c.story_id == story_table.c.id)
                 .where(self._visible())
                 .order_by(story_table.c.updated_at.desc(), story_table.c.id))
        with self._tx() as con:
            rows = con.execute(query).all()
        return [Summary(r.id, r.title, r.subject, r.stops, r.n, r.revision, _utc(r.updated_at), r.owner,
                        Access.OWNER if r.owner == self.user else Access.EDIT if r.access == "edit" else Access.READ)
                for r in rows]

    def get(self, story_id: str, revision: int | None = None, *, token: str | None = None) -> SavedStory:
        """A story at its latest revision, or at ``revision``: by its whole id, for a user
        who may read it (or who holds a read-only link's ``token`` for it)."""
        with self._tx() as con:
            access = self._require(con, story_id, Access.READ, token)
            head, owner = con.execute(sa.select(story_table.c.revision, story_table.c.owner)
                                      .where(story_table.c.id == story_id)).one()
            number = head if revision is None else revision
            row = con.execute(sa.select(revision_table).where(revision_table.c.story_id == story_id,
                                                         revision_table.c.number == number)).one_or_none()
            if row is None:
                raise LibraryError(f"story {story_id!r} has no revision {number} (latest: {head})")
            texts = con.execute(sa.select(article_table).where(article_table.c.story_id == story_id)
                                .order_by(article_table.c.position)).all()
        return SavedStory(story_id, number, json.loads(row.story), json.loads(row.edits), json.loads(row.author),
                          tuple(ArticleText(a.name, a.text, json.loads(a.meta)) for a in texts), row.note,
                          owner=owner, access=access, saved_by=row.saved_by)

    def open_link(self, token: str) -> SavedStory:
        """The story a read-only link's token opens (read access only, whoever holds it)."""
        if not isinstance(token, str) or not token.strip():
            raise LibraryError("the link has no token")
        with self._tx() as con:
            story_id = con.execute(sa.select(link_table.c.story_id)
                                   .where(link_table.c.token_sha256 == _token_hash(token))).scalar_one_or_none()
        if story_id is None:
            raise LibraryError("the link is not valid (it may have been revoked)")
        return self.get(story_id, token=token)

    def history(self, story_id: str) -> builtins.list[tuple[int, dt.datetime, str]]:
        """(revision, saved at, note) of every save of a story, oldest first."""
        with self._tx() as con:
            self._require(con, story_id, Access.READ)
            rows = con.execute(sa.select(revision_table.c.number, revision_table.c.saved_at, revision_table.c.note)
                               .where(revision_table.c.story_id == story_id).order_by(revision_table.c.number)).all()
        return [(r.number, _utc(r.saved_at), r.note) for r in rows]

    def shares(self, story_id: str) -> dict[str, Access]:
        """Who else may read or edit a story (the owner's to see)."""
        with self._tx() as con:
            self._require(con, story_id, Access.OWNER)
            rows = con.execute(sa.select(grant_table.c.user, grant_table.c.access)
                               .where(grant_table.c.story_id == story_id).order_by(grant_table.c.user)).all()
        return {r.user: Access.EDIT if r.access == "edit" else Access.READ for r in rows}

    # ------------------------------------------------------------------ writing

    def add(self, story: Story | StoryData, *, articles: Sequence[ArticleText] = (), edits: dict[str, Any] | None = None,
            author: dict[str, Any] | None = None, note: str = "created", story_id: str | None = None) -> SavedStory:
        """Keep a new story (revision 1) with its articles, owned by this user; returns it
        with its id (a new random one unless ``story_id`` is given)."""
        story_id = story_id or uuid.uuid4().hex
        now = _now()
        with self._tx() as con:
            con.execute(story_table.insert().values(id=story_id, revision=1, created_at=now, updated_at=now,
                                                owner=self.user, **_summary_fields(story, edits, author)))
            con.execute(revision_table.insert().values(story_id=story_id, number=1, story=_story_json(story),
                                                  edits=_dumps(edits or {}), author=_dumps(author or {}),
                                                  note=note, saved_at=now, saved_by=self.user))
            self._add_articles(con, story_id, articles)
        return self.get(story_id)

    def add_articles(self, story_id: str, new: Sequence[ArticleText]) -> builtins.list[ArticleText]:
        """Add articles to a story; one already in it (same text) is not added twice. Returns the added."""
        with self._tx() as con:
            self._require(con, story_id, Access.EDIT, lock=True)
            return self._add_articles(con, story_id, new)

    @staticmethod
    def _add_articles(con: sa.Connection, story_id: str, new: Sequence[ArticleText]) -> builtins.list[ArticleText]:
        have = set(con.execute(sa.select(article_table.c.sha256).where(article_table.c.story_id == story_id)).scalars())
        start = con.execute(sa.select(sa.func.count()).select_from(article_table)
                            .where(article_table.c.story_id == story_id)).scalar_one()
        added: builtins.list[ArticleText] = []
        for art in new:
            if art.sha256 in have:
                continue
            have.add(art.sha256)
            con.execute(article_table.insert().values(story_id=story_id, sha256=art.sha256, position=start + len(added),
                                                 name=art.name, text=art.text, meta=_dumps(art.meta)))
            added.append(art)
        return added

    def save(self, story_id: str, *, base_revision: int, story: Story | StoryData | None = None,
             edits: dict[str, Any] | None = None, author: dict[str, Any] | None = None,
             note: str = "saved") -> SavedStory:
        """Save a new revision based on ``base_revision``; what is not given is carried over.
        Needs edit access.

        Raises :class:`ConflictError` when ``base_revision`` is no longer the latest.
        """
        current = self.get(story_id)  # what is not given; access is checked where the save is written
        story = current.story if story is None else story
        edits = current.edits if edits is None else edits
        author = current.author if author is None else author
        now = _now()
        with self._tx() as con:
            self._require(con, story_id, Access.EDIT, lock=True)  # again, in the transaction that writes
            # the compare-and-set that makes concurrent saves safe on SQLite and PostgreSQL alike
            moved = con.execute(story_table.update().where(story_table.c.id == story_id,
                                                       story_table.c.revision == base_revision)
                                .values(revision=base_revision + 1, updated_at=now,
                                        **_summary_fields(story, edits, author)))
            if moved.rowcount != 1:
                latest = con.execute(sa.select(story_table.c.revision).where(story_table.c.id == story_id)).scalar_one()
                raise ConflictError(story_id, base_revision, latest)
            con.execute(revision_table.insert().values(story_id=story_id, number=base_revision + 1, story=_story_json(story),
                                                  edits=_dumps(edits), author=_dumps(author), note=note,
                                                  saved_at=now, saved_by=self.user))
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
        """Take back this user's save ``base_revision`` (the latest): the revision before it
        is saved again as a new revision (history is kept). Another user's save is theirs
        to undo."""
        latest = self.get(story_id)
        if latest.access < Access.EDIT:
            raise AccessError(f"you ({self.user}) may only read story {story_id!r}; {_NEEDS[Access.EDIT]}")
        if base_revision <= 1:
            raise LibraryError(f"story {story_id!r}: nothing to undo before revision {base_revision}")
        if latest.revision != base_revision:
            raise ConflictError(story_id, base_revision, latest.revision)
        if latest.saved_by != self.user:
            raise AccessError(f"revision {base_revision} of story {story_id!r} was saved by {latest.saved_by}, "
                              "not by you: only your own save can be undone")
        before = self.get(story_id, base_revision - 1)
        return self.save(story_id, base_revision=base_revision, story=before.story, edits=before.edits,
                         author=before.author, note=f"undo of revision {base_revision}")

    def delete(self, story_id: str) -> None:
        """Remove a story, its revisions, articles, shares and links (the owner only)."""
        with self._tx() as con:
            self._require(con, story_id, Access.OWNER, lock=True)
            for table in (link_table, grant_table, revision_table, article_table):
                con.execute(table.delete().where(table.c.story_id == story_id))
            con.execute(story_table.delete().where(story_table.c.id == story_id))

    def share(self, story_id: str, user: str, access: Access | None) -> None:
        """Give ``user`` read or edit access to a story, or take it away (``None``); the owner only."""
        user = check_user(user)
        try:
            access = None if access is None else Access(access)
        except ValueError:
            access = Access.NONE
        if access not in (None, Access.READ, Access.EDIT):
            raise LibraryError(f"a story is shared to read or to edit, not {access!r}")
        with self._tx() as con:
            self._require(con, story_id, Access.OWNER, lock=True)
            if user == self.user:
                raise LibraryError("you own this story: there is nothing to share with yourself")
            con.execute(grant_table.delete().where(grant_table.c.story_id == story_id, grant_table.c.user == user))
            if access is not None:
                con.execute(grant_table.insert().values(story_id=story_id, user=user, access=access.label))

    def make_link(self, story_id: str) -> str:
        """A new read-only link's token for a story (the owner only): whoever has it can read
        the story, nothing more. Only its hash is stored, so it is shown once."""
        token = secrets.token_urlsafe(32)
        with self._tx() as con:
            self._require(con, story_id, Access.OWNER, lock=True)
            con.execute(link_table.insert().values(token_sha256=_token_hash(token), story_id=story_id,
                                                   created_by=self.user))
        return token

    def revoke_links(self, story_id: str) -> int:
        """Make every read-only link to a story stop working (the owner only); returns how many."""
        with self._tx() as con:
            self._require(con, story_id, Access.OWNER, lock=True)
            return con.execute(link_table.delete().where(link_table.c.story_id == story_id)).rowcount

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
        """The full id of the one story this user may see whose id starts with ``prefix``
        (ids are long to type): an empty or whitespace ``prefix`` names nothing, and one
        that fits several stories is refused with their ids."""
        if not isinstance(prefix, str) or not prefix.strip():
            raise LibraryError("no story given: name a story by its id (or the start of it)")
        with self._tx() as con:
            ids = con.execute(sa.select(story_table.c.id).where(story_table.c.id.startswith(prefix, autoescape=True),
                                                                self._visible())
                              .order_by(story_table.c.id).limit(6)).scalars().all()
        if not ids:
            raise LibraryError(f"no story {prefix!r} in the library")
        if len(ids) > 1:
            shown_ids = ", ".join(i[:12] for i in ids[:5]) + (", ..." if len(ids) > 5 else "")
            raise LibraryError(f"{prefix!r} names more than one story ({shown_ids}): give more of its id")
        return ids[0]


#: what each access level is needed for, said when it is missing
_NEEDS = {Access.READ: "you need read access", Access.EDIT: "saving and undo need edit access from its owner",
          Access.OWNER: "only its owner may delete, share it or make links to it"}
#: a user: an e-mail address, a provider's subject ("oidc:..."), or a local name
_USER = re.compile(r"[^\s\x00-\x1f\x7f]{1,200}")
_ENGINES: dict[str, sa.Engine] = {}
_ENGINES_LOCK = threading.Lock()


def check_user(user: str) -> str:
    """``user`` as the library keeps it: stripped, one word of printable characters; an
    e-mail address lower-cased, as sign-in gives it."""
    name = user.strip() if isinstance(user, str) else ""
    if not _USER.fullmatch(name):
        raise LibraryError(f"{user!r} is not a user name: one word of printable characters, up to 200")
    return name.lower() if "@" in name and not name.startswith("oidc:") else name


def user_identity(claims: dict[str, Any]) -> str:
    """The library's user for a signed-in person: their e-mail address (lower-cased) when the
    identity provider says it verified it (``email_verified``), else ``oidc:``, the
    provider (its issuer) and its subject for the person. An address the provider does not
    vouch for is not trusted: where people may set their own address, it would let anyone
    sign in as a colleague. Neither form can be :data:`LOCAL_USER`."""
    email = str(claims.get("email") or "").strip().lower()
    if email and "@" in email and claims.get("email_verified") in (True, "true"):
        return check_user(email)
    sub = str(claims.get("sub") or "").strip()
    if not sub:
        raise LibraryError("the identity provider named no user (no verified e-mail address and no subject)")
    issuer = str(claims.get("iss") or "").strip()
    return check_user(f"oidc:{issuer}#{sub}" if issuer else f"oidc:{sub}")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def _engine(url: str) -> sa.Engine:
    """One engine per database in this process, made and migrated once under a lock (the
    app opens the library from many threads at once)."""
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is not None:
            return engine
        try:
            if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(url, future=True)
            if engine.dialect.name == "sqlite":
                sa.event.listen(engine, "connect", _sqlite_pragmas)
            migrate(engine)
        except LibraryError:
            raise
        except (sa.exc.SQLAlchemyError, OSError, ImportError) as exc:
            raise LibraryError(f"cannot open the story library at {_safe_url(url)}: "
                               f"{' '.join(str(exc).split())[:200]}") from exc
        if not _in_memory(url):  # each in-memory library is its own
            _ENGINES[url] = engine
        return engine


def _in_memory(url: str) -> bool:
    return url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url


#: the author's fields of a story, written into the story file's ``storymap`` member
AUTHOR_FIELDS = ("headline", "dek", "byline", "intro")
#: the author's house style (the base map's style and the accent colour), also in ``storymap``
LOOK_FIELDS = ("style", "accent")


def with_author(story: Story | StoryData, author: dict[str, Any]) -> Story:
    """``story`` with the author's headline, dek, byline and intro (those set) in its
    ``storymap`` member, and each stop's own text (``author_text``, Markdown) and ``zoom``
    (``author["stops"][place_id]``) in its properties; the generated ``title`` stays as the
    first suggestion."""
    story = as_story(story)
    fields = {k: str(author[k]).strip() for k in AUTHOR_FIELDS if str(author.get(k) or "").strip()}
    per_stop = author.get("stops") or {}
    story = _with_author_look(story, author)
    if not fields and not per_stop:
        return story
    story = replace(story, meta=update(story.meta, **fields))
    if per_stop:
        places = []
        for f in story.features:
            mine = per_stop.get(str(f.id)) if isinstance(f, Place) else None
            if isinstance(f, Place) and mine:
                changes: dict[str, Any] = {}
                if str(mine.get("text") or "").strip():
                    changes["author_text"] = str(mine["text"]).strip()
                if isinstance(mine.get("zoom"), (int, float)) and 0 < mine["zoom"] <= 22:
                    changes["zoom"] = mine["zoom"]
                # only what a story file may carry: a library kept by an older storymap may hold
                # a media source the story file refuses (a path), and an export must load back
                media = tuple(Media.from_geojson(m) for m in mine.get("media") or []
                              if isinstance(m, dict) and is_media_src(m.get("src")))
                if media:
                    changes["media"] = media
                f = update(f, **changes)
            places.append(f)
        story = story.with_features(places)
    return story


def _with_author_look(story: Story, author: dict[str, Any]) -> Story:
    """``story`` with the house style the author chose (``author["style"]``, ``author["accent"]``;
    see :func:`storymap.look.with_look`); a value the story file would refuse (kept by an older
    storymap, or by hand) is left out, so that every export loads back."""
    from storymap.look import with_look

    for key in LOOK_FIELDS:
        value = author.get(key)
        if isinstance(value, str) and value.strip():
            try:
                story = with_look(story, **{key: value})
            except StoryError:
                continue
    return story


#: the longest side of a stop's image as kept and exported (pixels), and its JPEG quality
IMAGE_SIDE, IMAGE_QUALITY = 960, 80
#: the most an image may weigh after resizing (bytes): the exported page stays light
IMAGE_BUDGET = 250_000
#: the formats an uploaded image may be (raster only; an SVG can hold script)
IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
#: the most pixels a PNG, GIF or WebP may have, read from its header before anything is decoded:
#: decoded whole, 16 megapixels take 64 MB at most (4 bytes a pixel)
MAX_IMAGE_PIXELS = 16_000_000
#: the most pixels a JPEG may have (a 48-megapixel phone photo): it is decoded at 1/2, 1/4 or
#: 1/8 of its size (``Image.draft``), and what is decoded must still be :data:`MAX_IMAGE_PIXELS` at most
MAX_JPEG_PIXELS = 50_000_000
#: how many uploads are decoded at once, whatever the number of sessions (a PNG may take 80 MB
#: for a moment); the others wait their turn, a fraction of a second each
IMAGE_DECODES = threading.BoundedSemaphore(2)


def image_media(data: bytes, *, caption: str = "", credit: str = "", alt: str = "") -> dict[str, str]:
    """An uploaded image as a story file ``media`` entry: resized to :data:`IMAGE_SIDE`,
    re-encoded as JPEG (which also drops any script or metadata the file carried) and
    inlined as a ``data:`` URI; :class:`LibraryError` when it is no PNG, JPEG, GIF or WebP,
    has more pixels than :data:`MAX_IMAGE_PIXELS` (:data:`MAX_JPEG_PIXELS` for a JPEG; both
    checked from the header, before decoding) or stays too heavy."""
    import base64
    import io

    from PIL import Image, UnidentifiedImageError

    def too_large(width: int, height: int) -> LibraryError:
        return LibraryError(f"the image is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels); the "
                            f"limit is {MAX_IMAGE_PIXELS // 1_000_000} megapixels, or {MAX_JPEG_PIXELS // 1_000_000} "
                            f"for a JPEG: make it smaller first")

    try:
        with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as img:  # reads the header only
            width, height = img.size
            if width * height > (MAX_JPEG_PIXELS if img.format == "JPEG" else MAX_IMAGE_PIXELS):
                raise too_large(width, height)
            # a JPEG decodes at the smallest scale (1/2, 1/4, 1/8) still twice the size it is resized
            # to, as thumbnail() would, but from that size's shape, so a long panorama shrinks too
            scale = IMAGE_SIDE / max(width, height, IMAGE_SIDE)
            img.draft(None, (max(1, int(width * scale)) * 2, max(1, int(height * scale)) * 2))
            if img.size[0] * img.size[1] > MAX_IMAGE_PIXELS:  # a JPEG too narrow to decode smaller
                raise too_large(width, height)
            with IMAGE_DECODES:
                img.thumbnail((IMAGE_SIDE, IMAGE_SIDE))
                rgb = img.convert("RGB")
                # glibc keeps the freed pages in the session thread's own arena: give them back now,
                # or every session that uploads keeps a decoded image's worth of memory
                release_memory()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise LibraryError(f"the file is not an image that can be read (PNG, JPEG, GIF or WebP; {exc})") from exc
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=IMAGE_QUALITY, optimize=True)
    if out.tell() > IMAGE_BUDGET:
        raise LibraryError(f"the image is {out.tell() // 1000} kB even when resized; the limit is "
                           f"{IMAGE_BUDGET // 1000} kB")
    src = "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")
    return {"src": src, "caption": caption.strip(), "credit": credit.strip(), "alt": alt.strip() or caption.strip()}


def url_media(url: str, *, caption: str = "", credit: str = "", alt: str = "") -> dict[str, str]:
    """An image by its web address (http(s) only; not fetched: the reader's browser loads it)."""
    from storymap.storyfile import is_media_src

    url = url.strip()
    if not url.startswith(("http://", "https://")) or not is_media_src(url):  # what a story file may hold
        raise LibraryError("an image address must be an http(s) address without spaces, quotes or <>")
    return {"src": url, "caption": caption.strip(), "credit": credit.strip(), "alt": alt.strip() or caption.strip()}


def shown(saved: SavedStory) -> Story:
    """A stored story with its edits and the author's fields applied: what the map, the
    app and exports show."""
    from storymap.edits import Edits, apply_edits

    edits = Edits.from_dict(saved.edits, name=f"story {saved.id} revision {saved.revision}")
    story = saved.records if edits.is_empty() else apply_edits(saved.records, edits)
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


def migrate(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the database's schema to ``revision`` of the migrations (Alembic): the latest
    by default (done on opening), or back to an earlier one when storymap is rolled back."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    try:
        with engine.connect() as con:
            if engine.dialect.name == "sqlite":
                # a batch migration copies a table and drops the old one: with foreign keys on,
                # the drop would cascade to every revision and article (SQLite cannot change
                # this inside a transaction, so before it)
                con.exec_driver_sql("PRAGMA foreign_keys=OFF")
                con.commit()
            with con.begin():
                config.attributes["connection"] = con
                current = con.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() \
                    if sa.inspect(con).has_table("alembic_version") else None
                script = ScriptDirectory.from_config(config)
                known = [r.revision for r in script.walk_revisions()]
                if revision == "head" or current is None or known.index(revision) < known.index(current):
                    command.upgrade(config, revision)  # walk_revisions goes newest first
                elif revision != current:
                    command.downgrade(config, revision)
            if engine.dialect.name == "sqlite":
                con.exec_driver_sql("PRAGMA foreign_keys=ON")
                con.commit()
    except (CommandError, ValueError) as exc:
        url = _safe_url(engine.url.render_as_string(hide_password=False))
        raise LibraryError(f"the story library at {url} has a schema this storymap does not know "
                           f"({' '.join(str(exc).split())[:160]}): it was written by a newer storymap, or is "
                           "not a storymap library; upgrade storymap or open another library") from exc
