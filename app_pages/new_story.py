"""The new story page: articles uploaded or pasted, built into a new story or added to the one open.

The build itself runs at the top of the next run (app_pages.session.build_pending), which
then shows the story on the read page."""

from __future__ import annotations

import streamlit as st

from app_pages.session import read_given_details, request_build, state
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
        st.markdown("**Its details** (optional): the publication date dates the weekdays in the text "
                    "(\"on Monday\" in an article of a Wednesday) and the credits link to the web address. "
                    "They apply to the pasted text and the files; one left empty keeps what the text says.")
        d1, d2, d3 = st.columns([1, 1, 2])
        d1.text_input("Publication date", key="new_published", placeholder="YYYY-MM-DD")
        d2.text_input("Outlet", key="new_source", placeholder="e.g. Reuters")
        d3.text_input("Web address", key="new_url", placeholder="https://...")
        st.form_submit_button("Fill in what the text says", key="btn_read_details", on_click=read_given_details,
                              help="Read the outlet, date and address the pasted text (else the first file) "
                                   "states into the empty fields, to check or change before building.")
        st.text_input("Subject (optional)", key="subject", help="Whose route to trace; found from the text if empty.")
        c1, c2 = st.columns(2)
        c1.form_submit_button("Build new story", type="primary", key="btn_build", width="stretch",
                              on_click=request_build, args=("new",))
        c2.form_submit_button("Add to this story", key="btn_add", width="stretch",
                              on_click=request_build, args=("add",))


page()
