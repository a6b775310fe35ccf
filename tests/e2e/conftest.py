"""Web page fixtures: a signed-in test client per role, and the live service for the browser."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

sys.path.insert(0, str(Path(__file__).parents[1] / "system"))
sys.path.insert(0, str(Path(__file__).parent))

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A test client signed in with one role's token, sending the session's CSRF token."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client = client
        self.csrf = ""
        if token is not None:
            self.sign_in(token)

    def sign_in(self, token: str) -> None:
        """Sign in through the login form."""
        self.csrf = CSRF.search(self.client.get("/login").get_data(as_text=True)).group(1)
        answer = self.client.post("/login", data={"token": token, "csrf_token": self.csrf})
        assert answer.status_code == 302, answer.get_data(as_text=True)
        self.csrf = CSRF.search(self.client.get("/").get_data(as_text=True)).group(1)

    def get(self, path: str, **kw: object) -> object:
        """GET a page."""
        return self.client.get(path, **kw)  # type: ignore[arg-type]

    def post(self, path: str, data: dict[str, str], htmx: bool = False) -> object:
        """POST a form with the session's CSRF token."""
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.post(path, data={**data, "csrf_token": self.csrf}, headers=headers)


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The web pages call the same services as the API: SQLite is enough here."""
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'labelsvc.sqlite3'}"


@pytest.fixture(scope="module")
def web_app(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The application with its session key in a temporary data folder."""
    app.config["DATA_DIR"] = str(tmp_path_factory.mktemp("data"))
    return app


@pytest.fixture
def browser_for(web_app: Flask, tokens: dict[str, str]) -> object:
    """Make a signed-in client for a role (None: not signed in)."""
    def make(role: str | None) -> Browser:
        return Browser(web_app.test_client(), tokens[role] if role else None)

    return make
