"""Corpus runs: the same output from this process and from a Dask cluster; bad records skipped."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from pipeline_support import gazetteer
from storymap.cli import main
from storymap.corpus import CorpusError, corpus_files, is_corpus
from storymap.geoparse import geoparse_corpus

TEXTS = ["Storms hit Manila and Cebu on Sunday.", "The minister flew from Paris to Berlin on Monday.",
         "Floods closed roads around Lagos.", "Talks in Geneva ended without a deal."]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Three files of three kinds, their records out of id order, one bad line."""
    gazetteer()  # built once for the session, before any worker needs it
    folder = tmp_path / "corpus"
    folder.mkdir()
    rows = [{"id": f"a{i:02d}", "text": TEXTS[i % len(TEXTS)], "outlet": "Test Wire"} for i in range(10)]
    with (folder / "a.jsonl").open("w", encoding="utf-8") as fh:
        for row in reversed(rows[:4]):
            fh.write(json.dumps(row) + "\n")
        fh.write("{not json\n")
        fh.write("# a comment line\n")
    with gzip.open(folder / "b.jsonl.gz", "wt", encoding="utf-8") as fh:
        for row in rows[4:7]:
            fh.write(json.dumps(row) + "\n")
    pq.write_table(pa.Table.from_pylist(rows[7:]), folder / "c.parquet")
    (folder / "notes.txt").write_text("not part of the corpus", encoding="utf-8")
    return folder


def _read(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_corpus_is_its_jsonl_gz_and_parquet_files_sorted(corpus: Path) -> None:
    assert is_corpus(str(corpus)) and is_corpus(str(corpus / "*.jsonl")) and is_corpus("s3://bucket/news/")
    assert not is_corpus(str(corpus / "a.jsonl"))
    assert [Path(p).name for p in corpus_files(str(corpus))] == ["a.jsonl", "b.jsonl.gz", "c.parquet"]
    assert [Path(p).name for p in corpus_files(str(corpus / "*.jsonl*"))] == ["a.jsonl", "b.jsonl.gz"]
    with pytest.raises(CorpusError, match="no corpus files"):
        corpus_files(str(corpus / "*.csv"))


def test_a_dask_cluster_writes_what_one_process_writes(corpus: Path, tmp_path: Path) -> None:
    from dask.distributed import LocalCluster

    alone = geoparse_corpus(str(corpus), tmp_path / "alone", scheduler="local")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        seen = []
        spread = geoparse_corpus(str(corpus), tmp_path / "dask", scheduler=cluster.scheduler_address,
                                 progress=lambda done, total: seen.append((done, total)))
    assert _read(tmp_path / "alone") == _read(tmp_path / "dask")
    assert alone.articles == spread.articles == 10
    assert seen[-1] == (3, 3)
    # the bad record is reported with its file and number, and skipped
    assert len(spread.bad) == 1 and "a.jsonl, record 5" in spread.bad[0]
    # each file's lines are in order of article id, with the toponyms found
    first = [json.loads(line) for line in (tmp_path / "dask" / "part-00000.jsonl").read_text("utf-8").splitlines()]
    assert [r["id"] for r in first] == ["a00", "a01", "a02", "a03"]
    assert {t["name"] for t in first[0]["toponyms"]} == {"Manila", "Cebu"}
    assert first[0]["outlet"] == "Test Wire"
    parquet = [json.loads(line) for line in (tmp_path / "dask" / "part-00002.jsonl").read_text("utf-8").splitlines()]
    assert [r["id"] for r in parquet] == ["a07", "a08", "a09"]


@pytest.mark.slow
def test_the_command_runs_a_local_cluster_of_worker_processes(corpus: Path, tmp_path: Path) -> None:
    alone = tmp_path / "alone"
    assert CliRunner().invoke(main, ["geoparse", str(corpus), "-o", str(alone), "--scheduler", "local"]).exit_code == 0
    out = tmp_path / "cluster"
    result = CliRunner().invoke(main, ["geoparse", str(corpus), "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert "Geoparsed 10 articles from 3 files" in result.output and "record 5" in result.output
    assert _read(alone) == _read(out)
    bad = CliRunner().invoke(main, ["geoparse", str(corpus)])
    assert bad.exit_code == 1 and "-o a folder" in bad.output
    unreachable = CliRunner().invoke(main, ["geoparse", str(corpus), "-o", str(tmp_path / "x"),
                                            "--scheduler", "tcp://127.0.0.1:9"])
    assert unreachable.exit_code == 1 and "scheduler" in unreachable.output and "Traceback" not in unreachable.output


def _profiling() -> bool:
    import dask

    return dask.config.get("distributed.worker.profile.enabled")


@pytest.mark.slow
def test_the_local_clusters_workers_run_without_dasks_profiler() -> None:
    # the profiler's call tree of the model's stacks grows with the corpus (benchmarks/bench_corpus.py)
    from dask.distributed import Client

    from storymap.corpus import local_cluster

    with local_cluster(1) as cluster, Client(cluster) as client:
        assert list(client.run(_profiling).values()) == [False]


# --------------------------------------------------------------------------- reading hostile corpus files


def _records(path: Path) -> tuple[list[int], str | None]:
    """The record numbers read from a corpus file, and the message that stopped the reading."""
    from storymap.corpus import read_partition

    got: list[int] = []
    try:
        for n, _ in read_partition(str(path)):
            got.append(n)
    except CorpusError as exc:
        return got, str(exc)
    return got, None


def _jsonl(count: int) -> bytes:
    return "".join(json.dumps({"id": f"r{i}", "text": f"Report {i} came from Quito."}) + "\n"
                   for i in range(count)).encode()


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_damaged_gzip_end_keeps_the_records_before_it_and_names_where_it_stopped(tmp_path: Path, damage: str):
    whole = gzip.compress(_jsonl(40))
    path = tmp_path / "news.jsonl.gz"
    path.write_bytes(whole[:-12] if damage == "truncated" else whole + b"this is not gzip data")
    got, error = _records(path)
    assert got[:39] == list(range(1, 40))  # a cut member may lose its last line, never the ones before
    assert error is not None and error.startswith(f"{path}, line {len(got) + 1}: cannot read further")


def test_blank_lines_and_comments_are_skipped_and_the_numbers_kept(tmp_path: Path) -> None:
    path = tmp_path / "blank.jsonl.gz"
    path.write_bytes(gzip.compress(b"\n" * 5000 + b"   \r\n# a note\n" + _jsonl(2) + b"\n\n" + b'{"id": "last"}'))
    from storymap.corpus import read_partition

    assert [(n, line[:10]) for n, line in read_partition(str(path))] == \
        [(5003, b'{"id": "r0'), (5004, b'{"id": "r1'), (5007, b'{"id": "la')]


def test_decompressed_size_is_capped_and_the_records_before_the_cap_kept(tmp_path: Path, monkeypatch) -> None:
    import storymap.corpus

    data = _jsonl(100)
    path = tmp_path / "big.jsonl.gz"
    path.write_bytes(gzip.compress(data))
    cap = data.index(b'{"id": "r50"') + 10
    monkeypatch.setattr(storymap.corpus, "MAX_FILE_BYTES", cap)
    got, error = _records(path)
    assert got == list(range(1, 51))
    assert error is not None and f"{path}, line 51: over" in error and "once decompressed" in error


def test_an_overlong_line_is_cut_and_the_next_lines_read(tmp_path: Path) -> None:
    from storymap.corpus import read_partition
    from storymap.records import MAX_LINE_BYTES

    path = tmp_path / "long.jsonl"
    path.write_bytes(_jsonl(1) + b'{"text": "' + b"a" * (2 * MAX_LINE_BYTES) + b'"}\n' + _jsonl(1))
    got = list(read_partition(str(path)))
    assert [n for n, _ in got] == [1, 2, 3]
    assert len(got[1][1]) == MAX_LINE_BYTES + 1 and got[2][1].startswith(b'{"id": "r0"')


def test_parquet_is_read_a_batch_at_a_time(tmp_path: Path) -> None:
    # a damaged second row group: the records of the first are read before the error
    from storymap.corpus import PARQUET_BATCH_ROWS

    rows = [{"id": f"p{i}", "text": f"Dispatch {i} was filed in Lima."} for i in range(4 * PARQUET_BATCH_ROWS)]
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=2 * PARQUET_BATCH_ROWS, compression="none")
    column = pq.ParquetFile(path).metadata.row_group(1).column(0)
    offset = column.dictionary_page_offset or column.data_page_offset
    raw = bytearray(path.read_bytes())
    raw[offset : offset + 8] = b"\xff" * 8
    path.write_bytes(bytes(raw))
    got, error = _records(path)
    assert got == list(range(1, 2 * PARQUET_BATCH_ROWS + 1))
    assert error is not None and f"{path}, record {2 * PARQUET_BATCH_ROWS + 1}: cannot read further" in error


def test_a_parquet_row_over_the_line_cap_is_reported_not_built(tmp_path: Path) -> None:
    from storymap.corpus import read_partition
    from storymap.records import MAX_LINE_BYTES, GeoparseError, parse_record

    path = tmp_path / "rows.parquet"
    pq.write_table(pa.Table.from_pylist([{"id": "a", "text": "Rain in Quito."}, {"id": "b", "text": "x" * (MAX_LINE_BYTES + 5)},
                                         {"id": "c", "text": "Sun in Lima."}]), path)
    got = list(read_partition(str(path)))
    assert [n for n, _ in got] == [1, 2, 3] and isinstance(got[0][1], bytes)
    assert parse_record(got[2][1], 3)["text"] == "Sun in Lima."
    with pytest.raises(GeoparseError, match="line 2: longer than"):
        parse_record(got[1][1], 2)


def test_devices_and_links_to_them_are_refused_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.jsonl").write_bytes(_jsonl(1))
    (folder / "null.jsonl").symlink_to("/dev/null")
    got, error = _records(folder / "null.jsonl")
    assert got == [] and error == f"{folder / 'null.jsonl'}: not a regular file (a character device)"


def test_a_fifo_in_a_corpus_folder_is_refused_without_blocking(corpus: Path, tmp_path: Path) -> None:
    import os

    os.mkfifo(corpus / "d.jsonl")
    (corpus / "e.jsonl").symlink_to("/dev/zero")
    result = geoparse_corpus(str(corpus), tmp_path / "out", scheduler="local")
    assert result.articles == 10
    assert f"{corpus / 'd.jsonl'}: not a regular file (a named pipe (FIFO))" in result.bad
    assert f"{corpus / 'e.jsonl'}: not a regular file (a character device)" in result.bad


def test_an_output_folder_holds_only_the_parts_of_the_last_run(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    geoparse_corpus(str(corpus), out, scheduler="local")
    (out / "notes.md").write_text("mine", encoding="utf-8")
    (out / "part-00007.parquet").write_bytes(b"from another run")
    geoparse_corpus(str(corpus / "b.jsonl.gz"), out, scheduler="local")
    assert sorted(p.name for p in out.iterdir()) == ["notes.md", "part-00000.jsonl"]
    assert [json.loads(line)["id"] for line in (out / "part-00000.jsonl").read_text("utf-8").splitlines()] == \
        ["a04", "a05", "a06"]
