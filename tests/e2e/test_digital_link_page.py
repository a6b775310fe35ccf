"""A unit's GS1 Digital Link in headless Chromium: the QR code a line printed opens the unit's
public page on the live service, with no sign-in and only what the admin made public."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-digital-link")]

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

from live import PRINTER, Plant, launch_chromium, start_plant  # noqa: E402

sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "templates"))
from decoding import decode, zpl_image  # noqa: E402

BASE = "https://id.plant.example"
GTIN = "09506000134352"


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Plant]:
    """A live service whose labels carry Digital Links under BASE, with a virtual printer."""
    running = start_plant(tmp_path_factory.mktemp("plant"), LABELSVC_DIGITAL_LINK_BASE=BASE)
    yield running
    running.stop()


def _printed_link(plant: Plant) -> tuple[str, str, str]:
    """Issue a serial into a lot and print its label; return lot, serial and the QR's text."""
    admin = plant.api("admin")
    for body in ({"name": "web-dl-lot", "kind": "lot", "pattern": "WL{seq:4}"},
                 {"name": "web-dl-ser", "kind": "serial", "pattern": "WS{seq:6}"}):
        assert admin.post("/api/v1/schemes", body)[0] == 201
    status, _ = admin.post("/api/v1/templates", {
        "name": "web-dl-50x30", "width_mm": 50, "height_mm": 30, "dpi": 203, "elements": [
            {"type": "barcode", "symbology": "qr", "x_mm": 3, "y_mm": 3, "module_mm": 0.5,
             "digital_link": True, "value": "(01){attributes.gtin}(21){value}"}]})
    assert status == 201
    status, _ = admin.request("PUT", "/api/v1/schemes/web-dl-ser/public-view",
                              {"fields": ["lot", "expiry"]})
    assert status == 200
    status, lot = plant.api("receiver").post("/api/v1/lots", {
        "scheme": "web-dl-lot", "expiry": "2028-02-29", "supplier": "Hidden Supplier AG",
        "attributes": {"gtin": GTIN}})
    assert status == 201, lot
    lot_value = lot["identifiers"][0]["value"]
    before = len(plant.printer.formats)
    status, issued = plant.api("line").post("/api/v1/serials", {
        "scheme": "web-dl-ser", "lot": lot_value,
        "print": {"printer": PRINTER, "template": "web-dl-50x30"}})
    assert status == 201, issued
    deadline = time.monotonic() + 30
    while len(plant.printer.formats) == before:
        assert time.monotonic() < deadline, "the label never reached the printer"
        time.sleep(0.1)
    (found,) = decode(zpl_image(plant.printer.formats[before], 203))
    return lot_value, issued["identifiers"][0]["value"], found.text


def test_the_printed_qr_opens_the_units_public_page(plant: Plant) -> None:
    lot, serial, link = _printed_link(plant)
    assert link == f"{BASE}/01/{GTIN}/21/{serial}"
    with playwright_api.sync_playwright() as pw:
        chromium = launch_chromium(pw)
        page = chromium.new_context().new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        answer = page.goto(plant.url + link.removeprefix(BASE))
        assert answer is not None and answer.status == 200
        expect(page.get_by_role("status")).to_contain_text("Not withdrawn")
        facts = page.locator("dl.public-fields")
        for shown in (GTIN, serial, lot, "2028-02-29"):
            expect(facts).to_contain_text(shown)
        text = page.content()
        for hidden in ("Hidden Supplier", "line-web", "receiver-web", "Sign in", "Look up"):
            assert hidden not in text
        assert page.context.cookies() == []  # no session for the public
        answer = page.goto(plant.url + f"/01/{GTIN}/21/NOSUCH")
        assert answer is not None and answer.status == 404
        expect(page.get_by_role("alert")).to_contain_text("no unit answers this Digital Link")
        chromium.close()
        assert errors == [e for e in errors if "404" in e], errors
