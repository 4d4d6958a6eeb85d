"""Batch geoparsing: fixed sentences pinned to places, and the JSONL contract of `storymap geoparse`."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from pipeline_support import gazetteer
from storymap.cli import main
from storymap.geoparse import Geoparser, geoparse_lines


@pytest.fixture(scope="module")
def gp() -> Geoparser:
    return Geoparser(gazetteer())


def places(gp: Geoparser, text: str) -> dict[str, tuple[str, str | None]]:
    out = {}
    for t in gp.parse(text):
        assert text[t.start : t.end] == t.name
        out[t.name] = (t.place_type, t.gazetteer_id)
    return out


def test_story_countries_and_context_choose_among_namesakes(gp):
    got = places(gp, "Officials in Paris, Texas, said the storm had passed.")
    assert got["Paris"][0] == "town" and got["Texas"][0] == "admin1"
    got = places(gp, "Flooding hit Paris and Lyon, France's second city.")
    assert got["Paris"] == ("city", "geonames:2988507")


def test_a_country_name_beats_a_city_known_by_it_as_an_alternate(gp):
    assert places(gp, "Mexico said the talks would resume.")["Mexico"] == ("country", "naturalearth:MX")


@pytest.mark.parametrize(("sentence", "name", "country"), [
    ("Russian state media said the talks would continue.", "Russian", "naturalearth:RU"),
    ("The Irish government disagreed.", "Irish", "naturalearth:IE"),
    ("Canadian officials disagreed.", "Canadian", "naturalearth:CA"),
    ("American troops arrived.", "American", "naturalearth:US"),
])
def test_demonyms_are_placed_at_their_country(gp, sentence, name, country):
    assert places(gp, sentence)[name] == ("country", country)


def test_metonyms_and_alternate_country_forms_are_toponyms(gp):
    got = places(gp, "Moscow said on Tuesday that the U.S. and Britain had imposed sanctions on the Philippines.")
    assert got["Moscow"] == ("city", "geonames:524901")
    assert got["U.S."][1] == "naturalearth:US"
    assert got["Britain"][1] == "naturalearth:GB"
    assert got["Philippines"][1] == "naturalearth:PH"


def test_sites_named_after_places_are_found_whole(gp):
    got = places(gp, "Protesters gathered outside the Florida Atlantic University campus in Boca Raton.")
    assert "Florida Atlantic University" in got and "Florida" not in got
    assert got["Boca Raton"][0] in ("city", "town")


def test_a_hamlet_the_gazetteer_lacks_is_placed_in_the_division_that_qualifies_it(gp):
    text = "Residents from Almo, Ky., packed the courthouse, and crews from Ohio helped."
    got = {t.name: t for t in gp.parse(text)}
    kentucky = got["Ky."]
    assert kentucky.place_type == "admin1"
    assert (got["Almo"].place_type, got["Almo"].lat, got["Almo"].lon) == ("nearby", kentucky.lat, kentucky.lon)


def test_geoparse_and_build_report_the_same_names_as_unplaced(gp, tmp_path):
    from storymap.story import build_story

    # a town the context calls one but the gazetteer lacks, and a hamlet the entity model
    # finds: geoparse puts both near the article's place, build lists both as not placed
    text = ("Valley floods\n\nThe convoy left the town of Qorvath Springs for Lyon, while crews from "
            "Almo, Ky., stayed behind.")
    got = {t.name: t for t in gp.parse(text)}
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    unplaced = {u.split(" (")[0] for u in build_story([tmp_path / "a.txt"], gazetteer=gp.gazetteer).unplaced}
    nearby = {name for name, t in got.items() if t.place_type == "nearby"}
    assert nearby == unplaced == {"Qorvath Springs", "Almo"}
    assert got["Almo"].lat == got["Ky."].lat


def test_regions_and_seas(gp):
    got = places(gp, "Tensions rose in the Middle East and across the Mediterranean.")
    assert got["Middle East"] == ("region", "landmark:middle-east")
    assert got["Mediterranean"] == ("region", "naturalearth-marine:mediterranean-sea")


@pytest.mark.parametrize("sentence", [
    "Sam Gallagher scored twice for the visitors.",
    "Kim Jong Un and Putin spoke for hours. Later Kim left.",
])
def test_people_who_share_a_name_with_a_town_are_not_places(gp, sentence):
    assert places(gp, sentence) == {}


def test_capitalised_common_words_are_not_places(gp):
    assert "Most" not in places(gp, "Most residents stayed at home, officials in Kenya said.")


def _lines(*records) -> list[str]:
    return [r if isinstance(r, str) else json.dumps(r) for r in records]


def test_jsonl_lines_keep_their_keys_and_get_toponyms_with_offsets(gp):
    text = "Flooding hit Lagos and Abuja on Monday, Nigerian officials said."
    (res,) = list(geoparse_lines(_lines({"id": "a1", "text": text, "source": "wire", "n": 3}), geoparser=gp))
    out = json.loads(res.output)
    assert out["id"] == "a1" and out["source"] == "wire" and out["n"] == 3 and out["text"] == text
    keys = {"start", "end", "name", "lat", "lon", "gazetteer_id", "geonameid", "place_type", "confidence"}
    names = []
    for t in out["toponyms"]:
        assert set(t) == keys
        assert text[t["start"] : t["end"]] == t["name"]
        assert isinstance(t["geonameid"], int | None) and 0 <= t["confidence"] <= 1
        names.append(t["name"])
    assert names == ["Lagos", "Abuja", "Nigerian"]


def test_bad_lines_are_reported_and_the_rest_still_parsed(gp):
    lines = _lines({"id": "a", "text": "Rain fell on Oslo."}, "not json", {"id": "b"}, "", {"id": "c", "text": "Snow in Bergen."})
    results = list(geoparse_lines(lines, geoparser=gp))
    assert [r.lineno for r in results] == [1, 2, 3, 5]
    assert [r.error is None for r in results] == [True, False, False, True]
    assert "line 2" in results[1].error and "line 3" in results[2].error
    assert json.loads(results[3].output)["toponyms"][0]["name"] == "Bergen"


def test_two_jobs_give_the_same_lines_in_the_same_order(gp):
    lines = _lines(*({"id": str(i), "text": f"Trains ran from {a} to {b}."}
                     for i, (a, b) in enumerate([("Oslo", "Bergen"), ("Lyon", "Marseille"), ("Porto", "Lisbon")] * 3)))
    one = [r.output for r in geoparse_lines(lines, geoparser=gp)]
    two = [r.output for r in geoparse_lines(lines, geoparser=gp, jobs=2)]
    assert one == two and len(one) == 9


def test_cli_reads_stdin_jsonl_and_plain_text(tmp_path):
    runner = CliRunner()
    stdin = "\n".join(_lines({"id": "x", "text": "Storms hit Manila."}, "{broken")) + "\n"
    out = tmp_path / "out.jsonl"
    res = runner.invoke(main, ["geoparse", "-", "-o", str(out)], input=stdin)
    assert res.exit_code == 0, res.output
    (line,) = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["toponyms"][0]["name"] == "Manila"
    assert "line 2" in res.stderr
    res = runner.invoke(main, ["geoparse"], input="Storms hit Manila on Sunday.\n")
    assert res.exit_code == 0
    assert json.loads(res.stdout.splitlines()[0])["toponyms"][0]["name"] == "Manila"


def test_cli_uses_several_workers_for_long_inputs_and_keeps_the_order(tmp_path, monkeypatch):
    import storymap.geoparse as geoparse_module

    seen_jobs = []
    original = geoparse_module.geoparse_lines

    def spy(lines, *, geoparser=None, jobs=1):
        seen_jobs.append(jobs)
        return original(lines, geoparser=geoparser, jobs=1)  # the order and content are what matter here

    monkeypatch.setattr(geoparse_module, "geoparse_lines", spy)
    towns = ["Paris", "Lagos", "Lima", "Oslo"]
    records = [{"id": n, "text": f"Crowds gathered in {towns[n % 4]} on Sunday."} for n in range(40)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = CliRunner().invoke(main, ["geoparse", str(src), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [o["id"] for o in out] == list(range(40))
    assert [o["toponyms"][0]["name"] for o in out] == [towns[n % 4] for n in range(40)]
    assert seen_jobs == [min(os.cpu_count() or 1, 4)]
    short = tmp_path / "short.jsonl"
    short.write_text(json.dumps(records[0]) + "\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["geoparse", str(short), "-o", str(tmp_path / "s.jsonl")]).exit_code == 0
    assert seen_jobs[-1] == 1


# --------------------------------------------------------------------------- hostile input

def _bytes_lines(*lines: bytes) -> bytes:
    return b"".join(line + b"\n" for line in lines)


GOOD_A = json.dumps({"id": "a", "text": "Rain fell on Oslo."}).encode()
GOOD_B = json.dumps({"id": "b", "text": "Snow in Bergen."}).encode()
BAD_LINES = {
    "not UTF-8": b'{"id": "u", "text": "Hail in Lyon \xff\xfe."}',
    "surrogate": b'{"id": "s", "text": "Lone \\ud800 in Paris."}',
    "nested too deeply": b"[" * 100_000,
    "expected a JSON object": b"[1, 2]",
    "100,000 characters": json.dumps({"id": "h", "text": "Paris " * 200_000}).encode(),
    "not valid JSON": b'{"id": "n", "text": "unterminated',
}


def test_each_kind_of_bad_line_is_reported_with_its_number_and_the_rest_are_parsed(gp):
    lines = [GOOD_A, *BAD_LINES.values(), GOOD_B]
    results = list(geoparse_lines([line + b"\n" for line in lines], geoparser=gp))
    assert [r.lineno for r in results] == list(range(1, len(lines) + 1))
    for n, (reason, result) in enumerate(zip(BAD_LINES, results[1:-1], strict=True), 2):
        assert result.output is None and result.error.startswith(f"line {n}: "), result
        assert reason in result.error
    assert [json.loads(results[i].output)["toponyms"][0]["name"] for i in (0, -1)] == ["Oslo", "Bergen"]


def test_a_byte_order_mark_and_comment_lines_do_not_turn_jsonl_into_text(tmp_path):
    from storymap.records import input_format

    head = [b"\xef\xbb\xbf# exported 2024-05-01\n", GOOD_A + b"\n", b"not json\n", GOOD_B + b"\n"]
    assert input_format(head) == "jsonl"
    assert input_format([b"not json\n", GOOD_A + b"\n"]) == "jsonl"  # one bad first line
    assert input_format([b"Storms hit Manila.\n", b"More rain is expected.\n"]) == "text"
    assert input_format([b"Storms hit Manila.\n"], "notes.jsonl") == "jsonl"
    assert input_format([GOOD_A + b"\n"], "article.txt") == "text"
    src = tmp_path / "in"  # no extension: sniffed
    src.write_bytes(b"\xef\xbb\xbf# exported 2024-05-01\n" + GOOD_A + b"\n" + GOOD_B + b"\n")
    res = CliRunner().invoke(main, ["geoparse", str(src)])
    assert res.exit_code == 0, res.output
    assert [json.loads(line)["id"] for line in res.stdout.splitlines()] == ["a", "b"]


def test_cli_skips_bad_lines_writes_the_good_ones_and_exits_0(tmp_path):
    src = tmp_path / "[" / "x][bold]in.jsonl"  # ".../[/x][bold]in.jsonl": markup-like, printed as it is
    src.parent.mkdir()
    src.write_bytes(_bytes_lines(GOOD_A, *BAD_LINES.values(), GOOD_B))
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(main, ["geoparse", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["a", "b"]
    for n, reason in enumerate(BAD_LINES, 2):
        assert f"{src} line {n}: " in res.stderr and reason in res.stderr
    assert f"Geoparsed 2 articles into {out}, skipped 6 bad lines" in res.stderr
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_cli_fails_and_keeps_the_previous_output_when_no_line_can_be_geoparsed(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(_bytes_lines(*BAD_LINES.values()))
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["geoparse", str(src), "-o", str(out)])
    assert res.exit_code == 1
    assert "no line could be geoparsed (6 bad lines)" in res.stderr and "left as it was" in res.stderr
    assert out.read_text(encoding="utf-8") == "previous\n"
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"\n# only a comment\n")
    res = CliRunner().invoke(main, ["geoparse", str(empty), "-o", str(out)])
    assert res.exit_code == 1 and "no articles" in res.stderr
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.jsonl", "in.jsonl", "out.jsonl"]


def test_cli_format_option_and_plain_text_checks(tmp_path):
    runner = CliRunner()
    src = tmp_path / "in.data"
    src.write_bytes(b"Storms hit Manila.\n" + GOOD_A + b"\n")  # half JSON: read as JSONL unless told
    res = runner.invoke(main, ["geoparse", str(src), "--format", "text"])
    assert res.exit_code == 0, res.output
    (record,) = [json.loads(line) for line in res.stdout.splitlines()]
    assert record["id"] == str(src) and [t["name"] for t in record["toponyms"]][:1] == ["Manila"]
    res = runner.invoke(main, ["geoparse", str(src), "--format", "jsonl"])
    assert res.exit_code == 0 and [json.loads(line)["id"] for line in res.stdout.splitlines()] == ["a"]
    assert "line 1: not valid JSON" in res.stderr
    res = runner.invoke(main, ["geoparse", "--format", "text"], input=b"Rain in \xff Oslo.")
    assert res.exit_code == 1 and "standard input: line 1: not UTF-8" in res.stderr
    res = runner.invoke(main, ["geoparse", "--format", "text"], input="Paris " * 20_000)
    assert res.exit_code == 1 and "over the limit of 100,000 characters" in res.stderr
    res = runner.invoke(main, ["geoparse"], input="Storms hit Manila.\nMore rain is expected.\n")
    assert res.exit_code == 0 and "as one plain-text article (guessed" in res.stderr


def test_long_runs_without_spaces_hold_no_toponym_and_never_reach_the_model_whole(gp, monkeypatch):
    from storymap import ner

    seen: list[str] = []
    model = ner.default_ner()
    if model is not None:
        nlp = model._nlp or model._load()
        original = nlp.pipe

        def spy(texts, **kwargs):
            texts = list(texts)
            seen.extend(texts)
            return original(texts, **kwargs)

        monkeypatch.setattr(nlp, "pipe", spy)
    text = "Storms hit Manila. " + "(" * 300 + " Rain fell in Cebu. " + "[" * 20_000 + " Floods reached Davao on Monday."
    assert [(t.name, text[t.start : t.end]) for t in gp.parse(text)] == [
        ("Manila", "Manila"), ("Cebu", "Cebu"), ("Davao", "Davao")]
    # spaCy's tokenizer takes time quadratic in such a run: it sees spaces instead
    assert all("(" * ner.LONG_RUN not in piece and "[" * ner.LONG_RUN not in piece for piece in seen)


