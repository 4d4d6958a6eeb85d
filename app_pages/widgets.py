"""What several pages show: the story's header, the first-contact explanation, the map,
the downloads and the gazetteer search."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages.session import gazetteer, map_html, run_with_progress, state
from storymap import app_support as sup
from storymap.errors import StorymapError
from storymap.storyfile import Story

MAP_HEIGHT = 620


def n(count: int, noun: str, plural: str | None = None) -> str:
    """``1 stop``, ``2 stops``."""
    return f"{count} {noun}" if count == 1 else f"{count} {plural or noun + 's'}"


def first_contact() -> None:
    """What the tool is and what to do, until the reader puts it away."""
    s = state()
    if s.intro_seen or s.origin != "seeds":
        return  # put away, or the reader has moved on to a story of their own
    with st.container(key="first_contact"):
        st.info(
            "**storymap turns news articles into a story map**: it reads the articles, finds the places a "
            "person travelled through and when, and draws the route as an animated map you can correct "
            "and publish.\n\n"
            "1. **Read** the example story below: play the route with ▶, step through its stops, look at "
            "the places and the timeline.\n"
            "2. **New story**: upload or paste articles of your own to build a story of them.\n"
            "3. **Review**: accept, reject, move or add places; **Author**: write the headline, the intro "
            "and each stop's text.\n"
            "4. **Download** the standalone page, the GIS files or the embed snippet (left).\n\n"
            "Everything you change is kept in your **Library**; the example story itself never changes: "
            "your first correction makes your own copy.", icon=":material/waving_hand:")
        if st.button("Got it", key="btn_intro_done"):
            s.intro_seen = True
            st.rerun()


def header(story: Story) -> None:
    """The story's headline, the author's standfirst, byline and intro (their Markdown
    rendered, HTML shown as text, images as links), its figures and its articles."""
    meta = story.meta
    st.title(sup.md_text(meta.headline or meta.title or "Story map"))
    if meta.dek:
        st.markdown(f"*{sup.author_markdown(meta.dek)}*")
    if meta.byline:
        st.caption(sup.author_markdown(meta.byline))
    if meta.intro:
        st.markdown(sup.author_markdown(meta.intro))
    bits = [f"**Subject:** {sup.md_text(meta.subject)}" if meta.subject else None,
            f"**{n(len(story.route_visits()), 'stop')}**",
            f"**{n(len(story.articles), 'article')}**",
            f"*{n(meta.edits, 'correction')} applied*" if meta.edits else None]
    st.markdown(" · ".join(b for b in bits if b))
    with st.expander("Articles this story is built from", expanded=False):
        for a in sup.article_rows(story):
            title = sup.md_text(a["title"] or a["id"])
            url = str(a.get("url") or "")
            line = f"[{title}](<{url}>)" if url.startswith(("http://", "https://")) and ">" not in url \
                else f"**{title}**"
            extra = sup.md_text(", ".join(x for x in (a.get("outlet"), a.get("published") or "date not stated") if x))
            st.markdown(f"- {line} — {extra}")


def map_view(shown: Story, tiles: bool) -> None:
    """The renderer's page; its HTML changes only with the story, never with the step."""
    s = state()
    text = sup.story_json(shown)
    key = f"{sup.digest(text)}:{tiles}"  # the session keeps a fingerprint, not the story's text
    if s.map_key != key:
        # Open on ?step= the first time this version of the story is shown; afterwards the map's
        # own controls move it and keep ?step= in the address (see app_support.map_page).
        s.map_key = key
        s.map_step = sup.parse_step(st.query_params.get("step"), len(shown.route_visits()))
        s.new_map = True
    try:
        st.iframe(map_html(text, s.map_step, tiles), height=MAP_HEIGHT, alt="Animated story map")
    except StorymapError as exc:
        st.error(f"The map cannot be drawn: {exc}")
        return
    st.caption("Use ▶ to play the route, the arrows or the itinerary to step; the address keeps "
               "the current step (`?step=N`) so you can share this view.")


def download_button(where: Any, story: Story, fmt: str, label: str, *, key: str) -> None:
    """A button whose file is made only when clicked (nothing is exported or kept per run)."""
    spec = next(x for x in sup.download_specs(story) if x[0] == fmt)
    where.download_button(label, lambda: sup.export_bytes(story, fmt), file_name=spec[2], mime=spec[3], key=key,
                          width="stretch", on_click="ignore", icon=":material/download:")


def downloads(shown: Story) -> None:
    """Every download of the story as shown, named after its headline, and the embed snippet."""
    from storymap.render import embed_snippet, page_title

    specs = sup.download_specs(shown)
    for fmt, label, _name, _mime in specs:
        download_button(st, shown, fmt, label, key=f"dl_{fmt}")
    video_download(shown)
    page_name = next(name for fmt, _label, name, _mime in specs if fmt == "html")
    with st.expander("Embed in an article"):
        st.caption("Publish the HTML page, put its address in `src`, and paste this where the map goes: "
                   "the frame fits the article's column and grows to the page's height.")
        st.code(embed_snippet(page_name, title=page_title(shown)), language="html", wrap_lines=True)


def video_download(shown: Story) -> None:
    """The route as a video: recorded when asked (tens of seconds), a progress bar fed by the
    recording's frames, then its download (made again after any other change of the page)."""
    _label, ext, mime = sup.VIDEOS["mp4"]
    if not st.button("Make the video (MP4)", key="btn_video", width="stretch", icon=":material/movie:",
                     help="Records the route in the page's presentation mode; about half a minute."):
        return
    bar = st.progress(0.0, text="Recording the video...")
    try:
        data = run_with_progress(bar, lambda progress: sup.export_bytes(shown, "mp4", progress=progress))
    except StorymapError as exc:
        bar.empty()
        st.error(f"The video cannot be made: {exc}")
        return
    bar.progress(1.0, text="The video is ready.")
    st.download_button(f"Download the video ({len(data) / 1e6:.1f} MB)", data, file_name=f"{sup.file_stem(shown)}{ext}",
                       mime=mime, key="dl_video", width="stretch", on_click="ignore", icon=":material/download:")


def gazetteer_pick(label: str, query_key: str, pick_key: str, placeholder: str):  # noqa: ANN201
    """A search box over the offline gazetteer and a choice among what it finds: the chosen
    record, or None while nothing is found."""
    query = st.text_input(label, key=query_key, placeholder=placeholder)
    found = _search(query)
    if query.strip() and not found:
        st.caption("No place of that name in the offline gazetteer.")
    if not found:
        return None
    labels = {r.gazetteer_id: f"{r.name} · {r.place_type} · {r.country_code or ''} ({r.lat:.3f}, {r.lon:.3f})"
              for r in found}
    gid = st.selectbox("Place", list(labels), format_func=lambda g: labels[g], key=pick_key)
    return next(r for r in found if r.gazetteer_id == gid)


def _search(query: str) -> list:
    """Gazetteer records for a name, the likeliest first (as the pipeline ranks them without context)."""
    from storymap.gazetteer import GazetteerRecord
    from storymap.geocoder import OfflineGeocoder

    found = OfflineGeocoder(gazetteer()).geocode(query, exactly_one=False, limit=10) if query.strip() else None
    return [GazetteerRecord(**loc.raw) for loc in found or []]
