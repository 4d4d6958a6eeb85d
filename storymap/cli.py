"""The ``storymap`` command line: a thin layer over the library.

Every command calls one public function and turns a :class:`StorymapError` into a short
message on standard error and a non-zero exit; the library itself never prints.
"""

from __future__ import annotations

import io
import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from storymap.errors import StoryError, StorymapError

FORMATS = ("html", "geojson", "gpkg", "csv", "kml", "mp4", "webm", "gif")
#: below this many articles, starting worker processes costs more than it saves
AUTO_JOBS_MIN_LINES = 32


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


#: what a terminal would act on rather than show: C0 controls but newline and tab, DEL, C1
#: controls, and the bidirectional overrides and isolates that make text read otherwise
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: object, *, one_line: bool = False) -> str:
    """``text`` without terminal control characters (titles, names and file names come from
    the user or a story file; an escape sequence in them must not reach the terminal);
    ``one_line`` also turns newlines and tabs into spaces (one story a line)."""
    out = _CONTROLS.sub("", str(text))
    return " ".join(out.split("\n")).replace("\t", " ") if one_line else out


def _fail(exc: StorymapError) -> None:
    raise click.ClickException(printable(exc)) from exc


#: bad lines of one geoparse run reported one by one; the rest only counted
MAX_REPORTED = 20


def _console():  # noqa: ANN202 - rich is imported lazily
    """Standard error for messages. Every string is printed as it is: file names, titles and
    warnings come from the user, and "[bold]" or ":smile:" in them must not be read as markup."""
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True, markup=False, emoji=False, highlight=False)


def _text(message: str, label: str = "", style: str = "yellow"):  # noqa: ANN202
    """``message`` as literal rich text, after ``label`` in ``style`` if given."""
    from rich.text import Text

    message = printable(message)
    return Text.assemble((label, style), " ", message) if label else Text(message)


class _Main(click.Group):
    """The command group whose own messages (a file click cannot open, a bad option value,
    which quote the user's words) are printed without terminal controls, like storymap's."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            # click types ``message`` Final, but its own show() prints it: cleaning it in
            # place keeps the exception's class and context (UsageError's help hint)
            exc.message = printable(exc.message)  # type: ignore[misc]
            raise


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="storymap")
def main() -> None:
    """Turn news articles into an animated, source-cited story map, offline.

    \b
    Example:
        storymap build seeds -o data/places.geojson
        storymap export data/places.geojson -o story.html
    """


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", default=Path("data/places.geojson"), show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="Story file to write.")
@click.option("--subject", default=None, help="Whose itinerary to trace (default: found from the text).")
@click.option("--title", default=None, help="Story title (default: made from the subject and the stops).")
@click.option("--online-geocoder", "online", type=click.Choice(["nominatim"]), default=None,
              help="Also ask an online geocoder (rate-limited, cached) for names the offline gazetteer lacks.")
def build(inputs: tuple[Path, ...], out: Path, subject: str | None, title: str | None, online: str | None) -> None:
    """Build a story file from articles (default: the seeds/ folder).

    INPUTS are article files (.txt, .md, .html) or folders of them. The previous story
    file is replaced only when the new one is complete.

    \b
    Example:
        storymap build seeds -o data/places.geojson
        storymap build article1.txt article2.html --subject "Kim Jong Un"
    """
    from storymap.gazetteer import Gazetteer, default_path
    from storymap.story import build_story
    from storymap.files import output_target
    from storymap.storyfile import write_story

    console = _console()
    try:
        output_target(out)  # a directory, device or FIFO is refused before any work
        with console.status(_text("Loading the gazetteer...")) as status:
            if not default_path().exists():
                status.update(_text("Building the offline gazetteer (once, about 30 s)..."))
            gazetteer = Gazetteer(progress=lambda msg: status.update(_text(f"Building the offline gazetteer: {msg}...")))
            if gazetteer.notice:
                console.print(_text(gazetteer.notice, "warning:"))

            def progress(msg: str, n: int, total: int) -> None:
                status.update(_text(f"[{n}/{total}] {msg}"))

            online_geocode = None
            if online:
                from storymap.geocoder import online_geocoder

                online_geocode = online_geocoder()
            result = build_story(list(inputs) or [Path("seeds")], gazetteer=gazetteer, subject=subject,
                                 title=title, progress=progress, online=online_geocode, online_name=online or "")
        from storymap.edits import apply_saved_edits, edits_path, load_edits, unapplied

        story = apply_saved_edits(result.story, out)
        if story is not result.story:
            notes = unapplied(result.story, load_edits(edits_path(out)))
            result.problems.extend(f"{edits_path(out)}: {note}" for note in notes)
        write_story(story, out)
    except StorymapError as exc:
        _fail(exc)
    for problem in result.problems:
        console.print(_text(problem, "warning:"))
    _summary(console, story, out)  # the story written, with the saved edits
    for name in result.unplaced:
        console.print(_text(name, "  not placed:"))


def _summary(console, story, out) -> None:  # noqa: ANN001
    """"Wrote FILE: 'title', N articles, ... stops" and the stops, one per line."""
    from storymap.storyfile import Role, as_story

    story = as_story(story)
    stops = [f for f in story.places if f.role == Role.STOP]  # in file order
    mentions = sum(f.mention_count or 0 for f in story.places)
    console.print(_text(f"Wrote {out}: {story.meta.title!r}, {_n(len(story.articles), 'article')}, "
                        f"{_n(len(story.places), 'place')}, {_n(mentions, 'mention')}, {_n(len(stops), 'stop')}"))
    for p in stops:
        when = p.date or "no date"
        reports = p.article_count
        by = f", {_n(reports, 'article')}" if reports and len(story.articles) > 1 else ""
        console.print(_text(f"  {p.stop}. {p.name} ({when}, {p.status}{by})"))


class CorpusSpec(str):
    """A geoparse INPUT that names a corpus (a folder, a glob, a URL, .gz or .parquet files)."""


class _GeoparseInput(click.File):
    """One file opened for reading, as click.File; or a corpus, left for storymap.corpus."""

    name = "input"

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201
        from storymap.corpus import is_corpus

        if isinstance(value, str) and value != "-" and is_corpus(value):
            return CorpusSpec(value)
        return super().convert(value, param, ctx)


@main.command()
@click.argument("input_file", metavar="INPUT", default="-", type=_GeoparseInput("rb"))
@click.option("-o", "--output", "out", default="-", show_default=True,
              type=click.Path(allow_dash=True, path_type=str),
              help="JSONL file to write, replaced only when complete (default: standard output); "
                   "for a corpus, the folder to write one JSONL file per input file into.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Corpus only: an existing Dask scheduler (tcp://host:8786), or 'local' for this "
                   "process alone (default: a local Dask cluster, one worker per core).")
@click.option("--format", "fmt", type=click.Choice(["auto", "jsonl", "text", "parquet"]), default="auto",
              show_default=True,
              help="What INPUT is: jsonl (one JSON object per line) or text (one plain-text article). auto: "
                   "jsonl for .jsonl/.ndjson/.json, text for .txt/.md, otherwise jsonl when at least half of "
                   "the first lines are JSON objects. parquet: INPUT is read as a corpus and -o gets one "
                   "GeoParquet table of toponyms (one row per toponym) per input file.")
@click.option("--text", "plain", is_flag=True, hidden=True, help="Same as --format text.")
@click.option("-j", "--jobs", default=None, type=click.IntRange(1, 64),
              help="Worker processes, each loading the models once (default: every core, up to 4, "
                   "for inputs of 32 articles or more; one otherwise).")
def geoparse(input_file, out: str, scheduler: str | None, fmt: str, plain: bool,  # noqa: ANN001
             jobs: int | None) -> None:
    """Find and place the toponyms of articles given as JSONL (one {"id", "text"} per line),
    or of a corpus: a folder or glob of JSONL, JSONL.gz or Parquet files (local or a URL),
    geoparsed file by file on a Dask cluster into a folder of JSONL files.

    Writes the same lines with a "toponyms" list (start, end, name, lat, lon,
    gazetteer_id, geonameid, place_type, confidence); other keys pass through. Blank
    lines and lines starting with # are skipped. A bad line (not UTF-8, not a JSON
    object with a string "text", a text over 100,000 characters...) is reported with its
    number on standard error and skipped; the command fails only when no line could be
    geoparsed, and then leaves the -o file as it was. INPUT "-" reads standard input.

    \b
    Example:
        storymap geoparse articles.jsonl -o toponyms.jsonl --jobs 2
        echo "Flooding hit Lagos and Abuja." | storymap geoparse --format text
        storymap geoparse 'archive/*.jsonl.gz' -o toponyms/ --scheduler tcp://10.0.0.5:8786
    """
    import contextlib
    import itertools

    if fmt == "parquet":
        name = str(getattr(input_file, "name", "-"))
        if not isinstance(input_file, CorpusSpec) and name in ("-", "<stdin>"):
            _fail(StorymapError("--format parquet reads a corpus: give INPUT as files, a folder or a glob"))
        _geoparse_corpus(str(input_file) if isinstance(input_file, CorpusSpec) else name, out, scheduler, jobs,
                         "parquet")
        return
    if isinstance(input_file, CorpusSpec):
        _geoparse_corpus(str(input_file), out, scheduler, jobs)
        return
    if scheduler is not None:
        _fail(StorymapError("--scheduler is for a corpus (a folder, a glob, a URL, .gz or .parquet files)"))

    from storymap.gazetteer import Gazetteer
    from storymap.geoparse import Geoparser, geoparse_lines
    from storymap.records import (
        JSONL_SUFFIXES,
        MAX_TEXT_CHARS,
        TEXT_SUFFIXES,
        GeoparseError,
        decode_text,
        input_format,
        is_comment,
        read_lines,
    )
    from storymap.files import atomic_output, output_target, write_atomic

    console = _console()
    name = str(getattr(input_file, "name", "-"))
    stdin = name in ("-", "<stdin>")
    shown = "standard input" if stdin else name
    to_file = out != "-"
    stdout = sys.stdout.buffer
    done = bad = 0
    try:
        if to_file:
            output_target(out)  # a directory, device or FIFO is refused before any work
        lines = read_lines(input_file)
        head = list(itertools.islice(lines, AUTO_JOBS_MIN_LINES))
        guessed = False
        if plain:
            fmt = "text"
        elif fmt == "auto":
            fmt = input_format(head, None if stdin else name, label=shown)
            guessed = stdin or Path(name).suffix.lower() not in JSONL_SUFFIXES + TEXT_SUFFIXES
        if fmt == "text":
            raw = b"".join(head) + input_file.read(4 * MAX_TEXT_CHARS + 4)
            decode_text(raw, shown)  # a bad input is refused before the models load
            with console.status(_text("Loading the gazetteer and models...")) as status:
                geoparser = Geoparser(_gazetteer(console, status, Gazetteer))
                status.update(_text(f"Geoparsing {shown}..."))
                line = (geoparser.parse_text_input(raw, shown, article_id=name) + "\n").encode("utf-8")
            if to_file:
                write_atomic(out, line)
            else:
                stdout.write(line)
                stdout.flush()
            note = " (guessed: its first lines are not JSON objects; --format jsonl reads it as JSONL)" if guessed else ""
            console.print(_text(f"Geoparsed {shown} as one plain-text article{note}"))
            return
        if jobs is None:
            many = sum(1 for line in head if not is_comment(line)) >= AUTO_JOBS_MIN_LINES
            jobs = min(os.cpu_count() or 1, 4) if many else 1
        lines = itertools.chain(head, lines)
        with console.status(_text("Loading the gazetteer and models...")) as status:
            geoparser = Geoparser(_gazetteer(console, status, Gazetteer))
            status.update(_text(f"Geoparsing {shown}..."))
            sink = atomic_output(out) if to_file else contextlib.nullcontext(stdout)
            with sink as fh:
                for result in geoparse_lines(lines, geoparser=geoparser, jobs=jobs):
                    if result.error or result.output is None:
                        bad += 1
                        if bad <= MAX_REPORTED:
                            console.print(_text(f"{shown} {result.error}", "skipped"))
                        continue
                    fh.write((result.output + "\n").encode("utf-8"))
                    done += 1
                    if done % 10 == 0:
                        status.update(_text(f"Geoparsing {shown}... {done} articles"))
                if not done:
                    kept = f"; {out} left as it was" if to_file else ""
                    what = f"no line could be geoparsed ({_n(bad, 'bad line')})" if bad else \
                        "no articles (empty, or only blank and # comment lines)"
                    hint = "; read as JSONL because most of its first lines start with '{', " \
                        "--format text reads it as one article" if guessed and bad else ""
                    msg = f"{shown}: {what}{kept}{hint}"
                    raise GeoparseError(msg)
        if not to_file:
            stdout.flush()
    except StorymapError as exc:
        _fail(exc)
    except BrokenPipeError:  # the reader of standard output stopped ("| head"): stop quietly
        _quiet_stdout()
        return
    skipped = f", skipped {_n(bad, 'bad line')}" if bad else ""
    if bad > MAX_REPORTED:
        skipped += f" (the first {MAX_REPORTED} shown)"
    console.print(_text(f"Geoparsed {_n(done, 'article')}" + (f" into {out}" if to_file else "") + skipped))


def _geoparse_corpus(spec: str, out: str, scheduler: str | None, jobs: int | None, fmt: str = "jsonl") -> None:
    """`storymap geoparse CORPUS -o FOLDER`: storymap.corpus with a status line."""
    from storymap.geoparse import geoparse_corpus

    kind = "GeoParquet" if fmt == "parquet" else "JSONL"
    if out == "-":
        _fail(StorymapError(f"{spec} is a corpus: give -o a folder to write one {kind} file per input file into"))
    result = _run_corpus("Geoparsing", spec, lambda progress: geoparse_corpus(
        spec, out, fmt=fmt, scheduler=scheduler, workers=jobs, progress=progress))
    console = _console()
    console.print(_text(f"Geoparsed {_n(result.articles, 'article')} from {_n(len(result.partitions), 'file')} "
                        f"into {out}" + _skipped(result.bad)))
    if not result.articles:
        _fail(StorymapError(f"{spec}: no article could be geoparsed"))


def _run_corpus(verb: str, spec: str, run):  # noqa: ANN001, ANN202
    """Run a corpus job with the gazetteer built first and a status line of files done;
    the bad records are reported, the first MAX_REPORTED one by one."""
    from storymap.gazetteer import Gazetteer

    console = _console()
    try:
        with console.status(_text(f"{verb} {spec}...")) as status:
            _gazetteer(console, status, Gazetteer)  # built once here, before any worker needs it
            result = run(lambda done, total: status.update(
                _text(f"{verb} {spec}: {done} of {_n(total, 'file')} done...")))
    except StorymapError as exc:
        _fail(exc)
    for msg in result.bad[:MAX_REPORTED]:
        console.print(_text(msg, "skipped"))
    return result


def _skipped(bad: list[str]) -> str:
    skipped = f", skipped {_n(len(bad), 'bad record')}" if bad else ""
    if len(bad) > MAX_REPORTED:
        skipped += f" (the first {MAX_REPORTED} shown)"
    return skipped


@main.command()
@click.argument("corpus")
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder to write the event table into: one GeoParquet file per input file.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="An existing Dask scheduler (tcp://host:8786), or 'local' for this process alone "
                   "(default: a local Dask cluster, one worker per core).")
@click.option("-j", "--jobs", default=None, type=click.IntRange(1, 256),
              help="Worker processes of the local cluster (default: one per core).")
def events(corpus: str, out: str, scheduler: str | None, jobs: int | None) -> None:
    """Mine a corpus once for movement events: who went (or will go) where, and when.

    CORPUS is a JSONL, JSONL.gz or Parquet file, a folder of them or a glob (local or a
    URL), one record per article: "id" and "text", optionally "title", "outlet",
    "published" (ISO date) and "url". Writes a GeoParquet table (GDAL, QGIS, geopandas
    and DuckDB read it) with one row per event of every traveller the texts name:
    traveller as found and normalised, place (name, point, gazetteer id, kind), date and
    date_end, status, predicate, article, outlet, publication date, offsets and excerpt.
    Bad records are reported and skipped; a file damaged part way (a truncated .gz) keeps
    the records before the damage, and the report says where reading stopped. Only regular
    files are read (a FIFO or a device is refused), at most 4 GiB each once decompressed.
    The output folder's part files of an earlier run are replaced. Query it with
    'storymap trace'.

    \b
    Example:
        storymap events 'archive/*.jsonl.gz' -o events/
        storymap trace events/ --subject "Kim Jong Un" --from 2023-09-01 -o kim.geojson
    """
    from storymap.events import events_corpus

    result = _run_corpus("Reading", corpus, lambda progress: events_corpus(
        corpus, out, scheduler=scheduler, workers=jobs, progress=progress))
    _console().print(_text(f"Wrote {_n(result.events, 'movement event')} from "
                           f"{_n(result.articles, 'article')} of {_n(len(result.partitions), 'file')} into {out}"
                           + _skipped(result.bad)))


@main.command()
@click.argument("events_path", metavar="EVENTS")
@click.option("--subject", required=True, help='Whose movements: "Kim Jong Un", "Putin", "the Rolling Stones".')
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First day (YYYY-MM-DD) of events to use; an undated event counts by its article's date.")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last day (YYYY-MM-DD).")
@click.option("--title", default=None, help="Story title (default: made from the subject and the stops).")
@click.option("-o", "--output", "out", default=Path("data/places.geojson"), show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="Story file to write.")
@click.option("--all", "merge", is_flag=True,
              help="When --subject names several different travellers, merge them into one story.")
def trace(events_path: str, subject: str, date_from, date_to, title: str | None, out: Path,  # noqa: ANN001
          merge: bool) -> None:
    """Build the story of one traveller from an event table ('storymap events'), without
    parsing again: its stops merged across every article, each with all its evidence
    and the number of articles that report it. The story file is the same kind as
    'storymap build' writes: export it, or open it in the app. A name that matches
    several different travellers ("Ana": "Ana Lopes", "Ana Varga") lists them with their
    numbers of events; give a fuller name, or --all to merge them.

    \b
    Example:
        storymap trace events/ --subject "Kim Jong Un" --from 2023-09-01 --to 2023-09-30 -o kim.geojson
    """
    from storymap.events import trace as trace_story
    from storymap.files import output_target
    from storymap.gazetteer import Gazetteer, GazetteerError, default_path
    from storymap.storyfile import write_story

    console = _console()
    first = date_from.date() if date_from else None
    last = date_to.date() if date_to else None
    if first and last and first > last:
        _fail(StorymapError(f"--from {first} is after --to {last}"))
    try:
        output_target(out)
        gazetteer = None
        if default_path().exists():
            try:
                gazetteer = Gazetteer(build_missing=False)  # names the country in the title
            except GazetteerError:
                gazetteer = None
        result = trace_story(events_path, subject, date_from=first, date_to=last, title=title, gazetteer=gazetteer,
                             merge=merge)
        write_story(result.story, out)
    except StorymapError as exc:
        _fail(exc)
    for problem in result.problems:
        console.print(_text(problem, "warning:"))
    _summary(console, result.story, out)


def _gazetteer(console, status, gazetteer_class):  # noqa: ANN001, ANN202
    """The gazetteer, built (or rebuilt when damaged) with progress on the status line."""
    gazetteer = gazetteer_class(progress=lambda msg: status.update(_text(f"Building the offline gazetteer: {msg}...")))
    if gazetteer.notice:
        console.print(_text(gazetteer.notice, "warning:"))
    return gazetteer


def _quiet_stdout() -> None:
    """After a broken pipe, point standard output at /dev/null so exiting does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


@main.command()
@click.option("--rebuild", is_flag=True, help="Build again even if the gazetteer exists.")
def gazetteer(rebuild: bool) -> None:
    """Build the offline gazetteer (done automatically on first use).

    \b
    Example:
        storymap gazetteer
    """
    from storymap import gazetteer as gz

    path = gz.default_path()
    try:
        if rebuild or not path.exists():
            gz.build(path, progress=lambda msg: click.echo(f"  {msg}", err=True))
        counts = gz.Gazetteer(path, progress=lambda msg: click.echo(f"  {msg}", err=True)).counts()
    except StorymapError as exc:
        _fail(exc)
    click.echo(f"{path} ({path.stat().st_size / 1e6:.0f} MB): " +
               ", ".join(f"{n} {k}" for k, n in counts.items()), err=True)


@main.command()
@click.argument("places", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write; its extension chooses the format unless --format is given.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format (default: from the output file's extension).")
@click.option("--tiles", "tiles", default=None, metavar="osm|URL",
              help="HTML only: draw online map tiles over the built-in offline base map: 'osm' "
                   "(OpenStreetMap) or a URL template with {z}/{x}/{y} (default: none, fully offline).")
@click.option("--tiles-attribution", default=None,
              help="The credit a --tiles URL's provider requires (plain text).")
@click.option("--embed", is_flag=True,
              help="HTML only: also print the snippet that embeds the page in an article (a frame that "
                   "fits its column, and the one-line script that sizes it).")
@click.option("--embed-url", default=None, metavar="URL",
              help="Where the page will be published, for --embed (default: its file name).")
@click.option("--size", type=click.Choice(["landscape", "square"]), default="landscape", show_default=True,
              help="Videos only: 1280x720, or 1080x1080 for social media.")
@click.option("--style", "map_style", default=None, metavar="light|dark|muted",
              help="The base map's style (all offline), kept in the story; default: the story's own, else light.")
@click.option("--accent", default=None, metavar="#RRGGBB",
              help="The accent colour of the route and the markers, kept in the story; default: the story's "
                   "own, else the style's.")
def export(places: Path, out: Path, fmt: str | None, tiles: str | None, tiles_attribution: str | None,
           embed: bool, embed_url: str | None, size: str, map_style: str | None, accent: str | None) -> None:
    """Export a story file to HTML, GeoJSON, GeoPackage, CSV, KML, or a video of the route
    (MP4, WebM, GIF; recorded offline in headless Chromium).

    \b
    Example:
        storymap export data/places.geojson -o story.html
        storymap export data/places.geojson -o story.html --style dark --accent "#f0a020"
        storymap export data/places.geojson -o places.gpkg
        storymap export data/places.geojson -o route.mp4 --size square
    """
    from storymap.export import VIDEO_FORMATS, export_format, export_story
    from storymap.files import output_target
    from storymap.look import with_look
    from storymap.render import tiles_option
    from storymap.storyfile import load_story

    try:
        fmt = export_format(out, fmt)
        layer = tiles_option(tiles, tiles_attribution) if tiles is not None else None
        # refuse a directory, device or FIFO; write through a symbolic link (every format)
        target = output_target(out)
        if (embed or embed_url) and fmt != "html":
            msg = f"--embed makes sense for an HTML page, not {fmt}"
            raise StoryError(msg)
        story = with_look(load_story(places), style=map_style, accent=accent)
        snippet = None
        if embed or embed_url:
            from storymap.render import embed_snippet, page_title

            snippet = embed_snippet(embed_url or out.name, title=page_title(story))
        if fmt == "html" or fmt in VIDEO_FORMATS:
            from storymap.gazetteer import Gazetteer, default_path

            if not default_path().exists():  # the base map names places from it
                click.echo("Building the offline gazetteer for the base map's place names (once, about 30 s)...",
                           err=True)
                Gazetteer()
        if fmt in VIDEO_FORMATS:
            with _VideoProgress(_console()) as progress:
                export_story(story, target, fmt=fmt, size=size, progress=progress)
        else:
            export_story(story, target, fmt=fmt, tiles=layer, size=size)
    except StorymapError as exc:
        _fail(exc)
    click.echo(printable(f"Wrote {out}"), err=True)
    if snippet is not None:
        click.echo(snippet, nl=False)
        if not embed_url:
            click.echo(printable(f"(Publish {out.name} and put its address in src, or pass --embed-url.)"), err=True)


@main.command()
@click.argument("places", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out", default=Path("route.mp4"), show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="Video to write: .mp4, .webm or .gif.")
@click.option("--size", type=click.Choice(["landscape", "square"]), default="landscape", show_default=True,
              help="1280x720, or 1080x1080 for social media.")
@click.option("--style", "map_style", default=None, metavar="light|dark|muted",
              help="The base map's style; default: the story's own, else light.")
@click.option("--accent", default=None, metavar="#RRGGBB",
              help="The accent colour of the route and the markers; default: the story's own, else the style's.")
def video(places: Path, out: Path, size: str, map_style: str | None, accent: str | None) -> None:
    """Record a video of the story's route (MP4, WebM or GIF), offline in headless Chromium:
    a title card, each stop's name, date and a short excerpt beside the map, the whole route
    at the end. Progress is shown as it records.

    \b
    Example:
        storymap video data/places.geojson -o route.mp4
        storymap video data/places.geojson -o route.gif --size square --style dark
    """
    from storymap.export import VIDEO_FORMATS, export_format

    try:
        if export_format(out) not in VIDEO_FORMATS:
            raise StoryError(f"{out}: a video is .mp4, .webm or .gif")
    except StorymapError as exc:
        _fail(exc)
    click.get_current_context().invoke(export, places=places, out=out, fmt=None, tiles=None, tiles_attribution=None,
                                       embed=False, embed_url=None, size=size, map_style=map_style, accent=accent)


class _VideoProgress:
    """The progress of a video as it records: a bar on a terminal, else a line on standard
    error for each part (the title card, each stop, the whole route, the encoding)."""

    def __init__(self, console) -> None:  # noqa: ANN001
        self.console = console
        self.bar: Any = None
        self.task: Any = None
        self.message = ""

    def __enter__(self) -> _VideoProgress:
        if self.console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                                TextColumn("frames"), TimeElapsedColumn(), console=self.console, transient=True)
            self.bar.__enter__()
            self.task = self.bar.add_task("Recording the video", total=None)
        return self

    def __call__(self, message: str, done: int, total: int) -> None:
        text = printable(message, one_line=True)
        if self.bar is not None:
            self.bar.update(self.task, description=f"Video: {text}", completed=done, total=total)
        elif text != self.message:
            self.console.print(_text(f"Video: {text} (frame {done} of {total})"))
        self.message = text

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@main.group()
@click.option("--user", default=None, envvar="STORYMAP_USER", metavar="NAME",
              help="Act as this user of the library (default: $STORYMAP_USER, else 'local', the laptop's "
                   "user and the owner of stories kept before owners existed).")
@click.pass_context
def stories(ctx: click.Context, user: str | None) -> None:
    """The story library (the app's stories): list, show, export, import, delete, share, link.

    The library is an SQLite file in the user data directory ($STORYMAP_DATA_DIR), or the
    database $STORYMAP_DATABASE_URL names (PostgreSQL for a newsroom). Every story has an
    owner; these commands act as one user (--user) and see only that user's stories and
    those shared with them. A STORY is its id or the start of it, as `storymap stories
    list` prints it; a start that fits several stories is refused.

    \b
    Example:
        storymap stories list
        storymap stories export 3f2a9c1e -o story.geojson
        storymap stories import data/places.geojson
        storymap stories --user ana@newsroom.example share 3f2a9c1e ben@newsroom.example --edit
    """
    from storymap.library import LOCAL_USER

    ctx.obj = {"user": user if user is not None else LOCAL_USER}


def _library():  # noqa: ANN202 - imported lazily: SQLAlchemy and Alembic are not needed elsewhere
    from storymap.library import Library

    return Library(user=click.get_current_context().obj["user"])


@stories.command("list")
def stories_list() -> None:
    """List the stories, the most recently changed first (the owner is named for a story
    someone shared with you)."""
    try:
        lib = _library()
        rows = lib.list()
    except StorymapError as exc:
        _fail(exc)
    if not rows:
        click.echo("The library is empty: build a story in the app, or `storymap stories import FILE`.", err=True)
    for r in rows:  # one line a story on standard output, for scripts
        whose = "" if r.owner == lib.user else f"  ({r.access.label}, owned by {r.owner})"
        click.echo(printable(f"{r.id[:8]}  {r.updated_at:%Y-%m-%d %H:%M}  rev {r.revision}  "
                             f"{_n(r.stops, 'stop')}, {_n(r.articles, 'article')}  {r.title}{whose}", one_line=True))


@stories.command("show")
@click.argument("story")
def stories_show(story: str) -> None:
    """Show a story's title, subject, owner, stops and saves."""
    from storymap.library import Access, shown

    try:
        lib = _library()
        saved = lib.get(lib.find(story))
        history = lib.history(saved.id)
        shares = lib.shares(saved.id) if saved.access == Access.OWNER else {}
    except StorymapError as exc:
        _fail(exc)
    data = shown(saved)
    console = _console()
    console.print(_text(f"{data.meta.title}  (story {saved.id}, revision {saved.revision})"))
    console.print(_text(f"subject: {data.meta.subject or '-'}; articles: {len(saved.articles)}; "
                        f"owner: {saved.owner}; you may {saved.access.label} it"))
    for user, access in shares.items():
        console.print(_text(f"  shared with {user} ({access.label})"))
    for p in data.places:
        if p.role == "stop":
            console.print(_text(f"  {p.stop}. {p.name} ({p.date or 'no date'}, {p.status})"))
    for number, when, note in history:
        console.print(_text(f"  rev {number}  {when:%Y-%m-%d %H:%M}  {note}"))


@stories.command("export")
@click.argument("story")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Story file (GeoJSON) to write; `storymap export` turns it into HTML, GPKG, CSV or KML.")
@click.option("--revision", type=int, default=None, help="An earlier revision (default: the latest).")
def stories_export(story: str, out: Path, revision: int | None) -> None:
    """Write a story from the library to a story file."""
    from storymap.files import output_target

    try:
        lib = _library()
        lib.export_file(lib.find(story), output_target(out), revision)
    except StorymapError as exc:
        _fail(exc)
    click.echo(printable(f"Wrote {out}"), err=True)


@stories.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def stories_import(path: Path) -> None:
    """Keep a story file (and the edits saved beside it) in the library, as your story."""
    try:
        saved = _library().import_file(path)
    except StorymapError as exc:
        _fail(exc)
    click.echo(printable(f"Imported {path} as story {saved.id[:8]} ({saved.records.meta.title!r})"),
               err=True)


@stories.command("delete")
@click.argument("story")
@click.option("--yes", is_flag=True, help="Do not ask.")
def stories_delete(story: str, yes: bool) -> None:
    """Remove a story you own, its revisions and its articles from the library."""
    from storymap.library import Access, LibraryError

    try:
        lib = _library()
        story_id = lib.find(story)
        saved = lib.get(story_id)
        if saved.access < Access.OWNER:  # refused before asking
            raise LibraryError(f"you ({lib.user}) may only {saved.access.label} story {story_id[:8]}: only its "
                               f"owner ({saved.owner}) may delete it")
        title = saved.records.meta.title
        if not yes:
            click.confirm(printable(f"Delete {title!r} ({story_id[:8]}) and all its revisions?"), abort=True,
                          err=True)
        lib.delete(story_id)
    except StorymapError as exc:
        _fail(exc)
    click.echo(printable(f"Deleted {title!r} ({story_id[:8]})"), err=True)


@stories.command("share")
@click.argument("story")
@click.argument("user")
@click.option("--edit", "level", flag_value="edit", help="They may also save corrections and undo their own saves.")
@click.option("--read", "level", flag_value="read", default=True, help="They may open and export it (the default).")
@click.option("--remove", "level", flag_value="remove", help="Take their access away.")
def stories_share(story: str, user: str, level: str) -> None:
    """Give another user of the library read or edit access to a story you own.

    \b
    Example:
        storymap stories share 3f2a9c1e ben@newsroom.example --edit
    """
    from storymap.library import Access

    access = {"edit": Access.EDIT, "read": Access.READ, "remove": None}[level]
    try:
        lib = _library()
        story_id = lib.find(story)
        lib.share(story_id, user, access)
    except StorymapError as exc:
        _fail(exc)
    click.echo(printable(f"{user} may no longer open story {story_id[:8]}" if access is None else
                         f"{user} may now {access.label} story {story_id[:8]}"), err=True)


@stories.command("link")
@click.argument("story")
@click.option("--revoke", is_flag=True, help="Make every earlier link to the story stop working instead.")
def stories_link(story: str, revoke: bool) -> None:
    """Make a read-only link to a story you own: its token is printed once (only its hash is
    kept). Whoever has it opens the story read-only in the app, at `?share=TOKEN`.

    \b
    Example:
        storymap stories link 3f2a9c1e
    """
    try:
        lib = _library()
        story_id = lib.find(story)
        if revoke:
            count = lib.revoke_links(story_id)
        else:
            token = lib.make_link(story_id)
    except StorymapError as exc:
        _fail(exc)
    if revoke:
        click.echo(f"Revoked {_n(count, 'link')} to story {story_id[:8]}", err=True)
        return
    click.echo(f"?share={token}")
    click.echo("Add it to the app's address (for example https://maps.newsroom.example/?share=...): it opens "
               "the story read-only.", err=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
