"""HIBC and GS1 Digital Link elements: built from the record, refused when they cannot be, and
every symbol decoded by zxing-cpp to exactly the intended text in ZPL, PDF and PNG."""

from __future__ import annotations

import re

import pytest
from decoding import decode_output
from pydantic import ValidationError

import hibc
from templates import Template, TemplateError, render

BASE = "https://id.plant.example"
RECORD = {"value": "SN000123", "lot": "L2604", "expiry": "2027-03-31",
          "fields": {"model": "PUMP7"}, "attributes": {"gtin": "09506000134352"},
          "timezone": "UTC", "digital_link_base": BASE}


def _template(*elements: dict[str, object]) -> Template:
    return Template.from_definition({"name": "medical", "width_mm": 60, "height_mm": 30,
                                     "dpi": 203, "elements": list(elements)})


DIGITAL_LINK = {"type": "barcode", "symbology": "qr", "x_mm": 3, "y_mm": 3,
                "module_mm": 0.5, "digital_link": True,
                "value": "(01){attributes.gtin}(10){lot}(21){value}(17){expiry:%y%m%d}"}
HIBC = {"type": "barcode", "symbology": "datamatrix", "x_mm": 33, "y_mm": 3, "module_mm": 0.5,
        "hibc": {"labeler": "A999", "product": "{fields.model}", "uom": "0", "lot": "{lot}",
                 "serial": "{value}", "expiry": "{expiry}"}}
HIBC_128 = {"type": "barcode", "symbology": "code128", "x_mm": 3, "y_mm": 3, "height_mm": 8,
            "module_mm": 0.25, "hibc": {"labeler": "A999", "product": "{fields.model}",
                                        "uom": "1"}}


@pytest.mark.parametrize("fmt", ["zpl", "pdf", "png"])
@pytest.mark.parametrize("dpi", [203, 300])
def test_digital_link_and_hibc_symbols_decode_to_their_text(fmt: str, dpi: int) -> None:
    label = b"".join(render(_template(DIGITAL_LINK, HIBC), [RECORD], fmt, dpi))
    found = {d.format: d.text for d in decode_output(fmt, label, dpi)}
    assert found["QRCode"] == (f"{BASE}/01/09506000134352/10/L2604/21/SN000123?17=270331")
    read = hibc.read(found["DataMatrix"])
    assert read.check_ok and (read.labeler, read.product, read.uom, read.lot, read.serial,
                              str(read.expiry)) == ("A999", "PUMP7", "0", "L2604", "SN000123",
                                                    "2027-03-31")


@pytest.mark.parametrize("fmt", ["zpl", "png"])
def test_hibc_primary_in_code128_decodes(fmt: str) -> None:
    label = b"".join(render(_template(HIBC_128), [RECORD], fmt, 203))
    assert [d.text for d in decode_output(fmt, label, 203)] == [
        hibc.encode(hibc.Hibc(labeler="A999", product="PUMP7", uom="1"))]


def test_hibc_secondary_alone_links_to_its_primary() -> None:
    secondary = {**HIBC, "hibc": {**HIBC["hibc"], "structure": "secondary"}}  # type: ignore[dict-item]
    below = {**HIBC_128, "y_mm": 19, "hibc": {"labeler": "A999", "product": "{fields.model}",
                                              "uom": "0"}}
    label = b"".join(render(_template(below, secondary), [RECORD], "png", 203))
    primary, second = sorted((d.text for d in decode_output("png", label, 203)),
                             key=lambda t: t[1] == "$")
    assert hibc.read(second).link == primary[-1] and hibc.read(second).lot == "L2604"


@pytest.mark.parametrize(("element", "words"), [
    ({**DIGITAL_LINK, "symbology": "code128", "height_mm": 8}, "a Digital Link goes in"),
    ({**DIGITAL_LINK, "value": "(01)09506000134353(21){value}"}, "check digit"),
    ({**DIGITAL_LINK, "value": "(21){value}"}, "needs (01)"),
    ({**HIBC, "value": "{value}"}, "give no value"),
    ({**HIBC, "symbology": "gs1-datamatrix"}, "HIBC data goes in"),
    ({**HIBC, "hibc": {"labeler": "A999", "product": "1", "uom": "0", "structure": "both"}},
     "needs a lot or a serial"),
    ({**HIBC, "hibc": {"labeler": "A999", "product": "1", "uom": "0", "lot": "L",
                       "structure": "primary"}}, "primary structure carries no lot"),
    ({**HIBC, "hibc": {"labeler": "A999", "product": "{nope}", "uom": "0"}},
     "unknown placeholder"),
    ({**HIBC, "hibc": {"labeler": "A999", "product": "1", "uom": "0", "colour": "red"}},
     "Extra inputs"),
])
def test_bad_elements_are_refused_when_defined(element: dict[str, object], words: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(words)):
        _template(element)


@pytest.mark.parametrize(("record", "where", "words"), [
    ({**RECORD, "digital_link_base": None}, "elements[1]", "LABELSVC_DIGITAL_LINK_BASE"),
    ({**RECORD, "attributes": {"gtin": "09506000134353"}}, "elements[1]", "check digit"),
    ({**RECORD, "value": "sn-1"}, "elements[0]", "HIBC serial 'sn-1'"),
    ({**RECORD, "expiry": "31.03.2027"}, "elements[0]", "HIBC expiry needs a date"),
])
def test_records_that_cannot_make_the_symbol_are_refused_naming_the_element(
        record: dict[str, object], where: str, words: str) -> None:
    with pytest.raises(TemplateError, match=re.escape(words)) as refused:
        b"".join(render(_template(HIBC, DIGITAL_LINK), [record], "zpl", 203))
    assert refused.value.field == where


def test_hibc_quantity_is_a_whole_number() -> None:
    element = {**HIBC, "hibc": {**HIBC["hibc"], "quantity": "{quantity}"}}  # type: ignore[dict-item]
    ok = b"".join(render(_template(element), [{**RECORD, "quantity": "25.000000"}], "png", 203))
    assert hibc.read(decode_output("png", ok, 203)[0].text).quantity == 25
    with pytest.raises(TemplateError, match="whole number"):
        b"".join(render(_template(element), [{**RECORD, "quantity": "2.5"}], "png", 203))
