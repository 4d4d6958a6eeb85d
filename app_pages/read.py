"""The read page: the story's header, its animated map, its places with their excerpts and its timeline."""

from __future__ import annotations

import streamlit as st

from app_pages.session import current, state
from app_pages.widgets import first_contact, header, map_view
from storymap import app_support as sup
from storymap.storyfile import Story

#: the places table's columns at a width that reads at 1440 px (the others share what is left)
PLACE_COLUMNS = {
    "name": st.column_config.TextColumn("name", width="medium", pinned=True),
    "role": st.column_config.TextColumn("role", width="small"),
    "stop": st.column_config.Column("stop", width="small"),
    "type": st.column_config.TextColumn("type", width="small"),
    "date": st.column_config.TextColumn("date", width="small"),
    "status": st.column_config.TextColumn("status", width="small"),
    "mentions": st.column_config.NumberColumn("mentions", width="small"),
    "review": st.column_config.TextColumn("review", width="small"),
    "sources": st.column_config.TextColumn("sources", width="large"),
    "lat": st.column_config.NumberColumn("lat", width="small", format="%.3f"),
    "lon": st.column_config.NumberColumn("lon", width="small", format="%.3f"),
}


def places(base: Story, shown: Story) -> None:
    rows = sup.place_rows(base, shown, state().edits)
    articles = {a["id"]: a["title"] or a["id"] for a in sup.article_rows(base)}
    c1, c2 = st.columns([1, 2])
    roles = c1.multiselect("Role", ["stop", "mention", "rejected"], default=["stop", "mention"], key="f_roles")
    picked = c2.multiselect("Article", list(articles), format_func=lambda i: articles.get(i, i), key="f_articles",
                            placeholder="All articles")
    shown_rows = sup.filter_rows(rows, roles=roles, articles=picked or None)
    cells = sup.shown_cells(shown_rows, hidden=("articles", "id", "stop_confidence"))
    config = dict(PLACE_COLUMNS)
    if all(r.get("confidence") is not None for r in shown_rows):  # a bar; else figures, blank where none
        config["confidence"] = st.column_config.ProgressColumn("confidence", min_value=0.0, max_value=1.0,
                                                               format="%.2f", width="small")
    else:
        config["confidence"] = st.column_config.TextColumn("confidence", width="small")
    st.dataframe(cells, hide_index=True, width="stretch", key="places_table", column_config=config)
    st.caption(f"{len(shown_rows)} of {len(rows)} places")
    ids = [r["id"] for r in shown_rows]
    names = {r["id"]: r["name"] for r in rows}
    if not ids:
        return
    if st.session_state.get("pick_place") not in ids:
        st.session_state.pick_place = ids[0]
    place_id = st.selectbox("Show the excerpts of", ids, format_func=lambda i: names.get(i, i), key="pick_place")
    source = shown if shown.place(place_id) is not None else base
    feature = source.place(place_id)
    if feature is not None and feature.author_text:
        st.markdown(sup.author_markdown(feature.author_text))  # the author's Markdown, images as links
    for m in (feature.media if feature else None) or ():
        caption = " · ".join(str(x) for x in (m.caption, m.credit) if x) or None
        image = sup.media_image(m.src)  # inline bytes or an http(s) address, never a path
        if image is None:
            st.caption(f"An image this app does not show{': ' + sup.md_text(caption) if caption else ''}")
        else:
            st.image(image, caption=caption)
    for ex in sup.place_excerpts(source, place_id):
        st.markdown(f"> {ex['html']}\n>\n> <small>— {sup.md_text(ex['credit'])}</small>",
                    unsafe_allow_html=True)


def timeline(shown: Story) -> None:
    rows = sup.timeline_rows(shown)
    if rows:
        # a timeline: the dates on an axis, each event on a row of its own, labelled
        st.vega_lite_chart(spec=sup.timeline_chart(rows), width="stretch", key="timeline_chart")
        with st.expander("The events as a table", expanded=False):
            st.dataframe(sup.shown_cells(rows), hide_index=True, width="stretch", key="timeline_table",
                         column_config={"date": st.column_config.TextColumn("date", width="small"),
                                        "event": st.column_config.TextColumn("event", width="large"),
                                        "kind": st.column_config.TextColumn("kind", width="small"),
                                        "source": st.column_config.TextColumn("source", width="medium")})
    else:
        st.info("No dated events in this story.")
    undated = sup.undated_stops(shown)
    if undated:
        st.caption("Stops without a date: " + "; ".join(sup.md_text(u) for u in undated))


def page() -> None:
    base, shown = current()
    first_contact()
    header(shown)
    map_view(shown, st.session_state.get("tiles", False))  # before the rest, so the map paints first
    tab_places, tab_time = st.tabs(["Places", "Timeline"], key="read_tabs", on_change="rerun")
    with tab_places:
        places(base, shown)
    with tab_time:
        timeline(shown)


page()
