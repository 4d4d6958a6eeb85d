"""The app's pages (AppTest): the first open explains the tool on the example story, every
page is reached through the navigation, the author's Markdown is rendered in the header,
tables show no "None", and the library, the downloads and the embed snippet follow the
author's headline and the route as corrected."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from apptest_helpers import goto, run_app
from storymap import edits as ed
from storymap.edits import Edits
from storymap.library import Library

ROOT = Path(__file__).resolve().parent.parent
PAGES = {"read": "Kim Jong Un in Russia", "review": "Kim Jong Un in Russia", "author": "Kim Jong Un in Russia",
         "library": "Library", "new_story": "New story"}




@pytest.fixture
def files(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The file name of every download button whose file is made on click, by its deferred file id."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    names: dict[str, str] = {}
    add_deferred = MediaFileManager.add_deferred

    def recording(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):  # noqa: ANN001, ANN202
        file_id = add_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)
        names[file_id] = file_name
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", recording)
    return names


def test_the_first_open_explains_the_tool_on_the_example_story():
    at = run_app()
    [hello] = [i.value for i in at.info if "story map" in i.value]
    assert "turns news articles into a story map" in hello and "New story" in hello
    assert any("The example story" in c.value for c in at.caption)
    texts = [e.value for kind in ("caption", "markdown", "info", "warning", "button", "title")
             for e in getattr(at, kind) if isinstance(getattr(e, "value", None), str)]
    texts += [b.label for b in at.button]
    assert not any("seeds" in t for t in texts), [t for t in texts if "seeds" in t]
    at.button(key="btn_intro_done").click().run()
    assert not any("turns news articles" in i.value for i in at.info)
    goto(at, "review")
    assert not any("turns news articles" in i.value for i in at.info)  # put away for the session


def test_the_explanation_is_put_away_once_the_reader_builds_a_story_of_their_own():
    at = goto(run_app(), "new_story")
    at.text_area(key="paste_text").set_value(PASTED)
    at.text_input(key="new_published").set_value("2025-03-12")
    at.button(key="btn_build").click().run()
    assert not at.exception and at.session_state["app"].origin != "seeds"
    goto(at, "read")
    assert not any("turns news articles" in i.value for i in at.info)


def test_every_page_is_reached_through_the_navigation():
    at = run_app()
    for page, title in PAGES.items():
        goto(at, page)
        assert at.title[0].value == title, page
        assert not at.error, [e.value for e in at.error]
    # the library lists, the review page reviews, the new story page takes articles
    assert at.button(key="btn_build") and at.text_area(key="paste_text")
    assert goto(at, "review").selectbox(key="edit_place").options
    assert goto(at, "author").text_input(key="author_headline")


def test_the_authors_markdown_is_rendered_in_the_header():
    at = goto(run_app(), "author")
    at.text_input(key="author_dek").set_value("A **week** in the <b>east</b>")
    at.text_area(key="author_intro").set_value("The *first* visit since 2019.\n\n- a list item")
    at.button(key="FormSubmitter:form_author-Save the text").click().run()
    assert not at.exception
    for page in ("author", "read"):
        goto(at, page)
        bodies = [m.value for m in at.markdown]
        assert "*A **week** in the &lt;b>east&lt;/b>*" in bodies  # emphasis rendered, HTML as text
        assert "The *first* visit since 2019.\n\n- a list item" in bodies
        assert not any("\\*" in b for b in bodies if "week" in b or "visit" in b)


def _cells(table: Any) -> list[Any]:
    return [v for column in table.columns for v in table[column]]


def test_table_cells_are_empty_where_nothing_is_known_never_none():
    at = goto(run_app(), "review")
    editor = at.dataframe[0]  # the review table: a missing date, stop or status shows as an empty cell
    assert editor.proto.editing_mode and editor.proto.HasField("placeholder") and editor.proto.placeholder == ""
    at.selectbox(key="edit_place").set_value("khabarovsk").run()
    at.button(key="btn_reject_khabarovsk").click().run()
    goto(at, "read")
    at.multiselect(key="f_roles").set_value(["stop", "mention", "rejected"]).run()
    tables = {"places" if "review" in d.value.columns else "timeline": d.value for d in at.dataframe}
    places = tables["places"]
    assert "" in set(places["stop"]) and "" in set(places["date"])  # mentions and the rejected: no stop, no date
    for key, table in tables.items():
        for value in _cells(table):
            assert value is not None and value != "None" and not (isinstance(value, float) and math.isnan(value)), key
    goto(at, "library")
    for value in _cells(next(d.value for d in at.dataframe if "story" in d.value.columns)):
        assert value is not None and value != "None"


def test_the_library_downloads_and_embed_follow_the_headline_and_the_route(files):
    at = goto(run_app(), "review")
    at.selectbox(key="edit_place").set_value("komsomolsk-on-amur").run()
    at.button(key="btn_reject_komsomolsk-on-amur").click().run()  # the reader's own copy, 2 stops
    story_id = at.session_state["app"].story_id
    goto(at, "author")
    at.text_input(key="author_headline").set_value("Kim's week in the Far East")
    at.button(key="FormSubmitter:form_author-Save the text").click().run()
    assert not at.exception
    [row] = [r for r in Library().list() if r.id == story_id]
    assert (row.title, row.stops) == ("Kim's week in the Far East", 2)
    goto(at, "library")
    [label] = [o for o in at.selectbox(key="library_pick").options if story_id[:6] in o]
    assert label.startswith("Kim's week in the Far East · 2 stops ·")
    table = next(d.value for d in at.dataframe if "story" in d.value.columns)
    assert ("Kim's week in the Far East", 2) in set(zip(table["story"], table["stops"]))
    goto(at, "read")
    named = {files[b.proto.deferred_file_id] for b in at.download_button if b.proto.deferred_file_id}
    assert {"kims-week-in-the-far-east.html", "kims-week-in-the-far-east.geojson",
            "kims-week-in-the-far-east.gpkg"} <= named
    snippet = next(c.value for c in at.code if "<iframe" in c.value)
    assert 'src="kims-week-in-the-far-east.html"' in snippet and "Kim&#x27;s week in the Far East" in snippet \
        or "Kim's week in the Far East" in snippet


def test_the_reviewers_actions_name_the_place_they_act_on():
    route = ["a", "b", "c"]
    edits = ed.reject(ed.accept(Edits(), "b"), "c")
    assert (edits.accepted, edits.rejected) == (["b"], ["c"])
    assert ed.accept(edits, "c").rejected == [] and ed.forget(edits, "b").accepted == []
    assert ed.move_stop(Edits(), route, "c", 1).order == ["c", "a", "b"]
    again = ed.visit_again(Edits(), route, "a", 3)
    assert again.order == ["a", "b", "c", "a"]
    assert ed.drop_return_visit(again, again.order, "a").order == route
    assert ed.drop_return_visit(Edits(), route, "a") == Edits()  # visited once: nothing to drop
    moved = ed.place_at(ed.use_candidate(Edits(), "b", "geonames:1"), "b", 1.5, 2.5)
    assert (moved.candidates, moved.coordinates) == ({}, {"b": [1.5, 2.5]})
    dated = ed.set_role(Edits(), "b", "stop", date="2023-09-13", status="reported")
    assert dated.dates == {"b": {"date": "2023-09-13", "status": "reported"}} and dated.roles == {"b": "stop"}
    assert ed.set_role(Edits(), "b", "mention").dates == {}
    with pytest.raises(ed.EditsError):
        ed.set_article(Edits(), "x", source=None, published=None, url="javascript:alert(1)")
    assert json.loads(ed.dumps_edits(edits))["rejected"] == ["c"]


def test_a_new_subject_rebuilds_the_route_and_keeps_the_corrections_that_apply(files):
    from storymap.library import article_text
    from storymap.storyfile import read_story

    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    edits = ed.reject(ed.reject(Edits(), "komsomolsk-on-amur-aircraft-plant"), "atlantis")
    saved = Library().add(read_story(ROOT / "data" / "places.geojson"),
                          articles=[article_text(p.name, p.read_bytes()) for p in seeds], edits=edits.to_dict())
    at = goto(run_app(saved.id), "review")
    line = next(m.value for m in at.markdown if m.value.startswith("**The route follows**"))
    assert line == ("**The route follows** Kim Jong Un (named 22 times) · **other travellers the texts name:** "
                    "Vladimir Putin (13 times)")
    at.selectbox(key="subject_pick").set_value("Vladimir Putin")
    at.button(key="btn_subject").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Vladimir Putin: Vostochny Cosmodrome to North Korea"
    notes = [w.value for w in at.warning]
    assert "The route now follows Vladimir Putin." in notes
    assert any(n.startswith("These corrections no longer apply and were not kept: 'atlantis' is not in this story")
               for n in notes), notes
    s = at.session_state["app"]
    assert s.story_id == saved.id and s.edits.rejected == ["komsomolsk-on-amur-aircraft-plant"]
    kept = Library().get(saved.id)
    assert kept.records.meta.subject == "Vladimir Putin"
    assert kept.edits["rejected"] == ["komsomolsk-on-amur-aircraft-plant"]
    line = next(m.value for m in at.markdown if m.value.startswith("**The route follows**"))
    assert line == ("**The route follows** Vladimir Putin (named 13 times) · **other travellers the texts name:** "
                    "Kim Jong Un (22 times)")
    goto(at, "read")
    named = {files[b.proto.deferred_file_id] for b in at.download_button if b.proto.deferred_file_id}
    assert "vladimir-putin-vostochny-cosmodrome-to-north-korea.geojson" in named


PASTED = """Ana Lopes arrives in Porto

Portuguese president Ana Lopes arrived in Porto on Monday for a two-day visit, her office said.

Lopes met the city's mayor and visited the harbour. She flew back to Lisbon on Tuesday evening.
"""


def test_pasted_text_takes_a_date_an_outlet_and_an_address_before_the_build():
    at = goto(run_app(), "new_story")
    at.text_area(key="paste_text").set_value(PASTED)
    at.text_input(key="new_published").set_value("12/03/2025")  # malformed: a message, nothing built
    at.button(key="btn_build").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["The article's details: published: '12/03/2025' is not a date "
                                           "(use YYYY-MM-DD). Nothing was built."]
    assert at.session_state["app"].origin == "seeds"
    at.text_input(key="new_published").set_value("2025-03-12")  # a Wednesday
    at.text_input(key="new_url").set_value("javascript:alert(1)")
    at.button(key="btn_build").click().run()
    assert not at.exception and "url must be an http(s) address" in at.error[0].value
    at.text_input(key="new_url").set_value("https://example.org/news/lopes-porto")
    at.text_input(key="new_source").set_value("Example News")
    at.button(key="btn_build").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    story = at.session_state["app"].base
    [article] = story.articles
    assert (article.published, article.source, article.url) == ("2025-03-12", "Example News",
                                                                "https://example.org/news/lopes-porto")
    porto = next(p for p in story.stops if p.name == "Porto")
    assert porto.date == "2025-03-10"  # "on Monday" in an article of Wednesday 12 March
    credits = [m.value for m in at.markdown if "example.org" in m.value]
    assert credits and credits[0].startswith("- [Ana Lopes arrives in Porto](<https://example.org/news/lopes-porto>)")


def test_the_details_are_filled_in_from_what_the_text_says():
    at = goto(run_app(), "new_story")
    at.text_area(key="paste_text").set_value("By Jo Ng, Reuters\nPublished 2025-03-12\n\n" + PASTED)
    at.button(key="btn_read_details").click().run()
    assert not at.exception
    assert at.text_input(key="new_published").value == "2025-03-12"


def test_an_uploads_details_are_written_beside_it_and_read_over_the_text(tmp_path):
    from storymap import app_support as sup
    from storymap.articles import read_article

    details = ed.check_article({"published": "2025-03-12", "source": " Example News ", "url": ""})
    assert details == {"published": "2025-03-12", "source": "Example News", "url": None}
    upload = sup.Upload("porto.txt", PASTED.encode(), {k: v for k, v in details.items() if v})
    [path] = sup.write_uploads([upload], tmp_path)
    article, _ = read_article(path)
    assert (article.published.isoformat(), article.source) == ("2025-03-12", "Example News")
    assert sup.read_details(upload) == {"published": "2025-03-12", "source": "Example News"}
    with pytest.raises(ed.EditsError, match="not a date"):
        ed.check_article({"published": "Monday"})


# --------------------------------------------------------------------------- fast review, any place
def test_apply_table_and_add_point_name_their_places_by_id():
    route = ["a", "b", "c", "d", "e"]
    edits = ed.apply_table(Edits(), route, {"b": {"review": "rejected"}, "c": {"review": "accepted"},
                                            "e": {"order": 2}, "d": {"role": "mention", "date": None,
                                                                     "status": None, "had_date": True}})
    assert (edits.rejected, edits.accepted, edits.roles) == (["b"], ["c"], {"d": "mention"})
    assert edits.order == ["a", "e", "b", "c", "d"]
    assert ed.review_all(edits, ["b", "c"], "to review").rejected == []
    chequers = ed.add_point(Edits(), "Chequers", 51.7164, -0.8039)
    again = ed.add_point(chequers, "Chequers", 51.72, -0.80, "mention")
    assert set(again.added) == {"added-chequers", "added-chequers-2"}
    assert chequers.added["added-chequers"] == {"name": "Chequers", "lat": 51.7164, "lon": -0.8039, "role": "stop",
                                                "gazetteer_id": "manual"}
    with pytest.raises(ed.EditsError):
        ed.add_point(Edits(), "Nowhere", 91.0, 0.0)
    # the table's rows are matched by id: a row that moved is still its place
    before = [{"id": "a", "review": "to review", "role": "stop", "order": 1, "date": "2024-03-01", "status": None},
              {"id": "b", "review": "to review", "role": "stop", "order": 2, "date": None, "status": None}]
    after = [dict(before[1], review="rejected"), dict(before[0], date=__import__("datetime").date(2024, 3, 1))]
    from storymap import app_support as sup
    assert sup.table_changes(before, after) == {"b": {"review": "rejected"}}


@pytest.mark.slow
def test_five_stops_are_rejected_in_one_save():
    from apptest_helpers import edit_table, stops_story, table

    story_id = stops_story(7)
    before = Library().get(story_id).revision
    at = goto(run_app(story_id), "review")
    assert len(at.session_state["app"].base.stops) == 7
    ids = [i for i, role in zip(table(at).value["id"], table(at).value["role"]) if role == "stop"]
    edit_table(at, {i: {"select": True} for i in ids[1:6]}).run()
    assert at.button(key="btn_bulk_reject").label == "Reject selected (5)"
    at.button(key="btn_bulk_reject").click().run()
    assert not at.exception, at.exception
    s = at.session_state["app"]
    saved = Library().get(s.story_id)
    from storymap.library import shown
    assert sorted(saved.edits["rejected"]) == sorted(ids[1:6])
    assert [str(f.id) for f in shown(saved).stops] == [ids[0], ids[6]]
    # one save: one new revision (the story's, or the first of the reader's own copy)
    assert saved.revision == (before + 1 if s.story_id == story_id else 1)
    assert not any(table(at).value["select"])  # a fresh table after the save


@pytest.mark.slow
def test_an_action_names_its_place_through_a_rerun_with_another_selection():
    from apptest_helpers import edit_table

    at = goto(run_app(), "review")
    at.selectbox(key="edit_place").set_value("komsomolsk-on-amur").run()
    # the Reject drawn for Komsomolsk is clicked as the next place is picked, in one rerun
    at.selectbox(key="edit_place").set_value("vladivostok")
    at.button(key="btn_reject_komsomolsk-on-amur").click().run()
    assert not at.exception, at.exception
    assert at.session_state["app"].edits.rejected == ["komsomolsk-on-amur"]
    assert at.selectbox(key="edit_place").value == "vladivostok"
    # rows selected in the table stay theirs while another place is picked below it
    edit_table(at, {"khabarovsk": {"select": True}, "moscow": {"select": True}}).run()
    at.selectbox(key="edit_place").set_value("pyongyang").run()
    at.button(key="btn_bulk_accept").click().run()
    assert at.session_state["app"].edits.accepted == ["khabarovsk", "moscow"]
    assert at.session_state["app"].edits.rejected == ["komsomolsk-on-amur"]


@pytest.mark.slow
def test_a_place_the_gazetteer_lacks_is_added_by_its_coordinates_and_name(tmp_path):
    from storymap.storyfile import Geocoder, Review, as_story, dumps_story, load_story

    at = goto(run_app(), "review")
    at.radio(key="add_way").set_value("Type its coordinates").run()
    at.number_input(key="add_lat").set_value(51.7164)
    at.number_input(key="add_lon").set_value(-0.8039)
    at.text_input(key="add_name").set_value("Chequers").run()
    at.button(key="btn_add_point").click().run()
    assert not at.exception, at.exception
    s = at.session_state["app"]
    assert s.edits.added == {"added-chequers": {"name": "Chequers", "lat": 51.7164, "lon": -0.8039,
                                                "role": "stop", "gazetteer_id": "manual"}}
    from storymap.library import shown
    story = shown(Library().get(s.story_id))
    chequers = story.place("added-chequers")
    assert chequers is not None and chequers.name == "Chequers" and chequers.stop == len(story.stops)
    assert (chequers.review, chequers.geocoder, chequers.gazetteer_id) == (Review.ADDED, Geocoder.AUTHOR, "manual")
    assert (round(chequers.lat, 4), round(chequers.lon, 4)) == (51.7164, -0.8039)
    # the story file records the author's place and reads it back
    path = tmp_path / "s.geojson"
    path.write_text(dumps_story(story), encoding="utf-8")
    back = as_story(load_story(path)).place("added-chequers")
    assert back is not None and (back.name, back.review, back.geocoder) == ("Chequers", Review.ADDED, Geocoder.AUTHOR)
    from apptest_helpers import table
    assert "Chequers" in list(table(at).value["name"])  # a row of the table, to review like any other


@pytest.mark.slow
def test_ticked_stops_move_up_and_down_the_route_one_save_a_click_and_undo_takes_it_back():
    from apptest_helpers import edit_table, stops_story, table
    from storymap.library import shown

    story_id = stops_story(5)
    at = goto(run_app(story_id), "review")
    route = [str(f.id) for f in at.session_state["app"].base.route_visits()]
    assert at.button(key="btn_move_up").disabled and at.button(key="btn_move_down").disabled  # nothing ticked
    edit_table(at, {route[2]: {"select": True}, route[3]: {"select": True}}).run()
    assert at.button(key="btn_move_up").label == "Move up (2)"
    at.button(key="btn_move_up").click().run()
    assert not at.exception, at.exception
    s = at.session_state["app"]
    moved = [route[0], route[2], route[3], route[1], route[4]]
    assert s.edits.order == moved
    saved = Library().get(s.story_id)
    revision = saved.revision
    assert [str(f.id) for f in shown(saved).route_visits()] == moved  # saved
    values = table(at).value
    assert [i for i, tick in zip(values["id"], values["select"]) if tick] == [route[2], route[3]]  # still ticked
    at.button(key="btn_move_up").click().run()  # again: they reach the top
    assert at.session_state["app"].edits.order == [route[2], route[3], route[0], route[1], route[4]]
    assert Library().get(s.story_id).revision == revision + 1  # one save a click
    assert at.button(key="btn_move_up").disabled  # already first: no further up
    assert not at.button(key="btn_move_down").disabled
    # one place in detail moves by its own buttons; the last stop cannot go down
    at.selectbox(key="edit_place").set_value(route[4]).run()
    assert at.button(key=f"btn_down_{route[4]}").disabled
    at.button(key=f"btn_up_{route[4]}").click().run()
    assert at.session_state["app"].edits.order == [route[2], route[3], route[0], route[4], route[1]]
    at.button(key="btn_undo").click().run()
    assert at.session_state["app"].edits.order == [route[2], route[3], route[0], route[1], route[4]]


@pytest.mark.slow
def test_a_place_is_given_the_name_shown_on_the_map_and_the_story_file_keeps_both(tmp_path):
    from apptest_helpers import table
    from storymap.library import shown
    from storymap.storyfile import as_story, dumps_story, load_story

    at = goto(run_app(), "review")
    at.selectbox(key="edit_place").set_value("komsomolsk-on-amur").run()
    [field] = [t for t in at.text_input if (t.key or "").startswith("edit_name_komsomolsk-on-amur_")]
    assert (field.label, field.value) == ("Name shown on the map", "Komsomolsk-on-Amur")
    field.set_value("Komsomolsk na Amure")
    at.button(key="FormSubmitter:form_name_komsomolsk-on-amur-Rename").click().run()
    assert not at.exception, at.exception
    s = at.session_state["app"]
    assert s.edits.names == {"komsomolsk-on-amur": "Komsomolsk na Amure"}
    story = shown(Library().get(s.story_id))
    place = story.place("komsomolsk-on-amur")
    assert place is not None and (place.name, place.gazetteer_name) == ("Komsomolsk na Amure", "Komsomolsk-on-Amur")
    assert "Komsomolsk na Amure" in list(table(at).value["name"])
    assert "The gazetteer's name: Komsomolsk-on-Amur" in [c.value for c in at.caption]
    [field] = [t for t in at.text_input if (t.key or "").startswith("edit_name_komsomolsk-on-amur_")]
    assert field.value == "Komsomolsk na Amure"
    path = tmp_path / "renamed.geojson"  # the story file keeps both names and reads them back
    path.write_text(dumps_story(story), encoding="utf-8")
    back = as_story(load_story(path)).place("komsomolsk-on-amur")
    assert back is not None and (back.name, back.gazetteer_name) == ("Komsomolsk na Amure", "Komsomolsk-on-Amur")
    # emptied, the gazetteer's name is shown again
    field.set_value("")
    at.button(key="FormSubmitter:form_name_komsomolsk-on-amur-Rename").click().run()
    assert at.session_state["app"].edits.names == {}
    assert "Komsomolsk-on-Amur" in list(table(at).value["name"])


def test_the_house_style_is_chosen_on_the_author_page_and_kept_with_the_story(monkeypatch):
    """Dark and an accent chosen and saved: the author's fields, the story as the library shows
    it, and the page the HTML download makes all carry them."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    from storymap.library import shown
    from storymap.look import look_of
    from storymap.storyfile import MapStyle

    makers: dict[str, Any] = {}
    add_deferred = MediaFileManager.add_deferred

    def recording(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):  # noqa: ANN001, ANN202
        file_id = add_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)
        makers[str(file_name)] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", recording)
    at = goto(run_app(), "author")
    assert at.radio(key="author_style").value == "light"
    at.radio(key="author_style").set_value("dark")
    at.color_picker(key="author_accent").set_value("#1A7F5A")
    at.button(key="FormSubmitter:form_look-Save the style").click().run()
    assert not at.exception, at.exception
    s = at.session_state["app"]
    assert (s.author["style"], s.author["accent"]) == ("dark", "#1a7f5a")
    assert at.radio(key="author_style").value == "dark"
    assert at.color_picker(key="author_accent").value.lower() == "#1a7f5a"
    saved = Library().get(s.story_id)
    story = shown(saved)
    assert (story.meta.style, story.meta.accent) == (MapStyle.DARK, "#1a7f5a")
    assert look_of(story).style == MapStyle.DARK
    goto(at, "read")
    page = next(make for name, make in makers.items() if name.endswith(".html"))()
    text = page.decode() if isinstance(page, bytes) else str(page)
    assert "--sm-route: #1a7f5a;" in text and "color-scheme: dark;" in text
    geo = json.loads(next(make for name, make in makers.items() if name.endswith(".geojson"))())
    assert (geo["storymap"]["style"], geo["storymap"]["accent"]) == ("dark", "#1a7f5a")


def test_choosing_only_a_style_keeps_the_styles_own_accent():
    at = goto(run_app(), "author")
    at.radio(key="author_style").set_value("muted")
    at.button(key="FormSubmitter:form_look-Save the style").click().run()
    assert not at.exception, at.exception
    assert at.session_state["app"].author.get("style") == "muted" and "accent" not in at.session_state["app"].author


def test_the_video_is_made_on_request_with_a_progress_bar_fed_by_its_frames(monkeypatch):
    """The recording (faked here: the real one is tests/test_video.py's) reports its frames to
    the bar, and its bytes become the download, named after the story."""
    import storymap.export

    told: list[tuple[str, int, int]] = []

    def recording(story, out, *, fmt=None, progress=None, **kwargs):  # noqa: ANN001, ANN202
        assert fmt == "mp4" and progress is not None
        for done in (0, 60, 120):
            told.append(("Recording frames", done, 120))
            progress("Recording frames", done, 120)
        Path(out).write_bytes(b"\x00\x00\x00\x18ftypmp42 fake video")
        return Path(out)

    monkeypatch.setattr(storymap.export, "export_story", recording)
    at = goto(run_app(), "read")
    assert not [b for b in at.download_button if b.key == "dl_video"]  # nothing recorded until asked
    at.button(key="btn_video").click().run()
    assert not at.exception, at.exception
    assert [d for _m, d, _t in told] == [0, 60, 120]
    [bar] = at.get("progress")
    assert bar.proto.value == 100 and "ready" in bar.proto.text
    [video] = [b for b in at.download_button if b.key == "dl_video"]
    assert video.proto.label.startswith("Download the video") and video.proto.url


def test_the_progress_callback_moves_the_bar_within_its_bounds():
    from app_pages.session import progress_bar

    moves: list[tuple[float, str]] = []

    class Bar:
        def progress(self, value: float, text: str) -> None:
            moves.append((value, text))

    report = progress_bar(Bar())
    for done, total in ((0, 0), (30, 120), (120, 120), (130, 120)):
        report("Recording frames", done, total)
    assert [v for v, _t in moves] == [0.0, 0.25, 1.0, 1.0]
    assert moves[1][1] == "Recording frames (30/120)"


@pytest.mark.slow
@pytest.mark.browser
def test_the_real_video_reports_its_frames_to_the_bar(monkeypatch):
    """The real recording (Chromium, ffmpeg) of the example story: its frames reach the bar, and
    the download is an MP4."""
    import storymap.export

    seen: list[tuple[int, int]] = []
    export_story = storymap.export.export_story

    def watching(story, out, *, progress=None, **kwargs):  # noqa: ANN001, ANN202
        def report(msg: str, done: int, total: int) -> None:
            seen.append((done, total))
            if progress:
                progress(msg, done, total)
        return export_story(story, out, progress=report, **kwargs)

    monkeypatch.setattr(storymap.export, "export_story", watching)
    at = goto(run_app(), "read")
    at.button(key="btn_video").click().run(timeout=600)
    assert not at.exception, "\n".join(at.exception[0].stack_trace)
    assert [e.value for e in at.error] == []
    assert len(seen) > 2 and seen[-1][0] == seen[-1][1] > 0
    [bar] = at.get("progress")
    assert bar.proto.value == 100
    assert [b for b in at.download_button if b.key == "dl_video"]


def test_progress_reported_from_other_threads_moves_the_bar_on_the_callers_thread():
    import threading

    from app_pages.session import run_with_progress

    caller = threading.get_ident()
    moved: list[tuple[float, int]] = []

    class Bar:
        def progress(self, value: float, text: str) -> None:
            moved.append((value, threading.get_ident()))

    def work(progress):  # noqa: ANN001, ANN202 - reports from a thread of its own, as a recording does
        t = threading.Thread(target=lambda: [progress("frames", n, 4) for n in range(5)])
        t.start()
        t.join()
        return "done"

    assert run_with_progress(Bar(), work) == "done"
    assert moved and moved[-1][0] == 1.0 and {ident for _v, ident in moved} == {caller}
