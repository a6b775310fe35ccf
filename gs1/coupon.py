"""North American coupon codes: AI (8110) and the positive offer file AI (8112).

The fields follow the GS1 US "North American Coupon Application Guideline": each length is a
one-digit length indicator (VLI) before the field, optional fields start with their number.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable


class _Bad(Exception):
    """A coupon field that is missing, short or out of range."""


class _Reader:
    def __init__(self, data: str) -> None:
        self.data = data
        self.pos = 0

    def more(self) -> bool:
        return self.pos < len(self.data)

    def peek(self) -> str:
        return self.data[self.pos] if self.more() else ""

    def digit(self, name: str, allowed: str | None = None) -> str:
        """Read one digit; refuse a missing one or one outside `allowed`."""
        if not self.more():
            raise _Bad(f"the coupon's {name} is missing")
        ch = self.data[self.pos]
        if allowed is not None and ch not in allowed:
            raise _Bad(f"the coupon's {name} must be one of {', '.join(allowed)}, not {ch}")
        self.pos += 1
        return ch

    def take(self, size: int, name: str) -> str:
        """Read `size` digits; refuse fewer."""
        if len(self.data) - self.pos < size:
            raise _Bad(f"the coupon's {name} is shorter than its {size} digits")
        self.pos += size
        return self.data[self.pos - size : self.pos]

    def sized(self, name: str, allowed: str, extra: int = 0, none: str = "") -> str:
        """Read a length digit, then a field of that many digits (plus `extra`)."""
        vli = self.digit(f"{name} length digit", allowed)
        return "" if vli == none else self.take(int(vli) + extra, name)

    def date(self, name: str) -> str:
        """Read a YYMMDD date and check that it exists."""
        value = self.take(6, name)
        month, day = int(value[2:4]), int(value[4:])
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(
                2000 + int(value[:2]), month)[1]:
            raise _Bad(f"the coupon's {name} {value} is not a date")
        return value


REQUIREMENT_CODES = "012349"


def _purchase(r: _Reader, which: str, gcp: bool) -> None:
    r.sized(f"{which} purchase requirement", "12345")
    r.digit(f"{which} purchase requirement code", REQUIREMENT_CODES)
    r.take(3, f"{which} purchase family code")
    if gcp:
        r.sized(f"{which} purchase GS1 Company Prefix", "01234569", extra=6, none="9")


def _coupon(r: _Reader) -> None:
    r.sized("primary GS1 Company Prefix", "0123456", extra=6)
    r.take(6, "offer code")
    r.sized("save value", "12345")
    _purchase(r, "first", gcp=False)
    if r.peek() == "1":
        r.pos += 1
        r.digit("additional purchase rules code", "0123")
        _purchase(r, "second", gcp=True)
    if r.peek() == "2":
        r.pos += 1
        _purchase(r, "third", gcp=True)
    expiry = None
    if r.peek() == "3":
        r.pos += 1
        expiry = r.date("expiration date")
    if r.peek() == "4":
        r.pos += 1
        start = r.date("start date")
        if expiry is not None and expiry < start:
            raise _Bad(f"the coupon expires ({expiry}) before it starts ({start})")
    if r.peek() == "5":
        r.pos += 1
        r.sized("serial number", "0123456789", extra=6)
    if r.peek() == "6":
        r.pos += 1
        r.sized("retailer GS1 Company Prefix or GLN", "1234567", extra=6)
    if r.peek() == "9":
        r.pos += 1
        r.digit("save value code", "01256")
        r.digit("save value applies-to-item digit", "012")
        r.digit("store coupon flag")
        r.digit("don't-multiply flag", "01")


def _positive_offer(r: _Reader) -> None:
    r.digit("format code", "01")
    r.sized("funder", "0123456", extra=6)
    r.take(6, "offer code")
    r.sized("serial number", "0123456789", extra=6)


def _run(data: str, read: Callable[[_Reader], None]) -> str | None:
    bad = next((c for c in data if not ("0" <= c <= "9")), None)
    if bad is not None:
        return f"a coupon code is digits only, not {bad!r}"
    r = _Reader(data)
    try:
        read(r)
    except _Bad as exc:
        return str(exc)
    if r.more():
        return f"the coupon has data left over after its fields: {r.data[r.pos:]}"
    return None


def coupon_code(data: str) -> str | None:
    """AI (8110): a coupon code of the North American coupon guideline."""
    return _run(data, _coupon)


def positive_offer(data: str) -> str | None:
    """AI (8112): a paperless coupon's positive offer file reference."""
    return _run(data, _positive_offer)
