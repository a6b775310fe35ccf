"""Data Matrix (ppf-datamatrix placement, our own ASCII/FNC1 codewords) and QR (segno)."""

from __future__ import annotations

import codecs
from bisect import bisect_left
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

import segno
from ppf.datamatrix import DataMatrix as _PpfDataMatrix

from templates.escape import hex_escape
from templates.gs1 import GS
from templates.symbologies.base import Symbol, Symbology, printable_ascii, refuse, register

if TYPE_CHECKING:
    from typing_extensions import Buffer

FNC1_CODEWORD = 232
# ECC 200 square symbols: (side incl. finder pattern, data codewords).
SQUARE_SIZES = (
    (10, 3), (12, 5), (14, 8), (16, 12), (18, 18), (20, 22), (22, 30), (24, 36), (26, 44),
    (32, 62), (36, 86), (40, 114), (44, 144), (48, 174), (52, 204), (64, 280), (72, 368),
    (80, 456), (88, 576), (96, 696), (104, 816), (120, 1050), (132, 1304), (144, 1558),
)
_CAPACITIES = [c for _, c in SQUARE_SIZES]
_CODEC = "datamatrix.labelsvc_ascii"


def codewords(message: str) -> bytes:
    """Return ASCII-encodation codewords: digit pairs, ASCII+1, GS as FNC1 (232)."""
    out = bytearray()
    i, n = 0, len(message)
    while i < n:
        ch = message[i]
        if ch == GS:
            out.append(FNC1_CODEWORD)
        elif ch.isdigit() and i + 1 < n and message[i + 1].isdigit():
            out.append(130 + int(message[i : i + 2]))
            i += 1
        else:
            out.append(ord(ch) + 1)
        i += 1
    return bytes(out)


def _codec_search(name: str) -> codecs.CodecInfo | None:
    if name != _CODEC:
        return None
    return codecs.CodecInfo(_encode, _no_decode, name=name)


def _encode(message: str, errors: str = "strict") -> tuple[bytes, int]:
    return codewords(message), len(message)


def _no_decode(data: Buffer, errors: str = "strict", /) -> tuple[str, int]:
    raise NotImplementedError("labelsvc Data Matrix codewords are encode-only")


codecs.register(_codec_search)


def square_side(message: str) -> int:
    """Return the side in modules of the smallest square symbol holding the message."""
    index = bisect_left(_CAPACITIES, len(codewords(message)))
    if index == len(SQUARE_SIZES):
        raise refuse("too much data for a Data Matrix symbol (at most 1558 codewords)")
    return SQUARE_SIZES[index][0]


def module_rows(matrix: Iterable[Iterable[int | bool]]) -> tuple[str, ...]:
    """Return a module matrix as rows of '0'/'1'."""
    return tuple("".join("1" if m else "0" for m in row) for row in matrix)


@lru_cache(maxsize=1024)
def _dm_rows(message: str) -> tuple[str, ...]:
    symbol = _PpfDataMatrix(message)
    symbol.codecs = [_CODEC]
    return module_rows(symbol.matrix)


@register
class DataMatrix(Symbology):
    """Data Matrix ECC 200, square, printable ASCII."""

    slug = "datamatrix"
    quiet = 1
    two_d = True

    def _message(self, data: str) -> str:
        return GS + data if self.gs1 else data

    def prepare(self, data: str) -> str:
        """Accept printable ASCII that fits the largest symbol."""
        if not self.gs1:
            printable_ascii(self.slug, data)
        square_side(self._message(data))
        return data

    def encode(self, data: str) -> Symbol:
        """Return the module matrix."""
        return Symbol(_dm_rows(self._message(data)), self.quiet)

    def size(self, data: str) -> tuple[int, int]:
        """Return the square side, from the codeword count alone."""
        side = square_side(self._message(data))
        return side, side

    def zpl(self, data: str, module: int, height: int) -> str | None:
        """Return `^BX` quality 200 with our symbol size and `_` as explicit escape character."""
        side = square_side(self._message(data))
        escaped = data.replace("_", "__").replace(GS, "_1")
        if self.gs1:
            escaped = "_1" + escaped
        return f"^BY{module}^BXN,{module},200,{side},{side},,_^FH\\^FD{hex_escape(escaped)}^FS"


@register
class Gs1DataMatrix(DataMatrix):
    """GS1 DataMatrix: FNC1 first, FNC1 after variable-length element strings."""

    slug = "gs1-datamatrix"
    gs1 = True


@lru_cache(maxsize=1024)
def _qr_rows(data: str) -> tuple[str, ...]:
    encoding = None if data.isascii() else "utf-8"
    return module_rows(segno.make_qr(data, error="m", boost_error=False, encoding=encoding).matrix)


@register
class Qr(Symbology):
    """QR Code model 2, level M; any Unicode text (UTF-8 as a `^GF` bitmap, ASCII as `^BQ`)."""

    slug = "qr"
    quiet = 4
    two_d = True

    def prepare(self, data: str) -> str:
        """Accept any text that fits a version 40 symbol."""
        if not data:
            raise refuse("qr needs at least one character")
        try:
            _qr_rows(data)
        except segno.DataOverflowError:
            raise refuse("too much data for a QR Code at error correction level M") from None
        return data

    def encode(self, data: str) -> Symbol:
        """Return the module matrix."""
        return Symbol(_qr_rows(data), self.quiet)

    def zpl(self, data: str, module: int, height: int) -> str | None:
        """Return `^BQ` for printable ASCII up to magnification 10; otherwise use a bitmap."""
        if module > 10 or not all(" " <= c <= "~" for c in data):
            return None
        return f"^BY2^BQN,2,{module}^FH\\^FDMA,{hex_escape(data)}^FS"
