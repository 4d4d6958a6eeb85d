"""Shared browser fixtures: the Debian Chromium driven by Playwright, network blocked."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
LOCAL_HOSTS = ("http://localhost", "http://127.0.0.1", "https://localhost", "https://127.0.0.1")


def is_local(url: str) -> bool:
    """True for URLs that do not leave the machine."""
    return url.startswith(LOCAL_SCHEMES) or url.startswith(LOCAL_HOSTS)


@dataclass
class Watched:
    """A page plus what it tried to fetch from outside and the errors it raised."""

    page: Any
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------- test tiers
# `pytest -m "not browser and not slow"` is the everyday tier (`make test-fast`); `make test`
# runs everything. The markers are registered in pyproject.toml.


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``browser`` every test whose fixtures include the ``browser`` fixture (directly or
    through ``offline_page``, ``make_page``, ``chromium``, ``app_page``...). Tests that start
    Chromium another way (video recording, ``streamlit run``) carry the marker themselves."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


#: whether the running test is marked ``browser``: Chromium may be launched only then
_browser_allowed = False


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    global _browser_allowed
    _browser_allowed = item.get_closest_marker("browser") is not None


def pytest_configure(config: pytest.Config) -> None:
    """Make a test that launches Chromium without the ``browser`` marker fail, saying so, so
    that no browser test slips into the fast tier."""
    try:
        from playwright.sync_api import BrowserType
    except ImportError:  # pragma: no cover - a dependency
        return

    def guarded(launch: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not _browser_allowed:
                raise RuntimeError("this test launches Chromium: mark it @pytest.mark.browser "
                                   "(or use the 'browser' fixture, which marks it)")
            return launch(*args, **kwargs)
        return wrapper

    for name in ("launch", "launch_persistent_context"):
        setattr(BrowserType, name, guarded(getattr(BrowserType, name)))


@pytest.fixture(scope="session", autouse=True)
def _private_library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The app and the CLI keep stories in a library: the tests' goes in a temporary folder,
    never in the user's data directory or a database named in the environment."""
    saved = {k: os.environ.get(k) for k in ("STORYMAP_DATA_DIR", "STORYMAP_DATABASE_URL")}
    os.environ["STORYMAP_DATA_DIR"] = str(tmp_path_factory.mktemp("storymap-data"))
    os.environ.pop("STORYMAP_DATABASE_URL", None)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Debian Chromium; skipped when it is not installed."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not found: install it with 'apt-get install -y chromium'")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _watch(context: Any) -> Watched:
    page = context.new_page()
    watched = Watched(page)

    def route(r: Any) -> None:
        url = r.request.url
        if is_local(url):
            r.continue_()
        else:
            watched.outside.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda exc: watched.errors.append(str(exc)))
    page.on("console", lambda msg: watched.console_errors.append(msg.text) if msg.type == "error" else None)
    return watched


@pytest.fixture
def offline_page(browser: Any) -> Iterator[Watched]:
    """A desktop-sized page whose every outside request is aborted and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        yield _watch(context)
    finally:
        context.close()


@pytest.fixture
def make_page(browser: Any) -> Iterator[Any]:
    """Factory for pages with other context options (viewport, reduced motion)."""
    contexts = []

    def make(**options: Any) -> Watched:
        context = browser.new_context(**options)
        contexts.append(context)
        return _watch(context)

    yield make
    for context in contexts:
        context.close()


#: Jinja payloads: shown as the characters they are, never evaluated, never compiled (an
#: unbalanced block tag would make a compile fail)
TEMPLATE = ("{{ 7*7 }} {{ cycler.__init__.__globals__.os.popen('id').read() }} {% raw %}{{ 8*8 }}"
            "{% endraw %} {# hidden #} {% if 1 %}")

HOSTILE = {
    "title": '</script><script>window.__pwned="title"</script> "Kim\'s" `trip` \\1 & <b>bold</b>',
    "stop": '<img src=x onerror="window.__pwned=\'stop\'">Vostochny `${1}` \\1',
    "excerpt": ('Kim said </script><script>window.__pwned="excerpt"</script> at '
                '<img src=x onerror="window.__pwned=\'img\'">Vostochny "quoted" \'single\' `tick` \\1 \\u0041 '
                "<!-- comment --> \u2028 end."),
    "article": '<script>window.__pwned="article"</script>Report \\2',
    "source": '"><svg onload="window.__pwned=\'source\'">Outlet',
    "mention": 'Moscow<script>window.__pwned="mention"</script>',
}
HOSTILE = {key: f"{value} {TEMPLATE}" for key, value in HOSTILE.items()}


@pytest.fixture
def hostile_story() -> dict[str, Any]:
    """A story whose names, excerpts and titles try to run script in every way they can."""
    def place(pid: str, name: str, role: str, stop: int | None, lon: float, lat: float) -> dict[str, Any]:
        return {"type": "Feature", "id": pid, "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"name": name, "role": role, "stop": stop,
                               "date": "2023-09-13" if stop else None,
                               "date_status": "reported" if stop else None, "place_type": "city",
                               "gazetteer_id": "manual", "geocoder": "manual", "confidence": 0.5,
                               "mention_count": 1, "excerpt": HOSTILE["excerpt"], "sources": HOSTILE["article"],
                               "mentions": [{"article": "a1", "start": 0, "end": 5, "text": name,
                                             "excerpt": HOSTILE["excerpt"]}]}}

    return {"type": "FeatureCollection",
            "storymap": {"version": 1, "title": HOSTILE["title"], "subject": HOSTILE["stop"],
                         "articles": [{"id": "a1", "file": "a1.txt", "title": HOSTILE["article"],
                                       "source": HOSTILE["source"], "published": "2023-09-15"}]},
            "features": [place("s1", HOSTILE["stop"], "stop", 1, 128.334, 51.884),
                         place("s2", "Komsomolsk-on-Amur", "stop", 2, 137.01, 50.55),
                         place("m1", HOSTILE["mention"], "mention", None, 131.0, 48.0),
                         {"type": "Feature", "id": "route",
                          "geometry": {"type": "LineString", "coordinates": [[128.334, 51.884], [137.01, 50.55]]},
                          "properties": {"role": "route", "name": HOSTILE["title"], "stops": ["s1", "s2"],
                                         "dates": ["2023-09-13", None]}}]}


def _initdb() -> str | None:
    """Debian's PostgreSQL server programs, if installed."""
    import glob
    import shutil

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return found[-1] if found else shutil.which("initdb")


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    """A throwaway PostgreSQL server on localhost for the session (Debian's ``postgresql``,
    which ``.ci/run`` installs); skipped, saying why, where no server can be started."""
    import socket
    import subprocess

    initdb = _initdb()
    if initdb is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql): its tests are skipped")
    import shutil
    import tempfile
    from pathlib import Path

    bindir = os.path.dirname(initdb)
    # not under pytest's folder: as root, that is closed to the postgres user
    folder = Path(tempfile.mkdtemp(prefix="storymap-postgresql-"))
    data = folder / "data"
    run_as: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root: run it as the postgres user
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL as another user")
        try:
            shutil.chown(folder, "postgres")
        except (LookupError, OSError) as exc:
            pytest.skip(f"running as root and cannot hand a folder to the postgres user: {exc}")
        run_as = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    try:
        subprocess.run([*run_as, initdb, "-D", str(data), "-A", "trust", "-U", "storymap", "--no-sync"],
                       check=True, capture_output=True, timeout=120)
        subprocess.run([*run_as, os.path.join(bindir, "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "log"),
                        "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                       check=True, capture_output=True, timeout=120)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        pytest.skip(f"could not start a PostgreSQL server: {exc} {detail.decode(errors='replace')[:200]}")
    try:
        yield f"postgresql+psycopg://storymap@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run_as, os.path.join(bindir, "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                       capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)
