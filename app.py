"""storymap: read, explore, correct and download a story map (``streamlit run app.py``).

The script stays thin: the package does the work (storymap.story builds, storymap.render
draws the map, storymap.edits applies corrections, storymap.app_support shapes tables,
uploads and downloads). Offline: the map is one self-contained HTML page in an iframe.

Stories are kept in the story library (storymap.library: an SQLite file in the user data
directory, or the database $STORYMAP_DATABASE_URL names). A story built here, and every
correction to it, is saved there as a new revision; ``?story=<id>&step=N`` opens it again
for its owner and those it is shared with, ``?share=<token>`` for anyone holding a
read-only link. On a laptop the app is the local user's; a shared server (a database URL,
or ``STORYMAP_SHARED=1``) asks everyone to sign in with the newsroom's OpenID Connect
provider (Streamlit's ``st.login``, configured in ``.streamlit/secrets.toml``), and the
library checks what each user may see and change. The seeds' story, and a story one may
only read, are templates: the first correction makes the reader's own copy. The app never
writes to the shared story or edits files. What a session keeps is small (its story, its edits,
fingerprints); pages, exports and derived stories live in bounded caches.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import streamlit as st

# "auto": the sidebar opens beside the story on a wide screen and stays closed on a phone
st.set_page_config(page_title="storymap", page_icon="🗺️", layout="wide", initial_sidebar_state="auto")

from storymap import app_support as sup  # noqa: E402
from storymap.edits import Edits, apply_edits, dumps_edits, edits_path, load_edits, unapplied  # noqa: E402
from storymap.errors import GazetteerError, StorymapError  # noqa: E402
from storymap.memory import release_memory  # noqa: E402
from storymap.storyfile import Story  # noqa: E402

MAP_HEIGHT = 620


# --------------------------------------------------------------------------- cached loaders
@st.cache_resource(show_spinner="Preparing the offline gazetteer (first run only, about 30 seconds)...")
def gazetteer():  # noqa: ANN201 - storymap.gazetteer.Gazetteer, imported lazily
    from storymap.gazetteer import Gazetteer

    return Gazetteer()


def _build(paths: Sequence[Path]) -> Story:
    from storymap.story import build_story

    return build_story(list(paths), gazetteer=gazetteer(), base=sup.ROOT).story


@st.cache_resource(show_spinner="Building the story from the seed articles (once)...")
def seeds_story() -> Story:
    """The seeds' story, built first if data/places.geojson is missing or older than seeds/ (read-only)."""
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

    try:
        return Library(user=st.session_state.user)
    except StorymapError as exc:
        st.session_state.library_problem = f"The story library is not available ({exc}); stories and " \
                                           "corrections stay in this session only."
        return None


# --------------------------------------------------------------------------- who is reading
def sign_in() -> bool:
    """Who this session acts as, in ``st.session_state.user``: the local user on a laptop; on
    a shared server the person signed in with the newsroom's identity provider. False (and
    the page says why) while nobody is signed in."""
    from storymap.library import LOCAL_USER, shared_server, user_identity

    ss = st.session_state
    if not shared_server():
        ss.user, ss.signed_in = LOCAL_USER, False
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
    if ss.get("user") not in (None, user):  # another person in this browser session: start afresh
        for key in list(ss.keys()):
            del ss[key]
    ss.user, ss.signed_in = user, True
    return True


def _auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file, or one Streamlit cannot read: not configured
        return False


# --------------------------------------------------------------------------- session state
def init_state() -> None:
    ss = st.session_state
    if "base" in ss:
        return
    ss.notices = []
    wanted, token = st.query_params.get("story"), st.query_params.get("share")
    lib = library() if wanted or token else None
    if (wanted or token) and lib is not None:
        try:  # a whole id (never the start of one), or a read-only link's token
            open_saved(lib.open_link(str(token)) if token else lib.get(str(wanted)), token=token)
            return
        except StorymapError as exc:
            ss.notices.append(f"The story in the link cannot be opened ({exc}); showing the seeds' story.")
            st.query_params.pop("story", None)
            st.query_params.pop("share", None)
    open_seeds()


def open_seeds() -> None:
    """The seeds' story, as a template: corrections to it make the reader's own copy."""
    ss = st.session_state
    ss.base = seeds_story()
    ss.story_path = str(sup.STORY_PATH)
    ss.origin = "seeds"
    ss.story_id = None
    ss.revision = None
    ss.access = None
    ss.link_token = None
    ss.author = {}
    try:
        ss.edits = load_edits(edits_path(sup.STORY_PATH))
    except StorymapError as exc:
        ss.edits = Edits()
        ss.notices.append(f"Saved edits were not applied: {exc}. Fix or delete the file.")


def open_saved(saved, token: str | None = None) -> None:  # noqa: ANN001 - storymap.library.SavedStory
    """Show a story from the library; ``token``: it was opened by a read-only link."""
    ss = st.session_state
    ss.base = saved.records
    ss.edits = Edits.from_dict(saved.edits, name=f"story {saved.id}")
    ss.author = dict(saved.author)
    ss.story_id = saved.id
    ss.revision = saved.revision
    ss.access = int(saved.access)
    ss.link_token = token
    ss.pop("new_link", None)  # a read-only link made for the story shown before
    ss.origin = "library"
    ss.story_path = None
    ss.pop("conflict", None)
    if token:
        st.query_params.pop("story", None)
        st.query_params["share"] = token
    else:
        st.query_params.pop("share", None)
        st.query_params["story"] = saved.id


def can_edit() -> bool:
    """Whether this session's corrections are saved to the story it shows (else they make a copy)."""
    from storymap.library import Access

    ss = st.session_state
    return ss.get("story_id") is not None and (ss.get("access") or 0) >= Access.EDIT


def set_edits(edits: Edits) -> None:
    """Take the reader's corrections and save them to the library as a new revision."""
    st.session_state.edits = edits
    _save("corrections")


def set_author(author: dict) -> None:
    """Take the author's headline, dek, byline and intro and save them as a new revision."""
    st.session_state.author = author
    _save("the author's text")


def _save(note: str) -> None:
    from storymap.library import ConflictError

    ss = st.session_state
    lib = library()
    if lib is None:
        return
    edits, author = ss.edits.to_dict(), dict(ss.get("author") or {})
    try:
        if not can_edit():  # the seeds' story, or one this user may only read: their own copy
            open_saved(lib.add(ss.base, articles=_current_articles(), edits=edits, author=author,
                               note=f"{note}, in a copy"))
            ss.notices = [*ss.get("notices", []), "Your correction made your own copy of this story: "
                          "the original is unchanged."] if ss.origin == "library" else ss.get("notices", [])
        else:
            saved = lib.save_merging(ss.story_id, base_revision=ss.revision, edits=edits, author=author, note=note)
            ss.revision = saved.revision
            if saved.edits != edits or saved.author != author:  # merged with another reader's save
                ss.edits = Edits.from_dict(saved.edits, name=f"story {saved.id}")
                ss.author = dict(saved.author)
                ss.notices = [*ss.get("notices", []), "Someone else saved this story meanwhile: their "
                              "corrections and yours did not touch, so both are kept."]
    except ConflictError as exc:
        ss.conflict = str(exc)
    except StorymapError as exc:
        ss.notices = [*ss.get("notices", []), f"Not saved: {exc}"]


def _current_articles() -> list:
    """The current story's articles as library records (from the library, or read from disk)."""
    from storymap.library import article_text

    ss = st.session_state
    if ss.get("origin") == "seeds":  # the seeds' own files, under seeds/
        return [article_text(p.name, p.read_bytes()) for p in sup.article_paths(ss.base, root=sup.ROOT)
                if p.is_file() and p.resolve().is_relative_to(sup.SEEDS_DIR.resolve())]
    lib = library()
    if ss.get("story_id") and lib is not None:
        return list(lib.get(ss.story_id, token=ss.get("link_token")).articles)
    return []  # a story kept nowhere: never a file a story file names


def current() -> tuple[Story, Story]:
    """(the pipeline's story, the story as shown with the edits and the author's fields applied)."""
    from storymap.library import with_author

    ss = st.session_state
    base = ss.base
    shown = edited_story(sup.story_json(base), json.dumps(ss.edits.to_dict(), sort_keys=True))
    return base, with_author(shown, ss.get("author") or {})


# --------------------------------------------------------------------------- header and map
def _n(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {plural or noun + 's'}"


def header(story: Story) -> None:
    meta = story.meta
    st.title(sup.md_text(meta.headline or meta.title or "Story map"))
    if meta.dek:
        st.markdown(f"*{sup.md_text(meta.dek)}*")
    if meta.byline:
        st.caption(sup.md_text(meta.byline))
    if meta.intro:
        st.markdown(sup.author_markdown(meta.intro))  # the author's Markdown, images as links
    n = len(story.route_visits())
    bits = [f"**Subject:** {sup.md_text(meta.subject)}" if meta.subject else None,
            f"**{n} stop{'s' if n != 1 else ''}**",
            f"**{_n(len(story.articles), 'article')}**",
            f"*{_n(meta.edits, 'correction')} applied*" if meta.edits else None]
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
    ss = st.session_state
    text = sup.story_json(shown)
    key = f"{sup.digest(text)}:{tiles}"  # the session keeps a fingerprint, not the story's text
    if ss.get("map_key") != key:
        # Open on ?step= the first time this version of the story is shown; afterwards the map's
        # own controls move it and keep ?step= in the address (see app_support.map_page).
        ss.map_key = key
        ss.map_step = sup.parse_step(st.query_params.get("step"), len(shown.route_visits()))
        ss.new_map = True
    st.iframe(map_html(text, ss.map_step, tiles), height=MAP_HEIGHT, alt="Animated story map")
    st.caption("Use ▶ to play the route, the arrows or the itinerary to step; the address keeps "
               "the current step (`?step=N`) so you can share this view.")


# --------------------------------------------------------------------------- explore
def explore(base: Story, shown: Story) -> None:
    rows = sup.place_rows(base, shown, st.session_state.edits)
    articles = {a["id"]: a["title"] or a["id"] for a in sup.article_rows(base)}
    c1, c2 = st.columns([1, 2])
    roles = c1.multiselect("Role", ["stop", "mention", "rejected"], default=["stop", "mention"], key="f_roles")
    picked = c2.multiselect("Article", list(articles), format_func=lambda i: articles.get(i, i), key="f_articles",
                            placeholder="All articles")
    shown_rows = sup.filter_rows(rows, roles=roles, articles=picked or None)
    st.dataframe(
        # empty text cells are empty, not "None"
        [{k: ("" if v is None and k in _TEXT_COLUMNS else v) for k, v in r.items()
          if k not in ("articles", "id", "stop_confidence")} for r in shown_rows],
        hide_index=True, width="stretch", key="places_table",
        column_config={
            "confidence": st.column_config.ProgressColumn("confidence", min_value=0.0, max_value=1.0, format="%.2f"),
            "stop": st.column_config.NumberColumn("stop", format="%d"),
            "sources": st.column_config.TextColumn("sources", width="large"),
        },
    )
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
        # the author's Markdown, images as links; Streamlit renders no HTML
        st.markdown(sup.author_markdown(feature.author_text))
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


def order_check(shown: Story) -> None:
    """Warn when the route's order disagrees with its dates, and offer to order by date."""
    clashes = sup.order_disagreements(shown)
    if not clashes:
        return
    st.warning("The route order disagrees with the dates: " + "; ".join(sup.md_text(c) for c in clashes) + ".")
    if st.button("Order the stops by date", key="btn_order_by_date"):
        set_edits(_replace(st.session_state.edits, order=sup.order_by_date(shown)))
        st.rerun()


_TEXT_COLUMNS = frozenset({"name", "role", "type", "date", "status", "review", "sources"})


def timeline(shown: Story) -> None:
    rows = sup.timeline_rows(shown)
    if rows:
        # a timeline: the dates on an axis, each event on a row of its own, labelled
        st.vega_lite_chart(spec=sup.timeline_chart(rows), width="stretch", key="timeline_chart")
        with st.expander("The events as a table", expanded=False):
            st.dataframe(rows, hide_index=True, width="stretch", key="timeline_table")
    else:
        st.info("No dated events in this story.")
    undated = sup.undated_stops(shown)
    if undated:
        st.caption("Stops without a date: " + "; ".join(undated))


# --------------------------------------------------------------------------- correct
def correct(base: Story, shown: Story) -> None:
    ss = st.session_state
    edits: Edits = ss.edits
    rows = sup.review_order(sup.place_rows(base, shown, edits))
    names = {r["id"]: f"{r['name']} ({r['role']}{', stop ' + str(r['stop']) if r['stop'] else ''}, {r['review']}"
                      f"{', stop confidence %.2f' % r['stop_confidence'] if r.get('stop_confidence') is not None else ''})"
             for r in rows}
    st.caption("Doubtful decisions first: the stops the pipeline is least sure of, then the other places.")
    place_id = st.selectbox("Place to review", list(names), format_func=names.get, key="edit_place")
    add_place_form(shown)
    if place_id is None:
        return
    row = next(r for r in rows if r["id"] == place_id)
    feature = shown.place(place_id)
    props = feature or base.place(place_id)
    assert props is not None  # the rows are the places of these two stories
    st.markdown(f"**{sup.md_text(row['name'])}** · {sup.md_text(row['type'] or 'place')} · {row['lat']:.4f}, {row['lon']:.4f} · "
                f"`{props.gazetteer_id}` · confidence {row['confidence'] if row['confidence'] is not None else '–'}"
                + (f" · stop confidence {props.stop_confidence:.2f}" if props.stop_confidence is not None
                   else ""))
    evidence = sup.evidence_rows(base if feature is None else shown, place_id)
    if evidence:
        st.markdown("**Why it is a stop**")
        for ev in evidence:
            facts = " · ".join(sup.md_text(x) for x in (ev["predicate"], ev["traveller"] and f"by {ev['traveller']}",
                                                        ev["status"], ev["date"]) if x)
            st.markdown(f"> {ev['html']}\n>\n> <small>{facts} — {sup.md_text(ev['credit'])}</small>",
                        unsafe_allow_html=True)

    c1, c2, c3 = st.columns(3)
    if c1.button("Accept", key="btn_accept", disabled=row["review"] == "accepted", width="stretch"):
        set_edits(_replace(edits, accepted=_add(edits.accepted, place_id), rejected=_drop(edits.rejected, place_id)))
        st.rerun()
    if c2.button("Reject", key="btn_reject", disabled=row["review"] == "rejected", width="stretch"):
        set_edits(_replace(edits, rejected=_add(edits.rejected, place_id), accepted=_drop(edits.accepted, place_id)))
        st.rerun()
    if c3.button("Undo all edits of this place", key="btn_restore", width="stretch"):
        set_edits(_forget(edits, place_id))
        st.rerun()
    if row["review"] == "rejected":
        st.info("This place is rejected: it is not on the map nor in the downloads.")
        return

    with st.form("form_role_date", border=True):
        st.markdown("**Role and date**")
        f1, f2, f3 = st.columns(3)
        role = f1.radio("Role", ["stop", "mention"], index=0 if props.role == "stop" else 1,
                        horizontal=True, key=f"edit_role_{place_id}")
        date = f2.date_input("Date", value=dt.date.fromisoformat(props.date) if props.date else None,
                             key=f"edit_date_{place_id}", format="YYYY-MM-DD")
        statuses = ["reported", "expected", "inferred"]
        status = f3.selectbox("Date status", statuses, key=f"edit_status_{place_id}",
                              index=statuses.index(props.date_status) if props.date_status in statuses else 0)
        if st.form_submit_button("Apply role and date"):
            new = _replace(edits, roles={**edits.roles, place_id: role})
            if role == "stop" and (date is not None or props.date):
                new = _replace(new, dates={**new.dates, place_id: {"date": date.isoformat() if date else None,
                                                                   "status": status}})
            set_edits(new)
            st.rerun()

    route_ids = [str(f.id) for f in shown.route_visits()]  # a place once per visit
    if place_id in route_ids and len(route_ids) > 1:
        with st.form("form_order", border=True):
            st.markdown("**Order along the route**")
            pos = st.number_input("Stop number", min_value=1, max_value=len(route_ids),
                                  value=route_ids.index(place_id) + 1, step=1, key=f"edit_pos_{place_id}")
            if st.form_submit_button("Move stop"):  # its first visit
                order = list(route_ids)
                order.remove(place_id)
                order.insert(int(pos) - 1, place_id)
                set_edits(_replace(edits, order=order))
                st.rerun()
    if place_id in route_ids:
        with st.form("form_visit", border=True):
            st.markdown("**A return visit** (a round trip passes the same place again)")
            after = st.number_input("After stop number", min_value=1, max_value=len(route_ids),
                                    value=len(route_ids), step=1, key=f"edit_visit_{place_id}")
            again = st.form_submit_button("Visit it again")
            twice = route_ids.count(place_id) > 1
            drop = st.form_submit_button("Remove its last return visit", disabled=not twice)
            if again:
                order = list(route_ids)
                order.insert(int(after), place_id)
                set_edits(_replace(edits, order=order))
                st.rerun()
            if drop and twice:
                order = list(route_ids)
                del order[len(order) - 1 - order[::-1].index(place_id)]
                set_edits(_replace(edits, order=order))
                st.rerun()

    alternatives = [dict(a) for a in props.alternatives or ()]
    review_map(place_id, row, alternatives)
    with st.form("form_place", border=True):
        st.markdown("**Location**")
        options = ["(keep)"] + [a["gazetteer_id"] for a in alternatives]
        labels = {a["gazetteer_id"]: f"{a.get('name')} · {a.get('place_type')} · {a.get('country_code') or ''} "
                                     f"({a.get('lat'):.3f}, {a.get('lon'):.3f})" for a in alternatives}
        choice = st.selectbox("Switch to another candidate", options, key=f"edit_candidate_{place_id}",
                              format_func=lambda g: labels.get(g, g),
                              help="Other gazetteer entries with the same name.")
        g1, g2 = st.columns(2)
        lat = g1.number_input("Latitude", -90.0, 90.0, value=float(row["lat"]), format="%.5f", key=f"edit_lat_{place_id}")
        lon = g2.number_input("Longitude", -180.0, 180.0, value=float(row["lon"]), format="%.5f", key=f"edit_lon_{place_id}")
        if st.form_submit_button("Apply location"):
            if choice != "(keep)":
                coords = {k: v for k, v in edits.coordinates.items() if k != place_id}
                set_edits(_replace(edits, candidates={**edits.candidates, place_id: choice}, coordinates=coords))
            elif (round(lat, 5), round(lon, 5)) != (row["lat"], row["lon"]):
                set_edits(_replace(edits, coordinates={**edits.coordinates, place_id: [lat, lon]}))
            st.rerun()
    replace_by_search(place_id)
    stop_text_form(place_id)


def stop_text_form(place_id: str) -> None:
    """The author's own text (Markdown) and zoom for one place, kept with the story."""
    ss = st.session_state
    author = dict(ss.get("author") or {})
    mine = (author.get("stops") or {}).get(place_id) or {}
    with st.expander("Your text, image and zoom for this place", expanded=False):
        with st.form(f"form_stop_text_{place_id}", border=False):
            text = st.text_area("Text (Markdown)", value=mine.get("text", ""), key=f"stop_text_{place_id}",
                                height=100, help="Shown above the excerpts; HTML is not rendered.")
            zoom = st.number_input("Zoom (0: chosen for you)", min_value=0, max_value=18,
                                   value=int(mine.get("zoom") or 0), step=1, key=f"stop_zoom_{place_id}")
            st.markdown("**Image**" + (" (one kept; a new one replaces it)" if mine.get("media") else ""))
            image = st.file_uploader("Upload an image", type=["jpg", "jpeg", "png", "webp", "gif"],
                                     key=f"stop_image_{place_id}")
            image_url = st.text_input("…or its web address", key=f"stop_image_url_{place_id}",
                                      placeholder="https://...")
            m1, m2 = st.columns(2)
            caption = m1.text_input("Caption", key=f"stop_caption_{place_id}",
                                    value=(mine.get("media") or [{}])[0].get("caption", ""))
            credit = m2.text_input("Credit", key=f"stop_credit_{place_id}",
                                   value=(mine.get("media") or [{}])[0].get("credit", ""))
            remove = st.checkbox("Remove the image", key=f"stop_image_remove_{place_id}",
                                 disabled=not mine.get("media"))
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
                stops_ = {k: v for k, v in (author.get("stops") or {}).items() if k != place_id}
                if new:
                    stops_[place_id] = new
                set_author({**{k: v for k, v in author.items() if k != "stops"}, **({"stops": stops_} if stops_
                                                                                  else {})})
                st.rerun()


def author_form(base: Story) -> None:
    """The author's headline, dek, byline and intro; the generated title is the suggestion."""
    ss = st.session_state
    author = dict(ss.get("author") or {})
    generated = base.meta.title or ""
    with st.expander("Headline, standfirst, byline and intro", expanded=False):
        with st.form("form_author", border=False):
            headline = st.text_input("Headline", value=author.get("headline", ""), placeholder=generated,
                                     key="author_headline", help="Empty: the generated title (it follows your "
                                     "corrections until you write one).")
            dek = st.text_input("Standfirst (dek)", value=author.get("dek", ""), key="author_dek")
            byline = st.text_input("Byline", value=author.get("byline", ""), key="author_byline")
            intro = st.text_area("Intro", value=author.get("intro", ""), key="author_intro", height=100)
            if st.form_submit_button("Save the text"):
                new = {k: v.strip() for k, v in (("headline", headline), ("dek", dek), ("byline", byline),
                                                 ("intro", intro)) if v and v.strip()}
                if new != {k: v for k, v in author.items() if k in ("headline", "dek", "byline", "intro")}:
                    set_author({**{k: v for k, v in author.items()
                                   if k not in ("headline", "dek", "byline", "intro")}, **new})
                    st.rerun()


def review_map(place_id: str, row: dict, alternatives: list[dict]) -> None:
    """The place, the other readings of its name and the towns around it on a small offline
    map; clicking one of them offers to move the place there."""
    from storymap.gazetteer import POPULATED_TYPES

    lat, lon = float(row["lat"]), float(row["lon"])
    nearby = gazetteer().places_in((lon - 0.6, lat - 0.6, lon + 0.6, lat + 0.6), POPULATED_TYPES, limit=12)
    points = sup.review_map_points(row, alternatives, nearby)
    st.markdown("**On the map** · click a point to move the place there")
    event = st.vega_lite_chart(sup.review_map_spec(points), on_select="rerun", selection_mode="pick",
                               key=f"review_map_{place_id}", width="stretch")
    picked = next((p for p in (event.selection.get("pick") if event else None) or []
                   if p.get("gazetteer_id")), None)
    target = next((p for p in points if picked and p["gazetteer_id"] == picked["gazetteer_id"]), None)
    if target is None:
        return
    st.caption(f"Picked: {sup.md_text(target['name'])} ({target['kind']}, {target['lat']:.3f}, {target['lon']:.3f})")
    if st.button(f"Move it to {target['name']}", key="btn_move_picked"):
        move_place(place_id, target)
        st.rerun()


def move_place(place_id: str, target: dict) -> None:
    """Re-place a place at a point of the review map: another reading of its name keeps its
    gazetteer entry (a candidate); a town nearby gives its coordinates."""
    edits: Edits = st.session_state.edits
    if target["kind"] == "other reading":
        coords = {k: v for k, v in edits.coordinates.items() if k != place_id}
        set_edits(_replace(edits, candidates={**edits.candidates, place_id: target["gazetteer_id"]},
                           coordinates=coords))
    else:
        candidates = {k: v for k, v in edits.candidates.items() if k != place_id}
        set_edits(_replace(edits, coordinates={**edits.coordinates, place_id: [target["lat"], target["lon"]]},
                           candidates=candidates))


def replace_by_search(place_id: str) -> None:
    """Re-place a place at another gazetteer entry, found by name."""
    with st.expander("Re-place it by searching the gazetteer", expanded=False):
        record = _gazetteer_pick("Search", f"replace_query_{place_id}", f"replace_pick_{place_id}", "a place name")
        if record is not None and st.button("Move it there", key="btn_replace_place"):
            edits: Edits = st.session_state.edits
            candidates = {k: v for k, v in edits.candidates.items() if k != place_id}
            set_edits(_replace(edits, coordinates={**edits.coordinates, place_id: [record.lat, record.lon]},
                               candidates=candidates))
            st.rerun()


def _gazetteer_pick(label: str, query_key: str, pick_key: str, placeholder: str):  # noqa: ANN202
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
    gid = st.selectbox("Place", list(labels), format_func=labels.get, key=pick_key)
    return next(r for r in found if r.gazetteer_id == gid)


def _search(query: str) -> list:
    """Gazetteer records for a name, the likeliest first (as the pipeline ranks them without context)."""
    from storymap.gazetteer import GazetteerRecord
    from storymap.geocoder import OfflineGeocoder

    found = OfflineGeocoder(gazetteer()).geocode(query, exactly_one=False, limit=10) if query.strip() else None
    return [GazetteerRecord(**loc.raw) for loc in found or []]


def add_place_form(shown: Story) -> None:
    """Add a place the pipeline missed, found by name in the offline gazetteer (no coordinates to type)."""
    from storymap.edits import added_place

    with st.expander("Add a place the pipeline missed", expanded=False):
        record = _gazetteer_pick("Search the offline gazetteer", "add_query", "add_pick", "e.g. Lisbon")
        if record is None:
            record = _map_pick(shown)
        if record is None:
            return
        role = st.radio("As", ["stop", "mention"], horizontal=True, key="add_role")
        if st.button(f"Add {record.name}", key="btn_add_place"):
            edits: Edits = st.session_state.edits
            place_id, place = added_place(record, role)
            set_edits(_replace(edits, added={**edits.added, place_id: place},
                               rejected=_drop(edits.rejected, place_id)))
            st.rerun()


def _map_pick(shown: Story):  # noqa: ANN202
    """...or a town clicked on a small offline map of the story's area: the chosen gazetteer
    record, or None."""
    from storymap.basemap import spread_towns, story_extent

    area = story_extent(shown.to_geojson(), margin=0.2, minimum=0.5)
    towns = spread_towns(gazetteer(), area, grid=5, per_cell=3)
    points = sup.story_map_points(shown, towns, area)
    st.caption("…or click a town on the map of the story's area:")
    event = st.vega_lite_chart(sup.review_map_spec(points), on_select="rerun", selection_mode="pick",
                               key="add_map", width="stretch")
    picked = next((p for p in (event.selection.get("pick") if event else None) or [] if p.get("gazetteer_id")), None)
    return next((r for r in towns if picked and r.gazetteer_id == picked["gazetteer_id"]), None)


def article_form(shown: Story) -> None:
    """Correct an article's outlet, publication date and web address (credits link to it)."""
    articles = {a.id: a for a in shown.articles}
    if not articles:
        return
    with st.expander("Articles: outlet, date and web address", expanded=False):
        article_id = st.selectbox("Article", list(articles), key="article_pick",
                                  format_func=lambda i: str(articles[i].title or i))
        a = articles[article_id]
        with st.form(f"form_article_{article_id}", border=False):
            source = st.text_input("Outlet", value=a.source or "", key=f"article_source_{article_id}")
            published = st.date_input("Published", key=f"article_published_{article_id}", format="YYYY-MM-DD",
                                      value=dt.date.fromisoformat(a.published) if a.published else None)
            url = st.text_input("Web address", value=a.url or "", key=f"article_url_{article_id}",
                                placeholder="https://...")
            if st.form_submit_button("Save the article's details"):
                edits: Edits = st.session_state.edits
                change = {"source": source, "published": published.isoformat() if published else None, "url": url}
                try:
                    new = _replace(edits, articles={**edits.articles, article_id: change})
                except StorymapError as exc:
                    st.error(f"Not saved: {exc}")
                    return
                set_edits(new)
                st.rerun()


def edits_panel(base: Story, shown: Story) -> None:
    edits: Edits = st.session_state.edits
    notes = unapplied(base, edits)
    for note in notes:
        st.warning(f"Edit not applied: {note}")
    ss = st.session_state
    if ss.get("story_id") and not can_edit():
        st.markdown(f"**{_n(edits.count(), 'correction')}**. You may read this story, not change it: your "
                    "first correction makes your own copy in the library.")
    elif ss.get("story_id"):
        st.markdown(f"**{_n(edits.count(), 'correction')}**, saved in the library as revision {ss.revision} of "
                    f"this story (its link: `?story={ss.story_id}`). The corrections themselves can be "
                    "downloaded to apply again with `storymap build` (as `NAME.edits.json` beside the story).")
    else:
        st.markdown(f"**{_n(edits.count(), 'correction')}**. The seeds' story is shared and never changed: "
                    "your first correction makes your own copy in the library.")
    if can_edit() and (ss.get("revision") or 0) > 1 and \
            st.button("Undo my last save", key="btn_undo", icon=":material/undo:"):
        _undo()
        st.rerun()
    c1, c2, c3 = st.columns(3)
    _download_button(c1, shown, "geojson", "Story with corrections (GeoJSON)", key="dl_story_edited")
    c2.download_button("Download edits (JSON)", dumps_edits(edits), file_name="places.edits.json",
                       mime="application/json", key="dl_edits", width="stretch", on_click="ignore")
    if c3.button("Discard all edits", key="btn_discard", disabled=edits.is_empty(), width="stretch"):
        set_edits(Edits())
        st.rerun()


def _undo() -> None:
    from storymap.library import ConflictError

    ss = st.session_state
    lib = library()
    if lib is None:
        return
    try:
        open_saved(lib.undo(ss.story_id, base_revision=ss.revision))
    except ConflictError as exc:
        ss.conflict = str(exc)
    except StorymapError as exc:
        ss.notices = [*ss.get("notices", []), f"Nothing was undone: {exc}"]


def _add(items: list[str], item: str) -> list[str]:
    return sorted(set(items) | {item})


def _drop(items: list[str], item: str) -> list[str]:
    return [i for i in items if i != item]


def _replace(edits: Edits, **changes: object) -> Edits:
    return Edits.from_dict({**edits.to_dict(), **changes})


def _forget(edits: Edits, place_id: str) -> Edits:
    d = edits.to_dict()
    for key in ("rejected", "accepted"):
        d[key] = [i for i in d[key] if i != place_id]
    for key in ("candidates", "coordinates", "dates", "roles", "added"):
        d[key].pop(place_id, None)
    return Edits.from_dict(d)


# --------------------------------------------------------------------------- new articles
# The inputs and both buttons are one form: the browser sends the files, the text and the
# click together in one message, and keeps the buttons disabled until every upload has
# arrived. (Outside a form, an upload finishing just after the click sent a second rerun
# without the click, which stopped the run holding it: the first click was lost.) The
# click itself only records a request in the session (the button's callback runs before
# anything can interrupt the run); the build runs at the top of the next run and is
# requested again if a newer rerun interrupts it.
def _request_build(mode: str) -> None:
    st.session_state.pending_build = mode


def new_articles() -> None:
    ss = st.session_state
    st.caption(f"Up to {sup.MAX_FILES} files, {sup.MAX_FILE_BYTES // (1024 * 1024)} MB each: "
               ".txt, .md or .html. " + ("They are kept in this server's story library, with the story."
                                         if ss.get("signed_in") else "Everything stays on this computer."))
    with st.form("form_new_articles", border=False, enter_to_submit=False):
        st.file_uploader("Article files", type=["txt", "md", "html", "htm"], accept_multiple_files=True,
                         key="upload_files", max_upload_size=sup.MAX_FILE_BYTES // (1024 * 1024))
        st.text_area("…or paste an article", key="paste_text", height=140,
                     placeholder="Paste the text of a news article here")
        st.text_input("Title of the pasted article (optional)", key="paste_title")
        st.text_input("Subject (optional)", key="subject", help="Whose route to trace; found from the text if empty.")
        # one above the other: side by side, a sidebar cuts their labels off
        st.form_submit_button("Build new story", type="primary", key="btn_build", width="stretch",
                              on_click=_request_build, args=("new",))
        st.form_submit_button("Add to this story", key="btn_add", width="stretch",
                              on_click=_request_build, args=("add",))
    # what the last build said (refused files, errors) stays until the next build
    for kind, msg in ss.get("build_messages", []):
        (st.error if kind == "error" else st.warning)(msg)


def build_pending() -> None:
    """Build the story a click asked for (see :func:`_request_build`); messages go to ``build_messages``."""
    ss = st.session_state
    mode = ss.pop("pending_build", None)
    if mode not in ("new", "add"):
        return
    messages: list[tuple[str, str]] = []
    ss.build_messages = messages
    try:
        result = _build_from_inputs(mode, messages)
    except Exception:
        raise
    except BaseException:
        # a newer rerun (another widget, a second click) stopped this one: build on that run
        ss.pending_build = mode
        raise
    if result is None:
        return
    result, kept = result
    previous = ss.get("story_id") if mode == "add" else None
    ss.base = result.story
    ss.origin = "session"
    ss.story_path = None
    if mode == "new":
        ss.edits = Edits()
        ss.author = {}
    ss.paste_text = ss.paste_title = ""  # the inputs clear after a build (before their widgets are drawn)
    ss.notices = [f"Note: {p}" for p in result.problems] + [f"Not placed: {u}" for u in result.unplaced[:10]]
    st.query_params.pop("step", None)
    _keep_built(ss.base, kept, previous)
    release_memory()


def _keep_built(story: Story, articles: list, previous: str | None) -> None:
    """Save a story just built: a new story, or a new revision of the one articles were added to."""
    from storymap.library import ConflictError

    ss = st.session_state
    lib = library()
    if lib is None:
        ss.story_id = None
        return
    try:
        if previous is not None and not can_edit():  # added to a story one may only read: one's own copy
            open_saved(lib.add(story, articles=articles, edits=ss.edits.to_dict(), author=dict(ss.get("author") or {}),
                               note=f"built from {len(articles)} articles, in a copy"))
            ss.origin = "session"
        elif previous is not None:
            # the new revision first: a refused save (someone saved meanwhile) adds no article either
            saved = lib.save(previous, base_revision=ss.revision, story=story, edits=ss.edits.to_dict(),
                             note=f"rebuilt with {len(articles)} articles")
            lib.add_articles(previous, articles)
            open_saved(lib.get(saved.id))
        else:
            open_saved(lib.add(story, articles=articles, note=f"built from {len(articles)} articles"))
            ss.origin = "session"
    except ConflictError as exc:
        ss.conflict = str(exc)
    except StorymapError as exc:
        ss.notices = [*ss.notices, f"The story was not saved in the library: {exc}"]


def _build_from_inputs(mode: str, messages: list[tuple[str, str]]):  # noqa: ANN202 - (BuildResult, articles) | None
    ss = st.session_state
    files = ss.get("upload_files") or []
    pasted = ss.get("paste_text") or ""
    subject = (ss.get("subject") or "").strip() or None
    uploads = [sup.Upload(f.name, f.getvalue()) for f in files]
    try:
        if pasted.strip():
            uploads.append(sup.pasted_upload(pasted, ss.get("paste_title")))
        accepted, refused = sup.check_uploads(uploads)
        del uploads
        messages += [("warning", msg) for msg in refused]
        if not accepted:
            messages.append(("error", "No article to read: upload .txt, .md or .html files or paste some text "
                                      "(a file you have just chosen may still be uploading: click again)."))
            return None
        from storymap.library import article_text

        kept = [article_text(sup.safe_name(u.name), u.data) for u in accepted]
        if mode == "add":
            have = _current_articles()
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
            paths = sup.write_uploads([sup.Upload(a.name, a.text.encode("utf-8")) for a in kept], folder)
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


def _unfold(message: str, folder: Path) -> str:
    """A message without the temporary folder an article was written to."""
    return message.replace(f"{folder}/", "").replace(str(folder), "the uploads")


def _build_with_progress(paths: Sequence[Path], subject: str | None):  # noqa: ANN202 - BuildResult
    from storymap.story import build_story

    bar = st.progress(0.0, text="Loading the gazetteer...")
    gaz = gazetteer()

    def progress(msg: str, n: int, total: int) -> None:
        bar.progress(min(1.0, n / max(total, 1)), text=f"{msg} ({n}/{total})")

    result = build_story(list(paths), gazetteer=gaz, subject=subject, base=sup.ROOT, progress=progress)
    bar.empty()
    return result


# --------------------------------------------------------------------------- downloads
def _download_button(where, story: Story, fmt: str, label: str, *, key: str) -> None:  # noqa: ANN001
    """A button whose file is made only when clicked (nothing is exported or kept per run)."""
    spec = next(x for x in sup.download_specs(story) if x[0] == fmt)
    where.download_button(label, lambda: sup.export_bytes(story, fmt), file_name=spec[2], mime=spec[3], key=key,
                          width="stretch", on_click="ignore", icon=":material/download:")


def download_buttons(shown: Story) -> None:
    from storymap.render import embed_snippet, page_title

    for fmt, label, _name, _mime in sup.download_specs(shown):
        _download_button(st, shown, fmt, label, key=f"dl_{fmt}")
    page_name = next(name for fmt, _label, name, _mime in sup.download_specs(shown) if fmt == "html")
    with st.expander("Embed in an article"):
        st.caption(f"Publish the HTML page, put its address in `src`, and paste this where the map goes: "
                   f"the frame fits the article's column and grows to the page's height.")
        st.code(embed_snippet(page_name, title=page_title(shown)), language="html", wrap_lines=True)


# --------------------------------------------------------------------------- library
def library_panel() -> None:
    """The stories this user may open: their own and those shared with them (a link to one
    opens it for them and for nobody else)."""
    from storymap.library import Access

    lib = library()
    if lib is None:
        return
    try:
        rows = lib.list()
    except StorymapError as exc:
        st.warning(f"The library cannot be read: {exc}")
        return
    with st.expander(f"Library ({_n(len(rows), 'story', 'stories')})", expanded=False):
        if not rows:
            st.caption("Stories you build or correct are kept here; so are those others share with you.")
            return
        labels = {r.id: f"{r.title} · {_n(r.stops, 'stop')} · {_n(r.articles, 'article')} · "
                        f"{r.updated_at:%Y-%m-%d %H:%M} · {r.id[:6]}"
                        + ("" if r.access == Access.OWNER else f" · {r.access.label}, from {r.owner}")
                  for r in rows}
        current_id = st.session_state.get("story_id")
        ids = list(labels)
        picked = st.selectbox("Story", ids, index=ids.index(current_id) if current_id in ids else 0,
                              format_func=labels.get, key="library_pick")
        if st.button("Open", key="btn_open_story", disabled=picked == current_id, width="stretch"):
            try:
                open_saved(lib.get(picked))
            except StorymapError as exc:
                st.session_state.notices = [f"The story cannot be opened: {exc}"]
            st.query_params.pop("step", None)
            st.rerun()


def sharing_panel() -> None:
    """The owner's controls: who else may read or edit this story, and read-only links."""
    from storymap.library import Access

    ss = st.session_state
    lib = library()
    if lib is None or not ss.get("story_id") or (ss.get("access") or 0) < Access.OWNER:
        return
    with st.expander("Share this story", expanded=False):
        try:
            shares = lib.shares(ss.story_id)
        except StorymapError as exc:
            st.warning(f"The story's shares cannot be read: {exc}")
            return
        for user, access in shares.items():
            c1, c2 = st.columns([3, 1])
            c1.caption(f"{sup.md_text(user)} may {access.label} it")
            if c2.button("Remove", key=f"btn_unshare_{sup.digest(user)}"):
                _share(user, None)
        with st.form("form_share", border=False):
            user = st.text_input("Share with", key="share_user", placeholder="name@newsroom.example",
                                 help="The name they are signed in as, shown at the top of their sidebar: "
                                      "their e-mail address.")
            level = st.radio("They may", ["read", "edit"], horizontal=True, key="share_level")
            if st.form_submit_button("Share"):
                _share(user, Access.EDIT if level == "edit" else Access.READ)
        if st.button("Make a read-only link", key="btn_make_link", width="stretch"):
            try:
                ss.new_link = lib.make_link(ss.story_id)
            except StorymapError as exc:
                st.error(f"No link was made: {exc}")
        if ss.get("new_link"):
            st.caption("Anyone with this link can read the story (it is shown once; add it to this app's address):")
            st.code(f"?share={ss.new_link}", language=None)
        if st.button("Revoke every read-only link", key="btn_revoke_links", width="stretch"):
            try:
                count = lib.revoke_links(ss.story_id)
                ss.pop("new_link", None)
                st.caption(f"{_n(count, 'link')} revoked.")
            except StorymapError as exc:
                st.error(f"Nothing was revoked: {exc}")


def _share(user: str, access) -> None:  # noqa: ANN001 - storymap.library.Access | None
    ss = st.session_state
    lib = library()
    try:
        if lib is None:
            raise StorymapError("the story library is not available")
        lib.share(ss.story_id, user, access)
    except StorymapError as exc:
        ss.notices = [*ss.get("notices", []), f"Not shared: {exc}"]
    st.rerun()


# --------------------------------------------------------------------------- page
def main() -> None:
    ss = st.session_state
    if not sign_in():
        return
    try:
        init_state()
        if ss.get("pending_build"):
            build_pending()
        base, shown = current()
    except GazetteerError as exc:
        st.error(f"The offline gazetteer is not ready: {exc}. Run `storymap gazetteer` or wait and reload.")
        return
    except StorymapError as exc:
        st.error(f"The story could not be loaded: {exc}. Rebuild it with `storymap build seeds`.")
        return
    with st.sidebar:
        st.header("Story map")
        st.caption({"seeds": "The seeds' story (your corrections make your own copy)",
                    "session": "Built in this session, kept in the library",
                    "library": "From the library" if can_edit() else
                    "From the library, read-only (your corrections make your own copy)"}.get(ss.origin, ""))
        if ss.get("signed_in"):
            st.caption(f"Signed in as {sup.md_text(ss.user)}")
            st.button("Sign out", key="btn_logout", on_click=st.logout)
        library_panel()
        sharing_panel()
        tiles = st.toggle("Online map tiles", value=False, key="tiles",
                          help="Off: the built-in offline base map. On: OpenStreetMap tiles (needs internet).")
    for note in ss.get("notices", []):
        st.warning(note)
    if ss.get("library_problem"):
        st.info(ss.library_problem)
    if ss.get("conflict"):
        st.error(ss.conflict)
        if st.button("Reload the latest version", key="btn_reload"):
            lib = library()
            try:
                if lib is None:
                    raise StorymapError("the story library is not available")
                open_saved(lib.get(ss.story_id, token=ss.get("link_token")), token=ss.get("link_token"))
            except StorymapError as exc:  # deleted, or no longer shared, meanwhile
                ss.pop("conflict", None)
                ss.notices = [f"The story cannot be reloaded ({exc})."]
            st.rerun()
    header(shown)
    ss.new_map = False
    try:
        map_view(shown, tiles)  # before the rest, so the map paints first
    except StorymapError as exc:
        st.error(f"The map cannot be drawn: {exc}")
    with st.sidebar:
        st.subheader("Download")
        download_buttons(shown)
        st.subheader("Bring new articles")
        new_articles()
        if ss.origin != "seeds" and st.button("Back to the seeds' story", key="btn_seeds"):
            for k in ("base", "edits", "author", "map_key", "build_messages", "notices", "story_id", "revision",
                      "conflict", "access", "link_token", "new_link"):
                ss.pop(k, None)
            st.query_params.pop("story", None)
            st.query_params.pop("share", None)
            st.rerun()
    # keyed, so a correction (which reruns the script) leaves the reader on the tab they were on
    tab_places, tab_time, tab_edit = st.tabs(["Places", "Timeline", "Review & correct"], key="main_tabs",
                                             on_change="rerun")
    with tab_places:
        explore(base, shown)
    with tab_time:
        timeline(shown)
    with tab_edit:
        order_check(shown)
        author_form(base)
        article_form(shown)
        correct(base, shown)
        st.divider()
        edits_panel(base, shown)
    if ss.pop("new_map", False):
        release_memory()  # a new map page (and its base map) was made in this thread


main()
