"""Export a story to the files people take away: HTML, GeoJSON, GeoPackage, CSV and KML.

Every writer is atomic (a temporary file in the target folder, then a rename) and, where
the format allows it, deterministic. GIS formats carry the same flat attributes
(:data:`FLAT_FIELDS`) so that QGIS, ArcGIS or ``ogr2ogr`` users find what they expect; the
GeoJSON export is also a story file that every storymap command reads back.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from storymap.errors import StoryError
from storymap.files import atomic_path, write_atomic
from storymap.render import Tiles, story_html
from storymap.storyfile import StoryData, places, route, stops, validate_story

FORMATS = ("html", "geojson", "gpkg", "csv", "kml", "mp4", "webm", "gif")
EXTENSIONS = {".html": "html", ".htm": "html", ".geojson": "geojson", ".json": "geojson",
              ".gpkg": "gpkg", ".csv": "csv", ".kml": "kml", ".mp4": "mp4", ".webm": "webm", ".gif": "gif"}
#: the formats that are a video of the route (see :mod:`storymap.video`)
VIDEO_FORMATS = ("mp4", "webm", "gif")
FLAT_FIELDS = ("id", "name", "role", "stop", "visits", "date", "date_status", "place_type", "confidence",
               "mention_count", "excerpt", "sources", "gazetteer_id")
ROUTE_COLOR = "#b3202e"
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
def flat_properties(feature: dict[str, Any]) -> dict[str, Any]:
    """The flat attributes of a place feature, in :data:`FLAT_FIELDS` order.

    Parameters
    ----------
    feature
        A place feature of the story file.

    Returns
    -------
    dict
        Strings, numbers or None only (no nested lists), ready for any GIS format.
    """
    props = feature["properties"]
    mentions = props.get("mentions") or []
    out: dict[str, Any] = {"id": str(feature.get("id") or "")}
    for key in FLAT_FIELDS[1:]:
        out[key] = props.get(key)
    if out["mention_count"] is None:
        out["mention_count"] = len(mentions)
    if out["excerpt"] is None and mentions:
        out["excerpt"] = mentions[0].get("excerpt")
    out["stop"] = int(out["stop"]) if out["stop"] is not None else None
    # every visit of a place the route passes more than once ("1;4"), else the stop number
    visits = props.get("visits") or ([out["stop"]] if out["stop"] is not None else [])
    out["visits"] = ";".join(str(int(v)) for v in visits) or None
    out["confidence"] = float(out["confidence"]) if out["confidence"] is not None else None
    out["mention_count"] = int(out["mention_count"])
    return out


def _lonlat(feature: dict[str, Any]) -> tuple[float, float]:
    lon, lat = feature["geometry"]["coordinates"][:2]
    return float(lon), float(lat)


def _route_coords(story: StoryData) -> list[tuple[float, float]]:
    """The route line: the route feature's vertices, or the stops in order."""
    feature = route(story)
    if feature is not None and feature["geometry"].get("type") == "LineString":
        return [(float(c[0]), float(c[1])) for c in feature["geometry"]["coordinates"]]
    return [_lonlat(f) for f in stops(story)]


def _route_properties(story: StoryData) -> dict[str, Any]:
    feature = route(story)
    props = feature["properties"] if feature else {}
    stop_features = stops(story)
    ids = props.get("stops") or [str(f.get("id") or "") for f in stop_features]
    dates = props.get("dates") or [f["properties"].get("date") for f in stop_features]
    return {"id": str((feature or {}).get("id") or "route"), "name": props.get("name") or "Route",
            "role": "route", "stop_count": len(ids), "stops": "; ".join(str(i) for i in ids),
            "dates": "; ".join(d or "" for d in dates)}


def _style(feature: dict[str, Any]) -> dict[str, Any]:
    """simplestyle-spec properties for a feature (honoured by geojson.io, GitHub, ...)."""
    props = feature["properties"]
    role = props.get("role")
    if role == "route":
        return {"stroke": ROUTE_COLOR, "stroke-width": 3, "stroke-opacity": 0.9}
    if role == "stop":
        style: dict[str, Any] = {"marker-color": ROUTE_COLOR, "marker-size": "medium"}
        if isinstance(props.get("stop"), int) and 0 <= props["stop"] <= 9:
            style["marker-symbol"] = str(props["stop"])
        return style
    return {"marker-color": MENTION_COLOR, "marker-size": "small"}


# --------------------------------------------------------------------------- writers
def geojson_text(story: StoryData) -> str:
    """The story as RFC 7946 GeoJSON with simplestyle properties, deterministic.

    The export IS the story file: every member is kept as the story has it (nested
    ``mentions``, ``evidence``, ``media``, the ``storymap`` article list), so storymap reads it
    back. The flat attributes GIS tools want (:data:`FLAT_FIELDS`) are filled in only where the
    story has no value, in the story file's own type (``visits`` stays a list of stop numbers,
    an integer list for GDAL), and never replace a field; the simplestyle properties
    (``marker-color``, ``stroke``...) are names the story file does not use.
    """
    out = copy.deepcopy(story)
    out.pop("crs", None)
    for feature in out["features"]:
        props = feature["properties"]
        if props.get("role") in ("stop", "mention"):
            flat = flat_properties(feature)
            flat.pop("id")
            flat["visits"] = [int(v) for v in flat["visits"].split(";")] if flat["visits"] else None
            for key, value in flat.items():
                if props.get(key) is None and value is not None:
                    props[key] = value
        props.update(_style(feature))
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


def csv_text(story: StoryData) -> str:
    """One row per place: the flat attributes, ``lon``, ``lat`` and a ``WKT`` point.

    Text cells that a spreadsheet would run as a formula are prefixed (:func:`csv_cell`).
    """
    buffer = io.StringIO(newline="")
    fields = [*FLAT_FIELDS, "lon", "lat", "WKT"]
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    for feature in places(story):
        lon, lat = _lonlat(feature)
        row = flat_properties(feature)
        row.update(lon=lon, lat=lat, WKT=f"POINT ({lon!r} {lat!r})")
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
    return buffer.getvalue()


def _kml_description(feature: dict[str, Any]) -> str:
    """HTML for a placemark balloon: every excerpt, escaped, with its article credit."""
    props = feature["properties"]
    parts = []
    if props.get("role") == "stop":
        status = props.get("date_status") or "unknown"
        parts.append(f"<p><b>Stop {escape(str(props.get('stop') or ''))}</b> &middot; "
                     f"{escape(str(props.get('date') or 'date not reported'))} ({escape(status)})</p>")
    seen = set()
    for mention in props.get("mentions") or []:
        text = str(mention.get("excerpt") or "")
        if text and text not in seen:
            seen.add(text)
            parts.append(f"<blockquote>{escape(text)}</blockquote>")
    if not seen and props.get("excerpt"):
        parts.append(f"<blockquote>{escape(str(props['excerpt']))}</blockquote>")
    if props.get("sources"):
        parts.append(f"<p>Sources: {escape(str(props['sources']))}</p>")
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


def kml_text(story: StoryData) -> str:
    """KML 2.2 with two folders (layers), ``places`` and ``route``.

    Each placemark has its flat attributes as ``ExtendedData`` and its excerpts, credited,
    in an HTML description whose article text is escaped, so no viewer runs it.
    """
    ET.register_namespace("", KML_NS)
    kml = ET.Element("kml", xmlns=KML_NS)
    doc = ET.SubElement(kml, "Document")
    ET.SubElement(doc, "name").text = str(story["storymap"].get("title") or "Story map")
    kinds = {"stop": "int", "confidence": "double", "mention_count": "int"}
    _kml_schema(doc, "place", {k: kinds.get(k, "string") for k in FLAT_FIELDS})
    _kml_schema(doc, "route", {"id": "string", "name": "string", "role": "string", "stop_count": "int",
                               "stops": "string", "dates": "string"})
    _kml_style(doc, "stop", ROUTE_COLOR, scale=1.1)
    _kml_style(doc, "mention", MENTION_COLOR, scale=0.7)
    _kml_style(doc, "route", ROUTE_COLOR, line=True)
    folder = ET.SubElement(doc, "Folder")
    ET.SubElement(folder, "name").text = "places"
    for feature in places(story):
        flat = flat_properties(feature)
        mark = ET.SubElement(folder, "Placemark", id=flat["id"])
        ET.SubElement(mark, "name").text = str(flat["name"] or flat["id"])
        ET.SubElement(mark, "description").text = _kml_description(feature)
        ET.SubElement(mark, "styleUrl").text = "#stop" if flat["role"] == "stop" else "#mention"
        _kml_data(mark, "place", flat)
        point = ET.SubElement(mark, "Point")
        lon, lat = _lonlat(feature)
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


def _write_gpkg(story: StoryData, out: Path) -> None:
    """GeoPackage with layers ``places`` (points) and ``route`` (line), written atomically."""
    import geopandas as gpd
    import pandas as pd
    import pyogrio
    from shapely.geometry import LineString, Point

    rows = [flat_properties(f) for f in places(story)]
    frame = pd.DataFrame(rows, columns=list(FLAT_FIELDS))
    frame["stop"] = frame["stop"].astype("Int32")
    frame["mention_count"] = frame["mention_count"].astype("Int32")
    frame["confidence"] = frame["confidence"].astype("Float64")
    geometry = [Point(*_lonlat(f)) for f in places(story)]
    place_layer = gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
    coords = _route_coords(story)
    route_rows = [_route_properties(story)] if len(coords) >= 2 else []
    route_layer = gpd.GeoDataFrame(
        pd.DataFrame(route_rows, columns=["id", "name", "role", "stop_count", "stops", "dates"]),
        geometry=[LineString(coords)] if route_rows else [], crs="EPSG:4326")
    stamp = max([str(a.get("published")) for a in story["storymap"].get("articles") or []
                 if ISO_DATE.match(str(a.get("published")))] or [GPKG_EPOCH])
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


_TEXT_WRITERS: dict[str, Callable[[StoryData], str]] = {
    "geojson": geojson_text,
    "csv": csv_text,
    "kml": kml_text,
}


def export_story(story: StoryData, out: str | os.PathLike[str], *, fmt: str | None = None,
                 tiles: Tiles | None = None, size: str = "landscape") -> Path:
    """Write ``story`` to ``out`` in the format named by ``fmt`` or by the extension.

    Parameters
    ----------
    story
        A parsed story file (``storyfile.load_story``).
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
    story = validate_story(story)
    if not places(story):
        msg = "the story has no places to export"
        raise StoryError(msg)
    if kind == "gpkg":
        _write_gpkg(story, out)
        return out
    if kind == "html":
        return write_atomic(out, story_html(story, tiles=tiles))
    if kind in VIDEO_FORMATS:
        from storymap.video import export_video

        return export_video(story, out, size=size, fmt=kind).path
    return write_atomic(out, _TEXT_WRITERS[kind](story))
