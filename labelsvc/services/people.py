"""Accounts for people: roles, an argon2 password hash, disabled accounts, locks after failed
attempts in a row, and the password check behind signing in and electronic signatures.

The password itself is never stored, logged or shown: only its argon2id hash is kept, and a
hash made with older parameters is replaced at the next successful check. An unknown
username costs the same work as a known one (a dummy hash is checked), so timing does not
tell which usernames exist.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, func, insert, select, update

from labelsvc.contract.models import UserListOut, UserOut
from labelsvc.errors import (
    AccountDisabled,
    AccountLocked,
    BadSignature,
    NotFound,
    Unauthorized,
    UserExists,
    ValidationFailed,
)
from labelsvc.registry.database import Database
from labelsvc.registry.models import api_tokens, users
from labelsvc.registry.queries import iso, utc
from labelsvc.services import audit, tokens
from labelsvc.services.audit import Target, Who
from labelsvc.services.paging import decode_cursor, encode_cursor

# argon2id with the library's defaults (RFC 9106's second recommended set: 3 passes, 64 MiB,
# 4 lanes). Changing them makes every older hash be replaced at its next successful check.
HASHER = PasswordHasher()
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
# Failed attempts in a row (sign-in or signature) after which an account is locked, and for
# how long; a success sets the count back to zero.
MAX_FAILED_ATTEMPTS = 5
LOCK_MINUTES = 15
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")
# One refusal for every reason a sign-in fails, so it never tells which usernames exist.
SIGN_IN_REFUSED = (f"unknown username or wrong password, or the account is disabled or locked "
                   f"({MAX_FAILED_ATTEMPTS} failed attempts in a row lock it for "
                   f"{LOCK_MINUTES} minutes)")


@dataclass(frozen=True)
class Signer:
    """A person whose password was just checked: who signs, by name, and with which roles."""

    user_id: int
    username: str
    display_name: str
    roles: tuple[str, ...]

    def actor(self) -> tokens.Actor:
        """The person as the actor of what they do (a web session, a signed act)."""
        return tokens.Actor(token_id=None, name=self.username,
                            role=tokens.ROLE_JOIN.join(self.roles), user_id=self.user_id,
                            username=self.username)


def normal_username(username: str) -> str:
    """A username as kept and compared: trimmed and in lower case."""
    return username.strip().lower()


def check_password(password: str, username: str) -> None:
    """Refuse a password too short, too long, or the username itself (naming no password)."""
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(f"a password needs at least {MIN_PASSWORD} characters",
                               {"password": f"at least {MIN_PASSWORD} characters"})
    if len(password) > MAX_PASSWORD:
        raise ValidationFailed(f"a password has at most {MAX_PASSWORD} characters",
                               {"password": f"at most {MAX_PASSWORD} characters"})
    if password.strip().lower() == normal_username(username):
        raise ValidationFailed("the password may not be the username",
                               {"password": "not the username"})


def _check_roles(roles: list[str]) -> list[str]:
    """One or more known roles, each once, in the order of tokens.ROLES; `admin` and
    `viewer` stand alone (admin grants everything, and every role reads)."""
    if not roles:
        raise ValidationFailed("a person needs at least one role",
                               {"roles": f"one or more of {', '.join(tokens.ROLES)}"})
    for role in roles:
        tokens.check_role(role, "roles")
    kept = [role for role in tokens.ROLES if role in roles]
    for alone, why in (("admin", "admin grants everything"), ("viewer", "every role reads")):
        if alone in kept and len(kept) > 1:
            raise ValidationFailed(f"{alone} stands alone: {why}; give {alone} alone or the "
                                   f"other roles", {"roles": f"{alone} alone"})
    return kept


def create_user(db: Database, *, username: str, password: str, roles: list[str],
                display_name: str | None = None, created_by: str) -> UserOut:
    """Create a person's account; the username is kept in lower case and unique as such."""
    name = normal_username(username)
    if not USERNAME.fullmatch(name):
        raise ValidationFailed(
            "a username has 1 to 32 characters: letters, digits, '.', '_' or '-', starting "
            "with a letter or digit", {"username": "1 to 32 of a-z 0-9 . _ -"})
    shown = (display_name or "").strip() or name
    if len(shown) > 100 or any(ord(c) < 32 for c in shown):
        raise ValidationFailed("a display name has at most 100 characters and no control "
                               "characters", {"display_name": "at most 100 characters"})
    kept_roles = _check_roles(roles)
    check_password(password, name)
    digest = HASHER.hash(password)
    now = dt.datetime.now(dt.UTC)
    with db.transaction() as conn:
        if conn.execute(select(users.c.id).where(users.c.username == name)).first():
            raise UserExists(f"a person with username {name!r} exists already",
                             {"username": "taken"})
        if conn.execute(select(api_tokens.c.id)
                        .where(func.lower(api_tokens.c.name) == name)).first():
            raise UserExists(f"{name!r} is the name of an API token; choose another username "
                             f"(the records must tell a person from a token)",
                             {"username": "an API token's name"})
        conn.execute(insert(users).values(
            username=name, display_name=shown, roles=kept_roles, password_hash=digest,
            password_changed_at=now, disabled=False, failed_attempts=0, created_at=now,
            created_by=created_by))
        row = _row(conn, name)
        made = _out(row)
        audit.record(conn, created_by, "user.create", Target("user", name, row.id), None,
                     _audited(made))
        return made


def list_users(db: Database, *, limit: int = 1000, cursor: str | None = None) -> UserListOut:
    """People's accounts by username, a page at a time; never a hash."""
    after = decode_cursor(cursor)
    query = select(users).order_by(users.c.username)
    if after:
        query = query.where(users.c.username > str(after[0]))
    with db.transaction(write=False) as conn:
        rows = conn.execute(query.limit(limit + 1)).all()
    more = len(rows) > limit
    return UserListOut(items=[_out(row) for row in rows[:limit]],
                       next_cursor=encode_cursor(rows[limit - 1].username) if more else None)


def set_disabled(db: Database, username: str, disabled: bool, *,
                 actor: Who = "system") -> UserOut:
    """Disable an account (its sessions end, its tokens stop working) or enable it again;
    enabling also lifts a lock."""
    name = normal_username(username)
    values: dict[str, Any] = {"disabled": disabled}
    if not disabled:
        values.update(failed_attempts=0, locked_until=None)
    with db.transaction() as conn:
        row = _row(conn, name)
        conn.execute(update(users).where(users.c.id == row.id).values(**values))
        answer = _out(_row(conn, name))
        audit.record(conn, actor, "user.disable" if disabled else "user.enable",
                     Target("user", name, row.id), _audited(_out(row)), _audited(answer))
    tokens.KNOWN_TOKENS.clear()
    return answer


def change_password(db: Database, username: str, password: str, *,
                    actor: Who = "system") -> UserOut:
    """Set a new password (an administrator's reset or the person's own); lifts a lock. The
    audit row says when, never what."""
    name = normal_username(username)
    check_password(password, name)
    digest = HASHER.hash(password)
    with db.transaction() as conn:
        row = _row(conn, name)
        conn.execute(update(users).where(users.c.id == row.id).values(
            password_hash=digest, password_changed_at=dt.datetime.now(dt.UTC),
            failed_attempts=0, locked_until=None))
        changed = _out(_row(conn, name))
        audit.record(conn, actor, "user.password", Target("user", name, row.id),
                     {"password_changed_at": _out(row).password_changed_at},
                     {"password_changed_at": changed.password_changed_at})
        return changed


def sign_in(db: Database, username: str, password: str) -> Signer:
    """Check a sign-in; every refusal is the same Unauthorized, whatever its reason."""
    outcome, signer = _check(db, username, password)
    if signer is None or outcome != "ok":
        raise Unauthorized(SIGN_IN_REFUSED)
    return signer


def verify_signature(db: Database | Connection, username: str, password: str) -> Signer:
    """Check the password of a person signing (an approval, a reprint): the Signer, or
    BadSignature (401 `bad-signature`: unknown username or wrong password), AccountDisabled
    (403 `account-disabled`) or AccountLocked (403 `account-locked`).

    A wrong password counts towards the account's lock, as at sign-in. Given the Database
    outside a transaction, the check writes in its own transactions and a failed attempt is
    always counted; given a Connection (or inside an open transaction), it writes there, so a
    failed attempt is counted only if that transaction commits.
    """
    outcome, signer = _check(db, username, password)
    if outcome == "disabled":
        raise AccountDisabled(f"{normal_username(username)}'s account is disabled; it signs "
                              f"nothing")
    if outcome == "locked":
        raise AccountLocked(
            f"{normal_username(username)}'s account is locked after {MAX_FAILED_ATTEMPTS} "
            f"failed attempts in a row; try again in {LOCK_MINUTES} minutes or ask an "
            f"administrator (labelsvc user enable)")
    if signer is None or outcome != "ok":
        raise BadSignature("the signature is refused: unknown username or wrong password",
                           {"password": "does not match the username"})
    return signer


def person_actor(conn: Connection, user_id: int) -> tokens.Actor | None:
    """The actor of an enabled person by id, or None once the account is disabled."""
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return None if row is None or row.disabled else _signer(row).actor()


@functools.cache
def _dummy_hash() -> str:
    """A hash no password matches, checked for unknown usernames so they cost the same."""
    return HASHER.hash(secrets.token_urlsafe(24))


def _matches(digest: str, password: str) -> bool:
    try:
        return HASHER.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return False


def _check(db: Database | Connection, username: str, password: str
           ) -> tuple[str, Signer | None]:
    """Check a password: ("ok" | "unknown" | "wrong" | "disabled" | "locked", signer).

    The hash is checked outside any write, so a sign-in holds no lock while argon2 works; a
    failure is counted by one increment, and the attempt that reaches the limit locks.
    """
    name = normal_username(username)
    with _transaction(db, write=False) as conn:
        row = conn.execute(select(users).where(users.c.username == name)).first()
    now = dt.datetime.now(dt.UTC)
    locked = row is not None and (utc(row.locked_until) or now) > now
    matches = _matches(_dummy_hash() if row is None or locked else row.password_hash,
                       password or "")
    if row is None:
        return "unknown", None
    signer = _signer(row)
    if locked:
        return "locked", signer
    if row.disabled:
        return "disabled", signer
    if not matches:
        _count_failure(db, row.id, now)
        return "wrong", signer
    rehashed = HASHER.hash(password) if HASHER.check_needs_rehash(row.password_hash) else None
    if row.failed_attempts or row.locked_until is not None or rehashed:
        values: dict[str, Any] = {"failed_attempts": 0, "locked_until": None}
        if rehashed:
            values["password_hash"] = rehashed
        with _transaction(db) as conn:
            conn.execute(update(users).where(users.c.id == row.id).values(**values))
    return "ok", signer


def _count_failure(db: Database | Connection, user_id: int, now: dt.datetime) -> None:
    """Count a failed attempt; the one that reaches the limit locks the account and starts
    the count again for after the lock."""
    with _transaction(db) as conn:
        count = conn.execute(update(users).where(users.c.id == user_id)
                             .values(failed_attempts=users.c.failed_attempts + 1)
                             .returning(users.c.failed_attempts)).scalar_one()
        if count >= MAX_FAILED_ATTEMPTS:
            conn.execute(update(users).where(users.c.id == user_id).values(
                failed_attempts=0, locked_until=now + dt.timedelta(minutes=LOCK_MINUTES)))


def _transaction(db: Database | Connection, *, write: bool = True) -> Any:
    """A transaction of the Database, or the given Connection as the one already open."""
    return nullcontext(db) if isinstance(db, Connection) else db.transaction(write=write)


def _row(conn: Connection, name: str) -> Any:
    row = conn.execute(select(users).where(users.c.username == name)).first()
    if row is None:
        raise NotFound(f"no person with username {name!r}", {"username": "no such person"})
    return row


def _signer(row: Any) -> Signer:
    return Signer(user_id=row.id, username=row.username, display_name=row.display_name,
                  roles=tuple(row.roles))


def _audited(user: UserOut) -> dict[str, Any]:
    """What the audit trail keeps of an account: who it is and may do, never its hash."""
    return {"username": user.username, "display_name": user.display_name,
            "roles": list(user.roles), "disabled": user.disabled}


def _out(row: Any) -> UserOut:
    locked = utc(row.locked_until)
    return UserOut(username=row.username, display_name=row.display_name, roles=list(row.roles),
                   disabled=bool(row.disabled),
                   locked_until=iso(locked) if locked and locked > dt.datetime.now(dt.UTC)
                   else None,
                   created_at=iso(row.created_at), created_by=row.created_by,
                   password_changed_at=iso(row.password_changed_at))
