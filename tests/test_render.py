"""The rendered page: self-contained, deterministic, safe with hostile article text."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import folium
import pytest

from conftest import HOSTILE, TEMPLATE
from storymap import basemap
from storymap.errors import StoryError
from storymap.render import (OSM_TILES, Tiles, geodesic_path, json_for_html, markdown_blocks, story_data, story_html,
                             stop_zoom, story_map, tiles_option)
from storymap.storyfile import Media, Story, load_story, read_story

FIXTURE = Path(__file__).parent / "fixtures" / "story.geojson"


@pytest.fixture(scope="module")
def story() -> Story:
    return read_story(FIXTURE)


@pytest.fixture(scope="module")
def offline(story: Story) -> str:
    return story_html(story, tiles=None)


def _data_block(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="storymap-data">(.*?)</script>', html, re.S)
    assert match, "the story data is embedded as JSON"
    return json.loads(match.group(1))


def test_story_map_is_a_folium_map(story: Story) -> None:
    assert isinstance(story_map(story), folium.Map)


def test_page_loads_no_script_or_style_from_outside(offline: str) -> None:
    assert not re.search(r"<script[^>]*\bsrc=", offline)
    assert not re.search(r"<link\b", offline)
    assert not re.search(r"https?://[^\s\"]*cdn", offline, re.I)
    assert "url(images/" not in offline
    assert "sourceMappingURL" not in offline
    assert "L.tileLayer" not in offline


def test_leaflet_comes_inline_from_xstatic(offline: str) -> None:
    from xstatic.pkg import leaflet

    js = (Path(leaflet.BASE_DIR) / "leaflet.js").read_text(encoding="utf-8")
    assert "Leaflet 1.9.3" in offline
    assert js[:2000] in offline
    assert "url(data:image/png;base64," in offline


def test_tiles_on_adds_only_the_tile_layer_as_outside_url(story: Story, offline: str) -> None:
    tiled = story_html(story, tiles=OSM_TILES)
    assert "L.tileLayer" in tiled and "tile.openstreetmap.org" in tiled
    assert "OpenStreetMap" in tiled
    assert not re.search(r"<script[^>]*\bsrc=|<link\b", tiled)


def test_tiles_option_names_a_layer_or_takes_a_url_with_its_credit() -> None:
    assert tiles_option("osm") == OSM_TILES
    custom = tiles_option("https://tiles.example.org/{z}/{x}/{y}.png", "Example & Co <maps>")
    assert custom == Tiles("https://tiles.example.org/{z}/{x}/{y}.png", "Example &amp; Co &lt;maps&gt;")
    html = story_html(load_story(FIXTURE), tiles=custom)
    # the credit is text (escaped for HTML, then JSON-escaped by folium)
    assert "tiles.example.org" in html and "Example \\u0026amp; Co \\u0026lt;maps\\u0026gt;" in html
    assert "<maps>" not in html
    assert "openstreetmap" not in html.lower()  # the credit lists only what is shown
    with pytest.raises(StoryError, match="attribution"):
        tiles_option("https://tiles.example.org/{z}/{x}/{y}.png")
    with pytest.raises(StoryError, match="unknown tiles"):
        tiles_option("satellite")
    with pytest.raises(StoryError, match="unknown tiles"):
        tiles_option("javascript:alert(1)//{z}{x}{y}", "x")


def test_default_page_asks_for_no_tiles_and_credits_none(offline: str) -> None:
    assert "L.tileLayer" not in offline
    assert "openstreetmap" not in offline.lower()


def test_same_input_gives_byte_identical_page(story: Story, offline: str) -> None:
    assert story_html(load_story(FIXTURE), tiles=None) == offline


def test_page_is_under_one_megabyte(offline: str) -> None:
    assert len(offline.encode("utf-8")) < 1_000_000


def test_page_credits_sources_and_title(offline: str) -> None:
    assert "<title>Kim Jong Un in the Russian Far East</title>" in offline
    assert "Natural Earth" in offline and "GeoNames" in offline
    assert '<html lang="en">' in offline
    assert "user-scalable=no" not in offline


def test_story_data_orders_stops_and_marks_planned_leg(story: Story) -> None:
    data = story_data(story, tiles=None, step=2)
    assert [s["name"] for s in data["stops"]] == ["Vostochny Cosmodrome", "Komsomolsk-on-Amur", "Vladivostok"]
    assert [leg["planned"] for leg in data["legs"]] == [False, True]
    assert data["initialStep"] == 2
    assert {m["name"] for m in data["mentions"]} >= {"Russia", "Moscow", "North Korea", "Ukraine"}
    komsomolsk = data["stops"][1]
    assert komsomolsk["date"] == "2023-09-15" and komsomolsk["dateStatus"] == "reported"
    assert all("Komsomolsk-on-Amur" in e["marks"] for e in komsomolsk["excerpts"])
    assert {e["article"] for e in komsomolsk["excerpts"]} == set(data["articles"])
    assert data["articles"]["000_ea784d2238370bf0"]["published"] == "2023-09-15"


def test_step_is_passed_to_the_page(story: Story) -> None:
    assert _data_block(story_html(story, tiles=None, step=2))["initialStep"] == 2


def test_geodesic_bends_poleward_and_keeps_its_ends() -> None:
    path = geodesic_path((50.0, 100.0), (50.0, 140.0), segments=20)
    assert path[0] == [50.0, 100.0] and path[-1] == [50.0, 140.0]
    assert len(path) == 21
    # vertex latitude of that great circle: atan(tan 50° / cos 20°)
    assert path[10][0] == pytest.approx(51.744, abs=1e-3), "the great circle runs north of the parallel"


def test_geodesic_does_not_jump_across_the_antimeridian() -> None:
    path = geodesic_path((60.0, 170.0), (60.0, -170.0), segments=16)
    lons = [p[1] for p in path]
    assert all(abs(b - a) < 5 for a, b in zip(lons, lons[1:]))
    assert lons[-1] == pytest.approx(190.0)


def test_json_for_html_cannot_close_the_script_element() -> None:
    text = json_for_html({"s": "</script><!-- & \u2028 \u2029 >"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"s": "</script><!-- & \u2028 \u2029 >"}


def test_hostile_text_never_reaches_the_page_as_markup(hostile_story: dict[str, Any]) -> None:
    html = story_html(hostile_story, tiles=None)
    rest = re.sub(r'<script type="application/json".*?</script>|<title>.*?</title>', "", html, flags=re.S)
    for needle in ("__pwned", "<img src=x", "<svg onload", "<b>bold"):
        assert needle not in rest
    assert html.count("</script>") == html.count("<script"), "no element is closed early"
    assert "<title>&lt;/script&gt;&lt;script&gt;" in html
    data = _data_block(html)
    assert data["title"] == HOSTILE["title"]
    assert data["stops"][0]["name"] == HOSTILE["stop"]
    assert data["stops"][0]["excerpts"][0]["text"] == HOSTILE["excerpt"]
    assert data["articles"]["a1"]["source"] == HOSTILE["source"]


@pytest.mark.parametrize("tiles", [None, OSM_TILES])
def test_template_syntax_in_article_text_is_never_evaluated(hostile_story: dict[str, Any], tiles: Any) -> None:
    html = story_html(hostile_story, tiles=tiles)
    data = _data_block(html)
    texts = [data["title"], data["subject"], data["routeName"], data["stops"][0]["name"],
             data["stops"][0]["excerpts"][0]["text"], data["mentions"][0]["name"],
             data["articles"]["a1"]["title"], data["articles"]["a1"]["source"]]
    assert all(TEMPLATE in text for text in texts)
    assert "uid=" not in html and "<built-in" not in html, "nothing was evaluated"
    assert not re.search(r"\b(49|64)\b(?![.\d])", re.sub(r"-?\d+\.\d+", "", html)), "no expression was computed"


def test_story_without_places_is_a_story_error() -> None:
    empty = {"type": "FeatureCollection", "storymap": {"articles": []}, "features": []}
    with pytest.raises(StoryError):
        story_html(empty)


def test_basemap_is_natural_earth_fine_around_the_stops(story: Story) -> None:
    data = basemap.basemap_geojson(story.to_geojson())
    west, south, east, north = data["extent"]
    assert west < 128.334 and east > 137.01 and south < 43.116 and north > 51.884
    kinds = {(f["properties"]["kind"], f["properties"]["detail"]) for f in data["features"]}
    assert {("land", "fine"), ("land", "coarse"), ("border", "fine"), ("coast", "fine")} <= kinds
    assert "Natural Earth" in data["source"]
    assert len(json.dumps(data, separators=(",", ":"))) < 300_000
    fine_land = next(f for f in data["features"] if f["properties"] == {"kind": "land", "detail": "fine"})
    flat = json.dumps(fine_land["geometry"]["coordinates"])
    lons = [float(x) for x in re.findall(r"\[(-?[\d.]+), -?[\d.]+\]", flat)]
    assert min(lons) >= west - 1e-6 and max(lons) <= east + 1e-6


def test_basemap_source_is_the_installed_package() -> None:
    assert basemap.source_path().startswith("/vsizip/")
    assert basemap.source_path().endswith("ne_10m_admin_0_countries_deu.zip")


def test_author_markdown_becomes_a_tree_of_text_never_html() -> None:
    blocks = markdown_blocks("## Why\n\nA *small* **town** <b>bold?</b> [site](https://example.org) "
                             "[bad](javascript:alert(1))\n\n1. one\n2. two\n   - nested")
    assert blocks[0] == {"tag": "h", "items": [["Why"]]}
    para = blocks[1]["items"][0]
    assert {"tag": "em", "children": ["small"]} in para and {"tag": "strong", "children": ["town"]} in para
    assert any(isinstance(n, str) and "<b>bold?</b>" in n for n in para)  # raw HTML stays text
    assert {"tag": "a", "children": ["site"], "href": "https://example.org"} in para
    assert not any(isinstance(n, dict) and "javascript" in str(n.get("href")) for n in para)
    assert blocks[2] == {"tag": "ol", "items": [["one"], ["two"], ["nested"]]}
    assert markdown_blocks("") == []


def test_story_data_carries_the_cover_stop_media_and_article_links() -> None:
    story = read_story(FIXTURE)
    articles = list(story.articles)
    articles[0] = replace(articles[0], url="https://news.example.org/x")
    articles[-1] = replace(articles[-1], url="file:///etc/passwd")
    story = story.with_meta(headline="Headline", dek="Dek", intro="Intro *text*", articles=tuple(articles))
    # records are not checked as a file is: the page still shows only what a browser may load
    media = (Media("https://img.example.org/a.jpg", "C"), Media("data:text/html;base64,PHNjcmlwdD4=", "no"))
    story = story.with_place(replace(story.stops[0], author_text="Mine", zoom=9, media=media))
    data = story_data(story)
    assert data["title"] == "Headline"
    assert data["cover"]["dek"] == "Dek" and data["cover"]["intro"][0]["items"][0][1]["tag"] == "em"
    stop = data["stops"][0]
    assert stop["authorText"] == [{"tag": "p", "items": [["Mine"]]}] and stop["zoom"] == 9
    assert [m["src"] for m in stop["media"]] == ["https://img.example.org/a.jpg"]
    urls = [a["url"] for a in data["articles"].values()]
    assert "https://news.example.org/x" in urls and "file:///etc/passwd" not in urls


def test_a_stop_zooms_by_its_kind_its_neighbours_and_the_author() -> None:
    town = {"placeType": "city", "lat": 45.0, "lon": 10.0, "zoom": None}
    site = {**town, "placeType": "spaceport"}
    country = {**town, "placeType": "country"}
    far = [800.0]
    assert stop_zoom(site, far) > stop_zoom(town, far) > stop_zoom(country, far)
    # two stops 3 km apart are pulled apart on screen; the zoom never passes the map's limit
    assert stop_zoom(town, [3.0]) > stop_zoom(town, far)
    assert stop_zoom(site, [0.01]) == 15
    assert stop_zoom({**town, "zoom": 4}, [3.0]) == 4  # the author's zoom wins
    # a site far from any named place opens wide enough to show the nearest one
    assert stop_zoom(site, far, context_km=25.0) < stop_zoom(site, far, context_km=1.0) == stop_zoom(site, far)


def test_base_map_names_countries_cities_and_each_stops_neighbours_but_not_the_stops(story: Story) -> None:
    names = basemap.labels(story.to_geojson())
    assert names == basemap.labels(load_story(FIXTURE))  # deterministic
    kinds = {n["kind"] for n in names}
    assert {"country", "city", "town"} <= kinds
    stop_names = {p["name"] for p in story_data(story)["stops"]}
    assert not stop_names & {n["name"] for n in names}
    for n in names:
        assert set(n) == {"name", "lat", "lon", "kind", "rank", "minZoom", "maxZoom"}
        assert n["minZoom"] <= n["maxZoom"]
    # every stop has named neighbours within a few tens of kilometres
    from storymap.gazetteer import distance_km
    for stop in story_data(story)["stops"]:
        assert any(distance_km(stop["lat"], stop["lon"], n["lat"], n["lon"]) < 60 for n in names if n["kind"] == "town")


def test_the_coarse_world_kept_in_the_cache_gives_the_same_base_map(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    story = load_story(FIXTURE)
    kept = tmp_path / "coarse.wkb"
    monkeypatch.setattr(basemap, "_coarse_cache_path", lambda: kept)

    def fresh() -> str:
        basemap._coarse_world.cache_clear()
        basemap._basemap.cache_clear()
        return json.dumps(basemap.basemap_geojson(story), sort_keys=True)

    try:
        made = fresh()  # made, and kept
        assert kept.is_file()
        assert fresh() == made  # read back from the cache folder
        kept.write_bytes(b"damaged")
        assert fresh() == made  # made again
    finally:
        basemap._coarse_world.cache_clear()
        basemap._basemap.cache_clear()
