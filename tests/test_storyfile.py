"""The story file's records (storymap.storyfile): read and written back byte for byte."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from storymap.storyfile import (
    DateStatus, EventStatus, Geocoder, Media, Place, Review, Role, Route, Story, as_story, dumps_story, parse_story,
    read_story,
)

ROOT = Path(__file__).resolve().parent.parent

#: a story with every member the story file defines, some it does not, and odd values kept as read
EVERY_FIELD = {
    "type": "FeatureCollection",
    "bbox": [1, 2, 3, 4],
    "storymap": {
        "version": 2, "title": "Ada in Ruritania", "subject": "Ada", "headline": "Ada's tour", "dek": "A dek",
        "byline": "By me", "intro": "*Intro*", "attribution": "Places: somewhere",
        "style": "muted", "accent": "#35688a",
        "articles": [
            {"id": "a1", "file": "a1.txt", "title": "First", "source": "Outlet", "original_source": None,
             "published": "2024-05-01", "url": "https://example.org/a1", "sha256": "00", "shelf": 3},
            {"id": "a2", "file": None, "title": None, "source": None, "published": None, "url": None,
             "sha256": None, "corpus_file": "corpus/b.jsonl"},
        ],
        "travellers": [{"name": "Bea", "stops": ["strelsau"]}, {"name": None}],
        "traced": {"events": "events.parquet", "subject": "Ada", "from": None, "to": "2024-06-01"},
        "editor": {"note": "kept"},
    },
    "features": [
        {"type": "Feature", "id": "strelsau", "bbox": [0, 0, 1, 1],
         "geometry": {"type": "Point", "coordinates": [12.5, 48, 300], "crs": "kept"},
         "properties": {
             "name": "Strelsau", "role": "stop", "stop": 1, "visits": [1, 3], "date": "2024-05-01",
             "date_end": "2024-05-02", "date_text": "on Wednesday", "date_status": "inferred", "status": "reported",
             "place_type": "city", "gazetteer_id": "geonames:1", "geonameid": 1, "country_code": "RU",
             "geocoder": "offline", "confidence": 1, "stop_confidence": 0.5, "article_count": 2,
             "mention_count": 1, "excerpt": "Ada arrived in Strelsau.", "sources": "First", "part_of": None,
             "alternatives": [{"gazetteer_id": "geonames:2", "name": "Strelsau", "lat": 1.0, "lon": 2.0}],
             "mentions": [{"article": "a1", "start": 15, "end": 23, "text": "Strelsau",
                           "excerpt": "Ada arrived in Strelsau.", "confidence": 0.9, "note": "kept"}],
             "evidence": [{"article": "a1", "start": 0, "end": 24, "excerpt": "Ada arrived in Strelsau.",
                           "predicate": "arrive in", "traveller": "Ada", "status": "not reached",
                           "date": "2024-05-01", "date_end": None, "date_text": "Wednesday", "confidence": 0.7}],
             "author_text": "**Here**", "media": [{"src": "https://example.org/i.jpg", "caption": "A square",
                                                    "credit": "Me", "alt": "A square", "width": 4}],
             "zoom": 11, "review": "added", "colour": "red",
         }},
        {"type": "Feature",
         "geometry": {"type": "Point", "coordinates": [13.0, 49.0]},
         "properties": {"name": "Zenda", "role": "mention", "stop": None, "date_status": "sometime",
                        "geocoder": "online:elsewhere", "evidence": None, "mentions": []}},
        {"type": "Feature", "id": 7, "geometry": {"type": "Point", "coordinates": [0, 0]},
         "properties": {"role": "landmark", "name": "not a place of the story"}},
        {"type": "Feature", "id": "route",
         "geometry": {"type": "LineString", "coordinates": [[12.5, 48], [13.0, 49.0], [12.5, 48]]},
         "properties": {"role": "route", "name": "Route of Ada", "stops": ["strelsau"], "dates": ["2024-05-01"],
                        "statuses": ["reported"], "stroke": "#000"}},
    ],
}


def _story_files() -> list[Path]:
    return [ROOT / "data" / "places.geojson", *sorted((ROOT / "tests" / "fixtures").rglob("*.geojson"))]


@pytest.mark.parametrize("path", _story_files(), ids=lambda p: p.name)
def test_story_files_round_trip_byte_for_byte(path: Path) -> None:
    try:
        story = read_story(path)
    except Exception:  # a fixture that is meant to be refused
        pytest.skip("not a valid story file")
    assert dumps_story(story) == path.read_text(encoding="utf-8")


def test_seeds_story_file_reads_as_records() -> None:
    story = read_story(ROOT / "data" / "places.geojson")
    assert story.meta.subject == "Kim Jong Un"
    assert [p.role for p in story.stops] == [Role.STOP] * len(story.stops)
    assert story.route is not None and list(story.route.stops or ()) == [str(p.id) for p in story.route_visits()]
    first = story.stops[0]
    assert first.evidence and first.evidence[0].status == EventStatus.REPORTED
    assert first.date_status == DateStatus.REPORTED and first.geocoder == Geocoder.OFFLINE
    assert story.articles[0].id == first.evidence[0].article


def test_every_field_round_trips() -> None:
    text = dumps_story(EVERY_FIELD)
    story = parse_story(text)
    records = as_story(story)
    assert dumps_story(records) == text
    assert Story.from_geojson(records.to_geojson()) == records


def test_every_field_is_typed() -> None:
    story = as_story(json.loads(json.dumps(EVERY_FIELD)))
    stop = story.stops[0]
    assert (stop.lon, stop.lat) == (12.5, 48)
    assert stop.visits == (1, 3) and stop.review == Review.ADDED and stop.zoom == 11
    assert stop.evidence is not None and stop.evidence[0].status == EventStatus.NOT_REACHED
    assert stop.media == (Media("https://example.org/i.jpg", "A square", "Me", "A square", extra={"width": 4}),)
    assert stop.extra == {"colour": "red"}
    zenda = story.mentions[0]
    # outside the vocabulary: no value in the typed field, and the file's text kept
    assert zenda.date_status is None and zenda.extra["date_status"] == "sometime"
    assert zenda.geocoder is None and zenda.id is None
    assert isinstance(story.route, Route) and story.route.stops == ("strelsau",)
    assert [type(f).__name__ for f in story.features] == ["Place", "Place", "OtherFeature", "Route"]
    assert story.meta.travellers is not None and story.meta.travellers[1].stops is None


def test_a_changed_record_writes_what_changed() -> None:
    story = as_story(json.loads(json.dumps(EVERY_FIELD)))
    zenda = story.mentions[0]
    moved = dataclasses.replace(zenda, role=Role.STOP, stop=2, date="2024-05-03", author_text=None)
    out = story.with_place(moved).to_geojson()["features"][1]["properties"]
    assert out["role"] == "stop" and out["stop"] == 2 and out["date"] == "2024-05-03"
    assert "author_text" not in out  # still absent: nothing set it
    assert out["date_status"] == "sometime"
    assert isinstance(moved, Place) and story.with_meta(title="New").meta.title == "New"
