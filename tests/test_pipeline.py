"""The one wiring: every front end reads, recognises, resolves and traces through storymap.pipeline."""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path

import pytest

from storymap.articles import read_article
from storymap.events import events_corpus, trace
from storymap.pipeline import analyse
from storymap.records import record_article
from storymap.story import build_story
from storymap.storyfile import Story

# Two short wire reports of one invented trip, hard-wrapped at about 60 characters as the
# wire wraps them, with a dateline; written for this test.
TRIP = [
    ("2021-05-03", """LOPES TO TOUR EUROPE

    LISBON, May 3 - Foreign Minister Ana Lopes flew to Madrid
on Monday for talks with her Spanish counterpart, and will
travel on to Paris on Wednesday, her ministry said.
    Lopes is expected to return to Lisbon at the end of the
week.
    Reuter"""),
    ("2021-05-05", """LOPES ARRIVES IN PARIS

    PARIS, May 5 - Portuguese Foreign Minister Ana Lopes
arrived in Paris on Wednesday after two days of talks in
Madrid, officials said.
    Reuter"""),
]


def _route(story: Story) -> list[tuple[str | None, str | None, str | None]]:
    return [(p.name, p.date, p.status) for p in story.stops]


def _write_trip(folder: Path, trip: list[tuple[str | None, str]]) -> tuple[Path, Path]:
    """The trip's articles as files (a publication date in NAME.meta.json, when it has one)
    and as one JSONL corpus of the same records: (articles folder, corpus folder)."""
    articles, corpus = folder / "articles", folder / "corpus"
    articles.mkdir(parents=True)
    corpus.mkdir()
    lines = []
    for n, (published, text) in enumerate(trip, 1):
        (articles / f"{n}.txt").write_text(text, encoding="utf-8")
        record = {"id": str(n), "text": text}
        if published:
            (articles / f"{n}.meta.json").write_text(json.dumps({"published": published}), encoding="utf-8")
            record["published"] = published
        lines.append(json.dumps(record))
    (corpus / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return articles, corpus


@pytest.fixture(scope="module")
def trip_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _write_trip(tmp_path_factory.mktemp("trip"), TRIP)


def test_a_record_is_read_as_build_reads_the_same_text_from_a_file(trip_files: tuple[Path, Path]) -> None:
    articles, _ = trip_files
    for n, (published, text) in enumerate(TRIP, 1):
        from_file, _ = read_article(articles / f"{n}.txt")
        from_record, note = record_article({"id": str(n), "text": text, "published": published})
        assert note is None
        assert from_record.blocks == from_file.blocks  # wrapped lines rejoined alike
        assert from_record.title == from_file.title
        # the hard-wrapped paragraph is one block, not one block per line
        assert any("Madrid\non Monday" in text[b.start : b.end] for b in from_record.blocks) if n == 1 else True


def test_analyse_gives_mentions_places_and_the_subjects_events(trip_files: tuple[Path, Path]) -> None:
    articles, _ = trip_files
    read = [read_article(articles / f"{n}.txt")[0] for n in (1, 2)]
    [story] = analyse(read)
    assert [a.article.id for a in story.articles] == ["1", "2"]
    assert all(a.found.mentions and a.places for a in story.articles)
    assert story.subject is not None and story.subject.traveller.name == "Ana Lopes"
    assert {story.subject.by_mention[(e.article, e.mention[0])].best.record.name for e in story.subject.events} \
        >= {"Madrid", "Paris"}
    # each article its own story: one analysis per article, in order
    assert [s.articles[0].article.id for s in analyse(read, together=False)] == ["1", "2"]


def test_build_and_events_then_trace_give_the_same_route(trip_files: tuple[Path, Path], tmp_path: Path) -> None:
    articles, corpus = trip_files
    built = build_story([articles], base=articles).story
    events_corpus(str(corpus), tmp_path / "events", scheduler="local")
    traced = trace(tmp_path / "events", "Ana Lopes").story
    assert _route(built)
    assert _route(traced) == _route(built)


# Two short reports of another invented trip, written for this test: the first article
# gives no publication date and no year, so alone it has nothing to count "March 6" from.
UNDATED_TRIP = [
    (None, """Lopes holds talks in Athens

Foreign Minister Ana Lopes arrived in Athens on March 6 for talks with Greek officials,
her ministry said.
"""),
    ("2022-03-08", """Lopes reaches Rome

Foreign Minister Ana Lopes arrived in Rome on Tuesday after two days of talks in Athens,
officials said.
"""),
]


def test_trace_dates_an_undated_articles_events_from_the_other_articles_as_build_does(tmp_path: Path) -> None:
    articles, corpus = _write_trip(tmp_path / "trip", UNDATED_TRIP)
    built = build_story([articles], base=articles).story
    events_corpus(str(corpus), tmp_path / "events", scheduler="local")
    traced = trace(tmp_path / "events", "Ana Lopes").story
    assert _route(built) == [("Athens", "2022-03-06", "reported"), ("Rome", "2022-03-08", "reported")]
    assert _route(traced) == _route(built)


def test_a_ranged_trace_keeps_an_undated_articles_event_that_the_story_dates_within_the_range(
        tmp_path: Path) -> None:
    _, corpus = _write_trip(tmp_path / "trip", UNDATED_TRIP)
    events_corpus(str(corpus), tmp_path / "events", scheduler="local")
    # Athens has no date in the table (its article has none to count "March 6" from): the
    # range applies once the story's other article has dated it, as build dates it
    traced = trace(tmp_path / "events", "Ana Lopes", date_from=dt.date(2022, 3, 5), date_to=dt.date(2022, 3, 8))
    assert _route(traced.story) == [("Athens", "2022-03-06", "reported"), ("Rome", "2022-03-08", "reported")]


def test_no_module_of_the_package_imports_another_in_a_circle_or_takes_its_private_names() -> None:
    root = Path(__file__).resolve().parents[1] / "storymap"
    graph: dict[str, set[str]] = {}
    for f in root.glob("*.py"):
        deps = graph.setdefault(f.stem, set())
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("storymap."):
                deps.add(node.module.split(".")[1])
                assert not any(a.name.startswith("_") for a in node.names), f"{f.name} imports a private name"
        deps.discard(f.stem)

    def reach(start: str, seen: set[str]) -> set[str]:
        for d in graph.get(start, ()):
            if d not in seen:
                seen.add(d)
                reach(d, seen)
        return seen

    circles = sorted(m for m in graph if m in reach(m, set()))
    assert circles == []
