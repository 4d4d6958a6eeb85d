"""The app on a shared server (AppTest): sign-in is required, each person sees only their
own stories and those shared with them, an id never opens another's story, a read-only
link opens read-only, and an edit grant lets a colleague's correction be saved. The same
with a real identity provider and two browsers is in test_app_signin.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from apptest_helpers import goto
from storymap.library import Access, Library

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
ANA, BEN = "ana@newsroom.example", "ben@newsroom.example"
AUTH = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                 "client_id": "storymap", "client_secret": "secret",
                 "server_metadata_url": "http://localhost:9/.well-known/openid-configuration"}}
STORY = ROOT / "tests" / "fixtures" / "story.geojson"


@pytest.fixture
def shared(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A shared server's library (an SQLite file marked shared, as a database URL would be)."""
    monkeypatch.setenv("STORYMAP_SHARED", "1")
    monkeypatch.setenv("STORYMAP_DATA_DIR", str(tmp_path))
    return f"sqlite:///{tmp_path / 'library.sqlite'}"


def run_as(user: str | None, *, story: str | None = None, share: str | None = None, auth: bool = True):  # noqa: ANN201
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=180)
    if auth:
        at.secrets.update(AUTH)
    at.user = {"is_logged_in": True, "email": user, "email_verified": True, "sub": user} if user else \
        {"is_logged_in": False}
    if story:
        at.query_params["story"] = story
    if share:
        at.query_params["share"] = share
    at.run()
    assert not at.exception, at.exception
    return at



def _library_labels(at) -> list[str]:  # noqa: ANN001
    goto(at, "library")
    picks = [s for s in at.selectbox if s.key == "library_pick"]
    return list(picks[0].options) if picks else []  # AppTest holds the labels shown


def test_a_shared_server_without_an_identity_provider_shows_no_story(shared):
    at = run_as(ANA, auth=False)
    assert any("no identity provider is configured" in e.value for e in at.error)
    assert "app" not in at.session_state and not at.tabs


def test_a_shared_server_asks_everyone_to_sign_in_first(shared):
    Library(user=ANA).import_file(STORY)
    at = run_as(None)
    assert [b.label for b in at.button] == ["Sign in"]
    assert "app" not in at.session_state and not at.tabs and not at.expander


@pytest.mark.slow
def test_each_person_sees_only_their_stories_and_no_id_opens_anothers(shared):
    anas = Library(user=ANA).import_file(STORY)
    bens = Library(user=BEN).import_file(STORY)
    ana = run_as(ANA)
    assert ana.session_state["app"].user == ANA
    labels = _library_labels(ana)
    assert len(labels) == 1 and anas.id[:6] in labels[0]
    for wanted in (bens.id, bens.id[:1], anas.id[:6]):  # another's id, or the start of any id
        at = run_as(ANA, story=wanted)
        assert at.session_state["app"].story_id is None and at.session_state["app"].origin == "seeds"
        assert any("cannot be opened" in w.value for w in at.warning)
    mine = run_as(ANA, story=anas.id)
    assert mine.session_state["app"].story_id == anas.id


@pytest.mark.slow
def test_a_read_only_link_opens_read_only_and_a_correction_makes_ones_own_copy(shared):
    lib = Library(user=ANA)
    anas = lib.import_file(STORY)
    token = lib.make_link(anas.id)
    ben = run_as(BEN, share=token)
    assert ben.session_state["app"].story_id == anas.id and ben.session_state["app"].access == Access.READ
    assert ben.query_params["share"] == [token] or ben.query_params["share"] == token
    place = goto(ben, "review").selectbox(key="edit_place").value
    next(b for b in ben.button if b.key == f"btn_reject_{place}").click().run()
    assert not ben.exception
    assert ben.session_state["app"].story_id != anas.id  # Ben's own copy
    assert Library(user=BEN).get(ben.session_state["app"].story_id).edits["rejected"] == [place]
    untouched = lib.get(anas.id)
    assert untouched.revision == 1 and not untouched.edits.get("rejected")
    assert [r.id for r in Library(user=BEN).list()] == [ben.session_state["app"].story_id]


@pytest.mark.slow
def test_an_edit_grant_lets_a_colleague_save_and_undo_only_their_own_save(shared):
    lib = Library(user=ANA)
    anas = lib.import_file(STORY)
    lib.share(anas.id, BEN, Access.EDIT)
    ben = run_as(BEN, story=anas.id)
    assert any(anas.id[:6] in label and f"edit, from {ANA}" in label for label in _library_labels(ben))
    place = goto(ben, "review").selectbox(key="edit_place").value
    next(b for b in ben.button if b.key == f"btn_reject_{place}").click().run()
    assert ben.session_state["app"].story_id == anas.id
    saved = lib.get(anas.id)
    assert (saved.revision, saved.saved_by, saved.edits["rejected"]) == (2, BEN, [place])
    ana = goto(run_as(ANA, story=anas.id), "review")
    next(b for b in ana.button if b.key == "btn_undo").click().run()
    assert any("saved by ben@newsroom.example" in w.value for w in ana.warning)
    assert lib.get(anas.id).revision == 2  # Ana's undo did not take back Ben's save
    next(b for b in ben.button if b.key == "btn_undo").click().run()
    assert lib.get(anas.id).revision == 3 and lib.get(anas.id).edits.get("rejected", []) == []


@pytest.mark.slow
def test_the_owner_shares_from_the_app(shared):
    lib = Library(user=ANA)
    anas = lib.import_file(STORY)
    ana = goto(run_as(ANA, story=anas.id), "library")
    ana.text_input(key="share_user").set_value(BEN)
    ana.radio(key="share_level").set_value("edit")
    next(b for b in ana.button if b.label == "Share").click().run()
    assert not ana.exception
    assert lib.shares(anas.id) == {BEN: Access.EDIT}
    next(b for b in ana.button if b.key == "btn_make_link").click().run()
    token = ana.session_state["app"].new_link
    assert Library(user="someone@elsewhere.example").open_link(token).id == anas.id
    ben = goto(run_as(BEN, story=anas.id), "library")
    assert not any(b.key == "btn_make_link" for b in ben.button)  # sharing is the owner's
    other = lib.import_file(STORY)
    ana.run()  # the library now lists it
    ana.selectbox(key="library_pick").set_value(other.id).run()
    next(b for b in ana.button if b.key == "btn_open_story").click().run()
    assert ana.session_state["app"].story_id == other.id
    assert ana.session_state["app"].new_link is None  # the first story's link is not shown under another
    assert not any(token in c.value for c in ana.code)


def test_an_address_the_provider_does_not_vouch_for_is_not_the_person(shared):
    Library(user=ANA).import_file(STORY)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=180)
    at.secrets.update(AUTH)
    at.user = {"is_logged_in": True, "email": ANA, "sub": "someone-else", "iss": "https://id.example"}
    at.run()
    assert at.session_state["app"].user == "oidc:https://id.example#someone-else"
    assert _library_labels(at) == []


def test_a_laptop_needs_no_sign_in(monkeypatch, tmp_path):
    monkeypatch.delenv("STORYMAP_SHARED", raising=False)
    monkeypatch.delenv("STORYMAP_DATABASE_URL", raising=False)
    monkeypatch.setenv("STORYMAP_DATA_DIR", str(tmp_path))
    at = run_as(None, auth=False)
    assert at.session_state["app"].user == "local" and at.tabs and not any(b.label == "Sign in" for b in at.button)
