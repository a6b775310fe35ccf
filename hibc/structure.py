"""HIBC LIC data structures: build them from their fields and read them back.

- primary: `+` labeler (LIC, 4) product (PCN, 1-18) unit of measure (1 digit) check
- secondary alone: `+` secondary link check (link = the primary's check character)
- both in one symbol: `+` primary `/` secondary check

A secondary starts `$` (lot), `$+` (serial), `$$` (lot with quantity and/or expiry) or `$$+`
(serial with them); after `$$`/`$$+` come `8QQ` or `9QQQQQ` (quantity), then the expiry as
`MMYY`, `2MMDDYY`, `3YYMMDD`, `4YYMMDDHH`, `5YYJJJ`, `6YYJJJHH` or `7` (none), then the lot or
serial. Supplemental fields follow, each after `/`: `S` serial, `16D` date of manufacture
(YYYYMMDD), `14D` expiry (YYYYMMDD).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal

from hibc.check import CHARSET, check_character

Structure = Literal["primary", "secondary", "primary+secondary"]
_LABELER = re.compile(r"[A-Z][A-Z0-9]{3}")
_CODE = re.compile(r"[A-Z0-9]{1,18}")
_UOM = re.compile(r"[0-9]")


class HibcError(ValueError):
    """HIBC data that breaks the structure (the message names the field and the rule)."""


@dataclass(frozen=True, slots=True)
class Hibc:
    """The fields of an HIBC symbol; `link`, `check` and `check_ok` are filled when read."""

    labeler: str | None = None
    product: str | None = None
    uom: str | None = None
    lot: str | None = None
    serial: str | None = None
    expiry: date | None = None
    manufactured: date | None = None
    quantity: int | None = None
    link: str | None = None  # a secondary alone: the check character of its primary
    check: str | None = None
    check_ok: bool | None = None

    @property
    def structure(self) -> Structure:
        """Which data structures the symbol holds."""
        if self.labeler is None:
            return "secondary"
        return "primary+secondary" if self.has_secondary else "primary"

    @property
    def has_secondary(self) -> bool:
        """True when any field of the secondary structure is set."""
        return any(v is not None for v in (self.lot, self.serial, self.expiry,
                                           self.manufactured, self.quantity))


def _field(name: str, value: str | None, pattern: re.Pattern[str], rule: str) -> str:
    if value is None or not pattern.fullmatch(value):
        raise HibcError(f"HIBC {name} {value!r}: {rule}")
    return value


def _primary(data: Hibc) -> str:
    labeler = _field("labeler (LIC)", data.labeler, _LABELER,
                     "must be 4 characters A-Z or 0-9, the first a letter")
    product = _field("product (PCN)", data.product, _CODE,
                     "must be 1 to 18 characters A-Z or 0-9")
    uom = _field("unit of measure", data.uom, _UOM, "must be one digit 0-9")
    return labeler + product + uom


def _secondary(data: Hibc) -> str:
    if data.lot is None and data.serial is None:
        raise HibcError("an HIBC secondary structure carries a lot or a serial")
    rule = "must be 1 to 18 characters A-Z or 0-9"
    code = _field("lot", data.lot, _CODE, rule) if data.lot is not None else \
        _field("serial", data.serial, _CODE, rule)
    flags = "$$" if data.lot is not None else "$$+"
    if data.quantity is not None:
        if not 0 <= data.quantity <= 99999:
            raise HibcError(f"HIBC quantity {data.quantity}: must be 0 to 99999")
        flags += f"8{data.quantity:02d}" if data.quantity < 100 else f"9{data.quantity:05d}"
    if data.expiry is not None:
        if not 2000 <= data.expiry.year <= 2099:
            raise HibcError(f"HIBC expiry {data.expiry}: must lie in 2000 to 2099 (YYMMDD)")
        flags += "3" + data.expiry.strftime("%y%m%d")
    else:
        flags += "7"
    text = flags + code
    if data.lot is not None and data.serial is not None:
        text += "/S" + _field("serial", data.serial, _CODE, rule)
    if data.manufactured is not None:
        text += "/16D" + data.manufactured.strftime("%Y%m%d")
    return text


def encode(data: Hibc) -> str:
    """Return the HIBC text of a primary structure, or primary and secondary in one symbol
    when any secondary field is set, with its check character; HibcError names a bad field."""
    text = "+" + _primary(data)
    if data.has_secondary:
        text += "/" + _secondary(data)
    return text + check_character(text)


def encode_secondary(data: Hibc) -> str:
    """Return the HIBC text of the secondary structure alone (for a second symbol), linked to
    its primary by the primary's check character."""
    link = check_character("+" + _primary(data))
    text = "+" + _secondary(data) + link
    return text + check_character(text)


def read(text: str) -> Hibc:
    """Read HIBC text (primary, secondary, or both); HibcError when the structure is broken.

    A wrong check character is not an error: the answer says `check_ok=False`.
    """
    if len(text) < 3 or not text.startswith("+"):
        raise HibcError("HIBC data starts with '+'")
    bad = next((c for c in text if c not in CHARSET), None)
    if bad is not None:
        raise HibcError(f"HIBC data holds {bad!r}, which is not in the Code 39 set")
    body, check = text[:-1], text[-1]
    checked = Hibc(check=check, check_ok=check_character(body) == check)
    if body[1] == "$":
        if len(body) < 3:
            raise HibcError("an HIBC secondary structure needs its data and link character")
        return _read_secondary(body[1:-1], replace(checked, link=body[-1]))
    primary, slash, secondary = body[1:].partition("/")
    if not 6 <= len(primary) <= 23:
        raise HibcError(f"HIBC primary {primary!r}: labeler (4), product (1-18) and unit of "
                        "measure (1) make 6 to 23 characters")
    found = replace(checked, labeler=primary[:4], product=primary[4:-1], uom=primary[-1])
    _primary(found)
    if not slash:
        return found
    if not secondary.startswith("$"):
        raise HibcError(f"the HIBC secondary after '/' starts with '$', not {secondary[:1]!r}")
    return _read_secondary(secondary, found)


_DATE_FORMATS = {"2": ("%m%d%y", 6), "3": ("%y%m%d", 6), "4": ("%y%m%d", 8),
                 "5": ("yyjjj", 5), "6": ("yyjjj", 7), "7": ("", 0)}


def _read_secondary(text: str, found: Hibc) -> Hibc:
    main, *supplements = text.split("/")
    serial = main.startswith(("$+", "$$+"))
    long = main.startswith("$$")
    rest = main[(2 if long else 1) + serial:]
    quantity = expiry = None
    if long:
        if rest[:1] in ("8", "9"):
            width = 2 if rest[0] == "8" else 5
            digits = rest[1:1 + width]
            if len(digits) != width or not digits.isdigit():
                raise HibcError(f"HIBC quantity after '{rest[0]}' is {width} digits, not "
                                f"{digits!r}")
            quantity, rest = int(digits), rest[1 + width:]
        expiry, rest = _expiry(rest)
    name = "serial" if serial else "lot"
    code = _field(name, rest, _CODE, "must be 1 to 18 characters A-Z or 0-9")
    found = replace(found, quantity=quantity, expiry=expiry,
                    serial=code if serial else None, lot=None if serial else code)
    for item in supplements:
        found = _supplement(item, found)
    return found


def _expiry(text: str) -> tuple[date | None, str]:
    flag = text[:1]
    if flag in ("0", "1"):
        month = _date(text[:4], "%m%y", "expiry (MMYY)")  # the month's last day
        end = calendar.monthrange(month.year, month.month)[1]
        return month.replace(day=end), text[4:]
    if flag not in _DATE_FORMATS:
        raise HibcError(f"HIBC expiry format {flag!r}: use MMYY or 2 to 7")
    fmt, width = _DATE_FORMATS[flag]
    raw, rest = text[1:1 + width], text[1 + width:]
    if fmt == "":
        return None, rest
    if len(raw) != width or not raw.isdigit():
        raise HibcError(f"HIBC expiry {raw!r}: format {flag} has {width} digits")
    if width in (7, 8) and int(raw[-2:]) > 23:
        raise HibcError(f"HIBC expiry {raw!r}: hour {raw[-2:]} is not 00 to 23")
    if fmt != "yyjjj":
        return _date(raw[:6], fmt, "expiry"), rest
    year, day_of_year = 2000 + int(raw[:2]), int(raw[2:5])
    day = date(year, 1, 1) + timedelta(days=day_of_year - 1)
    if day_of_year < 1 or day.year != year:
        raise HibcError(f"HIBC expiry {raw!r}: day {raw[2:5]} is not in {year}")
    return day, rest


def _date(raw: str, fmt: str, name: str) -> date:
    width = sum(4 if c == "Y" else 2 for c in fmt if c.isalpha())
    if not raw.isdigit() or len(raw) != width:
        raise HibcError(f"HIBC {name} {raw!r}: not a date")
    if "%y" in fmt:  # HIBC years of two digits are 2000 to 2099
        at = fmt.index("%y")  # each field of the format is two digits
        raw, fmt = raw[:at] + "20" + raw[at:], fmt.replace("%y", "%Y")
    try:
        return datetime.strptime(raw, fmt).date()
    except ValueError:
        raise HibcError(f"HIBC {name} {raw!r}: not a date") from None


def _supplement(item: str, found: Hibc) -> Hibc:
    if item.startswith("S"):
        if found.serial is not None:
            raise HibcError("HIBC data carries its serial twice")
        return replace(found, serial=_field("serial", item[1:], _CODE,
                                            "must be 1 to 18 characters A-Z or 0-9"))
    if item.startswith(("16D", "14D")):
        day = _date(item[3:], "%Y%m%d", "date (YYYYMMDD)")
        if item.startswith("16D"):
            if found.manufactured is not None:
                raise HibcError("HIBC data carries its date of manufacture twice")
            return replace(found, manufactured=day)
        if found.expiry is not None:
            raise HibcError("HIBC data carries its expiry twice")
        return replace(found, expiry=day)
    raise HibcError(f"HIBC supplemental field {'/' + item!r}: use /S, /16D or /14D")
