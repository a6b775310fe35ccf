"""Date tokens: calendar parts, Julian day, ISO week and week-year, and the VIN year code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from numbering.checks import VIN_CHARS

# VIN model-year table: 30-year cycle from 1980 (A) / 2010 (A); no I O Q U Z and no 0.
YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
assert len(YEAR_CODES) == 30 and set(YEAR_CODES) <= set(VIN_CHARS)


@dataclass(frozen=True)
class DateToken:
    """A date token: its width, the values it may print, and how to print it."""

    name: str
    title: str
    width: int
    values: tuple[str, ...]          # every value it can print, for parsing and overlap
    granularity: int                 # 1 year, 2 ISO week-year, 3 month, 4 ISO week, 5 day
    calendar_year: bool              # prints (part of) the calendar year

    def render(self, day: dt.date) -> str:
        """Print this token for a production date."""
        return _RENDER[self.name](day)


def _numbers(lo: int, hi: int, width: int) -> tuple[str, ...]:
    return tuple(str(n).zfill(width) for n in range(lo, hi + 1))


_RENDER: dict[str, Callable[[dt.date], str]] = {
    "YYYY": lambda d: f"{d.year:04d}",
    "YY": lambda d: f"{d.year % 100:02d}",
    "Y": lambda d: str(d.year % 10),
    "MM": lambda d: f"{d.month:02d}",
    "DD": lambda d: f"{d.day:02d}",
    "DDD": lambda d: f"{d.timetuple().tm_yday:03d}",
    "WW": lambda d: f"{d.isocalendar().week:02d}",
    "GGGG": lambda d: f"{d.isocalendar().year:04d}",
    "GG": lambda d: f"{d.isocalendar().year % 100:02d}",
    "YC": lambda d: YEAR_CODES[(d.year - 1980) % 30],
}

DATE_TOKENS: dict[str, DateToken] = {
    t.name: t
    for t in (
        DateToken("YYYY", "year", 4, _numbers(0, 9999, 4), 1, True),
        DateToken("YY", "year", 2, _numbers(0, 99, 2), 1, True),
        DateToken("Y", "year", 1, _numbers(0, 9, 1), 1, True),
        DateToken("MM", "month", 2, _numbers(1, 12, 2), 3, False),
        DateToken("DD", "day", 2, _numbers(1, 31, 2), 5, False),
        DateToken("DDD", "day", 3, _numbers(1, 366, 3), 5, False),
        DateToken("WW", "ISO week", 2, _numbers(1, 53, 2), 4, False),
        DateToken("GGGG", "ISO week-year", 4, _numbers(0, 9999, 4), 2, False),
        DateToken("GG", "ISO week-year", 2, _numbers(0, 99, 2), 2, False),
        DateToken("YC", "model year", 1, tuple(YEAR_CODES), 1, True),
    )
}



@lru_cache(maxsize=256)
def render_all(day: dt.date) -> dict[str, str]:
    """Every date token printed for one production date (cached: batches share a date)."""
    return {name: render(day) for name, render in _RENDER.items()}


GRANULARITY_WORDS = {1: "year", 2: "ISO week-year", 3: "month", 4: "ISO week", 5: "day"}


def check_date_parts(parts: dict[str, str]) -> str | None:
    """Say what is wrong with parsed date parts (a day that does not exist), or None."""
    year = None
    if "YYYY" in parts:
        year = int(parts["YYYY"])
    if year is not None and "MM" in parts and "DD" in parts:
        try:
            dt.date(year, int(parts["MM"]), int(parts["DD"]))
        except ValueError:
            return f"{parts['YYYY']}-{parts['MM']}-{parts['DD']} is not a calendar date"
    if year is not None and "DDD" in parts:
        days = 366 if (dt.date(year, 12, 31).timetuple().tm_yday == 366) else 365
        if int(parts["DDD"]) > days:
            return f"day {parts['DDD']} does not exist in {year}"
    if "GGGG" in parts and "WW" in parts and int(parts["WW"]) == 53:
        if dt.date(int(parts["GGGG"]), 12, 28).isocalendar().week != 53:
            return f"ISO week-year {parts['GGGG']} has no week 53"
    return None
