"""Take screenshots of the main web pages into docs/screenshots/ (live service, virtual printer).

Run: .venv/bin/python docs/screenshots.py   (needs Chromium at /usr/bin/chromium)
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from live import (  # noqa: E402
    PRINTER,
    Plant,
    fill_receipt,
    launch_chromium,
    sign_in,
    start_plant,
)
from playwright.sync_api import sync_playwright  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
TABLET = {"width": 820, "height": 1180}


def seed(plant: Plant) -> tuple[str, list[str], int]:
    """A received lot, serials built from it and printed, and a finished print job."""
    expiry = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400 * 12))
    _, lots = plant.api("receiver").post("/api/v1/lots", {
        "scheme": "acme-lot", "fields": {"site": "munich", "line": "3"}, "quantity": 40,
        "uom": "kg", "expiry": expiry, "supplier": "Nordic Polymers",
        "supplier_lot": "NP-2026-0815"})
    lot = lots["identifiers"][0]["value"]
    _, body = plant.api("line").post("/api/v1/serials", {
        "scheme": "acme-serial", "fields": {"model": "WIDGET-100", "site": "munich"},
        "count": 4, "lot": lot, "print": {"printer": PRINTER, "template": "serial-50x25"}})
    units = [i["value"] for i in body["identifiers"]]
    job = int(body["print_job"]["id"])
    api = plant.api("viewer")
    for _ in range(200):
        if api.get(f"/api/v1/print-jobs/{job}")[1]["status"] == "done":
            break
        time.sleep(0.1)
    return lot, units, job


def shoot(page: Any, name: str) -> None:
    """Save a full-page screenshot once htmx has settled."""
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    print(f"docs/screenshots/{name}.png")


def main() -> None:
    """Start a plant, visit each main page as the role that uses it, and save screenshots."""
    OUT.mkdir(parents=True, exist_ok=True)
    plant = start_plant(Path(tempfile.mkdtemp(prefix="labelsvc-shots-")))
    try:
        lot, units, job = seed(plant)
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            page = browser.new_page(viewport=DESKTOP)
            page.goto(plant.url + "/login")
            shoot(page, "login")
            sign_in(page, plant, "admin")
            shoot(page, "home-admin")
            page.goto(plant.url + "/schemes")
            shoot(page, "schemes")
            page.goto(plant.url + "/schemes/_new")
            page.get_by_label(re.compile(r"^Name( \*)?$")).fill("cell-serial")  # its required mark
            page.get_by_label("Pattern").fill("C{cell:2}-{GG}{WW}-{seq:4}")
            page.get_by_label("Cell").fill("07")
            page.get_by_text("C07-").first.wait_for()
            shoot(page, "scheme-editor")
            page.get_by_label("Pattern").fill("C{cell:2}{YYY}{seq:4}")
            page.locator("#err-pattern:not(:empty)").wait_for()
            shoot(page, "scheme-editor-lint")
            page.goto(plant.url + "/templates/receiving-100x50")
            shoot(page, "template-previews")
            page.goto(plant.url + "/printers")
            page.get_by_text("ready").first.wait_for()
            shoot(page, "printers")
            page.goto(plant.url + "/jobs")
            shoot(page, "jobs")
            page.goto(plant.url + f"/jobs/{job}")
            shoot(page, "job")

            page = browser.new_page(viewport=DESKTOP)
            sign_in(page, plant, "line")
            shoot(page, "home-line")
            page.goto(plant.url + "/issue")
            page.get_by_label("How many").fill("5")
            page.get_by_label("Printer").select_option(PRINTER)
            page.get_by_role("button", name="Issue and print").click()
            page.locator("[data-testid=job-progress][data-status=done]").wait_for(timeout=20_000)
            shoot(page, "issue-and-print")

            page = browser.new_page(viewport=TABLET)
            sign_in(page, plant, "receiver")
            page.goto(plant.url + "/receive")
            fill_receipt(page, {"Supplier": "Acme Resins", "Quantity": "12", "Unit": "drums",
                                "Expiry date": "2027-03-31",
                                "GTIN on the case": "09506000134352", "Line": "2"},
                         site="munich", labels="1")
            page.get_by_test_id("label-preview").wait_for()
            shoot(page, "receive-tablet")
            page.get_by_label("Supplier's lot").focus()
            page.keyboard.type("AR-77-1234")
            page.keyboard.press("Enter")
            page.get_by_test_id("received").wait_for()
            page.locator("[data-testid=job-progress][data-status=done]").wait_for(timeout=20_000)
            shoot(page, "receive-done-tablet")

            page = browser.new_page(viewport=DESKTOP)
            sign_in(page, plant, "viewer")
            shoot(page, "home-viewer")
            page.goto(plant.url + "/lookup")
            page.wait_for_function("document.activeElement.name === 'code'")
            page.keyboard.type(units[0])
            page.keyboard.press("Enter")
            page.get_by_test_id("record-value").wait_for()
            shoot(page, "record")
            page.goto(plant.url + f"/recall?identifier={lot}")
            shoot(page, "recall")
            page.goto(plant.url + "/lots/expiring?days=30")
            shoot(page, "expiring")
            browser.close()
    finally:
        plant.stop()


if __name__ == "__main__":
    main()
