"""Every shipped template renders in ZPL, PDF and PNG at 203 and 300 dpi and scans exactly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from decoding import decode_output, zpl_labels
from label_records import EXPECTED, RECORDS

from templates import render_bytes, shipped_templates

GOLDEN = Path(__file__).parent / "golden"
TEMPLATES = shipped_templates()


def test_every_shipped_template_has_a_record_and_expectation() -> None:
    assert set(TEMPLATES) == set(RECORDS) == set(EXPECTED)


@pytest.mark.parametrize("fmt", ["zpl", "pdf", "png"])
@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("name", sorted(RECORDS))
def test_shipped_template_scans(name: str, dpi: int, fmt: str) -> None:
    out = render_bytes(TEMPLATES[name], [RECORDS[name]], fmt, dpi)  # type: ignore[arg-type]
    found = {(d.identifier, d.text) for d in decode_output(fmt, out, dpi)}
    assert found == EXPECTED[name]


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
