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
