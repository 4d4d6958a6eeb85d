"""Hostile surroundings: special files as outputs, links, markup in names, killed runs, a damaged gazetteer."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline_support import SEEDS, gazetteer
from storymap import gazetteer as gz
from storymap.cli import main
from storymap.errors import GazetteerError
from storymap.files import OutputError, write_atomic

ROOT = Path(__file__).resolve().parent.parent
STORYMAP = ROOT / ".venv" / "bin" / "storymap"
ARTICLE = "Rain fell on Oslo and Bergen on Monday, Norwegian officials said."


@pytest.fixture(autouse=True)
def _never_replace_dev_null(monkeypatch):
    """If a refusal ever breaks, fail the test instead of turning the machine's /dev/null into a file."""
    real = os.replace

    def guarded(src, dst, *args, **kwargs):
        if os.path.realpath(dst) == os.devnull:
            raise AssertionError(f"about to replace {os.devnull}")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", guarded)


@pytest.fixture(scope="module")
def story_file(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("story") / "places.geojson"
    res = CliRunner().invoke(main, ["build", str(SEEDS), "-o", str(out)])
    assert res.exit_code == 0, res.output
    return out


def _article(tmp_path: Path) -> Path:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": ARTICLE}) + "\n", encoding="utf-8")
    return src


def _command(kind: str, tmp_path: Path, story: Path, out: str) -> list[str]:
    if kind == "build":
        return ["build", str(SEEDS), "-o", out]
    if kind == "export":
        return ["export", str(story), "-o", out, "--format", "geojson"]
    return ["geoparse", str(_article(tmp_path)), "-o", out]


def _kind(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return stat.S_IFMT(st.st_mode), st.st_ino


# --------------------------------------------------------------------------- special files and links

@pytest.mark.parametrize("command", ["build", "export", "geoparse"])
@pytest.mark.parametrize("special", ["/dev/null", "fifo", "link to /dev/null"])
def test_devices_and_fifos_are_refused_as_outputs_and_left_as_they_were(tmp_path, story_file, command, special):
    if special == "fifo":
        out = str(tmp_path / "pipe")
        os.mkfifo(out)
    elif special == "link to /dev/null":
        out = str(tmp_path / "out.geojson")
        os.symlink(os.devnull, out)
    else:
        out = os.devnull
    before = _kind(out)
    res = CliRunner().invoke(main, _command(command, tmp_path, story_file, out))
    assert res.exit_code == 1, res.output
    assert f"{out}: is a " in res.stderr and "not a regular file" in res.stderr
    assert "Traceback" not in res.output
    assert _kind(out) == before
    if special == "link to /dev/null":
        assert os.readlink(out) == os.devnull
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("command", ["build", "export", "geoparse"])
def test_a_directory_is_refused_as_output(tmp_path, story_file, command):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "keep.txt").write_text("kept", encoding="utf-8")
    res = CliRunner().invoke(main, _command(command, tmp_path, story_file, str(folder)))
    assert res.exit_code != 0 and "is a directory" in res.output
    assert folder.is_dir() and (folder / "keep.txt").read_text(encoding="utf-8") == "kept"


def test_write_atomic_refuses_what_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target, kind in ((tmp_path, "a directory"), (fifo, "a named pipe"), (Path(os.devnull), "a character device")):
        with pytest.raises(OutputError, match=f"^{target}: is {kind}"):
            write_atomic(target, "x")
    loop = tmp_path / "loop"
    os.symlink(loop, loop)
    with pytest.raises(OutputError, match="^.*loop: cannot write there"):
        write_atomic(loop, "x")


@pytest.mark.parametrize(("command", "name"), [("build", "places.geojson"), ("export", "places.csv"),
                                               ("geoparse", "out.jsonl")])
def test_a_symlinked_output_is_written_through_and_stays_a_link(tmp_path, story_file, command, name):
    real = tmp_path / "real" / "target.data"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / name
    os.symlink(os.path.relpath(real, tmp_path), link)
    args = _command(command, tmp_path, story_file, str(link))
    if command == "export":
        args = args[:-2]  # the link's own extension (.csv) chooses the format, not the target's
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert link.is_symlink() and link.resolve() == real
    content = real.read_text(encoding="utf-8")
    assert content != "old"
    if command == "export":
        assert content.startswith("id,")
    elif command == "geoparse":
        assert json.loads(content)["toponyms"][0]["name"] == "Oslo"
    else:
        assert json.loads(content)["type"] == "FeatureCollection"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # a replaced file keeps its permissions
    assert sorted(p.name for p in real.parent.iterdir()) == ["target.data"]


# --------------------------------------------------------------------------- markup in what users type

def test_markup_like_titles_subjects_paths_and_warnings_are_printed_as_they_are(tmp_path):
    folder = tmp_path / "[" / "x] :smile: articles"  # the path holds "[/x]" and an emoji code
    folder.mkdir(parents=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, folder / f"[bold]{seed.name}")
    first = sorted(folder.glob("*.txt"))[0]
    first.with_name(first.stem + ".meta.json").write_text(
        json.dumps({"published": "[/x] [red]soon"}), encoding="utf-8")
    out = tmp_path / "[bold]story[/].geojson"
    title = "[/x] :smile: [bold]Kim's [link=http://x]trip"
    res = CliRunner().invoke(main, ["build", str(folder), "-o", str(out), "--title", title,
                                    "--subject", "[bold]Kim Jong Un[/bold]"])
    assert res.exit_code == 0, res.output
    assert f"Wrote {out}: {title!r}" in res.stderr
    assert "[/x] [red]soon" in res.stderr  # the metadata warning, literally
    assert json.loads(out.read_text(encoding="utf-8"))["storymap"]["title"] == title


def test_markup_like_file_names_are_printed_as_they_are_by_export_and_geoparse(tmp_path, story_file):
    out = tmp_path / "[bold]x[/].csv"
    res = CliRunner().invoke(main, ["export", str(story_file), "-o", str(out)])
    assert res.exit_code == 0 and f"Wrote {out}" in res.stderr
    src = tmp_path / "[red]in:smile:.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    res = CliRunner().invoke(main, ["geoparse", str(src)])
    assert res.exit_code == 0, res.output
    assert f"Geoparsed {src} as one plain-text article" in res.stderr


# --------------------------------------------------------------------------- leftovers of killed runs

def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_the_next_write_removes_temporaries_of_dead_writers_only(tmp_path):
    out = tmp_path / "places.geojson"
    dead = tmp_path / f".places.geojson.{_dead_pid()}.abcd1234.tmp"
    alive = tmp_path / f".places.geojson.{os.getpid()}.abcd1234.tmp"
    old_style = tmp_path / ".places.geojson.k2j4h5g6.tmp"  # no pid, from an older version
    recent_old_style = tmp_path / ".places.geojson.zz99yy88.tmp"
    other = tmp_path / f".other.geojson.{_dead_pid()}.abcd1234.tmp"
    for path in (dead, alive, old_style, recent_old_style, other):
        path.write_text("partial", encoding="utf-8")
    two_hours_ago = time.time() - 7200
    os.utime(old_style, (two_hours_ago, two_hours_ago))
    write_atomic(out, "new")
    assert out.read_text(encoding="utf-8") == "new"
    assert not dead.exists() and not old_style.exists()
    assert alive.exists() and recent_old_style.exists() and other.exists()


def test_a_killed_geoparse_leaves_the_previous_output_and_its_temporary_is_cleaned_next_time(tmp_path):
    if not STORYMAP.exists():
        pytest.skip(f"{STORYMAP} not installed")
    src = tmp_path / "in.jsonl"
    towns = ["Paris", "Lyon", "Oslo", "Lima"]
    src.write_text("".join(json.dumps({"id": n, "text": f"Trains ran from {towns[n % 4]} to {towns[(n + 1) % 4]}."})
                           + "\n" for n in range(5000)), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    env = {**os.environ, "STORYMAP_CACHE_DIR": str(gazetteer().path.parent)}
    proc = subprocess.Popen([str(STORYMAP), "geoparse", str(src), "-o", str(out), "--jobs", "1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    temps: list[Path] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            temps = [p for p in tmp_path.iterdir() if p.name.startswith(f".out.jsonl.{proc.pid}.")]
            if temps and temps[0].stat().st_size > 0:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert temps and temps[0].exists()
    assert out.read_text(encoding="utf-8") == "previous\n"
    res = CliRunner().invoke(main, ["geoparse", str(_article(tmp_path)), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert not temps[0].exists()
    assert json.loads(out.read_text(encoding="utf-8"))["id"] == "a"


def test_a_gazetteer_build_removes_temporaries_of_dead_builds(tmp_path, monkeypatch):
    dead = tmp_path / f".gazetteer-{_dead_pid()}-abcd1234.sqlite.tmp"
    alive = tmp_path / f".gazetteer-{os.getpid()}-abcd1234.sqlite.tmp"
    for path in (dead, alive):
        path.write_bytes(b"half a database")

    def stop(name):
        raise GazetteerError("stopped for the test")

    monkeypatch.setattr(gz, "_read_csv", stop)
    with pytest.raises(GazetteerError, match="stopped"):
        gz.build(tmp_path / "gazetteer.sqlite")
    assert sorted(p.name for p in tmp_path.iterdir()) == [alive.name]  # and its own temporary is gone


# --------------------------------------------------------------------------- a damaged gazetteer

@pytest.fixture
def damaged(tmp_path) -> tuple[Path, Path]:
    """A copy of the real gazetteer with bytes overwritten in the middle, and a truncated one."""
    good = gazetteer().path
    size = good.stat().st_size
    overwritten = tmp_path / "overwritten" / good.name
    truncated = tmp_path / "truncated" / good.name
    for copy in (overwritten, truncated):
        copy.parent.mkdir()
        shutil.copyfile(good, copy)
    with overwritten.open("r+b") as fh:
        fh.seek(size // 2 // 4096 * 4096)
        fh.write(b"\xa5" * 3 * 4096)
    os.truncate(truncated, size * 2 // 3)
    return overwritten, truncated


def test_a_damaged_gazetteer_is_detected_on_opening_with_a_clear_message(damaged):
    for path in damaged:
        assert gz.check(path) is not None
        with pytest.raises(GazetteerError, match=f"^{path}: the gazetteer file is damaged .*storymap gazetteer --rebuild"):
            gz.Gazetteer(path, build_missing=False)
    assert gz.check(gazetteer().path) is None


def test_a_damaged_gazetteer_is_built_again_and_the_cli_says_so(damaged, monkeypatch):
    overwritten, _ = damaged
    built = []

    def fake_build(path=None, *, progress=None):  # the real build takes ~15 s; its result is the good file
        built.append(Path(path))
        shutil.copyfile(gazetteer().path, path)
        return Path(path)

    monkeypatch.setattr(gz, "build", fake_build)
    monkeypatch.setenv("STORYMAP_CACHE_DIR", str(overwritten.parent))
    res = CliRunner().invoke(main, ["gazetteer"])
    assert res.exit_code == 0, res.output
    assert "the gazetteer file is damaged" in res.stderr and "building it again" in res.stderr
    assert built == [overwritten] and gz.check(overwritten) is None
    # a rebuild that cannot happen is a clear error, not a raw sqlite one
    os.truncate(overwritten, 4096)

    def failing_build(path=None, *, progress=None):
        raise GazetteerError(f"{path}: cannot build the gazetteer there (Read-only file system)")

    monkeypatch.setattr(gz, "build", failing_build)
    res = CliRunner().invoke(main, ["gazetteer"])
    assert res.exit_code == 1 and "damaged" in res.stderr and "cannot be built again" in res.stderr
    assert "Traceback" not in res.output


# --------------------------------------------------------------------------- terminal control characters

#: a window title change and a screen clear (ESC ... BEL), a C1 control sequence introducer,
#: a bell, a carriage return that would overwrite the line, and a right-to-left override
HOSTILE = "Tour\x1b]0;pwned\x07\x1b[2J of \x9b31m Vilnius\r\x7f \u202eevil\u202c"
CONTROLS = ["\x1b", "\x07", "\x9b", "\r", "\x7f", "\u202e", "\u202c"]
FIXTURE = ROOT / "tests" / "fixtures" / "story.geojson"


def _hostile_story(tmp_path: Path) -> Path:
    story = json.loads(FIXTURE.read_text(encoding="utf-8"))
    story["storymap"]["title"] = HOSTILE
    story["storymap"]["subject"] = HOSTILE
    for feature in story["features"]:
        if feature["properties"].get("role") == "stop":
            feature["properties"]["name"] = HOSTILE
    path = tmp_path / "hostile.geojson"
    path.write_text(json.dumps(story), encoding="utf-8")
    return path


def _no_controls(res) -> None:  # noqa: ANN001 - click's Result
    for stream in (res.stdout, res.stderr):
        assert not [c for c in CONTROLS if c in stream], repr(stream)


@pytest.fixture
def hostile_id(tmp_path) -> str:
    res = CliRunner().invoke(main, ["stories", "import", str(_hostile_story(tmp_path))])
    assert res.exit_code == 0, res.output
    _no_controls(res)
    listed = [line for line in CliRunner().invoke(main, ["stories", "list"]).stdout.splitlines() if "pwned" in line]
    return listed[0].split()[0]


def test_stories_list_prints_a_title_without_its_terminal_controls(hostile_id):
    res = CliRunner().invoke(main, ["stories", "list"])
    assert res.exit_code == 0, res.output
    _no_controls(res)
    (line,) = [line for line in res.stdout.splitlines() if line.startswith(hostile_id)]
    assert line.endswith("Tour]0;pwned[2J of 31m Vilnius evil")  # what is left is shown, on one line


def test_stories_show_prints_titles_and_stop_names_without_terminal_controls(hostile_id):
    res = CliRunner().invoke(main, ["stories", "show", hostile_id])
    assert res.exit_code == 0, res.output
    _no_controls(res)
    assert res.stderr.count("Tour]0;pwned[2J of 31m Vilnius evil") >= 3  # title, subject and the stops


def test_an_error_message_shows_a_file_name_without_its_terminal_controls(tmp_path):
    missing = tmp_path / "story\x1b]0;pwned\x07\u202e.geojson"
    res = CliRunner().invoke(main, ["export", str(missing), "-o", str(tmp_path / "out.html")])
    assert res.exit_code == 1 and "Traceback" not in res.output
    _no_controls(res)
    assert "story]0;pwned.geojson" in res.stderr


def test_clicks_own_messages_quote_a_file_name_without_its_terminal_controls(tmp_path):
    missing = tmp_path / "corpus\x1b]0;pwned\x07\u202e.jsonl"
    res = CliRunner().invoke(main, ["geoparse", str(missing)])
    assert res.exit_code == 2 and "No such file" in res.stderr
    _no_controls(res)
    assert "corpus]0;pwned.jsonl" in res.stderr


def test_a_written_file_is_named_without_its_terminal_controls(tmp_path):
    out = tmp_path / "out\x1b[2J\u2066.geojson"
    res = CliRunner().invoke(main, ["export", str(FIXTURE), "-o", str(out)])
    assert res.exit_code == 0, res.output
    _no_controls(res)
    assert out.exists() and "out[2J.geojson" in res.stderr


def test_printable_keeps_newlines_and_tabs_of_a_message_and_text_of_every_script():
    from storymap.cli import printable

    assert printable("line one\n\tline two") == "line one\n\tline two"
    assert printable("Zürich, Київ, 北京, مصر\x00\x1f\x85") == "Zürich, Київ, 北京, مصر"
    assert printable("a\nb\tc", one_line=True) == "a b c"
