"""The GS1 Digital Link resolver: public pages and linksets of issued units, nothing else
exposed; an admin decides what is public; unknown or malformed links are 404s."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from labelsvc.services import labels

pytestmark = pytest.mark.xdist_group("api-digital-link")
BASE = "https://id.plant.example"
GTIN = "09506000134352"
LINKSET = "application/linkset+json"


@pytest.fixture(scope="module")
def app(database_url):
    """The application with a Digital Link base."""
    from labelsvc import create_app

    application = create_app({"TESTING": True, "DATABASE_URL": database_url,
                              "SEED_EXAMPLES": True, "LOG_LEVEL": "WARNING",
                              "DIGITAL_LINK_BASE": BASE})
    yield application
    labels.SETTINGS.digital_link_base = None
    application.extensions["labelsvc.db"].dispose()


@pytest.fixture(scope="module")
def units(api):
    """A lot with a GTIN and an expiry, a serial in it, another serial, and an SSCC."""
    api.post("/api/v1/schemes", {"name": "dl-lot", "kind": "lot", "pattern": "DLL{seq:4}"})
    api.post("/api/v1/schemes", {"name": "dl-ser", "kind": "serial",
                                 "pattern": "{model}{seq:6}",
                                 "codes": {"model": {"PUMP-7": "P7"}}})
    lot = api.post("/api/v1/lots", {
        "scheme": "dl-lot", "expiry": "2027-06-30", "supplier": "Secret Supplier GmbH",
        "supplier_lot": "SUP-LOT-9", "attributes": {"gtin": GTIN, "note": "internal only"}},
        role="receiver").get_json()["identifiers"][0]["value"]
    serial, other = (i["value"] for i in api.post("/api/v1/serials", {
        "scheme": "dl-ser", "fields": {"model": "PUMP-7"}, "lot": lot, "count": 2,
        "attributes": {"customer": "ACME hospital"}}, role="line").get_json()["identifiers"])
    sscc = api.post("/api/v1/serials", {"scheme": "sscc", "fields": {
        "ext": "0", "company_prefix": "123456789"}}, role="line").get_json()["identifiers"][0]
    return {"lot": lot, "serial": serial, "other": other, "sscc": sscc["value"]}


def test_linkset_of_a_serial_names_its_public_page(api, units):
    path = f"/01/{GTIN}/21/{units['serial']}"
    r = api.client.get(path, headers={"Accept": LINKSET})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.mimetype == LINKSET
    body = r.get_json()
    anchor = BASE + path
    assert body["linkset"][0]["anchor"] == anchor
    assert body["linkset"][0]["https://gs1.org/voc/defaultLink"] == [{
        "href": anchor, "title": f"Status of (01) {GTIN} (21) {units['serial']}",
        "type": "text/html", "hreflang": ["en"]}]
    assert api.client.get(path + "?linkType=all").get_json() == body
    assert api.client.get(path, headers={"Accept": "application/json"}).get_json() == body


def test_lot_serial_in_lot_and_sscc_resolve(api, units):
    for path in (f"/01/{GTIN}/10/{units['lot']}", f"/01/{GTIN}/10/{units['lot']}/21/"
                 f"{units['serial']}", f"/00/{units['sscc']}"):
        r = api.client.get(path + "?linkType=all")
        assert r.status_code == 200, path
        assert r.get_json()["linkset"][0]["anchor"] == BASE + path


@pytest.mark.parametrize("path", [
    "/01/{gtin}/21/NOSUCH1",                       # unknown serial
    "/01/09506000134369/21/{serial}",              # another GTIN (valid check digit)
    "/01/09506000134353/21/{serial}",              # bad check digit
    "/01/9506000134352/21/{serial}",               # a short GTIN is never padded
    "/01/{gtin}/10/{serial}",                      # a serial is not a lot
    "/01/{gtin}/21/{lot}",                         # a lot is not a serial
    "/01/{gtin}/10/{lot}X/21/{serial}",            # not the serial's lot
    "/00/{serial}",                                # not an SSCC
    "/00/123456789012345678",                      # bad SSCC check digit
    "/01/{gtin}/21/%C3%A9",                        # not GS1 characters
])
def test_unknown_or_malformed_links_are_404(api, units, path, problem):
    path = path.format(gtin=GTIN, **units)
    r = api.client.get(path, headers={"Accept": LINKSET})
    body = problem(r, 404, "not-found")
    assert body["detail"] == "no unit answers this Digital Link"
    page = api.client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_public_page_shows_only_what_the_admin_made_public(api, units):
    path = f"/01/{GTIN}/21/{units['serial']}"
    html = api.client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert units["serial"] in html and GTIN in html and "Not withdrawn" in html
    for private in (units["lot"], "PUMP-7", "2027-06-30", "Secret Supplier", "SUP-LOT-9",
                    "internal only", "ACME hospital", "line-token", "receiver-token"):
        assert private not in html
    r = api.put("/api/v1/schemes/dl-ser/public-view", {"fields": ["product", "lot", "expiry"]})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["fields"] == ["product", "lot", "expiry"]
    assert r.get_json()["updated_by"] == "admin-token"
    html = api.client.get(path).get_data(as_text=True)
    for shown in (units["lot"], "PUMP-7", "2027-06-30"):
        assert shown in html
    for private in ("Secret Supplier", "SUP-LOT-9", "internal only", "ACME hospital",
                    "line-token", "admin-token", "issued"):
        assert private not in html
    linkset = api.client.get(path + "?linkType=all").get_json()
    assert linkset["linkset"][0]["itemDescription"] == "PUMP-7"
    assert api.get("/api/v1/schemes/dl-ser/public-view").get_json()["fields"] == [
        "product", "lot", "expiry"]
    trail = api.get("/api/v1/audit?action=scheme.public-view", role="admin").get_json()
    assert [(r["target"], r["before"], r["after"]) for r in trail["items"]] == [
        ("dl-ser", {"fields": []}, {"fields": ["product", "lot", "expiry"]})]


def test_a_held_unit_shows_on_hold_and_a_voided_one_withdrawn(api, units):
    page = f"/01/{GTIN}/21/{units['serial']}"
    r = api.post(f"/api/v1/identifiers/{units['lot']}/hold", {"reason": "weld audit 7"})
    assert r.status_code == 201, r.get_json()
    html = api.client.get(page).get_data(as_text=True)
    assert "On hold: do not use it until the plant releases it" in html
    assert "weld audit 7" not in html
    hold = r.get_json()["id"]
    r = api.post(f"/api/v1/identifiers/{units['lot']}/release", {"reason": "passed",
                                                                   "hold": hold})
    assert r.status_code == 200, r.get_json()
    assert "Not withdrawn" in api.client.get(page).get_data(as_text=True)
    r = api.post(f"/api/v1/identifiers/{units['other']}/void", {"reason": "bad weld"})
    assert r.status_code == 200, r.get_json()
    html = api.client.get(f"/01/{GTIN}/21/{units['other']}").get_data(as_text=True)
    assert "Withdrawn: this unit was voided" in html and "bad weld" not in html


def test_public_view_is_an_admins_decision(api, units, problem):
    problem(api.put("/api/v1/schemes/dl-ser/public-view", {"fields": ["lot"]}, role="line"),
            403, "forbidden")
    problem(api.put("/api/v1/schemes/dl-ser/public-view", {"fields": ["supplier"]}), 422,
            "validation-error")
    problem(api.put("/api/v1/schemes/dl-ser/public-view", {"fields": ["lot", "lot"]}), 422,
            "validation-error")
    problem(api.put("/api/v1/schemes/nope/public-view", {"fields": []}), 404, "not-found")
    fresh = api.get("/api/v1/schemes/dl-lot/public-view").get_json()
    assert fresh == {"scheme": "dl-lot", "fields": [], "updated_at": None, "updated_by": None}


def test_resolver_routes_are_public_and_documented(api, app):
    document = api.get("/api/v1/openapi.json").get_json()
    for path in ("/00/{sscc}", "/01/{gtin}/21/{serial}", "/01/{gtin}/10/{lot}",
                 "/01/{gtin}/10/{lot}/21/{serial}"):
        assert document["paths"][path]["get"].get("security") == [], path
    # Nothing else of the service lives under a GS1 primary key's path.
    rules = [r.rule for r in app.url_map.iter_rules()
             if r.rule.startswith(("/00/", "/01/")) or r.rule[1:2].isdigit()]
    assert {r.split("/")[1] for r in rules} == {"00", "01"}
    assert all(app.url_map.bind("x").match(r.replace("<", "").replace(">", ""))[0]
               == "digital_link.resolve" for r in rules)


def test_the_qr_of_a_printed_label_resolves_to_its_unit(api, units):
    sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "templates"))
    from decoding import decode_output  # the label tests' independent decoder (zxing-cpp)

    r = api.post("/api/v1/templates", {
        "name": "dl-unit-50x30", "width_mm": 50, "height_mm": 30, "dpi": 203, "elements": [
            {"type": "barcode", "symbology": "qr", "x_mm": 3, "y_mm": 3, "module_mm": 0.5,
             "digital_link": True, "value": "(01){attributes.gtin}(10){lot}(21){value}"},
            {"type": "text", "x_mm": 30, "y_mm": 3, "height_mm": 3, "value": "{value}"},
            {"type": "barcode", "symbology": "datamatrix", "x_mm": 30, "y_mm": 10,
             "module_mm": 0.5, "hibc": {"labeler": "A999", "product": "PUMP7", "uom": "0",
                                        "lot": "{lot}", "serial": "{value}"}}]})
    assert r.status_code == 201, r.get_json()
    preview = api.get("/api/v1/templates/dl-unit-50x30/preview.png")  # from sample data
    assert preview.status_code == 200 and preview.mimetype == "image/png"
    for fmt in ("png", "pdf", "zpl"):
        r = api.post("/api/v1/labels/render", {"template": "dl-unit-50x30", "format": fmt,
                                                "identifiers": [units["serial"]]}, role="line")
        assert r.status_code == 200, r.get_data(as_text=True)
        found = {d.format: d.text for d in decode_output(fmt, r.data, 203)}
        assert found["DataMatrix"].startswith(f"+A999PUMP70/$$7{units['lot']}/S{units['serial']}")
        uri = found["QRCode"]
        assert uri == f"{BASE}/01/{GTIN}/10/{units['lot']}/21/{units['serial']}", fmt
        answer = api.client.get(uri.removeprefix(BASE), headers={"Accept": LINKSET})
        assert answer.status_code == 200
        assert answer.get_json()["linkset"][0]["anchor"] == uri
