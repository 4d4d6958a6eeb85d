"""Dates: explicit dates, weekdays, and the year a text leaves out."""

from __future__ import annotations

import datetime as dt

import pytest

from storymap.dates import article_anchor, find_dates, resolve, resolve_range, vague_offset, year_for


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


def test_a_plans_month_and_day_are_in_the_months_ahead_of_the_anchor():
    march = dt.date(1999, 3, 4)
    assert year_for(6, 3, weekday=None, near=march) == 1998  # a report of "June 3" told in March: last June
    assert year_for(6, 3, weekday=None, near=march, plan=True) == 1999  # a plan for "June 3": this June
    assert year_for(1, 12, weekday=None, near=dt.date(1999, 12, 20), plan=True) == 2000
    assert year_for(2, 20, weekday=None, near=march, plan=True) == 1999  # a plan told a little late
    june = find_dates("will be in Oslo from June 3 to 6")[0]
    assert resolve_range(june, march, direction="future") == (dt.date(1999, 6, 3), dt.date(1999, 6, 6))
    assert resolve(june, march) == dt.date(1998, 6, 3)


def test_a_time_of_day_about_the_anchor_is_that_day():
    found = find_dates("She met the mayor this morning and leaves this evening.")
    assert [(d.text, d.relative) for d in found] == [("this morning", 0), ("this evening", 0)]


def test_a_week_or_a_month_about_the_anchor_is_roughly_so_many_days_from_it():
    assert [vague_offset(t) for t in ("next week", "Last month", "this week", "Friday")] == [7, -30, 0, None]
    assert [vague_offset(t) for t in ("earlier this year", "later this month", "last year", "this year")] == \
        [-90, 10, -365, 0]
    found = find_dates("Earlier this year she toured Chile; later this month she goes to Peru.")
    assert [d.text for d in found] == ["Earlier this year", "later this month"] and all(d.vague for d in found)


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


@pytest.mark.parametrize("sentence, span, start, end", [
    ("The envoys met from May 4 to 7 in Geneva.", "from May 4 to 7", (None, 5, 4), (None, 5, 7)),
    ("The trade fair runs May 4-7 at the harbour.", "May 4-7", (None, 5, 4), (None, 5, 7)),
    ("Voting took place May 4 – 7 across the north.", "May 4 – 7", (None, 5, 4), (None, 5, 7)),
    ("The regatta is held 4-7 May every year.", "4-7 May", (None, 5, 4), (None, 5, 7)),
    ("She toured the coast from May 30 to June 2.", "from May 30 to June 2", (None, 5, 30), (None, 6, 2)),
    ("The ministers will meet between May 4 and May 7.", "between May 4 and May 7", (None, 5, 4), (None, 5, 7)),
    ("The festival, held May 9-11, 2016, drew crowds.", "May 9-11, 2016", (2016, 5, 9), (2016, 5, 11)),
    ("He stayed 30 May to 2 June 2019 in the capital.", "30 May to 2 June 2019", (2019, 5, 30), (2019, 6, 2)),
    ("The camp ran December 30 to January 2, 2021.", "December 30 to January 2, 2021", (2020, 12, 30), (2021, 1, 2)),
])
def test_a_date_range_is_one_mention_with_its_start_and_end(sentence, span, start, end):
    found = find_dates(sentence)
    assert len(found) == 1
    d = found[0]
    assert sentence[d.start : d.end] == d.text == span
    assert (d.year, d.month, d.day) == start
    assert (d.end_year, d.end_month, d.end_day) == end
    assert d.is_range and d.is_explicit and not d.month_only


def test_a_weekday_range_is_one_mention():
    for sentence, span in [("The delegation is in town from Friday to Sunday.", "from Friday to Sunday"),
                           ("Stalls open Friday through Sunday.", "Friday through Sunday"),
                           ("Talks will run between Monday and Wednesday.", "between Monday and Wednesday")]:
        (d,) = find_dates(sentence)
        assert d.text == span and d.is_range and not d.is_explicit
    d = find_dates("from Friday to Sunday")[0]
    assert (d.weekday, d.end_weekday) == (4, 6)


def test_what_is_not_a_range_stays_single_dates():
    # a count after "to", a clock time, an end before its start, "and" without "between"
    assert [d.text for d in find_dates("On May 4 to 7 people were hurt.")] == ["May 4"]
    assert [d.text for d in find_dates("The doors open May 4 to 7:30 guests.")] == ["May 4"]
    assert [d.text for d in find_dates("City won 3-2 May 6.")] == ["May 6"]
    assert [d.text for d in find_dates("She spoke on May 4 and May 7.")] == ["May 4", "May 7"]
    single = find_dates("Kim arrived on September 15.")[0]
    assert (single.end_year, single.end_month, single.end_day, single.end_weekday) == (None, None, None, None)
    assert not single.is_range


def test_resolve_range_gives_start_and_end_dates():
    anchor = dt.date(2022, 5, 20)
    mention = find_dates("The envoys met from May 4 to 7.")[0]
    assert resolve(mention, anchor) == dt.date(2022, 5, 4)
    assert resolve_range(mention, anchor) == (dt.date(2022, 5, 4), dt.date(2022, 5, 7))
    across = find_dates("She toured from May 30 to June 2.")[0]
    assert resolve_range(across, anchor) == (dt.date(2022, 5, 30), dt.date(2022, 6, 2))
    # the end month before the start month: the next year
    winter = find_dates("The camp ran December 30 to January 2.")[0]
    assert resolve_range(winter, dt.date(2023, 1, 10)) == (dt.date(2022, 12, 30), dt.date(2023, 1, 2))
    # weekdays: the start as resolve has it, the end the first such day on or after it
    weekend = find_dates("He was there from Friday to Sunday.")[0]
    assert resolve_range(weekend, dt.date(2022, 5, 18)) == (dt.date(2022, 5, 13), dt.date(2022, 5, 15))
    assert resolve_range(weekend, dt.date(2022, 5, 18), direction="future") == \
        (dt.date(2022, 5, 20), dt.date(2022, 5, 22))
    wrap = find_dates("The office is shut from Saturday to Monday.")[0]
    assert resolve_range(wrap, dt.date(2022, 5, 18)) == (dt.date(2022, 5, 14), dt.date(2022, 5, 16))
    # a single date has no end; without an anchor an undated range has no dates
    assert resolve_range(find_dates("on May 4")[0], anchor) == (dt.date(2022, 5, 4), None)
    assert resolve_range(mention, None) == (None, None)
    assert resolve_range(find_dates("the fair, May 9-11, 2016")[0], None) == (dt.date(2016, 5, 9), dt.date(2016, 5, 11))


def test_a_month_on_its_own_keeps_its_text_but_is_not_a_day():
    text = "The plant opened in March. Last March the talks stalled; in March 2016 they resumed."
    found = find_dates(text)
    assert [d.text for d in found] == ["March", "Last March", "March 2016"]
    assert [(d.month, d.year) for d in found] == [(3, None), (3, None), (3, 2016)]
    assert all(d.month_only and not d.is_explicit and d.day is None for d in found)
    assert all(resolve(d, dt.date(2016, 6, 1)) is None for d in found)
    assert resolve_range(found[2], dt.date(2016, 6, 1)) == (None, None)
    # not a month: a name, a possessive, a verb
    assert find_dates("Theresa May spoke after a speech by May's deputy.") == []
    assert find_dates("Protesters will March on the capital.") == []
    # a month before a day is still a date
    assert [(d.text, d.is_explicit) for d in find_dates("In early March, on March 9, he left.")] == \
        [("early March", False), ("March 9", True)]


def test_a_week_or_month_about_the_day_of_writing_is_a_time_with_no_date():
    text = "She will tour Chile next week and spent this weekend at home; last month she was ill."
    found = find_dates(text)
    assert [d.text for d in found] == ["next week", "this weekend", "last month"]
    assert all(d.vague and resolve(d, dt.date(2016, 6, 1)) is None for d in found)
    assert not any(d.vague for d in find_dates("On Friday, May 4, he left; in March he came back."))


def test_weekdays_in_lower_case_copy_are_dates():
    found = find_dates("the envoy met officials on monday and left on tuesday.")
    assert [(d.text, d.weekday) for d in found] == [("monday", 0), ("tuesday", 1)]
