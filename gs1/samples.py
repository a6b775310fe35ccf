"""Valid data for any AI of the table: label previews use the plain samples, the property tests
draw random ones."""

from __future__ import annotations

import random
import string

from biip.checksums import gs1_standard_check_digit

from gs1.linters import CSET39, CSET64, CSET82, _iso, check_pair
from gs1.table import Component, lookup

_FIXED = {"iban": "DE91100000000123456789", "couponcode": "012345612345611110123",
          "couponposoffer": "001234561234560123456", "zero": "0", "hyphen": "-",
          "posinseqslash": "1/2", "mediatype": "01", "yesno": "1", "winding": "0",
          "iso5218": "1", "importeridx": "1", "pieceoftotal": "0102"}


def _chars(charset: str, size: int, rng: random.Random) -> str:
    alphabet = {"N": string.digits, "X": "".join(sorted(CSET82 - {"%"})),
                "Y": "".join(sorted(CSET39)), "Z": "".join(sorted(CSET64))}[charset]
    return "".join(rng.choice(alphabet) for _ in range(size))


def _date(rng: random.Random, century: bool = False) -> str:
    year = rng.randrange(2000, 2099)
    month, day = rng.randrange(1, 13), rng.randrange(1, 29)
    return f"{year if century else year % 100:02d}{month:02d}{day:02d}"


def _component(comp: Component, rng: random.Random, plain: bool) -> str:
    if comp.min == comp.max:
        size = comp.max
    else:
        size = min(comp.max, 6) if plain else rng.randrange(comp.min, comp.max + 1)
    for name in comp.linters:
        if name in _FIXED:
            return _FIXED[name]
        if name in ("yymmdd", "yymmd0"):
            return _date(rng)
        if name == "yyyymmdd":
            return _date(rng, century=True)
        if name == "yymmddhh":
            return _date(rng) + f"{rng.randrange(24):02d}"
        if name == "hhmm":
            return f"{rng.randrange(24):02d}{rng.randrange(60):02d}"
        if name == "mmoptss":
            return f"{rng.randrange(60):02d}" + ("" if rng.random() < 0.5 else "30")
        if name.startswith("iso"):
            return _country_or_currency(name, rng)
        if name in ("latitude", "longitude"):
            return f"{rng.randrange(1_800_000_000):010d}"
    if "csumalpha" in comp.linters:
        body = "1234" + _chars(comp.charset, max(0, min(size, 25) - 6), rng)
        return body + check_pair(body)
    value = _chars(comp.charset, size, rng)
    if "key" in comp.linters:
        value = ("9506" + value[4:]) if size >= 4 else value
    if "nonzero" in comp.linters or "nozeroprefix" in comp.linters:
        value = "1" + value[1:]
    if "csum" in comp.linters:
        value = value[:-1] + str(gs1_standard_check_digit(value[:-1]))
    return value


def _country_or_currency(name: str, rng: random.Random) -> str:
    codes = sorted(_iso()["iso4217_numeric" if name == "iso4217" else (
        "iso3166_alpha2" if name == "iso3166alpha2" else "iso3166_numeric")])
    count = rng.randrange(1, 6) if name == "iso3166list" else 1
    return "".join(rng.choice(codes) for _ in range(count))


def sample_value(ai: str, rng: random.Random | None = None) -> str:
    """Return data that the table accepts for an AI (random when given a generator)."""
    entry = lookup(ai)
    if entry is None:
        raise KeyError(f"({ai}) is not a GS1 Application Identifier")
    plain = rng is None
    source = random.Random(ai) if rng is None else rng
    parts = [_component(c, source, plain) for c in entry.components
             if not c.optional or plain or source.random() < 0.5]
    return "".join(parts)

