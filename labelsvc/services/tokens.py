"""API tokens: creation, authentication, and what each role may do."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from labelsvc.errors import Forbidden, Unauthorized, ValidationFailed
from labelsvc.registry.database import Database
from labelsvc.registry.models import api_tokens
from labelsvc.registry.queries import iso
from labelsvc.services import audit
from labelsvc.services.audit import Target, Who

READ = "read"
DEFINE_SCHEMES = "define-schemes"
ISSUE_SERIALS = "issue-serials"
ISSUE_LOTS = "issue-lots"
PRINT = "print"
APPEND_EVENTS = "append-events"
COMPONENTS = "components"
VOID = "void"
DEFINE_TEMPLATES = "define-label-templates"
MANAGE_PRINTERS = "manage-printers"
DEFINE_EVENT_TYPES = "define-event-types"
READ_AUDIT = "read-audit"
HOLD = "hold"
DEFINE_REPRINT_REASONS = "define-reprint-reasons"

ALL = frozenset({READ, DEFINE_SCHEMES, ISSUE_SERIALS, ISSUE_LOTS, PRINT, APPEND_EVENTS,
                 COMPONENTS, VOID, DEFINE_TEMPLATES, MANAGE_PRINTERS, DEFINE_EVENT_TYPES,
                 READ_AUDIT, HOLD, DEFINE_REPRINT_REASONS})
# What each capability lets a token do, in the words of a refusal ("may not …").
DOING = {READ: "read the registry", DEFINE_SCHEMES: "define numbering schemes",
         ISSUE_SERIALS: "issue serials", ISSUE_LOTS: "issue lots", PRINT: "print labels",
         APPEND_EVENTS: "record events", COMPONENTS: "record components",
         VOID: "void identifiers", DEFINE_TEMPLATES: "define label templates",
         MANAGE_PRINTERS: "manage printers", DEFINE_EVENT_TYPES: "register event types",
         READ_AUDIT: "read the audit trail",
         HOLD: "put identifiers on hold or release them",
         DEFINE_REPRINT_REASONS: "register reprint reasons"}
ROLES: dict[str, frozenset[str]] = {
    "admin": ALL,
    # An assembly line records what each unit was built from (components), as the dock does.
    "line": frozenset({READ, ISSUE_SERIALS, PRINT, APPEND_EVENTS, COMPONENTS}),
    # The dock (incoming inspection, supplier recalls) holds and releases, as admins do.
    "receiver": frozenset({READ, ISSUE_LOTS, PRINT, APPEND_EVENTS, COMPONENTS, HOLD}),
    "viewer": frozenset({READ}),
}


@dataclass(frozen=True)
class Actor:
    """Who is asking: the token's id, name and role."""

    token_id: int
    name: str
    role: str

    def require(self, capability: str) -> None:
        """Refuse unless this actor's role grants the capability."""
        if capability not in ROLES.get(self.role, frozenset()):
            raise Forbidden(f"a {self.role} token may not {DOING[capability]}")


def hash_token(token: str) -> str:
    """Hash a token for storage and lookup."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(db: Database, *, name: str, role: str, actor: Who = audit.SYSTEM) -> str:
    """Create a token for a role and return it (only its hash is kept)."""
    if role not in ROLES:
        raise ValidationFailed(f"unknown role {role!r}; roles are {', '.join(ROLES)}",
                               {"role": f"one of {', '.join(ROLES)}"})
    if not name or len(name) > 100:
        raise ValidationFailed("a token needs a name of 1 to 100 characters",
                               {"name": "1 to 100 characters"})
    token = "lsv_" + secrets.token_urlsafe(32)
    with db.transaction() as conn:
        token_id = conn.execute(insert(api_tokens).values(
            name=name, role=role, token_hash=hash_token(token),
            created_at=dt.datetime.now(dt.UTC)).returning(api_tokens.c.id)).scalar_one()
        audit.record(conn, actor, "token.create", Target("token", name, token_id), None,
                     {"name": name, "role": role})
    return token


def revoke_tokens(db: Database, *, name: str, actor: Who = audit.SYSTEM) -> int:
    """Revoke every live token of that name (a lost tablet, a line taken down); how many."""
    now = dt.datetime.now(dt.UTC)
    with db.transaction() as conn:
        done = conn.execute(update(api_tokens)
                            .where(api_tokens.c.name == name)
                            .where(api_tokens.c.revoked_at.is_(None))
                            .values(revoked_at=now)
                            .returning(api_tokens.c.id, api_tokens.c.role)).all()
        for token_id, role in sorted(done):
            audit.record(conn, actor, "token.revoke", Target("token", name, token_id),
                         {"name": name, "role": role, "revoked_at": None},
                         {"name": name, "role": role, "revoked_at": iso(now)})
    KNOWN_TOKENS.clear()
    return len(done)


class _KnownTokens:
    """Tokens found lately, kept `seconds` so a busy line is not looked up on every request."""

    def __init__(self) -> None:
        self.seconds = 10.0
        self._lock = threading.Lock()
        self._actors: dict[str, tuple[float, Actor]] = {}

    def get(self, digest: str) -> Actor | None:
        hit = self._actors.get(digest)
        return hit[1] if hit is not None and hit[0] > time.monotonic() else None

    def put(self, digest: str, actor: Actor) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            if len(self._actors) > 10_000:
                self._actors.clear()
            self._actors[digest] = (time.monotonic() + self.seconds, actor)

    def clear(self) -> None:
        with self._lock:
            self._actors.clear()


KNOWN_TOKENS = _KnownTokens()


def authenticate(db: Database, token: str | None) -> Actor:
    """Find the actor behind a bearer token, or refuse."""
    if not token:
        raise Unauthorized("an API token is needed: send 'Authorization: Bearer <token>'")
    digest = hash_token(token)
    known = KNOWN_TOKENS.get(digest)
    if known is not None:
        return known
    with db.transaction(write=False) as conn:
        row = conn.execute(
            select(api_tokens.c.id, api_tokens.c.name, api_tokens.c.role)
            .where(api_tokens.c.token_hash == digest)
            .where(api_tokens.c.revoked_at.is_(None))
        ).first()
    if row is None:
        raise Unauthorized("the API token is not known or was revoked")
    actor = Actor(token_id=row.id, name=row.name, role=row.role)
    KNOWN_TOKENS.put(digest, actor)
    return actor
