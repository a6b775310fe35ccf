"""Date tokens at year boundaries, Julian days, and the VIN model-year code."""

from __future__ import annotations

import datetime as dt

import pytest

from numbering.dates import DATE_TOKENS, check_date_parts


def render(token: str, day: dt.date) -> str:
    return DATE_TOKENS[token].render(day)


@pytest.mark.parametrize(
    ("day", "gg", "ww"),
    [
        (dt.date(2027, 1, 1), "26", "53"),
        (dt.date(2024, 12, 30), "25", "01"),
        (dt.date(2024, 12, 31), "25", "01"),
        (dt.date(2026, 12, 31), "26", "53"),
        (dt.date(2021, 1, 3), "20", "53"),
        (dt.date(2026, 3, 15), "26", "11"),
    ],
)
def test_iso_week_and_week_year(day: dt.date, gg: str, ww: str) -> None:
    assert (render("GG", day), render("WW", day)) == (gg, ww)
    assert render("GGGG", day)[2:] == gg


@pytest.mark.parametrize(
    ("day", "ddd"),
    [(dt.date(2028, 12, 31), "366"), (dt.date(2024, 12, 31), "366"),
     (dt.date(2026, 12, 31), "365"), (dt.date(2026, 1, 1), "001"),
     (dt.date(2026, 3, 15), "074")],
)
def test_julian_day(day: dt.date, ddd: str) -> None:
    assert render("DDD", day) == ddd


@pytest.mark.parametrize(
    ("year", "code"),
    [(1980, "A"), (2010, "A"), (2019, "K"), (2000, "Y"), (2030, "Y"), (2001, "1"),
     (2009, "9"), (2039, "9"), (2025, "S"), (2026, "T"), (2040, "A")],
)
def test_vin_year_code(year: int, code: str) -> None:
    assert render("YC", dt.date(year, 6, 1)) == code


def test_calendar_parts() -> None:
    day = dt.date(2026, 3, 5)
    assert [render(t, day) for t in ("YYYY", "YY", "Y", "MM", "DD")] == [
        "2026", "26", "6", "03", "05"]


def test_impossible_dates_are_named() -> None:
    assert check_date_parts({"YYYY": "2026", "MM": "02", "DD": "30"}) is not None
    assert check_date_parts({"YYYY": "2026", "DDD": "366"}) == "day 366 does not exist in 2026"
    assert check_date_parts({"GGGG": "2025", "WW": "53"}) == "ISO week-year 2025 has no week 53"
    assert check_date_parts({"GGGG": "2026", "WW": "53"}) is None
    assert check_date_parts({"YYYY": "2028", "DDD": "366"}) is None
