"""People's accounts: argon2 hashes, roles, disabled and locked accounts, signatures, tokens
that belong to a person."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from labelsvc.errors import (
    AccountDisabled,
    AccountLocked,
    BadSignature,
    Unauthorized,
    UserExists,
    ValidationFailed,
    problem_for,
)
from labelsvc.registry.models import users
from labelsvc.services import people, tokens

pytestmark = pytest.mark.xdist_group("integration-people")
PASSWORD = "correct horse battery"


def _user(db, username: str, *roles: str, password: str = PASSWORD) -> None:
    people.create_user(db, username=username, password=password, roles=list(roles or ["line"]),
                       created_by="cli:root")


def _stored(db, username: str):
    with db.transaction(write=False) as conn:
        return conn.execute(select(users).where(users.c.username == username)).one()


def test_an_account_keeps_an_argon2id_hash_never_the_password(db):
    made = people.create_user(db, username="  JDoe ", password=PASSWORD,
                              roles=["receiver", "line"], display_name="Jane Doe",
                              created_by="cli:root")
    assert (made.username, made.display_name, made.roles) == ("jdoe", "Jane Doe",
                                                              ["line", "receiver"])
    row = _stored(db, "jdoe")
    assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
    listed = {u.username: u.model_dump() for u in people.list_users(db).items}
    assert listed["jdoe"]["created_by"] == "cli:root" and not listed["jdoe"]["disabled"]
    assert not any("hash" in key or "password" == key for key in listed["jdoe"])
    with pytest.raises(UserExists, match="exists already"):  # usernames ignore case
        _user(db, "JDOE")


@pytest.mark.parametrize("username, password, roles, field", [
    ("ann", "short-pass", ["line"], "password"),          # under 12 characters
    ("annabelle-long", "Annabelle-Long", ["line"], "password"),   # the username itself
    ("ann", PASSWORD, [], "roles"),
    ("ann", PASSWORD, ["operator"], "roles"),
    ("ann", PASSWORD, ["admin", "line"], "roles"),       # admin grants everything already
    ("ann", PASSWORD, ["line", "viewer"], "roles"),      # every role reads
    ("ann smith", PASSWORD, ["line"], "username"),
    ("a" * 33, PASSWORD, ["line"], "username"),
])
def test_an_account_is_refused_naming_the_field(db, username, password, roles, field):
    with pytest.raises(ValidationFailed) as refused:
        people.create_user(db, username=username, password=password, roles=roles,
                           created_by="cli:root")
    assert list(refused.value.errors) == [field]
    assert password not in refused.value.detail


def test_a_signature_checks_the_password_and_names_the_signer(db):
    people.create_user(db, username="qa.lead", password=PASSWORD, roles=["line", "receiver"],
                       display_name="Quality Lead", created_by="cli:root")
    signer = people.verify_signature(db, "QA.Lead", PASSWORD)
    assert (signer.username, signer.display_name, signer.roles) == (
        "qa.lead", "Quality Lead", ("line", "receiver"))
    with db.transaction() as conn:  # inside the caller's transaction too
        assert people.verify_signature(conn, "qa.lead", PASSWORD).username == "qa.lead"
    for name, password in (("qa.lead", "wrong password!"), ("nobody", PASSWORD)):
        with pytest.raises(BadSignature) as refused:
            people.verify_signature(db, name, password)
        problem = problem_for(refused.value)
        assert problem is not None and problem["status"] == 401
        assert problem["type"].endswith(":bad-signature")
    people.verify_signature(db, "qa.lead", PASSWORD)  # a success sets the count back
    assert _stored(db, "qa.lead").failed_attempts == 0


def test_five_failures_in_a_row_lock_the_account_for_fifteen_minutes(db):
    _user(db, "locky")
    for _ in range(people.MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(BadSignature):
            people.verify_signature(db, "locky", "not the password")
    people.verify_signature(db, "locky", PASSWORD)  # not in a row: the count starts again
    for _ in range(people.MAX_FAILED_ATTEMPTS):
        with pytest.raises(Unauthorized) as refused:
            people.sign_in(db, "locky", "not the password")
        assert refused.value.detail == people.SIGN_IN_REFUSED
    until = _stored(db, "locky").locked_until
    assert until is not None
    left = until.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(minutes=14) < left <= dt.timedelta(minutes=15)
    with pytest.raises(AccountLocked, match="locked after 5 failed attempts"):
        people.verify_signature(db, "locky", PASSWORD)  # even the right password
    with pytest.raises(Unauthorized) as refused:
        people.sign_in(db, "locky", PASSWORD)
    assert refused.value.detail == people.SIGN_IN_REFUSED  # the same words as a wrong one
    assert people.list_users(db).items[[u.username for u in people.list_users(db).items]
                                       .index("locky")].locked_until is not None
    with db.transaction() as conn:  # the fifteen minutes are over
        conn.execute(update(users).where(users.c.username == "locky")
                     .values(locked_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    assert people.sign_in(db, "locky", PASSWORD).username == "locky"
    assert _stored(db, "locky").locked_until is None


def test_enabling_lifts_a_lock_and_disabling_refuses_everything(db):
    _user(db, "shift-b")
    for _ in range(people.MAX_FAILED_ATTEMPTS):
        with pytest.raises(BadSignature):
            people.verify_signature(db, "shift-b", "not the password")
    people.set_disabled(db, "shift-b", False)
    assert people.verify_signature(db, "shift-b", PASSWORD).username == "shift-b"
    people.set_disabled(db, "shift-b", True)
    with pytest.raises(AccountDisabled) as refused:
        people.verify_signature(db, "shift-b", PASSWORD)
    assert problem_for(refused.value)["type"].endswith(":account-disabled")
    with pytest.raises(Unauthorized) as login:
        people.sign_in(db, "shift-b", PASSWORD)
    assert login.value.detail == people.SIGN_IN_REFUSED
    people.set_disabled(db, "shift-b", False)
    people.change_password(db, "shift-b", "a new password for shift b")
    with pytest.raises(BadSignature):
        people.verify_signature(db, "shift-b", PASSWORD)
    assert people.sign_in(db, "shift-b", "a new password for shift b").username == "shift-b"


def test_a_hash_with_older_parameters_is_replaced_at_the_next_success(db):
    _user(db, "oldhash")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with db.transaction() as conn:
        conn.execute(update(users).where(users.c.username == "oldhash")
                     .values(password_hash=weak))
    with pytest.raises(Unauthorized):
        people.sign_in(db, "oldhash", "not the password")
    assert _stored(db, "oldhash").password_hash == weak  # a failure rehashes nothing
    people.sign_in(db, "oldhash", PASSWORD)
    renewed = _stored(db, "oldhash").password_hash
    assert renewed != weak and not people.HASHER.check_needs_rehash(renewed)
    assert people.sign_in(db, "oldhash", PASSWORD).username == "oldhash"


def test_a_token_may_belong_to_a_person_and_stops_with_them(db):
    _user(db, "mia", "line", "receiver")
    token = tokens.create_token(db, name="line-9", role="line", owner="MIA")
    who = tokens.authenticate(db, token)
    assert (who.name, who.username, who.role) == ("line-9 (mia)", "mia", "line")
    with pytest.raises(ValidationFailed, match="does not hold the role admin"):
        tokens.create_token(db, name="mia-admin", role="admin", owner="mia")
    with pytest.raises(ValidationFailed, match="no person"):
        tokens.create_token(db, name="line-10", role="line", owner="nobody")
    with pytest.raises(ValidationFailed, match=r"'\(' or '\)'"):
        tokens.create_token(db, name="line (x)", role="line")
    with pytest.raises(UserExists, match="a person's username"):
        tokens.create_token(db, name="Mia", role="line")
    tokens.create_token(db, name="dock-9", role="receiver")
    with pytest.raises(UserExists, match="the name of an API token"):
        _user(db, "dock-9")
    people.set_disabled(db, "mia", True)
    with pytest.raises(Unauthorized, match="belongs to mia, whose account is disabled"):
        tokens.authenticate(db, token)
    people.set_disabled(db, "mia", False)
    assert tokens.authenticate(db, token).username == "mia"


def test_a_person_acts_with_the_union_of_their_roles(db):
    _user(db, "two-hats", "line", "receiver")
    who = people.sign_in(db, "two-hats", PASSWORD).actor()
    who.require(tokens.ISSUE_SERIALS)
    who.require(tokens.ISSUE_LOTS)
    with pytest.raises(Exception, match=r"two-hats \(line, receiver\) may not void"):
        who.require(tokens.VOID)


def test_account_changes_are_audit_rows_without_the_password(db):
    from labelsvc.registry.models import audit as audit_rows
    from labelsvc.services import audit

    _user(db, "auditee", "receiver")
    people.change_password(db, "auditee", PASSWORD + "-new", actor="cli:root")
    people.set_disabled(db, "auditee", True, actor="cli:ops")
    people.set_disabled(db, "auditee", False, actor="cli:ops")
    with db.transaction(write=False) as conn:
        rows = conn.execute(select(audit_rows).where(audit_rows.c.target_name == "auditee")
                            .order_by(audit_rows.c.id)).all()
    assert [(r.action, r.actor) for r in rows] == [
        ("user.create", "cli:root"), ("user.password", "cli:root"),
        ("user.disable", "cli:ops"), ("user.enable", "cli:ops")]
    assert rows[0].before is None and rows[0].after == {
        "username": "auditee", "display_name": "auditee", "roles": ["receiver"],
        "disabled": False}
    assert (rows[2].before["disabled"], rows[2].after["disabled"]) == (False, True)
    stored = _stored(db, "auditee").password_hash
    for row in rows:
        assert PASSWORD not in repr(row) and stored not in repr(row)
    assert audit.verify(db).ok
