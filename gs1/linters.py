"""Content rules of AI data (the table's linters) and the GS1 character sets.

Each linter takes one component's data and returns what is wrong in plain words, or None.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

from biip.checksums import gs1_standard_check_digit

from gs1 import coupon

Linter = Callable[[str], str | None]

CSET82 = frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
                   "abcdefghijklmnopqrstuvwxyz")
CSET39 = frozenset("#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
CSET64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
# The check character pair's alphabet (GS1 General Specifications 7.9.5).
CSET32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_CSET82_ORDER = "".join(sorted(CSET82))
_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83)
GCP_MIN_LENGTH = 4
IBAN_MIN_LENGTH, IBAN_MAX_LENGTH = 15, 34
_ISO_FILE = Path(__file__).with_name("iso_codes.json")


@cache
def _iso() -> dict[str, frozenset[str]]:
    data = json.loads(_ISO_FILE.read_text(encoding="utf-8"))
    return {k: frozenset(v) for k, v in data.items() if k != "source"}


def charset_problem(charset: str, data: str) -> str | None:
    """Say which character of the data is outside the component's character set."""
    if charset == "N":
        bad = next((c for c in data if not ("0" <= c <= "9")), None)
        return None if bad is None else f"{bad!r} is not a digit"
    if charset == "Z":
        return _cset64(data)
    allowed, name = (CSET39, "GS1 set 39 (A-Z 0-9 # - /)") if charset == "Y" else (
        CSET82, "GS1 set 82")
    bad = next((c for c in data if c not in allowed), None)
    return None if bad is None else f"{bad!r} is not a character of {name}"


def _cset64(data: str) -> str | None:
    body = data.rstrip("=")
    pads = len(data) - len(body)
    if pads > 2 or (pads and len(data) % 3):
        return "has wrong base64 padding ('=' at the end)"
    bad = next((c for c in body if c not in CSET64), None)
    return None if bad is None else f"{bad!r} is not a character of GS1 set 64 (URI-safe base64)"


def csum(data: str) -> str | None:
    """The last digit is the GS1 mod-10 check digit of the others."""
    want = str(gs1_standard_check_digit(data[:-1]))
    return None if data[-1] == want else f"check digit {data[-1]} is wrong (should be {want})"


def check_pair(body: str) -> str:
    """Return the two check characters GS1 appends to alphanumeric keys such as the GMN."""
    weights = _PRIMES[: len(body)][::-1]
    total = sum(_CSET82_ORDER.index(c) * w for c, w in zip(body, weights, strict=True)) % 1021
    return CSET32[total // 32] + CSET32[total % 32]


def csumalpha(data: str) -> str | None:
    """The last two characters are the check character pair of the others."""
    if len(data) < 3 or len(data) - 2 > len(_PRIMES):
        return "is too short to carry its check character pair" if len(data) < 3 else None
    if any(c not in CSET82 for c in data[:-2]):
        return None
    want = check_pair(data[:-2])
    return None if data[-2:] == want else (
        f"check character pair {data[-2:]} is wrong (should be {want})")


def key(data: str) -> str | None:
    """The data starts with a GS1 Company Prefix (at least four digits)."""
    if len(data) < GCP_MIN_LENGTH:
        return f"is shorter than a GS1 Company Prefix ({GCP_MIN_LENGTH} digits at least)"
    if not data[:GCP_MIN_LENGTH].isdigit():
        return "does not start with a GS1 Company Prefix (digits)"
    return None


def _date(data: str, *, century: bool = False, day_zero: bool = False) -> str | None:
    if not data.isdigit():
        return None
    year = int(data[:4]) if century else 2000 + int(data[:2])
    rest = data[4:] if century else data[2:]
    month, day = int(rest[:2]), int(rest[2:4])
    if not 1 <= month <= 12:
        return f"month {rest[:2]} does not exist"
    if day == 0 and day_zero:
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return f"day {rest[2:4]} does not exist in month {rest[:2]}"
    return None


def _clock(data: str, names: tuple[str, ...], limits: tuple[int, ...]) -> str | None:
    for i, (name, top) in enumerate(zip(names, limits, strict=True)):
        part = data[2 * i : 2 * i + 2]
        if part.isdigit() and int(part) > top:
            return f"{name} {part} does not exist"
    return None


def hhmm(data: str) -> str | None:
    """A time of day hhmm."""
    return _clock(data, ("hour", "minute"), (23, 59))


def yymmddhh(data: str) -> str | None:
    """A date and hour yymmddhh."""
    return _date(data[:6]) or _clock(data[6:], ("hour",), (23,))


def mmoptss(data: str) -> str | None:
    """Minutes and optional seconds: mm or mmss."""
    if len(data) not in (2, 4):
        return "must be minutes (mm) or minutes and seconds (mmss)"
    return _clock(data, ("minute", "second")[: len(data) // 2], (59, 59)[: len(data) // 2])


def _in(codes: str, what: str) -> Linter:
    def linter(data: str) -> str | None:
        return None if data in _iso()[codes] else f"{data} is not {what}"
    return linter


def iso3166999(data: str) -> str | None:
    """An ISO 3166 country code, or 999."""
    return None if data == "999" or data in _iso()["iso3166_numeric"] else (
        f"{data} is not an ISO 3166 three-digit country code nor 999")


def iso3166list(data: str) -> str | None:
    """One to five ISO 3166 three-digit country codes."""
    if len(data) % 3:
        return "must be whole three-digit country codes"
    bad = next((data[i : i + 3] for i in range(0, len(data), 3)
                if data[i : i + 3] not in _iso()["iso3166_numeric"]), None)
    return None if bad is None else f"{bad} is not an ISO 3166 three-digit country code"


def iban(data: str) -> str | None:
    """An IBAN: country, check digits (ISO 7064 MOD 97-10), account."""
    if len(data) < 4:
        return "is too short for an IBAN"
    if data[:2] not in _iso()["iso3166_alpha2"]:
        return f"IBAN must start with an ISO 3166 country code, not {data[:2]}"
    if len(data) > IBAN_MAX_LENGTH:
        return "is too long for an IBAN"
    if len(data) < IBAN_MIN_LENGTH:
        return "is too short for an IBAN"
    bad = next((c for c in data if not (c.isascii() and (c.isdigit() or c.isupper()))), None)
    if bad is not None:
        return f"{bad!r} cannot be part of an IBAN"
    digits = "".join(str(int(c, 36)) for c in data[4:] + data[:4])
    return None if int(digits) % 97 == 1 else "IBAN check digits are wrong"


def pcenc(data: str) -> str | None:
    """Every % starts a %hh escape of two hex digits."""
    i = data.find("%")
    while i != -1:
        pair = data[i + 1 : i + 3]
        if len(pair) != 2 or any(c not in "0123456789ABCDEFabcdef" for c in pair):
            return f"%{pair} is not a %hh escape"
        i = data.find("%", i + 3)
    return None


def _at_most(top: int, name: str) -> Linter:
    def linter(data: str) -> str | None:
        return None if not data.isdigit() or int(data) <= top else (
            f"{name} {data} is outside 0 to {top:010d}")
    return linter


def nonzero(data: str) -> str | None:
    """Not all zeros."""
    return "must not be zero" if data.strip("0") == "" else None


def zero(data: str) -> str | None:
    """Exactly 0."""
    return None if data == "0" else "must be 0"


def nozeroprefix(data: str) -> str | None:
    """No leading zero (except the value 0 itself)."""
    return "must not start with 0" if len(data) > 1 and data[0] == "0" else None


def _one_of(allowed: str, what: str) -> Linter:
    def linter(data: str) -> str | None:
        return None if data in allowed.split() else f"{what}, not {data}"
    return linter


def pieceoftotal(data: str) -> str | None:
    """Piece number and total, two digits each: 01 ≤ piece ≤ total."""
    piece, total = int(data[:2]), int(data[2:])
    if piece == 0:
        return "piece number must not be 00"
    if total == 0:
        return "total of pieces must not be 00"
    return None if piece <= total else f"piece {data[:2]} is more than the total {data[2:]}"


def hyphen(data: str) -> str | None:
    """Only '-' (a negative temperature)."""
    return None if set(data) <= {"-"} else "may only be '-' (below zero)"


def importeridx(data: str) -> str | None:
    """An importer index: 0-9, A-Z, a-z, '-' or '_'."""
    ok = data.isascii() and (data.isalnum() or data in "-_")
    return None if ok else f"importer index {data!r} must be 0-9, A-Z, a-z, '-' or '_'"


def mediatype(data: str) -> str | None:
    """An AIDC media type code: 01 to 10, or 80 to 99."""
    n = int(data)
    return None if 1 <= n <= 10 or 80 <= n <= 99 else f"media type {data} is not assigned"


def posinseqslash(data: str) -> str | None:
    """`position/end`, neither with a leading zero, position ≤ end."""
    pos, slash, end = data.partition("/")
    if not slash or not pos.isdigit() or not end.isdigit():
        return "must be written position/end, e.g. 1/2"
    if pos.startswith("0") or end.startswith("0"):
        return "position and end must not start with 0"
    return None if int(pos) <= int(end) else f"position {pos} is after the end {end}"


LINTERS: dict[str, Linter] = {
    "csum": csum,
    "csumalpha": csumalpha,
    "key": key,
    "yymmdd": lambda d: _date(d),
    "yymmd0": lambda d: _date(d, day_zero=True),
    "yyyymmdd": lambda d: _date(d, century=True),
    "yymmddhh": yymmddhh,
    "hhmm": hhmm,
    "mmoptss": mmoptss,
    "iso3166": _in("iso3166_numeric", "an ISO 3166 three-digit country code"),
    "iso3166999": iso3166999,
    "iso3166list": iso3166list,
    "iso3166alpha2": _in("iso3166_alpha2", "an ISO 3166 two-letter country code"),
    "iso4217": _in("iso4217_numeric", "an ISO 4217 three-digit currency code"),
    "iban": iban,
    "pcenc": pcenc,
    "latitude": _at_most(1_800_000_000, "latitude"),
    "longitude": _at_most(3_600_000_000, "longitude"),
    "nonzero": nonzero,
    "zero": zero,
    "nozeroprefix": nozeroprefix,
    "winding": _one_of("0 1 9", "winding direction must be 0, 1 or 9"),
    "yesno": _one_of("0 1", "must be 0 (no) or 1 (yes)"),
    "iso5218": _one_of("0 1 2 9", "sex must be an ISO/IEC 5218 code (0, 1, 2 or 9)"),
    "pieceoftotal": pieceoftotal,
    "hyphen": hyphen,
    "importeridx": importeridx,
    "mediatype": mediatype,
    "posinseqslash": posinseqslash,
    "couponcode": coupon.coupon_code,
    "couponposoffer": coupon.positive_offer,
}
