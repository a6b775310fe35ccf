"""Property: every element string the template layer accepts, the scanner reads back to the
same AIs and data, for random valid combinations of AIs from the table."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from messages import partners
from pydantic import ValidationError

import gs1
from templates import Template, TemplateError
from templates.layout import Barcode, layout

AIS = sorted(gs1.table())


def _label(value: str) -> dict[str, object]:
    return {"name": "round-trip", "width_mm": 150, "height_mm": 150, "dpi": 203,
            "elements": [{"type": "barcode", "symbology": "gs1-datamatrix", "x_mm": 2,
                          "y_mm": 2, "module_mm": 0.25, "value": value}]}


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(AIS), min_size=1, max_size=4, unique=True), st.randoms())
def test_accepted_element_strings_read_back(ais: list[str], rng: random.Random) -> None:
    chosen = [(ai, gs1.sample_value(ai, rng)) for ai in ais]
    elements = chosen + [e for e in partners(ais) if e[0] not in ais]
    value = "".join(f"({ai}){{attributes.a{i}}}" for i, (ai, _) in enumerate(elements))
    data = {f"a{i}": d for i, (_, d) in enumerate(elements)}
    try:
        template = Template.model_validate(_label(value))
        ops = layout(template).ops({"attributes": data})
    except (ValidationError, TemplateError):
        return  # refused (exclusive AIs, too much data): nothing printed, nothing to read
    barcode = next(op for op in ops if isinstance(op, Barcode))
    read = gs1.read_scan("]d2" + barcode.symbology.scanned(barcode.data))
    assert read.elements == tuple(elements)
    assert not [p for p in read.problems if p.level == "element"]


@settings(deadline=None, max_examples=200)
@given(st.sampled_from(AIS), st.randoms())
def test_every_ai_has_valid_samples(ai: str, rng: random.Random) -> None:
    assert gs1.check_element(ai, gs1.sample_value(ai, rng)) is None
    assert gs1.check_element(ai, gs1.sample_value(ai)) is None
