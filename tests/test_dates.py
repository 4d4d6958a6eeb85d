"""Dates: explicit dates, weekdays, and the year a text leaves out."""

from __future__ import annotations

import datetime as dt

from storymap.dates import article_anchor, find_dates, resolve, year_for


def test_finds_explicit_dates_and_weekdays_with_offsets():
    text = "Kim visited on September 15. Wednesday’s meeting ran late; on Friday, Sept. 22, 2023 he left."
    found = find_dates(text)
    assert [text[d.start : d.end] for d in found] == ["September 15", "Wednesday’s", "Friday, Sept. 22, 2023"]
    assert (found[0].month, found[0].day, found[0].year) == (9, 15, None)
    assert found[1].weekday == 2
    assert (found[2].year, found[2].month, found[2].day, found[2].weekday) == (2023, 9, 22, 4)


def test_year_left_out_is_the_one_where_the_weekday_fits():
    # September 15 fell on a Friday in 2023 (and 2017, 2028: the nearest wins)
    assert year_for(9, 15, weekday=4, near=dt.date(2023, 9, 22)) == 2023
    assert year_for(9, 15, weekday=4, near=dt.date(2018, 1, 1)) == 2017


def test_year_without_weekday_is_the_anchor_year_unless_that_is_months_ahead():
    assert year_for(3, 1, weekday=None, near=dt.date(2024, 3, 10)) == 2024
    assert year_for(12, 20, weekday=None, near=dt.date(2024, 1, 5)) == 2023


def test_weekdays_resolve_back_from_the_anchor_for_reports_and_forward_for_plans():
    friday = dt.date(2023, 9, 15)
    wed = find_dates("Wednesday")[0]
    assert resolve(wed, friday) == dt.date(2023, 9, 13)
    assert resolve(wed, friday, direction="future") == dt.date(2023, 9, 20)
    assert resolve(wed, friday, direction="nearest") == dt.date(2023, 9, 13)
    assert resolve(find_dates("Friday")[0], dt.date(2023, 9, 21), direction="nearest") == dt.date(2023, 9, 22)
    assert resolve(find_dates("Friday")[0], friday) == friday
    assert resolve(find_dates("yesterday")[0], friday) == dt.date(2023, 9, 14)
    assert resolve(wed, None) is None


def test_anchor_without_publication_date_comes_from_the_text():
    text = "Kim visits a plant on September 15. He continued his visit Friday."
    assert article_anchor(find_dates(text), None, dt.date(2023, 9, 22)) == dt.date(2023, 9, 15)
    assert article_anchor(find_dates(text), dt.date(2023, 9, 16), None) == dt.date(2023, 9, 16)
    assert article_anchor(find_dates("He left on Friday."), None, None) is None


def test_without_a_reference_there_is_no_year_whatever_the_clock_says():
    # Sunday, September 10 fits 2017, 2023 and 2028: only a reference date can choose, never today's date
    assert year_for(9, 10, weekday=6, near=None) is None
    assert year_for(9, 10, weekday=None, near=None) is None
    assert year_for(9, 10, weekday=6, near=dt.date(2023, 9, 12)) == 2023
