"""A page's furniture inside the text: captions, boxes of links, credit lines, embedded posts,
trailing headlines. No place of a story may come from them (issue 24: "Background is not the trip")."""

from __future__ import annotations

import pytest
from pipeline_support import gazetteer, write

from storymap.articles import is_caption, read_article, text_article
from storymap.story import build_story

HEADLINE = "Minister begins northern tour"
LEDE = "The transport minister arrived in Leeds on Monday for a two-day visit to the region's rail depots."
MORE = "She is due to travel on to York on Tuesday to open a new station, her office said."


def body(*paragraphs: str) -> list[str]:
    """The story text (its blocks) of an article made of ``paragraphs``."""
    article, _ = text_article("\n\n".join(paragraphs), "a")
    return [article.block_text(b) for b in article.blocks]


def story_paragraphs_stay(*furniture: str) -> None:
    """The headline and the story's paragraphs stay; every paragraph of ``furniture`` goes."""
    got = body(HEADLINE, LEDE, *furniture, MORE)
    assert got == [HEADLINE, LEDE, MORE]


@pytest.mark.parametrize("caption", [
    "FILE - In this March 3, 2011 photo, the minister speaks to workers in Glasgow. (AP Photo/Jane Roe)",
    "This undated photo provided by the rail museum shows a steam engine like the one that will run to Bristol. "
    "The engine was restored last year. (Rail Museum via AP)",
    "In a 2009 file photo, the minister waves to supporters in Cardiff. (Photo: John Doe, AFP/Getty Images)",
    "Library picture: the minister at a depot in Swansea in 2012. (Jane Roe/Reuters)",
])
def test_the_caption_of_an_older_picture_goes_whole(caption):
    story_paragraphs_stay(caption)


def test_the_caption_of_the_storys_own_event_stays_as_text_but_reads_as_a_caption():
    caption = ("The minister opens the new depot in Leeds on March 4, 2024. Workers cheered as she cut the "
               "ribbon. (Photo: Jane Roe, AFP/Getty Images)")
    assert body(HEADLINE, LEDE, caption, MORE) == [HEADLINE, LEDE, caption, MORE]  # it may date a stop
    assert is_caption("Workers cheered as she cut the ribbon. (Photo: Jane Roe, AFP/Getty Images)")


@pytest.mark.parametrize("box", [
    ["Read more:", "Floods hit Lisbon as the storm moves north", "Budget talks in Vienna stall again",
     "Today's coverage from our correspondents around the world"],
    ["RELATED", "Strike closes the port of Antwerp"],
    ["See also", "[Opinion] Why Oslo matters"],
])
def test_a_box_of_links_goes_with_its_headlines(box):
    story_paragraphs_stay(*box)


@pytest.mark.parametrize("line", [
    "Related: Ferry strike strands travellers in Calais",
    "READ MORE | Warsaw mayor resigns over tram deal",
    "Also read: Dublin airport expands its runway",
    "[Read the full text of the minister's speech]",
])
def test_a_single_link_to_another_story_goes(line):
    story_paragraphs_stay(line)


def test_the_box_ends_at_the_next_paragraph_of_the_story():
    after = "Union leaders in Leeds said they welcomed the visit but wanted a firm date for the new line."
    got = body(HEADLINE, LEDE, "Related", "Floods hit Lisbon as the storm moves north", after, MORE)
    assert got == [HEADLINE, LEDE, after, MORE]


@pytest.mark.parametrize("credit", [
    "(Reporting by Jane Roe in Bengaluru; Additional reporting by Ahmed al-Sayed in Cairo; Editing by John Doe)",
    "(Writing By Jane Roe; editing by John Doe and Ann Poe)",
    "Reporting by Jane Roe in Nairobi; editing by John Doe",
    "Jane Roe in Lima and John Doe in Quito contributed to this report.",
    "The Daily Example's Ann Poe contributed reporting.",
    "Roe reported from Berlin.",
    "Roe and Doe reported from Kabul and Islamabad.",
])
def test_a_credit_line_names_where_the_reporters_were_not_the_story(credit):
    story_paragraphs_stay(credit)


@pytest.mark.parametrize("sentence", [
    "Written by the minister herself, the letter asks Madrid for help with the new line.",
    "Three universities in Lisbon contributed to the report, which found delays on every route.",
    "The agency reported from Damascus that the road to Aleppo had reopened.",
])
def test_story_sentences_that_look_like_credits_stay(sentence):
    assert body(HEADLINE, LEDE, sentence, MORE) == [HEADLINE, LEDE, sentence, MORE]


@pytest.mark.parametrize("line", [
    "Crowds wait for the minister at the station in Leeds https://t.co/abc123 pic.twitter.com/xyz789",
    "Crowds wait at the station. - Jane Roe (@janeroe) March 4, 2024",
    "A post shared by Jane Roe (@janeroe) on Mar 4, 2024 at 9:10am PST",
    "depot_opening-2024.jpg",
])
def test_embedded_posts_and_pictures_file_names_go(line):
    story_paragraphs_stay(line)


def test_headlines_after_the_storys_last_paragraph_go():
    got = body(HEADLINE, LEDE, MORE, "Giant tunnel boring machine makes its way from Hamburg to Rotterdam",
               "Watch the ferry that crosses from Dover to Calais in a storm")
    assert got == [HEADLINE, LEDE, MORE]


@pytest.mark.parametrize("tail", [
    ["REUTER"],  # a wire sign-off
    ["Tour dates", "March 4 Leeds First Direct Arena", "March 6 Glasgow Hydro and the SSE Arena"],
    ["THE ROAD AHEAD"],
    ["The minister will also visit these depots:", "The new tram depot in north Leeds",
     "The old engine sheds on the York ring road"],
])
def test_a_sign_off_and_a_dated_list_at_the_end_stay(tail):
    got = body(HEADLINE, LEDE, MORE, *tail)
    assert got[-1] == tail[-1]


def test_a_one_line_headline_is_never_furniture():
    headline = "Watch: minister tours Leeds rail depot"
    assert body(headline, LEDE, MORE)[0] == headline


@pytest.mark.parametrize(("sentence", "caption"), [
    ("FILE - In this Jan. 5, 2016, file photo, the minister speaks in Glasgow.", True),
    ("In this undated photo, the engine stands in a shed.", True),
    ("Image copyright Jane Roe Image caption The minister visited Leeds in 2019", True),
    ("Media playback is unsupported on your device", True),
    ("Watch: The minister's train arrives in York", True),
    ("The minister waves from the train. (Jane Roe/Getty Images)", True),
    ("The minister waves from the train. (Reuters/Jane Roe)", True),
    ("In this country, images of the old railway are everywhere.", False),
    ("In this picture-perfect town, the minister opened a station.", False),
    ("The minister said the file would go to Leeds for review.", False),
])
def test_caption_sentences(sentence, caption):
    assert is_caption(sentence) is caption


def test_an_html_paragraph_of_furniture_goes_too(tmp_path):
    page = f"""<html><head><title>{HEADLINE}</title></head><body><article><h1>{HEADLINE}</h1>
    <p>{LEDE}</p><p>Related: Ferry strike strands travellers in Calais</p><p>{MORE}</p>
    <p>(Reporting by Jane Roe in Bengaluru; Editing by John Doe)</p></article></body></html>"""
    article, _ = read_article(write(tmp_path, "page.html", page))
    text = " ".join(article.block_text(b) for b in article.blocks)
    assert "Leeds" in text and "York" in text
    assert "Calais" not in text and "Bengaluru" not in text


def test_no_place_of_the_furniture_reaches_the_story(tmp_path):
    write(tmp_path, "a.txt", "\n\n".join([
        HEADLINE, LEDE, MORE, "Read more:", "Floods hit Lisbon as the storm moves north",
        "(Reporting by Jane Roe in Bengaluru; Editing by John Doe)"]))
    story = build_story([tmp_path], gazetteer=gazetteer(), base=tmp_path).story
    names = {place.name for place in story.places}
    assert "Leeds" in names
    assert not names & {"Lisbon", "Bengaluru"}


@pytest.mark.parametrize(("first", "title", "outlet"), [
    ("Minister begins northern tour – Leeds Evening Post", HEADLINE, "Leeds Evening Post"),
    ("Minister begins northern tour | example-news.co.uk", HEADLINE, "example-news.co.uk"),
    ("Minister begins northern tour - BBC", HEADLINE, "BBC"),
    ("Talks on the rail line move on – The Hague", "Talks on the rail line move on – The Hague", None),
    ("Storm nears the coast - Florida braces", "Storm nears the coast - Florida braces", None),
])
def test_the_outlet_a_web_pages_title_ends_in_is_not_the_headline(first, title, outlet):
    article, _ = text_article("\n\n".join([first, LEDE, MORE]), "a")
    assert (article.title, article.source) == (title, outlet)
    assert article.block_text(article.blocks[0]) == title


def test_a_masthead_in_the_title_gives_no_place(tmp_path):
    write(tmp_path, "a.txt", "\n\n".join([HEADLINE + " – Chicago Daily Times", LEDE, MORE]))
    story = build_story([tmp_path], gazetteer=gazetteer(), base=tmp_path).story
    names = {place.name for place in story.places}
    assert "Leeds" in names and "Chicago" not in names


def test_a_paragraph_that_opens_with_the_story_stays_though_a_caption_of_an_old_picture_ends_it():
    glued = ("The minister arrived in Leeds on Monday. This undated photo provided by the ministry shows her "
             "visiting Bristol. (AP Photo/Jane Roe)")
    assert body(HEADLINE, glued, MORE) == [HEADLINE, glued, MORE]


def test_a_text_that_is_only_a_caption_is_still_read():
    caption = "This undated photo provided by the museum shows a steam engine at the depot in Bristol."
    assert body(caption) == [caption]
    assert body(HEADLINE, LEDE, caption) == [HEADLINE, LEDE]
