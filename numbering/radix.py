"""Counter and random-token alphabets: radix 10, 16, 36 and Crockford base 32."""

from __future__ import annotations

import secrets

DIGITS = "0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

ALPHABETS: dict[str, str] = {
    "10": DIGITS,
    "16": DIGITS + "ABCDEF",
    "36": DIGITS + UPPER,
    "crockford": CROCKFORD,
}


def alphabet(radix: str) -> str:
    """Return the output alphabet of a radix name; KeyError if there is none."""
    return ALPHABETS[radix]


def encode(value: int, width: int, digits: str) -> str:
    """Write `value` zero-padded to exactly `width` characters of `digits`."""
    base = len(digits)
    if base == 10:
        text = str(value)
        return text.rjust(width, "0")
    out = []
    while value:
        value, rem = divmod(value, base)
        out.append(digits[rem])
    return "".join(reversed(out)).rjust(width, digits[0])


def decode(text: str, digits: str) -> int:
    """Read a counter written with `digits`."""
    base = len(digits)
    if base == 10:
        return int(text)
    value = 0
    for ch in text:
        value = value * base + digits.index(ch)
    return value


def random_text(width: int, digits: str) -> str:
    """Draw `width` characters of `digits` from the operating system's CSPRNG."""
    return "".join(secrets.choice(digits) for _ in range(width))
