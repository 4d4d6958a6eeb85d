"""The app's session: one :class:`AppState` in ``st.session_state``, the cached loaders, who
is signed in, opening and saving stories in the library, and building new ones.

Widgets keep their own values under their keys; everything else a session keeps is a member
of its AppState, small (a story, its edits, fingerprints): pages, exports and derived
stories live in bounded caches.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from storymap import app_support as sup
from storymap.edits import Edits, EditsError, apply_edits, check_article, edits_path, load_edits
from storymap.errors import GazetteerError, StorymapError
from storymap.memory import release_memory
from storymap.storyfile import Story

T = TypeVar("T")
STATE_KEY = "app"
#: the details an article may be given on the new story page (storymap.edits.check_article)
DETAILS = ("published", "source", "url")


@dataclass
class AppState:
    """Everything a session keeps besides its widgets' values."""

    user: str = ""
    signed_in: bool = False
    #: the pipeline's story shown, and where it came from: "seeds" (the example story, a
    #: template), "session" (built here) or "library"
    base: Story | None = None
    origin: str = "seeds"
    edits: Edits = field(default_factory=Edits)
    author: dict[str, Any] = field(default_factory=dict)
    story_id: str | None = None
    revision: int | None = None
    access: int | None = None
    link_token: str | None = None  #: the read-only link the story was opened by
    new_link: str | None = None  #: a read-only link just made (shown once)
    notices: list[str] = field(default_factory=list)
    library_problem: str | None = None
    conflict: str | None = None
    map_key: str | None = None  #: a fingerprint of the story the map shows
    map_step: int | None = None
    new_map: bool = False
    pending_build: str | None = None  #: "new" or "add": a build a click asked for
    build_messages: list[tuple[str, str]] = field(default_factory=list)
    built: bool = False  #: a story was just built: show it
    intro_seen: bool = False  #: the first-contact explanation was put away
    #: the review table's ticked rows (place ids), ticked again in the table drawn after a move or
    #: another save; accepting, rejecting or saving the table clears them
    ticked: tuple[str, ...] = ()
    place_label: str | None = None  #: the label of the place to review as last drawn


def state() -> AppState:
    """This session's state (made on first use)."""
    if STATE_KEY not in st.session_state:
        st.session_state[STATE_KEY] = AppState()
    found: AppState = st.session_state[STATE_KEY]
    return found


# --------------------------------------------------------------------------- cached loaders
@st.cache_resource(show_spinner="Preparing the offline gazetteer (first run only, about 30 seconds)...")
def gazetteer():  # noqa: ANN201 - storymap.gazetteer.Gazetteer, imported lazily
    from storymap.gazetteer import Gazetteer

    return Gazetteer()


def _build(paths: Sequence[Path]) -> Story:
    from storymap.story import build_story

    return build_story(list(paths), gazetteer=gazetteer(), base=sup.ROOT).story


@st.cache_resource(show_spinner="Building the example story from the seed articles (once)...")
def example_story() -> Story:
    """The example story (built from seeds/ first if data/places.geojson is missing or stale; read-only)."""
    return sup.ensure_story(sup.STORY_PATH, sup.SEEDS_DIR, build=_build)


# Caches keyed by a reader's story are bounded in entries and time: each entry is a whole
# story (tens of kB) or map page (about 0.5-1.5 MB).
@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def edited_story(story_json: str, edits_json: str) -> Story:
    # the session's own story, written by sup.story_json: read back as it is, not checked again
    return apply_edits(Story.from_geojson(json.loads(story_json)), Edits.from_dict(json.loads(edits_json)))


@st.cache_data(show_spinner=False, max_entries=8, ttl=3600)
def map_html(story_json: str, step: int | None, tiles: bool) -> str:
    from storymap.render import OSM_TILES, story_html

    story = Story.from_geojson(json.loads(story_json))  # the session's own story (sup.story_json)
    return sup.map_page(story_html(story, tiles=OSM_TILES if tiles else None, step=step))


def library():  # noqa: ANN201 - the story library as this session's user, or None (stories stay in the session)
    from storymap.library import Library

    s = state()
    try:
        return Library(user=s.user)
    except StorymapError as exc:
        s.library_problem = (f"The story library is not available ({exc}); stories and corrections stay in "
                             "this session only.")
        return None


def notice(message: str) -> None:
    s = state()
    s.notices = [*s.notices, message]


# --------------------------------------------------------------------------- who is reading
def sign_in() -> bool:
    """Who this session acts as (:attr:`AppState.user`): the local user on a laptop; on a shared
    server the person signed in with the newsroom's identity provider. False (and the page
    says why) while nobody is signed in."""
    from storymap.library import LOCAL_USER, shared_server, user_identity

    if not shared_server():
        s = state()
        s.user, s.signed_in = LOCAL_USER, False
        return True
    if not _auth_configured():
        st.title("storymap")
        st.error("This storymap server is shared (it keeps stories in a database, or STORYMAP_SHARED is set), "
                 "so everyone signs in, but no identity provider is configured: add an `[auth]` section to "
                 "`.streamlit/secrets.toml` (see the README).")
        return False
    if not st.user.is_logged_in:
        st.title("storymap")
        st.markdown("Sign in with your newsroom account to see your stories and those shared with you.")
        if st.button("Sign in", key="btn_login", type="primary"):
            st.login()
        return False
    try:
        user = user_identity(st.user.to_dict())
    except StorymapError as exc:
        st.error(f"Signed in, but {exc}.")
        st.button("Sign out", key="btn_logout", on_click=st.logout)
        return False
    ss = st.session_state
    if STATE_KEY in ss and ss[STATE_KEY].user not in ("", user):  # another person in this browser: start afresh
        for key in list(ss.keys()):
            del ss[key]
    s = state()
    s.user, s.signed_in = user, True
    return True


def _auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file, or one Streamlit cannot read: not configured
        return False


# --------------------------------------------------------------------------- the story shown
def open_story() -> None:
    """On a session's first run: the story its link names (``?story=`` or ``?share=``), else the example."""
    s = state()
    if s.base is not None:
        return
    wanted, token = st.query_params.get("story"), st.query_params.get("share")
    lib = library() if wanted or token else None
    if (wanted or token) and lib is not None:
        try:  # a whole id (never the start of one), or a read-only link's token
            open_saved(lib.open_link(str(token)) if token else lib.get(str(wanted)), token=token)
            return
        except StorymapError as exc:
            notice(f"The story in the link cannot be opened ({exc}); showing the example story.")
            st.query_params.pop("story", None)
            st.query_params.pop("share", None)
    open_example()


def open_example() -> None:
    """The example story, as a template: corrections to it make the reader's own copy."""
    s = state()
    s.base, s.origin = example_story(), "seeds"
    s.story_id = s.revision = s.access = s.link_token = s.new_link = s.conflict = None
    s.author, s.map_key = {}, None
    try:
        s.edits = load_edits(edits_path(sup.STORY_PATH))
    except StorymapError as exc:
        s.edits = Edits()
        notice(f"Saved edits were not applied: {exc}. Fix or delete the file.")
    st.query_params.pop("story", None)
    st.query_params.pop("share", None)


def open_saved(saved, token: str | None = None) -> None:  # noqa: ANN001 - storymap.library.SavedStory
    """Show a story from the library; ``token``: it was opened by a read-only link."""
    s = state()
    s.base = saved.records
    s.edits = Edits.from_dict(saved.edits, name=f"story {saved.id}")
    s.author = dict(saved.author)
    s.story_id, s.revision, s.access, s.link_token = saved.id, saved.revision, int(saved.access), token
    s.new_link = None  # a read-only link made for the story shown before
    s.origin = "library"
    s.conflict = None
    keep_address()


def keep_address() -> None:
    """The address names the story shown (``?story=`` or ``?share=``), whatever page is open,
    so a reload or a copied address opens it again."""
    s = state()
    if s.link_token:
        st.query_params.pop("story", None)
        if st.query_params.get("share") != s.link_token:
            st.query_params["share"] = s.link_token
    elif s.story_id:
        st.query_params.pop("share", None)
        if st.query_params.get("story") != s.story_id:
            st.query_params["story"] = s.story_id


def can_edit() -> bool:
    """Whether this session's corrections are saved to the story it shows (else they make a copy)."""
    from storymap.library import Access

    s = state()
    return s.story_id is not None and (s.access or 0) >= Access.EDIT


def current() -> tuple[Story, Story]:
    """(the pipeline's story, the story as shown with the edits and the author's fields applied)."""
    from storymap.library import with_author

    s = state()
    assert s.base is not None  # open_story ran
    shown = edited_story(sup.story_json(s.base), json.dumps(s.edits.to_dict(), sort_keys=True))
    return s.base, with_author(shown, s.author)


# --------------------------------------------------------------------------- saving
def set_edits(edits: Edits) -> None:
    """Take the reader's corrections and save them to the library as a new revision."""
    state().edits = edits
    _save("corrections")


def set_author(author: dict[str, Any]) -> None:
    """Take the author's headline, dek, byline, intro and stop texts and save them as a new revision."""
    state().author = author
    _save("the author's text")


def _save(note: str) -> None:
    from storymap.library import ConflictError

    s = state()
    lib = library()
    if lib is None or s.base is None:
        return
    edits, author = s.edits.to_dict(), dict(s.author)
    try:
        if not can_edit():  # the example story, or one this user may only read: their own copy
            was = s.origin
            open_saved(lib.add(s.base, articles=current_articles(), edits=edits, author=author,
                               note=f"{note}, in a copy"))
            if was == "library":
                notice("Your correction made your own copy of this story: the original is unchanged.")
        else:
            assert s.story_id is not None and s.revision is not None
            saved = lib.save_merging(s.story_id, base_revision=s.revision, edits=edits, author=author, note=note)
            s.revision = saved.revision
            if saved.edits != edits or saved.author != author:  # merged with another reader's save
                s.edits = Edits.from_dict(saved.edits, name=f"story {saved.id}")
                s.author = dict(saved.author)
                notice("Someone else saved this story meanwhile: their corrections and yours did not touch, "
                       "so both are kept.")
    except ConflictError as exc:
        s.conflict = str(exc)
    except StorymapError as exc:
        notice(f"Not saved: {exc}")


def undo() -> None:
    """Take back this story's last save (one's own)."""
    from storymap.library import ConflictError

    s = state()
    lib = library()
    if lib is None or s.story_id is None or s.revision is None:
        return
    try:
        open_saved(lib.undo(s.story_id, base_revision=s.revision))
    except ConflictError as exc:
        s.conflict = str(exc)
    except StorymapError as exc:
        notice(f"Nothing was undone: {exc}")


def reload_latest() -> None:
    """After a refused save: the story as it is saved now."""
    s = state()
    lib = library()
    try:
        if lib is None or s.story_id is None:
            raise StorymapError("the story library is not available")
        open_saved(lib.get(s.story_id, token=s.link_token), token=s.link_token)
    except StorymapError as exc:  # deleted, or no longer shared, meanwhile
        s.conflict = None
        s.notices = [f"The story cannot be reloaded ({exc})."]


def current_articles() -> list:
    """The current story's articles as library records (from the library, or read from disk)."""
    from storymap.library import article_text

    s = state()
    if s.origin == "seeds" and s.base is not None:  # the seeds' own files, under seeds/
        return [article_text(p.name, p.read_bytes()) for p in sup.article_paths(s.base, root=sup.ROOT)
                if p.is_file() and p.resolve().is_relative_to(sup.SEEDS_DIR.resolve())]
    lib = library()
    if s.story_id and lib is not None:
        return list(lib.get(s.story_id, token=s.link_token).articles)
    return []  # a story kept nowhere: never a file a story file names


# --------------------------------------------------------------------------- building
# The inputs and both buttons of the new story page are one form: the browser sends the
# files, the text and the click together in one message, and keeps the buttons disabled
# until every upload has arrived. (Outside a form, an upload finishing just after the click
# sent a second rerun without the click, which stopped the run holding it: the first click
# was lost.) The click itself only records a request in the session (the button's callback
# runs before anything can interrupt the run); the build runs at the top of the next run
# and is requested again if a newer rerun interrupts it.
def request_build(mode: str) -> None:
    state().pending_build = mode


def build_pending() -> None:
    """Build the story a click asked for (see :func:`request_build`); messages go to ``build_messages``."""
    s = state()
    mode, s.pending_build = s.pending_build, None
    if mode not in ("new", "add"):
        return
    messages: list[tuple[str, str]] = []
    s.build_messages = messages
    try:
        result = _build_from_inputs(mode, messages)
    except Exception:
        raise
    except BaseException:
        # a newer rerun (another widget, a second click) stopped this one: build on that run
        s.pending_build = mode
        raise
    if result is None:
        return
    built, kept = result
    previous = s.story_id if mode == "add" else None
    s.base = built.story
    s.origin = "session"
    if mode == "new":
        s.edits, s.author = Edits(), {}
    for key in ("paste_text", "paste_title", *(f"new_{k}" for k in DETAILS)):  # the inputs clear after a build
        st.session_state[key] = ""
    s.notices = [f"Note: {p}" for p in built.problems] + [f"Not placed: {u}" for u in built.unplaced[:10]]
    st.query_params.pop("step", None)
    _keep_built(built.story, kept, previous)
    s.built = True
    release_memory()


def _keep_built(story: Story, articles: list, previous: str | None) -> None:
    """Save a story just built: a new story, or a new revision of the one articles were added to."""
    from storymap.library import ConflictError

    s = state()
    lib = library()
    if lib is None:
        s.story_id = None
        return
    try:
        if previous is not None and not can_edit():  # added to a story one may only read: one's own copy
            open_saved(lib.add(story, articles=articles, edits=s.edits.to_dict(), author=dict(s.author),
                               note=f"built from {len(articles)} articles, in a copy"))
            s.origin = "session"
        elif previous is not None:
            assert s.revision is not None
            # the new revision first: a refused save (someone saved meanwhile) adds no article either
            saved = lib.save(previous, base_revision=s.revision, story=story, edits=s.edits.to_dict(),
                             note=f"rebuilt with {len(articles)} articles")
            lib.add_articles(previous, articles)
            open_saved(lib.get(saved.id))
        else:
            open_saved(lib.add(story, articles=articles, note=f"built from {len(articles)} articles"))
            s.origin = "session"
    except ConflictError as exc:
        s.conflict = str(exc)
    except StorymapError as exc:
        notice(f"The story was not saved in the library: {exc}")


def _build_from_inputs(mode: str, messages: list[tuple[str, str]]):  # noqa: ANN202 - (BuildResult, articles) | None
    ss = st.session_state
    files = ss.get("upload_files") or []
    pasted = ss.get("paste_text") or ""
    subject = (ss.get("subject") or "").strip() or None
    try:
        details = {k: v for k, v in check_article({k: ss.get(f"new_{k}") or None for k in DETAILS},
                                                  name="The article's details").items() if v}
    except EditsError as exc:
        messages.append(("error", f"{sup.md_text(str(exc))}. Nothing was built."))
        return None
    uploads = [sup.Upload(f.name, f.getvalue(), details) for f in files]
    try:
        if pasted.strip():
            uploads.append(replace(sup.pasted_upload(pasted, ss.get("paste_title")), meta=details))
        accepted, refused = sup.check_uploads(uploads)
        del uploads
        messages += [("warning", msg) for msg in refused]
        if not accepted:
            messages.append(("error", "No article to read: upload .txt, .md or .html files or paste some text "
                                      "(a file you have just chosen may still be uploading: click again)."))
            return None
        from storymap.library import article_text

        kept = [article_text(sup.safe_name(u.name), u.data, dict(u.meta)) for u in accepted]
        if mode == "add":
            have = current_articles()
            if not have:  # rebuilt from the new files alone, the story would lose every stop it has
                messages.append(("error", "This story has no article texts (it was imported or traced), so "
                                          "articles cannot be added to it: build a new story instead."))
                return None
            known = {a.sha256 for a in have}
            again = [a.name for a in kept if a.sha256 in known]
            if again:
                messages.append(("warning", "Already in this story, not added again: " + ", ".join(again)))
            kept = have + [a for a in kept if a.sha256 not in known]
            if len(kept) == len(have):
                messages.append(("error", "Nothing new to add: every article is already in this story."))
                return None
        del accepted
        # the articles are kept in the library; the files exist only while the story builds
        folder = sup.upload_folder()
        try:
            paths = sup.write_uploads(uploads_of(kept), folder)
            result = _build_with_progress(paths, subject)
        except GazetteerError:
            raise
        except StorymapError as exc:
            messages.append(("error", f"Could not build a story: {_unfold(str(exc), folder)}"))
            return None
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        # messages name the articles, never the temporary folder they were built from
        result.problems[:] = [_unfold(p, folder) for p in result.problems]
        result.unplaced[:] = [_unfold(u, folder) for u in result.unplaced]
        return result, kept
    except GazetteerError as exc:
        messages.append(("error", f"The offline gazetteer is not ready: {exc}. Wait a minute and try again."))
    except StorymapError as exc:
        messages.append(("error", f"Could not build a story: {exc}"))
    return None


def uploads_of(articles: Sequence) -> list[sup.Upload]:  # Sequence[storymap.library.ArticleText]
    """The library's articles as files to build from, with the details given with them."""
    from storymap.articles import META_KEYS

    return [sup.Upload(a.name, a.text.encode("utf-8"),
                       {k: v for k, v in a.meta.items() if k in META_KEYS and isinstance(v, str) and v})
            for a in articles]


def read_given_details() -> None:
    """Fill the empty detail fields of the new story page with what the reader finds in the
    pasted text (else the first file chosen)."""
    ss = st.session_state
    files = ss.get("upload_files") or []
    pasted = ss.get("paste_text") or ""
    try:
        upload = sup.pasted_upload(pasted, ss.get("paste_title")) if pasted.strip() else \
            sup.Upload(files[0].name, files[0].getvalue()) if files else None
    except StorymapError:
        upload = None
    found = sup.read_details(upload) if upload is not None else {}
    for key in DETAILS:
        if not (ss.get(f"new_{key}") or "").strip():
            ss[f"new_{key}"] = found.get(key, "")
    state().build_messages = [] if found else [("warning", "No outlet, date or web address was found in the "
                                                           "text: type them in.")]


def _unfold(message: str, folder: Path) -> str:
    """A message without the temporary folder an article was written to."""
    return message.replace(f"{folder}/", "").replace(str(folder), "the uploads")


def _build_with_progress(paths: Sequence[Path], subject: str | None):  # noqa: ANN202 - BuildResult
    from storymap.story import build_story

    bar = st.progress(0.0, text="Loading the gazetteer...")
    result = build_story(list(paths), gazetteer=gazetteer(), subject=subject, base=sup.ROOT, progress=progress_bar(bar))
    bar.empty()
    return result


def progress_bar(bar):  # noqa: ANN001, ANN202 - a st.progress bar; a storymap.pipeline.Progress
    """A progress callback, ``progress(message, done, total)``, that moves ``bar`` (the
    pipeline's build and the video's frames report alike)."""
    def progress(msg: str, n: int, total: int) -> None:
        bar.progress(min(1.0, n / max(total, 1)), text=f"{msg} ({n}/{total})")

    return progress


def run_with_progress(bar, work: Callable[[Callable[[str, int, int], None]], T]) -> T:  # noqa: ANN001 - st.progress
    """``work(progress)`` run in a worker thread while this script's thread moves ``bar`` to
    the latest ``progress(message, done, total)`` it reported: a recording reports from threads
    of its own, and only the script's thread may draw on the page (elsewhere Streamlit has no
    session to draw in, NoSessionContext)."""
    reported: list[tuple[str, int, int]] = []
    move, shown = progress_bar(bar), None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="storymap-work") as pool:
        job = pool.submit(work, lambda msg, done, total: reported.append((msg, done, total)))
        while True:
            wait([job], timeout=0.25)
            if reported and reported[-1] != shown:
                shown = reported[-1]
                move(*shown)
            if job.done():
                return job.result()


def change_subject(subject: str) -> None:
    """Build the story shown again for ``subject`` from its articles, keeping every correction
    that still applies (:func:`storymap.story.rebuild_story`), and save it: a new revision, or
    one's own copy of a story one may only read (or of the example). A notice lists the
    corrections that no longer apply."""
    from storymap.library import ConflictError
    from storymap.story import rebuild_story

    s = state()
    subject = " ".join(subject.split())
    articles = current_articles()
    if not subject or s.base is None:
        return
    if not articles:
        notice("This story has no article texts (it was imported or traced), so it cannot be built again "
               "for another subject.")
        return
    folder = sup.upload_folder()
    try:
        paths = sup.write_uploads(uploads_of(articles), folder)
        bar = st.progress(0.0, text="Loading the gazetteer...")
        rebuilt = rebuild_story(paths, subject, s.edits, gazetteer=gazetteer(), base=sup.ROOT,
                                progress=progress_bar(bar))
        bar.empty()
    except StorymapError as exc:
        notice(f"The story was not built again for {subject}: {_unfold(str(exc), folder)}")
        return
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    story, edits = rebuilt.result.story, rebuilt.edits
    notes = [f"The route now follows {sup.md_text(story.meta.subject or subject)}."]
    if rebuilt.dropped:
        notes.append("These corrections no longer apply and were not kept: "
                     + "; ".join(sup.md_text(d) for d in rebuilt.dropped) + ".")
    s.base, s.edits, s.map_key = story, edits, None
    st.query_params.pop("step", None)
    lib = library()
    note = f"built again for {story.meta.subject or subject}"
    try:
        if lib is None:
            s.story_id, s.origin = None, "session"
        elif can_edit():
            assert s.story_id is not None and s.revision is not None
            saved = lib.save(s.story_id, base_revision=s.revision, story=story, edits=edits.to_dict(), note=note)
            open_saved(lib.get(saved.id))
        else:  # the example story, or one this user may only read: their own copy
            open_saved(lib.add(story, articles=articles, edits=edits.to_dict(), author=dict(s.author),
                               note=f"{note}, in a copy"))
    except ConflictError as exc:  # someone saved meanwhile: the new route is shown, not saved
        s.conflict = str(exc)
    except StorymapError as exc:
        notes.append(f"Not saved: {exc}")
    s.notices = [*s.notices, *notes]
    release_memory()
