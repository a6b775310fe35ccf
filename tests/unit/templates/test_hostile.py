"""Hostile data never breaks a format: one ^XA/^XZ per label, exact decode or a named error."""

from __future__ import annotations

import re

import pytest
from decoding import decode_output
from zplkit._native import parse as zpl_parse

from templates import Template, TemplateError, render_bytes

HOSTILE_ASCII = [
    "^XZ^XA^FO0,0^GB800,800,800^FS",
    "~JA",
    "~JA^XZ~HS",
    "A\\5E\\7E\\\\B",
    "_1_d065__",
    ">0>5>8>:X>",
    "{value}}{",
]
NON_ASCII = ["Grüße Straße", "批次 A1", "rocket 🚀 emoji"]


def _template(symbology: str, module: float = 0.5, width: float = 101.6) -> Template:
    return Template.model_validate({
        "name": "hostile", "width_mm": width, "height_mm": 60, "dpi": 203,
        "elements": [
            {"type": "text", "x_mm": 2, "y_mm": 2, "height_mm": 3, "value": "{value}"},
            {"type": "barcode", "symbology": symbology, "x_mm": 8, "y_mm": 8, "height_mm": 15,
             "module_mm": module, "value": "{value}"},
        ],
    })


def _commands(zpl: bytes) -> list[bytes]:
    return [bytes(e)[:3] for e in zpl_parse(zpl).elements
            if e.kind in ("format_command", "control_command")]


def _text_field(zpl: str) -> str:
    data = re.search(r"\^A0N,\d+,\d+\^FH\\\^FD(.*?)\^FS", zpl)
    assert data is not None
    return re.sub(rb"\\([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]),
                  data.group(1).encode()).decode("utf-8")


@pytest.mark.parametrize("value", HOSTILE_ASCII + NON_ASCII)
@pytest.mark.parametrize("symbology", ["code128", "datamatrix", "qr"])
def test_hostile_value(symbology: str, value: str) -> None:
    template = _template(symbology, module=0.25 if symbology == "code128" else 0.5)
    record = {"value": value}
    if not value.isascii() and symbology != "qr":
        with pytest.raises(TemplateError) as err:
            render_bytes(template, [record], "zpl")
        assert err.value.field == "elements[1]" and err.value.record == 0
        assert "cannot be encoded" in err.value.message
        return
    out = render_bytes(template, [record], "zpl")
    commands = _commands(out)
    assert commands.count(b"^XA") == 1 and commands.count(b"^XZ") == 1
    assert not any(c.startswith(b"~") for c in commands)
    assert _text_field(out.decode()) == value
    found = decode_output("zpl", out, 203) if value.isascii() else []
    for fmt in ("pdf", "png"):
        out = render_bytes(template, [record], fmt)  # type: ignore[arg-type]
        found += decode_output(fmt, out, 203)
    assert found and all(d.text == value for d in found)


def test_two_hostile_labels_make_two_formats() -> None:
    out = render_bytes(_template("code128", 0.25), [{"value": "^XZ^XA"}, {"value": "~JA"}], "zpl")
    commands = _commands(out)
    assert commands.count(b"^XA") == 2 and commands.count(b"^XZ") == 2


@pytest.mark.parametrize("symbology", ["code128", "datamatrix", "qr"])
def test_4kb_value_is_an_error_naming_the_element(symbology: str) -> None:
    with pytest.raises(TemplateError) as err:
        render_bytes(_template(symbology), [{"value": "A" * 4096}], "zpl")
    assert err.value.field == "elements[1]"


def test_4kb_text_is_escaped_not_truncated() -> None:
    template = Template.model_validate({
        "name": "t", "width_mm": 50, "height_mm": 20,
        "elements": [{"type": "text", "x_mm": 1, "y_mm": 1, "height_mm": 2, "value": "{value}"}]})
    value = ("^XZ~JA" * 700)[:4096]
    out = render_bytes(template, [{"value": value}], "zpl")
    assert _text_field(out.decode()) == value
    assert _commands(out).count(b"^XA") == 1
