"""A page's refusal message travels in the session, never in the address: no one can put text
on a job or record page with `?detail=`."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.xdist_group("api-page-messages")


def _browser(app: Any, token: str) -> tuple[Any, str]:
    browser = app.test_client()
    browser.get("/login")
    with browser.session_transaction() as session:
        csrf = session["csrf_token"]
    browser.post("/login", data={"token": token, "csrf_token": csrf})
    with browser.session_transaction() as session:
        return browser, session["csrf_token"]


def test_text_in_the_address_never_shows_on_a_page(api: Any, app: Any, tokens: Any) -> None:
    answer = api.post("/api/v1/printers", {"name": "msg-1", "driver": "zpl-tcp",
                                           "host": "127.0.0.1", "port": 9})
    assert answer.status_code == 201, answer.get_json()
    issued = api.post("/api/v1/serials", {"scheme": "acme-serial",
                                          "fields": {"model": "WIDGET-200", "site": "austin"},
                                          "print": {"printer": "msg-1",
                                                    "template": "serial-50x25"}},
                      role="line").get_json()
    job, value = issued["print_job"]["id"], issued["identifiers"][0]["value"]
    browser, _ = _browser(app, tokens["line"])
    for page in (f"/jobs/{job}", f"/identifiers/{value}"):
        text = browser.get(page, query_string={"detail": "Call 555-0100 to confirm"})
        assert text.status_code == 200
        assert "555-0100" not in text.get_data(as_text=True)


def test_a_refusal_is_said_once_on_the_next_page(api: Any, app: Any, tokens: Any) -> None:
    api.post("/api/v1/printers", {"name": "msg-2", "driver": "zpl-tcp", "host": "127.0.0.1",
                                  "port": 9})
    job = api.post("/api/v1/serials", {"scheme": "acme-serial",
                                       "fields": {"model": "WIDGET-200", "site": "austin"},
                                       "print": {"printer": "msg-2",
                                                 "template": "serial-50x25"}},
                   role="line").get_json()["print_job"]["id"]
    browser, csrf = _browser(app, tokens["line"])
    confirmed = {"csrf_token": csrf, "confirm": "yes"}
    assert browser.post(f"/jobs/{job}/cancel", data=confirmed).status_code == 302
    again = browser.post(f"/jobs/{job}/cancel", data=confirmed)
    assert again.status_code == 302 and "detail" not in again.headers["Location"]
    page = browser.get(again.headers["Location"]).get_data(as_text=True)
    assert f"print job {job} is cancelled already" in page
    assert "cancelled already" not in browser.get(f"/jobs/{job}").get_data(as_text=True)
