"""Render a story file as an animated, source-cited folium map.

The same page serves the Streamlit app and the standalone HTML export. Folium builds the
map; the story controls are the project's own Leaflet code (``static/storymap.js``) in a
:class:`StoryControls` element, fed with the story as JSON. The only outside code is
Leaflet, read from the installed ``xstatic-leaflet`` package and inlined, so the page
works from disk with no network; online tiles, when enabled, are the one external request.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from collections.abc import Sequence
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from storymap import basemap
from storymap.look import look_css, look_of
from storymap.errors import StoryError
from storymap.gazetteer import distance_km
from storymap.storyfile import Place, Story, StoryData, as_story, is_media_src

GEONAMES_ATTRIBUTION = 'Places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0)'
GEODESIC_SEGMENTS = 48
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


# --------------------------------------------------------------------------- online tiles
@dataclass(frozen=True, slots=True)
class Tiles:
    """An online tile layer drawn over the offline base map: a URL template with
    ``{z}``, ``{x}`` and ``{y}``, and the credit its terms require (HTML)."""

    url: str
    attribution: str
    max_zoom: int = 19


#: OpenStreetMap's standard tiles (their tile usage policy asks for this credit)
OSM_TILES = Tiles("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                  '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors')
NAMED_TILES = {"osm": OSM_TILES}


def tiles_option(spec: str, attribution: str | None = None) -> Tiles:
    """The tile layer a user asked for: a name (``"osm"``) or an ``https://`` URL template,
    which needs ``attribution`` (plain text: the credit its provider requires).

    Raises
    ------
    StoryError
        For an unknown name, a URL without ``{z}``, ``{x}`` and ``{y}``, or a URL without
        an attribution.
    """
    named = NAMED_TILES.get(spec.strip().lower())
    if named is not None:
        return named if attribution is None else Tiles(named.url, html.escape(attribution), named.max_zoom)
    if not re.match(r"https?://", spec) or not all(k in spec for k in ("{z}", "{x}", "{y}")):
        msg = (f"unknown tiles '{spec}': use {', '.join(sorted(NAMED_TILES))} or a URL template "
               "such as https://tiles.example.org/{z}/{x}/{y}.png")
        raise StoryError(msg)
    if attribution is None or not attribution.strip():
        msg = f"tiles from {spec} need an attribution naming their source (--tiles-attribution)"
        raise StoryError(msg)
    return Tiles(spec, html.escape(attribution.strip()))


# --------------------------------------------------------------------------- assets
@lru_cache(maxsize=1)
def leaflet_assets() -> tuple[str, str]:
    """Leaflet's JavaScript and CSS from the installed ``xstatic-leaflet`` package.

    The CSS has its images inlined as ``data:`` URIs and the JavaScript has its source-map
    comment removed, so that neither asks for another file.

    Returns
    -------
    tuple of str
        ``(javascript, css)``.
    """
    from xstatic.pkg import leaflet

    base = Path(leaflet.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S*\s*$", "", js)
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode((base / "images" / match.group(1)).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\(images/([\w.-]+\.png)\)", inline, css)
    return _safe_raw(js, "script"), _safe_raw(css, "style")


@lru_cache(maxsize=1)
def storymap_assets() -> tuple[str, str]:
    """The project's own story controls: ``(javascript, css)`` from ``storymap/static``."""
    static = Path(__file__).parent / "static"
    js = (static / "storymap.js").read_text(encoding="utf-8")
    css = (static / "storymap.css").read_text(encoding="utf-8")
    return _safe_raw(js, "script"), _safe_raw(css, "style")


def _safe_raw(text: str, tag: str) -> str:
    """Make code safe to inline inside a raw-text ``<script>``/``<style>`` element."""
    return re.sub(rf"</({tag})", r"<\\/\1", text, flags=re.IGNORECASE)


def json_for_html(data: Any) -> str:
    """Serialise ``data`` as JSON that can sit inside a ``<script>`` element.

    ``<``, ``>``, ``&`` and the line separators U+2028/U+2029 are written as ``\\uXXXX``
    escapes, so no string in the data can close the element or start markup. Keys are
    sorted so the output is deterministic.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group(0)], text)


# --------------------------------------------------------------------------- geometry
def _unit(lat: float, lon: float) -> tuple[float, float, float]:
    la, lo = math.radians(lat), math.radians(lon)
    return (math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la))


def geodesic_path(start: tuple[float, float], end: tuple[float, float],
                  segments: int = GEODESIC_SEGMENTS) -> list[list[float]]:
    """Points along the great circle from ``start`` to ``end``, both ``(lat, lon)``.

    Longitudes are unwrapped so that the line never jumps across the map at the
    antimeridian (Leaflet draws ``[lat, lon]`` pairs literally).

    Parameters
    ----------
    start, end
        ``(lat, lon)`` in degrees.
    segments
        Number of straight pieces in the returned line.

    Returns
    -------
    list of [lat, lon]
        ``segments + 1`` points, rounded to 5 decimals, from ``start`` to ``end``.
    """
    a, b = _unit(*start), _unit(*end)
    dot = max(-1.0, min(1.0, sum(x * y for x, y in zip(a, b))))
    omega = math.acos(dot)
    points: list[list[float]] = []
    prev_lon = start[1]
    for i in range(segments + 1):
        t = i / segments
        if omega < 1e-9:
            lat, lon = start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t
        else:
            wa, wb = math.sin((1 - t) * omega) / math.sin(omega), math.sin(t * omega) / math.sin(omega)
            x, y, z = (wa * p + wb * q for p, q in zip(a, b))
            lat = math.degrees(math.atan2(z, math.hypot(x, y)))
            lon = math.degrees(math.atan2(y, x))
        lon += 360.0 * round((prev_lon - lon) / 360.0)
        prev_lon = lon
        points.append([round(lat, 5), round(lon, 5)])
    return points


# --------------------------------------------------------------------------- author text
_INLINE_TAGS = {"em_open": "em", "strong_open": "strong", "link_open": "a", "s_open": "s"}
_LINK = re.compile(r"(?:https?://|mailto:)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    # CommonMark without raw HTML or images: an author's text is words, emphasis, links, lists
    return MarkdownIt("commonmark", {"html": False}).disable(["image", "html_inline", "html_block"])


def markdown_blocks(text: str) -> list[dict[str, Any]]:
    """An author's Markdown as a small tree the page builds with DOM calls, never as HTML.

    Blocks are ``{"tag": "p" | "h" | "ul" | "ol", "items": [...]}`` (a paragraph or heading
    has one item, a list one per entry); an item is a list of inline nodes: a string, or
    ``{"tag": "em" | "strong" | "s" | "code" | "a" | "br", "children": [...]}`` (``a`` with an
    http(s) or mailto ``href``; any other link is kept as its text).
    """
    blocks: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    depth = 0
    heading = False
    for token in _markdown().parse(str(text or "")):
        if token.type in ("heading_open", "heading_close"):
            heading = token.type == "heading_open"
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
            if depth == 1:
                current = {"tag": token.tag, "items": []}
                blocks.append(current)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            if depth == 0:
                current = None
        elif token.type == "inline":
            nodes = _inline(token.children or [])
            if not nodes:
                continue
            if current is not None:
                current["items"].append(nodes)  # a nested list's entries join the outer one
            else:
                blocks.append({"tag": "h" if heading else "p", "items": [nodes]})
        elif token.type in ("code_block", "fence"):
            blocks.append({"tag": "p", "items": [[{"tag": "code", "children": [token.content.rstrip("\n")]}]]})
    return blocks


def _inline(children: list[Any]) -> list[Any]:
    root: list[Any] = []
    stack = [root]
    for child in children:
        kind = child.type
        if kind in _INLINE_TAGS:
            node: dict[str, Any] = {"tag": _INLINE_TAGS[kind], "children": []}
            if kind == "link_open":
                href = str(child.attrs.get("href") or "")
                if _LINK.match(href):
                    node["href"] = href
            stack[-1].append(node)
            stack.append(node["children"])
        elif kind.endswith("_close") and len(stack) > 1:
            stack.pop()
        elif kind == "code_inline":
            stack[-1].append({"tag": "code", "children": [child.content]})
        elif kind == "hardbreak":
            stack[-1].append({"tag": "br", "children": []})
        elif kind == "softbreak":
            stack[-1].append(" ")
        elif child.content:
            if stack[-1] and isinstance(stack[-1][-1], str):
                stack[-1][-1] += child.content
            else:
                stack[-1].append(child.content)
    return root


# --------------------------------------------------------------------------- data for JS
def _excerpts(place: Place) -> list[dict[str, Any]]:
    """Distinct excerpts of a place, each with the words to highlight and its article."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for mention in place.mentions or ():
        text = mention.excerpt or ""
        if not text:
            continue
        key = (mention.article or "", text)
        entry = found.setdefault(key, {"article": key[0], "text": text, "marks": []})
        word = mention.text or ""
        if word and word not in entry["marks"]:
            entry["marks"].append(word)
    if not found and place.excerpt:
        found[("", place.excerpt)] = {"article": "", "text": place.excerpt, "marks": [],
                                      "sources": place.sources or ""}
    for name in (place.name, place.gazetteer_name):  # a renamed place: the text has the gazetteer's name
        for entry in found.values():
            if name and name not in entry["marks"]:
                entry["marks"].append(name)
    return list(found.values())


def _media(place: Place) -> list[dict[str, str]]:
    """A stop's images whose source is an inline raster image or a web address (nothing else
    loads; :func:`storymap.storyfile.is_media_src`, which the loader also checks)."""
    return [{"src": item.src, "caption": item.caption or "", "credit": item.credit or "", "alt": item.alt or ""}
            for item in place.media or () if is_media_src(item.src)]


def _status(value: StrEnum | None) -> str | None:
    """A vocabulary's value as plain text."""
    return None if value is None else str(value)


def _place(place: Place) -> dict[str, Any]:
    return {
        "id": str(place.id or place.name or ""),
        "name": str(place.name or place.id or "Unnamed place"),
        "lat": place.lat,
        "lon": place.lon,
        "date": place.date,
        # an undated stop still has a status: reported or planned
        "dateStatus": _status(place.date_status or place.status),
        "placeType": place.place_type,
        "count": place.mention_count or len(place.mentions or ()),
        "excerpts": _excerpts(place),
        "authorText": markdown_blocks(place.author_text) if place.author_text else [],
        "media": _media(place),
        "zoom": place.zoom,
    }


#: the closest a stop's view goes for each kind of place (web-map zoom levels): a country
#: is seen whole, a town with its neighbours, a site up close
KIND_ZOOM = {"continent": 3, "country": 5, "region": 5, "admin1": 6, "admin2": 8,
             "city": 9, "town": 10, "village": 11}
SITE_ZOOM = 12
#: a neighbouring stop closer than the view would show gets at least this far apart (pixels)
NEIGHBOUR_PX = 140
MAX_STOP_ZOOM = 15
#: the nearest CONTEXT_NAMES named places stay within CONTEXT_PX pixels of the stop (an empty
#: map orients nobody)...
CONTEXT_NAMES, CONTEXT_PX = 2, 220
#: ... unless that needs a wider view than this
MIN_CONTEXT_ZOOM = 5
_EARTH_M = 40_075_016.686  # the web-map world is this many metres round at the equator, 256 px at zoom 0


def _zoom_for(km: float, pixels: float, lat: float) -> float:
    """The zoom at which ``km`` spans ``pixels`` on the map at latitude ``lat``."""
    metres_per_px = max(km, 0.001) * 1000.0 / pixels
    return math.log2(_EARTH_M * math.cos(math.radians(lat)) / 256.0 / metres_per_px)


def stop_zoom(place: dict[str, Any], neighbours_km: Sequence[float], context_km: float | None = None) -> float:
    """The zoom a stop's view opens at: the author's if set; else the kind's (a site closer
    than a town, a town closer than a country), but not so close that the named places of the
    base map nearest to it (up to ``context_km`` away) fall out of view, and closer when a neighbouring
    stop is so near that the two would overlap (they stay :data:`NEIGHBOUR_PX` apart)."""
    if place.get("zoom") is not None:
        return float(place["zoom"])
    lat = float(place["lat"])
    zoom = float(KIND_ZOOM.get(str(place.get("placeType") or ""), SITE_ZOOM))
    if context_km is not None:
        zoom = min(zoom, max(MIN_CONTEXT_ZOOM, math.floor(_zoom_for(context_km, CONTEXT_PX, lat))))
    near = min((d for d in neighbours_km if d > 0), default=None)
    if near is not None:
        zoom = max(zoom, math.floor(_zoom_for(near, NEIGHBOUR_PX, lat)))
    return float(min(MAX_STOP_ZOOM, zoom))


def _articles(story: Story) -> dict[str, dict[str, Any]]:
    out = {}
    for article in story.articles:
        if article.id:
            url = article.url or ""
            out[article.id] = {"title": article.title, "source": article.source, "published": article.published,
                               "url": url if re.match(r"https?://", url, re.IGNORECASE) else None}
    return out


def page_title(story: Story | StoryData) -> str:
    """The page's title: the author's headline, else the story's title, else one made from its subject."""
    meta = as_story(story).meta
    subject = meta.subject
    return (meta.headline or "").strip() or (meta.title or (f"{subject}: the route" if subject else "Story map"))


def story_data(story: Story | StoryData, *, tiles: Tiles | None = None, step: int | None = None) -> dict[str, Any]:
    """Everything the story controls need, as plain JSON-ready data.

    Parameters
    ----------
    story
        A story (its records, or a parsed story file: see docs/story-file.md).
    tiles
        The online tile layer the page uses, if any (the controls then label the offline layer).
    step
        Stop to open on (1-based), or None for the overview.

    Returns
    -------
    dict
        Stops in route order, mentioned places, route legs along the geodesic, articles,
        the offline base map and the attributions.
    """
    story = as_story(story)
    meta = story.meta
    geojson = story.to_geojson()  # what the base map reads
    # one entry per visit: a round trip passes a place twice (each entry knows every visit)
    visits = story.route_visits()
    numbers: dict[str, list[int]] = {}
    for n, f in enumerate(visits, 1):
        numbers.setdefault(str(f.id), []).append(n)
    stop_list = []
    for n, f in enumerate(visits, 1):
        entry = {**_place(f), "visits": numbers[str(f.id)]}
        if n != entry["visits"][0]:  # a return: the texts' date is the first visit's
            entry.update({"date": None, "dateStatus": _status(f.status) or entry["dateStatus"]})
        stop_list.append(entry)
    mention_list = sorted((_place(f) for f in story.mentions), key=lambda p: (-int(p["count"] or 0), p["name"]))
    names = basemap.labels(geojson)
    towns = [n for n in names if n["kind"] in ("city", "town")]
    for i, stop in enumerate(stop_list):
        around = [stop_list[k] for k in (i - 1, i + 1) if 0 <= k < len(stop_list)]
        # the second-nearest named place: a stop's view names at least two of its neighbours
        near = sorted(distance_km(stop["lat"], stop["lon"], t["lat"], t["lon"]) for t in towns)[:CONTEXT_NAMES]
        context = near[-1] if near else None
        stop["zoom"] = stop_zoom(stop, [distance_km(stop["lat"], stop["lon"], o["lat"], o["lon"]) for o in around],
                                 context)
    legs = []
    for i in range(len(stop_list) - 1):
        a, b = stop_list[i], stop_list[i + 1]
        legs.append({"planned": b["dateStatus"] == "expected",
                     "path": geodesic_path((a["lat"], a["lon"]), (b["lat"], b["lon"]))})
    route_name = story.route.name if story.route else None
    subject = meta.subject
    look = look_of(story)
    cover = {"headline": (meta.headline or "").strip(), "dek": (meta.dek or "").strip(),
             "byline": (meta.byline or "").strip()}
    return {
        "title": page_title(story),
        "cover": {**cover, "intro": markdown_blocks(meta.intro) if meta.intro else []},
        "subject": subject,
        "routeName": route_name or (f"Route of {subject}" if subject else "Route"),
        "articles": _articles(story),
        "stops": stop_list,
        "mentions": mention_list,
        "legs": legs,
        "basemap": basemap.basemap_geojson(geojson),
        "labels": names,
        "tiles": tiles is not None,
        "initialStep": step,
        "style": str(look.style),
        "accent": look.accent,
        "attribution": f"{GEONAMES_ATTRIBUTION} | {basemap.ATTRIBUTION}",
    }


# --------------------------------------------------------------------------- folium elements
class Literal(Element):
    """Text that goes into the page exactly as given: never compiled as a template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class StoryControls(MacroElement):
    """The story controls: Leaflet and storymap code inline, the story as JSON data.

    This is the one element that carries article text into the page, and it never lets
    that text reach Jinja as template source: branca's ``MacroElement.render`` wraps each
    macro's output in ``Element(output)``, which compiles the output as a template a
    second time (so ``{{ ... }}`` in an article would run when the page is rendered).
    :meth:`render` adds the outputs as :class:`Literal` text instead.

    Parameters
    ----------
    data
        Output of :func:`story_data`.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>{{ this.leaflet_css }}</style>
        <style>{{ this.storymap_css }}</style>
        <style>{{ this.look_css }}</style>
        <script>{{ this.leaflet_js }}</script>
        <script>{{ this.storymap_js }}</script>
        {% endmacro %}
        {% macro html(this, kwargs) %}
        <script type="application/json" id="storymap-data">{{ this.data_json }}</script>
        <aside id="storymap-panel" class="sm-panel" aria-label="Story"></aside>
        <noscript><p class="sm-noscript">This story map needs JavaScript.</p></noscript>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        window.storymapInit({{ this._parent.get_name() }}, document.getElementById("storymap-data"));
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any], look: str = "") -> None:
        super().__init__()
        self._name = "StoryControls"
        self.data_json = json_for_html(data)
        self.look_css = _safe_raw(look, "style")
        self.leaflet_js, self.leaflet_css = leaflet_assets()
        self.storymap_js, self.storymap_css = storymap_assets()

    def render(self, **kwargs: Any) -> str:
        """Put the rendered macros into the page as literal text (see the class docstring); the
        element itself renders as nothing."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            msg = "the story controls can only be rendered inside a page"
            raise StoryError(msg)
        module = self._template.module
        for part in ("header", "html", "script"):
            getattr(figure, part).add_child(Literal(getattr(module, part)(self, kwargs)), name=self.get_name())
        return ""


class StoryMap(folium.Map):
    """A folium map that loads nothing from a CDN and lets readers zoom the page."""

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <meta name="viewport" content="width=device-width, initial-scale=1.0" />
        {% endmacro %}
        {% macro html(this, kwargs) %}
        <div class="folium-map sm-map" id={{ this.get_name()|tojson }} role="region"></div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.map(
            {{ this.get_name()|tojson }},
            {
                center: {{ this.location|tojson }},
                crs: L.CRS.{{ this.crs }},
                ...{{ this.options|tojavascript }}
            }
        );
        {%- if this.control_scale %}
        L.control.scale({position: "bottomright"}).addTo({{ this.get_name() }});
        {%- endif %}
        {% endmacro %}
        """
    )


class StoryFigure(Figure):
    """The page around the map: language, charset and an escaped title."""

    _template = Template(
        "<!DOCTYPE html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8" />\n'
        "<title>{{ this.title|e }}</title>\n"
        "{{ this.header.render(**kwargs) }}\n"
        "</head>\n"
        "<body>\n"
        "{{ this.html.render(**kwargs) }}\n"
        "<script>\n"
        "{{ this.script.render(**kwargs) }}\n"
        "</script>\n"
        "</body>\n"
        "</html>\n"
    )

    def __init__(self, title: str) -> None:
        super().__init__(title=title)
        self.header._children.pop("meta_http", None)


def _stable_ids(element: Element, counter: list[int]) -> None:
    """Replace folium's random element ids by sequential ones, for byte-identical output."""
    element._id = "story" if counter[0] == 0 else str(counter[0])
    counter[0] += 1
    for child in element._children.values():
        _stable_ids(child, counter)


def _check_story(story: Story | StoryData) -> Story:
    """The records of a story that has places to map."""
    if not isinstance(story, Story) and (not isinstance(story, dict) or not isinstance(story.get("features"), list)):
        msg = "not a story: expected a parsed story file (a GeoJSON FeatureCollection)"
        raise StoryError(msg)
    records = as_story(story)
    if not records.places:
        msg = "the story has no places to map"
        raise StoryError(msg)
    return records


def story_map(story: Story | StoryData, *, tiles: Tiles | None = None, step: int | None = None) -> folium.Map:
    """Build the folium map of a story, with its story controls.

    Parameters
    ----------
    story
        A story (see docs/story-file.md), e.g. from ``storyfile.read_story``, or its parsed file.
    tiles
        An online tile layer to draw (with its attribution), e.g. :data:`OSM_TILES`. Without
        it, or where tiles cannot load, the built-in Natural Earth base map shows.
    step
        Stop to open on (1-based); None opens on an overview of the whole route.
        A ``#step-N`` in the page address takes precedence.

    Returns
    -------
    folium.Map
        Rendered by :func:`story_html`; its element ids are deterministic.

    Raises
    ------
    StoryError
        If the story has no places.
    """
    records = _check_story(story)
    data = story_data(records, tiles=tiles, step=step)
    lats = [p["lat"] for p in data["stops"] or data["mentions"]]
    lons = [p["lon"] for p in data["stops"] or data["mentions"]]
    center = [(min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2]
    fmap = StoryMap(location=center, zoom_start=5, tiles=None, control_scale=True,
                    prefer_canvas=False, world_copy_jump=False)
    if tiles is not None:
        folium.TileLayer(tiles.url, attr=tiles.attribution, name="Streets (online)",
                         max_zoom=tiles.max_zoom).add_to(fmap)
    StoryControls(data, look_css(look_of(records))).add_to(fmap)
    StoryFigure(data["title"]).add_child(fmap)
    _stable_ids(fmap, [0])
    return fmap


#: the host page's one line: sizes the storymap frame (``data-storymap``) whose own page
#: reports its height; a message from any other window, or any other frame, changes nothing
EMBED_SCRIPT = ('<script>addEventListener("message",function(e){var d=e.data,h=d&&d.type==="storymap:height"'
                '&&d.height;if(typeof h!=="number"||!(h>=100&&h<=50000))return;'
                'document.querySelectorAll("iframe[data-storymap]").forEach(function(f){'
                'if(f.contentWindow===e.source)f.style.height=Math.ceil(h)+"px"})})</script>')
#: what a browser strips from both ends of an address before reading it (C0 controls and space)
#: and removes anywhere in it (ASCII tab and newline): the WHATWG URL Standard's basic parser
_URL_ENDS = "".join(chr(c) for c in range(0x21))
_URL_TAB_NEWLINE = re.compile("[\t\n\r]")
_URL_CONTROL = re.compile("[\x00-\x1f\x7f]")
_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def embed_url(src: str) -> str:
    """The address of an embedded page as a browser reads it (WHATWG URL Standard: C0 controls
    and spaces stripped from both ends, tabs and newlines removed anywhere, the scheme
    lower-cased), when that is an http(s) URL or a relative path.

    Raises
    ------
    StoryError
        For any other scheme (``javascript:``, ``data:``...), an empty address or one that
        still holds a control character.
    """
    url = _URL_TAB_NEWLINE.sub("", str(src).strip(_URL_ENDS))
    if not url:
        msg = "an embedded page's address is empty: give its http(s) URL or a relative path"
        raise StoryError(msg)
    control = _URL_CONTROL.search(url)
    if control:
        msg = (f"an embedded page's address holds the control character U+{ord(control.group()):04X}: "
               f"give its http(s) URL or a relative path")
        raise StoryError(msg)
    scheme = _URL_SCHEME.match(url)
    if scheme:
        name = scheme.group(1).lower()
        if name not in ("http", "https"):
            msg = f"an embedded page's address is an http(s) URL or a relative path, not '{name[:40]}:'"
            raise StoryError(msg)
        url = name + url[len(name):]
    return url


def embed_snippet(src: str, *, title: str, height: int = 600) -> str:
    """HTML to paste into an article: the exported page (published at ``src``) in a frame as
    wide as the column, ``height`` pixels tall until the page reports its own height, and the
    one-line script that listens for that report (:data:`EMBED_SCRIPT`), which sizes that frame
    alone. ``src`` is read as a browser reads it (:func:`embed_url`); :class:`StoryError` for an
    address that is neither http(s) nor relative (``"javascript:..."``, with or without
    spaces, tabs or control characters around or inside it)."""
    src = embed_url(src)
    height = max(200, min(int(height), 5000))
    frame = (f'<iframe data-storymap src="{html.escape(src)}" title="{html.escape(title)}" '
             f'style="width:100%;height:{height}px;border:0" loading="lazy" allowfullscreen></iframe>')
    return f"{frame}\n{EMBED_SCRIPT}\n"


def story_html(story: Story | StoryData, *, tiles: Tiles | None = None, step: int | None = None) -> str:
    """The complete, self-contained HTML page of a story map.

    Scripts, styles, icons and data are inline; the page needs no network except for the
    tile layer when ``tiles`` is given. The output is the same bytes for the same input.

    Parameters
    ----------
    story
        A story, or its parsed file.
    tiles
        Online tiles to draw above the offline base map (none by default).
    step
        Stop to open on (1-based), or None for the overview.

    Returns
    -------
    str
        The HTML document.
    """
    return story_map(story, tiles=tiles, step=step).get_root().render()


__all__ = ["EMBED_SCRIPT", "OSM_TILES", "StoryControls", "StoryMap", "Tiles", "embed_snippet", "embed_url", "geodesic_path",
           "json_for_html", "markdown_blocks", "page_title", "stop_zoom", "story_data", "story_html", "story_map",
           "tiles_option"]
