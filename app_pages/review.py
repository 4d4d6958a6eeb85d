"""The review page: the subject, every place in one table (accepted or rejected several at once,
moved up or down the route, role, stop number, date and review changed and saved at once), then
one place in detail, doubtful ones first (its evidence, the name shown, its place in the route,
location, return visits), and places added (from the gazetteer, a town or any spot on the map,
typed coordinates). Every action is one of
storymap.edits' functions, naming the place it acts on by id; the page only saves it."""

from __future__ import annotations

import datetime as dt
from typing import Any

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


def act(action, *args: Any) -> None:  # noqa: ANN001 - one of storymap.edits' actions
    """A button's action, a callback: on the place it was drawn for (its id bound when drawn, so
    a rerun or another selection meanwhile cannot move it to another place), applied to the
    edits as they are when it is clicked."""
    set_edits(action(state().edits, *args))


def visit(place_id: str, again: bool) -> None:
    """The place's form of return visits, submitted (a callback, for the place it was drawn for)."""
    _, shown = current()
    route = [str(f.id) for f in shown.route_visits()]
    if again:
        act(ed.visit_again, route, place_id, int(st.session_state[f"edit_visit_{place_id}"]))
    else:
        act(ed.drop_return_visit, route, place_id)


def shift(place_id: str, by: int) -> None:
    """The place's Move up or Move down, clicked (a callback, for the place it was drawn for):
    moved along the route as it is when clicked."""
    _, shown = current()
    act(ed.shift_stops, [str(f.id) for f in shown.route_visits()], [place_id], by)


def rename(place_id: str, key: str, own: str | None) -> None:
    """The place's name form, submitted (a callback, for the place it was drawn for)."""
    act(ed.rename, place_id, str(st.session_state[key] or ""), own)


def locate(place_id: str, where: tuple[float, float]) -> None:
    """The place's location form, submitted: another candidate, or the coordinates typed when
    they differ from ``where`` (a callback, for the place it was drawn for)."""
    choice = st.session_state[f"edit_candidate_{place_id}"]
    lat, lon = st.session_state[f"edit_lat_{place_id}"], st.session_state[f"edit_lon_{place_id}"]
    if choice != "(keep)":
        act(ed.use_candidate, place_id, str(choice))
    elif (round(lat, 5), round(lon, 5)) != where:
        act(ed.place_at, place_id, lat, lon)


def places_table(base: Story, shown: Story) -> None:
    """Every place in one table, its rows named by id: select several for one accept or
    reject, or change their role, stop number, date and review, then save them all at once."""
    edits = state().edits
    rows = sup.table_rows(base, sup.place_rows(base, shown, edits))
    route = [str(f.id) for f in shown.route_visits()]
    # a new table after every save or new subject: edits still in an old one never land on rows that moved
    key = f"places_table_{sup.digest(dumps_edits(edits) + ' '.join(r['id'] for r in rows))[:12]}"
    ticked = set(state().ticked)  # rows ticked stay ticked through a move or another place's action
    shown_rows = [{**r, "select": r["id"] in ticked, "date": dt.date.fromisoformat(r["date"]) if r["date"] else None}
                  for r in rows]
    st.markdown("**Places** · select rows for one action, or change the cells and save")
    table = st.data_editor(
        shown_rows, key=key, hide_index=True, width="stretch", num_rows="fixed", placeholder="",
        column_order=["select", "name", "role", "order", "date", "status", "review", "confidence", "id"],
        column_config={
            "select": st.column_config.CheckboxColumn("✓", help="Select for Accept or Reject selected"),
            "name": st.column_config.TextColumn("Place", disabled=True),
            "role": st.column_config.SelectboxColumn("Role", options=["stop", "mention"], required=True),
            "order": st.column_config.NumberColumn("Stop", min_value=1, max_value=max(1, len(route)), step=1,
                                                   help="Its number along the route: type another to move it"),
            "date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
            "status": st.column_config.SelectboxColumn("Date status", options=["reported", "expected", "inferred"]),
            "review": st.column_config.SelectboxColumn("Review", options=list(sup.REVIEWS), required=True),
            "confidence": st.column_config.NumberColumn("Confidence", format="%.2f", disabled=True),
            "id": st.column_config.TextColumn("Id", disabled=True),
        })
    after = table.to_dict("records") if hasattr(table, "to_dict") else list(table)
    changes = sup.table_changes(rows, after)
    chosen = [r["id"] for r in after if r.get("select")]
    state().ticked = tuple(chosen)
    stops = [i for i in chosen if i in route]
    c1, c2, c3, c4, c5 = st.columns(5)
    bulk = None
    if c1.button(f"Accept selected ({len(chosen)})", key="btn_bulk_accept", disabled=not chosen, width="stretch"):
        bulk = "accepted"
    if c2.button(f"Reject selected ({len(chosen)})", key="btn_bulk_reject", disabled=not chosen, width="stretch"):
        bulk = "rejected"
    # the stops ticked, one place along the route (each click a save); not over unsaved changes
    for column, by, label, icon, end in ((c3, -1, "Move up", ":material/arrow_upward:", "first"),
                                         (c4, 1, "Move down", ":material/arrow_downward:", "last")):
        stuck = ed.shifted(route, stops, by) == route
        why = "Save the table's changes first" if changes else "Tick the stops to move" if not stops \
            else f"Already the {end} stop" if stuck \
            else f"The ticked stops one place {'earlier' if by < 0 else 'later'} along the route"
        if column.button(f"{label} ({len(stops)})", key=f"btn_move_{'up' if by < 0 else 'down'}", icon=icon,
                         disabled=bool(changes) or stuck, width="stretch", help=why):
            save(ed.shift_stops(edits, route, stops, by))
    if c5.button(f"Save the table ({n(len(changes), 'change')})", key="btn_table_save", disabled=not changes,
                 type="primary", width="stretch"):
        bulk = ""
    if bulk is None:
        return
    for place_id in chosen if bulk else ():
        changes.setdefault(place_id, {})["review"] = bulk
    state().ticked = ()
    save(ed.apply_table(edits, route, changes))  # one save, one revision


def correct(base: Story, shown: Story) -> None:
    edits = state().edits
    rows = sup.review_order(sup.place_rows(base, shown, edits))
    names = {r["id"]: f"{r['name']} ({r['role']}{', stop ' + str(r['stop']) if r['stop'] else ''}, {r['review']}"
                      f"{', stop confidence %.2f' % r['stop_confidence'] if r.get('stop_confidence') is not None else ''})"
             for r in rows}
    add_place_form(shown)
    st.markdown("**One place in detail**: its evidence, other readings and location")
    st.caption("Doubtful decisions first: the stops the pipeline is least sure of, then the other places.")
    picked_before = st.session_state.get("edit_place")
    if picked_before in names and names[picked_before] != state().place_label:
        # its label changed (renamed, moved, reviewed): set again, the box shows it as it is now
        st.session_state["edit_place"] = picked_before
    place_id = st.selectbox("Place to review", list(names), format_func=lambda i: names[i], key="edit_place")
    state().place_label = names.get(place_id) if place_id is not None else None
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
    c1.button("Accept", key=f"btn_accept_{place_id}", disabled=row["review"] == "accepted", width="stretch",
              on_click=act, args=(ed.accept, place_id))
    c2.button("Reject", key=f"btn_reject_{place_id}", disabled=row["review"] == "rejected", width="stretch",
              on_click=act, args=(ed.reject, place_id))
    c3.button("Undo all edits of this place", key=f"btn_restore_{place_id}", width="stretch",
              on_click=act, args=(ed.forget, place_id))
    if row["review"] == "rejected":
        st.info("This place is rejected: it is not on the map nor in the downloads.")
        return

    name_form(place_id, row["name"] or "", props.gazetteer_name or props.name)
    st.caption("Its role, stop number, date and review are in the table above.")
    route = [str(f.id) for f in shown.route_visits()]  # a place once per visit
    if place_id in route:
        m1, m2 = st.columns(2)
        m1.button("Move up", key=f"btn_up_{place_id}", icon=":material/arrow_upward:", width="stretch",
                  disabled=ed.shifted(route, [place_id], -1) == route, on_click=shift, args=(place_id, -1),
                  help="One place earlier along the route (already the first stop when greyed)")
        m2.button("Move down", key=f"btn_down_{place_id}", icon=":material/arrow_downward:", width="stretch",
                  disabled=ed.shifted(route, [place_id], 1) == route, on_click=shift, args=(place_id, 1),
                  help="One place later along the route (already the last stop when greyed)")
        with st.form(f"form_visit_{place_id}", border=True):
            st.markdown("**A return visit** (a round trip passes the same place again)")
            st.number_input("After stop number", min_value=1, max_value=len(route),
                            value=len(route), step=1, key=f"edit_visit_{place_id}")
            st.form_submit_button("Visit it again", on_click=visit, args=(place_id, True))
            st.form_submit_button("Remove its last return visit", disabled=route.count(place_id) < 2,
                                  on_click=visit, args=(place_id, False))

    alternatives = [dict(a) for a in props.alternatives or ()]
    review_map(place_id, row, alternatives)
    with st.form(f"form_place_{place_id}", border=True):
        st.markdown("**Location**")
        options = ["(keep)"] + [a["gazetteer_id"] for a in alternatives]
        labels = {a["gazetteer_id"]: f"{a.get('name')} · {a.get('place_type')} · {a.get('country_code') or ''} "
                                     f"({a.get('lat'):.3f}, {a.get('lon'):.3f})" for a in alternatives}
        st.selectbox("Switch to another candidate", options, key=f"edit_candidate_{place_id}",
                     format_func=lambda g: labels.get(g, g), help="Other gazetteer entries with the same name.")
        g1, g2 = st.columns(2)
        g1.number_input("Latitude", -90.0, 90.0, value=float(row["lat"]), format="%.5f", key=f"edit_lat_{place_id}")
        g2.number_input("Longitude", -180.0, 180.0, value=float(row["lon"]), format="%.5f", key=f"edit_lon_{place_id}")
        st.form_submit_button("Apply location", on_click=locate, args=(place_id, (row["lat"], row["lon"])))
    with st.expander("Re-place it by searching the gazetteer", expanded=False):
        record = gazetteer_pick("Search", f"replace_query_{place_id}", f"replace_pick_{place_id}", "a place name")
        if record is not None:
            st.button("Move it there", key=f"btn_replace_place_{place_id}", on_click=act,
                      args=(ed.place_at, place_id, record.lat, record.lon))


def name_form(place_id: str, name: str, own: str | None) -> None:
    """The name the place is shown by on the map, the page and the downloads: the author's own
    spelling or name; emptied, the gazetteer's (``own``) again."""
    key = f"edit_name_{place_id}_{sup.digest(name)[:8]}"  # a new field once the name changed (or was undone)
    with st.form(f"form_name_{place_id}", border=True, enter_to_submit=True):
        st.text_input("Name shown on the map", value=name, key=key, max_chars=120,
                      help="Your own spelling or name for this place; leave it empty for the gazetteer's.")
        if own and own != name:
            st.caption(f"The gazetteer's name: {sup.md_text(own)}")
        st.form_submit_button("Rename", on_click=rename, args=(place_id, key, own))


def picked(event, points: list[dict]) -> dict | None:  # noqa: ANN001 - a chart's selection event
    """What a click on a review map picked: one of its points (a gazetteer record's or a
    story place's, with its ``kind``), or a spot anywhere else (``kind`` "spot", its lat, lon)."""
    selection = event.selection if event else {}
    pick = next((p for p in selection.get("pick") or [] if p.get("gazetteer_id")), None)
    if pick is not None:
        return next((p for p in points if p["gazetteer_id"] == pick["gazetteer_id"]), None)
    spot = next((p for p in selection.get("spot") or [] if "lat" in p and "lon" in p), None)
    return None if spot is None else {"kind": "spot", "lat": float(spot["lat"]), "lon": float(spot["lon"]),
                                      "name": f"{float(spot['lat']):.4f}, {float(spot['lon']):.4f}"}


def review_map(place_id: str, row: dict, alternatives: list[dict]) -> None:
    """The place, the other readings of its name and the towns around it on a small offline
    map; clicking one of them, or any spot, offers to move the place there (another reading
    keeps its gazetteer entry, a town or a spot gives its coordinates)."""
    from storymap.gazetteer import POPULATED_TYPES

    lat, lon = float(row["lat"]), float(row["lon"])
    nearby = gazetteer().places_in((lon - 0.6, lat - 0.6, lon + 0.6, lat + 0.6), POPULATED_TYPES, limit=12)
    points = sup.review_map_points(row, alternatives, nearby)
    st.markdown("**On the map** · click a point, or anywhere, to move the place there")
    event = st.vega_lite_chart(sup.review_map_spec(points), on_select="rerun", selection_mode=["pick", "spot"],
                               key=f"review_map_{place_id}", width="stretch")
    target = picked(event, points)
    if target is None:
        return
    st.caption(f"Picked: {sup.md_text(target['name'])} ({target['kind']}, {target['lat']:.4f}, {target['lon']:.4f})")
    label = "Move it here" if target["kind"] == "spot" else f"Move it to {sup.md_text(target['name'])}"
    move = (ed.use_candidate, place_id, target["gazetteer_id"]) if target["kind"] == "other reading" \
        else (ed.place_at, place_id, target["lat"], target["lon"])
    st.button(label, key=f"btn_move_picked_{place_id}", on_click=act, args=move)


ADD_WAYS = ("Search the gazetteer", "Click on the map", "Type its coordinates")


def add_place_form(shown: Story) -> None:
    """Add a place the pipeline missed: found by name in the offline gazetteer, a town or any
    spot clicked on a map of the story's area, or typed coordinates, under any name."""
    with st.expander("Add a place the pipeline missed", expanded=False):
        way = st.radio("Find it by", ADD_WAYS, horizontal=True, key="add_way")
        role = st.radio("As", ["stop", "mention"], horizontal=True, key="add_role")
        if way == ADD_WAYS[0]:
            record = gazetteer_pick("Search the offline gazetteer", "add_query", "add_pick", "e.g. Lisbon")
            if record is not None:
                st.button(f"Add {sup.md_text(record.name)}", key="btn_add_place", on_click=act,
                          args=(ed.add_place, record, role))
            return
        if way == ADD_WAYS[1]:
            record, spot = map_pick(shown)
            if record is not None:
                st.button(f"Add {sup.md_text(record.name)}", key="btn_add_place", on_click=act,
                          args=(ed.add_place, record, role))
                return
            if spot is None:
                return
            lat, lon = spot
            st.caption(f"Picked the point {lat:.4f}, {lon:.4f}: name it.")
        else:
            c1, c2 = st.columns(2)
            lat = c1.number_input("Latitude", -90.0, 90.0, value=None, format="%.5f", key="add_lat",
                                  placeholder="e.g. 51.71640")
            lon = c2.number_input("Longitude", -180.0, 180.0, value=None, format="%.5f", key="add_lon",
                                  placeholder="e.g. -0.80390")
        name = st.text_input("Its name", key="add_name", placeholder="e.g. Chequers").strip()
        if lat is None or lon is None or not name:
            return
        st.button(f"Add {sup.md_text(name)}", key="btn_add_point", on_click=act,
                  args=(ed.add_point, name, float(lat), float(lon), role))


def map_pick(shown: Story) -> tuple:
    """A town or any spot clicked on a small offline map of the story's area: (the town's
    gazetteer record or None, (lat, lon) of the spot or None)."""
    from storymap.basemap import spread_towns, story_extent

    area = story_extent(shown.to_geojson(), margin=0.2, minimum=0.5)
    towns = spread_towns(gazetteer(), area, grid=5, per_cell=3)
    points = sup.story_map_points(shown, towns, area)
    st.caption("Click a town, or any point, on the map of the story's area:")
    event = st.vega_lite_chart(sup.review_map_spec(points), on_select="rerun", selection_mode=["pick", "spot"],
                               key="add_map", width="stretch")
    target = picked(event, points)
    if target is None:
        return None, None
    if target["kind"] == "spot":
        return None, (target["lat"], target["lon"])
    return next((r for r in towns if r.gazetteer_id == target["gazetteer_id"]), None), None


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
    places_table(base, shown)
    correct(base, shown)
    st.divider()
    edits_panel(base, shown)


page()
