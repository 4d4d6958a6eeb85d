"""Positions: where a moving thing is, told by distance and bearing from a named place.

A storm's or a ship's track is told in positions, not in names: "about 70 miles
south-southwest of Apalachicola", "120 km (75 miles) east of Okinawa", "centered 300
miles east of Bermuda". :func:`find_positions` reads them from a parsed text: a number, a
unit of length (a conversion in brackets after it is skipped), a compass direction
("east", "south-southwest", "NNE", "south-east") and "of" (or "from") a place mention.

Such a position is where the thing is, and the named place only the point it is measured
from: :func:`computed_places` turns each into a computed point, the great-circle
destination from the reference place's coordinates along the bearing
(:func:`destination`), which may be a stop; the reference place stays a mention. The
point's :func:`precision_km` says how far off it may be: a tenth of the distance (the
text's figures are round) and the sideways width of the compass sector the direction
names (a 16-point direction like "south-southwest" spans 22.5 degrees, an 8-point one
like "east" or "northeast" 45).

A computed point's gazetteer id carries how it was computed and the reference place's
own id (:func:`computed_id`, read back by :func:`reference_id`), so the story file says
honestly what it is (``geocoder: "computed"``, see docs/story-file.md) and a table that
keeps only the id (the event table of ``storymap trace``) keeps that too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from storymap.gazetteer import GazetteerRecord, NameMatch, PlaceType
from storymap.recognize import Mention
from storymap.resolve import Candidate, Resolved

#: units of length by their kilometres (facts of measure, not a class of words), by the
#: lower-case word or abbreviation the text writes; "nautical" before "mile" makes it a sea mile
UNIT_KM: Mapping[str, float] = {
    "mile": 1.609344, "miles": 1.609344, "mi": 1.609344, "mi.": 1.609344,
    "km": 1.0, "kms": 1.0, "km.": 1.0, "kilometer": 1.0, "kilometers": 1.0, "kilometre": 1.0, "kilometres": 1.0,
    "nmi": 1.852, "nm": 1.852,
}
NAUTICAL_MILE_KM = 1.852
#: the four cardinal points by their bearing, clockwise from north (facts of the compass);
#: every other direction is made of them ("south-southwest", "NE", "south-east")
CARDINAL_BEARINGS: Mapping[str, float] = {"north": 0.0, "east": 90.0, "south": 180.0, "west": 270.0}
#: what the position is measured from: "70 miles east of X", "70 miles east from X"
REFERENCE_WORDS = frozenset({"of", "from"})
#: the source and gazetteer-id prefix of a computed point; also the story file's ``geocoder``
COMPUTED = "computed"
#: the mean radius of the Earth, km (IUGG)
EARTH_KM = 6371.0088

_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_LETTERS = {"n": "north", "e": "east", "s": "south", "w": "west"}
_COMPASS_WORD = re.compile(r"(north|south)?(east|west)?")


@dataclass(frozen=True, slots=True)
class Position:
    """A position expression: ``start``/``end`` span it ("70 miles south-southwest of
    Apalachicola"), ``reference`` is the place mention it is measured from; offsets are into
    the text it was read from (a doc's, or an article's once shifted, :meth:`shifted`)."""

    start: int
    end: int
    reference: tuple[int, int]
    distance_km: float
    #: degrees clockwise from north
    bearing: float
    #: the direction as the compass abbreviates it: "SSW", "E"
    compass: str
    #: the name the point goes by, as the text gives it: "70 miles SSW of Apalachicola"
    name: str

    def shifted(self, offset: int) -> Position:
        return replace(self, start=self.start + offset, end=self.end + offset,
                       reference=(self.reference[0] + offset, self.reference[1] + offset))


def compass_bearing(text: str) -> tuple[float, str] | None:
    """The bearing and compass abbreviation of a direction ("south-southwest" -> (202.5,
    "SSW"), "NE" -> (45.0, "NE"), "south-east" -> (135.0, "SE")), or None for other words.
    A direction of three points is halfway between its first point and the last two."""
    low = text.lower().replace("\u2010", "-").replace("\u2011", "-")
    if re.fullmatch(r"[nesw]{1,3}", low):
        letters = list(low)
    else:
        letters = []
        for part in (p for p in re.split(r"[-\s]+", low) if p):
            m = _COMPASS_WORD.fullmatch(part)
            if not m or not part:
                return None
            letters += [w[0] for w in m.groups() if w]
    points = [CARDINAL_BEARINGS[_LETTERS[c]] for c in letters]
    if not points or len(points) > 3:
        return None
    if len(points) >= 2 and abs(points[-1] - points[-2]) in (0.0, 180.0):
        return None  # "north-south", "east-east": no direction
    if len(points) == 1:
        bearing = points[0]
    else:
        last = _mean_bearing(points[-2], points[-1])
        bearing = last if len(points) == 2 else _mean_bearing(points[0], last)
        if len(points) == 3 and letters[0] not in letters[1:]:
            return None  # "east-southwest": not a point of the compass
    abbreviation = "".join(letters).upper()
    return bearing, abbreviation


def _mean_bearing(a: float, b: float) -> float:
    """The bearing halfway between two less than 180 degrees apart."""
    x = math.cos(math.radians(a)) + math.cos(math.radians(b))
    y = math.sin(math.radians(a)) + math.sin(math.radians(b))
    return round(math.degrees(math.atan2(y, x)) % 360.0, 6)


def destination(lat: float, lon: float, bearing: float, km: float) -> tuple[float, float]:
    """The (lat, lon) ``km`` away from (lat, lon) along the great circle leaving it at
    ``bearing`` (degrees clockwise from north), on a sphere of the Earth's mean radius."""
    d = km / EARTH_KM
    phi1, lam1, theta = math.radians(lat), math.radians(lon), math.radians(bearing)
    phi2 = math.asin(math.sin(phi1) * math.cos(d) + math.cos(phi1) * math.sin(d) * math.cos(theta))
    lam2 = lam1 + math.atan2(math.sin(theta) * math.sin(d) * math.cos(phi1),
                             math.cos(d) - math.sin(phi1) * math.sin(phi2))
    return math.degrees(phi2), (math.degrees(lam2) + 540.0) % 360.0 - 180.0


def precision_km(distance_km: float, bearing: float) -> float:
    """How far from the computed point the thing may be: a tenth of the distance (the text's
    figures are round) and the sideways half-width of the direction's compass sector (11.25
    degrees for a direction of 16 points, 22.5 for one of 8 or 4)."""
    half = 11.25 if bearing % 45.0 else 22.5
    return round(distance_km * (0.1 + math.sin(math.radians(half))), 1)


def computed_id(distance_km: float, bearing: float, reference: str) -> str:
    """The gazetteer id of a computed point: ``computed:<km>km@<bearing>:<reference's id>``."""
    return f"{COMPUTED}:{distance_km:g}km@{bearing:g}:{reference}"


_COMPUTED_ID = re.compile(rf"{COMPUTED}:([0-9.]+)km@([0-9.]+):(.+)")


def is_computed(gazetteer_id: str) -> bool:
    """Whether a gazetteer id is a computed point's (:func:`computed_id`)."""
    return _COMPUTED_ID.fullmatch(gazetteer_id) is not None


def reference_id(gazetteer_id: str) -> str | None:
    """The reference place's gazetteer id of a computed point's id, else None."""
    m = _COMPUTED_ID.fullmatch(gazetteer_id)
    return m.group(3) if m else None


def id_precision_km(gazetteer_id: str) -> float | None:
    """The :func:`precision_km` of a computed point's id, else None."""
    m = _COMPUTED_ID.fullmatch(gazetteer_id)
    return precision_km(float(m.group(1)), float(m.group(2))) if m else None


def _direction(tokens: Sequence[Any]) -> tuple[float, str] | None:
    return compass_bearing("".join(t.text_with_ws for t in tokens).strip())


def find_positions(doc: Any, mentions: Iterable[tuple[int, int]]) -> list[Position]:
    """The position expressions of a parsed text ``doc`` (a spaCy ``Doc``) measured from
    one of the place ``mentions`` (character spans into its text), in text order."""
    out: list[Position] = []
    text: str = doc.text
    for s, e in sorted(mentions):
        span = doc.char_span(s, e, alignment_mode="expand")
        if span is None or not len(span) or span.start < 4:
            continue
        found = _position_before(doc, span.start, text, (s, e))
        if found is not None:
            out.append(found)
    return out


def _position_before(tokens: Any, k: int, text: str, reference: tuple[int, int]) -> Position | None:
    """The position expression that ends with the place whose first token is ``doc[k]``."""
    i = k - 1
    if tokens[i].lower_ == "the" and i > 0:
        i -= 1  # "300 miles east of the Bahamas"
    if tokens[i].lower_ not in REFERENCE_WORDS:
        return None
    # the direction: up to five tokens of compass words and hyphens ("south", "-", "southwest")
    j = i
    while j - 1 >= 0 and i - (j - 1) <= 5 and \
            (tokens[j - 1].text in ("-", "\u2010", "\u2011") or
             compass_bearing(tokens[j - 1].text) is not None):
        j -= 1
    while j < i and tokens[j].text in ("-", "\u2010", "\u2011"):
        j += 1
    if j == i:
        return None
    direction = _direction([tokens[n] for n in range(j, i)])
    if direction is None:
        return None
    # a conversion in brackets before the direction: "45 miles (70 km) northwest of"
    u = j - 1
    if u >= 0 and tokens[u].text == ")":
        while u >= 0 and tokens[u].text != "(" and j - u <= 8:
            u -= 1
        u -= 1
    if u < 1:
        return None
    unit = tokens[u].lower_
    if unit not in UNIT_KM:
        return None
    factor = UNIT_KM[unit]
    n = u - 1
    if tokens[n].lower_ == "nautical" and unit.startswith("mi"):
        factor = NAUTICAL_MILE_KM
        n -= 1
    if n < 0 or not _NUMBER.fullmatch(tokens[n].text):
        return None
    number = tokens[n].text
    distance = round(float(number.replace(",", "")) * factor, 1)
    if distance <= 0:
        return None
    bearing, compass = direction
    start = tokens[n].idx
    unit_text = " ".join(tokens[m].text for m in range(n + 1, u + 1))
    name = f"{number} {unit_text} {compass} of {text[reference[0] : reference[1]]}"
    return Position(start, reference[1], reference, distance, bearing, compass, name)


def computed_places(positions: Iterable[tuple[str, Position]], by_mention: Mapping[tuple[str, int], Resolved],
                    texts: Mapping[str, str]) -> list[Resolved]:
    """The computed point of each (article id, position) whose reference place is placed
    (``by_mention``, by (article id, start)), as a placed mention of the position's words.
    The reading's confidence is the reference place's."""
    out = []
    for article, p in positions:
        ref = by_mention.get((article, p.reference[0]))
        if ref is None or ref.qualifies:
            continue
        base = ref.best.record
        lat, lon = destination(base.lat, base.lon, p.bearing, p.distance_km)
        record = GazetteerRecord(computed_id(p.distance_km, p.bearing, base.gazetteer_id), p.name, PlaceType.PLACE,
                                 round(lat, 5), round(lon, 5), source=COMPUTED)
        words = texts[article][p.start : p.end]
        mention = Mention(article, p.start, p.end, words, (NameMatch(record, 0, words),))
        out.append(Resolved(mention, (Candidate(record, ref.best.score, ref.best.confidence),)))
    return out


def movement_spans(mentions: Iterable[tuple[int, int]], positions: Iterable[Position]) -> list[tuple[int, int]]:
    """The spans the itinerary reads for movements: each position expression in place of
    the reference place it ends with (the place it is measured from is no movement's)."""
    positions = list(positions)
    references = {p.reference for p in positions}
    return sorted({*(m for m in mentions if m not in references), *((p.start, p.end) for p in positions)})
