"""The app on the story library (AppTest): stories built or corrected are kept, open again
from their link, are never another reader's, and a stale save is refused, not lost."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import pytest
from apptest_helpers import edit_table, goto, run_app

from storymap.edits import apply_edits
from storymap.library import Library
from storymap.storyfile import Story, StoryData, as_story

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ("Envoy ends tour in Lisbon\n\n"
           "The trade envoy Maria Sousa flew to Porto on Monday, May 4, 2026, and then travelled to Lisbon "
           "on Wednesday, May 6, where she met ministers.\n")




def names(story: Story | StoryData) -> set[str]:
    return {str(f.name) for f in as_story(story).places}


@pytest.fixture
def built():  # noqa: ANN201 - (AppTest, story id)
    at = goto(run_app(), "new_story")
    at.text_area(key="paste_text").set_value(ARTICLE)
    at.button(key="btn_build").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at, at.session_state["app"].story_id


@pytest.mark.slow
def test_a_built_story_is_kept_and_opens_again_from_its_link(built):
    at, story_id = built
    assert at.query_params["story"] == story_id
    saved = Library().get(story_id)
    assert [a.name for a in saved.articles] == ["pasted-article.txt"] and "Maria Sousa" in saved.articles[0].text
    again = run_app(story_id)  # a reload, or anyone with the link on this server
    assert again.session_state["app"].story_id == story_id
    assert {"Porto", "Lisbon"} <= names(again.session_state["app"].base)
    assert again.title[0].value == at.title[0].value


@pytest.mark.slow
def test_the_upload_folder_does_not_outlive_the_build():
    before = set(Path(tempfile.gettempdir()).glob("storymap-upload-*"))
    at = goto(run_app(), "new_story")
    at.file_uploader(key="upload_files").set_value(("tour.txt", ARTICLE.encode(), "text/plain"))
    at.button(key="btn_build").click().run()
    assert not at.exception and at.session_state["app"].story_id
    # no folder of this build is left (another process's may come and go meanwhile)
    assert not set(Path(tempfile.gettempdir()).glob("storymap-upload-*")) - before


@pytest.mark.slow
def test_correcting_the_seeds_story_makes_the_readers_own_copy():
    at = run_app()
    assert at.session_state["app"].story_id is None and at.session_state["app"].origin == "seeds"
    goto(at, "review")
    at.selectbox(key="edit_place").set_value("komsomolsk-on-amur").run()
    at.button(key="btn_reject_komsomolsk-on-amur").click().run()
    assert not at.exception
    copy_id = at.session_state["app"].story_id
    assert copy_id and at.query_params["story"] == copy_id
    assert Library().get(copy_id).edits["rejected"] == ["komsomolsk-on-amur"]
    stranger = run_app()  # another reader: the seeds' story as it was
    assert stranger.session_state["app"].edits.is_empty() and stranger.session_state["app"].story_id is None
    linked = run_app(copy_id)  # the same reader after a reload: the correction is there
    assert "komsomolsk-on-amur" not in {str(f.id) for f in linked.session_state["app"].base.stops} or \
        linked.session_state["app"].edits.rejected == ["komsomolsk-on-amur"]


@pytest.mark.slow
def test_two_readers_editing_one_story_lose_nothing(built):
    first, story_id = built
    second = goto(run_app(story_id), "review")
    place = second.session_state["app"].base.features[0].id
    goto(first, "review")
    first.selectbox(key="edit_place").set_value(str(place)).run()
    first.button(key=f"btn_reject_{place}").click().run()
    second.selectbox(key="edit_place").set_value(str(place)).run()
    second.button(key=f"btn_accept_{place}").click().run()
    assert not second.exception
    assert second.error and "saved by someone else" in second.error[0].value
    assert Library().get(story_id).edits["rejected"] == [str(place)]  # the first save stands
    second.button(key="btn_reload").click().run()
    assert second.session_state["app"].edits.rejected == [str(place)] and not second.session_state["app"].conflict


@pytest.mark.slow
def test_a_save_can_be_undone(built):
    at, story_id = built
    place = str(at.session_state["app"].base.features[0].id)
    goto(at, "review")
    at.selectbox(key="edit_place").set_value(place).run()
    at.button(key=f"btn_reject_{place}").click().run()
    assert Library().get(story_id).edits["rejected"] == [place]
    at.button(key="btn_undo").click().run()
    assert not at.exception
    assert Library().get(story_id).edits == {} and at.session_state["app"].edits.is_empty()


@pytest.mark.slow
def test_the_library_lists_stories_and_opens_one(built):
    _, story_id = built
    at = goto(run_app(), "library")
    at.selectbox(key="library_pick").set_value(story_id).run()
    at.button(key="btn_open_story").click().run()
    assert not at.exception
    assert at.session_state["app"].story_id == story_id and at.query_params["story"] == story_id


def test_a_link_to_a_missing_story_says_so_and_shows_the_seeds():
    at = run_app("0123456789abcdef")
    assert at.session_state["app"].origin == "seeds"
    assert any("cannot be opened" in w.value for w in at.warning)


@pytest.mark.slow
def test_the_authors_headline_and_dek_are_saved_shown_and_exported(built, tmp_path):
    at, story_id = built
    generated = at.title[0].value
    goto(at, "author")
    at.text_input(key="author_headline").set_value("Four days, two cities")
    at.text_input(key="author_dek").set_value("How the envoy's tour went <b>north</b> first")
    at.button(key="FormSubmitter:form_author-Save the text").click().run()
    assert not at.exception
    assert at.title[0].value == "Four days, two cities"
    dek = [m for m in at.markdown if "envoy" in m.value and "north" in m.value]
    assert dek and all("<b>" not in m.value for m in dek)  # article-like text stays literal
    saved = Library().get(story_id)
    assert saved.author == {"headline": "Four days, two cities", "dek": "How the envoy's tour went <b>north</b> first"}
    out = Library().export_file(story_id, tmp_path / "story.geojson")
    meta = json.loads(out.read_text(encoding="utf-8"))["storymap"]
    assert meta["headline"] == "Four days, two cities" and meta["title"] == generated


def test_messages_never_show_the_temporary_folder():
    at = goto(run_app(), "new_story")
    at.file_uploader(key="upload_files").set_value(("notes.txt", b"Nothing to see here at all.\n", "text/plain"))
    at.button(key="btn_build").click().run()
    assert not at.exception and at.error
    assert "notes.txt" in at.error[0].value and tempfile.gettempdir() not in at.error[0].value


def test_review_shows_the_evidence_and_doubtful_stops_first():
    at = goto(run_app(), "review")
    options = at.selectbox(key="edit_place").options
    assert "stop confidence" in options[0]
    at.selectbox(key="edit_place").set_value("komsomolsk-on-amur").run()
    why = [m.value for m in at.markdown if "<mark>" in m.value and "<small>" in m.value]
    assert why and any("reported" in w for w in why)


@pytest.mark.slow
def test_a_missed_place_is_added_by_searching_the_gazetteer(built):
    at, story_id = built
    before = len(at.session_state["app"].base.stops)
    goto(at, "review")
    at.text_input(key="add_query").set_value("Coimbra").run()
    assert any("Coimbra" in o and "PT" in o for o in at.selectbox(key="add_pick").options)
    at.button(key="btn_add_place").click().run()
    assert not at.exception
    saved = Library().get(story_id)
    [(place_id, place)] = saved.edits["added"].items()
    assert place["name"] == "Coimbra" and place["role"] == "stop"
    from storymap.library import shown
    assert len(shown(saved).stops) == before + 1
    assert "Coimbra" in {f.name for f in shown(saved).stops}


@pytest.mark.slow
def test_a_place_is_re_placed_by_searching_the_gazetteer():
    at = goto(run_app(), "review")
    at.selectbox(key="edit_place").set_value("vladivostok").run()
    at.text_input(key="replace_query_vladivostok").set_value("Nakhodka").run()
    at.button(key="btn_replace_place_vladivostok").click().run()
    assert not at.exception
    lat, lon = at.session_state["app"].edits.coordinates["vladivostok"]
    assert abs(lat - 42.8) < 0.3 and abs(lon - 132.9) < 0.3


@pytest.mark.slow
def test_adding_an_article_already_in_the_story_adds_nothing(built):
    at, story_id = built
    goto(at, "new_story")
    assert at.text_area(key="paste_text").value == ""  # the inputs cleared after the build
    at.text_area(key="paste_text").set_value(ARTICLE)
    at.button(key="btn_add").click().run()
    assert not at.exception
    assert any("Nothing new to add" in e.value for e in at.error)
    assert len(Library().get(story_id).articles) == 1


@pytest.mark.slow
def test_an_authors_text_and_zoom_for_a_stop_are_kept_and_exported(built, tmp_path):
    at, story_id = built
    place = str(at.session_state["app"].base.stops[0].id)
    goto(at, "author")
    at.selectbox(key="author_place").set_value(place).run()
    at.text_area(key=f"stop_text_{place}").set_value("The envoy's **first** stop <script>x()</script>")
    at.number_input(key=f"stop_zoom_{place}").set_value(11)
    at.button(key=f"FormSubmitter:form_stop_text_{place}-Save the text").click().run()
    assert not at.exception
    saved = Library().get(story_id)
    assert saved.author["stops"][place] == {"text": "The envoy's **first** stop <script>x()</script>", "zoom": 11}
    out = json.loads(Library().export_file(story_id, tmp_path / "s.geojson").read_text(encoding="utf-8"))
    props = next(f["properties"] for f in out["features"] if str(f.get("id")) == place)
    assert props["author_text"].startswith("The envoy's **first** stop") and props["zoom"] == 11
    goto(at, "read")
    at.selectbox(key="pick_place").set_value(place).run()
    assert any("**first**" in m.value and not m.proto.allow_html for m in at.markdown)


def test_a_date_that_breaks_the_route_order_warns_and_orders_by_date():
    at = goto(run_app(), "review")
    edit_table(at, {"vostochny-cosmodrome": {"date": "2023-09-20"}}).run()
    at.button(key="btn_table_save").click().run()
    assert not at.exception
    assert any("disagrees with the dates" in w.value for w in at.warning)
    at.button(key="btn_order_by_date").click().run()
    route = [str(f.id) for f in apply_edits(at.session_state["app"].base, at.session_state["app"].edits).stops]
    assert route[:2] == ["komsomolsk-on-amur", "vostochny-cosmodrome"]
    assert not any("disagrees with the dates" in w.value for w in at.warning)


@pytest.mark.slow
def test_an_articles_outlet_date_and_address_are_corrected(built, tmp_path):
    at, story_id = built
    article_id = at.session_state["app"].base.articles[0].id
    goto(at, "author")
    at.text_input(key=f"article_source_{article_id}").set_value("The Harbour Gazette")
    at.text_input(key=f"article_url_{article_id}").set_value("javascript:alert(1)")
    at.button(key=f"FormSubmitter:form_article_{article_id}-Save the article's details").click().run()
    assert not at.exception and any("http(s) address" in e.value for e in at.error)
    at.text_input(key=f"article_url_{article_id}").set_value("https://example.org/envoy")
    at.button(key=f"FormSubmitter:form_article_{article_id}-Save the article's details").click().run()
    assert not at.exception
    out = json.loads(Library().export_file(story_id, tmp_path / "s.geojson").read_text(encoding="utf-8"))
    [article] = out["storymap"]["articles"]
    assert (article["source"], article["url"]) == ("The Harbour Gazette", "https://example.org/envoy")
    assert any("https://example.org/envoy" in m.value for m in at.markdown)  # the credit links to it


def _png(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.slow
def test_a_stops_image_is_resized_kept_inlined_and_exported(built, tmp_path):
    at, story_id = built
    place = str(at.session_state["app"].base.stops[0].id)
    goto(at, "author")
    at.selectbox(key="author_place").set_value(place).run()
    at.text_input(key=f"stop_image_url_{place}").set_value("javascript:alert(1)")
    at.button(key=f"FormSubmitter:form_stop_text_{place}-Save the text").click().run()
    assert any("http(s) address" in e.value for e in at.error)
    from storymap.library import image_media

    media = image_media(_png(3000, 2000), caption="The quay", credit="Photo: A. Writer")
    assert media["src"].startswith("data:image/jpeg;base64,") and len(media["src"]) < 400_000
    import base64
    import io

    from PIL import Image

    with Image.open(io.BytesIO(base64.b64decode(media["src"].split(",", 1)[1]))) as img:
        assert max(img.size) == 960
    with pytest.raises(Exception, match="not an image"):
        image_media(b"<svg onload=alert(1)>")
    at.text_input(key=f"stop_image_url_{place}").set_value("https://example.org/quay.jpg")
    at.text_input(key=f"stop_caption_{place}").set_value("The quay")
    at.button(key=f"FormSubmitter:form_stop_text_{place}-Save the text").click().run()
    assert not at.exception and not at.error
    out = json.loads(Library().export_file(story_id, tmp_path / "s.geojson").read_text(encoding="utf-8"))
    props = next(f["properties"] for f in out["features"] if str(f.get("id")) == place)
    assert props["media"] == [{"src": "https://example.org/quay.jpg", "caption": "The quay", "credit": "",
                               "alt": "The quay"}]


def test_the_timeline_is_a_chart_of_dates():
    at = run_app()
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    timeline = next(s for s in specs if "encoding" in s)  # the others are the review maps
    assert timeline["encoding"]["x"]["type"] == "temporal" and timeline["encoding"]["x"]["field"] == "date"


def test_empty_text_cells_are_empty_not_none():
    at = run_app()
    table = next(d for d in at.dataframe if d.key == "places_table" or "sources" in d.value.columns).value
    for column in ("date", "status", "sources", "type"):
        assert not table[column].isna().any(), column


@pytest.mark.slow
def test_two_readers_correcting_different_places_are_merged(built):
    first, story_id = built
    second = goto(run_app(story_id), "review")
    one, two = [str(f.id) for f in second.session_state["app"].base.places][:2]
    goto(first, "review")
    first.selectbox(key="edit_place").set_value(one).run()
    first.button(key=f"btn_reject_{one}").click().run()
    second.selectbox(key="edit_place").set_value(two).run()
    second.button(key=f"btn_accept_{two}").click().run()
    assert not second.exception and not second.error
    assert any("did not touch" in w.value for w in second.warning)
    edits = Library().get(story_id).edits
    assert edits["rejected"] == [one] and edits["accepted"] == [two]
    assert second.session_state["app"].edits.rejected == [one]


def test_the_review_tab_maps_the_place_its_readings_and_towns_around_it():
    at = goto(run_app(), "review")
    at.radio(key="add_way").set_value("Click on the map").run()
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    maps = [next(layer for layer in s["layer"] if layer.get("name") == "points")["data"]["values"]
            for s in specs if any(layer.get("name") == "points" for layer in s.get("layer", []))]
    kinds = [{p["kind"] for p in points} for points in maps]
    # the place under review with the towns around it, and the story's area to add a place from
    assert {"placed here", "town nearby"} <= kinds[0] or {"placed here", "town nearby"} <= kinds[1]
    assert any({"in the story", "town nearby"} <= k for k in kinds)


@pytest.mark.slow
def test_a_stop_can_be_visited_again_and_the_return_removed():
    at = goto(run_app(), "review")
    at.selectbox(key="edit_place").set_value("vostochny-cosmodrome").run()
    at.number_input(key="edit_visit_vostochny-cosmodrome").set_value(3).run()
    next(b for b in at.button if b.label == "Visit it again").click().run()
    assert not at.exception, at.exception
    assert at.session_state["app"].edits.order == ["vostochny-cosmodrome", "komsomolsk-on-amur", "vladivostok",
                                               "vostochny-cosmodrome"]
    next(b for b in at.button if b.label == "Remove its last return visit").click().run()
    assert at.session_state["app"].edits.order == ["vostochny-cosmodrome", "komsomolsk-on-amur", "vladivostok"]


def test_a_story_traced_from_an_event_table_opens_like_any_other(tmp_path):
    from pipeline_support import event_row

    from storymap.corpus import write_geoparquet
    from storymap.events import EVENT_COLUMNS, trace

    write_geoparquet(str(tmp_path / "part-00000.parquet"), [
        event_row("a", "Lisbon", "t:lisbon", -9.14, 38.72, date=dt.date(2024, 3, 4)),
        event_row("b", "Porto", "t:porto", -8.61, 41.15, date=dt.date(2024, 3, 6), published=dt.date(2024, 3, 7)),
    ], EVENT_COLUMNS)
    story = trace(tmp_path, "Ines Ferro").story
    story_id = Library().add(story).id
    at = run_app(story_id)
    assert not at.error, [e.value for e in at.error]
    shown = [f.name for f in sorted(at.session_state["app"].base.stops, key=lambda f: f.stop or 0)]
    assert shown == ["Lisbon", "Porto"]


@pytest.mark.slow
def test_the_library_counts_its_stories_in_english(built):
    at = goto(run_app(), "new_story")
    at.text_area(key="paste_text").set_value(ARTICLE.replace("Lisbon", "Faro"))
    at.button(key="btn_build").click().run()
    goto(at, "library")
    (label,) = [h.value for h in at.subheader if h.value.startswith("Library (")]
    count = int(label.removeprefix("Library (").split()[0])
    assert count >= 2 and label == f"Library ({count} stories)"


@pytest.mark.slow
def test_adding_articles_to_a_story_without_article_texts_is_refused_and_changes_nothing():
    # an imported story keeps its stops but no article texts: a rebuild "with the new article"
    # would be a story of the new article alone, put in place of the imported one
    saved = Library().import_file(ROOT / "tests" / "fixtures" / "story.geojson")
    at = run_app(saved.id)
    assert not saved.articles and at.session_state["app"].story_id == saved.id
    goto(at, "new_story")
    at.text_area(key="paste_text").set_value(ARTICLE)
    at.button(key="btn_add").click().run()
    assert not at.exception
    assert any("no article texts" in e.value and "build a new story" in e.value for e in at.error), \
        [e.value for e in at.error]
    again = Library().get(saved.id)
    assert again.revision == saved.revision and not again.articles
    assert names(again.story) == names(saved.story) and at.session_state["app"].story_id == saved.id
