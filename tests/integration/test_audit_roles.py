"""The documented PostgreSQL set-up (docs/audit-roles.sql): an owner runs the migrations, the
service logs in as a role of its own, which appends to the audit trail and can neither
change, remove, truncate nor unprotect it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from labelsvc.registry import setup
from labelsvc.registry.database import Database
from labelsvc.services import audit, schemes, tokens

pytestmark = pytest.mark.postgres
GRANTS = Path(__file__).parents[2] / "docs" / "audit-roles.sql"


def _as(url: str, role: str, schema: str) -> str:
    """The test server's URL logging in as `role`, in `schema`."""
    return make_url(url).set(username=role, password=None, query={
        "options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


def _grant_sql(service: str, schema: str) -> list[str]:
    """The documented grants with the psql variables filled in, statement by statement."""
    body = "\n".join(line for line in GRANTS.read_text().splitlines()
                     if not line.startswith("--"))
    body = body.replace(':"service"', f'"{service}"').replace(':"schema"', f'"{schema}"')
    return [s.strip() for s in body.split(";") if s.strip()]


@pytest.fixture
def roles(postgres_engine: sqlalchemy.Engine) -> Iterator[tuple[str, str, str]]:
    """An owner role with its schema and a service role, dropped afterwards."""
    suffix = secrets.token_hex(4)
    owner, service, schema = f"ls_owner_{suffix}", f"ls_service_{suffix}", f"ls_roles_{suffix}"
    with postgres_engine.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{owner}" LOGIN'))
        conn.execute(text(f'CREATE ROLE "{service}" LOGIN'))
        conn.execute(text(f'CREATE SCHEMA "{schema}" AUTHORIZATION "{owner}"'))
    yield owner, service, schema
    with postgres_engine.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        for role in (service, owner):
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))


def _refused(db: Database, statement: str, match: str) -> None:
    with pytest.raises(DBAPIError, match=match), db.engine.begin() as conn:
        conn.execute(text(statement))


def test_the_service_role_appends_and_cannot_rewrite_history(
        roles: Any, postgres_engine: sqlalchemy.Engine) -> None:
    owner, service, schema = roles
    server = postgres_engine.url.render_as_string(hide_password=False)
    owner_db = Database(_as(server, owner, schema))
    setup.upgrade(owner_db)  # the owner migrates, then grants as documented
    with owner_db.engine.begin() as conn:
        for statement in _grant_sql(service, schema):
            conn.execute(text(statement))
    owner_db.dispose()

    db = Database(_as(server, service, schema))
    setup.prepare(db, seed=schemes.seed_examples)  # the service starts: nothing to migrate
    tokens.create_token(db, name="ops", role="admin", actor="cli:ops")
    answer = audit.verify(db)
    assert answer.ok and answer.rows >= 6  # five example schemes and the token

    _refused(db, "UPDATE audit SET actor = 'mallory'", "permission denied")
    _refused(db, "DELETE FROM audit", "permission denied")
    _refused(db, "TRUNCATE audit", "permission denied")
    _refused(db, "DROP TRIGGER audit_insert_only ON audit", "must be owner")
    _refused(db, "ALTER TABLE audit DISABLE TRIGGER USER", "must be owner")
    _refused(db, "DROP TABLE audit", "must be owner")
    _refused(db, "UPDATE audit_chain SET last_id = 0, last_hash = repeat('0', 64)",
             "only moves forward")
    _refused(db, "DELETE FROM audit_chain", "permission denied")
    _refused(db, "INSERT INTO audit_chain VALUES (2, 0, repeat('0', 64))", "permission denied")
    assert audit.verify(db).model_dump() == answer.model_dump()
    db.dispose()
    tokens.KNOWN_TOKENS.clear()
