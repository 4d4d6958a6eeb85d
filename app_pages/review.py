"""The review page: the pipeline's decisions, doubtful ones first, each place's evidence, and
the corrections (accept, reject, role, date, order, location, added places). Every action is
one of storymap.edits' functions, naming the place it acts on by id; the page only saves it."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from app_pages.session import can_edit, change_subject, current, gazetteer, set_edits, state, undo
from app_pages.widgets import download_button, gazetteer_pick, header, map_view, n
from storymap import app_support as sup
from storymap import edits as ed
from storymap.edits import Edits, dumps_edits, unapplied
from storymap.storyfile import Story


def save(edits: Edits) -> None:
    set_edits(edits)
    st.rerun()


def subject_panel(shown: Story) -> None:
    """The story's subject and the other travellers the texts name (how often each), and a new
    subject to build the route again for, keeping the corrections that still apply."""
    meta = shown.meta
    named = [(t.name, t.named) for t in meta.travellers or () if t.name]
    count = dict(named)
    subject = meta.subject or ""
    line = f"**The route follows** {sup.md_text(subject) if subject else 'no one (no subject found)'}"
    times = count.get(subject)
    if times is not None:
        line += f" (named {n(times, 'time')})"
    others = [(name, k) for name, k in named if name != subject]
    if others:
        line += " · **other travellers the texts name:** " + ", ".join(
            f"{sup.md_text(name)} ({n(k, 'time') if k is not None else 'count unknown'})" for name, k in others)
    st.markdown(line)
    with st.expander("Change the subject", expanded=False):
        st.caption("The route is built again from the story's articles for the new subject; every correction "
                   "that still applies is kept, and those that no longer do are listed.")
        with st.form("form_subject", border=False, enter_to_submit=False):
            pick = st.selectbox("Another traveller the texts name", [name for name, _ in others], index=None,
                                key="subject_pick", placeholder="Choose a traveller",
                                format_func=lambda name: f"{name} (named {n(count.get(name) or 0, 'time')})")
            typed = st.text_input("…or another name", key="subject_typed", placeholder="e.g. Vladimir Putin")
            if st.form_submit_button("Build the route for this subject", key="btn_subject"):
                wanted = (typed or "").strip() or pick
                if wanted:
                    change_subject(wanted)
                    st.rerun()
                st.warning("Choose a traveller or type a name first.")


def order_check(shown: Story) -> None:
    """Warn when the route's order disagrees with its dates, and offer to order by date."""
    clashes = sup.order_disagreements(shown)
    if not clashes:
        return
    st.warning("The route order disagrees with the dates: " + "; ".join(sup.md_text(c) for c in clashes) + ".")
    if st.button("Order the stops by date", key="btn_order_by_date"):
        save(ed.reorder(state().edits, sup.order_by_date(shown)))


def correct(base: Story, shown: Story) -> None:
    edits = state().edits
    rows = sup.review_order(sup.place_rows(base, shown, edits))
    names = {r["id"]: f"{r['name']} ({r['role']}{', stop ' + str(r['stop']) if r['stop'] else ''}, {r['review']}"
                      f"{', stop confidence %.2f' % r['stop_confidence'] if r.get('stop_confidence') is not None else ''})"
             for r in rows}
    st.caption("Doubtful decisions first: the stops the pipeline is least sure of, then the other places.")
    place_id = st.selectbox("Place to review", list(names), format_func=lambda i: names[i], key="edit_place")
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
        save(ed.accept(edits, place_id))
    if c2.button("Reject", key="btn_reject", disabled=row["review"] == "rejected", width="stretch"):
        save(ed.reject(edits, place_id))
    if c3.button("Undo all edits of this place", key="btn_restore", width="stretch"):
        save(ed.forget(edits, place_id))
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
            save(ed.set_role(edits, place_id, role, date=date.isoformat() if date else None, status=status,
                             had_date=bool(props.date)))

    route = [str(f.id) for f in shown.route_visits()]  # a place once per visit
    if place_id in route and len(route) > 1:
        with st.form("form_order", border=True):
            st.markdown("**Order along the route**")
            pos = st.number_input("Stop number", min_value=1, max_value=len(route),
                                  value=route.index(place_id) + 1, step=1, key=f"edit_pos_{place_id}")
            if st.form_submit_button("Move stop"):  # its first visit
                save(ed.move_stop(edits, route, place_id, int(pos)))
    if place_id in route:
        with st.form("form_visit", border=True):
            st.markdown("**A return visit** (a round trip passes the same place again)")
            after = st.number_input("After stop number", min_value=1, max_value=len(route),
                                    value=len(route), step=1, key=f"edit_visit_{place_id}")
            again = st.form_submit_button("Visit it again")
            drop = st.form_submit_button("Remove its last return visit", disabled=route.count(place_id) < 2)
            if again:
                save(ed.visit_again(edits, route, place_id, int(after)))
            if drop:
                save(ed.drop_return_visit(edits, route, place_id))

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
                save(ed.use_candidate(edits, place_id, str(choice)))
            elif (round(lat, 5), round(lon, 5)) != (row["lat"], row["lon"]):
                save(ed.place_at(edits, place_id, lat, lon))
            st.rerun()
    with st.expander("Re-place it by searching the gazetteer", expanded=False):
        record = gazetteer_pick("Search", f"replace_query_{place_id}", f"replace_pick_{place_id}", "a place name")
        if record is not None and st.button("Move it there", key="btn_replace_place"):
            save(ed.place_at(edits, place_id, record.lat, record.lon))


def review_map(place_id: str, row: dict, alternatives: list[dict]) -> None:
    """The place, the other readings of its name and the towns around it on a small offline
    map; clicking one of them offers to move the place there (another reading keeps its
    gazetteer entry, a town nearby gives its coordinates)."""
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
        edits = state().edits
        save(ed.use_candidate(edits, place_id, target["gazetteer_id"]) if target["kind"] == "other reading"
             else ed.place_at(edits, place_id, target["lat"], target["lon"]))


def add_place_form(shown: Story) -> None:
    """Add a place the pipeline missed, found by name in the offline gazetteer or clicked on a map."""
    with st.expander("Add a place the pipeline missed", expanded=False):
        record = gazetteer_pick("Search the offline gazetteer", "add_query", "add_pick", "e.g. Lisbon")
        if record is None:
            record = _map_pick(shown)
        if record is None:
            return
        role = st.radio("As", ["stop", "mention"], horizontal=True, key="add_role")
        if st.button(f"Add {record.name}", key="btn_add_place"):
            save(ed.add_place(state().edits, record, role))


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


def edits_panel(base: Story, shown: Story) -> None:
    s = state()
    edits = s.edits
    for note in unapplied(base, edits):
        st.warning(f"Edit not applied: {note}")
    if s.story_id and not can_edit():
        st.markdown(f"**{n(edits.count(), 'correction')}**. You may read this story, not change it: your "
                    "first correction makes your own copy in the library.")
    elif s.story_id:
        st.markdown(f"**{n(edits.count(), 'correction')}**, saved in the library as revision {s.revision} of "
                    f"this story (its link: `?story={s.story_id}`). The corrections themselves can be "
                    "downloaded to apply again with `storymap build` (as `NAME.edits.json` beside the story).")
    else:
        st.markdown(f"**{n(edits.count(), 'correction')}**. The example story is shared and never changed: "
                    "your first correction makes your own copy in the library.")
    if can_edit() and (s.revision or 0) > 1 and \
            st.button("Undo my last save", key="btn_undo", icon=":material/undo:"):
        undo()
        st.rerun()
    c1, c2, c3 = st.columns(3)
    download_button(c1, shown, "geojson", "Story with corrections (GeoJSON)", key="dl_story_edited")
    c2.download_button("Download edits (JSON)", dumps_edits(edits), file_name=f"{sup.file_stem(shown)}.edits.json",
                       mime="application/json", key="dl_edits", width="stretch", on_click="ignore")
    if c3.button("Discard all edits", key="btn_discard", disabled=edits.is_empty(), width="stretch"):
        save(Edits())


def page() -> None:
    base, shown = current()
    header(shown)
    subject_panel(shown)
    map_view(shown, st.session_state.get("tiles", False))  # the map follows every correction
    order_check(shown)
    correct(base, shown)
    st.divider()
    edits_panel(base, shown)


page()
