"""Browsers get an HTML error page; API clients and the API's paths keep problem+json."""

from __future__ import annotations

import pytest

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_an_unknown_page_answers_a_browser_with_an_html_page(api):
    answer = api.client.get("/nosuchpage", headers={"Accept": BROWSER})
    assert answer.status_code == 404
    assert answer.mimetype == "text/html"
    page = answer.get_data(as_text=True)
    assert "404" in page and "nothing at /nosuchpage" in page
    assert "Back to the home page" in page
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_a_wrong_method_answers_a_browser_with_an_html_page_and_allow(api):
    answer = api.client.delete("/login", headers={"Accept": BROWSER})
    assert answer.status_code == 405
    assert answer.mimetype == "text/html"
    assert "DELETE is not allowed on /login" in answer.get_data(as_text=True)
    assert "GET" in answer.headers["Allow"]


def test_a_signed_in_browser_keeps_its_menu_on_the_error_page(app, tokens):
    browser = app.test_client()
    login = browser.get("/login")
    assert login.status_code == 200
    with browser.session_transaction() as session:
        csrf = session["csrf_token"]
    browser.post("/login", data={"token": tokens["viewer"], "csrf_token": csrf})
    answer = browser.get("/nosuchpage", headers={"Accept": BROWSER})
    assert answer.status_code == 404 and "viewer-token" in answer.get_data(as_text=True)


@pytest.mark.parametrize("accept", [None, "*/*", "application/json",
                                    "application/problem+json",
                                    "application/json, text/html;q=0.5"])
def test_clients_that_do_not_prefer_html_keep_problem_json(api, problem, accept):
    headers = {"Accept": accept} if accept else {}
    body = problem(api.client.get("/nosuchpage", headers=headers), 404, "not-found")
    assert body["detail"] == "nothing at /nosuchpage"


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/schemes/no-such"])
def test_the_api_answers_problem_json_even_to_a_browser(api, problem, path):
    problem(api.get(path, headers={"Accept": BROWSER}), 404, "not-found")
    answer = api.client.delete("/api/v1/schemes", headers={"Accept": BROWSER})
    problem(answer, 405, "method-not-allowed")
