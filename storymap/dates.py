"""Dates in news text: explicit dates, weekdays, and the year a text leaves out.

``find_dates`` finds expressions with their offsets; ``resolve`` turns one into a
calendar date given an anchor (the article's publication date, or an explicit date in
the text), the way a reader does: "Wednesday" in a story about Friday is the Wednesday
before it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    m: i
    for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for m in names
}
WEEKDAYS = {d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}

_MONTH = r"(?P<month>" + "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_PATTERNS = [
    # 2023-09-15
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12]\d|3[01])\b"),
    # (Friday,) September 15(th)(, 2023)
    re.compile(r"\b(?:" + _WEEKDAY + r",?\s+)?" + _MONTH + r"\s+(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\b"
               r"(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"),
    # (Friday,) 15 September (2023)
    re.compile(r"\b(?:" + _WEEKDAY + r",?\s+)?(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH +
               r"(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"),
    # a weekday on its own ("Friday", "Wednesday's meeting")
    re.compile(r"\b" + _WEEKDAY + r"(?:['’]s)?\b"),
    re.compile(r"\b(?P<relative>yesterday|today|tomorrow|tonight)\b", re.IGNORECASE),
]


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression in text; fields the text leaves out are None."""

    start: int
    end: int
    text: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    relative: int | None = None  # days from the anchor, for "yesterday"/"today"/"tomorrow"

    @property
    def is_explicit(self) -> bool:
        """Names a month and day."""
        return self.month is not None and self.day is not None


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[DateMention]:
    """Date expressions in ``text[start:end]`` with offsets into ``text``, left to right."""
    end = len(text) if end is None else end
    found: list[DateMention] = []
    # spans already taken by an earlier pattern: disjoint, so sorted by start they are
    # sorted by end too, and only the last one starting before ``e`` can overlap
    starts: list[int] = []
    ends: list[int] = []
    for pat in _PATTERNS:
        for m in pat.finditer(text, start, end):
            s, e = m.span()
            k = bisect.bisect_left(starts, e)
            if k and ends[k - 1] > s:
                continue
            g = m.groupdict()
            month = int(g["mnum"]) if g.get("mnum") else MONTHS.get((g.get("month") or "").lower().rstrip("."))
            rel = None
            if g.get("relative"):
                rel = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}[g["relative"].lower()]
            found.append(DateMention(
                start=s, end=e, text=m.group(0),
                year=int(g["year"]) if g.get("year") else None,
                month=month,
                day=int(g["day"]) if g.get("day") else None,
                weekday=WEEKDAYS[g["weekday"].lower()] if g.get("weekday") else None,
                relative=rel,
            ))
            starts.insert(k, s)
            ends.insert(k, e)
    return sorted(found, key=lambda d: d.start)


def year_for(month: int, day: int, *, weekday: int | None, near: dt.date | None) -> int | None:
    """The year for a month and day the text gives without one.

    With a weekday ("Friday, September 15"), the year must put that day on that weekday:
    of those, the one nearest ``near`` (another dated article). Without a weekday, the
    year of ``near``, moved back a year when that would put the date months after it.
    Without ``near`` there is no year: the clock never decides one, so the same text gives
    the same story whenever it is built.
    """
    if near is None:
        return None
    latest = near + dt.timedelta(days=366)
    if weekday is not None:
        years = [y for y in range(near.year - 12, near.year + 2) if _valid(y, month, day) and
                 dt.date(y, month, day).weekday() == weekday and dt.date(y, month, day) <= latest]
        if not years:
            return None
        return min(years, key=lambda y: (abs((dt.date(y, month, day) - near).days), -y))
    if not _valid(near.year, month, day):
        return None
    guess = dt.date(near.year, month, day)
    return near.year - 1 if (guess - near).days > 90 else near.year


def _valid(y: int, m: int, d: int) -> bool:
    try:
        dt.date(y, m, d)
    except ValueError:
        return False
    return True


def resolve(mention: DateMention, anchor: dt.date | None, *, direction: str = "past") -> dt.date | None:
    """The calendar date of a mention, relative to ``anchor`` where the text is relative.

    Weekdays resolve to the nearest such day on or before the anchor (``direction="past"``:
    news reports what happened by its publication date), on or after it (``"future"``:
    plans), or whichever is nearer (``"nearest"``: when the anchor is only a date the text
    mentions, not the day it was written).
    """
    if mention.is_explicit:
        year = mention.year or (anchor.year if anchor else None)
        if mention.year is None and anchor is not None:
            year = year_for(mention.month, mention.day, weekday=mention.weekday, near=anchor)
        if year is None or not _valid(year, mention.month, mention.day):
            return None
        return dt.date(year, mention.month, mention.day)
    if anchor is None:
        return None
    if mention.relative is not None:
        return anchor + dt.timedelta(days=mention.relative)
    if mention.weekday is not None:
        before = anchor - dt.timedelta(days=(anchor.weekday() - mention.weekday) % 7)
        after = anchor + dt.timedelta(days=(mention.weekday - anchor.weekday()) % 7)
        if direction == "past":
            return before
        if direction == "future":
            return after
        return before if (anchor - before) <= (after - anchor) else after
    return None


def article_anchor(mentions: list[DateMention], published: dt.date | None, near: dt.date | None) -> dt.date | None:
    """The date a text's weekdays count from.

    The publication date when known; otherwise the latest explicit date in the text, its
    year taken from the text, or chosen so that a weekday written in the same text on
    the same date fits ("on September 15" and "Friday" in a 2023 story), else nearest
    ``near``.
    """
    if published is not None:
        return published
    explicit = [m for m in mentions if m.is_explicit]
    if not explicit:
        return None
    weekdays = {m.weekday for m in mentions if m.weekday is not None and not m.is_explicit}
    best: dt.date | None = None
    for m in explicit:
        year = m.year
        if year is None:
            # A weekday elsewhere in the text that fits this date in some year near ``near``.
            fits = [year_for(m.month, m.day, weekday=w, near=near) for w in sorted(weekdays)]
            fits = [y for y in fits if y is not None]
            year = min(fits, key=lambda y: abs(y - near.year)) if fits and near else \
                year_for(m.month, m.day, weekday=None, near=near)
        if year is None or not _valid(year, m.month, m.day):
            continue
        d = dt.date(year, m.month, m.day)
        best = d if best is None or d > best else best
    return best
