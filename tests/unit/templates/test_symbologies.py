"""Each symbology decodes exactly in ZPL, PDF and PNG at 203 and 300 dpi; the registry is strict."""

from __future__ import annotations

import pytest
from decoding import decode_output

from templates import SYMBOLOGIES, Symbology, Template, TemplateError, register, render_bytes
from templates.symbologies.matrix import SQUARE_SIZES, square_side

LINEAR_NARROW = {"code128", "gs1-128", "code39"}
CASES = [
    ("code128", "AB>C^1234567x~\\_", "]C0", "AB>C^1234567x~\\_"),
    ("code128", "12345678", "]C0", "12345678"),
    ("code39", "ABC-12 $/+%.", "]A0", "ABC-12 $/+%."),
    ("ean13", "629104150021", "]E0", "6291041500213"),
    ("upca", "03600029145", "]E0", "0036000291452"),
    ("itf14", "1061414100001", "]I1", "10614141000019"),
    ("datamatrix", "lot_7 >~^\\", "]d1", "lot_7 >~^\\"),
    ("qr", "https://id.gs1.org/01/09506000134352/10/ABC", "]Q1",
     "https://id.gs1.org/01/09506000134352/10/ABC"),
    ("qr", "Größe 10µm 批次", "]Q1", "Größe 10µm 批次"),
    ("gs1-128", "(01)09506000134352(10)AB>1(21)X", "]C1", "0109506000134352" "10AB>1\x1d21X"),
    ("gs1-datamatrix", "(01)09506000134352(10)A_B(422)276(17)260630", "]d2",
     "0109506000134352" "10A_B\x1d422276\x1d17260630"),
    ("gs1-qr", "(01)09506000134352(10)AB%c1(21)X", "]Q3", "0109506000134352" "10AB%c1\x1d21X"),
    ("gs1-qr", "(00)106141411234567897", "]Q3", "00106141411234567897"),
    ("gs1-qr", "(01)09506000134352(17)260630(10)lot/7-b(21)1234567890123", "]Q3",
     "01095060001343521726063010lot/7-b\x1d211234567890123"),
]


def _template(symbology: str, value: str) -> Template:
    return Template.model_validate({
        "name": "one", "width_mm": 101.6, "height_mm": 60, "dpi": 203,
        "elements": [{"type": "barcode", "symbology": symbology, "x_mm": 8, "y_mm": 8,
                      "height_mm": 20, "module_mm": 0.25 if symbology in LINEAR_NARROW else 0.5,
                      "value": value.replace("{", "{{").replace("}", "}}")}],
    })


@pytest.mark.parametrize("fmt", ["zpl", "pdf", "png"])
@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize(("symbology", "value", "identifier", "text"), CASES)
def test_symbology_decodes(symbology: str, value: str, identifier: str, text: str, dpi: int,
                           fmt: str) -> None:
    out = render_bytes(_template(symbology, value), [{}], fmt, dpi)  # type: ignore[arg-type]
    found = [(d.identifier, d.text) for d in decode_output(fmt, out, dpi)]
    assert found == [(identifier, text)]


def test_zpl_uses_native_commands() -> None:
    natives = {"code128": "^BC", "gs1-128": "^BC", "code39": "^B3", "ean13": "^BE",
               "upca": "^BU", "itf14": "^B2", "datamatrix": "^BX", "gs1-datamatrix": "^BX",
               "qr": "^BQ"}
    for symbology, value, _, _ in CASES:
        out = render_bytes(_template(symbology, value), [{}], "zpl").decode()
        if symbology == "gs1-qr":  # ^BQ has no FNC1-first mode that renders exactly
            assert "^GF" in out and "^BQ" not in out
        elif value.isascii():
            assert natives[symbology] in out and "^GF" not in out
        else:
            assert "^GF" in out
        assert out.count("^BY") == out.count("^B") - out.count("^BY")


def test_gs1_128_starts_with_fnc1_and_separates_variable_fields() -> None:
    out = render_bytes(_template("gs1-128", "(01)09506000134352(10)AB(21)X"), [{}], "zpl").decode()
    assert "^BCN,160,N,N,N,N^FH\\^FD>;>8010950600013435210>6AB>821X^FS" in out


def test_datamatrix_size_matches_the_encoder() -> None:
    for n in (1, 3, 4, 17, 60, 200, 1500):
        data = "A" * n
        assert square_side(data) == len(SYMBOLOGIES["datamatrix"].encode(data).rows)
    with pytest.raises(TemplateError):
        square_side("A" * (SQUARE_SIZES[-1][1] + 1))


def test_register_refuses_duplicates_and_bad_slugs() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register(type("Again", (type(SYMBOLOGIES["qr"]),), {}))

    class Bad(Symbology):
        slug = "Bad_Slug"
        quiet = 1

        def prepare(self, data: str) -> str:
            return data

        def encode(self, data: str):  # type: ignore[no-untyped-def]
            raise NotImplementedError

    with pytest.raises(ValueError, match="lower-case-hyphen"):
        register(Bad)


@pytest.mark.parametrize(("symbology", "value", "words"), [
    ("ean13", "6291041500214", "check digit"),
    ("ean13", "12345", "12 digits"),
    ("code39", "abc", "cannot be encoded"),
    ("code128", "tab\there", "cannot be encoded"),
    ("gs1-128", "(01)09506000134352(21)" + "A" * 20 + "(10)" + "B" * 20, "48"),
])
def test_data_the_symbology_cannot_carry(symbology: str, value: str, words: str) -> None:
    with pytest.raises(TemplateError, match=words) as err:
        render_bytes(_template(symbology, value), [{}], "pdf")
    assert err.value.field == "elements[0]"
