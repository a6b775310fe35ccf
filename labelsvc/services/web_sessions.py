"""Web sessions kept in the registry: signing out ends one for good, and so does an idle tablet.

The browser's cookie carries only a random key; the registry keeps its hash, whose token
signed in, and when the session was last seen. A copied cookie is worth nothing once its
session has ended.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import insert, select, update

from labelsvc.registry.database import Database
from labelsvc.registry.models import api_tokens, web_sessions
from labelsvc.registry.queries import utc
from labelsvc.services import audit
from labelsvc.services.audit import Target
from labelsvc.services.tokens import Actor

# How stale `seen_at` may get before a request writes it again: a page view is not a write.
SEEN_EVERY = dt.timedelta(seconds=60)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def start(db: Database, who: Actor) -> str:
    """Start a session for a token (its sign-in is audited); return the key the browser
    keeps."""
    key = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    with db.transaction() as conn:
        session_id = conn.execute(insert(web_sessions).values(
            key_hash=_hash(key), token_id=who.token_id, started_at=now, seen_at=now)
            .returning(web_sessions.c.id)).scalar_one()
        audit.record(conn, who, "session.sign-in", Target("session", who.name, session_id),
                     None, {"role": who.role})
    return key


def resume(db: Database, key: str, *, idle_minutes: float) -> Actor | None:
    """The actor of a live session, or None once it has ended, gone idle longer than
    `idle_minutes` (0: never idle) or lost its token; an idle session is ended here."""
    now = dt.datetime.now(dt.UTC)
    with db.transaction(write=False) as conn:
        row = conn.execute(
            select(web_sessions.c.id, web_sessions.c.seen_at, web_sessions.c.ended_at,
                   api_tokens.c.id.label("token_id"), api_tokens.c.name, api_tokens.c.role,
                   api_tokens.c.revoked_at)
            .join(api_tokens, api_tokens.c.id == web_sessions.c.token_id)
            .where(web_sessions.c.key_hash == _hash(key))).first()
    if row is None or row.ended_at is not None:
        return None
    seen = utc(row.seen_at)
    assert seen is not None
    why = ("token-revoked" if row.revoked_at is not None
           else "idle" if idle_minutes and now - seen > dt.timedelta(minutes=idle_minutes)
           else None)
    if why is not None:
        _end(db, row.id, why, now)
        return None
    if now - seen > SEEN_EVERY:
        with db.transaction() as conn:
            conn.execute(update(web_sessions).where(web_sessions.c.id == row.id)
                         .values(seen_at=now))
    return Actor(token_id=row.token_id, name=row.name, role=row.role)


def end(db: Database, key: str, who: Actor | None = None) -> None:
    """End a session by signing out (audited for `who`); a key of no live session is left
    alone."""
    with db.transaction(write=False) as conn:
        found = conn.execute(select(web_sessions.c.id).where(
            web_sessions.c.key_hash == _hash(key))).scalar()
    if found is not None:
        _end(db, found, "signed-out", dt.datetime.now(dt.UTC), who)


def _end(db: Database, session_id: int, why: str, now: dt.datetime,
         who: Actor | None = None) -> None:
    """End a session; a person signing out is audited, an idle or revoked end is not."""
    with db.transaction() as conn:
        ended = conn.execute(update(web_sessions).where(web_sessions.c.id == session_id)
                             .where(web_sessions.c.ended_at.is_(None))
                             .values(ended_at=now, ended_why=why)).rowcount
        if ended and who is not None:
            audit.record(conn, who, "session.sign-out", Target("session", who.name, session_id),
                         {"role": who.role}, {"ended": why})
