"""Idempotency keys: the first answer to a request is kept and replayed."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.sql.expression import ColumnElement

from labelsvc.errors import IdempotencyConflict
from labelsvc.registry.database import Database
from labelsvc.registry.models import idempotency_records as records
from labelsvc.registry.queries import insert_ignoring_conflicts, utc
from labelsvc.services.tokens import Actor


def _scope(who: Actor) -> dict[str, Any]:
    """Whose keys these are: a token's (the API, a token's web session, a person's own
    token), or a signed-in person's."""
    if who.token_id is not None:
        return {"token_id": who.token_id, "user_id": None}
    return {"token_id": None, "user_id": who.user_id}


def _mine(who: Actor, key: str) -> ColumnElement[bool]:
    if who.token_id is not None:
        return (records.c.token_id == who.token_id) & (records.c.key == key)
    return (records.c.user_id == who.user_id) & (records.c.key == key)


@dataclass(frozen=True)
class StoredAnswer:
    """A kept answer: status, content type and body."""

    status: int
    content_type: str
    body: str


def fingerprint(method: str, path: str, body: bytes) -> str:
    """Bind a key to the request it was first used with."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def claim(conn: Connection, who: Actor, key: str, print_: str, *,
          hours: int) -> StoredAnswer | None:
    """Claim a key for this request, or return the answer kept for it.

    The claim is a row inserted in the request's own transaction: a concurrent request with
    the same key waits on it (PostgreSQL's unique index; SQLite's write lock) and then
    replays the stored answer, or proceeds if the first one rolled back.
    """
    now = dt.datetime.now(dt.UTC)
    claimed = conn.execute(insert_ignoring_conflicts(conn, records).values(
        **_scope(who), key=key, fingerprint=print_, created_at=now)
        .returning(records.c.id)).first()
    if claimed is not None:
        return None
    row = conn.execute(select(records).where(_mine(who, key))).first()
    if row is None:  # purged in between as long expired: claim it afresh
        return claim(conn, who, key, print_, hours=hours)
    if utc(row.created_at) < now - dt.timedelta(hours=hours):  # type: ignore[operator]
        conn.execute(update(records).where(records.c.id == row.id).values(
            fingerprint=print_, status=None, content_type=None, body=None, created_at=now))
        return None
    if row.fingerprint != print_:
        raise IdempotencyConflict(
            "this Idempotency-Key was used for a different request; use a new key",
            {"Idempotency-Key": "used for a different request"})
    if row.status is None:
        raise IdempotencyConflict("the first request with this Idempotency-Key is still running",
                                  {"Idempotency-Key": "first request still running"})
    return StoredAnswer(row.status, row.content_type or "application/json", row.body or "")


def purge_expired(db: Database, *, hours: int, batch: int = 5000) -> int:
    """Delete kept answers older than `hours` and an hour's grace, in batches; how many."""
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours + 1)
    total = 0
    while True:
        with db.transaction() as conn:
            old = (select(records.c.id).where(records.c.created_at < cutoff)
                   .limit(batch).scalar_subquery())
            gone = int(conn.execute(delete(records).where(records.c.id.in_(old))).rowcount)
        total += gone
        if gone < batch:
            return total


def store(conn: Connection, who: Actor, key: str, answer: StoredAnswer) -> None:
    """Keep the answer for a claimed key, in the request's transaction."""
    conn.execute(update(records).where(_mine(who, key))
                 .values(status=answer.status, content_type=answer.content_type,
                         body=answer.body))


def store_refusal(db: Database, who: Actor, key: str, print_: str, answer: StoredAnswer) -> None:
    """Keep a 4xx answer after its transaction rolled back (unless another answer won)."""
    with db.transaction() as conn:
        conn.execute(insert_ignoring_conflicts(conn, records).values(
            **_scope(who), key=key, fingerprint=print_, status=answer.status,
            content_type=answer.content_type, body=answer.body,
            created_at=dt.datetime.now(dt.UTC)))
