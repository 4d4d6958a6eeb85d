"""Which country a name is in, when the text says so near it: "X in (northern) Y", and a country
its sentence names or whose people it names ("to meet Pakistani officials")."""

from __future__ import annotations

import pytest

from pipeline_support import gazetteer, write
from storymap.articles import read_article
from storymap.recognize import Recognizer
from storymap.resolve import resolve
from storymap.story import build_story


def countries(tmp_path, text: str) -> dict[str, str]:
    """The country each name of ``text`` is read in, demonyms and all, as a story reads them."""
    article, _ = read_article(write(tmp_path, "a.txt", "Headline\n\n" + text))
    found = Recognizer(gazetteer()).find(article)
    return {r.mention.text: r.best.record.country_code for r in resolve(found, {article.id: article.text})}


@pytest.mark.parametrize("text, name, country", [
    ("The minister toured Tripoli in northern Lebanon on Tuesday.", "Tripoli", "LB"),
    ("The minister toured Tripoli, in the north of Lebanon, on Tuesday.", "Tripoli", "LB"),
    ("The minister visited Perth in Scotland on Tuesday.", "Perth", "GB"),
    ("The minister visited Perth in central Scotland on Tuesday.", "Perth", "GB"),
    ("The minister spoke in Paris in north-east Texas on Tuesday.", "Paris", "US"),
    # a country named in another sentence does not anchor a namesake
    ("The minister arrived in Tripoli on Tuesday. She flew on to Lebanon on Friday.", "Tripoli", "LY"),
])
def test_a_name_in_an_area_is_in_it(tmp_path, text, name, country):
    assert countries(tmp_path, text)[name] == country


@pytest.mark.parametrize("text, name", [
    ("The senator flew to Savannah in Georgia on Monday.", "Georgia"),
    ("The senator flew to Spokane in eastern Washington on Monday.", "Washington"),
    ("The senator flew to Buffalo in New York on Monday.", "New York"),
])
def test_the_area_a_town_is_in_is_the_one_that_holds_it(tmp_path, text, name):
    article, _ = read_article(write(tmp_path, "a.txt", "Headline\n\n" + text))
    got = {r.mention.text: r for r in resolve(Recognizer(gazetteer()).find(article), {article.id: article.text})}
    assert got[name].best.record.place_type == "admin1" and got[name].best.record.country_code == "US"


def test_in_a_city_does_not_make_the_city_its_division(tmp_path):
    article, _ = read_article(write(tmp_path, "a.txt", "Headline\n\nCrowds gathered in Tiananmen Square in Beijing "
                                                       "on Sunday."))
    got = {r.mention.text: r for r in resolve(Recognizer(gazetteer()).find(article), {article.id: article.text})}
    assert got["Beijing"].best.record.place_type == "city"


@pytest.mark.parametrize("text, name, country", [
    # the sentence's country beats the country of the story's other places
    ("The minister toured New Delhi and Mumbai last week. On Tuesday he arrived in Hyderabad to meet "
     "Pakistani officials.", "Hyderabad", "PK"),
    ("The minister met Pakistani diplomats in Geneva on Monday. On Tuesday he arrived in Hyderabad to meet "
     "Indian executives.", "Hyderabad", "IN"),
    # ... and a country named as often in another sentence
    ("The minister spent Monday in Washington with American officials. The minister flew to San Jose on "
     "Tuesday to meet Costa Rican leaders.", "San Jose", "CR"),
    ("The minister met Costa Rican officials in Madrid on Monday. On Tuesday he flew to San Jose to meet "
     "American executives.", "San Jose", "US"),
])
def test_the_country_its_sentence_names_weighs_most(tmp_path, text, name, country):
    assert countries(tmp_path, text)[name] == country


def test_a_demonym_in_the_sentence_does_not_anchor_a_small_namesake(tmp_path):
    got = countries(tmp_path, "British officials met in Washington on Monday.")
    assert got["Washington"] == "US"  # the capital, not the English town


def test_a_demonym_after_a_comma_qualifies_nothing(tmp_path):
    article, _ = read_article(write(tmp_path, "a.txt", "Headline\n\nIn Washington, British officials said the "
                                                       "talks would resume."))
    got = {r.mention.text: r for r in resolve(Recognizer(gazetteer()).find(article), {article.id: article.text})}
    assert got["Washington"].best.record.country_code == "US"
    assert not got["British"].qualifies


def route(tmp_path, body: str) -> dict[str, dict]:
    """The stops of a one-article story, by name."""
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "a.txt", "Headline of the story\n\n" + body)
    write(folder, "a.meta.json", '{"published": "2024-05-15"}')
    story = build_story([folder], gazetteer=gazetteer()).story.to_geojson()
    return {f["properties"]["name"]: f["properties"] for f in story["features"]
            if f["properties"].get("role") == "stop"}


def test_a_route_through_a_town_in_a_state_has_no_stop_at_a_namesake_of_the_state(tmp_path):
    stops = route(tmp_path, "Ana Reyes flew to Buffalo in New York on Monday.")
    assert set(stops) == {"Buffalo"}  # not New York City too
