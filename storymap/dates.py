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
from typing import Literal

from storymap.lexicon import phrases

#: month names and abbreviations ("sept") to the month's number, January 1
MONTHS = {m: n for n, month in enumerate(phrases("months"), start=1)
          for m in (month, *(a for a in phrases("month_abbreviations") if month.startswith(a)))}
#: weekday names to the weekday's number, Monday 0 (as ``date.weekday()``)
WEEKDAYS = {d: n for n, d in enumerate(phrases("weekdays"))}

_MONTH_NAMES = "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True))
_FULL_MONTHS = "|".join(m.capitalize() for m in phrases("months"))
_ABBR_MONTHS = "|".join(sorted((m.capitalize() for m in phrases("month_abbreviations")), key=len, reverse=True))
# in any case: wire copy set in lower case writes "on monday"
_WEEKDAY_NAMES = "(?i:" + "|".join(d.capitalize() for d in WEEKDAYS) + ")"
# an abbreviation's period: a lookbehind per length (Python's are of one width)
_AFTER_ABBREVIATION = "|".join(
    "(?<=" + "|".join(a.capitalize() for a in phrases("month_abbreviations") if len(a) == n) + ")"
    for n in sorted({len(a) for a in phrases("month_abbreviations")}))


def _month(name: str) -> str:
    """A month name in group ``name``; a period only after an abbreviation ("Sept.", not
    the full stop of "7 May.")."""
    return r"(?P<" + name + r">" + _MONTH_NAMES + r")(?:(?:" + _AFTER_ABBREVIATION + r")\.)?"


def _weekday(name: str) -> str:
    """A weekday name in group ``name``."""
    return r"(?P<" + name + r">" + _WEEKDAY_NAMES + r")"


def _day(name: str) -> str:
    """A day of the month in group ``name``, perhaps with its ordinal suffix."""
    return r"(?P<" + name + r">[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\b"


def _year(name: str) -> str:
    """A four-digit year in group ``name``."""
    return r"(?P<" + name + r">(?:19|20)\d\d)\b"


_MONTH = r"(?P<month>" + _MONTH_NAMES + r")\.?"
_WEEKDAY = _weekday("weekday")
# "from ... to", "between ... and": the word "and" joins a range only after "between"
_LEAD = r"(?:(?i:(?P<between>between)|from)\s+)?"
_TO = r"(?(between),?\s+and\s+|(?:[-–—]|\s+–\s+|\s+-\s+|,?\s+(?:to|through|thru|until|till)\s+))"
# what a number after "to" or a dash is when it is not a day: "May 4 to 7 people", "7:30", "7 p.m."
_NOT_A_DAY = (r"(?![:.,]\d)(?!\s*(?:%|[ap]\.?m\b|o['’]clock|percent|per\s+cent|people|persons|men|women|children|"
              r"million|billion|thousand|hundred|dozen|times|years?|months?|weeks?|days?|hours?|minutes?|seconds?|"
              r"points?|votes?|seats?|goals?|of\b))")
_PATTERNS = [
    # 2023-09-15
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12]\d|3[01])\b"),
    # (from) May 4 to 7, May 4-7, May 30 to June 2, between May 4 and May 7, May 9-11, 2016,
    # Friday, May 4 to Sunday, May 6
    re.compile(r"\b" + _LEAD + r"\b(?:" + _WEEKDAY + r",?\s+)?" + _month("month") + r"\s+" + _day("day") +
               r"(?:,?\s+" + _year("year") + r")?" + _TO +
               r"(?:" + _weekday("end_weekday") + r",?\s+)?(?:" + _month("end_month") + r"\s+)?" + _day("end_day") +
               r"(?:,?\s+" + _year("end_year") + r")?" + _NOT_A_DAY),
    # (from) 4 to 7 May, 4-7 May, 30 May to 2 June 2016, between 4 and 7 May
    re.compile(r"\b" + _LEAD + r"\b(?:" + _WEEKDAY + r",?\s+)?" + _day("day") +
               r"(?:\s+(?:of\s+)?" + _month("month") + r"(?:,?\s+" + _year("year") + r")?)?" + _TO +
               r"(?:" + _weekday("end_weekday") + r",?\s+)?" + _day("end_day") + r"\s+(?:of\s+)?" +
               _month("end_month") + r"(?:,?\s+" + _year("end_year") + r")?"),
    # from Friday to Sunday, Friday through Sunday, Friday-Sunday, between Friday and Sunday
    re.compile(r"\b" + _LEAD + r"\b" + _WEEKDAY + _TO + _weekday("end_weekday") + r"\b"),
    # (Friday,) September 15(th)(, 2023)
    re.compile(r"\b(?:" + _WEEKDAY + r",?\s+)?" + _MONTH + r"\s+(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\b"
               r"(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"),
    # (Friday,) 15 September (2023)
    re.compile(r"\b(?:" + _WEEKDAY + r",?\s+)?(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH +
               r"(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"),
    # a month on its own: "in March", "last March", "March 2016"; the span leaves out a
    # preposition and keeps a modifier ("last", "early"); not "May's" (a name)
    re.compile(r"(?:\b(?P<prep>(?i:in|during|since|until|till|through))\s+)?"
               r"(?P<body>(?:\b(?P<mod>(?i:last|next|this|early|mid|late))[\s-]+)?"
               r"\b(?P<month>" + _FULL_MONTHS + r")(?:,?\s+" + _year("year") + r")?)(?![\w'’-])"),
    re.compile(r"(?P<body>\b(?P<month>" + _ABBR_MONTHS + r")\.?,?\s+" + _year("year") + r")"),
    # a weekday on its own ("Friday", "Wednesday's meeting")
    re.compile(r"\b" + _WEEKDAY + r"(?:['’]s)?\b"),
    re.compile(r"\b(?P<relative>yesterday|today|tomorrow|tonight|this\s+(?:morning|afternoon|evening))\b",
               re.IGNORECASE),
    # a time the text gives only as a week or a month about the day it was written ("next
    # week", "this weekend"): a time of its own, with no calendar date
    re.compile(r"\b(?P<vague>(?:(?:earlier|later)\s+)?(?:next|this|last|coming|past)\s+(?:week|weekend|month|year))\b",
               re.IGNORECASE),
]


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression in text; fields the text leaves out are None.

    A range ("May 4-7", "May 30 to June 2", "from Friday to Sunday") is one mention: its
    start in ``year``/``month``/``day``/``weekday`` and its end in the ``end_`` fields,
    the end's month and year filled in from the start where the text leaves them out
    ("May 4-7" ends on May 7). A month on its own ("in March", "last March 2016") has a
    month and no day: not explicit, and ``resolve`` gives it no date. Nor does a week or
    a month told about the anchor ("next week", "this weekend"): it is ``vague``, a time
    of its own that keeps another sentence's date off the event.
    """

    start: int
    end: int
    text: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    relative: int | None = None  # days from the anchor, for "yesterday"/"today"/"tomorrow"
    end_year: int | None = None
    end_month: int | None = None
    end_day: int | None = None
    end_weekday: int | None = None

    @property
    def is_explicit(self) -> bool:
        """Names a month and day."""
        return self.month_day is not None

    @property
    def month_day(self) -> tuple[int, int] | None:
        """(month, day) when the mention names both, else None."""
        if self.month is None or self.day is None:
            return None
        return self.month, self.day

    @property
    def is_range(self) -> bool:
        """Spans days: has an end day or an end weekday."""
        return self.end_day is not None or self.end_weekday is not None

    @property
    def vague(self) -> bool:
        """Names a week or a month about the anchor ("next week") and no calendar date."""
        return self.year is None and self.month is None and self.weekday is None and self.relative is None

    @property
    def month_only(self) -> bool:
        """Names a month (perhaps with a year) and no day: "in March", "March 2016"."""
        return self.month is not None and self.day is None and self.weekday is None


def _range_ends(g: dict[str, str | None], end_day: int, month: int | None, day: int | None,
                year: int | None) -> tuple[int | None, int | None, int | None, int | None] | None:
    """(year, end_year, end_month, end_day) of a date range's groups, None when the two
    ends do not make a range (the end before the start: "3-2 May" is a score)."""
    end_month_name, end_year_text = g.get("end_month"), g.get("end_year")
    end_month = MONTHS[end_month_name.lower().rstrip(".")] if end_month_name else month
    month = month or end_month
    end_year = int(end_year_text) if end_year_text else None
    if month is None or day is None or end_month is None:
        return None
    if not (_valid(2000, month, day) and _valid(2000, end_month, end_day)):
        return None
    wraps = (end_month, end_day) < (month, day)  # "December 30 to January 2" ends the next year
    if year is None and end_year is not None:
        year = end_year - int(wraps)
    elif end_year is None and year is not None:
        end_year = year + int(wraps)
    if year is not None and end_year is not None:
        if (end_year, end_month, end_day) <= (year, month, day):
            return None
    elif (end_month, end_day) == (month, day) or (wraps and end_month == month):
        return None
    return year, end_year, end_month, end_day


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[DateMention]:
    """Date expressions in ``text[start:end]`` with offsets into ``text``, left to right.

    Ranges come first, as one mention each; then single dates; months on their own only
    after a preposition ("in", "since"), with a modifier ("last", "early") or a year.
    """
    end = len(text) if end is None else end
    found: list[DateMention] = []
    # spans already taken by an earlier pattern: disjoint, so sorted by start they are
    # sorted by end too, and only the last one starting before ``e`` can overlap
    starts: list[int] = []
    ends: list[int] = []
    for pat in _PATTERNS:
        body = "body" in pat.groupindex
        for m in pat.finditer(text, start, end):
            s, e = m.span("body") if body else m.span()
            k = bisect.bisect_left(starts, e)
            if k and ends[k - 1] > s:
                continue
            g = m.groupdict()
            if body and not (g.get("prep") or g.get("mod") or g.get("year")):
                continue  # "March" alone may be a verb or a name
            month = int(g["mnum"]) if g.get("mnum") else MONTHS.get((g.get("month") or "").lower().rstrip("."))
            day = int(g["day"]) if g.get("day") else None
            year = int(g["year"]) if g.get("year") else None
            weekday = WEEKDAYS[g["weekday"].lower()] if g.get("weekday") else None
            end_weekday = WEEKDAYS[g["end_weekday"].lower()] if g.get("end_weekday") else None
            end_year = end_month = end_day = None
            end_day_text = g.get("end_day")
            if end_day_text:
                ends_ = _range_ends(g, int(end_day_text), month, day, year)
                if ends_ is None:
                    continue
                year, end_year, end_month, end_day = ends_
                month = month or end_month
            elif end_weekday is not None and end_weekday == weekday:
                continue
            rel = None
            if g.get("relative"):
                word = g["relative"].lower()
                rel = {"yesterday": -1, "tomorrow": 1}.get(word, 0)  # today, tonight, this morning
            found.append(DateMention(
                start=s, end=e, text=text[s:e],
                year=year, month=month, day=day, weekday=weekday, relative=rel,
                end_year=end_year, end_month=end_month, end_day=end_day, end_weekday=end_weekday,
            ))
            starts.insert(k, s)
            ends.insert(k, e)
    return sorted(found, key=lambda d: d.start)


#: a plan's month and day this many days before the anchor are next year's ("on January 5"
#: in a December article); nearer, a plan told late or a schedule repeated after the day
PLAN_BACK_DAYS = 60
#: a report's month and day this many days after the anchor are last year's
REPORT_AHEAD_DAYS = 90


def year_for(month: int, day: int, *, weekday: int | None, near: dt.date | None, plan: bool = False) -> int | None:
    """The year for a month and day the text gives without one.

    With a weekday ("Friday, September 15"), the year must put that day on that weekday:
    of those, the one nearest ``near`` (another dated article). Without a weekday, the
    year of ``near``, moved back a year when that would put the date months after it, or
    for a ``plan`` (what is still to come) moved on a year when that would put the date
    months before it: "June 3" in a plan told in March is this June, in a report told in
    March last June. Without ``near`` there is no year: the clock never decides one, so
    the same text gives the same story whenever it is built.
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
    if plan:
        return near.year + 1 if (near - guess).days > PLAN_BACK_DAYS and _valid(near.year + 1, month, day) \
            else near.year
    return near.year - 1 if (guess - near).days > REPORT_AHEAD_DAYS else near.year


def _valid(y: int, m: int, d: int) -> bool:
    try:
        dt.date(y, m, d)
    except ValueError:
        return False
    return True


#: which way a weekday counts from the anchor: the one on or before it, on or after it, or the nearer
Direction = Literal["past", "future", "nearest"]


def resolve(mention: DateMention, anchor: dt.date | None, *, direction: Direction = "past") -> dt.date | None:
    """The calendar date of a mention, relative to ``anchor`` where the text is relative.

    Weekdays resolve to the nearest such day on or before the anchor (``direction="past"``:
    news reports what happened by its publication date), on or after it (``"future"``:
    plans), or whichever is nearer (``"nearest"``: when the anchor is only a date the text
    mentions, not the day it was written). A month and day without a year take the year
    :func:`year_for` gives, a plan's (``"future"``) counted ahead of the anchor.
    """
    month_day = mention.month_day
    if month_day is not None:
        month, day = month_day
        year = mention.year or (anchor.year if anchor else None)
        if mention.year is None and anchor is not None:
            year = year_for(month, day, weekday=mention.weekday, near=anchor, plan=direction == "future")
        if year is None or not _valid(year, month, day):
            return None
        return dt.date(year, month, day)
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


def resolve_range(mention: DateMention, anchor: dt.date | None, *,
                  direction: Direction = "past") -> tuple[dt.date | None, dt.date | None]:
    """(start, end) calendar dates of a mention; the end is None for a single date.

    The start resolves as ``resolve`` does. The end takes the year the text gives, else
    the start's year, or the next year when its month comes before the start's ("December
    30 to January 2"); a weekday range ends on the first such weekday on or after the
    start ("from Friday to Sunday").
    """
    first = resolve(mention, anchor, direction=direction)
    if first is None or not mention.is_range:
        return first, None
    if mention.end_day is not None:
        end_month = mention.end_month or first.month
        year = mention.end_year if mention.end_year is not None else \
            first.year + int((end_month, mention.end_day) < (first.month, first.day))
        if not _valid(year, end_month, mention.end_day):
            return first, None
        last = dt.date(year, end_month, mention.end_day)
        return first, (last if last > first else None)
    if mention.end_weekday is None:  # not reached: a range has an end day or an end weekday
        return first, None
    return first, first + dt.timedelta(days=(mention.end_weekday - first.weekday()) % 7)


_VAGUE = re.compile(r"(?:(?P<side>earlier|later)\s+)?(?P<which>next|this|last|coming|past)\s+"
                    r"(?P<unit>week|weekend|month|year)", re.IGNORECASE)
#: roughly how many days a week, a month or a year told about the anchor lies from it
_VAGUE_DAYS = {("next", "week"): 7, ("coming", "week"): 7, ("next", "weekend"): 7, ("coming", "weekend"): 7,
               ("next", "month"): 30, ("coming", "month"): 30, ("last", "week"): -7, ("past", "week"): -4,
               ("last", "weekend"): -7, ("past", "weekend"): -4, ("last", "month"): -30, ("past", "month"): -15,
               ("next", "year"): 365, ("coming", "year"): 365, ("last", "year"): -365, ("past", "year"): -180}
#: "earlier this month", "later this year": about a third of the unit before or after the anchor
_THIS_SIDE_DAYS = {"week": 3, "weekend": 0, "month": 10, "year": 90}


def vague_offset(text: str) -> int | None:
    """About how many days from the anchor a time told only as a week, a month or a year
    about it lies ("next week" 7, "last month" -30, "this week" 0, "earlier this year" -90);
    None for any other text. Good
    for putting an undated act before or after dated ones, never for a date of its own."""
    m = _VAGUE.fullmatch(text.strip())
    if m is None:
        return None
    which, unit = m["which"].lower(), m["unit"].lower()
    if which == "this" and m["side"]:
        return _THIS_SIDE_DAYS[unit] * (-1 if m["side"].lower() == "earlier" else 1)
    return _VAGUE_DAYS.get((which, unit), 0)


def article_anchor(mentions: list[DateMention], published: dt.date | None, near: dt.date | None) -> dt.date | None:
    """The date a text's weekdays count from.

    The publication date when known; otherwise the latest explicit date in the text, its
    year taken from the text, or chosen so that a weekday written in the same text on
    the same date fits ("on September 15" and "Friday" in a 2023 story), else nearest
    ``near``.
    """
    if published is not None:
        return published
    explicit = [(m, m.month_day) for m in mentions if m.month_day is not None]
    if not explicit:
        return None
    weekdays = {m.weekday for m in mentions if m.weekday is not None and not m.is_explicit}
    best: dt.date | None = None
    for m, (month, day) in explicit:
        year = m.year
        if year is None:
            # A weekday elsewhere in the text that fits this date in some year near ``near``.
            fits = [y for w in sorted(weekdays)
                    if (y := year_for(month, day, weekday=w, near=near)) is not None]
            year = min(fits, key=lambda y: abs(y - near.year)) if fits and near else \
                year_for(month, day, weekday=None, near=near)
        if year is None or not _valid(year, month, day):
            continue
        d = dt.date(year, month, day)
        best = d if best is None or d > best else best
    return best
