"""Definition errors, placeholders, GS1 rules, geometry, streaming and bring-your-own ZPL."""

from __future__ import annotations

import io
import re

import pytest
from decoding import decode, pdf_images, png_image, zpl_image
from label_records import GTIN, RECORDS
from pydantic import ValidationError

from templates import (
    Template,
    TemplateError,
    ZplTemplate,
    field_errors,
    gs1,
    render,
    render_bytes,
    render_to,
    shipped_templates,
)
from templates.layout import Text, layout, text_area

BASE = {"name": "t", "width_mm": 50.8, "height_mm": 25.4, "dpi": 203}


def _errors(elements: list[dict[str, object]], **extra: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as err:
        Template.model_validate({**BASE, **extra, "elements": elements})
    return field_errors(err.value)


def test_definition_errors_are_keyed_by_element() -> None:
    errors = _errors([
        {"type": "text", "x_mm": 1, "y_mm": 1, "height_mm": 2, "value": "ok"},
        {"type": "barcode", "symbology": "pdf417", "x_mm": 1, "y_mm": 1, "module_mm": 1,
         "value": "x"},
        {"type": "text", "x_mm": 1, "y_mm": 1, "height_mm": 2, "value": "{attributes}"},
        {"type": "circle", "x_mm": 1, "y_mm": 1},
        {"type": "barcode", "symbology": "code128", "x_mm": 1, "y_mm": 1, "module_mm": 1,
         "value": "x"},
        {"type": "box", "x_mm": 1, "y_mm": 1, "height_mm": 2},
        {"type": "barcode", "symbology": "gs1-datamatrix", "x_mm": 1, "y_mm": 1,
         "module_mm": 1, "value": "{value}(21)"},
    ], dpi=250)
    assert set(errors) == {"dpi", "elements[1].symbology", "elements[2]", "elements[3]",
                           "elements[4]", "elements[5].width_mm", "elements[6]"}
    assert "unknown symbology" in errors["elements[1].symbology"]
    assert "unknown placeholder {attributes}" in errors["elements[2]"]
    assert "height_mm" in errors["elements[4]"]
    assert "start with an AI" in errors["elements[6]"]


def test_unknown_ai_is_refused_at_definition() -> None:
    errors = _errors([{"type": "barcode", "symbology": "gs1-128", "x_mm": 1, "y_mm": 1,
                       "height_mm": 5, "module_mm": 0.25, "value": "(01){value}(9999)x"}])
    assert "(9999) is not a GS1 Application Identifier" in errors["elements[0]"]


def test_extra_keys_are_allowed() -> None:
    t = Template.model_validate({**BASE, "description": "d", "elements": [
        {"type": "text", "x_mm": 1, "y_mm": 1, "height_mm": 2, "value": "{value}", "font": "0"}]})
    assert t.placeholders == {"value"}


def _one(value: str, symbology: str | None = None, **geometry: float) -> Template:
    element: dict[str, object] = {"type": "text", "x_mm": 1, "y_mm": 1, "height_mm": 2,
                                  "value": value}
    if symbology:
        element = {"type": "barcode", "symbology": symbology, "x_mm": 4, "y_mm": 2,
                   "height_mm": 10, "module_mm": 0.25, "value": value, **geometry}
    return Template.model_validate({**BASE, "elements": [element]})


def _text(template: Template, record: dict[str, object]) -> str:
    zpl = render_bytes(template, [record], "zpl").decode()
    found = re.search(r"\^FD(.*?)\^FS", zpl)
    assert found
    return found.group(1)


def test_placeholders_fill_from_record_lot_and_dates() -> None:
    record = {"value": "S1", "fields": {"model": "W-1"}, "attributes": {},
              "lot_record": {"attributes": {"supplier": "ACME"}},
              "issued_at": "2026-12-31T23:30:00+00:00", "timezone": "Europe/Berlin",
              "expiry": "2027-02-28"}
    t = _one("{fields.model}/{value}/{attributes.supplier}/{issued_at:%Y-%m-%d}/"
             "{expiry:%y%m%d}/{{x}}")
    assert _text(t, record) == "W-1/S1/ACME/2027-01-01/270228/{x}"


@pytest.mark.parametrize(("record", "words"), [
    ({"value": "S1"}, "placeholder {lot} has no value"),
    ({"value": "S1", "lot": "L", "expiry": "soon"}, "needs a date"),
    ({"value": "S1", "lot": "L", "expiry": 5}, "needs a date"),
])
def test_render_errors_name_element_and_placeholder(record: dict[str, object], words: str) -> None:
    t = Template.model_validate({**BASE, "elements": [
        {"type": "text", "x_mm": 1, "y_mm": 1, "height_mm": 2, "value": "{value}"},
        {"type": "text", "x_mm": 1, "y_mm": 5, "height_mm": 2, "value": "{lot} {expiry:%Y}"}]})
    with pytest.raises(TemplateError, match=re.escape(words)) as err:
        render_bytes(t, [{"value": "ok", "lot": "L", "expiry": "2026-01-01"}, record], "pdf")
    assert (err.value.field, err.value.record) == ("elements[1]", 1)


def test_gs1_ais_come_from_the_template_not_the_data() -> None:
    t = _one("(01){attributes.gtin}(21){value}", "gs1-datamatrix", module_mm=0.5)
    record = {"value": "A(10)B", "attributes": {"gtin": GTIN}}
    found = decode(png_image(render_bytes(t, [record], "png")))
    assert [(d.identifier, d.text) for d in found] == [("]d2", f"01{GTIN}21A(10)B")]


@pytest.mark.parametrize(("ai", "data", "words"), [
    ("01", "09506000134353", "check digit"),
    ("00", "106141411234567898", "check digit"),
    ("17", "261399", "(17)"),
    ("10", "A" * 21, "1 to 20"),
    ("21", "AB^C", "set 82"),
    ("01", "123", "exactly 14 digits"),
])
def test_gs1_validation(ai: str, data: str, words: str) -> None:
    with pytest.raises(TemplateError, match=re.escape(words)):
        gs1.validate(ai, data)


def test_fnc1_after_variable_length_never_after_last() -> None:
    elements = (("01", GTIN), ("10", "L1"), ("422", "276"), ("17", "260630"), ("21", "S"))
    assert gs1.element_string(elements) == f"01{GTIN}10L1\x1d422276\x1d17260630" "21S"
    assert gs1.hri(elements) == f"(01){GTIN}(10)L1(422)276(17)260630(21)S"


def test_symbol_outside_the_label_is_an_error_not_a_clipped_code() -> None:
    t = _one("{value}", "code128", x_mm=1)
    with pytest.raises(TemplateError, match="quiet zones") as err:
        render_bytes(t, [{"value": "AB"}], "png")
    assert err.value.field == "elements[0]"
    with pytest.raises(TemplateError, match="across"):
        render_bytes(_one("{value}", "code128"), [{"value": "X" * 40}], "zpl")


def test_positions_and_modules_snap_to_whole_dots_per_dpi() -> None:
    t = _one("{value}", "code128", x_mm=3.1, y_mm=2.04, module_mm=0.25)
    z203 = render_bytes(t, [{"value": "A"}], "zpl", 203).decode()
    z300 = render_bytes(t, [{"value": "A"}], "zpl", 300).decode()
    assert "^PW406^LL203" in z203 and "^FO25,16^BY2^BCN,80," in z203
    assert "^PW610^LL305" in z300 and "^FO37,24^BY3^BCN,120," in z300


@pytest.mark.parametrize("dpi", [203, 300, 600])
def test_png_size_and_dpi(dpi: int) -> None:
    t = shipped_templates()["serial-50x25"]
    img = png_image(render_bytes(t, [RECORDS["serial-50x25"]], "png", dpi))
    dpmm = {203: 8, 300: 12, 600: 24}[dpi]
    assert img.size == (round(50.8 * dpmm), round(25.4 * dpmm))
    assert round(img.info["dpi"][0]) == dpi


def test_pdf_is_vector_with_one_page_per_label() -> None:
    t = shipped_templates()["serial-50x25"]
    records = [{"value": f"41726470{n:05d}", "fields": {"model": "W"}} for n in range(30)]
    pdf = render_bytes(t, records, "pdf")
    assert b"/Subtype /Image" not in pdf
    pages = pdf_images(pdf, 203)
    assert len(pages) == 30
    assert {d.text for d in decode(pages[29])} == {records[29]["value"]}
    assert pages[0].size == (406, 203)


def test_render_streams_lazily() -> None:
    t = shipped_templates()["serial-50x25"]
    consumed = []

    def records():  # type: ignore[no-untyped-def]
        for n in range(100_000):
            consumed.append(n)
            yield {"value": f"S{n}", "fields": {"model": "W"}}

    chunks = render(t, records(), "zpl")
    first = next(chunks)
    assert first.startswith(b"^XA") and len(consumed) == 1
    buf = io.BytesIO()
    assert render_to(t, ({"value": f"S{n}", "fields": {"model": "W"}} for n in range(50)),
                     "pdf", buf) == len(buf.getvalue())


def test_byo_zpl_fill_escapes_and_previews() -> None:
    fmt = ZplTemplate("^XA^FO20,20^A0N,30,30^FDLot {lot}^FS"
                    "^FO20,60^BY2^BCN,80,N,N,N^FD{value}^FS"
                    "^FO20,160^BXN,5,200,,,,_^FD{fields.part}^FS^XZ")
    assert fmt.placeholders == {"lot", "value", "fields.part"}
    record = {"lot": "^XZ~JA\\", "value": "A>B^C~", "fields": {"part": "P_1~^"}}
    filled = fmt.fill(record)
    assert filled.count("^XA") == 1 and filled.count("^XZ") == 1 and "~JA" not in filled
    found = {(d.identifier, d.text) for d in decode(zpl_image(filled.encode(), 203))}
    assert found == {("]C0", "A>B^C~"), ("]d1", "P_1~^")}
    assert fmt.preview_png(record).startswith(b"\x89PNG")
    with pytest.raises(TemplateError, match="unknown placeholder"):
        ZplTemplate("^XA^FD{nope}^FS^XZ")


def test_byo_zpl_escapes_with_the_indicator_in_force_for_each_field() -> None:
    # As in a public carrier label: an empty ^FD, then ^FH_ and the real ^FD of the field.
    fmt = ZplTemplate("^XA^CI28^FT30,60^A0N,30,30^FD ^FH_^FD{value}^FS"
                      "^FO30,120^A0N,30,30^FH^FD{lot}^FS"
                      "^FO30,180^A0N,30,30^FD{fields.part}^FS^XZ")
    filled = fmt.fill({"value": "^XZ~Grüße_", "lot": "a_b", "fields": {"part": "c\\d"}})
    first, second, third = filled.split("^FS")[:3]
    assert first.endswith("^FD ^FH_^FD_5EXZ_7EGr_C3_BC_C3_9Fe_5F")
    assert second.endswith("^FH^FDa_5Fb")  # ^FH alone: `_` is the indicator
    assert third.endswith("^FH\\^FDc\\5Cd")  # no ^FH: we add ours


def test_text_with_a_width_is_condensed_then_cut() -> None:
    t = Template.model_validate({**BASE, "elements": [
        {"type": "text", "x_mm": 2, "y_mm": 2, "height_mm": 3, "width_mm": 30,
         "value": "{attributes.supplier}"}]})
    plan = layout(t, 203)
    short, longer, endless = ({"attributes": {"supplier": s}} for s in
                              ("Bolt GmbH", "Schraubenwerk Müller GmbH", "Schrauben " * 20))
    assert plan.ops(short) == [Text(16, 16, 24, "Bolt GmbH")]
    condensed = plan.ops(longer)[0]
    assert isinstance(condensed, Text) and condensed.text == "Schraubenwerk Müller GmbH"
    assert 0.6 <= condensed.scale < 1
    cut = plan.ops(endless)[0]
    assert isinstance(cut, Text) and cut.text.startswith("Schrauben Schrauben")
    assert cut.text.endswith("...") and cut.scale <= 0.6
    for op in (condensed, cut):
        assert text_area(op).w <= 30 * 8
    zpl = render_bytes(t, [longer], "zpl").decode()
    assert f"^A0N,24,{int(24 * condensed.scale)}^" in zpl
