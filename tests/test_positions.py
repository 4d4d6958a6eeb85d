"""Positions: a distance and compass direction from a named place ("about 70 miles
south-southwest of Apalachicola") is a computed point, the great-circle destination from
that place, which may be a stop while the place it is measured from stays a mention; and
the moving things' other words: a landfall near a town, a flight's origin and diversion, a
ship's port of departure and destination. Every sentence here is written for these tests."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from pipeline_support import gazetteer, write

from storymap import ner
from storymap.positions import (compass_bearing, computed_id, destination, id_precision_km, is_computed,
                                precision_km, reference_id)

needs_model = pytest.mark.skipif(not ner.available(), reason="spaCy's model is not installed")


# ---------------------------------------------------------------------------- the compass and the sphere


@pytest.mark.parametrize(("word", "bearing", "abbreviation"), [
    ("north", 0.0, "N"), ("east", 90.0, "E"), ("southwest", 225.0, "SW"), ("south-southwest", 202.5, "SSW"),
    ("SSW", 202.5, "SSW"), ("NE", 45.0, "NE"), ("south-east", 135.0, "SE"), ("east-northeast", 67.5, "ENE"),
    ("north-northwest", 337.5, "NNW"), ("W", 270.0, "W"),
])
def test_a_compass_direction_has_its_bearing(word, bearing, abbreviation) -> None:
    assert compass_bearing(word) == (pytest.approx(bearing), abbreviation)


@pytest.mark.parametrize("word", ["north-south", "east-southwest", "new", "we", "central", "Apalachicola", ""])
def test_other_words_are_no_direction(word) -> None:
    assert compass_bearing(word) is None


def test_the_destination_is_along_the_great_circle() -> None:
    lat, lon = destination(0.0, 0.0, 0.0, 111.195)  # a degree of the mean sphere northward
    assert lat == pytest.approx(1.0, abs=1e-3) and lon == pytest.approx(0.0, abs=1e-9)
    lat, lon = destination(0.0, 179.5, 90.0, 111.195)  # over the antimeridian
    assert lat == pytest.approx(0.0, abs=1e-9) and lon == pytest.approx(-179.5, abs=1e-3)
    lat, lon = destination(45.0, 10.0, 225.0, 100.0)
    back = math.dist((lat, lon * math.cos(math.radians(45))), (45.0, 10.0 * math.cos(math.radians(45))))
    assert back * 111.2 == pytest.approx(100.0, rel=0.01)


def test_a_computed_id_carries_the_reference_and_the_precision() -> None:
    gid = computed_id(112.7, 202.5, "geonames:4146166")
    assert gid == "computed:112.7km@202.5:geonames:4146166"
    assert is_computed(gid) and reference_id(gid) == "geonames:4146166"
    assert id_precision_km(gid) == precision_km(112.7, 202.5)
    assert not is_computed("geonames:4146166") and reference_id("naturalearth:US") is None
    # a 16-point direction is narrower than an 8-point one
    assert precision_km(100.0, 202.5) < precision_km(100.0, 225.0) < 100.0


# ---------------------------------------------------------------------------- one sentence


@pytest.fixture(scope="module")
def nlp():
    if not ner.available():
        pytest.skip("spaCy's model is not installed")
    from storymap.components import storymap_nlp

    return storymap_nlp()


def read(nlp, text: str, places: list[str]):
    doc = nlp.make_doc(text)
    doc._.mentions = sorted((text.index(p), text.index(p) + len(p)) for p in places)
    return nlp(doc)


def positions(doc) -> list[tuple]:
    return [(doc.text[p.start : p.end], p.name, round(p.distance_km, 1), p.bearing,
             doc.text[p.reference[0] : p.reference[1]]) for p in doc._.positions]


def events(doc) -> list[tuple]:
    return [(doc.text[c.mention[0] : c.mention[1]], c.predicate, c.traveller, c.status, c.kind)
            for c in doc._.movements if c.mention[0] >= 0]


@needs_model
@pytest.mark.parametrize(("text", "places", "expected"), [
    ("At noon the storm was centered about 70 miles south-southwest of Marlow Bay and moving north.",
     ["Marlow Bay"], [("70 miles south-southwest of Marlow Bay", "70 miles SSW of Marlow Bay", 112.7, 202.5,
                       "Marlow Bay")]),
    ("The typhoon was 120 km (75 miles) east of Kestrel Island on Monday.", ["Kestrel Island"],
     [("120 km (75 miles) east of Kestrel Island", "120 km E of Kestrel Island", 120.0, 90.0, "Kestrel Island")]),
    ("The tanker sank 40 nautical miles north-east of the Velden Islands.", ["Velden Islands"],
     [("40 nautical miles north-east of the Velden Islands", "40 nautical miles NE of Velden Islands", 74.1, 45.0,
       "Velden Islands")]),
    ("Gusts reached 1,200 km NNW of Port Arden.", ["Port Arden"],
     [("1,200 km NNW of Port Arden", "1,200 km NNW of Port Arden", 1200.0, 337.5, "Port Arden")]),
])
def test_the_positions_component_reads_a_distance_and_direction_from_a_place(nlp, text, places, expected) -> None:
    assert positions(read(nlp, text, places)) == expected


@needs_model
@pytest.mark.parametrize(("text", "places"), [
    ("The storm moved north of Port Arden.", ["Port Arden"]),  # no distance
    ("It was 70 miles from Port Arden.", ["Port Arden"]),  # no direction
    ("The hurricane brought 10 inches of rain east of Port Arden.", ["Port Arden"]),  # no unit of length
    ("Ten miles inland, the east of Port Arden flooded.", ["Port Arden"]),
])
def test_no_position_without_a_distance_a_unit_and_a_direction(nlp, text, places) -> None:
    assert read(nlp, text, places)._.positions == []


@needs_model
def test_a_position_is_where_the_storm_is_and_its_reference_is_no_stop(nlp) -> None:
    doc = read(nlp, "Hurricane Mira was centered 300 miles east of Port Arden on Sunday.", ["Port Arden"])
    assert events(doc) == [("300 miles east of Port Arden", "center", "Hurricane Mira", "reported", "visit")]
    doc = read(nlp, "The storm is expected to be about 45 miles (70 km) northwest of Port Arden by Friday.",
               ["Port Arden"])
    assert [(place, status) for place, _, _, status, _ in events(doc)] == \
        [("45 miles (70 km) northwest of Port Arden", "expected")]


@needs_model
@pytest.mark.parametrize(("text", "traveller"), [
    ("The center of Hurricane Mira was about 45 miles northwest of Port Arden on Monday.", "Hurricane Mira"),
    ("At 5 p.m., the eye of the storm was located 120 km east of Port Arden.", "storm"),
    ("Hurricane Mira's center was 300 miles east of Port Arden.", "Hurricane Mira"),
])
def test_the_center_of_a_storm_is_where_the_storm_is(nlp, text, traveller) -> None:
    [(_, _, who, _, _)] = events(read(nlp, text, ["Port Arden"]))
    assert who == traveller


@needs_model
def test_a_position_that_tells_where_a_named_place_is_is_not_another_place(nlp) -> None:
    doc = read(nlp, "Hurricane Mira made landfall in Corvia on Tuesday, about 200 miles south of Port Arden.",
               ["Corvia", "Port Arden"])
    assert [place for place, *_ in events(doc)] == ["Corvia"]


@needs_model
@pytest.mark.parametrize("text", [
    "Hurricane Mira made landfall near Port Arden on Tuesday.",
    "The storm came ashore near Port Arden late on Tuesday.",
    "At 8 p.m. the storm was centered near Port Arden.",
])
def test_a_landfall_near_a_town_or_a_storm_centred_near_it_is_at_the_town(nlp, text) -> None:
    assert [place for place, *_ in events(read(nlp, text, ["Port Arden"]))] == ["Port Arden"]


@needs_model
def test_near_is_still_a_reference_point_without_a_landfall(nlp) -> None:
    assert events(read(nlp, "The storm dumped rain on farms near Port Arden.", ["Port Arden"])) == []


# ---------------------------------------------------------------------------- the story


def build(tmp_path: Path, body: str, published: str = "2021-08-03") -> dict:
    from storymap.story import build_story

    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "a.txt", body)
    write(folder, "a.meta.json", f'{{"published": "{published}"}}')
    return build_story([folder], gazetteer=gazetteer()).story.to_geojson()


STORM = ("Hurricane Delia nears the coast\n\n"
         "MIAMI, Aug 3 (Reuters) - Hurricane Delia strengthened on Tuesday, the National Hurricane Center said.\n\n"
         "At 11 a.m. the storm was centered about 70 miles south-southwest of Apalachicola, Florida, and was "
         "moving north-northwest at 10 mph, the center said.\n\n"
         "Forecasters said Delia was expected to make landfall near Panama City late on Tuesday.\n")


@needs_model
def test_a_storms_position_is_a_computed_stop_measured_from_a_mention(tmp_path) -> None:
    story = build(tmp_path, STORM)
    places = {f["properties"]["name"]: f for f in story["features"] if f["properties"].get("role") != "route"}
    point = places["70 miles SSW of Apalachicola"]
    props = point["properties"]
    assert props["role"] == "stop" and props["stop"] == 1 and props["status"] == "reported"
    assert props["geocoder"] == "computed" and props["place_type"] == "place"
    reference = places["Apalachicola"]
    assert reference["properties"]["role"] == "mention" and props["reference"] == reference["id"]
    assert reference_id(props["gazetteer_id"]) == reference["properties"]["gazetteer_id"]
    assert 30 < props["precision_km"] < 40
    lon, lat = point["geometry"]["coordinates"]
    rlon, rlat = reference["geometry"]["coordinates"]
    assert lat < rlat and lon < rlon  # south-southwest of it
    assert places["Panama City"]["properties"]["stop"] == 2  # the landfall near a town
    assert [m["text"] for m in props["mentions"]] == ["70 miles south-southwest of Apalachicola"]


@needs_model
def test_a_computed_point_reads_back_and_exports(tmp_path) -> None:
    from storymap.cli import main
    from storymap.storyfile import dumps_story, load_story, read_story

    path = tmp_path / "storm.geojson"
    path.write_text(dumps_story(build(tmp_path, STORM)), encoding="utf-8")
    story = read_story(path)
    point = next(p for p in story.stops if p.geocoder == "computed")
    assert point.reference == "apalachicola" and point.precision_km is not None
    assert dumps_story(story) == path.read_text(encoding="utf-8")
    for fmt in ("geojson", "gpkg", "csv", "kml", "html"):
        run = CliRunner().invoke(main, ["export", str(path), "-o", str(tmp_path / f"out.{fmt}")])
        assert run.exit_code == 0, run.output
    again = load_story(tmp_path / "out.geojson")
    kept = next(f for f in again["features"] if f["properties"].get("geocoder") == "computed")["properties"]
    assert kept["reference"] == "apalachicola" and kept["precision_km"] == point.precision_km


# ---------------------------------------------------------------------------- flights and ships


@needs_model
@pytest.mark.parametrize(("text", "places", "expected"), [
    ("The airliner was diverted to Norvik after a passenger fell ill.", ["Norvik"],
     [("Norvik", "divert to", "airliner", "reported", "visit")]),
    ("The hijacker diverted the plane to Norvik.", ["Norvik"],  # the plane goes, whoever diverts it
     [("Norvik", "divert to", "plane", "reported", "visit")]),
    ("The plane landed at Norvik airport on Monday.", ["Norvik"],  # the airport's role places its town
     [("Norvik", "land at", "plane", "reported", "visit")]),
    ("The jet lifted off from Castella on Monday.", ["Castella"],
     [("Castella", "lift from", "jet", "reported", "origin")]),
    ("He seized the aircraft minutes after takeoff from Castella.", ["Castella"],
     [("Castella", "takeoff from", "He", "reported", "origin")]),
    ("The flight took off from Castella and made an emergency landing in Norvik.", ["Castella", "Norvik"],
     [("Castella", "take from", "flight", "reported", "origin"), ("Norvik", "make in", "flight", "reported", "visit")]),
    ("The freighter sailed from Castella on Friday, bound for Norvik.", ["Castella", "Norvik"],
     [("Castella", "sail from", "freighter", "reported", "origin"),
      ("Norvik", "bind for", "freighter", "expected", "visit")]),
    ("The cargo ship departed Castella for Norvik on Monday.", ["Castella", "Norvik"],
     [("Castella", "depart", "cargo ship", "reported", "origin"),
      ("Norvik", "depart for", "cargo ship", "expected", "visit")]),
    ("The tanker, headed to Norvik, left Castella last week.", ["Norvik", "Castella"],
     [("Norvik", "head to", "tanker", "reported", "visit"), ("Castella", "leave", "tanker", "reported", "origin")]),
    ("The ferry arrived in Norvik on Sunday.", ["Norvik"], [("Norvik", "arrive in", "ferry", "reported", "visit")]),
    ("Norvik airport officials said the runway was closed.", ["Norvik"], []),
])
def test_a_flights_origin_and_diversion_and_a_ships_ports(nlp, text, places, expected) -> None:
    assert events(read(nlp, text, places)) == expected
