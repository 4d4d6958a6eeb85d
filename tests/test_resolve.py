"""Choosing between candidates: type, size, the story's countries and spatial coherence."""

from __future__ import annotations

from pipeline_support import gazetteer, write
from storymap.articles import read_article
from storymap.recognize import Recognizer
from storymap.resolve import resolve


def chosen(tmp_path, text: str) -> dict[str, object]:
    article, _ = read_article(write(tmp_path, "a.txt", "Headline\n\n" + text))
    found = [m for m in Recognizer(gazetteer()).find(article) if not m.demonym]
    return {r.mention.text: r for r in resolve(found)}


def test_uglegorsk_near_the_cosmodrome_is_tsiolkovsky(tmp_path):
    got = chosen(tmp_path, "Kim arrived at the Vostochny Cosmodrome, near the town of Uglegorsk in the Amur region.")
    best = got["Uglegorsk"].best.record
    assert best.gazetteer_id == "geonames:6641869"  # Tsiolkovsky, formerly Uglegorsk
    runners = [c.record.gazetteer_id for c in got["Uglegorsk"].candidates[1:]]
    assert "geonames:2120261" in runners  # the Sakhalin town is kept for review


def test_uglegorsk_alone_is_the_sakhalin_town(tmp_path):
    got = chosen(tmp_path, "Fishermen returned to Uglegorsk on Sakhalin.")
    assert got["Uglegorsk"].best.record.gazetteer_id == "geonames:2120261"


def test_big_city_beats_division_and_namesakes(tmp_path):
    got = chosen(tmp_path, "Moscow and Pyongyang signed the deal.")
    assert got["Moscow"].best.record.gazetteer_id == "geonames:524901"
    assert got["Pyongyang"].best.record.gazetteer_id == "geonames:1871859"
    assert 0.5 < got["Moscow"].best.confidence <= 1.0


def test_country_beats_a_village_of_the_same_name(tmp_path):
    got = chosen(tmp_path, "Russia and Ukraine traded blame.")
    assert got["Russia"].best.record.gazetteer_id == "naturalearth:RU"
    assert got["Ukraine"].best.record.gazetteer_id == "naturalearth:UA"
    assert got["Russia"].best.confidence > 0.9


def test_story_countries_pull_ambiguous_towns_home(tmp_path):
    got = chosen(tmp_path, "In Australia, the fires reached Perth and then Sydney.")
    assert got["Perth"].best.record.country_code == "AU"


def test_the_same_name_in_one_article_means_the_same_place(tmp_path):
    article, _ = read_article(write(tmp_path, "a.txt", "Headline\n\nThe shooting in Parkland, Florida shocked the "
                                                       "nation. Students from Parkland marched on Saturday."))
    found = [m for m in Recognizer(gazetteer()).find(article) if not m.demonym]
    parkland = [r for r in resolve(found, {article.id: article.text}) if r.mention.text == "Parkland"]
    assert len(parkland) == 2
    assert {r.best.record.gazetteer_id for r in parkland} == {parkland[0].best.record.gazetteer_id}
    assert parkland[0].best.record.country_code == "US" and -82 < parkland[0].best.record.lon < -79


def test_names_listed_together_are_the_same_kind_of_place(tmp_path):
    text = "Tech jobs are leaving western states such as California or Washington for cheaper places."
    article, _ = read_article(write(tmp_path, "a.txt", "Headline\n\n" + text))
    found = [m for m in Recognizer(gazetteer()).find(article) if not m.demonym]
    got = {r.mention.text: r.best.record for r in resolve(found, {article.id: article.text})}
    assert got["Washington"].place_type == "admin1"  # the state, not the capital
    alone = chosen(tmp_path, "The minister flew to Washington for talks.")
    assert alone["Washington"].best.record.geonameid == 4140963  # Washington, D.C.


def test_a_county_is_the_county_in_the_state_that_qualifies_it(tmp_path):
    got = chosen(tmp_path, "Deputies in Orange County, California, arrested two men.")
    county = got["Orange County"].best.record
    assert county.place_type == "admin2" and county.gazetteer_id == "uscounty:06059"
    assert abs(county.lat - 33.7) < 0.3 and abs(county.lon + 117.8) < 0.3
    assert got["California"].best.record.place_type == "admin1"


def test_english_scottish_and_welsh_point_at_their_nations(tmp_path):
    article, _ = read_article(write(tmp_path, "a.txt", "Headline\n\nEnglish and Scottish fans met Welsh fans."))
    found = Recognizer(gazetteer()).find(article)
    assert [(m.text, m.demonym) for m in found] == [("English", True), ("Scottish", True), ("Welsh", True)]
    assert found[0].candidates[0].record.name == "England"


def resolved_in_text(tmp_path, text: str) -> dict[str, object]:
    """The mentions of ``text`` that resolution keeps, by their words (with the text, for lists)."""
    article, _ = read_article(write(tmp_path, "a.txt", "Headline\n\n" + text))
    found = [m for m in Recognizer(gazetteer()).find(article) if not m.demonym]
    return {r.mention.text: r for r in resolve(found, {article.id: article.text})}


def test_a_country_the_story_talks_about_does_not_make_its_small_namesake_win(tmp_path):
    got = resolved_in_text(tmp_path, "Britain's foreign minister met officials in London and Manchester before "
                                     "he flew to Washington.")
    assert got["Washington"].best.record.gazetteer_id == "geonames:4140963"  # the capital, not the English town
    got = resolved_in_text(tmp_path, "Officials of the United States will meet in Geneva.")
    assert got["Geneva"].best.record.country_code == "CH"


def test_a_namesake_is_measured_against_towns_of_that_very_name(tmp_path):
    # "Petersburg" is an old name of Saint Petersburg, not its name: the Virginian town is no namesake of it
    got = resolved_in_text(tmp_path, "Officials in the United States said Petersburg was flooded on Monday.")
    assert got["Petersburg"].best.record.country_code == "US"


def test_a_namesake_the_text_anchors_still_wins(tmp_path):
    got = resolved_in_text(tmp_path, "Fire crews from Tyler and Longview in Texas drove to Paris on Monday.")
    assert got["Paris"].best.record.country_code == "US"


def test_a_word_that_names_a_village_far_from_the_story_is_no_place(tmp_path):
    got = resolved_in_text(tmp_path, "The Pope met refugees in Rome on Sunday.")
    assert "Pope" not in got
    assert got["Rome"].best.record.country_code == "IT"


def test_no_reading_the_text_backs_is_no_place(tmp_path):
    # a first name: a Greek village and an Indian town, and the story is about neither country
    got = resolved_in_text(tmp_path, "Malia joined her father in Hawaii.")
    assert "Malia" not in got and "Hawaii" in got


def test_a_village_is_read_in_the_country_of_the_story(tmp_path):
    got = resolved_in_text(tmp_path, "The minister visited Athens on Thursday. On Friday he opened a school in Delphi.")
    assert got["Delphi"].best.record.country_code == "GR"
    got = resolved_in_text(tmp_path, "Refugees walked from Moria to Mytilene on Tuesday.")
    assert got["Moria"].best.record.country_code == "GR"  # a village near the story's places stays


def test_a_town_named_like_a_region_needs_neighbours_not_a_nearby_city(tmp_path):
    got = resolved_in_text(tmp_path, "The United States envoy flew from Annapolis to the Middle East on Monday.")
    assert got["Middle East"].best.record.place_type == "region"


def test_a_famous_town_beats_a_namesake_of_as_many_people_in_the_story_country(tmp_path):
    # Venice, California has nearly the people of Venice, Italy, but a small part of its renown;
    # nor is an American city that once bore the name a reading of it
    got = resolved_in_text(tmp_path, "Officials of the United States said the summit in Venice would open on Monday.")
    assert got["Venice"].best.record.country_code == "IT"
    # the text still anchors the namesake: its neighbours are the story's places
    got = resolved_in_text(tmp_path, "Surfers drove from Santa Monica and Culver City to Venice on Monday.")
    assert got["Venice"].best.record.country_code == "US"


def test_a_town_the_model_reads_as_no_place_needs_the_story_in_its_country(tmp_path):
    # a seat of government known by its street, which names American towns
    got = resolved_in_text(tmp_path, "Officials in Whitehall said the prime minister would visit Edinburgh.")
    assert "Whitehall" not in got and "Edinburgh" in got
    # a first name that a French city bears, in a story about America
    got = resolved_in_text(tmp_path, "Nancy said she would go to Chicago.")
    assert "Nancy" not in got and "Chicago" in got
    # a city the words before it put someone bound for is a place, whatever the model says
    got = resolved_in_text(tmp_path, "A freighter bound for Antwerp sailed from Singapore on Monday.")
    assert got["Antwerp"].best.record.country_code == "BE"


def test_a_town_named_by_a_common_word_needs_the_text_to_put_it_there(tmp_path):
    got = resolved_in_text(tmp_path, "The senator said he would move to Post after the vote in Washington.")
    assert "Post" not in got and "Washington" in got
    got = resolved_in_text(tmp_path, "Ranchers drove from Lubbock to Post, Texas, on Monday.")
    assert got["Post"].best.record.country_code == "US"


def test_listed_names_agree_on_each_others_final_readings(tmp_path):
    # the Australian city is the best known Perth, but read beside a Scottish town the pair is
    # Scottish, and the other name follows Perth's reading, not the Australian first guess
    got = resolved_in_text(tmp_path, "Ana Reyes visited Perth and Inverness on Monday.")
    assert got["Perth"].best.record.country_code == "GB"
    assert got["Inverness"].best.record.country_code == "GB"
    got = resolved_in_text(tmp_path, "Ana Reyes visited Sydney, Melbourne and Perth on Monday.")
    assert {got[n].best.record.country_code for n in ("Sydney", "Melbourne", "Perth")} == {"AU"}


def test_a_city_named_like_its_own_county_is_read_as_the_city_in_a_list(tmp_path):
    got = resolved_in_text(tmp_path, "Ana Reyes visited Dublin and Cork on Monday.")
    assert got["Dublin"].best.record.place_type == "city" and got["Cork"].best.record.place_type == "city"
    assert got["Cork"].best.record.country_code == "IE"


def test_the_story_s_other_places_in_one_country_back_a_town_as_well_known_there(tmp_path):
    # Windsor, Ontario has more people, but England's Windsor is named as widely: with the
    # story's other place in Britain, it is the English town
    for text in ("Ana Reyes visited Windsor on Monday and Edinburgh on Tuesday.",
                 "Ana Reyes had lunch at Windsor on Sunday, before flying on to Edinburgh."):
        got = resolved_in_text(tmp_path, text)
        assert got["Windsor"].best.record.country_code == "GB", text
    got = resolved_in_text(tmp_path, "Ana Reyes visited Madrid on Monday and Valencia on Tuesday.")
    assert got["Valencia"].best.record.country_code == "ES"
    got = resolved_in_text(tmp_path, "Ana Reyes visited Caracas on Monday and Valencia on Tuesday.")
    assert got["Valencia"].best.record.country_code == "VE"
    got = resolved_in_text(tmp_path, "Ana Reyes visited Ottawa and Toronto before going on to Windsor.")
    assert got["Windsor"].best.record.country_code == "CA"


def test_a_famous_city_keeps_its_name_in_short_copy(tmp_path):
    for name, cc in (("Venice", "IT"), ("Paris", "FR"), ("Rome", "IT"), ("Washington", "US"), ("Sydney", "AU"),
                     ("Perth", "AU")):
        got = resolved_in_text(tmp_path, f"The minister flew to {name} on Monday.")
        assert got[name].best.record.country_code == cc, name
    # the story's other places in a country do not make a far less known namesake there win
    got = resolved_in_text(tmp_path, "Britain's prime minister visited Leeds on Monday and Washington on Tuesday.")
    assert got["Washington"].best.record.gazetteer_id == "geonames:4140963"
    got = resolved_in_text(tmp_path, "The president spoke in Dallas on Monday and in Paris on Tuesday.")
    assert got["Paris"].best.record.country_code == "FR"
    got = resolved_in_text(tmp_path, "The governor spoke in Atlanta and Macon on Monday and in Rome on Tuesday.")
    assert got["Rome"].best.record.country_code == "IT"
    for text in ("The Texas senator flew to Paris on Monday for climate talks.",
                 "The mayor of Houston, Texas, flew to Paris on Monday for climate talks."):
        assert resolved_in_text(tmp_path, text)["Paris"].best.record.country_code == "FR", text
    got = resolved_in_text(tmp_path, "The delegation visited Boston, then flew to Venice for the art fair.")
    assert got["Venice"].best.record.country_code == "IT"



def test_states_of_one_name_are_told_apart_by_renown(tmp_path):
    # every first-level division has one prior: the better known one is the reading
    got = resolved_in_text(tmp_path, "The storm hit Nassau on Monday before moving toward Florida.")
    assert got["Florida"].best.record.gazetteer_id == "countrystatecity:US-FL:1436"


def test_the_story_s_country_backs_a_state_over_a_town_named_after_it_abroad(tmp_path):
    got = resolved_in_text(tmp_path, "The Ontario premier visited Toronto and then London.")
    assert got["Ontario"].best.record.gazetteer_id == "countrystatecity:CA-ON:866"
    assert got["Toronto"].best.record.country_code == "CA"


def test_the_middle_of_a_list_is_no_qualifier(tmp_path):
    got = resolved_in_text(tmp_path, "The delegation visited Florence, Milan and Venice.")
    assert [got[n].best.record.place_type for n in ("Florence", "Milan", "Venice")] == ["city", "city", "town"]
    assert {got[n].best.record.country_code for n in ("Florence", "Milan", "Venice")} == {"IT"}
    # a name that is first of all a state still qualifies the town before it
    got = resolved_in_text(tmp_path, "Residents of Paris, Texas and Dallas gathered on Monday.")
    assert got["Paris"].best.record.country_code == "US"


def test_a_namesake_beside_a_town_of_its_neighbourhood_is_that_town_s_neighbour(tmp_path):
    # the name beside it is read first on its own (it has namesakes too, so it is no anchor)
    got = resolved_in_text(tmp_path, "Ana Reyes flew from Dundee to Perth on Monday.")
    assert got["Perth"].best.record.country_code == "GB"
    got = resolved_in_text(tmp_path, "Ana Reyes visited Detroit on Monday and Windsor on Tuesday.")
    assert got["Windsor"].best.record.country_code == "CA"
    got = resolved_in_text(tmp_path, "Ana Reyes visited Columbus, Ohio, and Dublin on Monday.")
    assert got["Dublin"].best.record.country_code == "US"  # past the state between them
    # a town a region away is no neighbour: the famous city keeps its name
    got = resolved_in_text(tmp_path, "Ana Reyes visited Berlin on Monday and Frankfurt on Tuesday.")
    assert got["Frankfurt"].best.record.population > 500_000
    got = resolved_in_text(tmp_path, "Ana Reyes visited Boston and Cambridge on Monday.")
    assert got["Boston"].best.record.country_code == "US" and got["Cambridge"].best.record.country_code == "US"


def test_a_story_of_english_towns_does_not_anchor_an_english_namesake(tmp_path):
    # the division most of the story's places lie in, named only by its people ("English"),
    # says no more than the country does: the capital keeps its name
    text = ("LONDON - English police said the poisoning in Salisbury was an attack on Britain. In Washington, "
            "officials expelled 60 diplomats. Ministers met in London and Salisbury on Monday.")
    article, _ = read_article(write(tmp_path, "a.txt", "Headline\n\n" + text))
    found = Recognizer(gazetteer()).find(article)  # demonyms too, as the geoparser reads them
    got = {r.mention.text: r for r in resolve(found, {article.id: article.text})}
    assert got["Washington"].best.record.gazetteer_id == "geonames:4140963"


def parsed(tmp_path, text: str) -> dict[str, object]:
    """The places of a one-article story read with the parse (as ``storymap build`` reads it)."""
    from storymap import ner
    from storymap.pipeline import analyse

    if not ner.available():
        import pytest

        pytest.skip("spaCy's model is not installed")
    article, _ = read_article(write(tmp_path, "a.txt", "Headline\n\n" + text))
    return {r.mention.text: r for r in analyse([article], recognizer=Recognizer(gazetteer()))[0].places}


def test_a_village_that_is_its_names_only_town_is_kept_where_someone_is_put(tmp_path):
    # the story names no country and no other place there: only the words before it back it
    got = parsed(tmp_path, "The volunteers sailed to Stromboli on Monday.")
    assert got["Stromboli"].best.record.place_type == "village"
    # said of a film, a person or a ship, the name is no place
    assert "Stromboli" not in parsed(tmp_path, "The critics praised Stromboli at the festival.")


def test_islands_news_names_on_their_own_are_the_islands(tmp_path):
    got = parsed(tmp_path, "The ferry left Piraeus and reached Samos on Friday. Others sailed to Leros.")
    assert got["Samos"].best.record.gazetteer_id == "landmark:samos"  # not the village of 1,885
    assert got["Leros"].best.record.place_type == "island"
    got = chosen(tmp_path, "The family flew from Madrid to Lanzarote, then on to Tenerife.")
    assert got["Lanzarote"].best.record.place_type == "island"
    assert got["Tenerife"].best.record.gazetteer_id == "landmark:tenerife"  # not Santa Cruz by another name
    got = chosen(tmp_path, "The yacht sailed from the Azores to the Balearics after a year in the Falklands.")
    assert got["Azores"].best.record.country_code == "PT" and got["Balearics"].best.record.country_code == "ES"
    assert got["Falklands"].best.record.place_type == "country"
    got = chosen(tmp_path, "Storm surge flooded homes across Long Island, New York officials said.")
    assert got["Long Island"].best.record.country_code == "US"  # not the Bahamas' district


def test_a_town_the_model_reads_as_no_place_is_kept_where_someone_is_put(tmp_path):
    # a town abroad in a story placed elsewhere, that the entity model does not call a place
    got = parsed(tmp_path, "The pilgrims left Madrid and reached Lourdes on Sunday.")
    assert got["Lourdes"].best.record.country_code == "FR"
    assert "Lourdes" not in parsed(tmp_path, "Officials in Madrid thanked Lourdes for her work.")
