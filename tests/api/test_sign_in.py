"""Signing in to the web UI goes back only to a page of this service."""

from __future__ import annotations

from typing import Any

import pytest


def _sign_in(app: Any, token: str, target: str) -> Any:
    browser = app.test_client()
    browser.get("/login")
    with browser.session_transaction() as session:
        csrf = session["csrf_token"]
    return browser.post("/login", data={"token": token, "csrf_token": csrf, "next": target})


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/evil.example", "//evil.example",
                                    "/\\evil.example", "https://evil.example/",
                                    "/ok\r\nSet-Cookie: x=1", "javascript:alert(1)",
                                    "/\u3000/evil.example", ""])
def test_sign_in_never_sends_a_browser_off_site(app: Any, tokens: Any, target: str) -> None:
    answer = _sign_in(app, tokens["viewer"], target)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/"


def test_sign_in_goes_back_to_the_page_that_asked(app: Any, tokens: Any) -> None:
    answer = _sign_in(app, tokens["viewer"], "/recall?identifier=LM26336-R01")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/recall?identifier=LM26336-R01"
