"""Words admins add to a built-in vocabulary (event types, reprint reasons): one shape, one
table each (`registry.models.RegisteredTerm`), registered once by name and never removed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, Row, Table, select

from labelsvc.errors import LabelsvcError, ValidationFailed
from labelsvc.registry.database import Database
from labelsvc.registry.queries import insert_ignoring_conflicts
from labelsvc.services import audit
from labelsvc.services.audit import Target, Who, actor_name

NAME = re.compile(r"^[a-z][a-z0-9_-]{0,49}$")


def registered(conn: Connection, table: Table) -> set[str]:
    """The names admins registered in a vocabulary's table."""
    return set(conn.execute(select(table.c.name)).scalars())


def registered_rows(conn: Connection, table: Table) -> list[Row[Any]]:
    """The registered words with who registered them and when, by name."""
    return list(conn.execute(select(table).order_by(table.c.name)).all())


def register(db: Database, table: Table, name: str, description: str, actor: Who, *,
             built_in: Collection[str], noun: str, exists: type[LabelsvcError]) -> dt.datetime:
    """Register a word (`noun` names the vocabulary in messages, and its audit rows:
    `event-type.register`); return when. A name that is built in or registered already is
    `exists`, a malformed one a 422."""
    if not NAME.match(name):
        raise ValidationFailed(f"a {noun} is lower-case letters, digits, '-' and '_'",
                               {"name": "lower-case letters, digits, '-' and '_', at most 50"})
    if name in built_in:
        raise exists(f"{name} is a built-in {noun}")
    now = dt.datetime.now(dt.UTC)
    with db.transaction() as conn:
        made = conn.execute(insert_ignoring_conflicts(conn, table).values(
            name=name, description=description, created_at=now, created_by=actor_name(actor))
            .returning(table.c.id)).first()
        if made is None:
            raise exists(f"a {noun} named {name} is registered already")
        kind = noun.replace(" ", "-")
        audit.record(conn, actor, f"{kind}.register", Target(kind, name, made.id), None,
                     {"name": name, "description": description})
    return now
