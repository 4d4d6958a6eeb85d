"""Corpus runs: work through an archive of articles partition by partition, in one process or on Dask.

A corpus is JSONL, JSONL.gz or Parquet files: one file, a folder of them, or a glob, on
local disk or at any fsspec URL (``s3://``, ``gs://``, ``https://``...). Each file is a
partition: :func:`read_partition` gives its records, and a job (a function of the file,
the output folder and the partition's number, such as
:func:`storymap.geoparse.geoparse_partition` or :func:`storymap.events.events_partition`)
works on them and writes one output file (``part-00000.jsonl``, ...). :func:`run_partitions`
knows no job: it only decides where each runs: here, in this process (small inputs), or
on a Dask cluster (a local one, one worker process per core, or an existing one at
``tcp://host:8786``). Either way the output files are the same, byte for byte.

Nothing holds the whole corpus: a worker holds one partition at a time.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import stat
import struct
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from storymap.errors import StorymapError
from storymap.files import kind_of, size_text, write_atomic
from storymap.records import MAX_LINE_BYTES, is_comment

#: what a corpus file may be (by its name's ending)
CORPUS_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".parquet")


class CorpusError(StorymapError):
    """The corpus cannot be read (nothing matches, a file that is not JSONL or Parquet...)."""


@dataclass(frozen=True, slots=True)
class PartitionResult:
    """One partition's outcome: where it was written, how many articles (and, for an event
    table, events), and the bad records."""

    source: str
    output: str
    articles: int
    bad: tuple[str, ...] = ()
    events: int | None = None


@dataclass(slots=True)
class CorpusResult:
    """A whole run: the partitions in input order, and the totals."""

    partitions: list[PartitionResult] = field(default_factory=list)

    @property
    def articles(self) -> int:
        return sum(p.articles for p in self.partitions)

    @property
    def bad(self) -> list[str]:
        return [msg for p in self.partitions for msg in p.bad]

    @property
    def events(self) -> int:
        return sum(p.events or 0 for p in self.partitions)


def is_corpus(spec: str) -> bool:
    """Whether ``spec`` names a corpus (a folder, a glob, a URL, a .gz or .parquet file)
    rather than one plain JSONL or text file for the single-file path."""
    if "://" in spec:
        return True
    path = Path(spec)
    if path.is_file():  # a file's name may hold "[" or "*": it is still that file
        return spec.lower().endswith((".gz", ".parquet"))
    return path.is_dir() or any(ch in spec for ch in "*?[")


def corpus_files(spec: str) -> list[str]:
    """The files of a corpus, sorted: ``spec`` itself, the corpus files in a folder, or
    those a glob matches (local or any fsspec URL)."""
    import fsspec

    try:
        fs, root = fsspec.core.url_to_fs(spec)
        if any(ch in spec for ch in "*?["):
            found = fs.glob(root)
        elif fs.isdir(root):
            found = [p for p in fs.find(root) if p.lower().endswith(CORPUS_SUFFIXES)]
        else:
            found = [root] if fs.exists(root) else []
    except (OSError, ValueError, ImportError) as exc:
        raise CorpusError(f"{spec}: cannot list the corpus ({exc})") from exc
    files = sorted(p for p in found if p.lower().endswith(CORPUS_SUFFIXES))
    if not files:
        raise CorpusError(f"{spec}: no corpus files there (JSONL, JSONL.gz or Parquet)")
    protocol = fs.protocol[0] if isinstance(fs.protocol, (tuple, list)) else fs.protocol
    return files if protocol in ("file", "local") else [fs.unstrip_protocol(p) for p in files]


#: The most bytes read from one corpus file, after decompression (4 GiB: about a million
#: news articles). A larger file, or a small ``.gz`` that inflates without end, is read up
#: to here: its records so far are kept and the rest is reported, never read for ever.
MAX_FILE_BYTES = 4 * 2**30
#: Rows of a Parquet file turned into records at a time: memory holds one batch, not the
#: file (a small Parquet file may hold millions of rows that compress to nothing).
PARQUET_BATCH_ROWS = 64
#: Bytes read from a JSONL stream at a time.
READ_CHUNK = 1 << 20
# a line's first character that is not white space, and the rest of the line: blank lines
# (a file of nothing but newlines) are skipped by the regular expression engine, not one by one
_CONTENT = re.compile(rb"\S[^\n]*")
# what decompressing or decoding a damaged file raises (pyarrow's errors are ArrowException)
_READ_ERRORS = (OSError, EOFError, ValueError, zlib.error)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def open_corpus_file(path: str) -> BinaryIO:
    """``path`` opened for reading bytes: a local file only if it is a regular file (a FIFO,
    a device or a link to one is refused, and never blocks: the file is opened non-blocking
    and checked again after opening); a URL through fsspec.

    Raises
    ------
    CorpusError
        Naming the file and what it is.
    """
    if "://" in path:
        import fsspec

        try:
            return fsspec.open(path, "rb").open()
        except (OSError, ValueError) as exc:
            raise CorpusError(f"{path}: cannot read it ({exc})") from exc
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise CorpusError(f"{path}: not a regular file ({kind_of(info.st_mode)})")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    try:
        mode = os.fstat(fd).st_mode
    except OSError as exc:
        os.close(fd)
        raise CorpusError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(mode):  # swapped for something else since the check
        os.close(fd)
        raise CorpusError(f"{path}: not a regular file ({kind_of(mode)})")
    return os.fdopen(fd, "rb")


def read_partition(path: str) -> Iterator[tuple[int, bytes]]:
    """The records of one corpus file as ``(record number, JSON line)``: JSONL lines as they
    are (blank and ``#`` lines skipped; a JSONL record's number is its line number),
    Parquet rows as JSON objects of their columns, read :data:`PARQUET_BATCH_ROWS` at a time.

    A line (or a Parquet row as JSON) longer than :data:`~storymap.records.MAX_LINE_BYTES`
    is given cut to one byte more, so that parsing it reports it as too long; the rest is
    never held in memory.

    Raises
    ------
    CorpusError
        When the file cannot be opened (not a regular file, not Parquet...), or cannot be
        read to its end (a truncated or damaged ``.gz``, a file over :data:`MAX_FILE_BYTES`
        once decompressed): the message names the file and the record where reading
        stopped; the records before it have been given.
    """
    with open_corpus_file(path) as raw:
        if path.lower().endswith(".parquet"):
            yield from _parquet_records(raw, path)
            return
        if path.lower().endswith(".gz"):
            with gzip.GzipFile(fileobj=raw) as stream:
                yield from _jsonl_records(stream, path)
        else:
            yield from _jsonl_records(raw, path)


def _jsonl_records(stream: BinaryIO | gzip.GzipFile, path: str, *, max_line: int | None = None,
                   max_bytes: int | None = None, chunk: int | None = None) -> Iterator[tuple[int, bytes]]:
    """``(line number, line)`` of the lines of ``stream`` that hold more than white space and
    are not ``#`` comments, read in chunks; see :func:`read_partition`."""
    max_line = MAX_LINE_BYTES if max_line is None else max_line
    max_bytes = MAX_FILE_BYTES if max_bytes is None else max_bytes
    chunk = READ_CHUNK if chunk is None else chunk
    lines = 0  # newlines before ``buf``
    buf = b""  # the start of a line not ended yet, at most ``max_line`` bytes
    skipping = False  # inside an overlong line already given
    total = 0
    # read1: what one read of the file gives, so that a damaged end loses only what follows
    # the last good block (read() would drop a whole chunk decoded before the error)
    read = getattr(stream, "read1", stream.read)
    while True:
        try:
            data = read(chunk)
        except _READ_ERRORS as exc:
            raise CorpusError(f"{path}, line {lines + 1}: cannot read further ({_one_line(exc)}); "
                              f"the lines before it were read") from exc
        eof = not data
        over = total + len(data) > max_bytes
        if over:
            data = data[: max_bytes - total]
        total += len(data)
        if skipping:
            end = data.find(b"\n")
            if end >= 0:
                lines += 1
                skipping = False
            data = data[end + 1 :] if end >= 0 else b""
        if not skipping:
            buf += data
            end = buf.rfind(b"\n") + 1
            whole, buf = buf[:end], buf[end:]
            seen, pos = lines, 0
            for match in _CONTENT.finditer(whole):
                start = whole.rfind(b"\n", 0, match.start()) + 1
                seen += whole.count(b"\n", pos, start)
                pos = start
                line = whole[start : match.end() + 1]
                if len(line) > max_line + 1:
                    line = line[: max_line + 1]  # no newline: reported as too long
                if not is_comment(line):
                    yield seen + 1, line
            lines += whole.count(b"\n")
            if len(buf) > max_line:  # an overlong line: its start is given, the rest dropped as it comes
                if not is_comment(buf[: max_line + 1]):
                    yield lines + 1, buf[: max_line + 1]
                buf, skipping = b"", True
        if over:
            raise CorpusError(f"{path}, line {lines + 1}: over {size_text(max_bytes)} once decompressed "
                              "(the limit per corpus file); the lines before it were read, the rest skipped")
        if eof:
            if buf and not is_comment(buf):
                yield lines + 1, buf  # the last line, without a newline
            return


def _parquet_records(raw: BinaryIO, path: str, *, batch_rows: int | None = None,
                     max_bytes: int | None = None) -> Iterator[tuple[int, bytes]]:
    """``(row number, JSON object)`` of the rows of a Parquet file, a batch at a time; see
    :func:`read_partition`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    batch_rows = PARQUET_BATCH_ROWS if batch_rows is None else batch_rows
    max_bytes = MAX_FILE_BYTES if max_bytes is None else max_bytes
    n = total = 0
    try:
        batches = pq.ParquetFile(raw).iter_batches(batch_size=batch_rows)
    except (*_READ_ERRORS, pa.ArrowException) as exc:
        raise CorpusError(f"{path}: cannot read it as Parquet ({_one_line(exc)})") from exc
    while True:
        try:
            batch = next(batches, None)
        except (*_READ_ERRORS, pa.ArrowException) as exc:
            raise CorpusError(f"{path}, record {n + 1}: cannot read further ({_one_line(exc)}); "
                              "the records before it were read") from exc
        if batch is None:
            return
        total += batch.nbytes
        if total > max_bytes:
            raise CorpusError(f"{path}, record {n + 1}: over {size_text(max_bytes)} once decompressed "
                              "(the limit per corpus file); the records before it were read, the rest skipped")
        if batch.nbytes > MAX_LINE_BYTES:  # a row may be too large to turn into Python objects
            rows: list[dict[str, Any] | None] = [
                None if batch.slice(i, 1).nbytes > MAX_LINE_BYTES else batch.slice(i, 1).to_pylist()[0]
                for i in range(batch.num_rows)]
        else:
            rows = batch.to_pylist()
        for row in rows:
            n += 1
            if row is None:
                yield n, bytes(MAX_LINE_BYTES + 1)  # reported as too long, like a JSONL line
                continue
            line = json.dumps(row, ensure_ascii=False, default=str).encode("utf-8")
            yield n, line[: MAX_LINE_BYTES + 1]


#: the kinds of a partition's output file: JSONL lines, or a GeoParquet table
FORMATS = ("jsonl", "parquet")


def partition_name(index: int, fmt: str = "jsonl") -> str:
    return f"part-{index:05d}.{fmt}"


#: the name of a partition's output file, of any format (see :func:`partition_name`)
PART_NAME = re.compile(r"part-\d{5,}\.(?:" + "|".join(FORMATS) + r")")


def remove_parts(out_dir: str | os.PathLike[str]) -> list[str]:
    """Remove the partition files (``part-NNNNN.jsonl``, ``.parquet``) of an earlier run from
    ``out_dir``, so that the folder holds only the parts of the run about to start (a run of
    fewer files would leave some of the earlier run's behind, and a reader would take them
    as this run's); other files are left alone. The names removed, sorted.

    Raises
    ------
    CorpusError
        When one cannot be removed.
    """
    removed = []
    try:
        entries = sorted(os.scandir(out_dir), key=lambda e: e.name)
    except OSError as exc:
        raise CorpusError(f"{out_dir}: cannot list it ({exc.strerror or exc})") from exc
    for entry in entries:
        if PART_NAME.fullmatch(entry.name) and not entry.is_dir(follow_symlinks=False):
            try:
                os.unlink(entry.path)
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise CorpusError(f"{entry.path}: cannot remove this part of an earlier run "
                                  f"({exc.strerror or exc})") from exc
            removed.append(entry.name)
    return removed


def write_geoparquet(path: str, rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> None:
    """Write ``rows`` as a GeoParquet 1.0 file (readable by GDAL, geopandas, DuckDB...): the
    given columns, then ``geometry``, each row's ``lon``/``lat`` as a WKB point (null when
    unknown), on WGS 84. Written through a temporary file; the same rows give the same bytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = [pa.field(name, getattr(pa, kind)()) for name, kind in columns]
    fields.append(pa.field("geometry", pa.binary()))
    points = [struct.pack("<BIdd", 1, 1, r["lon"], r["lat"]) if r.get("lat") is not None and
              r.get("lon") is not None else None for r in rows]
    data = {name: [r.get(name) for r in rows] for name, _ in columns}
    data["geometry"] = points
    located = [(r["lon"], r["lat"]) for r in rows if r.get("lat") is not None and r.get("lon") is not None]
    geo: dict[str, Any] = {"version": "1.0.0", "primary_column": "geometry",
           "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"]}}}
    if located:
        xs, ys = [x for x, _ in located], [y for _, y in located]
        geo["columns"]["geometry"]["bbox"] = [min(xs), min(ys), max(xs), max(ys)]
    schema = pa.schema(fields, metadata={b"geo": json.dumps(geo, sort_keys=True).encode()})
    table = pa.Table.from_pydict(data, schema=schema)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    write_atomic(path, sink.getvalue().to_pybytes())


def local_cluster(workers: int) -> Any:
    """A Dask ``LocalCluster`` of ``workers`` single-threaded worker processes, without the
    dashboard and without Dask's statistical profiler: the profiler keeps a call tree of
    every stack it samples, and the model's deep, varied stacks make a worker's memory grow
    with the corpus (about 2 MB per 1,000 articles)."""
    import dask
    from dask.distributed import LocalCluster

    with dask.config.set({"distributed.worker.profile.enabled": False}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)


def run_partitions(work: Callable[..., PartitionResult], spec: str, out_dir: str | os.PathLike[str],
                   args: tuple = (), *, scheduler: str | None = None, workers: int | None = None,
                   progress: Callable[[int, int], None] | None = None) -> CorpusResult:
    """Run the job ``work(file, out_dir, index, *args)`` for every file of a corpus, here or on
    Dask; results in input order.

    ``scheduler``: ``None`` (default): a local Dask cluster of ``workers`` processes (default:
    one per core), or this process alone when there is one file or ``workers`` is 1;
    ``"local"``: this process; ``"tcp://host:8786"``: an existing Dask scheduler (its workers
    need storymap installed and the corpus and ``out_dir`` reachable). ``progress`` is called
    with (partitions done, partitions in all) as they finish.
    """
    out = str(out_dir)
    if "://" in out:
        raise CorpusError(f"{out}: the output must be a folder on a file system (shared by the workers on a "
                          "cluster); URLs are read from, not written to")
    files = corpus_files(spec)
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CorpusError(f"{out}: cannot write there ({exc.strerror or exc})") from exc
    workers = workers or os.cpu_count() or 1
    result = CorpusResult()
    if scheduler == "local" or (scheduler is None and (len(files) == 1 or workers == 1)):
        remove_parts(out)
        for i, path in enumerate(files):
            result.partitions.append(work(path, out, i, *args))
            if progress:
                progress(i + 1, len(files))
        return result
    from dask.distributed import Client, as_completed

    cluster = None
    try:
        if scheduler is None:
            cluster = local_cluster(min(workers, len(files)))
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise CorpusError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from exc
    try:
        remove_parts(out)  # once the cluster is there: a run that cannot start leaves the earlier one
        futures = [client.submit(work, path, out, i, *args, pure=False) for i, path in enumerate(files)]
        done = 0
        for _ in as_completed(futures):
            done += 1
            if progress:
                progress(done, len(files))
        result.partitions.extend(f.result() for f in futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return result


__all__ = ["CORPUS_SUFFIXES", "FORMATS", "MAX_FILE_BYTES", "PARQUET_BATCH_ROWS", "PART_NAME", "READ_CHUNK",
           "CorpusError", "CorpusResult", "PartitionResult", "corpus_files", "is_corpus", "local_cluster",
           "open_corpus_file", "partition_name", "read_partition", "remove_parts", "run_partitions",
           "write_geoparquet"]
