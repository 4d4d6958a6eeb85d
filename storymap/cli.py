"""The ``storymap`` command line: a thin layer over the library.

Every command calls one public function and turns a :class:`StorymapError` into a short
message on standard error and a non-zero exit; the library itself never prints.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from storymap.errors import StorymapError

FORMATS = ("html", "geojson", "gpkg", "csv", "kml")
#: below this many articles, starting worker processes costs more than it saves
AUTO_JOBS_MIN_LINES = 32


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _fail(exc: StorymapError) -> None:
    raise click.ClickException(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    from rich.console import Console

    from storymap.gazetteer import Gazetteer, default_path
    from storymap.story import build_story
    from storymap.storyfile import write_story

    console = Console(stderr=True, soft_wrap=True)
    try:
        with console.status("Loading the gazetteer...") as status:
            if not default_path().exists():
                status.update("Building the offline gazetteer (once, about 15 s)...")
            gazetteer = Gazetteer(progress=lambda msg: status.update(f"Building the offline gazetteer: {msg}..."))

            def progress(msg: str, n: int, total: int) -> None:
                status.update(f"[{n}/{total}] {msg}")

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
        result.story = story
    except StorymapError as exc:
        _fail(exc)
    for problem in result.problems:
        console.print(f"[yellow]warning:[/] {problem}", highlight=False, markup=True)
    meta = result.story["storymap"]
    stops = [f for f in result.story["features"] if f["properties"].get("role") == "stop"]
    places = [f for f in result.story["features"] if f["properties"].get("role") in ("stop", "mention")]
    mentions = sum(f["properties"]["mention_count"] for f in places)
    console.print(f"Wrote {out}: {meta['title']!r}, {_n(len(meta['articles']), 'article')}, "
                  f"{_n(len(places), 'place')}, {_n(mentions, 'mention')}, {_n(len(stops), 'stop')}", highlight=False)
    for f in stops:
        p = f["properties"]
        when = p["date"] or "no date"
        console.print(f"  {p['stop']}. {p['name']} ({when}, {p['status']})", highlight=False)
    for name in result.unplaced:
        console.print(f"  [yellow]not placed:[/] {name}", highlight=False)


@main.command()
@click.argument("input_file", metavar="INPUT", default="-", type=click.File("r", encoding="utf-8"))
@click.option("-o", "--output", "out", default="-", show_default=True, type=click.File("w", encoding="utf-8"),
              help="JSONL file to write (default: standard output).")
@click.option("--text", "plain", is_flag=True,
              help="INPUT is plain text (one article); also assumed when its first line is not a JSON object.")
@click.option("-j", "--jobs", default=None, type=click.IntRange(1, 64),
              help="Worker processes, each loading the models once (default: every core, up to 4, "
                   "for inputs of 32 articles or more; one otherwise).")
def geoparse(input_file, out, plain: bool, jobs: int | None) -> None:
    """Find and place the toponyms of articles given as JSONL (one {"id", "text"} per line).

    Writes the same lines with a "toponyms" list (start, end, name, lat, lon,
    gazetteer_id, geonameid, place_type, confidence); other keys pass through. A bad
    line is reported on standard error and skipped. INPUT "-" reads standard input.

    \b
    Example:
        storymap geoparse articles.jsonl -o toponyms.jsonl --jobs 2
        echo "Flooding hit Lagos and Abuja." | storymap geoparse --text
    """
    import itertools
    import json

    from rich.console import Console

    from storymap.geoparse import Geoparser, geoparse_lines

    console = Console(stderr=True, soft_wrap=True)
    try:
        geoparser = Geoparser()
        first = input_file.readline()
        lines = itertools.chain([first], input_file)
        if plain or (first.strip() and not first.lstrip().startswith("{")):
            text = "".join(lines)
            record = {"id": getattr(input_file, "name", "text"), "text": text,
                      "toponyms": [t.to_dict() for t in geoparser.parse(text)]}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            return
        head = [first, *itertools.islice(input_file, AUTO_JOBS_MIN_LINES - 1)]
        lines = itertools.chain(head, input_file)
        if jobs is None:
            many = sum(1 for line in head if line.strip()) >= AUTO_JOBS_MIN_LINES
            jobs = min(os.cpu_count() or 1, 4) if many else 1
        done = bad = 0
        with console.status("Geoparsing...") as status:
            for result in geoparse_lines(lines, geoparser=geoparser, jobs=jobs):
                if result.error:
                    bad += 1
                    console.print(f"[yellow]skipped[/] {result.error}", highlight=False, markup=True)
                    continue
                out.write(result.output + "\n")
                done += 1
                if done % 10 == 0:
                    status.update(f"Geoparsing... {done} articles")
    except StorymapError as exc:
        _fail(exc)
    console.print(f"Geoparsed {_n(done, 'article')}" + (f", skipped {_n(bad, 'bad line')}" if bad else ""),
                  highlight=False)
    if bad:
        sys.exit(1 if not done else 0)


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
        counts = gz.Gazetteer(path).counts()
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
@click.option("--tiles/--no-tiles", default=True, show_default=True,
              help="HTML only: load online map tiles over the built-in offline base map.")
def export(places: Path, out: Path, fmt: str | None, tiles: bool) -> None:
    """Export a story file to HTML, GeoJSON, GeoPackage, CSV or KML.

    \b
    Example:
        storymap export data/places.geojson -o story.html
        storymap export data/places.geojson -o places.gpkg
    """
    from storymap.export import export_story
    from storymap.storyfile import load_story

    try:
        written = export_story(load_story(places), out, fmt=fmt, tiles=tiles)
    except StorymapError as exc:
        _fail(exc)
    click.echo(f"Wrote {written}", err=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
