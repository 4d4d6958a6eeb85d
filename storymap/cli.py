"""The ``storymap`` command line: a thin layer over the library.

Every command calls one public function and turns a :class:`StorymapError` into a short
message on standard error and a non-zero exit; the library itself never prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from storymap.errors import StorymapError

FORMATS = ("html", "geojson", "gpkg", "csv", "kml")


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
@click.argument("places", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write; its extension chooses the format unless --format is given.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format (default: from the output file's extension).")
def export(places: Path, out: Path, fmt: str | None) -> None:
    """Export a story file to HTML, GeoJSON, GeoPackage, CSV or KML.

    \b
    Example:
        storymap export data/places.geojson -o story.html
        storymap export data/places.geojson -o places.gpkg
    """
    from storymap.export import export_story
    from storymap.storyfile import load_story

    try:
        written = export_story(load_story(places), out, fmt=fmt)
    except StorymapError as exc:
        _fail(exc)
    click.echo(f"Wrote {written}", err=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
