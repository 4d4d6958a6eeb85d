"""Export a story to the files people take away: HTML, GeoJSON, GeoPackage, CSV and KML.

Every writer is atomic (a temporary file in the target folder, then a rename) and, where
the format allows it, deterministic. GIS formats carry the same flat attributes
(:data:`FLAT_FIELDS`) so that QGIS, ArcGIS or ``ogr2ogr`` users find what they expect; the
GeoJSON export is also a story file that every storymap command reads back.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from enum import StrEnum
from html import escape
from pathlib import Path
from typing import Any

from storymap.errors import StoryError
from storymap.files import atomic_path, write_atomic
from storymap.look import look_of
from storymap.render import Tiles, story_html
from storymap.storyfile import Place, Role, Route, Story, StoryData, StoryFeature, as_story, check_story

FORMATS = ("html", "geojson", "gpkg", "csv", "kml", "mp4", "webm", "gif")
EXTENSIONS = {".html": "html", ".htm": "html", ".geojson": "geojson", ".json": "geojson",
              ".gpkg": "gpkg", ".csv": "csv", ".kml": "kml", ".mp4": "mp4", ".webm": "webm", ".gif": "gif"}
#: the formats that are a video of the route (see :mod:`storymap.video`)
VIDEO_FORMATS = ("mp4", "webm", "gif")
FLAT_FIELDS = ("id", "name", "role", "stop", "visits", "date", "date_status", "place_type", "confidence",
               "mention_count", "excerpt", "sources", "gazetteer_id")
MENTION_COLOR = "#5f6f80"
KML_NS = "http://www.opengis.net/kml/2.2"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}$")
#: what a spreadsheet cell may not start with (OWASP, CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: characters XML 1.0 does not allow, even escaped
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: GeoPackage "last change" stamps come from the story, not the clock, so exports are
#: byte-identical; a story with no publication date gets this one
GPKG_EPOCH = "1970-01-01"


# --------------------------------------------------------------------------- attributes
def _plain(value: Any) -> Any:
    """A vocabulary's value as the plain text the file holds (GIS writers know no enums)."""
    return str(value) if isinstance(value, StrEnum) else value


def flat_properties(place: Place) -> dict[str, Any]:
    """The flat attributes of a place, in :data:`FLAT_FIELDS` order.

    Parameters
    ----------
    place
        A place of the story.

    Returns
    -------
    dict
        Strings, numbers or None only (no nested lists), ready for any GIS format.
    """
    mentions = place.mentions or ()
    stop = int(place.stop) if place.stop is not None else None
    # every visit of a place the route passes more than once ("1;4"), else the stop number
    visits = place.visits or ([stop] if stop is not None else [])
    return {
        "id": str(place.id or ""),
        "name": place.name,
        "role": _plain(place.role),
        "stop": stop,
        "visits": ";".join(str(int(v)) for v in visits) or None,
        "date": place.date,
        "date_status": _plain(place.date_status),
        "place_type": place.place_type,
        "confidence": float(place.confidence) if place.confidence is not None else None,
        "mention_count": int(place.mention_count if place.mention_count is not None else len(mentions)),
        "excerpt": place.excerpt if place.excerpt is not None or not mentions else mentions[0].excerpt,
        "sources": place.sources,
        "gazetteer_id": place.gazetteer_id,
    }


def _lonlat(place: Place) -> tuple[float, float]:
    return place.lon, place.lat


def _route_coords(story: Story) -> list[tuple[float, float]]:
    """The route line: the route feature's vertices, or the stops in order."""
    if story.route is not None:
        return [(float(c[0]), float(c[1])) for c in story.route.coordinates]
    return [_lonlat(f) for f in story.stops]


def _route_properties(story: Story) -> dict[str, Any]:
    line = story.route
    stop_places = story.stops
    ids = (line.stops if line else None) or [str(f.id or "") for f in stop_places]
    dates = (line.dates if line else None) or [f.date for f in stop_places]
    return {"id": str((line.id if line else None) or "route"), "name": (line.name if line else None) or "Route",
            "role": "route", "stop_count": len(ids), "stops": "; ".join(str(i) for i in ids),
            "dates": "; ".join(d or "" for d in dates)}


def _style(feature: StoryFeature, accent: str) -> dict[str, Any]:
    """simplestyle-spec properties for a feature (honoured by geojson.io, GitHub, ...): the
    route and stops in the story's accent colour."""
    if isinstance(feature, Route):
        return {"stroke": accent, "stroke-width": 3, "stroke-opacity": 0.9}
    if isinstance(feature, Place) and feature.role == Role.STOP:
        style: dict[str, Any] = {"marker-color": accent, "marker-size": "medium"}
        if feature.stop is not None and 0 <= feature.stop <= 9:
            style["marker-symbol"] = str(feature.stop)
        return style
    return {"marker-color": MENTION_COLOR, "marker-size": "small"}


# --------------------------------------------------------------------------- writers
def geojson_text(story: Story | StoryData) -> str:
    """The story as RFC 7946 GeoJSON with simplestyle properties, deterministic.

    The export IS the story file: every member is kept as the story has it (nested
    ``mentions``, ``evidence``, ``media``, the ``storymap`` article list), so storymap reads it
    back. The flat attributes GIS tools want (:data:`FLAT_FIELDS`) are filled in only where the
    story has no value, in the story file's own type (``visits`` stays a list of stop numbers,
    an integer list for GDAL), and never replace a field; the simplestyle properties
    (``marker-color``, ``stroke``...) are names the story file does not use.
    """
    story = as_story(story)
    accent = look_of(story).accent
    out = story.to_geojson()
    out.pop("crs", None)
    for record, feature in zip(story.features, out["features"], strict=True):
        props = feature["properties"]
        if isinstance(record, Place):
            flat = flat_properties(record)
            flat.pop("id")
            flat["visits"] = [int(v) for v in flat["visits"].split(";")] if flat["visits"] else None
            for key, value in flat.items():
                if props.get(key) is None and value is not None:
                    props[key] = value
        props.update(_style(record, accent))
    return json.dumps(out, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n"


def csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet reads as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading apostrophe, as OWASP advises against CSV injection; numbers stay numbers.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(story: Story | StoryData) -> str:
    """One row per place: the flat attributes, ``lon``, ``lat`` and a ``WKT`` point.

    Text cells that a spreadsheet would run as a formula are prefixed (:func:`csv_cell`).
    """
    buffer = io.StringIO(newline="")
    fields = [*FLAT_FIELDS, "lon", "lat", "WKT"]
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    for place in as_story(story).places:
        lon, lat = _lonlat(place)
        row = flat_properties(place)
        row.update(lon=lon, lat=lat, WKT=f"POINT ({lon!r} {lat!r})")
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
    return buffer.getvalue()


def _kml_description(place: Place) -> str:
    """HTML for a placemark balloon: every excerpt, escaped, with its article credit."""
    parts = []
    if place.role == Role.STOP:
        status = place.date_status or "unknown"
        parts.append(f"<p><b>Stop {escape(str(place.stop or ''))}</b> &middot; "
                     f"{escape(place.date or 'date not reported')} ({escape(status)})</p>")
    seen = set()
    for mention in place.mentions or ():
        text = mention.excerpt or ""
        if text and text not in seen:
            seen.add(text)
            parts.append(f"<blockquote>{escape(text)}</blockquote>")
    if not seen and place.excerpt:
        parts.append(f"<blockquote>{escape(place.excerpt)}</blockquote>")
    if place.sources:
        parts.append(f"<p>Sources: {escape(place.sources)}</p>")
    return "\n".join(parts)


def _kml_data(parent: ET.Element, schema: str, values: dict[str, Any]) -> None:
    extended = ET.SubElement(parent, "ExtendedData")
    data = ET.SubElement(extended, "SchemaData", schemaUrl=f"#{schema}")
    for key, value in values.items():
        if value is not None:
            ET.SubElement(data, "SimpleData", name=key).text = str(value)


def _kml_schema(doc: ET.Element, schema: str, fields: dict[str, str]) -> None:
    node = ET.SubElement(doc, "Schema", name=schema, id=schema)
    for name, kind in fields.items():
        ET.SubElement(node, "SimpleField", name=name, type=kind)


def _kml_style(doc: ET.Element, style_id: str, color: str, *, line: bool = False, scale: float = 1.0) -> None:
    # KML colours are aabbggrr
    kml_color = "ff" + color[5:7] + color[3:5] + color[1:3]
    style = ET.SubElement(doc, "Style", id=style_id)
    if line:
        line_style = ET.SubElement(style, "LineStyle")
        ET.SubElement(line_style, "color").text = kml_color
        ET.SubElement(line_style, "width").text = "3"
    else:
        icon = ET.SubElement(style, "IconStyle")
        ET.SubElement(icon, "color").text = kml_color
        ET.SubElement(icon, "scale").text = str(scale)


def kml_text(story: Story | StoryData) -> str:
    """KML 2.2 with two folders (layers), ``places`` and ``route``.

    Each placemark has its flat attributes as ``ExtendedData`` and its excerpts, credited,
    in an HTML description whose article text is escaped, so no viewer runs it.
    """
    story = as_story(story)
    ET.register_namespace("", KML_NS)
    kml = ET.Element("kml", xmlns=KML_NS)
    doc = ET.SubElement(kml, "Document")
    ET.SubElement(doc, "name").text = story.meta.title or "Story map"
    kinds = {"stop": "int", "confidence": "double", "mention_count": "int"}
    _kml_schema(doc, "place", {k: kinds.get(k, "string") for k in FLAT_FIELDS})
    _kml_schema(doc, "route", {"id": "string", "name": "string", "role": "string", "stop_count": "int",
                               "stops": "string", "dates": "string"})
    accent = look_of(story).accent
    _kml_style(doc, "stop", accent, scale=1.1)
    _kml_style(doc, "mention", MENTION_COLOR, scale=0.7)
    _kml_style(doc, "route", accent, line=True)
    folder = ET.SubElement(doc, "Folder")
    ET.SubElement(folder, "name").text = "places"
    for place in story.places:
        flat = flat_properties(place)
        mark = ET.SubElement(folder, "Placemark", id=flat["id"])
        ET.SubElement(mark, "name").text = str(flat["name"] or flat["id"])
        ET.SubElement(mark, "description").text = _kml_description(place)
        ET.SubElement(mark, "styleUrl").text = "#stop" if flat["role"] == "stop" else "#mention"
        _kml_data(mark, "place", flat)
        point = ET.SubElement(mark, "Point")
        lon, lat = _lonlat(place)
        ET.SubElement(point, "coordinates").text = f"{lon!r},{lat!r}"
    coords = _route_coords(story)
    folder = ET.SubElement(doc, "Folder")
    ET.SubElement(folder, "name").text = "route"
    if len(coords) >= 2:
        props = _route_properties(story)
        mark = ET.SubElement(folder, "Placemark", id=props["id"])
        ET.SubElement(mark, "name").text = str(props["name"])
        ET.SubElement(mark, "styleUrl").text = "#route"
        _kml_data(mark, "route", props)
        line = ET.SubElement(mark, "LineString")
        ET.SubElement(line, "tessellate").text = "1"
        ET.SubElement(line, "coordinates").text = " ".join(f"{x!r},{y!r}" for x, y in coords)
    ET.indent(kml)
    text = XML_INVALID.sub("", ET.tostring(kml, encoding="unicode"))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


def _write_gpkg(story: Story, out: Path) -> None:
    """GeoPackage with layers ``places`` (points) and ``route`` (line), written atomically."""
    import geopandas as gpd
    import pandas as pd
    import pyogrio
    from shapely.geometry import LineString, Point

    rows = [flat_properties(f) for f in story.places]
    frame = pd.DataFrame(rows, columns=list(FLAT_FIELDS))
    frame["stop"] = frame["stop"].astype("Int32")
    frame["mention_count"] = frame["mention_count"].astype("Int32")
    frame["confidence"] = frame["confidence"].astype("Float64")
    geometry = [Point(*_lonlat(f)) for f in story.places]
    place_layer = gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
    coords = _route_coords(story)
    route_rows = [_route_properties(story)] if len(coords) >= 2 else []
    route_layer = gpd.GeoDataFrame(
        pd.DataFrame(route_rows, columns=["id", "name", "role", "stop_count", "stops", "dates"]),
        geometry=[LineString(coords)] if route_rows else [], crs="EPSG:4326")
    stamp = max([a.published for a in story.articles if a.published and ISO_DATE.match(a.published)]
                or [GPKG_EPOCH])
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": f"{stamp}T00:00:00.000Z"})
    try:
        with atomic_path(out, suffix=".gpkg") as tmp:
            tmp.unlink()  # the driver makes the file itself
            place_layer.to_file(tmp, layer="places", driver="GPKG", engine="pyogrio")
            route_layer.to_file(tmp, layer="route", driver="GPKG", engine="pyogrio",
                                geometry_type="LineString")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


# --------------------------------------------------------------------------- entry point
def export_format(out: str | os.PathLike[str], fmt: str | None = None) -> str:
    """The export format for ``out``: ``fmt`` if given, else from the file extension.

    Raises
    ------
    StoryError
        For an unknown format or extension.
    """
    if fmt is not None:
        if fmt not in FORMATS:
            msg = f"unknown export format '{fmt}' (choose one of {', '.join(FORMATS)})"
            raise StoryError(msg)
        return fmt
    suffix = Path(out).suffix.lower()
    if suffix not in EXTENSIONS:
        msg = (f"{out}: cannot tell the export format from the extension '{suffix or '(none)'}'; "
               f"use .html, .geojson, .gpkg, .csv, .kml, .mp4, .webm or .gif, or --format")
        raise StoryError(msg)
    return EXTENSIONS[suffix]


_TEXT_WRITERS: dict[str, Callable[[Story], str]] = {
    "geojson": geojson_text,
    "csv": csv_text,
    "kml": kml_text,
}


def export_story(story: Story | StoryData, out: str | os.PathLike[str], *, fmt: str | None = None,
                 tiles: Tiles | None = None, size: str = "landscape",
                 progress: Callable[[str, int, int], None] | None = None) -> Path:
    """Write ``story`` to ``out`` in the format named by ``fmt`` or by the extension.

    Parameters
    ----------
    story
        A story (``storyfile.read_story``), or its parsed file, which is checked first.
    out
        The file to write; replaced atomically.
    fmt
        One of :data:`FORMATS` (``mp4``, ``webm`` and ``gif`` are videos of the route); None to
        use the extension.
    tiles
        HTML only: online tiles to draw (the offline base map still shows beneath them);
        none by default, so the page makes no outside request.
    size
        Videos only: ``"landscape"`` (1280x720) or ``"square"`` (1080x1080).
    progress
        Videos only: called as the video is recorded (:func:`storymap.video.export_video`).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    StoryError
        For an unknown format, a story that breaks the contract (naming the feature and
        field), or a story with no places.
    """
    kind = export_format(out, fmt)
    out = Path(out)
    story = check_story(story)
    if not story.places:
        msg = "the story has no places to export"
        raise StoryError(msg)
    if kind == "gpkg":
        _write_gpkg(story, out)
        return out
    if kind == "html":
        return write_atomic(out, story_html(story, tiles=tiles))
    if kind in VIDEO_FORMATS:
        from storymap.video import export_video

        return export_video(story, out, size=size, fmt=kind, progress=progress).path
    return write_atomic(out, _TEXT_WRITERS[kind](story))
