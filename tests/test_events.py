"""The movement-event table and stories traced from it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas
import pytest
from click.testing import CliRunner

from pipeline_support import event_row, gazetteer
from storymap.cli import main
from storymap.corpus import write_geoparquet
from storymap.events import EVENT_COLUMNS, TraceError, events_corpus, same_traveller, trace
from storymap.storyfile import load_story, stops

RECORDS = [
    {"id": "n2", "outlet": "Daily Test", "published": "2025-05-07", "title": "Envoy in Accra",
     "text": "Trade envoy Lena Moritz arrived in Accra on Tuesday for talks on cocoa exports.\n"
             "Moritz will travel to Lome on Thursday, officials said."},
    {"id": "n1", "outlet": "Test Wire", "published": "2025-05-05", "title": "Envoy starts tour",
     "text": "Lena Moritz landed in Dakar on Monday at the start of a West African tour.\n"
             "Separately, the singer Omar Kone flew to Paris."},
    {"id": "n3", "outlet": "Test Wire", "published": "not a date", "text": "Rain fell in Lagos all week."},
    {"title": "no text"},
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    gazetteer()
    folder = tmp_path / "corpus"
    folder.mkdir()
    with (folder / "one.jsonl").open("w", encoding="utf-8") as fh:
        for row in RECORDS[:2]:
            fh.write(json.dumps(row) + "\n")
    with (folder / "two.jsonl").open("w", encoding="utf-8") as fh:
        for row in RECORDS[2:]:
            fh.write(json.dumps(row) + "\n")
    return folder


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_event_table_is_the_same_from_a_dask_cluster_and_names_every_traveller(corpus: Path, tmp_path: Path):
    from dask.distributed import LocalCluster

    alone = events_corpus(str(corpus), tmp_path / "alone", scheduler="local")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        spread = events_corpus(str(corpus), tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert _bytes(tmp_path / "alone") == _bytes(tmp_path / "dask")
    assert alone.events == spread.events > 0
    # the record without text is skipped and reported; the bad date is reported and read without it
    assert any("two.jsonl, record 2" in b and "'text'" in b for b in spread.bad)
    assert any("two.jsonl, record 1" in b and "ISO date" in b for b in spread.bad)

    table = geopandas.read_parquet(tmp_path / "dask" / "part-00000.parquet")
    assert table.crs.to_string() == "OGC:CRS84"
    assert list(table.columns) == [c for c, _ in EVENT_COLUMNS] + ["geometry"]
    assert list(table["article_id"]) == sorted(table["article_id"])  # in order of article id
    rows = table.to_dict("records")
    moritz = {(r["place_name"], r["status"]) for r in rows if r["traveller_normalised"] == "Lena Moritz"}
    assert {("Dakar", "reported"), ("Accra", "reported"), ("Lomé", "expected")} <= moritz
    kone = [r for r in rows if r["traveller_normalised"] == "Omar Kone"]
    assert [r["place_name"] for r in kone] == ["Paris"] and not kone[0]["is_subject"]
    dakar = next(r for r in rows if r["place_name"] == "Dakar")
    text = RECORDS[1]["text"]
    assert text[dakar["mention_start"] : dakar["mention_end"]] == "Dakar"
    assert dakar["excerpt"] == text[dakar["sentence_start"] : dakar["sentence_end"]]
    assert dakar["date"] == dt.date(2025, 5, 5) and dakar["outlet"] == "Test Wire"
    assert dakar["geometry"].x == pytest.approx(dakar["lon"]) and dakar["geometry"].y == pytest.approx(dakar["lat"])


@pytest.fixture
def table(tmp_path: Path) -> Path:
    folder = tmp_path / "events"
    folder.mkdir()
    march = dt.date(2024, 3, 4)
    write_geoparquet(str(folder / "part-00000.parquet"), [
        event_row("a", "Lisbon", "t:lisbon", -9.14, 38.72, date=march),
        event_row("a", "Porto", "t:porto", -8.61, 41.15, status="expected", date=dt.date(2024, 3, 6)),
        event_row("a", "Faro", "t:faro", -7.93, 37.02, status="expected", date=dt.date(2024, 3, 8)),
        event_row("a", "Braga", "t:braga", -8.43, 41.55, who="Rui Costa"),
    ], EVENT_COLUMNS)
    write_geoparquet(str(folder / "part-00001.parquet"), [
        event_row("b", "Porto", "t:porto", -8.61, 41.15, date=dt.date(2024, 3, 6),
                  published=dt.date(2024, 3, 7)),
        event_row("b", "Faro", "t:faro", -7.93, 37.02, status="cancelled", published=dt.date(2024, 3, 7)),
        event_row("c", "Lisbon", "t:lisbon", -9.14, 38.72, date=march, published=dt.date(2024, 3, 5),
                  who="Ferro"),
        event_row("d", "Coimbra", "t:coimbra", -8.43, 40.2, date=dt.date(2024, 7, 1),
                  published=dt.date(2024, 7, 2)),
    ], EVENT_COLUMNS)
    return folder


def test_trace_merges_the_sources_and_keeps_their_evidence(table: Path) -> None:
    result = trace(table, "ferro", date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 3, 31))
    story = result.story
    assert story.meta.subject == "Ines Ferro"  # the name the table gives most often
    got = {p.name: p for p in story.stops}
    assert [p.name for p in story.stops] == \
        ["Lisbon", "Porto"]  # Faro cancelled by a later article; Coimbra out of range; Braga someone else's
    assert got["Lisbon"].article_count == 2 and got["Lisbon"].date == "2024-03-04"
    assert got["Porto"].status == "reported"  # a plan confirmed by a later report
    assert {e.status for e in got["Porto"].evidence or ()} == {"expected", "reported"}
    faro = next(p for p in story.places if p.name == "Faro")
    assert faro.role == "mention" and {e.status for e in faro.evidence or ()} == {"expected", "cancelled"}
    lisbon = (got["Lisbon"].evidence or ())[0]
    assert lisbon.excerpt == "Ines Ferro visited Lisbon." and (lisbon.start, lisbon.end) == (100, 126)
    assert {a.id: a.file for a in story.articles} == {"a": None, "b": None, "c": None}
    assert {a.id: a.corpus_file for a in story.articles}.keys() == {"a", "b", "c"}
    assert story.meta.traced == {"events": str(table), "subject": "ferro", "from": "2024-03-01", "to": "2024-03-31"}
    assert result.events == 6 and result.articles == 3


def test_trace_from_the_command_line_writes_a_story_the_readers_load(table: Path, tmp_path: Path) -> None:
    out = tmp_path / "ferro.geojson"
    run = CliRunner().invoke(main, ["trace", str(table), "--subject", "Ines Ferro", "--from", "2024-07-01",
                                    "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert [f["properties"]["name"] for f in stops(load_story(out))] == ["Coimbra"]
    missing = CliRunner().invoke(main, ["trace", str(table), "--subject", "Nobody Else", "-o", str(out)])
    assert missing.exit_code == 1 and "no movement event of 'Nobody Else'" in missing.output
    wrong = CliRunner().invoke(main, ["trace", str(tmp_path / "ferro.geojson"), "--subject", "X", "-o", str(out)])
    assert wrong.exit_code == 1 and "not an event table" in wrong.output and "Traceback" not in wrong.output
    with pytest.raises(TraceError):
        trace(table, "Ines Ferro", date_from=dt.date(2030, 1, 1))


def test_names_match_by_their_words() -> None:
    assert same_traveller("Putin", "Vladimir Putin") and same_traveller("President Vladimir Putin", "Putin")
    assert same_traveller("kim jong un", "Kim Jong Un") and not same_traveller("Kim Jong Un", "Moon Jae-in")
    assert not same_traveller("President", "Vladimir Putin")  # a title alone names nobody


def test_geoparse_writes_geoparquet_toponyms(corpus: Path, tmp_path: Path) -> None:
    jsonl, parquet = tmp_path / "jsonl", tmp_path / "parquet"
    assert CliRunner().invoke(main, ["geoparse", str(corpus), "-o", str(jsonl), "--scheduler", "local"]).exit_code == 0
    run = CliRunner().invoke(main, ["geoparse", str(corpus), "-o", str(parquet), "--format", "parquet",
                                    "--scheduler", "local"])
    assert run.exit_code == 0, run.output
    lines = [json.loads(line) for line in (jsonl / "part-00000.jsonl").read_text("utf-8").splitlines()]
    want = [(r["id"], t["start"], t["name"], t["gazetteer_id"]) for r in lines for t in r["toponyms"]]
    table = geopandas.read_parquet(parquet / "part-00000.parquet")
    assert list(zip(table["article_id"], table["start"], table["name"], table["gazetteer_id"], strict=True)) == want
    assert table.geometry.iloc[0].x == pytest.approx(table["lon"].iloc[0])


def test_records_before_a_damaged_gzip_end_give_their_events_and_stale_parts_are_removed(tmp_path: Path) -> None:
    import gzip

    from storymap.events import events_partition

    gazetteer()
    folder = tmp_path / "corpus"
    folder.mkdir()
    whole = gzip.compress("".join(json.dumps(r) + "\n" for r in RECORDS[:2]).encode())
    (folder / "news.jsonl.gz").write_bytes(whole + b"trailing bytes that are not gzip")
    out = tmp_path / "events"
    out.mkdir()
    write_geoparquet(str(out / "part-00003.parquet"), [event_row("z", "Faro", "t:faro", -7.93, 37.02, who="Old Run")],
                     EVENT_COLUMNS)
    result = events_corpus(str(folder), out, scheduler="local")
    assert result.events > 0 and result.articles == 2
    assert len(result.bad) == 1 and result.bad[0].startswith(f"{folder / 'news.jsonl.gz'}, line 3: cannot read further")
    assert sorted(p.name for p in out.iterdir()) == ["part-00000.parquet"]  # the earlier run's part is gone
    with pytest.raises(TraceError, match="no movement event of 'Old Run'"):
        trace(out, "Old Run")
    assert events_partition(str(folder / "news.jsonl.gz"), str(tmp_path), 0).events == result.events


def _malformed(folder: Path, column: str, values: list, kind: str | None = None) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from storymap.events import event_schema

    rows = [event_row("a", "Lisbon", "t:lisbon", -9.14, 38.72), event_row("b", "Porto", "t:porto", -8.61, 41.15)]
    table = pa.Table.from_pylist(rows, schema=event_schema())
    i = table.schema.get_field_index(column)
    if values:
        table = table.set_column(i, column, pa.array(values, getattr(pa, kind)() if kind else None))
    else:
        table = table.remove_column(i)
    folder.mkdir(exist_ok=True)
    pq.write_table(table, folder / "part-00000.parquet")
    return folder / "part-00000.parquet"


@pytest.mark.parametrize(("column", "values", "kind", "problem"), [
    ("traveller_normalised", [7, 7], None, "holds int64 values, not text"),
    ("date", ["2024-03-04", "2024-03-05"], None, "holds string values, not date"),
    ("published", ["2024-03-01", "2024-03-01"], None, "holds string values, not date"),
    ("mention_start", ["116", "116"], None, "holds string values, not integer"),
    ("lat", ["38.7", "41.1"], None, "holds string values, not number"),
    ("status", [1, 2], None, "holds int64 values, not text"),
    ("excerpt", [1.5, 2.5], None, "holds double values, not text"),
    ("predicate", [], None, "no column 'predicate'"),
    ("gazetteer_id", [None, None], "string", "'gazetteer_id' is empty in 2 of the events"),
    ("sentence_end", [2_000_000_000, 126], "int32", "'sentence_end' holds 2000000000, not an offset"),
    ("mention_start", [-5, 116], "int32", "'mention_start' holds -5, not an offset"),
    ("status", ["reported", "arrived"], "string", "'status' holds 'arrived', not one of reported, expected"),
    ("kind", ["visit", "trip"], "string", "'kind' holds 'trip', not one of visit, origin, end"),
    ("place_type", ["city", "hamlet"], "string", "'place_type' holds 'hamlet', not one of continent, country"),
])
def test_a_malformed_event_table_is_named_with_its_column(tmp_path: Path, column, values, kind, problem) -> None:
    from storymap.events import EventTableError

    folder = tmp_path / "events"
    path = _malformed(folder, column, values, kind)
    with pytest.raises(EventTableError) as caught:
        trace(folder, "Ines Ferro")
    assert str(caught.value).startswith(f"{path}: ") and problem in str(caught.value)
    run = CliRunner().invoke(main, ["trace", str(folder), "--subject", "Ines Ferro", "-o", str(tmp_path / "s.geojson")])
    assert run.exit_code == 1 and problem in run.output and "Traceback" not in run.output
    assert not (tmp_path / "s.geojson").exists()


def test_a_table_of_other_integer_and_text_types_is_read(tmp_path: Path) -> None:
    # pandas and DuckDB write int64 offsets and large strings: the same values
    folder = tmp_path / "events"
    _malformed(folder, "mention_start", [116, 116], "int64")
    assert [f.name for f in trace(folder, "Ines Ferro").story.stops] == ["Lisbon", "Porto"]
    _malformed(folder, "excerpt", ["Ines Ferro visited Lisbon.", "Ines Ferro visited Porto."], "large_string")
    assert len(trace(folder, "Ines Ferro").story.stops) == 2


def test_a_name_of_several_travellers_lists_them_and_all_merges_them(tmp_path: Path) -> None:
    from storymap.events import AmbiguousSubjectError

    folder = tmp_path / "events"
    folder.mkdir()
    write_geoparquet(str(folder / "part-00000.parquet"), [
        event_row("a", "Lisbon", "t:lisbon", -9.14, 38.72, who="Ana Lopes"),
        event_row("b", "Porto", "t:porto", -8.61, 41.15, who="Ana Lopes"),
        event_row("c", "Faro", "t:faro", -7.93, 37.02, who="Ana Varga"),
        event_row("d", "Braga", "t:braga", -8.43, 41.55, who="Ana"),
        event_row("e", "Evora", "t:evora", -7.91, 38.57, who="Minister Lopes"),
    ], EVENT_COLUMNS)
    with pytest.raises(AmbiguousSubjectError) as caught:
        trace(folder, "Ana")
    assert caught.value.matches == (("Ana Lopes", 2), ("Ana Varga", 1))
    assert "'Ana' names 2 different travellers: Ana Lopes (2 events); Ana Varga (1 event)" in str(caught.value)
    # a fuller name is one traveller: its own name, its first or last name alone, with a title
    one = trace(folder, "ana lopes").story
    assert one.meta.subject == "Ana Lopes"
    assert sorted(str(f.name) for f in one.stops) == ["Braga", "Evora", "Lisbon", "Porto"]
    out = tmp_path / "ana.geojson"
    run = CliRunner().invoke(main, ["trace", str(folder), "--subject", "Ana", "-o", str(out)])
    assert run.exit_code == 1 and "Ana Varga (1 event)" in run.output and "--all" in run.output
    assert not out.exists()
    run = CliRunner().invoke(main, ["trace", str(folder), "--subject", "Ana", "--all", "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert sorted(f["properties"]["name"] for f in stops(load_story(out))) == ["Braga", "Faro", "Lisbon", "Porto"]
