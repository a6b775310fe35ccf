"""Every shipped template renders in ZPL, PDF and PNG at 203 and 300 dpi and scans exactly,
for a plain record and for the widest record of every scheme it prints."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from decoding import decode_output, zpl_labels
from label_records import EXPECTED, RECORDS
from widest_records import cases, record

from templates import render_bytes, shipped_templates
from templates.layout import Barcode, layout

GOLDEN = Path(__file__).parent / "golden"
TEMPLATES = shipped_templates()
# The symbology identifier a scanner reports for each symbology of the shipped templates.
IDENTIFIERS = {"code128": "]C0", "gs1-128": "]C1", "code39": "]A0", "datamatrix": "]d1",
               "gs1-datamatrix": "]d2"}


def test_every_shipped_template_has_a_record_and_expectation() -> None:
    assert set(TEMPLATES) == set(RECORDS) == set(EXPECTED)


@pytest.mark.parametrize("fmt", ["zpl", "pdf", "png"])
@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("name", sorted(RECORDS))
def test_shipped_template_scans(name: str, dpi: int, fmt: str) -> None:
    out = render_bytes(TEMPLATES[name], [RECORDS[name]], fmt, dpi)  # type: ignore[arg-type]
    found = {(d.identifier, d.text) for d in decode_output(fmt, out, dpi)}
    assert found == EXPECTED[name]


@pytest.mark.parametrize("fmt", ["zpl", "pdf", "png"])
@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize(("name", "scheme"), cases())
def test_widest_record_scans(name: str, scheme: str, dpi: int, fmt: str) -> None:
    template, rec = TEMPLATES[name], record(name, scheme, latin=fmt == "zpl")
    symbols = [op for op in layout(template, dpi).ops(rec) if isinstance(op, Barcode)]
    expected = {(IDENTIFIERS[op.symbology.slug], op.symbology.scanned(op.data)) for op in symbols}
    assert rec["value"] in {text[-len(rec["value"]):] for _, text in expected}
    out = render_bytes(template, [rec], fmt, dpi)  # type: ignore[arg-type]
    assert {(d.identifier, d.text) for d in decode_output(fmt, out, dpi)} == expected


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_golden_zpl(name: str) -> None:
    template = TEMPLATES[name]
    out = render_bytes(template, [RECORDS[name]], "zpl").decode()
    path = GOLDEN / f"{name}.zpl"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(out)
    assert out == path.read_text()
    assert zpl_labels(out.encode(), template.dpi) == 1
