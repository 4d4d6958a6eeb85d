"""Reading articles: decoding, page furniture, title/outlet/date, metadata files, bad input."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pipeline_support import SEEDS, write

from storymap.articles import read_article, sentences
from storymap.errors import ArticleError


def story_text(article) -> str:
    return "\n".join(article.block_text(b) for b in article.blocks)


def test_dateline_and_comment_furniture_is_not_story_text_but_gives_the_date():
    article, warnings = read_article(SEEDS / "003_db84e1b7961d4165.txt")
    body = story_text(article)
    assert warnings == []
    for furniture in ("28.1 C", "New Delhi", "Friday, September 22, 2023", "Related Articles", "Stay Connected",
                      "Advertisement", "For more updates stay tuned", "Please enter your comment", "Latest Articles",
                      "Source: India Today"):
        assert furniture not in body
    assert article.published == dt.date(2023, 9, 22)
    assert article.title == "Kim Jong Un’s Visit to Russian Fighter Jet Plant Amid Arms Deal Speculation"
    assert article.source == "FELA News"
    assert article.original_source == "India Today"


def test_blogger_furniture_is_dropped_and_the_first_line_is_the_title():
    article, _ = read_article(SEEDS / "000_ea784d2238370bf0.txt")
    body = story_text(article)
    assert "Powered by Blogger" not in body and "No comments" not in body
    assert article.title.startswith("Kim Jong Un visits fighter jet plant in Russia")
    assert article.published is None  # the text states no publication date


def test_blocks_index_the_file_text_exactly():
    path = SEEDS / "000_ea784d2238370bf0.txt"
    article, _ = read_article(path)
    raw = path.read_text(encoding="utf-8")
    assert article.text == raw
    for b in article.blocks:
        assert raw[b.start : b.end] == article.block_text(b)
        assert raw[b.start : b.end].strip() == raw[b.start : b.end]


def test_sentences_split_on_full_stops_but_not_abbreviations(tmp_path):
    path = write(tmp_path, "a.txt", "Headline here\n\nMr. Smith went to the U.S. capital on Monday. He left Tuesday.")
    article, _ = read_article(path)
    got = [article.text[s.start : s.end] for s in sentences(article)]
    assert got == ["Headline here", "Mr. Smith went to the U.S. capital on Monday.", "He left Tuesday."]


def test_metadata_file_overrides_what_the_text_lacks(tmp_path):
    path = write(tmp_path, "story.txt", "A headline\n\nThe minister arrived in Paris.")
    write(tmp_path, "story.meta.json", json.dumps({"title": "Given title", "source": "The Outlet",
                                                   "published": "2024-02-03", "url": "https://example.org/a"}))
    article, warnings = read_article(path)
    assert (article.title, article.source, article.published, article.url) == (
        "Given title", "The Outlet", dt.date(2024, 2, 3), "https://example.org/a")
    assert warnings == []


@pytest.mark.parametrize("meta", ["{not json", "[1, 2]", '{"published": "last week"}', '{"title": 42}'])
def test_malformed_metadata_is_reported_by_file_and_ignored(tmp_path, meta):
    path = write(tmp_path, "story.txt", "A headline\n\nThe minister arrived in Paris.")
    write(tmp_path, "story.meta.json", meta)
    article, warnings = read_article(path)
    assert article.blocks
    assert len(warnings) == 1 and "story.meta.json" in warnings[0]


def test_markdown_front_matter_supplies_metadata(tmp_path):
    path = write(tmp_path, "story.md", "---\ntitle: Front title\npublished: 2022-05-01\nsource: Wire\n---\n"
                                       "# Heading\n\nThe envoy flew to Tokyo.\n")
    article, _ = read_article(path)
    assert article.title == "Front title" and article.published == dt.date(2022, 5, 1) and article.source == "Wire"
    assert "title:" not in story_text(article)
    assert story_text(article).splitlines()[0] == "Heading"


def test_html_article_text_is_extracted_with_offsets_into_the_file(tmp_path):
    html = """<!doctype html><html><head><title>Envoy in Tokyo</title>
    <meta property="og:site_name" content="Daily Wire Example"></head><body>
    <nav><a href="/">Home</a> <a href="/world">World</a></nav>
    <article><h1>Envoy lands in Tokyo</h1>
    <p>The envoy arrived in Tokyo on Monday for talks with Japanese officials about trade &amp; security.</p>
    <p>She is expected to travel to Osaka later in the week, officials said in a statement on Monday.</p>
    </article><footer>Related Articles | Share this | Powered by Example</footer></body></html>"""
    path = write(tmp_path, "page.html", html)
    article, _ = read_article(path)
    body = story_text(article)
    assert "arrived in Tokyo" in body and "Osaka" in body
    assert "Related Articles" not in body and "Home" not in body
    i = article.text.index("Tokyo on Monday")
    assert any(b.start <= i < b.end for b in article.blocks)


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "empty"), (b"   \n\n", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary"),
     ("Caf\u00e9 in Paris".encode("latin-1"), "not UTF-8")],
)
def test_bad_files_raise_a_message_naming_the_file(tmp_path, content, problem):
    path = write(tmp_path, "bad.txt", content)
    with pytest.raises(ArticleError) as info:
        read_article(path)
    assert str(path) in str(info.value) and problem in str(info.value)


def test_huge_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(ArticleError, match="too large"):
        read_article(path)


def test_only_furniture_is_an_article_without_text(tmp_path):
    path = write(tmp_path, "f.txt", "Related Articles\n\nStay Connected\n\nPowered by Blogger.")
    with pytest.raises(ArticleError, match="no article text"):
        read_article(path)


def test_a_short_headline_with_a_date_is_still_the_headline(tmp_path):
    path = write(tmp_path, "a.txt", "Kim arrives on September 13\n\nKim Jong Un arrived at the cosmodrome.")
    article, _ = read_article(path)
    assert article.title == "Kim arrives on September 13"
    assert article.published is None
    assert story_text(article).startswith("Kim arrives on September 13")
