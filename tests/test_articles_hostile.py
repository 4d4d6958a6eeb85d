"""Hostile input: encodings, special files, broken metadata, colliding names, long texts.

Each case ends in a clean one-line message naming the file, or in a built story.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from pipeline_support import gazetteer, write

from storymap import articles, ner
from storymap.articles import MAX_SENTENCE, read_article, sentence_at, sentences, unique_ids
from storymap.cli import main
from storymap.errors import ArticleError
from storymap.story import build_story

TEXT = ("Envoy visits Lisbon\n\nThe envoy Ana Silva arrived in Lisbon on Monday for talks on trade.\n\n"
        "She is expected to travel to Porto on Wednesday, her office said.\n")


def story_text(article) -> str:
    return "\n".join(article.block_text(b) for b in article.blocks)


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be",
                                   "utf-8-sig"])
def test_text_with_a_byte_order_mark_is_decoded(tmp_path, codec):
    bom = {"utf-16-le": "\ufeff", "utf-16-be": "\ufeff", "utf-32-le": "\ufeff", "utf-32-be": "\ufeff"}.get(codec, "")
    path = write(tmp_path, "a.txt", (bom + TEXT).encode(codec))
    article, warnings = read_article(path)
    assert warnings == []
    assert article.text == TEXT
    assert article.title == "Envoy visits Lisbon"
    assert "arrived in Lisbon" in story_text(article)


def test_utf16_without_a_byte_order_mark_is_refused_with_a_hint(tmp_path):
    path = write(tmp_path, "a.txt", TEXT.encode("utf-16-le"))
    with pytest.raises(ArticleError, match="UTF-16") as info:
        read_article(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("content", [bytes(range(256)) * 40, b"\xff\xfe" + bytes(range(256)) * 40,
                                     b"\x7fELF\x02\x01\x01" + b"\x00" * 500 + b"text" * 50])
def test_real_binary_is_still_refused(tmp_path, content):
    path = write(tmp_path, "a.txt", content)
    with pytest.raises(ArticleError, match="binary") as info:
        read_article(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_stray_nul_bytes_are_read_as_spaces_with_a_warning(tmp_path):
    raw = TEXT.replace("Monday", "Mon\x00day").encode("utf-8")
    path = write(tmp_path, "a.txt", raw)
    article, warnings = read_article(path)
    assert len(warnings) == 1 and str(path) in warnings[0] and "NUL" in warnings[0]
    assert len(article.text) == len(raw.decode("utf-8"))  # offsets still index the file's text
    assert "Mon day" in story_text(article)


@pytest.mark.parametrize(("content", "problem"), [(b"", "empty"), (b" \r\n\t\n", "empty"),
                                                  ("\ufeff  \n".encode(), "empty"),
                                                  ("\ufeff".encode("utf-16"), "empty")])
def test_empty_and_blank_files_are_refused(tmp_path, content, problem):
    path = write(tmp_path, "a.txt", content)
    with pytest.raises(ArticleError, match=problem):
        read_article(path)


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_any_newline_convention_splits_lines(tmp_path, newline):
    path = write(tmp_path, "a.txt", TEXT.replace("\n", newline))
    article, _ = read_article(path)
    assert article.title == "Envoy visits Lisbon"
    assert [article.block_text(b) for b in article.blocks][1:] == [
        "The envoy Ana Silva arrived in Lisbon on Monday for talks on trade.",
        "She is expected to travel to Porto on Wednesday, her office said."]


def test_text_over_the_cap_is_refused_by_characters_but_a_larger_html_page_is_read(tmp_path):
    text = "Title\n\n" + "The envoy arrived in Lisbon on Monday.\n" * (articles.MAX_CHARS // 39 + 10)
    with pytest.raises(ArticleError, match="too large") as info:
        read_article(write(tmp_path, "a.txt", text.encode("utf-16")))  # 2 bytes a character, read whole
    assert "characters" in str(info.value)
    page = ("<html><head><script>" + "x" * (articles.MAX_CHARS + 10) + "</script></head><body><article><p>" +
            TEXT + "</p></article></body></html>")
    article, _ = read_article(write(tmp_path, "page.html", page))
    assert "arrived in Lisbon" in story_text(article)


def test_a_very_long_single_line_reads_in_bounded_sentences(tmp_path):
    line = "The envoy arrived in Lisbon on Monday, met officials, and left for Porto " * 3000
    path = write(tmp_path, "a.txt", "Title line\n\n" + line)
    article, _ = read_article(path)
    sents = sentences(article)
    assert max(s.end - s.start for s in sents) <= MAX_SENTENCE
    covered = sum(s.end - s.start for s in sents)
    assert covered > 0.99 * len(line.strip())
    pos = article.text.index("Porto", len(article.text) // 2)
    sent = sentence_at(article, pos)
    assert sent is not None and sent.start <= pos < sent.end


# --------------------------------------------------------------------------- special files


def test_a_folder_fifo_or_device_given_as_an_article_is_refused_without_reading(tmp_path):
    folder = tmp_path / "story.txt"
    folder.mkdir()
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    device = tmp_path / "zero.txt"
    device.symlink_to("/dev/zero")
    for path, kind in ((folder, "directory"), (fifo, "pipe"), (device, "device")):
        with pytest.raises(ArticleError, match="not a regular file") as info:
            read_article(path)
        assert str(path) in str(info.value) and kind in str(info.value)


def test_a_broken_symbolic_link_is_named_as_such(tmp_path):
    link = tmp_path / "gone.txt"
    link.symlink_to(tmp_path / "missing.txt")
    with pytest.raises(ArticleError, match="broken symbolic link"):
        read_article(link)


def test_cli_refuses_dev_zero_and_a_fifo_in_one_line(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    out = tmp_path / "story.geojson"
    result = CliRunner().invoke(main, ["build", "/dev/zero", str(fifo), "-o", str(out)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "/dev/zero" in result.output and str(fifo) in result.output
    assert "not a regular file" in result.output and not out.exists()


def test_cli_builds_the_good_article_and_warns_about_the_fifo(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    good = write(tmp_path, "good.txt", TEXT)
    out = tmp_path / "story.geojson"
    result = CliRunner().invoke(main, ["build", str(good), str(fifo), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "warning" in result.output and str(fifo) in result.output
    assert [a["id"] for a in json.loads(out.read_text(encoding="utf-8"))["storymap"]["articles"]] == ["good"]


# --------------------------------------------------------------------------- metadata


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _dangling(path: Path) -> None:
    path.symlink_to(path.with_name("nowhere.json"))


def _folder(path: Path) -> None:
    path.mkdir()


def _text(content: str | bytes):
    def make(path: Path) -> None:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return make


@pytest.mark.parametrize(("make", "problem"), [
    (_folder, "not a regular file"),
    (_dangling, "broken symbolic link"),
    (_dev_zero, "not a regular file"),
    (_text("[" * 100_000), "nested too deeply"),
    (_text('{"published": ' + "9" * 100_000 + "}"), "'published' must be a string"),
    (_text('{"published": 1e999999}'), "'published' must be a string"),
    (_text('{"title": ' + "1" * 5000 + "}"), "'title' must be a string"),
    (_text("[1, 2]"), "JSON object"),
    (_text('"a string"'), "JSON object"),
    (_text("{not json"), "not valid JSON"),
    (_text(b'{"title": "Caf\xe9"}'), "not UTF-8"),
    (_text('{"title": "' + "x" * 2_000_000 + '"}'), "too large"),
    (_text('{"published": "last week"}'), "'published'"),
    (_text('{"published": "2023-02-30"}'), "'published'"),
    (_text('{"title": "' + "T" * 5000 + '"}'), "'title' is too long"),
])
def test_broken_metadata_is_a_warning_naming_the_file(tmp_path, make, problem):
    path = write(tmp_path, "story.txt", TEXT)
    meta = tmp_path / "story.meta.json"
    make(meta)
    article, warnings = read_article(path)
    assert article.blocks and article.title == "Envoy visits Lisbon"
    assert len(warnings) == 1, warnings
    assert str(meta) in warnings[0] and problem in warnings[0] and "ignored" in warnings[0]
    assert "\n" not in warnings[0] and len(warnings[0]) < 400


def test_wrong_typed_fields_are_dropped_one_by_one(tmp_path):
    path = write(tmp_path, "story.txt", TEXT)
    write(tmp_path, "story.meta.json", json.dumps({"title": 42, "source": "The Wire", "published": ["2023"],
                                                   "url": "https://example.org/a"}))
    article, warnings = read_article(path)
    assert (article.title, article.source, article.url) == ("Envoy visits Lisbon", "The Wire", "https://example.org/a")
    assert article.published is None
    assert len(warnings) == 2
    assert "'title' must be a string, not a number" in warnings[0]
    assert "'published' must be a string, not a list" in warnings[1]


def test_front_matter_problems_are_warnings_naming_the_field(tmp_path):
    body = "# Heading\n\nThe envoy flew to Tokyo on Monday.\n"
    path = write(tmp_path, "a.md", "---\ntitle: " + "T" * 3000 + "\npublished: soon\nsource: Wire\n---\n" + body)
    article, warnings = read_article(path)
    assert article.source == "Wire" and article.published is None and article.title == "Heading"
    assert len(warnings) == 2 and all(str(path) in w and "front matter" in w for w in warnings)
    assert "'title' is too long" in warnings[0] and "'published'" in warnings[1]


def test_unclosed_front_matter_is_read_as_text_with_a_warning(tmp_path):
    path = write(tmp_path, "a.md", "---\ntitle: Open\n\nThe envoy flew to Tokyo on Monday.\n" + "More text.\n" * 9000)
    article, warnings = read_article(path)
    assert "flew to Tokyo" in story_text(article)
    assert len(warnings) == 1 and "not closed" in warnings[0] and str(path) in warnings[0]


def test_front_matter_with_windows_newlines(tmp_path):
    path = write(tmp_path, "a.md", "---\r\ntitle: Front title\r\npublished: 2022-05-01\r\n---\r\n"
                                   "# Heading\r\n\r\nThe envoy flew to Tokyo.\r\n")
    article, warnings = read_article(path)
    assert warnings == []
    assert article.title == "Front title" and article.published == dt.date(2022, 5, 1)


def test_cli_builds_with_broken_metadata_and_warns(tmp_path):
    path = write(tmp_path, "story.txt", TEXT)
    write(tmp_path, "story.meta.json", "[" * 100_000)
    out = tmp_path / "story.geojson"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "story.meta.json" in result.output and "nested too deeply" in result.output


# --------------------------------------------------------------------------- article ids


def _article(tmp_path: Path, rel: str, text: str = TEXT):
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return read_article(path)[0]


def test_same_file_names_get_distinct_stable_ids(tmp_path):
    a = _article(tmp_path, "d1/article.txt", TEXT)
    b = _article(tmp_path, "d2/article.txt", TEXT.replace("Porto", "Faro"))
    c = _article(tmp_path, "story.txt", TEXT.replace("Porto", "Braga"))
    d = _article(tmp_path, "story.html", "<html><body><article><p>" + TEXT.replace("Porto", "Evora") +
                 "</p></article></body></html>")
    e = _article(tmp_path, "unique.txt", TEXT.replace("Porto", "Coimbra"))
    ids = [x.id for x in unique_ids([a, b, c, d, e])]
    assert ids == ["article-d1", "article-d2", "story-txt", "story-html", "unique"]
    assert [x.id for x in unique_ids([e, d, c, b, a])] == ids[::-1]


def test_an_id_never_collides_with_another_files_id(tmp_path):
    a = _article(tmp_path, "x/story.txt", TEXT)
    b = _article(tmp_path, "y/story.txt", TEXT.replace("Porto", "Faro"))
    c = _article(tmp_path, "z/story-txt.txt", TEXT.replace("Porto", "Braga"))
    ids = [x.id for x in unique_ids([a, b, c])]
    assert len(set(ids)) == 3 and ids[2] == "story-txt"


def test_cli_excerpts_come_from_their_own_article_when_names_collide(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # article files are written relative to the working folder
    one = tmp_path / "d1" / "article.txt"
    two = tmp_path / "d2" / "article.txt"
    for path, city in ((one, "Porto"), (two, "Faro")):
        path.parent.mkdir()
        path.write_text(TEXT.replace("Porto", city).replace("Lisbon", "Madrid" if city == "Faro" else "Lisbon"),
                        encoding="utf-8")
    out = tmp_path / "story.geojson"
    result = CliRunner().invoke(main, ["build", str(one), str(two), "-o", str(out)])
    assert result.exit_code == 0, result.output
    story = json.loads(out.read_text(encoding="utf-8"))
    files = {a["id"]: Path(a["file"]).read_text(encoding="utf-8") for a in story["storymap"]["articles"]}
    assert sorted(files) == ["article-d1", "article-d2"]
    checked = 0
    for f in story["features"]:
        for m in f["properties"].get("mentions", []):
            text = files[m["article"]]
            assert text[m["start"] : m["end"]] == m["text"] and m["excerpt"] in text
            checked += 1
    assert checked >= 4


def test_the_same_file_twice_is_read_once(tmp_path):
    path = write(tmp_path, "a.txt", TEXT)
    result = build_story([path, tmp_path], gazetteer=gazetteer(), base=tmp_path)
    assert [a.id for a in result.articles] == ["a"]
    assert any("read once" in p and "a.txt" in p for p in result.problems)


# --------------------------------------------------------------------------- long texts


def test_sentences_are_split_once_per_article(tmp_path, monkeypatch):
    calls = []
    split = articles._split_sentences

    def counting(text, blocks):
        calls.append(len(text))
        return split(text, blocks)

    monkeypatch.setattr(articles, "_split_sentences", counting)
    one = write(tmp_path, "one.txt", TEXT)
    two = write(tmp_path, "two.txt", TEXT.replace("Porto", "Faro"))
    build_story([one, two], gazetteer=gazetteer(), base=tmp_path)
    assert len(calls) == 2


def test_split_text_cuts_between_sentences_into_bounded_pieces():
    text = "The envoy arrived in Lisbon. " * 1000 + "x" * 5000
    pieces = ner.split_text(text, 2000)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(b - a <= 2000 for a, b in pieces)
    assert all(p[1] == q[0] for p, q in zip(pieces, pieces[1:], strict=False))
    assert all(text[b - 2 : b] == ". " for a, b in pieces[:-4])


class _FakeNLP:
    """Finds "Lisbon" as a GPE; refuses texts over max_length as spaCy does."""

    max_length = 3000

    def pipe(self, texts, batch_size=32, disable=()):
        for text in texts:
            if len(text) > self.max_length:
                raise ValueError("[E088] Text of length exceeds maximum")
            yield _FakeDoc(text)


class _FakeDoc:
    def __init__(self, text):
        self.ents = [_FakeEnt(i, i + 6) for i in range(len(text)) if text.startswith("Lisbon", i)]


class _FakeEnt:
    label_ = "GPE"

    def __init__(self, start, end):
        self.start_char, self.end_char = start, end


def test_texts_over_the_models_max_length_go_in_pieces():
    model = ner.SpacyNER()
    model._nlp = _FakeNLP()
    text = "The envoy arrived in Lisbon on Monday. " * 500
    (found,) = model.entities([text])
    assert len(found) == 500
    assert all(text[e.start : e.end] == "Lisbon" for e in found)


def test_a_paragraph_longer_than_a_model_piece_builds(tmp_path, monkeypatch):
    monkeypatch.setattr(ner, "MAX_PIECE", 2_000)
    line = " ".join(f"The envoy Ana Silva arrived in Lisbon on Monday, then travelled to Porto and {c}."
                    for c in ("Madrid", "Seville", "Valencia") * 40)
    path = write(tmp_path, "a.txt", "Envoy in Iberia\n\n" + line + "\n")
    story = build_story([path], gazetteer=gazetteer(), base=tmp_path).story
    names = {f.name for f in story.places}
    assert {"Lisbon", "Porto", "Madrid"} <= names
