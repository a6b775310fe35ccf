"""Check-character algorithms, one registry entry each (python-stdnum where it has them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stdnum import damm, ean, luhn, verhoeff
from stdnum.iso7064 import mod_11_2, mod_37_2, mod_37_36, mod_97_10

from numbering.radix import DIGITS, UPPER

ALNUM = DIGITS + UPPER
VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O, Q


@dataclass(frozen=True)
class CheckAlgorithm:
    """A check-character algorithm.

    Args:
        slug: the name used in patterns, e.g. ``mod37-36``.
        title: a plant-readable name.
        alphabet: characters the algorithm computes over (input).
        output: characters a check character may be.
        width: number of check characters it appends.
        compute: payload (only characters of ``alphabet``) -> check characters.
    """

    slug: str
    title: str
    alphabet: str
    output: str
    width: int
    compute: Callable[[str], str]


ALGORITHMS: dict[str, CheckAlgorithm] = {}


def register(algorithm: CheckAlgorithm) -> CheckAlgorithm:
    """Add an algorithm to ALGORITHMS, refusing a slug that is already taken."""
    if algorithm.slug in ALGORITHMS:
        raise ValueError(f"check algorithm {algorithm.slug!r} is already registered")
    ALGORITHMS[algorithm.slug] = algorithm
    return algorithm


_VIN_VALUES = {
    **{d: int(d) for d in DIGITS},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 9, 8, 7, 6, 5, 4, 3, 2)  # positions 1-8, 10-17


def vin_check(payload: str) -> str:
    """Compute the VIN check digit (49 CFR 565.15) over the 16 characters other than position 9."""
    if len(payload) != 16:
        raise ValueError("a VIN check digit is computed over 16 characters")
    total = sum(_VIN_VALUES[c] * w for c, w in zip(payload, _VIN_WEIGHTS, strict=True))
    rem = total % 11
    return "X" if rem == 10 else str(rem)


register(CheckAlgorithm("luhn", "Luhn", DIGITS, DIGITS, 1, luhn.calc_check_digit))
register(CheckAlgorithm("gs1", "GS1 mod 10", DIGITS, DIGITS, 1, ean.calc_check_digit))
register(CheckAlgorithm("mod11-2", "ISO 7064 MOD 11-2", DIGITS, DIGITS + "X", 1,
                        mod_11_2.calc_check_digit))
register(CheckAlgorithm("mod37-2", "ISO 7064 MOD 37-2", ALNUM, ALNUM + "*", 1,
                        mod_37_2.calc_check_digit))
register(CheckAlgorithm("mod37-36", "ISO 7064 MOD 37,36", ALNUM, ALNUM, 1,
                        mod_37_36.calc_check_digit))
register(CheckAlgorithm("mod97-10", "ISO 7064 MOD 97-10", DIGITS, DIGITS, 2,
                        mod_97_10.calc_check_digits))
register(CheckAlgorithm("verhoeff", "Verhoeff", DIGITS, DIGITS, 1, verhoeff.calc_check_digit))
register(CheckAlgorithm("damm", "Damm", DIGITS, DIGITS, 1, damm.calc_check_digit))
register(CheckAlgorithm("vin", "VIN (ISO 3779)", VIN_CHARS, DIGITS + "X", 1, vin_check))
