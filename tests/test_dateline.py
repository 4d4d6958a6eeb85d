"""Datelines: the place, date and agency a story opens with."""

from __future__ import annotations

import pytest

from storymap.dateline import Dateline, dateline_place_text, find_dateline


def _find(paragraph: str) -> Dateline | None:
    return find_dateline(paragraph, 0, len(paragraph))


def _parts(text: str, d: Dateline) -> tuple[str, list[str], str | None, str | None, str | None]:
    qualifier = text[d.qualifier[0] : d.qualifier[1]] if d.qualifier else None
    return (text[d.start : d.end], [text[s:e] for s, e in d.places], qualifier, d.agency,
            d.date.text if d.date else None)


@pytest.mark.parametrize("paragraph, dateline, places, qualifier, agency, date", [
    ("ACCRA, June 14 (Reuters) - The finance minister resigned on Tuesday.",
     "ACCRA, June 14 (Reuters) - ", ["ACCRA"], None, "Reuters", "June 14"),
    ("BERN (Reuters) - Swiss voters backed the plan.", "BERN (Reuters) - ", ["BERN"], None, "Reuters", None),
    ("    OTTAWA, April 9 - Canadian officials said on Thursday that talks would go on.",
     "OTTAWA, April 9 - ", ["OTTAWA"], None, None, "April 9"),
    ("RIYADH/ABU DHABI (Reuters) - Gulf states agreed to the deal.",
     "RIYADH/ABU DHABI (Reuters) - ", ["RIYADH", "ABU DHABI"], None, "Reuters", None),
    ("EUGENE, Ore. (AP) — A school board voted late Monday.",
     "EUGENE, Ore. (AP) — ", ["EUGENE"], "Ore.", "AP", None),
    ("ALBANY, N.Y. -- The governor signed the bill.", "ALBANY, N.Y. -- ", ["ALBANY"], "N.Y.", None, None),
    ("SEOUL — The central bank held rates steady.", "SEOUL — ", ["SEOUL"], None, None, None),
    ("Nairobi, Kenya (CNN) Heavy rains flooded the city.", "Nairobi, Kenya (CNN) ", ["Nairobi"], "Kenya", "CNN", None),
    ("LIMA, Peru -- Miners blocked the highway.", "LIMA, Peru -- ", ["LIMA"], "Peru", None, None),
    ("BANGKOK, Thailand — Floodwater receded.", "BANGKOK, Thailand — ", ["BANGKOK"], "Thailand", None, None),
    ("MUMBAI: The city's trains were halted.", "MUMBAI: ", ["MUMBAI"], None, None, None),
    ("Cairo, 3 March (AFP): Egypt reopened the crossing.", "Cairo, 3 March (AFP): ", ["Cairo"], None, "AFP", "3 March"),
    ("SPRINGFIELD, Ill., Sept. 8 (AP) - Lawmakers returned.", "SPRINGFIELD, Ill., Sept. 8 (AP) - ", ["SPRINGFIELD"],
     "Ill.", "AP", "Sept. 8"),
    ("THE HAGUE, Netherlands (Reuters) - Judges heard the case.", "THE HAGUE, Netherlands (Reuters) - ",
     ["THE HAGUE"], "Netherlands", "Reuters", None),
])
def test_finds_datelines_in_wire_and_broadcast_styles(paragraph, dateline, places, qualifier, agency, date):
    d = _find(paragraph)
    assert d is not None
    assert _parts(paragraph, d) == (dateline, places, qualifier, agency, date)


@pytest.mark.parametrize("paragraph", [
    "However, the minister said - and repeated - that the plan stood.",
    "In Paris, she said the talks would resume.",
    "The U.S. - China talks ended without a deal.",
    "U.S. - China talks ended without a deal.",
    "EU - the bloc's leaders met on Friday.",
    "UPDATE: The story has been corrected.",
    "EDITOR'S NOTE: This story contains graphic details.",
    "Madrid, the capital, was quiet - for once.",
    "Lisbon (Portugal) is a port city.",
    "PARIS -based investors were cautious.",
    "THE GOVERNMENT OF THE REPUBLIC ANNOUNCED TODAY THAT ALL SCHOOLS WOULD CLOSE - FOR A WEEK",
    "Mr Lee: We will not back down.",
    "BEIJING — ",
])
def test_ignores_ordinary_paragraph_openings(paragraph):
    assert _find(paragraph) is None


def test_offsets_are_into_the_whole_text_and_the_search_stays_in_the_paragraph():
    text = "Storms hit the coast\n\n  DHAKA, Aug. 2 (Reuters) - Rivers rose overnight."
    start = text.index("  DHAKA")
    d = find_dateline(text, start, len(text))
    assert d is not None
    assert text[d.start : d.end] == "DHAKA, Aug. 2 (Reuters) - " and text[d.end :].startswith("Rivers")
    assert [text[s:e] for s, e in d.places] == ["DHAKA"]
    assert d.date is not None and (d.date.month, d.date.day) == (8, 2)
    assert text[d.date.start : d.date.end] == "Aug. 2"
    # the first paragraph is not a dateline; a dateline with its agency may end its paragraph
    assert find_dateline(text, 0, text.index("\n")) is None
    alone = find_dateline(text, start, text.index(" - ") + 3)
    assert alone is not None and alone.end == text.index(" - ") + 3


def test_place_text_for_the_gazetteer_is_title_case():
    text = "NEW DELHI/ST. JOHN'S/PORT OF SPAIN (Reuters) - Talks began."
    d = _find(text)
    assert d is not None
    assert dateline_place_text(text, d) == ["New Delhi", "St. John's", "Port of Spain"]
    text = "N'DJAMENA, Chad - Rebels withdrew."
    assert dateline_place_text(text, _find(text)) == ["N'Djamena"]
    text = "Sao Paulo/Brasilia (Reuters) - Markets fell."
    assert dateline_place_text(text, _find(text)) == ["Sao Paulo", "Brasilia"]


def test_a_weekday_dateline_carries_a_date_mention():
    text = "WARSAW, Friday - Farmers blocked the border crossings."
    d = _find(text)
    assert d is not None and d.date is not None and d.date.weekday == 4 and d.agency is None
