"""Sign-in on a shared server, for real: ``streamlit run app.py`` with Streamlit's own
OpenID Connect support (``st.login``) against an OpenID Connect provider started on
localhost (``oidc-provider-mock``: discovery, authorisation codes, signed ID tokens), and
two people in two browser contexts of Debian Chromium.

One cannot list, open, change, undo or delete the other's story; a read-only link opens
read-only; an edit grant lets the colleague's correction be saved."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_server import free_port, start_app, stop_app, wait_healthy
from test_app_browser import map_frame, nav, press

from storymap.library import Access, Library

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "tests" / "fixtures" / "story.geojson"
ANA, BEN = "ana@newsroom.example", "ben@newsroom.example"

pytestmark = pytest.mark.browser  # `streamlit run` and two people in Chromium


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """An OpenID Connect provider on localhost: its issuer URL."""
    oidc = pytest.importorskip("oidc_provider_mock")
    # the newsroom's accounts, whose addresses the provider has verified
    people = [oidc.User(sub=user, claims={"email": user, "email_verified": True}) for user in (ANA, BEN)]
    with oidc.run_server_in_thread(user_claims=people) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def server(provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A shared storymap server signing people in with ``provider``: (its URL, its library URL)."""
    folder = tmp_path_factory.mktemp("newsroom")
    port = free_port()
    url = f"http://localhost:{port}"
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "storymap"\n'
        'client_secret = "storymap-test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n', encoding="utf-8")
    env = {"STORYMAP_SHARED": "1", "STORYMAP_DATA_DIR": str(folder), "STORYMAP_DATABASE_URL": ""}
    proc = start_app(port, env, host="localhost", args=["--secrets.files", str(secrets_file)])
    try:
        wait_healthy(url, proc)
        yield url, f"sqlite:///{folder / 'library.sqlite'}"
    finally:
        stop_app(proc)


def _signed_in(browser: Any, url: str, user: str) -> Any:
    """A browser context of its own, signed in as ``user`` at the provider's form."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    # the provider's form asks a CDN for a stylesheet: nothing leaves the machine
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://localhost") else r.abort())
    page = context.new_page()
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    page.locator("input[name=sub]").fill(user)  # the provider's sign-in form
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**", timeout=60_000)
    signed = page.get_by_test_id("stSidebar").get_by_text("Signed in as")
    signed.wait_for(timeout=60_000)
    assert signed.inner_text().replace("\u2060", "") == f"Signed in as {user}"
    return page


def _review(page: Any, address: str) -> None:
    """Open ``address``, wait for its map, and go to the Review page."""
    page.goto(address)
    map_frame(page).locator(".sm-stop-icon").first.wait_for(state="attached", timeout=60_000)
    nav(page, "Review")


def _library_entries(page: Any) -> str:
    nav(page, "Library")
    return page.get_by_role("heading", name="Library (").inner_text()


def test_two_people_on_one_server_keep_their_stories_apart(browser: Any, server: tuple[str, str]) -> None:
    url, db = server
    anas = Library(db, user=ANA).import_file(STORY)
    bens = Library(db, user=BEN).import_file(STORY)
    signed_out = browser.new_context()
    try:  # nobody sees a story before signing in, not even with its whole id
        page = signed_out.new_page()
        page.goto(f"{url}/?story={anas.id}")
        page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
        assert page.locator("iframe[title='Animated story map']").count() == 0
    finally:
        signed_out.close()

    ana, ben = _signed_in(browser, url, ANA), _signed_in(browser, url, BEN)
    try:
        # list: each library holds one story, their own
        assert "Library (1 story)" in _library_entries(ana) and "Library (1 story)" in _library_entries(ben)

        # open: Ben's link to Ana's story, whole or by its start, opens nothing of hers
        for wanted in (anas.id, anas.id[:1]):
            ben.goto(f"{url}/?story={wanted}")
            ben.get_by_text("cannot be opened").first.wait_for(timeout=60_000)
        assert "The example story" in ben.get_by_test_id("stSidebar").inner_text()

        # change, undo, delete: refused in the library whatever the page offers
        as_ben = Library(db, user=BEN)
        for act in (lambda: as_ben.save(anas.id, base_revision=1, edits={"rejected": ["x"]}),
                    lambda: as_ben.undo(anas.id, base_revision=1), lambda: as_ben.delete(anas.id)):
            with pytest.raises(Exception, match="no story"):
                act()

        # a read-only link opens read-only: Ben's correction makes his own copy
        token = Library(db, user=ANA).make_link(anas.id)
        _review(ben, f"{url}/?share={token}")
        ben.get_by_text("read-only").first.wait_for(timeout=30_000)
        press(ben, "Reject")
        ben.get_by_text("made your own copy").wait_for(timeout=60_000)
        assert Library(db, user=ANA).get(anas.id).revision == 1
        assert len(Library(db, user=BEN).list()) == 2

        # an edit grant lets Ben's correction be saved in Ana's story
        Library(db, user=ANA).share(anas.id, BEN, Access.EDIT)
        _review(ben, f"{url}/?story={anas.id}")
        press(ben, "Reject")
        ben.get_by_text("This place is rejected").wait_for(timeout=60_000)
        saved = Library(db, user=ANA).get(anas.id)
        assert (saved.revision, saved.saved_by) == (2, BEN)

        # Ana's undo does not take back Ben's save
        _review(ana, f"{url}/?story={anas.id}")
        press(ana, "Undo my last save")
        ana.get_by_text("only your own save can be undone").wait_for(timeout=60_000)
        assert Library(db, user=ANA).get(anas.id).revision == 2
        assert Library(db, user=BEN).get(bens.id).revision == 1
    finally:
        ana.context.close()
        ben.context.close()
