"""Owners, shares and read-only links in the story library, checked in the library itself
(not only in the app), on SQLite and on a real PostgreSQL server; the `storymap stories`
commands acting as a named local user; migrating a library kept before owners existed;
opening a library from many threads; a library of an unknown schema."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from storymap.cli import main
from storymap.library import (LOCAL_USER, Access, AccessError, ArticleText, ConflictError, Library, LibraryError,
                              check_user, migrate, user_identity)

ANA, BEN, CLEO = "ana@newsroom.example", "ben@newsroom.example", "cleo@newsroom.example"


def _story(title: str = "The envoy's tour") -> dict:
    return {"type": "FeatureCollection", "storymap": {"version": 2, "title": title, "subject": "An envoy"},
            "features": [{"type": "Feature", "id": "p0", "geometry": {"type": "Point", "coordinates": [12.5, 41.9]},
                          "properties": {"id": "p0", "name": "Rome", "role": "stop", "stop": 1}}]}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])  # slow: a server
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'library.sqlite'}"
    url = request.getfixturevalue("postgresql_url")
    with sa.create_engine(url).begin() as con:  # one server for the session: start each test empty
        for table in ("links", "grants", "articles", "revisions", "stories"):
            if sa.inspect(con).has_table(table):
                con.execute(sa.text(f"DELETE FROM {table}"))
    return url


def test_a_user_sees_only_their_own_stories_and_those_shared_with_them(url):
    ana, ben = Library(url, user=ANA), Library(url, user=BEN)
    mine = ana.add(_story("Ana's story"))
    ben.add(_story("Ben's story"))
    assert [r.title for r in ana.list()] == ["Ana's story"]
    assert [r.title for r in ben.list()] == ["Ben's story"]
    with pytest.raises(LibraryError, match="no story") as hidden:
        ben.get(mine.id)
    assert not isinstance(hidden.value, AccessError)  # reported like a story that does not exist
    ana.share(mine.id, BEN, Access.READ)
    [shared] = [r for r in ben.list() if r.id == mine.id]
    assert (shared.owner, shared.access) == (ANA, Access.READ)
    assert ben.get(mine.id).access == Access.READ


def test_reading_is_not_changing(url):
    ana, ben = Library(url, user=ANA), Library(url, user=BEN)
    saved = ana.add(_story(), articles=[ArticleText("a.txt", "The envoy flew to Rome.")])
    ana.share(saved.id, BEN, Access.READ)
    with pytest.raises(AccessError, match="edit access"):
        ben.save(saved.id, base_revision=1, edits={"rejected": ["p0"]})
    with pytest.raises(AccessError):
        ben.save_merging(saved.id, base_revision=1, edits={"rejected": ["p0"]}, author={})
    with pytest.raises(AccessError):
        ben.add_articles(saved.id, [ArticleText("b.txt", "Then to Milan.")])
    ana.save(saved.id, base_revision=1, edits={"accepted": ["p0"]})
    with pytest.raises(AccessError):
        ben.undo(saved.id, base_revision=2)
    for act in (lambda: ben.delete(saved.id), lambda: ben.share(saved.id, CLEO, Access.EDIT),
                lambda: ben.make_link(saved.id), lambda: ben.revoke_links(saved.id)):
        with pytest.raises(AccessError, match="owner"):
            act()
    after = ana.get(saved.id)
    assert (after.revision, after.edits, len(after.articles)) == (2, {"accepted": ["p0"]}, 1)


def test_an_edit_grant_allows_saving_and_undo_takes_back_only_ones_own_save(url):
    ana, ben = Library(url, user=ANA), Library(url, user=BEN)
    saved = ana.add(_story())
    ana.share(saved.id, BEN, Access.EDIT)
    theirs = ben.save(saved.id, base_revision=1, edits={"rejected": ["p0"]}, note="Ben's correction")
    assert (theirs.revision, theirs.saved_by) == (2, BEN)
    with pytest.raises(AccessError, match="saved by ben@newsroom.example"):
        ana.undo(saved.id, base_revision=2)  # Ana's undo does not take back Ben's save
    assert ana.get(saved.id).edits == {"rejected": ["p0"]}
    undone = ben.undo(saved.id, base_revision=2)
    assert (undone.revision, undone.edits) == (3, {})
    with pytest.raises(AccessError, match="owner"):
        ben.delete(saved.id)
    ana.share(saved.id, BEN, None)
    with pytest.raises(LibraryError, match="no story"):
        ben.get(saved.id)


def test_an_undo_based_on_an_old_revision_is_a_conflict(url):
    ana = Library(url, user=ANA)
    saved = ana.add(_story())
    ana.save(saved.id, base_revision=1, edits={"rejected": ["p0"]})
    ana.save(saved.id, base_revision=2, edits={})
    with pytest.raises(ConflictError):
        ana.undo(saved.id, base_revision=2)


def test_a_read_only_link_opens_its_story_and_nothing_else(url):
    ana, cleo = Library(url, user=ANA), Library(url, user=CLEO)
    one, two = ana.add(_story("One")), ana.add(_story("Two"))
    token = ana.make_link(one.id)
    assert len(token) >= 40
    opened = cleo.open_link(token)
    assert (opened.id, opened.access) == (one.id, Access.READ)
    assert cleo.list() == []  # a link lists nothing
    with pytest.raises(LibraryError, match="no story"):
        cleo.get(two.id, token=token)  # a link to one story is no key to another
    with pytest.raises(LibraryError):  # a link gives no right to save
        cleo.save(one.id, base_revision=1, edits={"rejected": ["p0"]})
    assert ana.get(one.id).revision == 1
    with pytest.raises(LibraryError, match="not valid"):
        cleo.open_link(token[:-1] + ("A" if token[-1] != "A" else "B"))
    engine = sa.create_engine(url)
    with engine.connect() as con:  # only the token's hash is kept
        assert token not in str(con.execute(sa.text("SELECT * FROM links")).all())
    engine.dispose()
    assert ana.revoke_links(one.id) == 1
    with pytest.raises(LibraryError, match="not valid"):
        cleo.open_link(token)


def test_deleting_is_the_owners_and_takes_shares_and_links_with_it(url):
    ana, ben = Library(url, user=ANA), Library(url, user=BEN)
    saved = ana.add(_story())
    ana.share(saved.id, BEN, Access.EDIT)
    token = ana.make_link(saved.id)
    ana.delete(saved.id)
    assert ben.list() == []
    with pytest.raises(LibraryError):
        ben.open_link(token)


def test_ids_must_be_whole_in_get_and_unambiguous_in_find(url):
    ana, ben = Library(url, user=ANA), Library(url, user=BEN)
    ana.add(_story("First"), story_id="ab" + "1" * 30)
    ana.add(_story("Second"), story_id="ab" + "2" * 30)
    ben.add(_story("Ben's"), story_id="cd" + "3" * 30)
    for empty in ("", "   "):
        with pytest.raises(LibraryError, match="no story given"):
            ana.find(empty)
        with pytest.raises(LibraryError, match="no story given"):
            ana.get(empty)
    with pytest.raises(LibraryError, match="more than one story"):
        ana.find("a")
    with pytest.raises(LibraryError, match="no story"):
        ana.get("ab")  # a prefix opens nothing
    assert ana.find("ab1") == "ab" + "1" * 30
    with pytest.raises(LibraryError, match="no story"):
        ben.find("ab1")  # another user's story is not found by its start either
    assert ben.find("c") == "cd" + "3" * 30


def test_user_names_and_identities():
    verified = {"email": "Ana@Newsroom.Example", "email_verified": True, "sub": "123", "iss": "https://id.example"}
    assert user_identity(verified) == ANA
    assert user_identity({**verified, "email_verified": "true"}) == ANA
    # an address the provider does not vouch for (people may set their own) is not who they are
    for unverified in ({"email_verified": False}, {"email_verified": "false"}, {"email_verified": None}):
        assert user_identity({**verified, **unverified}) == "oidc:https://id.example#123"
    assert user_identity({"email": ANA, "sub": "123"}) == "oidc:123"
    assert user_identity({"sub": LOCAL_USER}) != LOCAL_USER  # nobody signs in as the laptop's user
    with pytest.raises(LibraryError):
        user_identity({"email": ANA})
    assert check_user(" Ben@Newsroom.Example ") == BEN  # addresses as sign-in gives them
    for bad in ("", "  ", "two words", "bell\x07", "x" * 201):
        with pytest.raises(LibraryError):
            check_user(bad)


def test_sharing_takes_an_address_in_any_case_and_an_access_level_as_a_number(url):
    ana, ben = Library(url, user=ANA), Library(url, user="Ben@Newsroom.Example")
    saved = ana.add(_story())
    ana.share(saved.id, "BEN@newsroom.example", 2)
    assert ben.get(saved.id).access == Access.EDIT
    with pytest.raises(LibraryError, match="read or to edit"):
        ana.share(saved.id, BEN, 3)


def test_a_library_media_source_the_story_file_refuses_is_left_out_of_what_is_shown(tmp_path):
    from storymap.library import shown
    from storymap.storyfile import load_story

    lib = Library(f"sqlite:///{tmp_path / 'old.sqlite'}", user=ANA)
    good = {"src": "https://images.example/rome.jpg", "caption": "Rome"}
    saved = lib.add(_story(), author={"stops": {"p0": {"text": "Rome.", "media": [{"src": "/etc/passwd"}, good]}}})
    [stop] = shown(saved).places
    assert [m.to_geojson() for m in stop.media or ()] == [good]
    out = lib.export_file(saved.id, tmp_path / "out.geojson")
    assert load_story(out)["features"][0]["properties"]["media"] == [good]  # it loads back


def test_a_library_kept_before_owners_is_migrated_to_the_local_user(tmp_path):
    from alembic import command
    from alembic.config import Config

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = sa.create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parent.parent / "storymap" / "migrations"))
    with engine.begin() as con:
        config.attributes["connection"] = con
        command.upgrade(config, "0001")
        con.execute(sa.text("INSERT INTO stories VALUES ('old1', 'Old story', 'An envoy', 1, 1, "
                            "'2026-01-02 03:04:05', '2026-01-02 03:04:05')"))
        con.execute(sa.text("INSERT INTO revisions VALUES ('old1', 1, :story, '{}', '{}', 'created', "
                            "'2026-01-02 03:04:05')"), {"story": '{"type": "FeatureCollection", "features": []}'})
    engine.dispose()
    local = Library(url)
    [row] = local.list()
    assert (row.id, row.owner, row.access) == ("old1", LOCAL_USER, Access.OWNER)
    assert local.get("old1").saved_by == LOCAL_USER
    assert Library(url, user=ANA).list() == []
    # a migration that copies a table (SQLite's batch mode) loses no revision or article:
    # going back to 0001 copies the stories table without its owner
    engine = sa.create_engine(url)
    migrate(engine, "0001")
    with engine.connect() as con:
        assert con.execute(sa.text("SELECT count(*) FROM revisions")).scalar_one() == 1
        assert "owner" not in {c["name"] for c in sa.inspect(con).get_columns("stories")}
    migrate(engine)
    engine.dispose()


def test_a_library_of_an_unknown_schema_is_a_clear_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'newer.sqlite'}"
    Library(url)
    engine = sa.create_engine(url)
    with engine.begin() as con:
        con.execute(sa.text("UPDATE alembic_version SET version_num = 'ffff'"))
    engine.dispose()
    from storymap import library as library_module

    library_module._ENGINES.pop(url, None)  # as a new process would open it
    with pytest.raises(LibraryError, match="schema this storymap does not know"):
        Library(url)


def test_many_threads_open_one_new_library_at_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def open_and_add(n: int) -> None:
        try:
            start.wait()
            lib = Library(url, user=f"user{n}@newsroom.example")
            lib.add(_story(f"Story {n}"))
        except BaseException as exc:  # noqa: BLE001 - collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_and_add, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [r.title for r in Library(url, user="user3@newsroom.example").list()] == ["Story 3"]


def test_the_stories_commands_act_as_a_named_user_and_refuse_empty_or_ambiguous_ids(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYMAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("STORYMAP_DATABASE_URL", raising=False)
    monkeypatch.delenv("STORYMAP_USER", raising=False)
    lib = Library()
    lib.add(_story("First"), story_id="ab" + "1" * 30)
    lib.add(_story("Second"), story_id="ab" + "2" * 30)
    runner = CliRunner()
    for args in (["delete", "", "--yes"], ["delete", " ", "--yes"], ["delete", "a", "--yes"], ["show", ""],
                 ["export", "", "-o", str(tmp_path / "x.geojson")]):
        got = runner.invoke(main, ["stories", *args])
        assert got.exit_code == 1 and "Traceback" not in got.output, (args, got.output)
    assert len(lib.list()) == 2  # nothing was deleted
    assert "more than one story" in runner.invoke(main, ["stories", "delete", "a", "--yes"]).output

    # another user sees nothing of the local user's until it is shared
    assert runner.invoke(main, ["stories", "--user", BEN, "list"]).stdout == ""
    assert runner.invoke(main, ["stories", "--user", BEN, "delete", "ab1", "--yes"]).exit_code == 1
    assert runner.invoke(main, ["stories", "share", "ab1", BEN, "--edit"]).exit_code == 0
    listed = runner.invoke(main, ["stories", "list"], env={"STORYMAP_USER": BEN})
    assert "First" in listed.stdout and "owned by local" in listed.stdout and "Second" not in listed.stdout
    refused = runner.invoke(main, ["stories", "--user", BEN, "delete", "ab1"])  # refused before asking
    assert refused.exit_code == 1 and "owner" in refused.output and "Delete" not in refused.output
    assert runner.invoke(main, ["stories", "share", "ab1", BEN, "--remove"]).exit_code == 0
    assert runner.invoke(main, ["stories", "--user", BEN, "list"]).stdout == ""

    link = runner.invoke(main, ["stories", "link", "ab2"])
    assert link.exit_code == 0 and link.stdout.startswith("?share=")
    token = link.stdout.strip().removeprefix("?share=")
    assert Library(user=CLEO).open_link(token).story["storymap"]["title"] == "Second"
    assert "Revoked 1 link" in runner.invoke(main, ["stories", "link", "ab2", "--revoke"]).output
