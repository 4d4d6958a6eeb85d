"""Datelines: the place (and often the date and agency) a news story was filed from.

Wire and broadcast stories open their first paragraph with one: "LAGOS, May 2 (Reuters)
- The minister said...", "SALEM, Ore. (AP) — ...", "NEW DELHI/ISLAMABAD (Reuters) -",
"LONDON: The prime minister...", "Kabul, Afghanistan (CNN) ...". ``find_dateline`` reads
one from the start of a paragraph: a short run made of a place name in capitals (or in
Title Case when an agency in parentheses follows), an optional ", Qualifier" (a state
abbreviation or a country), an optional ", <date>", an optional "(Agency)" and a
separator (a dash or a colon) before the story text.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from storymap.dates import MONTHS, WEEKDAYS, DateMention, find_dates
from storymap.lexicon import alternation, phrases, words

MAX_HEAD = 64  # characters from the place to the separator: a dateline is short

_SP = r"[ \t\u00a0]"
# a place in capitals: "NEW DELHI", "ST. LOUIS", "N'DJAMENA", "WINSTON-SALEM", "PORT-AU-PRINCE"
_CAPS_WORD = r"[A-Z](?:[A-Z'’.\-]*[A-Z.])?(?![a-z])"
_CAPS_PLACE = _CAPS_WORD + r"(?:" + _SP + _CAPS_WORD + r")*"
# a place in Title Case: "Kabul", "New Delhi", "Rio de Janeiro", "Port-au-Prince"
_TITLE_WORD = r"[A-Z][a-z'’]+(?:-[A-Za-z][a-z'’]*)*"
_LINK = r"(?:" + alternation(phrases("name_connectors")) + r")"
_TITLE_PLACE = _TITLE_WORD + r"(?:" + _SP + r"(?:" + _LINK + _SP + r")?" + _TITLE_WORD + r"){0,3}"
_MONTH_WORD = "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True))
_WEEKDAY_WORD = "|".join(d.capitalize() for d in WEEKDAYS)
# a state or country after the place: "Ore.", "Calif.", "N.Y.", "D.C.", "Afghanistan", "South Korea", "FRANCE"
_QUALIFIER = (r"(?!(?:" + _MONTH_WORD + r")\.?" + _SP + r"*\d)(?!(?:" + _WEEKDAY_WORD + r")\b)"
              r"(?:[A-Z][a-z]{0,4}\.(?:" + _SP + r"?[A-Z][a-z]{0,4}\.)*"
              r"|" + _TITLE_PLACE +
              r"|[A-Z]{2,}(?:" + _SP + r"[A-Z]{2,}){0,3}(?![a-z]))")
# the date: "May 2", "Sept. 22, 2023", "2 May", "Friday"
_DATE = (r"(?:(?:" + _WEEKDAY_WORD + r")," + _SP + r"*)?"
         r"(?:(?:" + _MONTH_WORD + r")\.?" + _SP + r"+\d{1,2}(?:st|nd|rd|th)?(?:," + _SP + r"*\d{4})?"
         r"|\d{1,2}" + _SP + r"+(?:" + _MONTH_WORD + r")\.?(?:,?" + _SP + r"*\d{4})?"
         r"|(?:" + _WEEKDAY_WORD + r"))(?![\w])")
# a parenthesised agency: "(Reuters)", "(AP)", "(AFP)", "(CNN)", "(Thomson Reuters Foundation)", "(dpa)"
_AGENCY = r"\((?P<agency>[A-Za-z][A-Za-z.&\-]*(?:" + _SP + r"[A-Z][A-Za-z.&\-]*){0,3})\)"
_DASH = r"(?:" + _SP + r"+(?:--|[-–—])" + _SP + r"*|" + _SP + r"*(?:--|–|—)" + _SP + r"*)"
_COLON = _SP + r"*:" + _SP + r"+"

_DATELINE = re.compile(
    r"(?P<places>" + _CAPS_PLACE + r"(?:" + _SP + r"?/" + _SP + r"?" + _CAPS_PLACE + r")*"
    r"|(?P<title>" + _TITLE_PLACE + r"(?:" + _SP + r"?/" + _SP + r"?" + _TITLE_PLACE + r")*))"
    r"(?:," + _SP + r"*(?P<qualifier>" + _QUALIFIER + r"))?"
    r"(?:," + _SP + r"*(?P<date>" + _DATE + r"))?"
    r"(?:" + _SP + r"*" + _AGENCY + r")?"
    r"(?P<sep>" + _DASH + r"|" + _COLON + r"|(?(agency)" + _SP + r"*(?![-–—:])|(?!)))"
    r"(?=\S|\Z)"
)
_PLACE_SPLIT = re.compile(_SP + r"?/" + _SP + r"?")
# words that open a sentence or label a paragraph ("UPDATE:", "EDITOR'S NOTE:"), never a
# place's first word ("the" is one: "THE HAGUE")
_NOT_PLACES = (words("sentence_openers") | (words("determiners") - {"the"}) | words("paragraph_labels") |
               words("pronouns_male") | words("pronouns_female") | words("pronouns_plural") | words("pronouns_thing") |
               words("pronouns_speaker"))
_CONNECTORS = words("name_connectors")


@dataclass(frozen=True, slots=True)
class Dateline:
    """A dateline at the start of a paragraph; spans are offsets into the text.

    ``start``..``end`` covers the whole dateline, its separator and the spaces after it
    (``end`` is where the story text begins); ``places`` has a span per place ("NEW
    DELHI/ISLAMABAD" has two); ``qualifier`` the state or country after them ("Ore.",
    "Afghanistan").
    """

    start: int
    end: int
    places: tuple[tuple[int, int], ...]
    qualifier: tuple[int, int] | None = None
    agency: str | None = None
    date: DateMention | None = None


def find_dateline(text: str, start: int, end: int) -> Dateline | None:
    """The dateline opening ``text[start:end]`` (a paragraph), or None.

    A place in capitals needs only a separator ("BEIJING — "); a place in Title Case
    needs a parenthesised agency ("Kabul, Afghanistan (CNN)"), which sentence openings
    ("In Paris, she said", "However, the minister said - ") never have.
    """
    pos = start
    while pos < end and text[pos].isspace():
        pos += 1
    m = _DATELINE.match(text, pos, end)
    if m is None:
        return None
    head_end = m.start("sep")
    if head_end - pos > MAX_HEAD:
        return None
    agency = m.group("agency")
    if m.group("title") and not agency:
        return None
    if agency and not re.search(r"[A-Z]", agency) and len(agency) > 4:
        return None  # "(see below)": an agency is capitalised, or short ("dpa")
    sep = m.group("sep")
    if not sep.strip() and not (agency and agency.isupper()):
        return None  # only an agency in capitals runs into the story: "(CNN) The ..."
    if m.end() == end:
        if not (agency or m.group("date")):
            return None  # "BEIJING —" and nothing after: a heading, not a dateline
    elif sep == sep.rstrip() and text[m.end()].islower():
        return None  # "PARIS -based", "(CNN)s": a word goes on, no story starts
    places = []
    for part in _PLACE_SPLIT.split(m.group("places")):
        if not part:
            return None
        places.append(part)
    spans: list[tuple[int, int]] = []
    at = m.start("places")
    for part in places:
        s = text.index(part, at, m.end("places"))
        spans.append((s, s + len(part)))
        at = s + len(part)
    for part in places:
        first = part.split()[0].lower()
        if first in _NOT_PLACES or part.lower() in _NOT_PLACES:
            return None
    bare = not (agency or m.group("qualifier") or m.group("date"))
    if bare and any(sum(c.isalpha() for c in part) <= 3 for part in places):
        return None  # "UN - ", "U.S. - China talks": an acronym, not a place
    date = None
    if m.group("date"):
        found = [d for d in find_dates(text, m.start("date"), m.end("date")) if d.start == m.start("date")]
        if not found:
            return None
        date = found[0]
    qualifier = m.span("qualifier") if m.group("qualifier") else None
    return Dateline(start=pos, end=m.end(), places=tuple(spans), qualifier=qualifier, agency=agency, date=date)


#: "MOSCOW U.S. Secretary of State...": a place in capitals run into the story's first
#: words, as reposted wire copy has it once "(Reuters) -" is stripped
_RUN_IN_WORD = r"(?!(?:[A-Z]\.)+\s)[A-Z][A-Z'’./-]+"
_RUN_IN = re.compile(r"(" + _RUN_IN_WORD + r"(?: " + _RUN_IN_WORD + r"){0,2})"
                     r"(?:, ([A-Z][a-z]+(?: [A-Z][a-z]+)?))? (?=(?:[A-Z]\.)+\s|[A-Z][a-z])")


def find_run_in_dateline(text: str, start: int, end: int) -> Dateline | None:
    """A dateline with no separator, its place in capitals run into the story's first words
    ("MOSCOW U.S. Secretary of State...", "HANOVER, Germany U.S. President..."), as wire
    copy reposted without "(Reuters) -" has it. Looser than :func:`find_dateline`: a caller
    should check that the place is a place."""
    m = _RUN_IN.match(text, start, end)
    if m is None or len(m.group(1).strip()) < 3:
        return None
    qualifier = (m.start(2), m.end(2)) if m.group(2) else None
    places = []
    at = m.start(1)
    for part in m.group(1).split("/"):  # "BEIJING/SINGAPORE": filed from both
        places.append((at, at + len(part)))
        at += len(part) + 1
    return Dateline(start, m.end(), tuple(places), qualifier, None, None)


def opening_dateline(text: str, start: int, end: int) -> Dateline | None:
    """The dateline opening the paragraph ``text[start:end]`` with story text after it:
    :func:`find_dateline`, else :func:`find_run_in_dateline`. The one dateline reading,
    for the parse (:mod:`storymap.document` cuts the dateline off the sentence it opens)
    and the ``storymap_dateline`` component (:mod:`storymap.components`)."""
    found = find_dateline(text, start, end) or find_run_in_dateline(text, start, end)
    return found if found is not None and found.end < end else None


def shift_dateline(dateline: Dateline, by: int) -> Dateline:
    """The same dateline with every offset moved by ``by`` characters (from a piece of
    text into the whole, or back)."""
    date = dateline.date
    if date is not None:
        date = dataclasses.replace(date, start=date.start + by, end=date.end + by)
    qualifier = dateline.qualifier
    return Dateline(dateline.start + by, dateline.end + by, tuple((s + by, e + by) for s, e in dateline.places),
                    None if qualifier is None else (qualifier[0] + by, qualifier[1] + by), dateline.agency, date)


#: what follows the place of a dateline: a qualifier, the agency or the dash
_DATELINE_AFTER = re.compile(r"(?:,[ \u00a0]+[A-Z][\w.' ]{1,20}?)?(?:,?[ \u00a0]*\([A-Za-z.' ]{2,30}\))?[ \u00a0]*[-–—:]")

#: a wire agency after a dateline's place: "WASHINGTON (AP)", "SALEM, Ore. (AP)", "LAGOS (Reuters)"
_AGENCY_AFTER = re.compile(r"(?:,[ \u00a0]+[A-Z][\w.']{1,10})?[ \u00a0]*\([A-Z][A-Za-z.&' ]{1,30}\)")


def ends_dateline(text: str, end: int) -> bool:
    """Whether what follows a name opening a paragraph is the rest of a dateline (a
    qualifier, an agency, the dash or colon): looser than :func:`find_dateline`, for a
    name the gazetteer already knows ("Moscow - ", "Salem, Ore. (AP) -")."""
    return _DATELINE_AFTER.match(text, end) is not None


def agency_follows(text: str, end: int) -> bool:
    """Whether a wire agency follows a name, maybe after a qualifier: "WASHINGTON (AP)",
    "SALEM, Ore. (AP)", as where a page has run an article's furniture into its first
    paragraph ("... Press. WASHINGTON (AP) -")."""
    return _AGENCY_AFTER.match(text, end) is not None


def wire_dateline(text: str, end: int) -> bool:
    """Whether a dateline's name is followed at once by a wire agency or a date, with no
    qualifier between ("ROME (Reuters) -", "ROME, June 2 -"): a wire writes a small namesake's
    state or country there ("ROME, Ga., June 2"), so such a name is the well-known place."""
    return _WIRE_AFTER.match(text, end) is not None


_WIRE_AFTER = re.compile(r"[ \u00a0]*\([A-Z][A-Za-z.&' ]{1,30}\)|,[ \u00a0]+(?:" +
                         alternation(sorted(MONTHS, key=len, reverse=True)) + r")\.?[ \u00a0]+\d{1,2}\b",
                         re.IGNORECASE)


def dateline_place_text(text: str, dateline: Dateline) -> list[str]:
    """The dateline's places in Title Case for a gazetteer ("NEW DELHI" -> "New Delhi")."""
    return [_title(text[s:e]) for s, e in dateline.places]


def _title(name: str) -> str:
    """A place name in capitals in Title Case: "ST. JOHN'S" -> "St. John's", "N'DJAMENA" ->
    "N'Djamena", "PORT OF SPAIN" -> "Port of Spain"; a name already in mixed case as it is."""
    if any(c.islower() for c in name):
        return name
    words = []
    for n, word in enumerate(name.split()):
        low = word.lower()
        if n and low in _CONNECTORS:
            words.append(low)
            continue
        words.append("-".join(_title_part(p) for p in low.split("-")))
    return " ".join(words)


def _title_part(part: str) -> str:
    """One hyphen-free piece: capitalised, and after an elided one-letter prefix ("n'",
    "d'") capitalised again; "john's" stays "John's"."""
    pieces = re.split(r"(['’])", part)
    out = pieces[0][:1].upper() + pieces[0][1:]
    for k in range(1, len(pieces) - 1, 2):
        rest = pieces[k + 1]
        out += pieces[k] + (rest[:1].upper() + rest[1:] if len(pieces[k - 1]) == 1 and len(rest) > 1 else rest)
    return out
