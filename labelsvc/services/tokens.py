"""API tokens: creation, authentication, and what each role may do."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.sql.expression import ColumnElement

from labelsvc.errors import Forbidden, Unauthorized, UserExists, ValidationFailed
from labelsvc.registry.database import Database
from labelsvc.registry.models import api_tokens, users
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
MANAGE_USERS = "manage-users"

ALL = frozenset({READ, DEFINE_SCHEMES, ISSUE_SERIALS, ISSUE_LOTS, PRINT, APPEND_EVENTS,
                 COMPONENTS, VOID, DEFINE_TEMPLATES, MANAGE_PRINTERS, DEFINE_EVENT_TYPES,
                 READ_AUDIT, HOLD, DEFINE_REPRINT_REASONS, MANAGE_USERS})
# What each capability lets a token do, in the words of a refusal ("may not …").
DOING = {READ: "read the registry", DEFINE_SCHEMES: "define numbering schemes",
         ISSUE_SERIALS: "issue serials", ISSUE_LOTS: "issue lots", PRINT: "print labels",
         APPEND_EVENTS: "record events", COMPONENTS: "record components",
         VOID: "void identifiers", DEFINE_TEMPLATES: "define label templates",
         MANAGE_PRINTERS: "manage printers", DEFINE_EVENT_TYPES: "register event types",
         READ_AUDIT: "read the audit trail",
         HOLD: "put identifiers on hold or release them",
         DEFINE_REPRINT_REASONS: "register reprint reasons",
         MANAGE_USERS: "read or change people's accounts"}
ROLES: dict[str, frozenset[str]] = {
    "admin": ALL,
    # An assembly line records what each unit was built from (components), as the dock does.
    "line": frozenset({READ, ISSUE_SERIALS, PRINT, APPEND_EVENTS, COMPONENTS}),
    # The dock (incoming inspection, supplier recalls) holds and releases, as admins do.
    "receiver": frozenset({READ, ISSUE_LOTS, PRINT, APPEND_EVENTS, COMPONENTS, HOLD}),
    "viewer": frozenset({READ}),
}


# What a role list is joined with in `Actor.role` ("line+receiver").
ROLE_JOIN = "+"


@dataclass(frozen=True)
class Actor:
    """Who is asking, and what the records say of it.

    `name` is what every record carries (issued_by, events' actor, created_by): a person's
    username, a token's name, or for a token that belongs to a person "token (username)".
    `role` is a token's role, or a person's roles joined with "+": a person acts with the
    union of what each role grants. `username` names the person accountable, when there is one.
    """

    token_id: int | None
    name: str
    role: str
    user_id: int | None = None
    username: str | None = None

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles this actor acts with."""
        return tuple(self.role.split(ROLE_JOIN))

    @property
    def capabilities(self) -> frozenset[str]:
        """What the roles grant together."""
        return frozenset().union(*(ROLES.get(r, frozenset()) for r in self.roles))

    def require(self, capability: str) -> None:
        """Refuse unless this actor's roles grant the capability."""
        if capability not in self.capabilities:
            who = (f"a {self.role} token" if self.token_id is not None
                   else f"{self.username} ({', '.join(self.roles)})")
            raise Forbidden(f"{who} may not {DOING[capability]}")


def attributed(token_name: str, owner: str | None) -> str:
    """The name records carry for a token: its own, with its person's username when it has
    one ("line-7 (jdoe)")."""
    return f"{token_name} ({owner})" if owner else token_name


def hash_token(token: str) -> str:
    """Hash a token for storage and lookup."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_role(role: str, field: str = "role") -> None:
    """Refuse a role that is not one of ROLES."""
    if role not in ROLES:
        raise ValidationFailed(f"unknown role {role!r}; roles are {', '.join(ROLES)}",
                               {field: f"one of {', '.join(ROLES)}"})


def create_token(db: Database, *, name: str, role: str, owner: str | None = None,
                 actor: Who = audit.SYSTEM) -> str:
    """Create a token for a role, optionally belonging to a person who holds that role, and
    return it (only its hash is kept).

    A token's name never holds "(" or ")" (they mark its owner in the records) and is never
    a person's username, so a recorded name says without doubt who or what acted.
    """
    check_role(role)
    longest = OWNED_NAME_LENGTH if owner else 100
    if not name or len(name) > longest:
        raise ValidationFailed(f"a token needs a name of 1 to {longest} characters",
                               {"name": f"1 to {longest} characters"})
    if "(" in name or ")" in name:
        raise ValidationFailed("a token's name may not hold '(' or ')': they mark a token's "
                               "owner in the records", {"name": "no '(' or ')'"})
    token = "lsv_" + secrets.token_urlsafe(32)
    with db.transaction() as conn:
        if conn.execute(select(users.c.id).where(users.c.username == name.lower())).first():
            raise UserExists(f"{name!r} is a person's username; give the token another name "
                             f"(the records must tell a person from a token)",
                             {"name": "a person's username"})
        owner_id = None if owner is None else _owner_id(conn, owner, role)
        token_id = conn.execute(insert(api_tokens).values(
            name=name, role=role, token_hash=hash_token(token), owner_id=owner_id,
            created_at=dt.datetime.now(dt.UTC)).returning(api_tokens.c.id)).scalar_one()
        after = {"name": name, "role": role}
        if owner is not None:
            after["owner"] = owner.strip().lower()
        audit.record(conn, actor, "token.create", Target("token", name, token_id), None, after)
    return token


# An owned token's recorded name "token (username)" fits the 100 characters of the records.
OWNED_NAME_LENGTH = 64


def _owner_id(conn: Connection, username: str, role: str) -> int:
    """The id of a token's owner, who must exist, be enabled and hold the token's role."""
    row = conn.execute(select(users.c.id, users.c.roles, users.c.disabled)
                       .where(users.c.username == username.strip().lower())).first()
    if row is None:
        raise ValidationFailed(f"no person with username {username!r}",
                               {"owner": "no such person"})
    if row.disabled:
        raise ValidationFailed(f"{username}'s account is disabled", {"owner": "disabled"})
    if role not in row.roles:
        raise ValidationFailed(f"{username} does not hold the role {role} (holds "
                               f"{', '.join(row.roles)}); a token never grants more than its "
                               f"person holds", {"owner": f"does not hold {role}"})
    return int(row.id)


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
        row = find_token(conn, api_tokens.c.token_hash == digest,
                         api_tokens.c.revoked_at.is_(None))
    if row is None:
        raise Unauthorized("the API token is not known or was revoked")
    if row.owner_disabled:
        raise Unauthorized(f"the API token belongs to {row.owner}, whose account is disabled")
    actor = token_actor(row)
    KNOWN_TOKENS.put(digest, actor)
    return actor


def find_token(conn: Connection, *where: ColumnElement[bool]) -> Any:
    """A token with its owner (owner, owner_id, owner_disabled: None without one)."""
    return conn.execute(
        select(api_tokens.c.id.label("token_id"), api_tokens.c.name, api_tokens.c.role,
               api_tokens.c.revoked_at, users.c.id.label("owner_id"),
               users.c.username.label("owner"), users.c.disabled.label("owner_disabled"))
        .select_from(api_tokens.outerjoin(users, users.c.id == api_tokens.c.owner_id))
        .where(*where)).first()


def token_actor(row: Any) -> Actor:
    """The actor of a row of find_token."""
    return Actor(token_id=row.token_id, name=attributed(row.name, row.owner), role=row.role,
                 user_id=row.owner_id, username=row.owner)
