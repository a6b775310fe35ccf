"""EAN-13, UPC-A, ITF-14 and Code 39: bars from python-barcode, native `^BE` `^BU` `^B2` `^B3`."""

from __future__ import annotations

from barcode.codex import Code39 as _Code39
from barcode.ean import EuropeanArticleNumber13
from barcode.itf import ITF
from barcode.upc import UniversalProductCodeA
from biip.checksums import gs1_standard_check_digit

from templates.escape import hex_escape
from templates.symbologies.base import Symbol, Symbology, refuse, register


def _gtin(slug: str, data: str, length: int) -> str:
    """Return `length` digits with a valid GS1 check digit (added when one digit short)."""
    if not data.isascii() or not data.isdigit() or len(data) not in (length - 1, length):
        raise refuse(f"{slug} needs {length - 1} digits (or {length} with the check digit)")
    body = data[: length - 1]
    check = str(gs1_standard_check_digit(body))
    if len(data) == length and data[-1] != check:
        raise refuse(f"{slug} check digit of {data} should be {check}")
    return body + check


@register
class Ean13(Symbology):
    """EAN-13 (GTIN-13)."""

    slug = "ean13"
    quiet = 11

    def prepare(self, data: str) -> str:
        """Accept 12 or 13 digits."""
        return _gtin(self.slug, data, 13)

    def encode(self, data: str) -> Symbol:
        """Return the 95-module bars."""
        return Symbol((EuropeanArticleNumber13(data[:12]).build()[0],), self.quiet)

    def size(self, data: str) -> tuple[int, int]:
        """Return the fixed 95-module width."""
        return 95, 0

    def zpl(self, data: str, module: int, height: int) -> str | None:
        """Return `^BE` with the 12 data digits (the printer adds the check digit)."""
        return f"^BY{module}^BEN,{height},N,N^FD{data[:12]}^FS"


@register
class UpcA(Symbology):
    """UPC-A (GTIN-12)."""

    slug = "upca"
    quiet = 9

    def prepare(self, data: str) -> str:
        """Accept 11 or 12 digits."""
        return _gtin(self.slug, data, 12)

    def encode(self, data: str) -> Symbol:
        """Return the 95-module bars."""
        return Symbol((UniversalProductCodeA(data[:11]).build()[0],), self.quiet)

    def size(self, data: str) -> tuple[int, int]:
        """Return the fixed 95-module width."""
        return 95, 0

    def zpl(self, data: str, module: int, height: int) -> str | None:
        """Return `^BU` with the 11 data digits."""
        return f"^BY{module}^BUN,{height},N,N,N^FD{data[:11]}^FS"


@register
class Itf14(Symbology):
    """ITF-14 (GTIN-14 in Interleaved 2 of 5), wide bars 3× narrow."""

    slug = "itf14"
    quiet = 10

    def prepare(self, data: str) -> str:
        """Accept 13 or 14 digits."""
        return _gtin(self.slug, data, 14)

    def encode(self, data: str) -> Symbol:
        """Return the bars with a 1:3 narrow:wide ratio."""
        return Symbol((ITF(data, narrow=1, wide=3).build()[0],), self.quiet)

    def size(self, data: str) -> tuple[int, int]:
        """Return the width: start 4, 7 digit pairs of 18, stop 5 modules."""
        return 4 + 7 * 18 + 5, 0

    def zpl(self, data: str, module: int, height: int) -> str | None:
        """Return `^B2` with ratio 3.0 so wide bars are exactly 3 modules."""
        return f"^BY{module},3.0^B2N,{height},N,N,N^FD{data}^FS"


CODE39_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%")


@register
class Code39(Symbology):
    """Code 39 without check character, wide bars 3× narrow."""

    slug = "code39"
    quiet = 10

    def prepare(self, data: str) -> str:
        """Accept 0-9, A-Z, space and - . $ / + %."""
        bad = next((c for c in data if c not in CODE39_CHARS), None)
        if not data or bad is not None:
            raise refuse(
                f"code39 carries 0-9 A-Z space - . $ / + % only; {bad!r} cannot be encoded"
            )
        return data

    def encode(self, data: str) -> Symbol:
        """Return the bars between * start/stop characters."""
        return Symbol((_Code39(data, add_checksum=False).build()[0],), self.quiet)

    def size(self, data: str) -> tuple[int, int]:
        """Return the width: 16 modules per character incl. gap, for data plus two `*`."""
        return (len(data) + 2) * 16 - 1, 0

    def zpl(self, data: str, module: int, height: int) -> str | None:
        """Return `^B3` with ratio 3.0."""
        return f"^BY{module},3.0^B3N,N,{height},N,N^FH\\^FD{hex_escape(data)}^FS"
