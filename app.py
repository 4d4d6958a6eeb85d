"""storymap: read, review, author and publish a story map (``streamlit run app.py``).

This script is the app's frame: who is reading, the story the session shows, the sidebar
(the downloads, the base map) and ``st.navigation`` over one module per page in
``app_pages/`` (read, review, author, library, new story). The package does the work:
storymap.story builds, storymap.render draws the map, storymap.edits makes every
correction, storymap.library keeps stories and checks who may see and change them,
storymap.app_support shapes tables, uploads and downloads. Offline: the map is one
self-contained HTML page in a sandboxed iframe.

Stories are kept in the story library (an SQLite file in the user data directory, or the
database $STORYMAP_DATABASE_URL names). A story built here, and every correction to it, is
saved there as a new revision; ``?story=<id>&step=N`` opens it again for its owner and those
it is shared with, ``?share=<token>`` for anyone holding a read-only link. On a laptop the
app is the local user's; a shared server (a database URL, or ``STORYMAP_SHARED=1``) asks
everyone to sign in with the newsroom's OpenID Connect provider (``st.login``, configured in
``.streamlit/secrets.toml``). The example story (built from ``seeds/``), and a story one may
only read, are templates: the first correction makes the reader's own copy. The app never
writes to the shared story or edits files.
"""

from __future__ import annotations

import streamlit as st

# "auto": the sidebar opens beside the story on a wide screen and stays closed on a phone
st.set_page_config(page_title="storymap", page_icon="🗺️", layout="wide", initial_sidebar_state="auto")

from app_pages.session import (build_pending, can_edit, current, keep_address, open_example,  # noqa: E402
                               open_story, reload_latest, sign_in, state)
from app_pages.widgets import downloads  # noqa: E402
from storymap import app_support as sup  # noqa: E402
from storymap.errors import GazetteerError, StorymapError  # noqa: E402
from storymap.memory import release_memory  # noqa: E402

PAGES = {
    "read": st.Page("app_pages/read.py", title="Read", icon=":material/map:", default=True),
    "review": st.Page("app_pages/review.py", title="Review", icon=":material/fact_check:", url_path="review"),
    "author": st.Page("app_pages/author.py", title="Author", icon=":material/edit_note:", url_path="author"),
    "library": st.Page("app_pages/library.py", title="Library", icon=":material/library_books:",
                       url_path="library"),
    "new": st.Page("app_pages/new_story.py", title="New story", icon=":material/upload_file:",
                   url_path="new-story"),
}
ORIGINS = {"seeds": "The example story (your corrections make your own copy)",
           "session": "Built in this session, kept in the library"}


def main() -> None:
    if not sign_in():
        return
    s = state()
    page = st.navigation(list(PAGES.values()))
    try:
        open_story()
        if s.pending_build:
            build_pending()
        _, shown = current()
    except GazetteerError as exc:
        st.error(f"The offline gazetteer is not ready: {exc}. Run `storymap gazetteer` or wait and reload.")
        return
    except StorymapError as exc:
        st.error(f"The story could not be loaded: {exc}. Rebuild it with `storymap build seeds`.")
        return
    keep_address()
    if s.built:  # a story just built: show it
        s.built = False
        st.switch_page(PAGES["read"], query_params=dict(st.query_params))
    with st.sidebar:
        st.caption(ORIGINS.get(s.origin) or ("From the library" if can_edit() else
                                             "From the library, read-only (your corrections make your own copy)"))
        if s.signed_in:
            st.caption(f"Signed in as {sup.md_text(s.user)}")
            st.button("Sign out", key="btn_logout", on_click=st.logout)
        st.toggle("Online map tiles", value=False, key="tiles",
                  help="Off: the built-in offline base map. On: OpenStreetMap tiles (needs internet).")
        if s.origin != "seeds" and st.button("Back to the example story", key="btn_seeds"):
            open_example()
            s.build_messages, s.notices = [], []
            st.rerun()
        st.subheader("Download")
        downloads(shown)
    for note in s.notices:
        st.warning(note)
    for kind, message in s.build_messages:  # what the last build said stays until the next build
        (st.error if kind == "error" else st.warning)(message)
    if s.library_problem:
        st.info(s.library_problem)
    if s.conflict:
        st.error(s.conflict)
        if st.button("Reload the latest version", key="btn_reload"):
            reload_latest()
            st.rerun()
    s.new_map = False
    page.run()
    if s.new_map:
        s.new_map = False
        release_memory()  # a new map page (and its base map) was made in this thread


main()
