"""The storymap spaCy components on one parsed sentence, without the gazetteer.

``nlp("...")`` with the components (:func:`storymap.components.storymap_nlp`) sets
``doc._.dateline``, ``doc._.mentions`` and ``doc._.movements``. The movement tests give
the place spans themselves, as the gazetteer would (``doc._.mentions`` set before the
pipeline runs is kept), so each tests one rule of the itinerary on one sentence: which
word governs a place, who travels, the status, the kind and the order cue. Every
sentence here is written for these tests.
"""

from __future__ import annotations

import pytest

from storymap import ner
from storymap.itinerary import EventKind, EventStatus, Reference

pytestmark = pytest.mark.skipif(not ner.available(), reason="spaCy's model is not installed")


@pytest.fixture(scope="module")
def nlp():
    from storymap.components import storymap_nlp

    return storymap_nlp()


def read(nlp, text: str, places: list[str]):
    """``text`` through the pipeline, the place spans given (each name's first occurrence)."""
    doc = nlp.make_doc(text)
    doc._.mentions = sorted((text.index(p), text.index(p) + len(p)) for p in places)
    return nlp(doc)


def events(doc) -> list[tuple]:
    """(place, predicate, traveller's name, how, status, kind, cue) of each movement."""
    return [(doc.text[c.mention[0] : c.mention[1]], c.predicate, " ".join(c.name or ()), c.how, c.status, c.kind,
             c.cue) for c in doc._.movements]


def test_the_components_follow_the_models_own_pipes(nlp) -> None:
    from storymap.components import COMPONENTS

    assert nlp.pipe_names[-len(COMPONENTS):] == list(COMPONENTS)
    assert nlp.get_pipe_meta("storymap_movements").assigns == ["doc._.movements"]


# ---------------------------------------------------------------------------- dateline


@pytest.mark.parametrize(("text", "places", "agency"), [
    ("OSLO, March 3 (Reuters) - The talks began.", ["OSLO"], "Reuters"),
    ("PORT-AU-PRINCE - Rain fell all day.", ["PORT-AU-PRINCE"], None),
    ("Kabul, Afghanistan (CNN) Roads were closed.", ["Kabul"], "CNN"),
    ("OSLO Prime Minister Erna Lund said on Monday.", ["OSLO"], None),  # run into the story
])
def test_the_dateline_component_reads_the_opening_dateline(nlp, text, places, agency) -> None:
    dl = nlp(text)._.dateline
    assert dl is not None and [text[s:e] for s, e in dl.places] == places and dl.agency == agency


@pytest.mark.parametrize("text", ["In Oslo, she said the talks went well.", "OSLO - ", "UPDATE: The talks began."])
def test_the_dateline_component_finds_none_without_story_text_after_a_dateline(nlp, text) -> None:
    assert nlp(text)._.dateline is None


# ---------------------------------------------------------------------------- toponyms


def test_the_toponym_component_takes_the_models_places_without_the_or_a_possessive(nlp) -> None:
    doc = nlp("She flew from Paris to Madrid, and Madrid's mayor met her.")
    assert [doc.text[s:e] for s, e in doc._.mentions] == ["Paris", "Madrid", "Madrid"]


@pytest.mark.parametrize(("text", "name"), [
    ("They drove to the city of Komsomolsk-on-Amur at dawn.", "Komsomolsk-on-Amur"),
    ("The ferry reached the island of Vell Roca on Sunday.", "Vell Roca"),  # a name no gazetteer has
])
def test_the_toponym_component_takes_a_name_its_cue_calls_a_place(nlp, text, name) -> None:
    doc = nlp(text)
    assert name in [doc.text[s:e] for s, e in doc._.mentions]


def test_the_toponym_component_keeps_spans_already_given(nlp) -> None:
    assert read(nlp, "She flew from Paris to Madrid.", ["Madrid"])._.mentions == [(23, 29)]


# ---------------------------------------------------------------------------- movements


@pytest.mark.parametrize(("text", "places", "expected"), [
    # a movement verb and its preposition: a destination, a presence, a way through
    ("Foreign Minister Ana Lopes flew to Abuja on Monday.", ["Abuja"],
     [("Abuja", "fly to", "Ana Lopes", "name", "reported", "visit", None)]),
    ("Ana Lopes arrived in Abuja on Monday.", ["Abuja"],
     [("Abuja", "arrive in", "Ana Lopes", "name", "reported", "visit", None)]),
    ("Ana Lopes passed through Dakar on her way to Accra.", ["Dakar", "Accra"],
     [("Dakar", "pass through", "Ana Lopes", "name", "reported", "visit", None),
      ("Accra", "way to", "Ana Lopes", "pronoun", "expected", "visit", None)]),
    # a place left is where the trip came from; "for" after "leave" is where it goes
    ("Ana Lopes left Abuja on Monday for Accra.", ["Abuja", "Accra"],
     [("Abuja", "leave", "Ana Lopes", "name", "reported", "origin", None),
      ("Accra", "leave for", "Ana Lopes", "name", "expected", "visit", None)]),
    # coordination: both places are visited
    ("Ana Lopes visited Lisbon and Porto.", ["Lisbon", "Porto"],
     [("Lisbon", "visit", "Ana Lopes", "name", "reported", "visit", None),
      ("Porto", "visit", "Ana Lopes", "name", "reported", "visit", None)]),
    # the place a thing is in: "visited a plant in X" is a visit to X
    ("Ana Lopes visited a plant in Accra.", ["Accra"],
     [("Accra", "visit", "Ana Lopes", "name", "reported", "visit", None)]),
    # a travel noun governed by a cancelling verb
    ("Ana Lopes cancelled a trip to Accra.", ["Accra"],
     [("Accra", "trip to", "Ana Lopes", "name", "cancelled", "visit", None)]),
    # status from the words above the predicate: a plan, a negation, a condition
    ("Ana Lopes is expected to travel to Accra next week.", ["Accra"],
     [("Accra", "travel to", "Ana Lopes", "name", "expected", "visit", None)]),
    ("Ana Lopes did not visit Accra.", ["Accra"],
     [("Accra", "visit", "Ana Lopes", "name", "negated", "visit", None)]),
    ("Ana Lopes would fly to Accra if the talks succeed.", ["Accra"],
     [("Accra", "fly to", "Ana Lopes", "name", "expected", "visit", None)]),
    # an order cue: what came "after touring" came earlier
    ("Ana Lopes visited Accra after touring Lagos.", ["Accra", "Lagos"],
     [("Accra", "visit", "Ana Lopes", "name", "reported", "visit", None),
      ("Lagos", "tour", "Ana Lopes", "name", "reported", "visit", "earlier")]),
    # a pronoun takes the last named clause subject; "then" orders it later
    ("Ana Lopes met the president. She then flew to Accra.", ["Accra"],
     [("Accra", "fly to", "Ana Lopes", "pronoun", "reported", "visit", "later")]),
    # the end of a journey: "ends the trip in", "the last stop"; a first leg came earlier
    ("Ana Lopes will fly to Lagos before ending the trip in Accra.", ["Lagos", "Accra"],
     [("Lagos", "fly to", "Ana Lopes", "name", "expected", "visit", None),
      ("Accra", "trip in", "Ana Lopes", "name", "expected", "visit", "final")]),
    ("Ana Lopes will make the last stop of her tour in Accra.", ["Accra"],
     [("Accra", "stop in", "Ana Lopes", "name", "expected", "visit", "final")]),
    ("Ana Lopes began the first leg of her tour in Lagos.", ["Lagos"],
     [("Lagos", "leg in", "Ana Lopes", "name", "reported", "visit", "earlier")]),
    ("Ana Lopes began her tour in Lagos.", ["Lagos"],
     [("Lagos", "begin in", "Ana Lopes", "name", "reported", "visit", "first")]),
    ("Ana Lopes spent the past days in Lagos.", ["Lagos"],
     [("Lagos", "spend in", "Ana Lopes", "name", "reported", "visit", "earlier")]),
    # "her first visit" is a first ever, not a first stop
    ("Ana Lopes made her first visit to Accra.", ["Accra"],
     [("Accra", "visit to", "Ana Lopes", "pronoun", "reported", "visit", None)]),
    # a place as a subject ("Moscow said") is no traveller and no event
    ("Moscow said Ana Lopes flew to Accra.", ["Moscow", "Accra"],
     [("Accra", "fly to", "Ana Lopes", "name", "reported", "visit", None)]),
    # a wish is no plan; a planned or upcoming trip is one; a trip a cancelled tour was to make is cancelled
    ("Ana Lopes hopes to visit Accra next year.", ["Accra"],
     [("Accra", "visit", "Ana Lopes", "name", "hypothetical", "visit", None)]),
    ("Ana Lopes spoke about her planned trip to Accra.", ["Accra"],
     [("Accra", "trip to", "Ana Lopes", "pronoun", "expected", "visit", None)]),
    ("Ana Lopes announced an upcoming visit to Accra.", ["Accra"],
     [("Accra", "visit to", "Ana Lopes", "name", "expected", "visit", None)]),
    ("The choir postponed its tour, which was to include concerts in Leeds and Cardiff.", ["Leeds", "Cardiff"],
     [("Leeds", "concert in", "", "context", "cancelled", "visit", None),
      ("Cardiff", "concert in", "", "context", "cancelled", "visit", None)]),
    # a conveying verb's passive subject went there
    ("The nurses were transported to Accra on Sunday.", ["Accra"],
     [("Accra", "transport to", "", "title", "reported", "visit", None)]),
    # a tour's course told in the present is still ahead; its list "including" places is its own
    ("Ana Lopes began a tour that takes her to Hanoi and Jakarta.", ["Hanoi", "Jakarta"],
     [("Hanoi", "take to", "Ana Lopes", "pronoun", "expected", "visit", None),
      ("Jakarta", "take to", "Ana Lopes", "pronoun", "expected", "visit", None)]),
    ("Ana Lopes is on a tour of Asia, including Hanoi and Jakarta.", ["Asia", "Hanoi", "Jakarta"],
     [("Asia", "tour of", "Ana Lopes", "name", "reported", "visit", None),
      ("Hanoi", "tour including", "Ana Lopes", "name", "reported", "visit", None),
      ("Jakarta", "tour including", "Ana Lopes", "name", "reported", "visit", None)]),
    # a listener told something is no plan: "told a news conference" is where she was
    ("Ana Lopes told a news conference in Oslo that talks would resume.", ["Oslo"],
     [("Oslo", "conference in", "Ana Lopes", "name", "reported", "visit", None)]),
    # meeting a place's officeholder is meeting at the place, unless the sentence names another
    ("Ana Lopes will meet Texas Governor Jo Lee on Monday.", ["Texas"],
     [("Texas", "meet", "Ana Lopes", "name", "expected", "visit", None)]),
    ("Ana Lopes met Texas Governor Jo Lee in Oslo.", ["Texas", "Oslo"],
     [("Oslo", "meet in", "Ana Lopes", "name", "reported", "visit", None)]),
    ("Ana Lopes praised Texas Governor Jo Lee.", ["Texas"], []),
    # the air above a place is flown over, not visited
    ("The pilot crossed the airspace of Tunisia.", ["Tunisia"], []),
    # topics and names stop the climb: no event
    ("Ana Lopes held talks on the conflict in Syria.", ["Syria"], []),
    ("The Bank of England said rates would rise.", ["England"], []),
])
def test_the_movement_component_reads_one_sentence(nlp, text, places, expected) -> None:
    assert events(read(nlp, text, places)) == expected


def test_the_members_of_a_list_share_its_role_and_keep_their_own_dates(nlp) -> None:
    doc = read(nlp, "The choir announced a tour with concerts in Leeds on May 3, Glasgow on May 5 and "
               "Cardiff on May 8.", ["Leeds", "Glasgow", "Cardiff"])
    assert [(doc.text[c.mention[0] : c.mention[1]], c.predicate, c.status, [d.text for d in c.dates])
            for c in doc._.movements] == [("Leeds", "concert in", "expected", ["May 3"]),
                                          ("Glasgow", "concert in", "expected", ["May 5"]),
                                          ("Cardiff", "concert in", "expected", ["May 8"])]


def test_a_place_after_a_list_is_no_member(nlp) -> None:
    doc = read(nlp, "Ana Lopes flew to Oslo on Monday, Bergen officials said.", ["Oslo", "Bergen"])
    assert [doc.text[c.mention[0] : c.mention[1]] for c in doc._.movements] == ["Oslo"]


@pytest.mark.parametrize(("word", "lemma"), [("hopes", "hope"), ("hoped", "hope"), ("hoping", "hope"),
                                             ("rides", "ride"), ("hopped", "hop"), ("visited", "visit")])
def test_the_lemma_component_mends_a_verb_cut_short(nlp, word, lemma) -> None:
    doc = nlp(f"She {word} there.")
    assert doc[1].lemma_ == lemma


def test_the_lemma_component_mends_a_verb_of_movement_read_as_a_noun(nlp) -> None:
    # (the small English model reads "heads" here as a plural noun with the name its compound)
    doc = read(nlp, "Ana Reyes heads to Beijing on Thursday.", ["Beijing"])
    assert doc[2].pos_ == "VERB" and doc[1].dep_ == "nsubj"
    assert events(doc) == [("Beijing", "head to", "Reyes", Reference.NAME, EventStatus.EXPECTED,
                            EventKind.VISIT, None)]


@pytest.mark.parametrize(("text", "years"), [
    ("Ana Lopes previously visited Oslo as a student.", (-1,)),
    ("Ana Lopes studied in Oslo in the 1990s.", (1990,)),
    ("It is her first visit since 2009, when Ana Lopes toured Oslo.", (2009,)),
    ("Ana Lopes visited Oslo on Monday.", ()),
])
def test_an_earlier_occasion_gives_the_act_a_past_year(nlp, text, years) -> None:
    assert [c.years for c in read(nlp, text, ["Oslo"])._.movements] == [years]


def test_a_relative_clauses_year_is_not_the_main_acts(nlp) -> None:
    doc = read(nlp, "Ana Lopes, who visited Oslo last year, arrived in Rome on Monday.", ["Oslo", "Rome"])
    assert [(doc.text[c.mention[0] : c.mention[1]], c.years) for c in doc._.movements] == \
        [("Oslo", (-1,)), ("Rome", ())]


def test_a_distance_is_no_visit_but_a_sinking_is_an_end(nlp) -> None:
    # the place a distance is measured from is no visit; the position it gives is where the ship sank
    doc = read(nlp, "The ship sank 70 miles south of Accra.", ["Accra"])
    assert [(doc.text[c.mention[0]:c.mention[1]] if c.mention[0] >= 0 else None, c.predicate, c.kind)
            for c in doc._.movements] == [("70 miles south of Accra", "sink", "visit"), (None, "sink", "end")]


def test_the_movement_component_reads_the_models_places_when_none_are_given(nlp) -> None:
    doc = nlp("She later visited Paris before returning to Madrid.")
    assert [(doc.text[c.mention[0] : c.mention[1]], c.predicate) for c in doc._.movements] == \
        [("Paris", "visit"), ("Madrid", "return to")]


def test_the_pipeline_reads_an_articles_movements_through_the_component(tmp_path) -> None:
    # over an article the movements wait for its places; a pronoun in one paragraph takes
    # the name of an earlier one, and each piece's doc._.movements holds its own
    from storymap.articles import read_article
    from storymap.components import parse_articles, read_movements

    path = tmp_path / "a.txt"
    path.write_text("Envoy travels\n\nOSLO, March 3 (Reuters) - Ana Lopes arrived in Oslo on Monday.\n\n"
                    "She flew to Bergen on Tuesday.\n", encoding="utf-8")
    article, _ = read_article(path)
    document = parse_articles([article])[0]
    text = article.text
    assert document.dateline is not None and text[document.dateline.start : document.dateline.end] == \
        "OSLO, March 3 (Reuters) - "
    oslo, bergen = text.index("Oslo on"), text.index("Bergen")
    places = [(oslo, oslo + 4), (bergen, bergen + 6)]  # as recognition finds them
    found = read_movements([document], [places])
    assert [(text[c.mention[0] : c.mention[1]], c.predicate, c.how, c.name) for c in found] == [
        ("Oslo", "arrive in", "name", ("Ana", "Lopes")), ("Bergen", "fly to", "pronoun", ("Ana", "Lopes"))]
    assert [c for doc in document.docs for c in doc._.movements] == found
    assert sum(len(doc._.mentions) for doc in document.docs) == 2
