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
from storymap.corpus import CorpusError, corpus_files, geoparse_corpus, is_corpus

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


def test_the_local_clusters_workers_run_without_dasks_profiler() -> None:
    # the profiler's call tree of the model's stacks grows with the corpus (benchmarks/bench_corpus.py)
    from dask.distributed import Client

    from storymap.corpus import local_cluster

    with local_cluster(1) as cluster, Client(cluster) as client:
        assert list(client.run(_profiling).values()) == [False]
