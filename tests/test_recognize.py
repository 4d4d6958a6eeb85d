"""Finding place names: fixed sentences pinned to the places (and non-places) in them."""

from __future__ import annotations

import pytest

from pipeline_support import gazetteer, write
from storymap.articles import read_article
from storymap.recognize import Recognizer


def names(tmp_path, text: str) -> list[str]:
    article, _ = read_article(write(tmp_path, "a.txt", "Headline\n\n" + text))
    found = Recognizer(gazetteer()).find(article)
    for m in found:
        assert article.text[m.start : m.end] == m.text
    return [m.text for m in found if not m.demonym]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("North Korean leader Kim Jong Un met Russian President Vladimir Putin in Vladivostok.", ["Vladivostok"]),
        ("Kim toured the site. Later Kim left.", []),
        ("He visited an aviation plant named after Soviet cosmonaut Yuri Gagarin in Komsomolsk-on-Amur.",
         ["aviation plant named after Soviet cosmonaut Yuri Gagarin", "Komsomolsk-on-Amur"]),
        ("The summit was held at the Vostochny cosmodrome in the Amur region.", ["Vostochny cosmodrome",
                                                                                 "Amur region"]),
        ("Kim Jong Un arrived in Komsomolsk-on-Amur in Russia’s far east aboard a train.",
         ["Komsomolsk-on-Amur", "Russia’s far east"]),
        # the seat of government as the body it houses is no place; as where someone goes, it is
        ("The Kremlin said Thursday that talks went well, state media TASS reported.", []),
        ("Kim later arrived at the Kremlin for talks.", ["Kremlin"]),
        ("White House aides said the president would fly from the White House to Ohio.", ["White House", "Ohio"]),
        ("The US National Security Advisor, Jake Sullivan, spoke to us.", ["US"]),
        ("Western countries expressed concern on Friday.", []),
        ("The Khabarovsk region borders China.", ["Khabarovsk region", "China"]),
        # the entity model reads this town as a person; "the resort of" says it is a place
        ("Ozkan, who had traveled overnight from the coastal resort of Bodrum addressed the nation Sunday from an "
         "Izmir hotel, calling it a crime.", ["Bodrum", "Izmir"]),
    ],
)
def test_places_and_only_places_are_found(tmp_path, sentence, expected):
    assert names(tmp_path, sentence) == expected


def test_demonyms_are_marked_and_point_at_their_country(tmp_path):
    article, _ = read_article(write(tmp_path, "a.txt", "Headline\n\nRussian state media and Japanese officials said so."))
    found = Recognizer(gazetteer()).find(article)
    assert [(m.text, m.demonym) for m in found] == [("Russian", True), ("Japanese", True)]
    assert found[0].candidates[0].record.gazetteer_id == "naturalearth:RU"


def test_region_suffix_restricts_to_divisions(tmp_path):
    article, _ = read_article(write(tmp_path, "a.txt", "Headline\n\nHe flew over the Khabarovsk region."))
    (m,) = Recognizer(gazetteer()).find(article)
    assert m.constraint == "admin"
    assert {c.record.place_type for c in m.candidates} == {"admin1"}


def test_names_the_context_calls_places_but_the_gazetteer_lacks_are_reported(tmp_path):
    article, _ = read_article(write(tmp_path, "a.txt", "Headline\n\nHe went to the town of Zzyzxville Heights."))
    analysis = Recognizer(gazetteer()).analyse(article)
    assert [u[2] for u in analysis.unknown] == ["Zzyzxville Heights"]


def test_common_nouns_with_a_capital_are_not_places(tmp_path):
    # "Union" and "Alliance" are towns in GeoNames; here they are bodies of people
    assert names(tmp_path, "Officials of the Union met on Monday. The Alliance disagreed.") == []


def test_a_town_listed_with_a_city_stays_a_place(tmp_path):
    found = names(tmp_path, "Russian forces meanwhile shelled Kherson and Odesa.")
    assert "Kherson" in found and "Odesa" in found


def test_a_name_the_model_reads_as_a_person_is_a_place_in_a_list_of_places(tmp_path):
    # the model labels "Zanesville" a person here; its neighbours in the list are towns
    found = names(tmp_path, "The college also runs campuses in Chillicothe, Zanesville and Ironton.")
    assert found == ["Chillicothe", "Zanesville", "Ironton"]
    # a list of people stays a list of people, though "Warren" is a town in GeoNames
    assert names(tmp_path, "Senators Warren, Sanders and Booker spoke to farmers in Iowa on Monday.") == ["Iowa"]


def test_an_american_state_with_state_after_it_is_an_institution_unless_a_city_shares_its_name(tmp_path):
    found = names(tmp_path, "Ohio State fans and the Iowa State Patrol drove from New York State to Lagos State.")
    # "Ohio State" is a university and "Iowa State Patrol" an agency: at most their state is a
    # toponym inside the name; "New York State" is the state (not the city), "Lagos State" Nigeria's
    assert "Ohio State" not in found and "Iowa State" not in found
    assert "New York State" in found and "Lagos State" in found


def test_a_preposition_opening_the_sentence_is_not_part_of_the_name(tmp_path):
    assert names(tmp_path, "In Gillette, miners rallied on Friday.") == ["Gillette"]


def test_a_word_the_article_puts_people_in_is_a_place_though_it_opens_a_business_name(tmp_path):
    # "Wayne Gulf Express" (a gas station) reads like a person's name; "in Wayne" says Wayne is a place
    assert names(tmp_path, "A clerk at Wayne Gulf Express said sales in Wayne doubled.") == ["Wayne"]


def test_a_name_opening_a_sentence_is_a_place_when_a_division_qualifies_it(tmp_path):
    # a calendar: each line opens with a date and a colon, then the village and its county
    assert names(tmp_path, "12 May: Bampton, Devon. 9 June: Alston, Cumbria.") == [
        "Bampton", "Devon", "Alston", "Cumbria"]


def test_names_are_read_from_spacys_tokens_alike_with_and_without_a_parse(tmp_path):
    # spaCy cuts "Kim's", "didn't", "St." and the hyphens of "Stratford-upon-Avon" its own way;
    # recognition reads the same names from the parse's tokens as from the tokenizer alone
    from storymap import ner
    from storymap.components import parse_articles

    text = ("Kim's envoy flew from St. Petersburg to Stratford-upon-Avon and on to Cote d'Ivoire "
            "and the U.S. on Monday; she didn't stop in Komsomolsk-on-Amur.")
    article, _ = read_article(write(tmp_path, "a.txt", "Headline\n\n" + text))
    recognizer = Recognizer(gazetteer(), ner=None)
    expected = ["St. Petersburg", "Stratford-upon-Avon", "Cote d'Ivoire", "U.S.", "Komsomolsk-on-Amur"]
    alone = [m.text for m in recognizer.analyse(article).mentions]
    assert [n for n in alone if n in expected] == expected and "Kim" not in alone
    if ner.available():
        parsed = [m.text for m in recognizer.analyse(article, parse_articles([article])[0]).mentions]
        assert [n for n in parsed if n in expected] == expected


WRAPPED = ("Headline\n\n"
           "    The minister said on Monday that he would fly to West\n"
           "Germany next week for talks with Chancellor Helmut\n"
           "Kohl, and would then travel on to Paris and to London\n"
           "before he returned home at the end of the month.\n")


def test_a_name_broken_across_the_lines_of_wrapped_text_is_one_name(tmp_path):
    article, _ = read_article(write(tmp_path, "a.txt", WRAPPED))
    found = Recognizer(gazetteer()).find(article)
    assert [m.text.replace("\n", " ") for m in found if not m.demonym] == ["West Germany", "Paris", "London"]
    assert found[0].candidates[0].record.gazetteer_id == "naturalearth:DE"


@pytest.mark.parametrize(
    ("sentence", "site", "town"),
    [
        # a site said to be in a town is there, not at what its own name may name
        ("She studied at Trinity College in Dublin for two years.", "Trinity College", "Dublin"),
        ("The ship docked at Naval Station Norfolk in Virginia on Friday.", "Naval Station Norfolk", "Virginia"),
        ("He prayed at the Heian Shrine in Kyoto on Sunday.", "Heian Shrine", "Kyoto"),
        # the entity model may read a castle as a person: it is still at the town it is named for
        ("The queen visited Edinburgh Castle on Monday.", "Edinburgh Castle", "Edinburgh"),
    ],
)
def test_a_site_is_placed_at_its_town(tmp_path, sentence, site, town):
    article, _ = read_article(write(tmp_path, "a.txt", "Headline\n\n" + sentence))
    found = {m.text: m for m in Recognizer(gazetteer()).find(article)}
    assert town in {c.record.name for c in found[site].candidates}


@pytest.mark.parametrize(("sentence", "name", "put"), [
    ("The trawler reached Ortona on Tuesday after two days at sea.", "Ortona", True),
    ("Forty families arrived on Tilos late on Sunday.", "Tilos", True),
    ("The plane landed in Gander to refuel.", "Gander", True),
    ("The convoy left Kerak before dawn.", "Kerak", True),
    ("A cargo ship bound for Antwerp lost power.", "Antwerp", True),
    ("The senator met Shirley at the hotel.", "Shirley", False),
    ("In Shirley's words, the talks went well.", "Shirley", False),
    ("Reporters asked Vernon about the budget.", "Vernon", False),
])
def test_the_words_right_before_a_name_may_put_someone_there(sentence, name, put):
    from storymap import ner
    from storymap.recognize import put_there

    if not ner.available():
        pytest.skip("spaCy's model is not installed")
    from storymap.components import storymap_nlp

    doc = storymap_nlp()(sentence)
    start = sentence.index(name)
    span = doc.char_span(start, start + len(name))
    assert put_there(span.root) is put
