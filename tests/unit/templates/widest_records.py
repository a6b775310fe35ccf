"""The widest records each shipped template must print: shipped schemes' widest identifiers,
every other placeholder at its longest allowed value.

Which template prints which scheme: a template prints a record's `{value}` and the placeholders
around it, so it pairs with the schemes whose identifiers it is made for.

- `serial-50x25` prints `{fields.model}`: schemes with a model field (acme-serial).
- `datamatrix-25x12` prints `{value}` alone, for small parts: every shipped scheme.
- `gs1-logistic-100x150` carries `{value}` in (00): the SSCC scheme, its `{lot}` an acme-lot.
- `receiving-100x50` is the dock's lot label: acme-lot.
- `vin-100x25` prints `{fields.wmi}`: the VIN scheme.
"""

from __future__ import annotations

import sys
from typing import Any

from stdnum import ean

from numbering import Scheme, load_examples
from templates import text

PAIRS: dict[str, tuple[str, ...]] = {
    "serial-50x25": ("acme-serial",),
    "datamatrix-25x12": ("acme-lot", "acme-serial", "pharma", "sscc", "vin"),
    "gs1-logistic-100x150": ("sscc",),
    "receiving-100x50": ("acme-lot",),
    "vin-100x25": ("vin",),
}

# acme-lot's {line} has no width in its pattern, so the scheme takes 1 to 64 characters; no
# label carries a 73-character lot, and GS1 (10) holds 20 characters. Lines are named with one
# or two characters ("R", "3"): the widest lot is taken with a two-character line.
OPEN_FIELD_WIDTHS: dict[str, dict[str, int]] = {"acme-lot": {"line": 2}}

SCHEMES = {d["name"]: Scheme.model_validate(d) for d in load_examples()}
GS1_82 = ("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
          "abcdefghijklmnopqrstuvwxyz")
FREE_TEXT_CHARS = GS1_82 + "@#$[]{}|~^`\\ "


def printed_width(value: str) -> float:
    """The width a value prints in, by the metrics of the label font."""
    return text.width(value, 100)


def widest_char(chars: str) -> str:
    """The character of `chars` that prints widest."""
    return max(chars, key=printed_width)


def widest(scheme: str) -> str:
    """The widest identifier a shipped scheme can print."""
    return SCHEMES[scheme].widest_value(printed_width, OPEN_FIELD_WIDTHS.get(scheme))


GTIN = "9" * 13 + ean.calc_check_digit("9" * 13)  # GTIN-14: every GTIN prints 14 digits
EXPIRY = "2039-12-31"                           # dates print in fixed widths
QUANTITY = sys.float_info.max                   # the longest number a quantity prints as
UOM = widest_char(FREE_TEXT_CHARS) * 20         # the API takes 20 characters
FREE_TEXT = widest_char(FREE_TEXT_CHARS) * 200  # company and other label text: 200
SUPPLIER = widest_char("東京ひらがなカタカナ서울") * 200  # the fallback font: taller lines
SUPPLIER_LOT = widest_char(GS1_82) * 20         # it goes into GS1 (21): 20 of set 82

# Placeholders of free text that a template may condense and cut to its width, and those it
# may condense but must print whole.
CUT_ALLOWED = frozenset({"attributes.company", "attributes.supplier"})
CONDENSE_ALLOWED = CUT_ALLOWED | {"attributes.supplier_lot", "quantity", "uom"}


def record(template: str, scheme: str, latin: bool = False) -> dict[str, Any]:
    """The widest record of a scheme for a template (`latin`: no CJK supplier name, for
    ZPL renderings: font 0 has no CJK glyphs, in zplkit as on a printer without a CJK font)."""
    value = widest(scheme)
    parsed = SCHEMES[scheme].parse(value)
    out: dict[str, Any] = {
        "value": value, "kind": SCHEMES[scheme].kind, "scheme": scheme, "version": 1,
        "fields": parsed.fields, "date": EXPIRY, "expiry": EXPIRY, "quantity": QUANTITY,
        "uom": UOM, "lot": widest("acme-lot") if SCHEMES[scheme].kind == "serial" else value,
        "attributes": {"company": FREE_TEXT, "gtin": GTIN, "expiry": EXPIRY,
                       "supplier": FREE_TEXT if latin else SUPPLIER,
                       "supplier_lot": SUPPLIER_LOT},
    }
    return out


def cases() -> list[tuple[str, str]]:
    """Every (template, scheme) pair, in order."""
    return [(t, s) for t, schemes in sorted(PAIRS.items()) for s in schemes]
