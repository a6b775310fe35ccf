"""The dock's and the line's forms: every entry a lot or its label needs is required, marked and
checked on the server; nothing is picked silently. Both databases."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.xdist_group("api-dock-forms")

RECEIPT = {"scheme": "acme-lot", "fields.site": "munich", "fields.line": "4",
           "supplier_lot": "DOCK-1", "supplier": "Acme Metals", "quantity": "12",
           "uom": "kg", "expiry": "2027-01-31"}


class Page:
    """A signed-in test client that sends the session's CSRF token with every form."""

    def __init__(self, app: Any, token: str) -> None:
        self.client = app.test_client()
        self.client.get("/login")
        with self.client.session_transaction() as session:
            self.csrf = session["csrf_token"]
        answer = self.client.post("/login", data={"token": token, "csrf_token": self.csrf})
        assert answer.status_code == 302
        self.client.get("/")
        with self.client.session_transaction() as session:
            self.csrf = session["csrf_token"]

    def get(self, path: str) -> Any:
        return self.client.get(path)

    def post(self, path: str, form: dict[str, str]) -> Any:
        return self.client.post(path, data={**form, "csrf_token": self.csrf})


@pytest.fixture(scope="module")
def receiver(app: Any, tokens: dict[str, str]) -> Page:
    return Page(app, tokens["receiver"])


@pytest.fixture(scope="module")
def line(app: Any, tokens: dict[str, str]) -> Page:
    return Page(app, tokens["line"])


@pytest.fixture(scope="module")
def printer(api: Any) -> str:
    """A printer nobody drives in these tests: its jobs stay queued."""
    answer = api.post("/api/v1/printers", {"name": "dock-9", "driver": "zpl-tcp",
                                           "host": "127.0.0.1", "port": 9, "site": "munich"})
    assert answer.status_code == 201, answer.get_json()
    return "dock-9"


def _lots_of(api: Any, supplier_lot: str) -> list[dict[str, Any]]:
    return list(api.get(f"/api/v1/identifiers?supplier_lot={supplier_lot}").get_json()["items"])


def _error(html: str, name: str) -> str:
    found = re.search(rf'id="err-{re.escape(name)}" role="alert">([^<]*)<', html)
    assert found, name
    return found.group(1)


def test_a_lone_scan_issues_nothing_and_names_every_missing_entry(receiver: Page,
                                                                 api: Any) -> None:
    answer = receiver.post("/receive", {"scheme": "acme-lot", "supplier_lot": "LONE-SCAN"})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    for name, words in (("quantity", "the quantity"), ("uom", "the unit"),
                        ("expiry", "the expiry date"), ("supplier", "the supplier"),
                        ("fields-site", "the site"), ("fields-line", "the line")):
        assert _error(html, name) == f"required: enter {words}"
    assert "nothing was issued" in html
    assert 'value="LONE-SCAN"' in html  # the form comes back as sent
    assert _lots_of(api, "LONE-SCAN") == []


def test_after_a_receipt_the_per_pallet_entries_are_cleared_and_required(receiver: Page,
                                                                        api: Any) -> None:
    html = receiver.post("/receive", RECEIPT).get_data(as_text=True)
    assert 'data-testid="received"' in html
    assert re.search(r'id="f-quantity" name="quantity" type="number" value=""\s+required', html)
    assert re.search(r'id="f-expiry" name="expiry" type="date" value=""\s+required', html)
    assert 'value="Acme Metals"' in html and 'value="kg"' in html  # the shipment's stay
    again = receiver.post("/receive", {**RECEIPT, "quantity": "", "expiry": "",
                                       "supplier_lot": "DOCK-2"})
    assert again.status_code == 422
    assert _lots_of(api, "DOCK-1") and _lots_of(api, "DOCK-2") == []


def test_lists_start_empty_unless_they_hold_one_value(receiver: Page, line: Page) -> None:
    for page, path in ((receiver, "/receive?scheme=acme-lot"), (line, "/issue?scheme=acme-serial")):
        html = page.get(path).get_data(as_text=True)
        site = re.search(r'<select id="f-fields-site"[^>]*>\s*<option value="">([^<]+)</option>',
                         html)
        assert site and site.group(1) == "— choose the site —", path
        assert 'selected>munich' not in html and 'selected>austin' not in html
        assert re.search(r'<select id="f-fields-site" name="fields.site" required '
                         r'aria-required="true">', html)
    form = line.get("/issue?scheme=acme-serial").get_data(as_text=True)
    assert "— choose the model —" in form


def test_a_single_value_list_needs_no_choice(app: Any, api: Any, line: Page) -> None:
    answer = api.post("/api/v1/schemes", {"name": "one-site", "kind": "serial",
                                          "pattern": "OS{site}{seq:4}",
                                          "codes": {"site": {"munich": "M"}}})
    assert answer.status_code == 201, answer.get_json()
    html = line.get("/issue?scheme=one-site").get_data(as_text=True)
    assert "— choose the site —" not in html
    assert re.search(r'<option value="munich"\s*>munich</option>', html)


def test_required_entries_are_marked(receiver: Page, printer: str) -> None:
    html = receiver.get("/receive?scheme=acme-lot").get_data(as_text=True)
    for name in ("supplier_lot", "supplier", "quantity", "uom", "expiry"):
        assert re.search(rf'name="{name}"[^>]*\s+required aria-required="true"', html), name
        label = re.search(rf'<label for="f-{name}">(.*?)</label>', html, re.S)
        assert label and 'class="required-mark"' in label.group(1), name
    assert not re.search(r'name="attributes.gtin"[^>]*required', html)  # nothing printed
    printing = receiver.get(f"/receive?scheme=acme-lot&print.printer={printer}"
                            "&print.template=receiving-100x50").get_data(as_text=True)
    assert re.search(r'name="attributes.gtin"[^>]*\s+required aria-required="true"', printing)


def test_what_the_label_prints_is_required_when_printing(receiver: Page, api: Any,
                                                         printer: str) -> None:
    form = {**RECEIPT, "supplier_lot": "DOCK-GTIN", "print.printer": printer,
            "print.template": "receiving-100x50", "print.copies": "1"}
    answer = receiver.post("/receive", form)
    assert answer.status_code == 422
    assert _error(answer.get_data(as_text=True), "attributes-gtin") == \
        "required: enter the GTIN"
    assert _lots_of(api, "DOCK-GTIN") == []
    done = receiver.post("/receive", {**form, "attributes.gtin": "09506000134352"})
    assert done.status_code == 200 and 'data-testid="received"' in done.get_data(as_text=True)
    assert len(_lots_of(api, "DOCK-GTIN")) == 1


def test_the_line_must_choose_every_field(line: Page, api: Any) -> None:
    answer = line.post("/issue", {"scheme": "acme-serial", "fields.model": "WIDGET-100",
                                  "count": "1"})
    assert answer.status_code == 422
    assert _error(answer.get_data(as_text=True), "fields-site") == "required: enter the site"
    hint = line.post("/issue/preview", {"scheme": "acme-serial", "fields.model": "WIDGET-100"})
    assert "choose the site to see the next serials" in hint.get_data(as_text=True)


@pytest.fixture(scope="module")
def viewer(app: Any, tokens: dict[str, str]) -> Page:
    return Page(app, tokens["viewer"])


def test_a_supplier_lot_number_finds_our_lots_and_recalls_them(viewer: Page, api: Any) -> None:
    lots = []
    for supplier in ("Bolt GmbH", "Other Bolts Ltd"):  # two suppliers, one lot number
        answer = api.post("/api/v1/lots", {
            "scheme": "acme-lot", "fields": {"site": "munich", "line": "R"}, "quantity": 500,
            "uom": "pcs", "expiry": "2027-06-30",
            "attributes": {"supplier": supplier, "supplier_lot": "B-4471"}}, role="receiver")
        assert answer.status_code == 201, answer.get_json()
        lots.append(answer.get_json()["identifiers"][0]["value"])
    units = api.post("/api/v1/serials", {"scheme": "acme-serial", "count": 2, "lot": lots[0],
                                         "fields": {"model": "WIDGET-100", "site": "munich"}},
                     role="line").get_json()["identifiers"]
    answer = viewer.get("/lookup?code=B-4471")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    listed = re.search(r'data-testid="supplier-lots">(.*?)</ul>', html, re.S)
    assert listed and all(lot in listed.group(1) for lot in lots)
    assert "Bolt GmbH" in listed.group(1) and "Other Bolts Ltd" in listed.group(1)
    html = viewer.get("/recall?identifier=B-4471").get_data(as_text=True)
    assert "is a supplier's lot number: 2 of our lots" in html.replace("&#39;", "'")
    assert all(u["value"] in html for u in units)
    assert html.count('data-testid="recall-result"') == 2
    # Our own identifier wins over a supplier's lot of the same text.
    assert viewer.get(f"/lookup?code={lots[0]}").status_code == 302
    assert "Not in the registry" in viewer.get("/lookup?code=B-9999").get_data(as_text=True)
    assert viewer.get("/recall?identifier=B-9999").status_code == 404


def test_cancel_asks_first_and_cancels_only_when_confirmed(line: Page, api: Any,
                                                           printer: str) -> None:
    job = api.post("/api/v1/serials", {"scheme": "acme-serial",
                                       "fields": {"model": "WIDGET-100", "site": "munich"},
                                       "print": {"printer": printer, "template": "serial-50x25"}},
                   role="line").get_json()["print_job"]["id"]
    asked = line.post(f"/jobs/{job}/cancel", {})
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert f"Cancel print job {job}?" in html and 'name="confirm" value="yes"' in html
    assert api.get(f"/api/v1/print-jobs/{job}").get_json()["status"] == "queued"
    done = line.post(f"/jobs/{job}/cancel", {"confirm": "yes"})
    assert done.status_code == 302
    assert api.get(f"/api/v1/print-jobs/{job}").get_json()["status"] == "cancelled"
