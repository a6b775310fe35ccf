"""Each role's main task end to end in headless Chromium against a live service and printer."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

from live import (  # noqa: E402
    PRINTER,
    Plant,
    fill_receipt,
    launch_chromium,
    sign_in,
    start_plant,
)

# Every input, select and textarea a person fills must have a label (or aria-label).
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => !['hidden', 'submit', 'button'].includes(el.type))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby'))
  .map(el => el.name || el.id || el.outerHTML.slice(0, 80))"""


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Plant]:
    """A live service with a virtual printer."""
    running = start_plant(tmp_path_factory.mktemp("plant"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the module."""
    with playwright_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies); console errors fail the test."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900},
                                   accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    yield tab
    context.close()
    assert errors == [], errors


def labelled(page: Any) -> None:
    """Fail when a form control on the page has no label."""
    assert page.evaluate(UNLABELLED) == [], page.url


def job_done(plant: Plant, job_id: int, timeout: float = 20) -> dict[str, Any]:
    """Wait for a print job to finish, through the API."""
    api = plant.api("viewer")
    deadline = time.monotonic() + timeout
    while True:
        status, job = api.get(f"/api/v1/print-jobs/{job_id}")
        assert status == 200, job
        if job["status"] in ("done", "cancelled", "failed") or time.monotonic() > deadline:
            return dict(job)
        time.sleep(0.1)


def test_admin_defines_a_scheme_with_live_preview(page: Any, plant: Plant) -> None:
    sign_in(page, plant, "admin")
    labelled(page)
    page.get_by_role("link", name="Define numbering schemes").click()
    page.get_by_role("link", name="New scheme").click()
    labelled(page)
    page.get_by_label(re.compile(r"^Name( \*)?$")).fill("cell-serial")  # its required mark
    pattern = page.get_by_label("Pattern")
    pattern.fill("C{cell:2}{YYY}{seq:4}")
    expect(page.locator("#err-pattern")).to_contain_text("unknown token {YYY}")
    pattern.fill("C{cell:2}{YY}{seq:4}")
    expect(page.locator("#err-pattern")).to_be_empty()
    expect(page.get_by_test_id("capacity")).to_have_text("9,999 per cell and year")
    page.get_by_label("Cell").fill("07")
    page.get_by_label("Production date").fill("2026-03-15")
    expect(page.get_by_test_id("draft-values")).to_contain_text("C07260001")
    labelled(page)
    page.get_by_role("button", name="Define scheme").click()
    expect(page.get_by_role("status")).to_contain_text("Saved version 1")
    page.get_by_label("Cell").fill("12")
    expect(page.get_by_test_id("preview-values")).to_contain_text("C12")
    labelled(page)
    status, scheme = plant.api("viewer").get("/api/v1/schemes/cell-serial")
    assert status == 200 and scheme["definition"]["pattern"] == "C{cell:2}{YY}{seq:4}"
    assert scheme["versions"][0]["created_by"] == "admin-web"


def test_line_issues_and_prints(page: Any, plant: Plant) -> None:
    before = len(plant.printer.formats)
    sign_in(page, plant, "line")
    page.get_by_role("link", name="Issue serials").click()
    labelled(page)
    page.get_by_label("Scheme").select_option("acme-serial")
    page.wait_for_load_state("networkidle")
    page.get_by_label("Model").select_option("WIDGET-200")
    page.get_by_label("Site").select_option("austin")
    page.get_by_label("How many").fill("3")
    expect(page.get_by_test_id("next-values")).to_contain_text("423")
    page.get_by_label("Printer").select_option(PRINTER)
    page.get_by_label("Label template").select_option("serial-50x25")
    page.get_by_role("button", name="Issue and print").click()
    issued = page.get_by_test_id("issued")
    expect(issued).to_contain_text("Issued 3 serials")
    expect(page.get_by_test_id("job-progress")).to_have_attribute("data-status", "done",
                                                                 timeout=20_000)
    expect(page.get_by_test_id("job-progress")).to_contain_text("3 of 3 labels printed")
    values = issued.locator("a.code").all_inner_texts()
    assert len(values) == 3
    api = plant.api("viewer")
    for value in values:
        status, record = api.get(f"/api/v1/identifiers/{value}")
        assert status == 200 and record["issued_by"] == "line-web"
        assert record["fields"] == {"model": "WIDGET-200", "site": "austin"}
        assert "printed" in [e["type"] for e in record["events"]]
    received = b"".join(plant.printer.formats[before:])
    assert all(value.encode() in received for value in values)


def test_receiver_scans_a_supplier_lot_receives_and_prints(page: Any, plant: Plant) -> None:
    before = len(plant.printer.formats)
    sign_in(page, plant, "receiver")
    page.get_by_role("link", name="Receive a lot").click()
    labelled(page)
    fill_receipt(page, {"Supplier": "Nordic Polymers", "Quantity": "24", "Unit": "kg",
                        "Expiry date": "2027-02-28", "GTIN on the case": "09506000134352",
                        "Line": "2"}, site="munich", labels="2")
    expect(page.get_by_test_id("label-preview")).to_be_visible()
    # The supplier-lot field has the focus when the page opens; a scanner types, then Enter.
    page.get_by_label("Supplier's lot").focus()
    page.keyboard.type("NP-2026-0815")
    page.keyboard.press("Enter")
    received = page.get_by_test_id("received")
    expect(received).to_contain_text("NP-2026-0815")
    expect(page.get_by_test_id("job-progress")).to_have_attribute("data-status", "done",
                                                                 timeout=20_000)
    lot = received.locator("a.code").inner_text()
    assert re.fullmatch(r"LM\d{5}-2\d{2}", lot), lot
    expect(page.get_by_label("Supplier's lot")).to_be_focused()
    expect(page.get_by_label("Supplier's lot")).to_have_value("")
    labelled(page)
    # The next pallet: a lone scan cannot issue a lot without its quantity and expiry.
    page.keyboard.type("NP-2026-0816")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Quantity")).to_be_focused()
    assert page.get_by_label("Expiry date").evaluate("el => el.validity.valueMissing")
    status, record = plant.api("viewer").get(f"/api/v1/identifiers/{lot}")
    assert status == 200
    assert record["attributes"] == {"supplier": "Nordic Polymers", "supplier_lot": "NP-2026-0815",
                                    "gtin": "09506000134352"}
    assert record["quantity"] == 24 and record["uom"] == "kg" and record["expiry"] == "2027-02-28"
    assert len(plant.printer.formats) - before == 2
    status, found = plant.api("viewer").get("/api/v1/identifiers?supplier_lot=NP-2026-0816")
    assert status == 200 and found["items"] == []


def test_receive_page_opens_with_the_scan_field_focused(page: Any, plant: Plant) -> None:
    sign_in(page, plant, "receiver")
    page.goto(plant.url + "/receive")
    expect(page.get_by_label("Supplier's lot")).to_be_focused()
    page.keyboard.type("NOTHING-ELSE")
    page.keyboard.press("Enter")
    # A lone scan cannot send the form: the browser stops at the first required entry.
    expect(page.get_by_label(re.compile(r"^Supplier(?!')"))).to_be_focused()
    for name in ("supplier", "quantity", "uom", "expiry", "fields.site", "fields.line"):
        assert page.locator(f'[name="{name}"]').evaluate("el => el.validity.valueMissing"), name
    expect(page.get_by_test_id("received")).to_have_count(0)
    status, found = plant.api("viewer").get("/api/v1/identifiers?supplier_lot=NOTHING-ELSE")
    assert status == 200 and found["items"] == []
    # A fresh page picks no site for the receiver.
    assert page.get_by_label("Site").input_value() == ""


def _lot_with_units(plant: Plant) -> tuple[str, list[str]]:
    """A received lot and two serials built from it, through the API."""
    status, body = plant.api("receiver").post("/api/v1/lots", {
        "scheme": "acme-lot", "fields": {"site": "austin", "line": "5"}, "quantity": 10,
        "uom": "pcs", "expiry": time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400 * 5)),
        "supplier_lot": "RESIN-7"})
    assert status == 201, body
    lot = body["identifiers"][0]["value"]
    status, body = plant.api("line").post("/api/v1/serials", {
        "scheme": "acme-serial", "fields": {"model": "WIDGET-100", "site": "austin"},
        "count": 2, "lot": lot})
    assert status == 201, body
    return lot, [i["value"] for i in body["identifiers"]]


def test_viewer_scans_traces_recalls_and_exports(page: Any, plant: Plant,
                                                 tmp_path: Path) -> None:
    lot, units = _lot_with_units(plant)
    sign_in(page, plant, "viewer")
    page.get_by_role("link", name="Look up a code").click()
    expect(page.get_by_label("Scan or type a code")).to_be_focused()
    page.keyboard.type(units[0])
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("record-value")).to_have_text(units[0])
    expect(page.get_by_test_id("events")).to_contain_text("issued")
    labelled(page)
    page.get_by_role("link", name="Made of (trace down)").click()
    expect(page.get_by_test_id("trace-items")).to_contain_text(lot)
    page.get_by_role("link", name=lot).first.click()
    expect(page.get_by_test_id("record-value")).to_have_text(lot)
    page.get_by_role("link", name="Recall").last.click()
    expect(page.get_by_test_id("recall-result")).to_contain_text(units[1])
    labelled(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    saved = tmp_path / "recall.csv"
    download.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text())))
    assert sorted(r["value"] for r in rows) == sorted(units)
    assert all(r["via"] == lot and r["status"] == "issued" for r in rows)
    status, recall = plant.api("viewer").get(f"/api/v1/recall?identifier={lot}")
    assert sorted(i["value"] for i in recall["items"]) == sorted(units)
    page.get_by_role("link", name="Expiring").click()
    expect(page.get_by_test_id("expiring")).to_contain_text(lot)
    labelled(page)


def test_recall_takes_a_scanned_lot(page: Any, plant: Plant) -> None:
    lot, units = _lot_with_units(plant)
    sign_in(page, plant, "viewer")
    page.goto(plant.url + "/recall")
    expect(page.get_by_label("Lot or part to recall")).to_be_focused()
    page.keyboard.type(lot)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("recall-result")).to_contain_text(units[0])


def test_receiver_holds_a_recalled_lot_and_printing_a_serial_in_it_is_refused(
        page: Any, plant: Plant) -> None:
    lot, units = _lot_with_units(plant)
    sign_in(page, plant, "receiver")
    page.goto(plant.url + "/recall")
    page.keyboard.type(lot)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("recall-result")).to_contain_text(units[0])
    page.get_by_label("Why they are put on hold").fill("supplier recall RESIN-7")
    labelled(page)
    page.get_by_role("button", name=f"Put {lot} and every unit on hold").click()
    expect(page.get_by_role("alert")).to_contain_text("3 identifiers put on hold")
    page.get_by_role("link", name=units[0]).click()
    expect(page.get_by_test_id("on-hold")).to_be_visible()
    expect(page.get_by_test_id("holds")).to_contain_text("supplier recall RESIN-7")
    page.get_by_role("button", name="Print").click()
    expect(page.get_by_role("alert")).to_contain_text(f"{units[0]} is on hold")
    status, jobs = plant.api("viewer").get("/api/v1/print-jobs?limit=1000")
    assert status == 200
    # Released on its own, the unit is still held through its lot until that is released.
    page.get_by_label(re.compile("Why it is released")).fill("inspected, good")
    page.get_by_role("button", name=re.compile("Release hold")).click()
    expect(page.get_by_test_id("holds")).to_contain_text(f"on {lot}")
    page.get_by_role("button", name="Print").click()
    expect(page.get_by_role("alert")).to_contain_text(f"{units[0]} is on hold through {lot}")
    assert plant.api("viewer").get("/api/v1/print-jobs?limit=1000")[1] == jobs  # none made


def test_printers_jobs_reprint_and_templates(page: Any, plant: Plant) -> None:
    status, body = plant.api("line").post("/api/v1/serials", {
        "scheme": "acme-serial", "fields": {"model": "WIDGET-100", "site": "munich"},
        "print": {"printer": PRINTER, "template": "serial-50x25"}})
    assert status == 201, body
    job_id = body["print_job"]["id"]
    assert job_done(plant, job_id)["status"] == "done"
    sign_in(page, plant, "line")
    page.get_by_role("link", name="Printers").first.click()
    expect(page.get_by_test_id(f"printer-{PRINTER}")).to_contain_text("ready", timeout=15_000)
    page.get_by_role("link", name="Jobs", exact=True).click()
    labelled(page)
    page.get_by_role("link", name=str(job_id), exact=True).click()
    expect(page.get_by_test_id("job-progress")).to_have_attribute("data-status", "done")
    expect(page.get_by_role("table").last).to_contain_text("printed")
    assert "built-in" not in page.content()
    labelled(page)
    page.get_by_label(re.compile("Why print again")).select_option("damaged")
    page.get_by_role("button", name="Reprint").click()
    expect(page.get_by_role("heading", name=re.compile(r"Print job \d+"))).not_to_have_text(
        f"Print job {job_id}")
    expect(page.get_by_test_id("job-progress")).to_have_attribute("data-status", "done",
                                                                 timeout=20_000)
    expect(page.get_by_test_id("job-progress")).to_contain_text("1 of 1 labels printed")
    status, jobs = plant.api("viewer").get("/api/v1/print-jobs?limit=1")
    assert jobs["items"][0]["reprint_of"] == job_id and jobs["items"][0]["status"] == "done"
    status, labels = plant.api("viewer").get(f"/api/v1/print-jobs/{jobs['items'][0]['id']}/labels")
    assert [(x["reprint"], x["reason"]) for x in labels["items"]] == [(1, "damaged")]
    page.get_by_role("link", name="Templates").click()
    page.get_by_role("link", name="serial-50x25").click()
    for dpi, width in ((203, 406), (300, 610)):
        image = page.get_by_test_id(f"preview-{dpi}")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.naturalWidth") == width
    labelled(page)


def test_admin_uploads_a_zpl_format_and_sees_its_preview(page: Any, plant: Plant) -> None:
    sign_in(page, plant, "admin")
    page.goto(plant.url + "/templates")
    labelled(page)
    page.get_by_label("Template name").fill("byo-serial")
    page.get_by_label("Width (mm)").fill("50.8")
    page.get_by_label("Height (mm)").fill("25.4")
    page.get_by_label("ZPL (paste it here)").fill(
        "^XA^FO20,20^A0N,30,30^FD{value}^FS^FO20,60^BCN,60,Y,N,N^FD{value}^FS^XZ")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name=re.compile("byo-serial"))).to_be_visible()
    expect(page.get_by_test_id("preview-203")).to_be_visible()
    status, template = plant.api("viewer").get("/api/v1/templates/byo-serial")
    assert status == 200 and template["kind"] == "zpl"


def test_admin_filters_the_audit_trail_and_checks_its_chain(page: Any, plant: Plant) -> None:
    status, body = plant.api("admin").post("/api/v1/event-types", {
        "name": "torque-checked", "description": "torque checked at the line"})
    assert status == 201, body
    sign_in(page, plant, "admin")
    page.get_by_role("link", name="Audit trail").click()
    labelled(page)
    page.get_by_label("Action").fill("event-type.register")
    page.get_by_label("Target name").fill("torque-checked")
    page.keyboard.press("Enter")
    rows = page.get_by_test_id("audit-rows")
    expect(rows).to_contain_text("torque-checked")
    expect(rows.locator("tbody tr")).to_have_count(1)
    rows.get_by_text("after", exact=True).click()
    expect(rows).to_contain_text("torque checked at the line")
    page.get_by_role("button", name="Show and check the chain").click()
    expect(page.get_by_test_id("audit-verify")).to_contain_text("The chain is intact")
    expect(page.get_by_label("Action")).to_have_value("event-type.register")
    labelled(page)


def test_every_page_from_home_is_labelled_and_keyboard_reachable(page: Any,
                                                                 plant: Plant) -> None:
    sign_in(page, plant, "admin")
    links = page.locator("main .cards a").evaluate_all("els => els.map(a => a.href)")
    assert len(links) >= 9
    for link in links:
        page.goto(link)
        labelled(page)
        assert page.locator("h1").count() == 1, link
    page.goto(plant.url + "/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()


def test_a_person_signs_in_with_a_password_and_is_named_in_the_record(chromium: Any,
                                                                     plant: Plant) -> None:
    import subprocess

    from cluster import BIN

    made = subprocess.run(
        [str(BIN / "labelsvc"), "user", "create", "--username", "Rita", "--role", "line",
         "--display-name", "Rita Lindqvist", "--password-stdin"],
        input="night shift, line 3\n", env=plant.service.env, capture_output=True, text=True,
        timeout=60, check=False)
    assert made.returncode == 0, made.stderr
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.goto(plant.url + "/login")
    labelled(page)
    page.get_by_label("Username").fill("rita")
    page.get_by_label("Password").fill("night shift, line 2")  # a typo
    page.keyboard.press("Enter")
    expect(page.locator("#err-password")).to_contain_text("unknown username or wrong password")
    page.get_by_label("Password").fill("night shift, line 3")
    page.keyboard.press("Enter")
    page.wait_for_url(plant.url + "/")
    expect(page.locator(".who")).to_contain_text("rita")
    page.get_by_role("link", name="Issue serials").click()
    page.get_by_label("Scheme").select_option("acme-serial")
    page.wait_for_load_state("networkidle")
    page.get_by_label("Model").select_option("WIDGET-100")
    page.get_by_label("Site").select_option("munich")
    page.get_by_label("Printer").select_option(PRINTER)
    page.get_by_label("Label template").select_option("serial-50x25")
    page.get_by_role("button", name="Issue and print").click()
    issued = page.get_by_test_id("issued")
    expect(issued).to_contain_text("Issued 1 serial")
    value = issued.locator("a.code").first.inner_text()
    status, record = plant.api("viewer").get(f"/api/v1/identifiers/{value}")
    assert status == 200 and record["issued_by"] == "rita"
    context.close()
    # the refused sign-in answers 401, which the browser reports; nothing else went wrong
    assert [e for e in errors if "status of 401" not in e] == [] and len(errors) == 1


def test_a_scanned_supplier_lot_finds_our_lot_and_recalls(page: Any, plant: Plant) -> None:
    status, body = plant.api("receiver").post("/api/v1/lots", {
        "scheme": "acme-lot", "fields": {"site": "munich", "line": "R"}, "quantity": 500,
        "uom": "pcs", "expiry": "2027-06-30",
        "attributes": {"supplier": "Bolt GmbH", "supplier_lot": "B-4471"}})
    assert status == 201, body
    lot = body["identifiers"][0]["value"]
    status, body = plant.api("line").post("/api/v1/serials", {
        "scheme": "acme-serial", "fields": {"model": "WIDGET-100", "site": "munich"},
        "lot": lot})
    assert status == 201, body
    unit = body["identifiers"][0]["value"]
    sign_in(page, plant, "viewer")
    page.goto(plant.url + "/lookup")
    page.keyboard.type("B-4471")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("supplier-lots")).to_contain_text(lot)
    page.get_by_role("link", name="Recall every unit made from them").click()
    expect(page.get_by_test_id("supplier-lot")).to_contain_text("supplier's lot number")
    expect(page.get_by_test_id("recall-result").first).to_contain_text(unit)
    page.goto(plant.url + "/recall")
    page.keyboard.type("B-4471")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("recall-result").first).to_contain_text(unit)
    labelled(page)
