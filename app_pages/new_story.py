"""The new story page: articles uploaded or pasted, built into a new story or added to the one open.

The build itself runs at the top of the next run (app_pages.session.build_pending), which
then shows the story on the read page."""

from __future__ import annotations

import streamlit as st

from app_pages.session import request_build, state
from storymap import app_support as sup


def page() -> None:
    st.title("New story")
    st.markdown("Upload news articles or paste one: storymap reads them, finds where the person they follow "
                "went and when, and makes a story map of the route, which you can then review and correct.")
    st.caption(f"Up to {sup.MAX_FILES} files, {sup.MAX_FILE_BYTES // (1024 * 1024)} MB each: .txt, .md or .html. "
               + ("They are kept in this server's story library, with the story." if state().signed_in
                  else "Everything stays on this computer."))
    with st.form("form_new_articles", border=False, enter_to_submit=False):
        st.file_uploader("Article files", type=["txt", "md", "html", "htm"], accept_multiple_files=True,
                         key="upload_files", max_upload_size=sup.MAX_FILE_BYTES // (1024 * 1024))
        st.text_area("…or paste an article", key="paste_text", height=200,
                     placeholder="Paste the text of a news article here")
        st.text_input("Title of the pasted article (optional)", key="paste_title")
        st.text_input("Subject (optional)", key="subject", help="Whose route to trace; found from the text if empty.")
        c1, c2 = st.columns(2)
        c1.form_submit_button("Build new story", type="primary", key="btn_build", width="stretch",
                              on_click=request_build, args=("new",))
        c2.form_submit_button("Add to this story", key="btn_add", width="stretch",
                              on_click=request_build, args=("add",))


page()
