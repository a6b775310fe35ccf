"""The web pages through Flask's test client: sign-in, roles, CSRF, forms and their errors."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

SERIAL = {"scheme": "acme-serial", "fields.model": "WIDGET-100", "fields.site": "munich",
          "date": "2026-11-20"}


def alerts(html: str) -> list[str]:
    """The non-empty error messages of a page."""
    return [m.strip() for m in re.findall(r'role="alert"[^>]*>([^<]+)<', html) if m.strip()]


def test_pages_need_a_session(browser_for: Any) -> None:
    anonymous = browser_for(None)
    for path in ("/", "/schemes", "/issue", "/receive", "/lookup?code=X", "/recall"):
        answer = anonymous.get(path)
        assert answer.status_code == 302, path
        assert answer.headers["Location"].startswith("/login?next=")


def test_sign_in_sets_a_safe_cookie_and_sign_out_ends_it(browser_for: Any,
                                                         tokens: dict[str, str]) -> None:
    user = browser_for(None)
    html = user.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    refused = user.client.post("/login", data={"token": "lsv_wrong", "csrf_token": csrf})
    assert refused.status_code == 401 and "not known" in refused.get_data(as_text=True)
    answer = user.client.post("/login", data={"token": tokens["viewer"], "csrf_token": csrf,
                                              "next": "//evil.example/"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert tokens["viewer"] not in cookie
    page = user.get("/").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert user.client.post("/logout", data={"csrf_token": csrf}).status_code == 302
    assert user.get("/").status_code == 302


def test_writes_without_the_csrf_token_are_refused(browser_for: Any) -> None:
    line = browser_for("line")
    answer = line.client.post("/issue", data={**SERIAL, "count": "1"})
    assert answer.status_code == 403
    answer = line.client.post("/issue", data={**SERIAL, "count": "1", "csrf_token": "forged"})
    assert answer.status_code == 403


def test_each_role_sees_its_own_tasks(browser_for: Any) -> None:
    seen = {role: browser_for(role).get("/").get_data(as_text=True)
            for role in ("admin", "line", "receiver", "viewer")}
    assert "Issue serials" in seen["line"] and "Receive a lot" not in seen["line"]
    assert "Receive a lot" in seen["receiver"] and "Issue serials" not in seen["receiver"]
    assert "Issue serials" not in seen["viewer"] and "Receive a lot" not in seen["viewer"]
    assert "Define numbering schemes" in seen["admin"]
    assert browser_for("viewer").get("/issue").status_code == 403
    assert browser_for("line").get("/receive").status_code == 403
    assert browser_for("line").get("/schemes/_new").status_code == 403


def test_issue_errors_are_shown_next_to_their_field(browser_for: Any) -> None:
    line = browser_for("line")
    answer = line.post("/issue", {**SERIAL, "fields.model": "WIDGET-900", "count": "2"})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert re.search(r'id="err-fields-model" role="alert">unknown model', html)
    answer = line.post("/issue", {**SERIAL, "count": "0"})
    assert re.search(r'id="err-count" role="alert">[^<]+', answer.get_data(as_text=True))


def test_issue_and_receive_record_what_the_form_says(browser_for: Any, api: Any) -> None:
    line = browser_for("line")
    html = line.post("/issue", {**SERIAL, "count": "3"}, htmx=True).get_data(as_text=True)
    values = re.findall(r'class="code" href="/identifiers/([^"]+)"', html)
    assert len(values) == 3
    record = api.get(f"/api/v1/identifiers/{values[0]}").get_json()
    assert record["issued_by"] == "line-token" and record["fields"]["model"] == "WIDGET-100"
    receiver = browser_for("receiver")
    html = receiver.post("/receive", {"scheme": "acme-lot", "fields.site": "munich",
                                      "fields.line": "4", "supplier_lot": "SUP-77",
                                      "supplier": "Acme Metals", "quantity": "12.5",
                                      "uom": "kg", "expiry": "2027-01-31"}).get_data(as_text=True)
    lot = re.findall(r'class="code" href="/identifiers/([^"]+)"', html)[0]
    record = api.get(f"/api/v1/identifiers/{lot}").get_json()
    assert record["attributes"] == {"supplier": "Acme Metals", "supplier_lot": "SUP-77"}
    assert record["quantity"] == 12.5 and record["uom"] == "kg"
    assert record["expiry"] == "2027-01-31"


def test_sending_the_same_form_again_issues_nothing_new(browser_for: Any, api: Any) -> None:
    line = browser_for("line")
    form = line.get("/issue?scheme=acme-serial").get_data(as_text=True)
    key = re.search(r'name="request_key" value="([0-9a-f]+)"', form)
    assert key, "the issue form carries a key of its own"
    body = {**SERIAL, "count": "2", "request_key": key.group(1)}
    first = line.post("/issue", body).get_data(as_text=True)
    again = line.post("/issue", body).get_data(as_text=True)   # a refresh of the result page
    issued = re.findall(r'class="code" href="/identifiers/([^"]+)"', first)
    assert len(issued) == 2
    assert re.findall(r'class="code" href="/identifiers/([^"]+)"', again) == issued
    fresh = re.search(r'name="request_key" value="([0-9a-f]+)"', first)
    assert fresh and fresh.group(1) != key.group(1), "the next run gets a new key"


def test_scheme_editor_lints_previews_and_saves(browser_for: Any, api: Any) -> None:
    admin = browser_for("admin")
    draft = {"name": "web-serial", "kind": "serial", "pattern": "W{line:2}{seq:4}",
             "fields.line": "07"}
    html = admin.post("/schemes/_draft", {**draft, "pattern": "W{YYY}{seq:4}"},
                      htmx=True).get_data(as_text=True)
    assert re.search(r'id="err-pattern" role="alert" hx-swap-oob="true">unknown token', html)
    html = admin.post("/schemes/_draft", draft, htmx=True).get_data(as_text=True)
    assert "9,999 per line" in html and "W070001" in html
    html = admin.post("/schemes/_draft", {**draft, "pattern": "{ext:1}{x:9}{seq:7}{check:gs1}",
                                          "charset": "0-9"}, htmx=True).get_data(as_text=True)
    assert "Overlap" not in html  # seeded examples that issued nothing do not count
    answer = admin.post("/schemes/_save", {**draft, "codes": "line: {seven: '07'}"})
    assert answer.status_code == 302
    scheme = api.get("/api/v1/schemes/web-serial").get_json()
    assert scheme["definition"]["codes"] == {"line": {"seven": "07"}}
    answer = admin.post("/schemes/_save", {**draft, "pattern": "W{line:2}{seq:5}",
                                           "existing": "web-serial"})
    assert answer.status_code == 302
    assert api.get("/api/v1/schemes/web-serial").get_json()["version"] == 2
    answer = admin.post("/schemes/_save", draft)
    assert answer.status_code == 422
    assert "exists" in " ".join(alerts(answer.get_data(as_text=True)))


def test_lookup_trace_recall_and_csv(browser_for: Any, api: Any) -> None:
    lot = api.post("/api/v1/lots", {"scheme": "acme-lot", "fields": {"site": "austin", "line": "9"},
                                    "expiry": "2026-12-01"}, role="receiver")
    lot_value = lot.get_json()["identifiers"][0]["value"]
    units = api.post("/api/v1/serials", {**{"scheme": "acme-serial", "count": 2, "lot": lot_value},
                                         "fields": {"model": "WIDGET-200", "site": "austin"}},
                     role="line").get_json()["identifiers"]
    viewer = browser_for("viewer")
    answer = viewer.get(f"/lookup?code={units[0]['value']}")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(units[0]["value"])
    html = viewer.get(answer.headers["Location"]).get_data(as_text=True)
    assert lot_value in html and "issued" in html
    html = viewer.get("/lookup?code=NOT-A-CODE").get_data(as_text=True)
    assert "Not in the registry" in html
    html = viewer.get(f"/recall?identifier={lot_value}").get_data(as_text=True)
    assert all(u["value"] in html for u in units)
    csv = viewer.get(f"/recall.csv?identifier={lot_value}")
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0].startswith("value,kind,status,depth,via")
    assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(u["value"] for u in units)
    assert viewer.get("/recall.csv?identifier=NOPE").status_code == 404
    html = viewer.get("/lots/expiring?days=30").get_data(as_text=True)
    assert lot_value in html
    html = viewer.get(f"/identifiers/{units[0]['value']}/trace?direction=down").get_data(
        as_text=True)
    assert lot_value in html


def test_the_api_stays_json_and_sessionless(app: Flask, api: Any) -> None:
    answer = api.get("/api/v1/schemes")
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers
    assert app.test_client().get("/api/v1/nothing").mimetype == "application/problem+json"


def test_the_session_key_is_made_once_and_shared(tmp_path: Any) -> None:
    from labelsvc.web import load_or_create_secret

    first = load_or_create_secret(str(tmp_path / "data"))
    assert load_or_create_secret(str(tmp_path / "data")) == first and len(first) >= 32
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["secret_key"]


def test_receive_preview_asks_for_what_the_label_needs(browser_for: Any) -> None:
    receiver = browser_for("receiver")
    form = {"scheme": "acme-lot", "fields.site": "munich", "fields.line": "4",
            "print.template": "receiving-100x50", "supplier": "Acme Resins"}
    asking = receiver.post("/receive/_label", form, htmx=True).get_data(as_text=True)
    assert ("enter the quantity, the unit, the expiry date and the GTIN to see the label"
            in asking)
    complete = {**form, "quantity": "12", "uom": "drums", "expiry": "2027-03-31",
                "attributes.gtin": "09506000134352"}
    shown = receiver.post("/receive/_label", complete, htmx=True).get_data(as_text=True)
    assert 'data-testid="label-preview"' in shown and "data:image/png;base64," in shown


def test_a_lot_held_from_its_record_page_refuses_the_issue_page(browser_for: Any,
                                                                web_app: Flask) -> None:
    from labelsvc.services.issuing import IssueRequest
    from labelsvc.services.tokens import Actor

    issuer = web_app.extensions["labelsvc.issuer"]
    lot = issuer.issue(IssueRequest(kind="lot", scheme="acme-lot",
                                    fields={"site": "munich", "line": "W"}),
                       Actor(0, "dock", "receiver")).values[0]
    receiver, line = browser_for("receiver"), browser_for("line")
    assert "Put on hold" not in line.get(f"/identifiers/{lot}").get_data(as_text=True)
    assert line.post(f"/identifiers/{lot}/hold", {"reason": "x"}).status_code == 403
    blank = receiver.post(f"/identifiers/{lot}/hold", {"reason": "  "})
    assert blank.status_code == 302
    page = receiver.get(f"/identifiers/{lot}").get_data(as_text=True)
    assert any("reason" in a for a in alerts(page)) and "Not on hold." in page
    assert receiver.post(f"/identifiers/{lot}/hold", {"reason": "moisture in the cases",
                                                      "propagate": "on"}).status_code == 302
    page = receiver.get(f"/identifiers/{lot}").get_data(as_text=True)
    assert "moisture in the cases" in page and "holds everything made from it" in page
    answer = line.post("/issue", {**SERIAL, "count": "1", "lot": lot})
    assert f"{lot} is on hold" in answer.get_data(as_text=True)
    assert receiver.post(f"/identifiers/{lot}/release", {"reason": "dried, inspected",
                                                         "hold": "junk"}).status_code == 302
    assert "Not on hold." in receiver.get(f"/identifiers/{lot}").get_data(as_text=True)
    answer = line.post("/issue", {**SERIAL, "count": "1", "lot": lot})
    assert "is on hold" not in answer.get_data(as_text=True) and answer.status_code == 200
