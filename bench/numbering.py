"""Identifiers formatted per second for acme-serial, next to a hand-written baseline."""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stdnum import luhn  # noqa: E402

from bench._table import Result, print_table  # noqa: E402
from numbering import Scheme, load_examples  # noqa: E402

N = 200_000
DAY = dt.date(2026, 11, 20)
FIELDS = {"model": "WIDGET-100", "site": "munich"}
MODELS = {"WIDGET-100": "41", "WIDGET-200": "42"}
SITES = {"munich": "7", "austin": "3"}


def baseline(seq: int) -> str:
    """What a developer would write by hand: an f-string and python-stdnum's Luhn."""
    iso = DAY.isocalendar()
    model, site = MODELS[FIELDS["model"]], SITES[FIELDS["site"]]
    body = f"{model}{site}{iso.year % 100:02d}{iso.week:02d}{seq:05d}"
    return body + luhn.calc_check_digit(body)


def rate(fn: Callable[[int], str]) -> float:
    """Calls per second over N counter values (best of three)."""
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        for seq in range(1, N + 1):
            fn(seq % 99_999 + 1)
        best = max(best, N / (time.perf_counter() - start))
    return best


def main(argv: list[str] | None = None) -> list[Result]:
    """Run the comparison and print the table; return the figure against its goal."""
    scheme = Scheme.model_validate(next(d for d in load_examples() if d["name"] == "acme-serial"))
    assert scheme.format(FIELDS, DAY, 123) == baseline(123)
    base = rate(baseline)
    ours = rate(lambda seq: scheme.format(FIELDS, DAY, seq))
    rows = [("f-string + python-stdnum (baseline)", base, 1.0),
            ("numbering.Scheme.format (acme-serial)", ours, ours / base)]
    print_table("numbering: identifiers formatted per second (goal: ≥ 50 % of baseline)",
                ["what", "per second", "ratio"], rows)
    return [Result("numbering", "acme-serial identifiers formatted", ours, "/s", base,
                   "≥ 0.5 × baseline", ours / base >= 0.5)]


if __name__ == "__main__":
    main()
