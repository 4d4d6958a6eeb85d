"""storymap: read, explore, correct and download a story map (``streamlit run app.py``).

The script stays thin: the package does the work (storymap.story builds, storymap.render
draws the map, storymap.edits applies corrections, storymap.app_support shapes tables,
uploads and downloads). Offline: the map is one self-contained HTML page in an iframe.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import streamlit as st

st.set_page_config(page_title="storymap", page_icon="🗺️", layout="wide", initial_sidebar_state="expanded")

from storymap import app_support as sup  # noqa: E402
from storymap.edits import Edits, apply_edits, dumps_edits, edits_path, load_edits, save_edits, unapplied  # noqa: E402
from storymap.errors import GazetteerError, StorymapError  # noqa: E402
from storymap.storyfile import Story, stops  # noqa: E402

MAP_HEIGHT = 620


# --------------------------------------------------------------------------- cached loaders
@st.cache_resource(show_spinner="Preparing the offline gazetteer (first run only, about 10 seconds)...")
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


@st.cache_data(show_spinner=False, max_entries=32)
def edited_story(story_json: str, edits_json: str) -> Story:
    return apply_edits(json.loads(story_json), Edits.from_dict(json.loads(edits_json)))


@st.cache_data(show_spinner=False, max_entries=16)
def map_html(story_json: str, step: int | None, tiles: bool) -> str:
    from storymap.render import story_html

    return sup.map_page(story_html(json.loads(story_json), tiles=tiles, step=step))


@st.cache_data(show_spinner="Preparing downloads...", max_entries=16)
def download_files(story_json: str) -> list[sup.Download]:
    return sup.downloads(json.loads(story_json))


# --------------------------------------------------------------------------- session state
def init_state() -> None:
    ss = st.session_state
    if "base" in ss:
        return
    ss.base = seeds_story()
    ss.story_path = str(sup.STORY_PATH)
    ss.origin = "seeds"
    ss.notices = []
    try:
        ss.edits = load_edits(edits_path(sup.STORY_PATH))
    except StorymapError as exc:
        ss.edits = Edits()
        ss.notices.append(f"Saved edits were not applied: {exc}. Fix or delete the file.")


def set_edits(edits: Edits) -> None:
    st.session_state.edits = edits
    st.session_state.edits_saved = False


def current() -> tuple[Story, Story]:
    """(the pipeline's story, the story as shown with the edits applied)."""
    ss = st.session_state
    base = ss.base
    shown = edited_story(sup.story_json(base), json.dumps(ss.edits.to_dict(), sort_keys=True))
    return base, shown


# --------------------------------------------------------------------------- header and map
def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def header(story: Story) -> None:
    meta = story.get("storymap", {})
    st.title(sup.md_text(meta.get("title") or "Story map"))
    n = len(stops(story))
    bits = [f"**Subject:** {sup.md_text(meta['subject'])}" if meta.get("subject") else None,
            f"**{n} stop{'s' if n != 1 else ''}**",
            f"**{_n(len(meta.get('articles') or []), 'article')}**",
            f"*{_n(meta['edits'], 'correction')} applied*" if meta.get("edits") else None]
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
    key = (sup.story_json(shown), tiles)
    if ss.get("map_key") != key:
        # Open on ?step= the first time this version of the story is shown; afterwards the map's
        # own controls move it and keep ?step= in the address (see app_support.map_page).
        ss.map_key = key
        ss.map_step = sup.parse_step(st.query_params.get("step"), len(stops(shown)))
    st.iframe(map_html(key[0], ss.map_step, tiles), height=MAP_HEIGHT, alt="Animated story map")
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
        [{k: v for k, v in r.items() if k not in ("articles", "id")} for r in shown_rows],
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
    source = shown if any(str(f.get("id")) == place_id for f in shown["features"]) else base
    for ex in sup.place_excerpts(source, place_id):
        st.markdown(f"> {ex['html']}\n>\n> <small>— {sup.md_text(ex['credit'])}</small>",
                    unsafe_allow_html=True)


def timeline(shown: Story) -> None:
    rows = sup.timeline_rows(shown)
    if rows:
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
    rows = sup.place_rows(base, shown, edits)
    names = {r["id"]: f"{r['name']} ({r['role']}{', stop ' + str(r['stop']) if r['stop'] else ''}, {r['review']})"
             for r in rows}
    place_id = st.selectbox("Place to review", list(names), format_func=names.get, key="edit_place")
    if place_id is None:
        return
    row = next(r for r in rows if r["id"] == place_id)
    feature = next((f for f in shown["features"] if str(f.get("id")) == place_id), None)
    props = (feature or next(f for f in base["features"] if str(f.get("id")) == place_id))["properties"]
    st.markdown(f"**{sup.md_text(row['name'])}** · {sup.md_text(row['type'] or 'place')} · {row['lat']:.4f}, {row['lon']:.4f} · "
                f"`{props.get('gazetteer_id')}` · confidence {row['confidence'] if row['confidence'] is not None else '–'}")

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
        role = f1.radio("Role", ["stop", "mention"], index=0 if props.get("role") == "stop" else 1,
                        horizontal=True, key=f"edit_role_{place_id}")
        date = f2.date_input("Date", value=dt.date.fromisoformat(props["date"]) if props.get("date") else None,
                             key=f"edit_date_{place_id}", format="YYYY-MM-DD")
        statuses = ["reported", "expected", "inferred"]
        status = f3.selectbox("Date status", statuses, key=f"edit_status_{place_id}",
                              index=statuses.index(props["date_status"]) if props.get("date_status") in statuses else 0)
        if st.form_submit_button("Apply role and date"):
            new = _replace(edits, roles={**edits.roles, place_id: role})
            if role == "stop" and (date is not None or props.get("date")):
                new = _replace(new, dates={**new.dates, place_id: {"date": date.isoformat() if date else None,
                                                                   "status": status}})
            set_edits(new)
            st.rerun()

    stop_ids = [str(f.get("id")) for f in stops(shown)]
    if place_id in stop_ids and len(stop_ids) > 1:
        with st.form("form_order", border=True):
            st.markdown("**Order along the route**")
            pos = st.number_input("Stop number", min_value=1, max_value=len(stop_ids),
                                  value=stop_ids.index(place_id) + 1, step=1, key=f"edit_pos_{place_id}")
            if st.form_submit_button("Move stop"):
                order = [i for i in stop_ids if i != place_id]
                order.insert(int(pos) - 1, place_id)
                set_edits(_replace(edits, order=order))
                st.rerun()

    alternatives = props.get("alternatives") or []
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


def edits_panel(base: Story) -> None:
    ss = st.session_state
    edits: Edits = ss.edits
    notes = unapplied(base, edits)
    for note in notes:
        st.warning(f"Edit not applied: {note}")
    st.markdown(f"**{_n(edits.count(), 'correction')}** in this session.")
    c1, c2, c3 = st.columns(3)
    target = edits_path(ss.story_path) if ss.get("story_path") else None
    if target is not None and c1.button(f"Save edits beside the story ({target.name})", key="btn_save_edits",
                                        disabled=edits.is_empty() and not target.exists(), width="stretch"):
        try:
            save_edits(edits, target)
            st.toast(f"Saved to {target}; 'storymap build' applies them again.")
        except (OSError, StorymapError) as exc:
            st.error(f"Could not save the edits: {exc}")
    c2.download_button("Download edits (JSON)", dumps_edits(edits), file_name="places.edits.json",
                       mime="application/json", key="dl_edits", width="stretch", on_click="ignore")
    if c3.button("Discard all edits", key="btn_discard", disabled=edits.is_empty(), width="stretch"):
        set_edits(Edits())
        st.rerun()


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
    for key in ("candidates", "coordinates", "dates", "roles"):
        d[key].pop(place_id, None)
    return Edits.from_dict(d)


# --------------------------------------------------------------------------- new articles
def new_articles() -> None:
    ss = st.session_state
    st.caption(f"Up to {sup.MAX_FILES} files, {sup.MAX_FILE_BYTES // (1024 * 1024)} MB each: "
               ".txt, .md or .html. Everything stays on this computer.")
    files = st.file_uploader("Article files", type=["txt", "md", "html", "htm"], accept_multiple_files=True,
                             key="upload_files", max_upload_size=sup.MAX_FILE_BYTES // (1024 * 1024))
    pasted = st.text_area("…or paste an article", key="paste_text", height=140,
                          placeholder="Paste the text of a news article here")
    paste_title = st.text_input("Title of the pasted article (optional)", key="paste_title")
    subject = st.text_input("Subject (optional)", key="subject", help="Whose route to trace; found from the text if empty.")
    c1, c2 = st.columns(2)
    build_new = c1.button("Build new story", type="primary", key="btn_build", width="stretch")
    add = c2.button("Add to this story", key="btn_add", width="stretch")
    if not (build_new or add):
        return
    uploads = [sup.Upload(f.name, f.getvalue()) for f in files or []]
    try:
        if pasted and pasted.strip():
            uploads.append(sup.pasted_upload(pasted, paste_title))
        accepted, refused = sup.check_uploads(uploads)
        for msg in refused:
            st.warning(msg)
        if not accepted:
            st.error("No article to read: upload .txt, .md or .html files or paste some text.")
            return
        folder = sup.upload_folder()
        paths = sup.write_uploads(accepted, folder)
        if add:
            paths = sup.article_paths(ss.base) + paths
        result = _build_with_progress(paths, subject.strip() or None)
    except GazetteerError as exc:
        st.error(f"The offline gazetteer is not ready: {exc}. Wait a minute and try again.")
        return
    except StorymapError as exc:
        st.error(f"Could not build a story: {exc}")
        return
    ss.base = result.story
    ss.origin = "session"
    ss.story_path = None
    if not add:
        set_edits(Edits())
    ss.notices = [f"Note: {p}" for p in result.problems] + [f"Not placed: {u}" for u in result.unplaced[:10]]
    st.query_params.pop("step", None)
    st.rerun()


def _build_with_progress(paths: Sequence[Path], subject: str | None):  # noqa: ANN202 - BuildResult
    from storymap.story import build_story

    bar = st.progress(0.0, text="Loading the gazetteer...")
    gaz = gazetteer()

    def progress(msg: str, n: int, total: int) -> None:
        bar.progress(min(1.0, n / max(total, 1)), text=f"{msg} ({n}/{total})")

    result = build_story(list(paths), gazetteer=gaz, subject=subject, base=sup.ROOT, progress=progress)
    bar.progress(1.0, text="Story built")
    return result


# --------------------------------------------------------------------------- downloads
def download_buttons(shown: Story) -> None:
    try:
        files = download_files(sup.story_json(shown))
    except StorymapError as exc:
        st.error(f"Downloads unavailable: {exc}")
        return
    for f in files:
        st.download_button(f.label, f.data, file_name=f.file_name, mime=f.mime, key=f"dl_{f.fmt}",
                           width="stretch", on_click="ignore", icon=":material/download:")


# --------------------------------------------------------------------------- page
def main() -> None:
    try:
        init_state()
        base, shown = current()
    except GazetteerError as exc:
        st.error(f"The offline gazetteer is not ready: {exc}. Run `storymap gazetteer` or wait and reload.")
        return
    except StorymapError as exc:
        st.error(f"The story could not be loaded: {exc}. Rebuild it with `storymap build seeds`.")
        return
    ss = st.session_state
    with st.sidebar:
        st.header("Story map")
        st.caption("Seed articles" if ss.origin == "seeds" else "Built in this session")
        tiles = st.toggle("Online map tiles", value=False, key="tiles",
                          help="Off: the built-in offline base map. On: OpenStreetMap tiles (needs internet).")
    for note in ss.get("notices", []):
        st.warning(note)
    header(shown)
    try:
        map_view(shown, tiles)  # before the slower downloads, so the map paints first
    except StorymapError as exc:
        st.error(f"The map cannot be drawn: {exc}")
    with st.sidebar:
        st.subheader("Download")
        download_buttons(shown)
        st.subheader("Bring new articles")
        new_articles()
        if ss.origin != "seeds" and st.button("Back to the seeds' story", key="btn_seeds"):
            for k in ("base", "edits", "map_key"):
                ss.pop(k, None)
            st.rerun()
    tab_places, tab_time, tab_edit = st.tabs(["Places", "Timeline", "Review & correct"])
    with tab_places:
        explore(base, shown)
    with tab_time:
        timeline(shown)
    with tab_edit:
        correct(base, shown)
        st.divider()
        edits_panel(base)


main()
