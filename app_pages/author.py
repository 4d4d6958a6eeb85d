"""The author's page: the headline, standfirst, byline and intro, the house style (base map and
accent colour), each stop's own text, image and zoom, and the articles' outlet, date and web
address, previewed in the header above."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from app_pages.session import current, set_author, set_edits, state
from app_pages.widgets import header
from storymap import edits as ed
from storymap.errors import StorymapError
from storymap.look import STYLES, check_accent, check_style, look_of
from storymap.storyfile import Story

AUTHOR_FIELDS = ("headline", "dek", "byline", "intro")
LOOK_FIELDS = ("style", "accent")


def author_form(base: Story) -> None:
    """The author's headline, dek, byline and intro; the generated title is the suggestion."""
    author = dict(state().author)
    with st.form("form_author", border=True):
        st.markdown("**Headline, standfirst, byline and intro** (Markdown)")
        headline = st.text_input("Headline", value=author.get("headline", ""), placeholder=base.meta.title or "",
                                 key="author_headline", help="Empty: the generated title (it follows your "
                                 "corrections until you write one). Downloads are named after it.")
        dek = st.text_input("Standfirst (dek)", value=author.get("dek", ""), key="author_dek")
        byline = st.text_input("Byline", value=author.get("byline", ""), key="author_byline")
        intro = st.text_area("Intro", value=author.get("intro", ""), key="author_intro", height=100)
        if st.form_submit_button("Save the text"):
            new = {k: v.strip() for k, v in zip(AUTHOR_FIELDS, (headline, dek, byline, intro)) if v and v.strip()}
            if new != {k: v for k, v in author.items() if k in AUTHOR_FIELDS}:
                set_author({**{k: v for k, v in author.items() if k not in AUTHOR_FIELDS}, **new})
                st.rerun()


def look_form(shown: Story) -> None:
    """The house style: the base map's style and the accent colour of the route and markers,
    kept with the author's fields (the preview, the downloads and the video follow them)."""
    author = dict(state().author)
    look = look_of(shown)
    with st.form("form_look", border=True):
        st.markdown("**House style**")
        style = st.radio("Base map", STYLES, index=STYLES.index(str(look.style)), key="author_style",
                         horizontal=True, format_func=str.capitalize)
        accent = st.color_picker("Accent colour (route and markers)", value=look.accent, key="author_accent")
        st.caption("The style's own accent is kept until you choose another; every style is offline.")
        if st.form_submit_button("Save the style"):
            try:
                chosen = {"style": str(check_style(style))}
                picked = check_accent(accent)
                if picked != look.accent or author.get("accent"):  # chosen here, or before
                    chosen["accent"] = picked
            except StorymapError as exc:
                st.error(f"Not saved: {exc}")
                return
            if chosen != {k: v for k, v in author.items() if k in LOOK_FIELDS}:
                set_author({**{k: v for k, v in author.items() if k not in LOOK_FIELDS}, **chosen})
                st.rerun()


def stop_text_form(shown: Story) -> None:
    """The author's own text (Markdown), image and zoom for one place, kept with the story."""
    places = {str(p.id): p for p in shown.places}
    if not places:
        return
    stops = [str(p.id) for p in shown.route_visits()]
    ids = list(dict.fromkeys(stops + list(places)))
    place_id = st.selectbox("Place", ids, key="author_place",
                            format_func=lambda i: f"{places[i].stop}. {places[i].name}" if places[i].stop
                            else str(places[i].name))
    author = dict(state().author)
    mine = (author.get("stops") or {}).get(place_id) or {}
    with st.form(f"form_stop_text_{place_id}", border=True):
        text = st.text_area("Text (Markdown)", value=mine.get("text", ""), key=f"stop_text_{place_id}",
                            height=100, help="Shown above the excerpts; HTML is not rendered.")
        zoom = st.number_input("Zoom (0: chosen for you)", min_value=0, max_value=18,
                               value=int(mine.get("zoom") or 0), step=1, key=f"stop_zoom_{place_id}")
        st.markdown("**Image**" + (" (one kept; a new one replaces it)" if mine.get("media") else ""))
        image = st.file_uploader("Upload an image", type=["jpg", "jpeg", "png", "webp", "gif"],
                                 key=f"stop_image_{place_id}")
        image_url = st.text_input("…or its web address", key=f"stop_image_url_{place_id}", placeholder="https://...")
        m1, m2 = st.columns(2)
        caption = m1.text_input("Caption", key=f"stop_caption_{place_id}",
                                value=(mine.get("media") or [{}])[0].get("caption", ""))
        credit = m2.text_input("Credit", key=f"stop_credit_{place_id}",
                               value=(mine.get("media") or [{}])[0].get("credit", ""))
        remove = st.checkbox("Remove the image", key=f"stop_image_remove_{place_id}", disabled=not mine.get("media"))
        if st.form_submit_button("Save the text"):
            from storymap.library import image_media, url_media

            try:
                media = [image_media(image.getvalue(), caption=caption, credit=credit)] if image else \
                    [url_media(image_url, caption=caption, credit=credit)] if image_url.strip() else \
                    [] if remove else [{**m, "caption": caption.strip(), "credit": credit.strip()}
                                       for m in mine.get("media") or []]
            except StorymapError as exc:
                st.error(f"Not saved: {exc}")
                return
            new = {k: v for k, v in (("text", text.strip()), ("zoom", int(zoom) or None), ("media", media)) if v}
            per_stop = {k: v for k, v in (author.get("stops") or {}).items() if k != place_id}
            if new:
                per_stop[place_id] = new
            rest = {k: v for k, v in author.items() if k != "stops"}
            set_author({**rest, "stops": per_stop} if per_stop else rest)
            st.rerun()


def article_form(shown: Story) -> None:
    """Correct an article's outlet, publication date and web address (credits link to it)."""
    articles = {a.id: a for a in shown.articles}
    if not articles:
        return
    article_id = st.selectbox("Article", list(articles), key="article_pick",
                              format_func=lambda i: str(articles[i].title or i))
    a = articles[article_id]
    with st.form(f"form_article_{article_id}", border=True):
        source = st.text_input("Outlet", value=a.source or "", key=f"article_source_{article_id}")
        published = st.date_input("Published", key=f"article_published_{article_id}", format="YYYY-MM-DD",
                                  value=dt.date.fromisoformat(a.published) if a.published else None)
        url = st.text_input("Web address", value=a.url or "", key=f"article_url_{article_id}",
                            placeholder="https://...")
        if st.form_submit_button("Save the article's details"):
            try:
                new = ed.set_article(state().edits, article_id, source=source,
                                     published=published.isoformat() if published else None, url=url)
            except StorymapError as exc:
                st.error(f"Not saved: {exc}")
                return
            set_edits(new)
            st.rerun()


def page() -> None:
    base, shown = current()
    header(shown)  # the text as readers will see it
    author_form(base)
    look_form(shown)
    st.subheader("Each place's text, image and zoom")
    stop_text_form(shown)
    st.subheader("Articles: outlet, date and web address")
    article_form(shown)


page()
