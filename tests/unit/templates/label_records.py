"""Records and scanner expectations for the shipped templates."""

from __future__ import annotations

from typing import Any

GTIN = "09506000134352"
SSCC = "106141411234567897"

RECORDS: dict[str, dict[str, Any]] = {
    "serial-50x25": {"value": "4172647001232", "kind": "serial", "fields": {"model": "WIDGET-100"}},
    "gs1-logistic-100x150": {
        "value": SSCC, "lot": "LM26123-01",
        "attributes": {"company": "ACME Widgets GmbH", "gtin": GTIN, "expiry": "2026-06-30"},
    },
    "receiving-100x50": {
        "value": "LM26123-01", "kind": "lot", "quantity": 120, "uom": "pcs",
        "expiry": "2027-03-31",
        "attributes": {"supplier": "Mueller & Soehne", "supplier_lot": "S-4711/B", "gtin": GTIN},
    },
    "datamatrix-25x12": {"value": "4172647001232"},
    "vin-100x25": {"value": "1G4AH59H45G118341", "fields": {"wmi": "1G4"}, "date": "2026-03-15"},
}

# What a scanner must read from each shipped template for RECORDS: (identifier, raw text).
EXPECTED: dict[str, set[tuple[str, str]]] = {
    "serial-50x25": {("]C0", "4172647001232"), ("]d1", "4172647001232")},
    "gs1-logistic-100x150": {
        ("]C1", "01" + GTIN + "17260630"),
        ("]C1", "10LM26123-01"),
        ("]C1", "00" + SSCC),
    },
    "receiving-100x50": {
        ("]C0", "LM26123-01"),
        ("]d2", "01" + GTIN + "17270331" + "10LM26123-01\x1d" + "21S-4711/B"),
    },
    "datamatrix-25x12": {("]d1", "4172647001232")},
    "vin-100x25": {("]A0", "1G4AH59H45G118341")},
}
