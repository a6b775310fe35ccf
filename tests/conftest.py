"""Shared fixtures: the app on SQLite and on PostgreSQL, tokens, and an API client."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
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
