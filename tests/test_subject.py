"""A story's subject: the travellers the texts name (and how often), and a story built again
for another subject that keeps the corrections that still apply (issue 25, item 1)."""

from __future__ import annotations

import pytest
from pipeline_support import ROOT, SEEDS, gazetteer

from storymap import edits as ed
from storymap.edits import Edits, carry_edits, unapplied
from storymap.story import rebuild_story
from storymap.storyfile import read_story


def corrections() -> Edits:
    edits = ed.reject(Edits(), "komsomolsk-on-amur-aircraft-plant")
    edits = ed.set_role(edits, "vladivostok", "stop", date="2023-09-16", status="reported", had_date=False)
    edits = ed.accept(edits, "vostochny-cosmodrome")
    edits = ed.reject(edits, "atlantis")  # a place no build of these articles has
    return ed.use_candidate(edits, "moscow", "geonames:0")  # a candidate Moscow does not offer


def test_carry_edits_keeps_what_applies_and_names_the_rest():
    story = read_story(ROOT / "data" / "places.geojson")
    kept, dropped = carry_edits(story, corrections())
    assert kept.rejected == ["komsomolsk-on-amur-aircraft-plant"]
    assert kept.accepted == ["vostochny-cosmodrome"]
    assert kept.dates["vladivostok"] == {"date": "2023-09-16", "status": "reported"}
    assert kept.roles == {"vladivostok": "stop"} and not kept.candidates
    assert dropped == ["'atlantis' is not in this story (edits: rejected)",
                       "'moscow' has no alternative candidate geonames:0"]
    assert dropped == unapplied(story, corrections())
    assert carry_edits(story, kept) == (kept, [])  # what is kept applies as a whole


def test_the_story_file_names_the_travellers_and_how_often():
    story = read_story(ROOT / "data" / "places.geojson")
    assert [(t.name, t.named) for t in story.meta.travellers or ()] == [("Kim Jong Un", 22), ("Vladimir Putin", 13)]


@pytest.fixture(scope="module")
def rebuilt():
    return rebuild_story([SEEDS], "Vladimir Putin", corrections(), gazetteer=gazetteer(), base=ROOT)


def test_a_new_subject_rebuilds_the_route_and_keeps_the_corrections_that_apply(rebuilt):
    story = rebuilt.result.story
    assert story.meta.subject == "Vladimir Putin"
    assert story.meta.title == "Vladimir Putin: Vostochny Cosmodrome to North Korea"
    # the subject first, then the others
    assert [(t.name, t.named) for t in story.meta.travellers or ()] == [("Vladimir Putin", 13), ("Kim Jong Un", 22)]
    # Putin met Kim there and accepted his invitation to visit North Korea; Kim went on
    assert [str(p.id) for p in story.stops] == ["vostochny-cosmodrome", "north-korea"]
    assert rebuilt.edits.rejected == ["komsomolsk-on-amur-aircraft-plant"]
    assert rebuilt.edits.roles == {"vladivostok": "stop"}
    assert rebuilt.dropped == ["'atlantis' is not in this story (edits: rejected)",
                               "'moscow' has no alternative candidate geonames:0"]
    shown = ed.apply_edits(story, rebuilt.edits)
    assert [str(p.id) for p in shown.stops] == ["vostochny-cosmodrome", "north-korea", "vladivostok"]
    [route] = [f for f in shown.features if str(f.id) == "route"]
    assert route.name == "Route of Vladimir Putin"
