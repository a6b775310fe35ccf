"""Web sessions kept in the registry: signing out ends one for good, and so does an idle tablet.

The browser's cookie carries only a random key; the registry keeps its hash, which person or
token signed in, and when the session was last seen. A copied cookie is worth nothing once its
session has ended.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Connection, insert, select, update

from labelsvc.registry.database import Database
from labelsvc.registry.models import api_tokens, web_sessions
from labelsvc.registry.queries import utc
from labelsvc.services import audit
from labelsvc.services.audit import Target
from labelsvc.services.people import person_actor
from labelsvc.services.tokens import Actor, find_token, token_actor

# How stale `seen_at` may get before a request writes it again: a page view is not a write.
SEEN_EVERY = dt.timedelta(seconds=60)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def start(db: Database, who: Actor) -> str:
    """Start a session for a token or a person (its sign-in is audited); return the key the
    browser keeps."""
    key = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    person = who.user_id if who.token_id is None else None
    with db.transaction() as conn:
        session_id = conn.execute(insert(web_sessions).values(
            key_hash=_hash(key), token_id=who.token_id, user_id=person, started_at=now,
            seen_at=now).returning(web_sessions.c.id)).scalar_one()
        audit.record(conn, who, "session.sign-in", Target("session", who.name, session_id),
                     None, {"role": who.role})
    return key


def resume(db: Database, key: str, *, idle_minutes: float) -> Actor | None:
    """The actor of a live session, or None once it has ended, gone idle longer than
    `idle_minutes` (0: never idle), lost its token, or its person (or token's owner) is
    disabled; such a session is ended here."""
    now = dt.datetime.now(dt.UTC)
    with db.transaction(write=False) as conn:
        row = conn.execute(
            select(web_sessions.c.id, web_sessions.c.seen_at, web_sessions.c.ended_at,
                   web_sessions.c.token_id, web_sessions.c.user_id)
            .where(web_sessions.c.key_hash == _hash(key))).first()
        if row is None or row.ended_at is not None:
            return None
        who, gone = _actor(conn, row.token_id, row.user_id)
    seen = utc(row.seen_at)
    assert seen is not None
    why = (gone if gone is not None
           else "idle" if idle_minutes and now - seen > dt.timedelta(minutes=idle_minutes)
           else None)
    if why is not None or who is None:
        _end(db, row.id, why or "token-revoked", now)
        return None
    if now - seen > SEEN_EVERY:
        with db.transaction() as conn:
            conn.execute(update(web_sessions).where(web_sessions.c.id == row.id)
                         .values(seen_at=now))
    return who


def _actor(conn: Connection, token_id: int | None, user_id: int | None
           ) -> tuple[Actor | None, str | None]:
    """The actor behind a session, or why it can act no more."""
    if token_id is None:
        person = person_actor(conn, user_id) if user_id is not None else None
        return person, None if person is not None else "account-disabled"
    token = find_token(conn, api_tokens.c.id == token_id)
    if token is None or token.revoked_at is not None:
        return None, "token-revoked"
    if token.owner_disabled:
        return None, "owner-disabled"
    return token_actor(token), None


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
