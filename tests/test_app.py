"""The Streamlit app without a browser: edits, helpers and the app script under AppTest."""

from __future__ import annotations

import os
import copy
import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from apptest_helpers import edit_table, goto

from storymap import app_support as sup
from storymap.edits import Edits, EditsError, apply_edits, edits_path, load_edits, save_edits, unapplied
from storymap.export import flat_properties
from storymap.storyfile import (DateStatus, Place, Review, Role, Route, Story, as_story, dumps_story, load_story,
                                read_story)

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
ROUTE = ["vostochny-cosmodrome", "komsomolsk-on-amur", "vladivostok"]
ARTICLE = (b"Kim Jong Un arrives in Khabarovsk\n\n"
           b"North Korean leader Kim Jong Un arrived in Khabarovsk on Saturday, September 16, 2023, "
           b"after visiting Komsomolsk-on-Amur, state media said. He later travelled to Vladivostok.\n")


@pytest.fixture(scope="module")
def story() -> Story:
    return read_story(ROOT / "data" / "places.geojson")


def ids(features: list[Place]) -> list[str]:
    return [str(f.id) for f in features]


def place(story: Story, place_id: str) -> Place:
    found = story.place(place_id)
    assert found is not None
    return found


def line(story: Story) -> Route:
    assert story.route is not None
    return story.route


# --------------------------------------------------------------------------- edits
def test_no_edits_keep_the_story(story: Story) -> None:
    out = apply_edits(story, Edits())
    assert ids(out.stops) == ROUTE
    assert list(line(out).stops or ()) == ROUTE
    assert dumps_story(out) == dumps_story(story)  # renumbered as it was: the same file


def test_apply_edits_does_not_modify_a_parsed_story_file() -> None:
    data = load_story(ROOT / "data" / "places.geojson")
    before = copy.deepcopy(data)
    apply_edits(data, Edits(rejected=["komsomolsk-on-amur"], coordinates={"vladivostok": [43.0, 132.0]}))
    assert data == before


def test_reject_a_stop_renumbers_and_reroutes(story: Story) -> None:
    out = apply_edits(story, Edits(rejected=["komsomolsk-on-amur"]))
    assert ids(out.stops) == ["vostochny-cosmodrome", "vladivostok"]
    assert [f.stop for f in out.stops] == [1, 2]
    assert list(line(out).stops or ()) == ["vostochny-cosmodrome", "vladivostok"]
    assert len(line(out).coordinates) == 2
    assert "komsomolsk-on-amur" not in ids(out.places)


def test_switch_candidate_moves_the_place_and_keeps_the_old_one_as_alternative(story: Story) -> None:
    moscow = place(story, "moscow")
    alt = (moscow.alternatives or ())[-1]
    out = apply_edits(story, Edits(candidates={"moscow": alt["gazetteer_id"]}))
    new = place(out, "moscow")
    assert new.coordinates == (alt["lon"], alt["lat"])
    assert new.gazetteer_id == alt["gazetteer_id"]
    assert moscow.gazetteer_id in {a["gazetteer_id"] for a in new.alternatives or ()}
    assert "candidate" in (new.edited or ())
    # applying again (e.g. on a story that already holds the edit) changes nothing
    assert apply_edits(out, Edits(candidates={"moscow": alt["gazetteer_id"]})).features == out.features


def test_manual_coordinates_mark_the_place_manual(story: Story) -> None:
    out = apply_edits(story, Edits(coordinates={"vladivostok": [43.0, 132.0]}))
    v = place(out, "vladivostok")
    assert v.coordinates == (132.0, 43.0)
    assert v.gazetteer_id == "manual" and v.geocoder == "manual"
    assert line(out).coordinates[-1] == (132.0, 43.0)


def test_order_role_and_date_changes(story: Story) -> None:
    edits = Edits(order=["vladivostok", "vostochny-cosmodrome"], roles={"khabarovsk": "stop"},
                  dates={"khabarovsk": {"date": "2023-09-16", "status": "reported"}})
    out = apply_edits(story, edits)
    assert ids(out.stops) == ["vladivostok", "vostochny-cosmodrome", "komsomolsk-on-amur", "khabarovsk"]
    k = place(out, "khabarovsk")
    assert (k.role, k.stop, k.date, k.date_status) == (Role.STOP, 4, "2023-09-16", DateStatus.REPORTED)
    assert (line(out).dates or ())[-1] == "2023-09-16"
    demoted = apply_edits(story, Edits(roles={"vladivostok": "mention"}))
    assert ids(demoted.stops) == ROUTE[:2]
    assert place(demoted, "vladivostok").stop is None
    # a member an edit sets is written even where the file had none; one it clears, as null
    written = demoted.to_geojson()["features"]
    props = next(f for f in written if f["id"] == "vladivostok")["properties"]
    assert props["stop"] is None and props["status"] is None and props["edited"] == ["role"]


def test_apply_edits_is_deterministic(story: Story) -> None:
    edits = Edits(rejected=["ukraine"], accepted=["vladivostok"], roles={"khabarovsk": "stop"})
    a = dumps_story(apply_edits(story, edits))
    assert a == dumps_story(apply_edits(load_story(ROOT / "data" / "places.geojson"), edits))
    assert place(apply_edits(story, edits), "vladivostok").review == Review.ACCEPTED


def test_edits_round_trip_and_malformed_files(tmp_path: Path, story: Story) -> None:
    edits = Edits(rejected=["ukraine"], coordinates={"vladivostok": [43.1, 131.9]},
                  dates={"vladivostok": {"date": "2023-09-17", "status": "expected"}}, order=["vladivostok"])
    path = save_edits(edits, tmp_path / "places.edits.json")
    assert load_edits(path) == Edits.from_dict(edits.to_dict())
    assert load_edits(tmp_path / "missing.json").is_empty()
    assert edits_path("data/places.geojson") == Path("data/places.edits.json")
    bad = tmp_path / "bad.edits.json"
    for text in ("{not json", '{"coordinates": {"x": [95, 0]}}', '{"roles": {"x": "visit"}}', "[]",
                 '{"dates": {"x": {"date": "16 Sept"}}}'):
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(EditsError, match="bad.edits.json"):
            load_edits(bad)
    assert unapplied(story, Edits(rejected=["atlantis"], candidates={"moscow": "geonames:1"})) == [
        "'atlantis' is not in this story (edits: rejected)", "'moscow' has no alternative candidate geonames:1"]


def test_stops_move_up_and_down_the_route_by_id() -> None:
    from storymap import edits as ed

    route = ["a", "b", "c", "d", "e"]
    assert ed.shifted(route, ["c"], -1) == ["a", "c", "b", "d", "e"]
    assert ed.shifted(route, ["c"], 1) == ["a", "b", "d", "c", "e"]
    assert ed.shifted(route, ["b", "d"], -1) == ["b", "a", "d", "c", "e"]  # each one place, in their order
    assert ed.shifted(route, ["b", "c"], 1) == ["a", "d", "b", "c", "e"]  # together, as a block
    assert ed.shifted(route, ["c"], -2) == ["c", "a", "b", "d", "e"]
    # the first cannot go up nor the last down: they stay, and those behind them do not pass them
    assert ed.shifted(route, ["a"], -1) == route and ed.shifted(route, ["e"], 1) == route
    assert ed.shifted(route, ["a", "b", "d"], -1) == ["a", "b", "d", "c", "e"]
    assert ed.shifted(route, ["x"], 1) == route and ed.shifted(route, [], -1) == route  # not a stop: nothing
    # a return visit moves with the place: every visit one place along
    assert ed.shifted(["a", "b", "c", "a"], ["c"], 1) == ["a", "b", "a", "c"]
    edits = ed.shift_stops(Edits(rejected=["z"]), route, ["d"], -1)
    assert edits.order == ["a", "b", "d", "c", "e"] and edits.rejected == ["z"]
    assert ed.shift_stops(edits, edits.order, ["a"], -1) is edits  # nothing moves: the same edits, no save


def test_a_stop_moved_up_is_renumbered_on_the_route(story: Story) -> None:
    from storymap import edits as ed

    route = ids(story.route_visits())
    out = apply_edits(story, ed.shift_stops(Edits(), route, [route[-1]], -1))
    assert ids(out.route_visits()) == [route[0], route[2], route[1]]
    assert place(out, route[2]).stop == 2 and (line(out).stops or ())[1] == route[2]


def test_a_renamed_place_shows_the_authors_name_and_keeps_the_gazetteers(story: Story, tmp_path: Path) -> None:
    from storymap import edits as ed
    from storymap.export import csv_text, export_story, geojson_text, kml_text
    from storymap.render import story_data

    edits = ed.rename(Edits(), "komsomolsk-on-amur", "  Komsomolsk  na Amure ")
    assert edits.names == {"komsomolsk-on-amur": "Komsomolsk na Amure"} and edits.count() == 1
    assert ed.rename(edits, "komsomolsk-on-amur", "").names == {}  # emptied: the gazetteer's name again
    assert ed.rename(edits, "komsomolsk-on-amur", "Komsomolsk-on-Amur", own="Komsomolsk-on-Amur").names == {}
    assert ed.forget(edits, "komsomolsk-on-amur").is_empty()
    out = apply_edits(story, edits)
    k = place(out, "komsomolsk-on-amur")
    assert (k.name, k.gazetteer_name, k.edited) == ("Komsomolsk na Amure", "Komsomolsk-on-Amur", ("name",))
    assert k.stop == place(story, "komsomolsk-on-amur").stop and k.lat == place(story, "komsomolsk-on-amur").lat
    # the story file: written, checked against its schema and read back the same
    path = tmp_path / "renamed.geojson"
    path.write_text(dumps_story(out), encoding="utf-8")
    back = as_story(load_story(path))
    assert back == out and place(back, "komsomolsk-on-amur").gazetteer_name == "Komsomolsk-on-Amur"
    assert "gazetteer_name" not in dumps_story(story)  # only a renamed place has one
    # the edits file round trip, and a blank name refused
    saved = save_edits(edits, tmp_path / "renamed.edits.json")
    assert load_edits(saved) == edits and apply_edits(story, load_edits(saved)) == out
    with pytest.raises(EditsError, match="names"):
        Edits.from_dict({"names": {"vladivostok": ""}})
    # the page, the map and every download use the author's name
    data = story_data(out)
    [shown] = [p for p in data["stops"] if p["id"] == "komsomolsk-on-amur"]
    assert shown["name"] == "Komsomolsk na Amure"
    assert shown["excerpts"] and all("Komsomolsk-on-Amur" in e["marks"] for e in shown["excerpts"])
    assert '"name": "Komsomolsk na Amure"' in geojson_text(out)
    assert "Komsomolsk na Amure" in csv_text(out) and "Komsomolsk na Amure" in kml_text(out)
    gpkg = export_story(out, tmp_path / "renamed.gpkg")
    import pyogrio
    names = set(pyogrio.read_dataframe(gpkg, layer=pyogrio.list_layers(gpkg)[0][0])["name"])
    assert "Komsomolsk na Amure" in names and "Komsomolsk-on-Amur" not in names
    # carried to a story built again; noted where the place is gone
    assert ed.carry_edits(story, edits) == (edits, [])
    assert unapplied(story, Edits(names={"atlantis": "Atlantis"})) == [
        "'atlantis' is not in this story (edits: names)"]


def test_a_point_of_the_authors_own_is_renamed_without_a_second_name(story: Story) -> None:
    from storymap import edits as ed

    edits = ed.rename(ed.add_point(Edits(), "Chequers", 51.7164, -0.8039), "added-chequers", "Chequers Court")
    chequers = place(apply_edits(story, edits), "added-chequers")
    assert (chequers.name, chequers.gazetteer_name, chequers.review) == ("Chequers Court", None, Review.ADDED)


# --------------------------------------------------------------------------- helpers
def test_place_rows_filters_and_excerpts(story: Story) -> None:
    edits = Edits(rejected=["ukraine"])
    rows = sup.place_rows(story, apply_edits(story, edits), edits)
    assert [r["id"] for r in rows[:3]] == ROUTE
    assert next(r for r in rows if r["id"] == "ukraine")["role"] == "rejected"
    assert {r["role"] for r in sup.filter_rows(rows, roles=["stop"])} == {"stop"}
    first = story.articles[0].id
    only = sup.filter_rows(rows, articles=[first])
    assert only and all(first in r["articles"] for r in only)
    excerpts = sup.place_excerpts(story, "komsomolsk-on-amur")
    assert excerpts and all("<mark>Komsomolsk-on-Amur</mark>" in e["html"] for e in excerpts)
    assert sup.highlight_html("a <b> Moscow", ["Moscow"]) == "a &lt;b&gt; <mark>Moscow</mark>"


def test_timeline_lists_dated_stops_in_order(story: Story) -> None:
    rows = sup.timeline_rows(story)
    stop_rows = [r for r in rows if r["kind"] != "article"]
    assert [r["event"] for r in stop_rows] == ["Stop 1: Vostochny Cosmodrome", "Stop 2: Komsomolsk-on-Amur"]
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    assert sup.undated_stops(story) == ["3. Vladivostok (planned)"]


def test_the_timeline_chart_gives_each_event_a_row_and_a_label_that_stays_on_the_chart() -> None:
    rows = [{"date": f"2025-07-{d:02d}", "event": f"Stop {d}: Town {d}", "kind": "reported", "source": None}
            for d in range(1, 11)]
    rows.insert(3, {"date": "2025-07-03", "event": "Published: A report", "kind": "article", "source": "Outlet"})
    spec = sup.timeline_chart(rows)
    values = spec["data"]["values"]
    assert [v["order"] for v in values] == list(range(len(rows)))  # a row each, in date order
    assert spec["encoding"]["y"] == {"field": "order", "type": "ordinal", "axis": None}
    assert spec["encoding"]["x"]["field"] == "date" and spec["encoding"]["x"]["type"] == "temporal"
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert {t["mark"]["align"] for t in texts} == {"left", "right"}
    assert all(t["encoding"]["text"] == {"field": "event"} and t["mark"]["fontSize"] >= 11 for t in texts)
    # early dots are labelled after them, late ones before them
    sides = {v["date"]: v["side"] for v in values}
    assert sides["2025-07-01"] == "after" and sides["2025-07-10"] == "before"
    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == ["reported", "article"]
    json.dumps(spec)  # plain JSON for st.vega_lite_chart
    one = sup.timeline_chart(rows[:1])["data"]["values"]
    assert one[0]["side"] == "after"


def test_upload_checks() -> None:
    ok = sup.Upload("a.txt", b"text")
    accepted, refused = sup.check_uploads([ok, sup.Upload("b.pdf", b"%PDF"),
                                           sup.Upload("c.md", b"x" * (sup.MAX_FILE_BYTES + 1)),
                                           sup.Upload("d.html", b"  ")])
    assert accepted == [ok]
    assert [m.split(":")[0] for m in refused] == ["b.pdf", "c.md", "d.html"]
    many, refused = sup.check_uploads([sup.Upload(f"{i}.txt", b"x") for i in range(sup.MAX_FILES + 2)])
    assert len(many) == sup.MAX_FILES and len(refused) == 2
    assert sup.safe_name("../../etc/pass wd.TXT") == "pass_wd.txt"
    with pytest.raises(sup.StoryError, match="too long"):
        sup.pasted_upload("x" * (sup.MAX_PASTE_CHARS + 1))


def test_stale_story_is_rebuilt_once(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("x", encoding="utf-8")
    calls = []
    built = {"type": "FeatureCollection", "storymap": {"articles": []}, "features": []}

    def build(paths: list[Path]) -> Story:
        calls.append(paths)
        return Story.from_geojson(built)

    target = tmp_path / "data" / "places.geojson"
    assert sup.ensure_story(target, seeds, build=build).to_geojson() == built
    assert target.exists() and len(calls) == 1
    assert not sup.story_is_stale(target, seeds)
    sup.ensure_story(target, seeds, build=build)
    assert len(calls) == 1


def test_map_page_adds_the_url_bridge_and_parse_step() -> None:
    page = sup.map_page("<html><body><p>map</p></body></html>")
    assert page.index("storymap:step") < page.index("</body>")
    assert [sup.parse_step(v, 3) for v in (None, "", "2", "9", "-1", "x")] == [None, None, 2, 3, 0, None]


# --------------------------------------------------------------------------- the app under AppTest
@pytest.fixture
def app():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Capture what download buttons hold: files kept in memory (by URL) and the callables of
    buttons whose file is made on click (by deferred file id)."""
    import streamlit.testing.v1.app_test as app_test
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    files: dict[str, object] = {}

    class Recording(MemoryMediaFileStorage):
        def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):  # noqa: ANN001, ANN201
            file_id = super().load_and_get_id(path_or_data, mimetype, kind, filename)
            files[self.get_url(file_id)] = self.get_file(file_id).content
            return file_id

    add_deferred = MediaFileManager.add_deferred

    def recording_add_deferred(self, data_callable, *args, **kwargs):  # noqa: ANN001, ANN202
        file_id = add_deferred(self, data_callable, *args, **kwargs)
        files[file_id] = data_callable
        return file_id

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Recording)
    monkeypatch.setattr(MediaFileManager, "add_deferred", recording_add_deferred)
    return files



def _outer_html(at) -> str:  # noqa: ANN001
    frames = at.get("iframe")
    assert len(frames) == 1
    proto = frames[0].proto
    return proto.srcdoc or proto.src


def _iframe_html(at) -> str:  # noqa: ANN001
    """The map page itself, inside the app's sandboxing wrapper."""
    return sup.inner_map_html(_outer_html(at))


def _map_data(at) -> dict:  # noqa: ANN001
    html = _iframe_html(at)
    start = html.index('id="storymap-data">') + len('id="storymap-data">')
    return json.loads(html[start:html.index("</script>", start)])


@pytest.mark.slow
def test_app_shows_the_seeds_story(app) -> None:  # noqa: ANN001
    assert app.title[0].value == "Kim Jong Un in Russia"
    assert "Kim Jong Un" in app.markdown[0].value
    html = _iframe_html(app)
    for name in ("Vostochny Cosmodrome", "Komsomolsk-on-Amur", "Vladivostok"):
        assert name in html
    assert "storymap:step" in html
    assert [s["id"] for s in _map_data(app)["stops"]] == ROUTE
    assert not app.error


def test_step_query_param_opens_that_step(app) -> None:  # noqa: ANN001
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=180)
    at.query_params["step"] = "2"
    at.run()
    assert '"initialStep":2' in _iframe_html(at)
    assert '"initialStep":null' in _iframe_html(app)


def test_filters_change_the_table(app) -> None:  # noqa: ANN001
    table = app.dataframe[0].value
    assert set(table["role"]) == {"stop", "mention"}
    app.multiselect(key="f_roles").set_value(["stop"]).run()
    assert list(app.dataframe[0].value["name"]) == ["Vostochny Cosmodrome", "Komsomolsk-on-Amur", "Vladivostok"]
    app.selectbox(key="pick_place").set_value("komsomolsk-on-amur").run()
    assert any("<mark>Komsomolsk-on-Amur</mark>" in m.value for m in app.markdown)


@pytest.mark.slow
def test_reject_and_role_edits_change_the_map_and_downloads(app, media) -> None:  # noqa: ANN001
    goto(app, "review")
    app.selectbox(key="edit_place").set_value("komsomolsk-on-amur").run()
    app.button(key="btn_reject_komsomolsk-on-amur").click().run()
    assert not app.exception
    assert app.session_state["app"].edits.rejected == ["komsomolsk-on-amur"]
    assert [s["id"] for s in _map_data(app)["stops"]] == ["vostochny-cosmodrome", "vladivostok"]
    edit_table(app, {"khabarovsk": {"role": "stop"}}).run()
    app.button(key="btn_table_save").click().run()
    assert not app.exception
    geojson = _download(app, media, "dl_geojson")
    story = as_story(json.loads(geojson))
    assert ids(story.stops) == ["vostochny-cosmodrome", "vladivostok", "khabarovsk"]
    assert "komsomolsk-on-amur" not in ids(story.places)


def _download(at, media: dict[str, object], key: str) -> bytes:  # noqa: ANN001
    button = next(b for b in at.download_button if b.key == key)
    if button.proto.HasField("deferred_file_id"):  # made on click
        data = media[button.proto.deferred_file_id]()
        return data.encode("utf-8") if isinstance(data, str) else data
    return media[button.proto.url]


def test_downloads_hold_valid_files(app, media, tmp_path: Path) -> None:  # noqa: ANN001
    app.run()
    names = {b.key for b in app.download_button}
    assert {"dl_geojson", "dl_html", "dl_gpkg", "dl_csv", "dl_kml"} <= names
    story = as_story(json.loads(_download(app, media, "dl_geojson")))
    assert ids(story.stops) == ROUTE
    assert b"Komsomolsk-on-Amur" in _download(app, media, "dl_html")
    gpkg = tmp_path / "story.gpkg"
    gpkg.write_bytes(_download(app, media, "dl_gpkg"))
    import pyogrio

    assert any(layer[0] for layer in pyogrio.list_layers(gpkg))
    with sqlite3.connect(gpkg) as con:
        assert con.execute("SELECT count(*) FROM gpkg_contents").fetchone()[0] >= 1
    assert b"Vladivostok" in _download(app, media, "dl_csv")
    ET.fromstring(_download(app, media, "dl_kml"))
    # files are made when clicked: no run exports the story or keeps it in the session's media
    assert all(b.proto.deferred_file_id and not b.proto.url for b in app.download_button if b.key != "dl_edits")


@pytest.mark.slow
def test_upload_builds_a_new_story(app) -> None:  # noqa: ANN001
    goto(app, "new_story")
    app.file_uploader(key="upload_files").set_value(("khabarovsk.txt", ARTICLE, "text/plain"))
    app.button(key="btn_build").click().run()
    assert not app.exception
    assert not app.error, [e.value for e in app.error]
    assert app.session_state["app"].origin == "session"
    story = app.session_state["app"].base
    assert len(story.articles) == 1
    assert "Khabarovsk" in {f.name for f in story.places}
    assert "Khabarovsk" in _iframe_html(app)


@pytest.mark.slow
def test_add_articles_to_the_current_story(app) -> None:  # noqa: ANN001
    goto(app, "new_story")
    app.text_area(key="paste_text").set_value(ARTICLE.decode())
    app.button(key="btn_add").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert len(app.session_state["app"].base.articles) == 3


def test_bad_uploads_give_a_message_not_a_traceback(app) -> None:  # noqa: ANN001
    goto(app, "new_story")
    app.file_uploader(key="upload_files").set_value(("notes.txt", b"Nothing to see here at all.\n", "text/plain"))
    app.button(key="btn_build").click().run()
    assert not app.exception
    assert app.error and "Could not build a story" in app.error[0].value
    assert app.session_state["app"].origin == "seeds"
    app.file_uploader(key="upload_files").set_value(None)
    app.button(key="btn_build").click().run()
    assert not app.exception and "No article to read" in app.error[0].value


@pytest.mark.slow
def test_candidate_switch_and_stop_order_through_the_app(app, tmp_path: Path) -> None:  # noqa: ANN001
    goto(app, "review")
    app.selectbox(key="edit_place").set_value("moscow").run()
    alt = app.selectbox(key="edit_candidate_moscow").options[-1]
    app.selectbox(key="edit_candidate_moscow").set_value(
        next(a["gazetteer_id"] for a in place(app.session_state["app"].base, "moscow").alternatives or ()
             if alt.startswith(a["name"])))
    next(b for b in app.button if b.label == "Apply location").click().run()
    assert not app.exception
    assert "moscow" in app.session_state["app"].edits.candidates
    edit_table(app, {"vladivostok": {"order": 1}}).run()
    app.button(key="btn_table_save").click().run()
    assert not app.exception
    assert [s["id"] for s in _map_data(app)["stops"]][0] == "vladivostok"
    assert app.session_state["app"].edits.order[0] == "vladivostok"


def test_staleness_follows_the_seed_contents_not_file_times(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("Headline\n\nThe envoy arrived in Paris on Monday.", encoding="utf-8")
    target = tmp_path / "data" / "places.geojson"
    from storymap.story import build_story
    from storymap.storyfile import write_story

    write_story(build_story([seeds], base=tmp_path).story, target)
    os.utime(target, (1, 1))  # a fresh checkout can give the story an older time than the seeds
    assert not sup.story_is_stale(target, seeds)
    (seeds / "a.txt").write_text("Headline\n\nThe envoy arrived in Rome on Monday.", encoding="utf-8")
    assert sup.story_is_stale(target, seeds)
    (seeds / "a.txt").write_text("Headline\n\nThe envoy arrived in Paris on Monday.", encoding="utf-8")
    (seeds / "b.txt").write_text("Headline\n\nThe envoy left Paris.", encoding="utf-8")
    assert sup.story_is_stale(target, seeds)


def test_untrusted_text_is_literal_in_markdown() -> None:
    hostile = "<script>alert(1)</script> [click](javascript:alert(2)) **bold** `code`"
    out = sup.md_text(hostile)
    assert "<script>" not in out
    assert "[click]" not in out and "**bold**" not in out and " `code`" not in out
    marked = sup.highlight_html("Kim went to [Paris](javascript:x) <b>", {"Paris"})
    assert "<mark>Paris</mark>" in marked and "<b>" not in marked
    assert "\\](javascript" in marked  # the bracket is escaped: no link can form


# --------------------------------------------------------------------------- issue 13: the app
HOSTILE_WEB = ("Minister Ana Sousa arrived in Vladivostok on Monday, September 11, 2023, said the ministry "
               "(www.example-ministry.org, press@example-ministry.org, https://example-ministry.org/press). "
               "She later travelled to Khabarovsk.\n")


def _fresh_app():  # noqa: ANN202
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    return at


def test_no_autolinks_from_article_text() -> None:
    out = sup.md_text("see www.example.org, https://example.org/a, http://x.y and kim@kcna.kp")
    for trigger in ("www.", "https:", "http:", "kim@"):
        assert trigger not in out
    assert out.replace(sup.WORD_JOINER, "") == "see www.example.org, https://example.org/a, http://x.y and kim@kcna.kp"
    marked = sup.highlight_html("Reach us at press@moscow.ru or www.moscow.ru", {"Moscow"})
    assert "<mark>moscow</mark>" in marked and "press@" not in marked and "www." not in marked


def test_names_are_highlighted_as_whole_words_only() -> None:
    marked = sup.highlight_html("Her husband said the trip to the US was brief; the Busan leg, US-bound, was dropped.",
                                {"US"})
    assert marked.count("<mark>") == 2 and "<mark>US</mark> was" in marked and "<mark>US</mark>-bound" in marked
    assert "husband" in marked and "Busan" in marked
    assert sup.highlight_html("Kyiv's mayor and Kyivans", {"Kyiv"}).count("<mark>") == 1


@pytest.mark.slow
def test_first_click_builds_even_when_the_upload_arrives_with_it(app) -> None:  # noqa: ANN001
    """The inputs and the button are one form: one click, one message, one build."""
    assert app.session_state["app"].origin == "seeds"
    goto(app, "new_story")
    app.file_uploader(key="upload_files").set_value(("khabarovsk.txt", ARTICLE, "text/plain"))
    app.button(key="btn_build").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert app.session_state["app"].origin == "session"
    assert "Khabarovsk" in _iframe_html(app)
    assert app.session_state["app"].pending_build is None


@pytest.mark.slow
def test_a_build_interrupted_by_a_rerun_happens_on_the_next_run(app, monkeypatch) -> None:  # noqa: ANN001
    """A newer rerun (another widget, an upload finishing) stopping the build run must not lose the click."""
    import storymap.story
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData

    from streamlit.runtime.scriptrunner import get_script_run_ctx

    build, calls = storymap.story.build_story, []

    def interrupted_once(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        if len(calls) == 1:  # a browser's rerun names the page it shows
            ctx = get_script_run_ctx()
            raise RerunException(RerunData(page_script_hash=ctx.page_script_hash if ctx else ""))
        return build(*args, **kwargs)

    monkeypatch.setattr(storymap.story, "build_story", interrupted_once)
    goto(app, "new_story")
    app.text_area(key="paste_text").set_value(ARTICLE.decode())
    app.button(key="btn_build").click().run()
    assert len(calls) == 2
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert app.session_state["app"].origin == "session"
    assert "Khabarovsk" in {f.name for f in app.session_state["app"].base.places}


@pytest.mark.slow
def test_refused_upload_warnings_stay_after_the_build_until_the_next(app) -> None:  # noqa: ANN001
    goto(app, "new_story")
    app.file_uploader(key="upload_files").set_value([("khabarovsk.txt", ARTICLE, "text/plain"),
                                                     ("empty.txt", b"   ", "text/plain")])
    app.button(key="btn_build").click().run()
    assert not app.exception
    assert app.session_state["app"].origin == "session"
    assert any("empty.txt: the file is empty" in w.value for w in app.warning)
    app.multiselect(key="f_roles").set_value(["stop"]).run()  # any other rerun
    assert any("empty.txt: the file is empty" in w.value for w in app.warning)
    goto(app, "new_story")
    app.file_uploader(key="upload_files").set_value(("khabarovsk.txt", ARTICLE, "text/plain"))
    app.button(key="btn_build").click().run()
    assert not any("empty.txt" in w.value for w in app.warning)


@pytest.mark.slow
def test_edits_stay_in_the_session_and_never_touch_the_shared_files(app, media) -> None:  # noqa: ANN001
    shared = [ROOT / "data" / "places.edits.json", ROOT / "data" / "places.geojson"]
    before = {p: (p.exists(), p.stat().st_mtime_ns if p.exists() else None) for p in shared}
    goto(app, "review")
    assert not [b for b in app.button if b.key == "btn_save_edits"]
    app.selectbox(key="edit_place").set_value("komsomolsk-on-amur").run()
    app.button(key="btn_reject_komsomolsk-on-amur").click().run()
    assert not app.exception
    assert {p: (p.exists(), p.stat().st_mtime_ns if p.exists() else None) for p in shared} == before
    edited = as_story(json.loads(_download(app, media, "dl_story_edited")))
    assert "komsomolsk-on-amur" not in ids(edited.places)
    assert json.loads(_download(app, media, "dl_edits"))["rejected"] == ["komsomolsk-on-amur"]
    other = _fresh_app()  # another reader
    assert other.session_state["app"].edits.is_empty()
    assert [s["id"] for s in _map_data(other)["stops"]] == ROUTE


@pytest.mark.slow
def test_session_keeps_no_large_text(app) -> None:  # noqa: ANN001
    goto(app, "new_story")
    app.text_area(key="paste_text").set_value(ARTICLE.decode())
    app.button(key="btn_build").click().run()
    assert app.session_state["app"].origin == "session"
    for key in ("map_key", "build_messages", "notices", "pending_build", "map_step"):
        assert len(repr(getattr(app.session_state["app"], key))) < 2_000, key


@pytest.mark.slow
def test_map_runs_sandboxed_without_same_origin(app) -> None:  # noqa: ANN001
    outer = _outer_html(app)
    assert outer.count("<iframe") == 1 and 'sandbox="allow-scripts"' in outer
    assert "allow-same-origin" not in outer
    assert "Vostochny Cosmodrome" not in outer.split("srcdoc=")[0]
    inner = _iframe_html(app)
    assert "postMessage" in inner and "top.location" not in inner and "window.parent.history" not in inner
    assert "storymap:step" in inner


def test_map_page_escapes_the_story_out_of_the_wrapper() -> None:
    hostile = '<html><body>"></iframe><script>window.__pwned=1</script> &amp; &quot;x</body></html>'
    page = sup.map_page(hostile)
    assert page.count("<script>") == 1 and page.count("</iframe>") == 1
    start = page.index('srcdoc="') + len('srcdoc="')
    attr = page[start:page.index('"', start)]
    assert "<" not in attr and ">" not in attr and attr.endswith("&lt;/html&gt;")
    assert "&lt;script&gt;window.__pwned" in page
    assert sup.inner_map_html(page).startswith(hostile[: hostile.index("</body>")])


@pytest.mark.slow
def test_web_addresses_in_articles_are_not_links(app) -> None:  # noqa: ANN001
    goto(app, "new_story")
    app.text_area(key="paste_text").set_value(HOSTILE_WEB)
    app.text_input(key="paste_title").set_value("Visit to www.example-ministry.org")
    app.button(key="btn_build").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert "www." not in app.title[0].value
    app.selectbox(key="pick_place").set_value("vladivostok").run()
    excerpts = [m.value for m in app.markdown if "<mark>" in m.value]
    assert excerpts and all(t not in e for e in excerpts for t in ("www.", "https:", "press@"))


@pytest.mark.slow
def test_template_syntax_in_an_article_stays_literal_in_the_map(app) -> None:  # noqa: ANN001
    goto(app, "new_story")
    text = ("Minister Ana Sousa arrived in Vladivostok on Monday, September 11, 2023, under a banner that "
            "read {{ 7*7 }} and {% raw %}x{% endraw %}. She later travelled to Khabarovsk.\n")
    app.text_area(key="paste_text").set_value(text)
    app.text_input(key="paste_title").set_value("Envoy in {{ 6*6 }}")
    app.button(key="btn_build").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    html = _iframe_html(app)  # the map page given to the iframe
    assert "read {{ 7*7 }} and {% raw %}x{% endraw %}" in html and "Envoy in {{ 6*6 }}" in html
    assert "read 49" not in html and "read x" not in html and "Envoy in 36" not in html
    rows = app.dataframe[0].value
    assert any("{{ 6*6 }}" in str(v) for v in rows["sources"])


def test_an_added_place_joins_the_route_and_round_trips(story: Story) -> None:
    edits = Edits.from_dict({"added": {"added-porto": {"name": "Porto", "lat": 41.15, "lon": -8.61, "role": "stop",
                                                       "gazetteer_id": "geonames:2735943"}},
                             "dates": {"added-porto": {"date": "2023-09-20", "status": "reported"}}})
    out = apply_edits(story, edits)
    added = place(out, "added-porto")
    assert added.review == Review.ADDED and added.date == "2023-09-20"
    assert ids(out.stops)[-1] == "added-porto" and (line(out).stops or ())[-1] == "added-porto"
    assert as_story(json.loads(dumps_story(out))) == out  # written and read back, the same records
    assert Edits.from_dict(json.loads(json.dumps(edits.to_dict()))) == edits
    assert unapplied(story, edits) == []
    with pytest.raises(EditsError, match="added place 'x'"):
        Edits.from_dict({"added": {"x": {"name": "Nowhere", "lat": 99, "lon": 0}}})


def test_review_map_shows_the_place_its_readings_and_towns_on_clockwise_land() -> None:
    from shapely.geometry import shape

    from storymap.gazetteer import GazetteerRecord

    row = {"name": "Springfield", "lat": 39.8, "lon": -89.65}
    alternatives = [{"name": "Springfield", "gazetteer_id": "geonames:1", "lat": 42.1, "lon": -72.59,
                     "place_type": "city", "country_code": "US"}]
    town = GazetteerRecord("geonames:2", "Chatham", "town", 39.67, -89.7, "US", 12000, 2, "test", "")
    points = sup.review_map_points(row, alternatives, [town])
    assert [p["kind"] for p in points] == ["placed here", "other reading", "town nearby"]
    spec = sup.review_map_spec(points)
    assert spec["params"][0]["select"]["fields"] == ["gazetteer_id"]
    # a click anywhere picks the nearest of a fine grid of invisible points over the whole map
    [spot] = [p for p in spec["params"] if p["name"] == "spot"]
    assert spot["select"]["fields"] == ["lat", "lon"] and spot["select"]["nearest"] and spot["views"] == ["grid"]
    [grid] = [layer for layer in spec["layer"] if layer.get("name") == "grid"]
    cells = grid["data"]["values"]
    assert len(cells) == sup.SPOT_GRID[0] * sup.SPOT_GRID[1] and grid["encoding"]["opacity"]["value"] == 0
    assert min(c["lat"] for c in cells) < 39.8 < max(c["lat"] for c in cells)
    assert min(c["lon"] for c in cells) < -89.65 < max(c["lon"] for c in cells)
    names = [layer.get("name") for layer in spec["layer"]]
    assert names.index("grid") < names.index("points")  # a town's point is clicked above the grid
    land = [f for layer in spec["layer"] for f in layer["data"]["values"]
            if isinstance(f, dict) and f.get("type") == "Feature" and f["properties"].get("kind") == "land"]
    assert land, "the map has land"
    for feature in land:
        geom = shape(feature["geometry"])
        for polygon in getattr(geom, "geoms", [geom]):
            assert not polygon.exterior.is_ccw  # d3-geo reads counter-clockwise rings as the rest of the globe


def test_the_map_for_adding_a_place_frames_the_storys_area_not_every_mention(story: Story) -> None:
    from storymap.basemap import story_extent
    from storymap.gazetteer import GazetteerRecord

    area = story_extent(story.to_geojson(), margin=0.2, minimum=0.5)  # the seeds' stops: the Russian Far East
    town = GazetteerRecord("geonames:2", "Amursk", "town", 50.23, 136.9, "RU", 40000, 2, "test", "")
    points = sup.story_map_points(story, [town], area)
    names = {p["name"] for p in points}
    assert {"Vostochny Cosmodrome", "Komsomolsk-on-Amur", "Vladivostok", "Amursk"} <= names
    assert not names & {"United States", "White House", "Moscow", "Ukraine"}  # mentioned, far away
    lons = [p["lon"] for p in points]
    assert max(lons) - min(lons) < 30  # a region's map, on which its towns lie apart


def test_a_place_listed_twice_in_the_order_is_a_round_trip(story: Story) -> None:
    out = apply_edits(story, Edits(order=[*ROUTE, ROUTE[0]]))
    first = place(out, ROUTE[0])
    assert (first.stop, first.visits) == (1, (1, 4))
    assert "visits" in place(out, ROUTE[1]).absent
    route = line(out)
    assert route.stops == (*ROUTE, ROUTE[0])
    assert route.coordinates[0] == route.coordinates[-1]
    assert (route.dates or ())[-1] is None  # the return has no date of its own
    assert ids(out.route_visits()) == [*ROUTE, ROUTE[0]]
    # the flat exports say every visit; dropping the repeat drops the visit
    assert flat_properties(first)["visits"] == "1;4"
    back = apply_edits(out, Edits(order=list(ROUTE)))
    assert "visits" not in next(f for f in back.to_geojson()["features"] if f["id"] == ROUTE[0])["properties"]
    # ordering by date keeps the return where it is
    assert sup.order_by_date(out)[-1] == ROUTE[0]
