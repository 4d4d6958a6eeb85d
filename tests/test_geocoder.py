"""The offline gazetteer as a geopy geocoder, and the online option against a local server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.location import Location
from pipeline_support import gazetteer

from storymap.gazetteer import name_key
from storymap.geocoder import OfflineGeocoder, online_geocoder


def test_name_key_folds_case_accents_apostrophes_and_hyphens():
    assert name_key("Komsomol’sk-na-Amure") == "komsomolsk na amure"
    assert name_key("Fátima") == "fatima"
    assert name_key("U.S.") == "us"


def test_offline_geocoder_returns_locations_with_the_record_as_raw():
    geo = OfflineGeocoder(gazetteer())
    loc = geo.geocode("Komsomolsk-on-Amur")
    assert isinstance(loc, Location)
    assert loc.raw["gazetteer_id"] == "geonames:2021851"
    assert abs(loc.latitude - 50.55) < 0.05 and abs(loc.longitude - 137.01) < 0.05
    assert geo.geocode("Zzyzxville Heights") is None
    many = geo.geocode("Moscow", exactly_one=False, limit=3)
    assert len(many) == 3 and many[0].raw["gazetteer_id"] == "geonames:524901"
    us_only = geo.geocode("Moscow", country_codes=["us"])
    assert us_only.raw["country_code"] == "US"


def test_offline_geocoder_works_with_geopy_rate_limiter():
    geocode = RateLimiter(OfflineGeocoder(gazetteer()).geocode, min_delay_seconds=0)
    assert geocode("Vladivostok").raw["gazetteer_id"] == "geonames:2013348"


def test_gazetteer_lookups_do_not_load_everything():
    g = gazetteer()
    counts = g.counts()
    assert counts["populated places"] > 200_000 and counts["countries"] > 200
    assert g.get("landmark:vostochny-cosmodrome").name == "Vostochny Cosmodrome"


class _Nominatim(BaseHTTPRequestHandler):
    calls: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        q = parse_qs(urlparse(self.path).query).get("q", [""])[0]
        type(self).calls.append(q)
        body = [] if q == "Nowhere" else [{"place_id": 1, "lat": "51.5", "lon": "-0.12", "display_name": f"{q}, UK",
                                           "osm_type": "node", "osm_id": 7}]
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_nominatim():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Nominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Nominatim.calls = []
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()


def test_online_geocoder_is_rate_limited_and_cached_on_disk(tmp_path, local_nominatim):
    nominatim = Nominatim(user_agent="storymap-test", domain=local_nominatim, scheme="http")
    geocode = online_geocoder(nominatim, cache_dir=tmp_path, min_delay_seconds=0)
    loc = geocode("Big Ben")
    assert loc.address == "Big Ben, UK" and (loc.latitude, loc.longitude) == (51.5, -0.12)
    assert geocode("Nowhere") is None
    again = online_geocoder(nominatim, cache_dir=tmp_path, min_delay_seconds=0)
    assert again("Big Ben").address == "Big Ben, UK" and again("Nowhere") is None
    assert _Nominatim.calls == ["Big Ben", "Nowhere"]  # the second geocoder answered from the cache


def test_build_asks_the_online_geocoder_only_for_names_the_gazetteer_lacks(tmp_path, local_nominatim):
    from storymap.story import build_story

    (tmp_path / "a.txt").write_text("Headline\n\nThe envoy arrived in the town of Zzyzxville Heights, "
                                    "then flew to Paris. Nothing was found in the village of Nowhere.",
                                    encoding="utf-8")
    nominatim = Nominatim(user_agent="storymap-test", domain=local_nominatim, scheme="http")
    geocode = online_geocoder(nominatim, cache_dir=tmp_path / "cache", min_delay_seconds=0)
    result = build_story([tmp_path / "a.txt"], gazetteer=gazetteer(), online=geocode, online_name="nominatim")
    props = {f.name: f for f in result.story.places}
    assert props["Zzyzxville Heights"].geocoder == "nominatim"
    assert props["Paris"].geocoder == "offline"
    assert _Nominatim.calls == ["Zzyzxville Heights", "Nowhere"]
    assert any(u.startswith("Nowhere") for u in result.unplaced)


def test_an_unreachable_online_geocoder_is_one_warning_and_the_offline_build_goes_on(tmp_path):
    from storymap.story import build_story

    (tmp_path / "a.txt").write_text("Headline\n\nThe envoy arrived in the town of Zzyzxville Heights, "
                                    "then flew to Paris on Monday.", encoding="utf-8")
    # nothing listens on this port: the connection is refused, as with no network
    nominatim = Nominatim(user_agent="storymap-test", domain="127.0.0.1:9", scheme="http", timeout=2)
    geocode = online_geocoder(nominatim, cache_dir=tmp_path / "cache", min_delay_seconds=0)
    result = build_story([tmp_path / "a.txt"], gazetteer=gazetteer(), online=geocode, online_name="nominatim")
    warnings = [p for p in result.problems if p.startswith("online geocoder")]
    assert len(warnings) == 1 and "offline gazetteer only" in warnings[0] and "\n" not in warnings[0]
    props = {f.name: f for f in result.story.places}
    assert props["Paris"].geocoder == "offline"
    assert any(u.startswith("Zzyzxville Heights") for u in result.unplaced)
