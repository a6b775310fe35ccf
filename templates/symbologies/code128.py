"""Code 128 and GS1-128, encoded here so `^BC` and the PDF/PNG bars are the same symbol."""

from __future__ import annotations

from functools import lru_cache

from barcode.charsets.code128 import CODES, STOP

from templates.escape import hex_escape
from templates.gs1 import GS
from templates.symbologies.base import Symbol, Symbology, printable_ascii, refuse, register

START_B, START_C, CODE_B, CODE_C, FNC1 = 104, 105, 100, 99, 102
_STOP = STOP + "11"
MAX_GS1_CHARS = 48


def _digits_ahead(data: str, i: int) -> int:
    n = i
    while n < len(data) and data[n].isdigit():
        n += 1
    return n - i


@lru_cache(maxsize=4096)
def plan(data: str, gs1: bool) -> tuple[tuple[int, ...], str]:
    """Return the symbol values (start … check) and the matching `^BC` mode-N field data."""
    values: list[int] = []
    zpl: list[str] = []
    run = _digits_ahead(data, 0)
    subset_c = run >= 4 or (run == len(data) and run >= 2 and run % 2 == 0)
    values.append(START_C if subset_c else START_B)
    zpl.append(">;" if subset_c else ">:")
    if gs1:
        values.append(FNC1)
        zpl.append(">8")
    i = 0
    while i < len(data):
        ch = data[i]
        if ch == GS:
            values.append(FNC1)
            zpl.append(">8")
            i += 1
            continue
        run = _digits_ahead(data, i)
        if subset_c:
            if run >= 2:
                values.append(int(data[i : i + 2]))
                zpl.append(data[i : i + 2])
                i += 2
                continue
            subset_c = False
            values.append(CODE_B)
            zpl.append(">6")
        elif run >= 4 and run % 2 == 0 and (run >= 6 or data[i + run : i + run + 1] in ("", GS)):
            subset_c = True
            values.append(CODE_C)
            zpl.append(">5")
            continue
        values.append(ord(ch) - 32)
        zpl.append(">0" if ch == ">" else ch)
        i += 1
    check = (values[0] + sum(k * v for k, v in enumerate(values[1:], start=1))) % 103
    values.append(check)
    return tuple(values), "".join(zpl)


@register
class Code128(Symbology):
    """Code 128, subsets B and C: printable ASCII."""

    slug = "code128"
    quiet = 10

    def prepare(self, data: str) -> str:
        """Accept 1+ printable ASCII characters."""
        printable_ascii(self.slug, data)
        return data

    def encode(self, data: str) -> Symbol:
        """Return the bars for the data."""
        values, _ = plan(data, self.gs1)
        return Symbol(("".join(CODES[v] for v in values) + _STOP,), self.quiet)

    def size(self, data: str) -> tuple[int, int]:
        """Return the width in modules: 11 per symbol character plus a 13-module stop."""
        return len(plan(data, self.gs1)[0]) * 11 + 13, 0

    def zpl(self, data: str, module: int, height: int) -> str | None:
        """Return `^BC` mode N with explicit start, subset and FNC1 invocation codes."""
        return f"^BY{module}^BCN,{height},N,N,N,N^FH\\^FD{hex_escape(plan(data, self.gs1)[1])}^FS"


@register
class Gs1128(Code128):
    """GS1-128: FNC1 first, FNC1 after variable-length element strings."""

    slug = "gs1-128"
    gs1 = True

    def prepare(self, data: str) -> str:
        """Accept a GS1 element string of at most 48 data characters."""
        count = len(plan(data, True)[0]) - 3
        if count > MAX_GS1_CHARS:
            raise refuse(f"GS1-128 holds at most {MAX_GS1_CHARS} symbol characters; this needs "
                         f"{count}: use gs1-datamatrix or split the data")
        return data
