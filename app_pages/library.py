"""The library page: the stories this user may open (their own and those shared with them,
listed by their headline and their route as it is now), and the owner's sharing controls."""

from __future__ import annotations

import streamlit as st

from app_pages.session import library, notice, open_saved, state
from app_pages.widgets import n
from storymap import app_support as sup
from storymap.errors import StorymapError


def stories() -> None:
    from storymap.library import Access

    lib = library()
    if lib is None:
        st.info("The story library is not available: stories and corrections stay in this session only.")
        return
    try:
        rows = lib.list()
    except StorymapError as exc:
        st.warning(f"The library cannot be read: {exc}")
        return
    st.subheader(f"Library ({n(len(rows), 'story', 'stories')})")
    if not rows:
        st.caption("Stories you build or correct are kept here; so are those others share with you.")
        return
    st.dataframe([{"story": r.title, "stops": r.stops, "articles": r.articles,
                   "changed": f"{r.updated_at:%Y-%m-%d %H:%M}", "id": r.id[:6],
                   "yours": "yes" if r.access == Access.OWNER else f"{r.access.label}, from {r.owner}"}
                  for r in rows], hide_index=True, width="stretch", key="library_table",
                 column_config={"story": st.column_config.TextColumn("story", width="large"),
                                "stops": st.column_config.NumberColumn("stops", width="small"),
                                "articles": st.column_config.NumberColumn("articles", width="small"),
                                "changed": st.column_config.TextColumn("changed", width="small"),
                                "id": st.column_config.TextColumn("id", width="small"),
                                "yours": st.column_config.TextColumn("yours", width="medium")})
    labels = {r.id: f"{r.title} · {n(r.stops, 'stop')} · {n(r.articles, 'article')} · "
                    f"{r.updated_at:%Y-%m-%d %H:%M} · {r.id[:6]}"
                    + ("" if r.access == Access.OWNER else f" · {r.access.label}, from {r.owner}")
              for r in rows}
    current_id = state().story_id
    ids = list(labels)
    picked = st.selectbox("Story", ids, index=ids.index(current_id) if current_id in ids else 0,
                          format_func=lambda i: labels[i], key="library_pick")
    if st.button("Open", key="btn_open_story", disabled=picked == current_id):
        try:
            open_saved(lib.get(picked))
        except StorymapError as exc:
            state().notices = [f"The story cannot be opened: {exc}"]
        st.query_params.pop("step", None)
        st.rerun()


def sharing() -> None:
    """The owner's controls: who else may read or edit this story, and read-only links."""
    from storymap.library import Access

    s = state()
    lib = library()
    if lib is None or not s.story_id or (s.access or 0) < Access.OWNER:
        return
    st.subheader("Share the story you have open")
    try:
        shares = lib.shares(s.story_id)
    except StorymapError as exc:
        st.warning(f"The story's shares cannot be read: {exc}")
        return
    for user, access in shares.items():
        c1, c2 = st.columns([3, 1])
        c1.caption(f"{sup.md_text(user)} may {access.label} it")
        if c2.button("Remove", key=f"btn_unshare_{sup.digest(user)}"):
            share(user, None)
    with st.form("form_share", border=False):
        user = st.text_input("Share with", key="share_user", placeholder="name@newsroom.example",
                             help="The name they are signed in as, shown at the top of their sidebar: "
                                  "their e-mail address.")
        level = st.radio("They may", ["read", "edit"], horizontal=True, key="share_level")
        if st.form_submit_button("Share"):
            share(user, Access.EDIT if level == "edit" else Access.READ)
    if st.button("Make a read-only link", key="btn_make_link"):
        try:
            s.new_link = lib.make_link(s.story_id)
        except StorymapError as exc:
            st.error(f"No link was made: {exc}")
    if s.new_link:
        st.caption("Anyone with this link can read the story (it is shown once; add it to this app's address):")
        st.code(f"?share={s.new_link}", language=None)
    if st.button("Revoke every read-only link", key="btn_revoke_links"):
        try:
            count = lib.revoke_links(s.story_id)
            s.new_link = None
            st.caption(f"{n(count, 'link')} revoked.")
        except StorymapError as exc:
            st.error(f"Nothing was revoked: {exc}")


def share(user: str, access) -> None:  # noqa: ANN001 - storymap.library.Access | None
    s = state()
    lib = library()
    try:
        if lib is None or s.story_id is None:
            raise StorymapError("the story library is not available")
        lib.share(s.story_id, user, access)
    except StorymapError as exc:
        notice(f"Not shared: {exc}")
    st.rerun()


def page() -> None:
    st.title("Library")
    stories()
    sharing()


page()
