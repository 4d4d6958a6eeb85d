"""End to end: the seeds' story, the committed story file, the CLI and bad input."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from geopy.distance import geodesic
from pipeline_support import ROOT, SEEDS, gazetteer, write

from storymap.cli import main
from storymap.story import build_story
from storymap.storyfile import dumps_story

# Where these places really are (Wikipedia), and how close the map must put them.
REAL_SITES = {
    "vostochny-cosmodrome": ((51.8844, 128.3336), 30),
    "komsomolsk-on-amur": ((50.5500, 137.0167), 20),
    "vladivostok": ((43.1155, 131.8855), 20),
}


@pytest.fixture(scope="module")
def seeds_story():
    return build_story([SEEDS], gazetteer=gazetteer(), base=ROOT).story.to_geojson()


def test_seed_route_dates_and_statuses(seeds_story):
    route = next(f for f in seeds_story["features"] if f["properties"]["role"] == "route")
    assert route["properties"]["stops"] == ["vostochny-cosmodrome", "komsomolsk-on-amur", "vladivostok"]
    stops = {f["id"]: f["properties"] for f in seeds_story["features"] if f["properties"]["role"] == "stop"}
    assert stops["vostochny-cosmodrome"]["date"] == "2023-09-13"
    assert stops["komsomolsk-on-amur"]["date"] == "2023-09-15"
    assert stops["vostochny-cosmodrome"]["status"] == stops["komsomolsk-on-amur"]["status"] == "reported"
    assert stops["vostochny-cosmodrome"]["date_status"] == "reported"
    assert stops["vladivostok"]["status"] == "expected"
    assert stops["vladivostok"]["date"] is None or stops["vladivostok"]["date"] >= "2023-09-15"
    assert [stops[i]["stop"] for i in route["properties"]["stops"]] == [1, 2, 3]
    assert seeds_story["storymap"]["subject"] == "Kim Jong Un"


def test_seed_coordinates_are_near_the_real_sites(seeds_story):
    by_id = {f["id"]: f for f in seeds_story["features"]}
    for place_id, ((lat, lon), km) in REAL_SITES.items():
        got_lon, got_lat = by_id[place_id]["geometry"]["coordinates"]
        assert geodesic((lat, lon), (got_lat, got_lon)).km < km, place_id


def test_places_only_talked_about_are_mentions(seeds_story):
    roles = {f["properties"]["name"]: f["properties"]["role"] for f in seeds_story["features"]}
    for name in ("Russia", "Moscow", "Ukraine", "North Korea"):
        assert roles[name] == "mention", name
    # "The Kremlin said", "The White House ... expressed concern": the bodies, not places of the story
    assert "Kremlin" not in roles and "White House" not in roles
    for person in ("Kim", "Gagarin", "Yuri", "Vladimir"):
        assert person not in roles


def test_excerpts_are_verbatim_and_offsets_exact(seeds_story):
    files = {a["id"]: (ROOT / a["file"]).read_text(encoding="utf-8") for a in seeds_story["storymap"]["articles"]}
    n = 0
    for f in seeds_story["features"]:
        for m in f["properties"].get("mentions", []):
            text = files[m["article"]]
            assert text[m["start"] : m["end"]] == m["text"]
            assert m["excerpt"] in text and m["text"] in m["excerpt"]
            n += 1
        if f["properties"]["role"] != "route":
            assert f["properties"]["excerpt"] in "\n".join(files.values())
    assert n >= 20


def test_no_place_comes_from_page_furniture(seeds_story):
    furniture = ("New Delhi", "India", "FELA News", "Blogger")
    for f in seeds_story["features"]:
        for m in f["properties"].get("mentions", []):
            assert not any(x in m["excerpt"] for x in furniture)


def test_articles_carry_title_outlet_and_date(seeds_story):
    arts = {a["id"]: a for a in seeds_story["storymap"]["articles"]}
    assert arts["003_db84e1b7961d4165"]["published"] == "2023-09-22"
    assert arts["003_db84e1b7961d4165"]["source"] == "FELA News"
    assert arts["000_ea784d2238370bf0"]["file"] == "seeds/000_ea784d2238370bf0.txt"


def test_a_built_story_keeps_the_story_file_contract(seeds_story):
    from storymap.storyfile import Story, check_story

    story = Story.from_geojson(seeds_story)
    assert check_story(story) == story  # the schema's checks and the loader's, as any file is read


def test_committed_story_file_is_what_build_writes(seeds_story):
    committed = (ROOT / "data" / "places.geojson").read_text(encoding="utf-8")
    assert committed == dumps_story(seeds_story)


def test_rebuild_is_byte_identical(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    out1, out2 = tmp_path / "a.geojson", tmp_path / "b.geojson"
    assert runner.invoke(main, ["build", "seeds", "-o", str(out1)]).exit_code == 0
    assert runner.invoke(main, ["build", "seeds", "-o", str(out2)]).exit_code == 0
    assert out1.read_bytes() == out2.read_bytes()
    json.loads(out1.read_text(encoding="utf-8"))


def test_cli_reports_bad_files_and_still_builds_the_others(tmp_path):
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    write(folder, "empty.txt", "")
    write(folder, "binary.txt", b"\x00\x01\x02garbage")
    write(folder, "latin1.txt", "Caf\u00e9 in Paris".encode("latin-1"))
    write(folder, "noplace.txt", "A headline\n\nNothing happened here at all, said nobody.")
    write(folder, "000_ea784d2238370bf0.meta.json", "{broken")
    out = tmp_path / "places.geojson"
    result = CliRunner().invoke(main, ["build", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    for name, problem in [("empty.txt", "empty"), ("binary.txt", "binary"), ("latin1.txt", "UTF-8"),
                          ("noplace.txt", "no place names"), ("meta.json", "not valid JSON")]:
        assert any(name in line and problem in line for line in result.output.splitlines()), name
    story = json.loads(out.read_text(encoding="utf-8"))
    assert len(story["storymap"]["articles"]) == 3


@pytest.mark.parametrize("setup", ["missing", "empty", "all-bad", "no-places"])
def test_cli_fails_cleanly_and_keeps_the_previous_story(tmp_path, setup):
    folder = tmp_path / "articles"
    if setup != "missing":
        folder.mkdir()
    if setup == "all-bad":
        write(folder, "empty.txt", "")
    if setup == "no-places":
        write(folder, "a.txt", "A headline\n\nNothing happened here at all, said nobody.")
    out = tmp_path / "places.geojson"
    out.write_text("previous story", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(folder), "-o", str(out)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and str(folder) in result.output
    assert out.read_text(encoding="utf-8") == "previous story"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_every_command_has_help_and_an_example():
    runner = CliRunner()
    for name in main.commands:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.output, name
    assert CliRunner().invoke(main, ["--help"]).exit_code == 0


def test_html_articles_give_clean_excerpts_and_offsets_into_the_html_file(tmp_path):
    html = """<!doctype html><html><head><title>Envoy in Tokyo</title></head><body>
    <nav><a href="/">Home</a> | <a href="/world">World</a></nav>
    <article><h1>Envoy lands in Tokyo</h1>
    <p>Special envoy Jane Doe arrived in <a href="/tokyo">Tokyo</a> on Monday for talks on trade &amp; security
    with officials from the Japanese foreign ministry, her office said in a statement.</p>
    <p>Jane Doe is expected to travel to <b>Osaka</b> on Wednesday before returning home to Canberra.</p>
    </article><footer>Related Articles</footer></body></html>"""
    path = write(tmp_path, "page.html", html)
    story = build_story([path], gazetteer=gazetteer(), base=tmp_path).story
    raw = path.read_text(encoding="utf-8")
    places = {f.name: f for f in story.places}
    for name in ("Tokyo", "Osaka"):
        (m, *_) = places[name].mentions or ()
        assert m.start is not None and m.end is not None and raw[m.start : m.end] == name
        assert m.excerpt and "<" not in m.excerpt and name in m.excerpt
    assert any("trade & security" in (m.excerpt or "") for m in places["Tokyo"].mentions or ())
    assert places["Tokyo"].role == "stop" and places["Osaka"].status == "expected"


def test_rebuild_applies_the_edits_saved_beside_the_story(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "places.geojson"
    (tmp_path / "places.edits.json").write_text(json.dumps({"rejected": ["moscow"]}), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "seeds", "-o", str(out)])
    assert result.exit_code == 0, result.output
    ids = {f["id"] for f in json.loads(out.read_text(encoding="utf-8"))["features"]}
    assert "moscow" not in ids and "vladivostok" in ids
    (tmp_path / "places.edits.json").write_text("{broken", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "seeds", "-o", str(out)])
    assert result.exit_code == 1 and "places.edits.json" in result.output and "Traceback" not in result.output
