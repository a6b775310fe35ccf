"""The HIBC check character: modulo 43 over the Code 39 character set."""

from __future__ import annotations

# The Code 39 characters in the order of their values 0 to 42.
CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%"
_VALUE = {c: i for i, c in enumerate(CHARSET)}


def check_character(data: str) -> str:
    """Return the mod-43 check character of HIBC data (from the leading `+` on).

    Raises:
        ValueError: a character outside the Code 39 set (named).
    """
    total = 0
    for c in data:
        if c not in _VALUE:
            raise ValueError(f"{c!r} is not a character HIBC data may hold (Code 39 set)")
        total += _VALUE[c]
    return CHARSET[total % 43]
