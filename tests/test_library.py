"""The story library on SQLite and on a real PostgreSQL server: revisions, conflicts,
undo, articles kept once, story files in and out, and the `storymap stories` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from storymap.cli import main
from storymap.edits import Edits
from storymap.library import ArticleText, ConflictError, Library, LibraryError, shown
from storymap.storyfile import dumps_story, load_story

ROOT = Path(__file__).resolve().parent.parent
SEEDS_STORY = ROOT / "data" / "places.geojson"


def _story(title: str = "A trip", stops: int = 2) -> dict:
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [10.0 + n, 50.0]},
                 "properties": {"id": f"p{n}", "name": f"Town {n}", "role": "stop", "stop": n + 1}}
                for n in range(stops)]
    return {"type": "FeatureCollection", "storymap": {"version": 2, "title": title, "subject": "An envoy"},
            "features": features}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])  # slow: a server
def library(request: pytest.FixtureRequest, tmp_path: Path) -> Library:
    if request.param == "sqlite":
        return Library(f"sqlite:///{tmp_path / 'library.sqlite'}")
    url = request.getfixturevalue("postgresql_url")
    lib = Library(url)
    for summary in lib.list():  # one server for the session: start each test empty
        lib.delete(summary.id)
    return lib


def test_a_story_is_kept_with_its_articles_once(library):
    one, two = ArticleText("a.txt", "The envoy flew to Paris."), ArticleText("b.md", "Then to Rome.", {"outlet": "X"})
    saved = library.add(_story(), articles=[one, two, one])
    assert saved.revision == 1 and saved.story == _story()
    assert [a.name for a in saved.articles] == ["a.txt", "b.md"] and saved.articles[1].meta == {"outlet": "X"}
    assert library.add_articles(saved.id, [ArticleText("again.txt", one.text), ArticleText("c.txt", "Home.")]) == \
        [ArticleText("c.txt", "Home.")]
    [row] = library.list()
    assert (row.id, row.title, row.subject, row.stops, row.articles, row.revision) == \
        (saved.id, "A trip", "An envoy", 2, 3, 1)


def test_every_save_is_a_revision_and_a_stale_save_is_refused(library):
    saved = library.add(_story())
    mine = library.save(saved.id, base_revision=1, edits={"rejected": ["p0"]}, note="dropped a stop")
    assert mine.revision == 2 and mine.story == _story()  # what was not given is carried over
    with pytest.raises(ConflictError) as refused:  # another session still on revision 1
        library.save(saved.id, base_revision=1, author={"headline": "Theirs"})
    assert refused.value.latest == 2 and "reload" in str(refused.value)
    assert library.get(saved.id).edits == {"rejected": ["p0"]} and library.get(saved.id).author == {}
    assert library.get(saved.id, 1).edits == {}
    undone = library.undo(saved.id, base_revision=2)
    assert undone.revision == 3 and undone.edits == {}
    assert [note for _, _, note in library.history(saved.id)] == ["created", "dropped a stop", "undo of revision 2"]


def test_two_libraries_on_one_database_cannot_lose_an_edit(library):
    other = Library(library.url)  # a second app session on the same server
    saved = library.add(_story("Shared"))
    library.save(saved.id, base_revision=1, author={"headline": "First"})
    with pytest.raises(ConflictError):
        other.save(saved.id, base_revision=1, author={"headline": "Second"})
    fresh = other.get(saved.id)
    assert other.save(saved.id, base_revision=fresh.revision, author={"headline": "Second"}).revision == 3
    assert library.get(saved.id).author == {"headline": "Second"}


def test_deleting_a_story_removes_it_and_its_rows(library):
    keep, gone = library.add(_story("Keep")), library.add(_story("Gone"), articles=[ArticleText("a", "text")])
    library.delete(gone.id)
    assert [s.id for s in library.list()] == [keep.id]
    with pytest.raises(LibraryError, match="no story"):
        library.get(gone.id)
    with library.engine.connect() as con:
        assert con.execute(sa.text("SELECT count(*) FROM revisions WHERE story_id = :i"), {"i": gone.id}).scalar() == 0


def test_story_files_go_in_with_their_edits_and_come_out_as_shown(library, tmp_path):
    source = tmp_path / "story.geojson"
    source.write_text(SEEDS_STORY.read_text(encoding="utf-8"), encoding="utf-8")
    stop = next(f for f in load_story(source)["features"] if f["properties"].get("role") == "stop")
    (tmp_path / "story.edits.json").write_text(json.dumps({"rejected": [stop["id"]]}),
                                               encoding="utf-8")
    saved = library.import_file(source)
    out = library.export_file(saved.id, tmp_path / "out.geojson")
    exported = load_story(out)
    assert stop["id"] not in {f.get("id") for f in exported["features"]}
    assert out.read_text(encoding="utf-8") == dumps_story(shown(saved))


def test_the_schema_is_migrated_once_and_reopening_changes_nothing(library):
    Library(library.url)
    with library.engine.connect() as con:
        assert con.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == ["0002"]


def test_an_unreachable_database_is_a_clear_error():
    with pytest.raises(LibraryError, match="cannot open the story library at postgresql"):
        Library("postgresql+psycopg://someone:secret@127.0.0.1:9/nowhere")
    try:
        Library("postgresql+psycopg://someone:secret@127.0.0.1:9/nowhere")
    except LibraryError as exc:
        assert "secret" not in str(exc)


def test_the_stories_commands_list_show_export_import_and_delete(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYMAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("STORYMAP_DATABASE_URL", raising=False)
    runner = CliRunner()
    got = runner.invoke(main, ["stories", "import", str(SEEDS_STORY)])
    assert got.exit_code == 0, got.output
    listed = runner.invoke(main, ["stories", "list"])
    assert listed.exit_code == 0 and "Kim Jong Un in Russia" in listed.stdout and "3 stops" in listed.stdout
    short = listed.stdout.split()[0]
    shown_ = runner.invoke(main, ["stories", "show", short])
    assert shown_.exit_code == 0 and "Vostochny Cosmodrome" in shown_.output
    out = tmp_path / "out.geojson"
    assert runner.invoke(main, ["stories", "export", short, "-o", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8") == SEEDS_STORY.read_text(encoding="utf-8")
    assert runner.invoke(main, ["stories", "delete", short, "--yes"]).exit_code == 0
    missing = runner.invoke(main, ["stories", "show", short])
    assert missing.exit_code == 1 and "no story" in missing.output and "Traceback" not in missing.output
    assert (tmp_path / "data" / "library.sqlite").exists()


def test_saves_that_do_not_touch_are_merged_and_clashing_ones_refused(library):
    saved = library.add(_story())
    library.save(saved.id, base_revision=1, edits={"rejected": ["p0"]}, author={"headline": "Theirs"})
    mine = library.save_merging(saved.id, base_revision=1, edits={"rejected": ["p1"], "dates": {"p1": {"date": None}}},
                                author={"dek": "Mine"})
    assert mine.revision == 3 and "merged with revision 2" in library.history(saved.id)[-1][2]
    merged_edits = Edits.from_dict(mine.edits)
    assert merged_edits.rejected == ["p0", "p1"] and merged_edits.dates == {"p1": {"date": None, "status": None}}
    assert mine.author == {"dek": "Mine", "headline": "Theirs"}
    library.save(saved.id, base_revision=3, author={"dek": "Mine", "headline": "B"})
    with pytest.raises(ConflictError):  # both set the headline, differently: nothing is guessed
        library.save_merging(saved.id, base_revision=3, edits=mine.edits, author={"dek": "Mine", "headline": "A"})
    assert library.get(saved.id).author["headline"] == "B"


def test_one_place_rejected_by_one_reader_and_accepted_by_another_is_a_conflict(library):
    saved = library.add(_story())
    library.save(saved.id, base_revision=1, edits={"rejected": ["p0"]})
    with pytest.raises(ConflictError):
        library.save_merging(saved.id, base_revision=1, edits={"accepted": ["p0"]}, author={})
    assert library.get(saved.id).edits == {"rejected": ["p0"]}


def test_the_list_follows_the_authors_headline_and_the_route_as_corrected(library):
    story = _story(stops=3)
    for f in story["features"]:
        f["id"] = f["properties"]["id"]  # ids the edits name
    saved = library.add(story)
    assert [(r.title, r.stops) for r in library.list()] == [("A trip", 3)]
    library.save(saved.id, base_revision=1, edits=Edits(rejected=["p1"]).to_dict(),
                 author={"headline": "Two towns in a day"})
    [row] = library.list()
    assert (row.title, row.stops) == ("Two towns in a day", 2)
    library.save(saved.id, base_revision=2, edits={}, author={})  # the headline taken back: the title again
    [row] = library.list()
    assert (row.title, row.stops) == ("A trip", 3)
