"""Shared fixtures: the app on SQLite and on PostgreSQL, tokens, and an API client."""

from __future__ import annotations

import os
import re
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings

# Property tests judge what the code does, never how fast this machine runs it: no per-example
# deadline and no "too slow" health check, so a loaded CI host cannot fail them.
settings.register_profile("labelsvc", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("labelsvc")

POSTGRES_URL = os.environ.get("LABELSVC_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SKIP_POSTGRES = os.environ.get("LABELSVC_TEST_SKIP_POSTGRES") == "1"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
ROLES = ("admin", "line", "receiver", "viewer")


def _schema_name(worker: str, node: str) -> str:
    """A PostgreSQL schema name unique to this xdist worker and test module."""
    return re.sub(r"[^a-z0-9_]", "_", f"t_{worker}_{node}".lower())[:63]


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[sqlalchemy.Engine]:
    """An engine on the test PostgreSQL server; unreachable is a failure, not a skip."""
    if SKIP_POSTGRES:
        pytest.skip("LABELSVC_TEST_SKIP_POSTGRES=1")
    engine = sqlalchemy.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("SELECT 1"))
    except sqlalchemy.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable ({exc.orig}); "
                    "start it or set LABELSVC_TEST_SKIP_POSTGRES=1")
    yield engine
    engine.dispose()


def _fresh_database(backend: str, request: pytest.FixtureRequest, tmp_path: Path,
                    worker_id: str) -> Iterator[str]:
    """Yield the URL of an empty database (SQLite file, or a PostgreSQL schema)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'labelsvc.sqlite3'}"
        return
    engine: sqlalchemy.Engine = request.getfixturevalue("postgres_engine")
    schema = _schema_name(worker_id, Path(str(request.node.name)).stem)
    with engine.connect() as conn:
        conn.execute(sqlalchemy.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    with engine.connect() as conn:
        conn.execute(sqlalchemy.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture(scope="module", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                 worker_id: str) -> Iterator[str]:
    """A fresh database for each test module, on each backend."""
    yield from _fresh_database(request.param, request, tmp_path_factory.mktemp("db"), worker_id)


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path,
                       worker_id: str) -> Iterator[str]:
    """An empty database of its own for one test, on each backend."""
    yield from _fresh_database(request.param, request, tmp_path, worker_id)


@pytest.fixture(scope="module")
def app(database_url: str) -> Iterator[Flask]:
    """The application on a fresh, migrated and seeded database."""
    from labelsvc import create_app

    application = create_app({"TESTING": True, "DATABASE_URL": database_url,
                              "SEED_EXAMPLES": True, "LOG_LEVEL": "WARNING"})
    yield application
    application.extensions["labelsvc.db"].dispose()


@pytest.fixture(scope="module")
def tokens(app: Flask) -> dict[str, str]:
    """One API token per role."""
    from labelsvc.services.tokens import create_token

    db = app.extensions["labelsvc.db"]
    return {role: create_token(db, name=f"{role}-token", role=role) for role in ROLES}


class Api:
    """A test client that speaks JSON with a role's token."""

    def __init__(self, client: FlaskClient, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def _headers(self, role: str | None, headers: dict[str, str] | None) -> dict[str, str]:
        out = dict(headers or {})
        if role:
            out["Authorization"] = f"Bearer {self.tokens[role]}"
        return out

    def get(self, path: str, role: str | None = "viewer", **kw: Any) -> Any:
        """GET as a role."""
        return self.client.get(path, headers=self._headers(role, kw.pop("headers", None)), **kw)

    def post(self, path: str, json: Any = None, role: str | None = "admin", **kw: Any) -> Any:
        """POST JSON as a role."""
        headers = self._headers(role, kw.pop("headers", None))
        return self.client.post(path, json=json, headers=headers, **kw)

    def put(self, path: str, json: Any = None, role: str | None = "admin", **kw: Any) -> Any:
        """PUT JSON as a role."""
        headers = self._headers(role, kw.pop("headers", None))
        return self.client.put(path, json=json, headers=headers, **kw)


@pytest.fixture(scope="module")
def api(app: Flask, tokens: dict[str, str]) -> Api:
    """A JSON client with a token per role."""
    return Api(app.test_client(), tokens)


@pytest.fixture(scope="module")
def db(app: Flask) -> Any:
    """The application's registry database."""
    return app.extensions["labelsvc.db"]


def _problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    """Assert a problem+json answer with this status and slug; return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    assert body["type"].endswith(":" + slug), body
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.fixture(scope="session")
def problem() -> Any:
    """The assertion helper for problem+json answers."""
    return _problem


@pytest.fixture
def own_registry(tmp_path: Path) -> Iterator[Any]:
    """A migrated SQLite registry of its own, for tests of one service without the app."""
    from labelsvc.registry import setup
    from labelsvc.registry.database import Database
    from labelsvc.services import tokens

    database = Database(f"sqlite:///{tmp_path / 'own.sqlite3'}")
    setup.upgrade(database)
    yield database
    database.dispose()
    tokens.KNOWN_TOKENS.clear()


class Listener:
    """A TCP port on loopback that counts connections and treats them as it is told: `silent`
    accepts and never answers, `reset` accepts and resets, `answer` sends bytes that are not
    a printer's (as a web server or a database would) and closes."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, mode: str = "silent",
                 answer: bytes = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                 ) -> None:
        self.sock = socket.create_server((host, port))
        self.host, self.port = host, int(self.sock.getsockname()[1])
        self.mode, self.answer = mode, answer
        self.connections = 0
        self._open: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            if self.mode == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                conn.close()
            elif self.mode == "answer":
                conn.recv(100)
                conn.sendall(self.answer)
                conn.close()
            else:
                self._open.append(conn)

    def close(self) -> None:
        """Stop listening and drop the connections kept open."""
        self.sock.close()
        for conn in self._open:
            conn.close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port that nothing listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def listener() -> Iterator[Callable[..., Listener]]:
    """Make listeners (see `Listener`); all are closed after the test."""
    made: list[Listener] = []

    def make(*args: Any, **kw: Any) -> Listener:
        made.append(Listener(*args, **kw))
        return made[-1]

    yield make
    for one in made:
        one.close()


@pytest.fixture
def sign_in() -> Callable[[Flask, str], FlaskClient]:
    """A browser signed in to the web pages with a token."""

    def browser_for(app: Flask, token: str) -> FlaskClient:
        browser = app.test_client()
        browser.get("/login")
        with browser.session_transaction() as session:
            csrf = session["csrf_token"]
        browser.post("/login", data={"token": token, "csrf_token": csrf})
        return browser

    return browser_for
