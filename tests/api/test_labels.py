"""Rendering endpoint: ZPL, PDF and PNG of issued identifiers decode exactly; errors are keyed."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path
from typing import Any

import pytest
import zplkit
from PIL import Image

pytestmark = pytest.mark.xdist_group("api-labels")

_spec = importlib.util.spec_from_file_location(
    "label_decoding", Path(__file__).parents[1] / "unit" / "templates" / "decoding.py")
assert _spec is not None and _spec.loader is not None
decoding = sys.modules.setdefault("label_decoding", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(decoding)

WIDGET = {"model": "WIDGET-100", "site": "munich"}
GTIN = "09506000134352"
HOSTILE = "^XZ^XA~JR\\&^FS~DGR:X.GRF,1,1,FF"


def _issue_serials(api: Any, count: int, **extra: Any) -> list[str]:
    r = api.post("/api/v1/serials", {"scheme": "acme-serial", "fields": WIDGET, "count": count,
                                     **extra}, role="line")
    assert r.status_code == 201, r.get_json()
    return [i["value"] for i in r.get_json()["identifiers"]]


def _render(api: Any, role: str = "viewer", **body: Any) -> Any:
    return api.post("/api/v1/labels/render", body, role=role)


def _zpl_decoded(zpl: bytes, dpi: int) -> list[set[tuple[str, str]]]:
    doc = zplkit.render(zpl, zplkit.Options(profile="zd621", dpi=dpi))
    return [{(d.identifier, d.text) for d in decoding.decode(Image.open(io.BytesIO(lbl.png())))}
            for lbl in doc.labels]


@pytest.fixture(scope="module")
def serials(api: Any) -> list[str]:
    """Three serials of the seeded acme-serial scheme."""
    return _issue_serials(api, 3)


@pytest.mark.parametrize("dpi", [203, 300])
def test_zpl_has_one_format_per_identifier_and_each_decodes(api, serials, dpi):
    r = _render(api, template="serial-50x25", format="zpl", dpi=dpi, identifiers=serials)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.mimetype == "application/zpl"
    assert int(r.headers["Content-Length"]) == len(r.data)
    assert r.data.count(b"^XA") == r.data.count(b"^XZ") == 3
    assert _zpl_decoded(r.data, dpi) == [{("]C0", v), ("]d1", v)} for v in serials]


@pytest.mark.parametrize("dpi", [203, 300])
def test_pdf_has_one_page_per_identifier_and_each_decodes(api, serials, dpi):
    r = _render(api, template="serial-50x25", format="pdf", dpi=dpi, identifiers=serials)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    pages = decoding.pdf_images(r.data, dpi)
    assert [{(d.identifier, d.text) for d in decoding.decode(p)} for p in pages] == \
        [{("]C0", v), ("]d1", v)} for v in serials]


@pytest.mark.parametrize("dpi", [203, 300, 600])
def test_png_is_the_first_label_at_the_exact_size(api, serials, dpi):
    r = _render(api, template="serial-50x25", format="png", dpi=dpi, identifiers=serials)
    assert r.status_code == 200 and r.mimetype == "image/png"
    img = decoding.png_image(r.data)
    dpmm = {203: 8, 300: 12, 600: 24}[dpi]
    assert img.size == (round(50.8 * dpmm), round(25.4 * dpmm))
    assert round(img.info["dpi"][0]) == dpi
    assert {(d.identifier, d.text) for d in decoding.decode(img)} == \
        {("]C0", serials[0]), ("]d1", serials[0])}


def test_lot_labels_use_the_lot_and_its_attributes(api):
    r = api.post("/api/v1/lots", {"scheme": "acme-lot", "fields": {"site": "munich", "line": "B"},
                                  "quantity": 40, "uom": "pcs", "expiry": "2027-03-31",
                                  "supplier": "Bolt GmbH", "supplier_lot": "S-4711/B",
                                  "attributes": {"gtin": GTIN}}, role="receiver")
    assert r.status_code == 201, r.get_json()
    lot = r.get_json()["identifiers"][0]["value"]
    r = _render(api, template="receiving-100x50", format="png", identifiers=[lot])
    assert r.status_code == 200, r.get_data(as_text=True)
    found = {(d.identifier, d.text) for d in decoding.decode(decoding.png_image(r.data))}
    assert found == {("]C0", lot),
                     ("]d2", f"01{GTIN}17270331" f"10{lot}\x1d" "21S-4711/B")}


def test_gs1_qr_template_renders_for_serials_of_a_lot(api, problem):
    qr = {"type": "barcode", "symbology": "gs1-qr", "x_mm": 4, "y_mm": 4, "module_mm": 0.5,
          "value": "(01){attributes.gtin}(10){lot}(21){value}"}
    assert api.post("/api/v1/templates", {"name": "qr-40x40", "width_mm": 40, "height_mm": 40,
                                          "elements": [qr]}).status_code == 201
    lot = api.post("/api/v1/lots", {"scheme": "acme-lot", "fields": {"site": "austin",
                                                                     "line": "C"},
                                     "attributes": {"gtin": GTIN}}, role="receiver")
    lot_value = lot.get_json()["identifiers"][0]["value"]
    values = _issue_serials(api, 2, lot=lot_value)
    for fmt in ("zpl", "pdf", "png"):
        r = _render(api, template="qr-40x40", format=fmt, dpi=300, identifiers=values)
        assert r.status_code == 200, r.get_data(as_text=True)
        found = decoding.decode_output(fmt, r.data, 300)
        assert [(d.identifier, d.text) for d in found] == \
            [("]Q3", f"01{GTIN}10{lot_value}\x1d21{values[0]}")]


def test_hostile_attribute_values_cannot_break_out_of_their_field(api):
    values = _issue_serials(api, 4, attributes={"note": HOSTILE})
    template = {"name": "note-150x25", "width_mm": 152.4, "height_mm": 25.4, "elements": [
        {"type": "text", "x_mm": 2, "y_mm": 2, "height_mm": 3, "value": "{attributes.note}"},
        {"type": "barcode", "symbology": "code128", "x_mm": 3, "y_mm": 8, "height_mm": 8,
         "module_mm": 0.25, "value": "{attributes.note}"}]}
    assert api.post("/api/v1/templates", template).status_code == 201
    r = _render(api, template="note-150x25", format="zpl", identifiers=values)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.data.count(b"^XA") == r.data.count(b"^XZ") == 4
    assert b"~JR" not in r.data and b"~DG" not in r.data
    assert [texts for texts in _zpl_decoded(r.data, 203)] == [{("]C0", HOSTILE)}] * 4


def test_label_from_data_alone(api, problem):
    data = {"value": "4172647001232", "fields": {"model": "WIDGET-200"}}
    r = _render(api, template="serial-50x25", format="png", data=data)
    assert r.status_code == 200
    found = {(d.identifier, d.text) for d in decoding.decode(decoding.png_image(r.data))}
    assert found == {("]C0", "4172647001232"), ("]d1", "4172647001232")}
    body = problem(_render(api, template="serial-50x25", format="pdf", data={"value": "X"}),
                   422, "validation-error")
    assert "{fields.model}" in body["errors"]["elements[0]"]


def test_gs1_content_breaking_a_rule_is_a_422_naming_the_ai_and_the_rule(api, problem):
    base = {"width_mm": 50.8, "height_mm": 25.4, "elements": [
        {"type": "barcode", "symbology": "gs1-datamatrix", "x_mm": 2, "y_mm": 2,
         "module_mm": 0.5, "value": ""}]}

    def template(name, value):
        return {**base, "name": name, "elements": [{**base["elements"][0], "value": value}]}

    body = problem(api.post("/api/v1/templates", template("gs1-bad", "(01)09506000134352(426)987")),
                   422, "validation-error")
    assert "(426)" in body["errors"]["elements[0]"] and "ISO 3166" in body["errors"]["elements[0]"]
    body = problem(api.post("/api/v1/templates", template("gs1-lone", "(21){value}")),
                   422, "validation-error")
    assert "(21) SERIAL needs (01)" in body["errors"]["elements[0].value"]
    value = "(01)09506000134352(422){attributes.origin}(21){value}"
    assert api.post("/api/v1/templates", template("gs1-origin", value)).status_code == 201
    good = _render(api, template="gs1-origin", format="zpl",
                   data={"value": "S1", "attributes": {"origin": "276"}})
    assert good.status_code == 200
    body = problem(_render(api, template="gs1-origin", format="zpl",
                           data={"value": "S1", "attributes": {"origin": "987"}}),
                   422, "validation-error")
    assert "(422) ORIGIN '987': 987 is not an ISO 3166" in body["errors"]["elements[0]"]


def test_unknown_identifiers_are_named(api, serials, problem):
    body = problem(_render(api, template="serial-50x25", format="zpl",
                           identifiers=[serials[0], "NO-SUCH-1", serials[1], "NO-SUCH-2"]),
                   422, "validation-error")
    assert body["errors"] == {"identifiers[1]": "NO-SUCH-1 is not in the registry",
                              "identifiers[3]": "NO-SUCH-2 is not in the registry"}


def test_a_label_that_cannot_render_fails_the_whole_render(api, serials, problem):
    template = {"name": "gtin-50x25", "width_mm": 50.8, "height_mm": 25.4, "elements": [
        {"type": "text", "x_mm": 2, "y_mm": 2, "height_mm": 3, "value": "GTIN {attributes.gtin}"},
        {"type": "barcode", "symbology": "code128", "x_mm": 3, "y_mm": 8, "height_mm": 8,
         "module_mm": 0.25, "value": "{value}"}]}
    assert api.post("/api/v1/templates", template).status_code == 201
    with_gtin = _issue_serials(api, 2, attributes={"gtin": GTIN})
    for fmt in ("zpl", "pdf"):
        assert _render(api, template="gtin-50x25", format=fmt,
                       identifiers=with_gtin).status_code == 200
        body = problem(_render(api, template="gtin-50x25", format=fmt,
                               identifiers=[*with_gtin, serials[0]]), 422, "validation-error")
        message = "placeholder {attributes.gtin} has no value for this record"
        assert body["errors"] == {"elements[0]": message,
                                  "identifiers[2]": f"{serials[0]}: {message}"}
        assert body["detail"].startswith(f"the label cannot be rendered for {serials[0]}")


def test_request_errors(api, serials, problem):
    problem(_render(api, template="missing", format="zpl", identifiers=serials), 404,
            "not-found")
    body = problem(_render(api, template="serial-50x25", format="gif", identifiers=serials),
                   422, "validation-error")
    assert "format" in body["errors"]
    body = problem(_render(api, template="serial-50x25", format="zpl", dpi=250,
                           identifiers=serials), 422, "validation-error")
    assert "dpi" in body["errors"]
    body = problem(_render(api, template="serial-50x25", format="zpl"), 422, "validation-error")
    assert "identifiers" in body["errors"]
    body = problem(_render(api, template="serial-50x25", format="zpl", identifiers=serials,
                           data={"value": "x"}), 422, "validation-error")
    assert "identifiers" in body["errors"]


def test_every_role_may_render_but_a_token_is_needed(api, serials, problem):
    for role in ("viewer", "line", "receiver", "admin"):
        r = _render(api, role=role, template="serial-50x25", format="zpl", identifiers=serials)
        assert r.status_code == 200
    problem(api.post("/api/v1/labels/render", {"template": "serial-50x25", "format": "zpl",
                                               "identifiers": serials}, role=None),
            401, "unauthorized")


ZPL = ("^XA^FO20,20^A0N,24,24^FDNote: {attributes.note}^FS"
       "^FO20,60^BY2^BCN,80,N,N,N^FD{value}^FS^XZ")


def test_zpl_format_is_filled_escaped_and_printable(api, problem):
    assert api.post("/api/v1/templates", {"name": "byo-note", "zpl": ZPL, "width_mm": 76.2,
                                          "height_mm": 25.4, "dpi": 203}).status_code == 201
    values = _issue_serials(api, 2, attributes={"note": HOSTILE})
    r = _render(api, template="byo-note", format="zpl", identifiers=values)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.data.count(b"^XA") == r.data.count(b"^XZ") == 2
    assert b"~JR" not in r.data
    assert _zpl_decoded(r.data, 203) == [{("]C0", v)} for v in values]
    r = _render(api, template="byo-note", format="png", identifiers=values)
    assert r.status_code == 200
    img = decoding.png_image(r.data)
    assert img.size == (610, 203)
    assert {(d.identifier, d.text) for d in decoding.decode(img)} == {("]C0", values[0])}
    r = api.get(f"/api/v1/templates/byo-note/preview.png?identifier={values[1]}")
    assert {(d.identifier, d.text) for d in decoding.decode(decoding.png_image(r.data))} == \
        {("]C0", values[1])}
    body = problem(_render(api, template="byo-note", format="pdf", identifiers=values), 422,
                   "validation-error")
    assert "ZPL or PNG" in body["errors"]["format"]
    body = problem(_render(api, template="byo-note", format="zpl", identifiers=_issue_serials(
        api, 1)), 422, "validation-error")
    assert "{attributes.note}" in body["errors"]["fields[0]"]
    assert "identifiers[0]" in body["errors"]


def test_preview_of_an_identifier_decodes_to_it(api, serials, problem):
    r = api.get(f"/api/v1/templates/serial-50x25/preview.png?dpi=300&identifier={serials[2]}")
    assert r.status_code == 200
    img = decoding.png_image(r.data)
    assert img.size == (round(50.8 * 12), round(25.4 * 12))
    assert {(d.identifier, d.text) for d in decoding.decode(img)} == \
        {("]C0", serials[2]), ("]d1", serials[2])}
    body = problem(api.get("/api/v1/templates/serial-50x25/preview.png?identifier=NOPE"), 422,
                   "validation-error")
    assert "identifiers[0]" in body["errors"]


def test_service_contract_streams_records_and_labels_in_order(api, db):
    from sqlalchemy import select

    from labelsvc.registry.models import identifiers
    from labelsvc.services.labels import iter_render, load_template, render_records

    lot = api.post("/api/v1/lots", {"scheme": "acme-lot", "fields": {"site": "austin",
                                                                     "line": "D"},
                                    "attributes": {"gtin": GTIN}}, role="receiver")
    lot_value = lot.get_json()["identifiers"][0]["value"]
    values = _issue_serials(api, 2, lot=lot_value)
    austin = _issue_serials(api, 1, fields={"model": "WIDGET-200", "site": "austin"})
    values_in_order = [values[1], values[0], values[1], *austin]
    with db.transaction(write=False) as conn:
        ids = {r.value: r.id for r in conn.execute(
            select(identifiers.c.value, identifiers.c.id)
            .where(identifiers.c.value.in_(values_in_order)))}
        order = [ids[v] for v in values_in_order]
        records = list(render_records(conn, order))
        labels = list(iter_render(conn, load_template(conn, "serial-50x25"), order, "zpl"))
    assert [r["value"] for r in records] == values_in_order
    assert records[0]["lot_record"]["value"] == lot_value
    assert records[0]["lot_record"]["attributes"] == {"gtin": GTIN}
    assert records[0]["timezone"] == "Europe/Berlin" and records[3]["timezone"] == \
        "America/Chicago"
    assert records[3]["lot_record"] is None
    assert len(labels) == 4 and all(b.startswith(b"^XA") and b.endswith(b"^XZ\n")
                                    for b in labels)
    assert [values_in_order[i].encode() in label for i, label in enumerate(labels)] == [True] * 4
