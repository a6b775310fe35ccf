"""People sign in to the pages with a username and password; what they do is recorded under
their username, what a token of theirs does under "token (username)". Both databases."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import select

from labelsvc.registry.models import events, idempotency_records, identifiers, web_sessions
from labelsvc.services import people, tokens

pytestmark = pytest.mark.xdist_group("api-people-web")
PASSWORD = "line seven, shift b"


def _csrf(browser: Any) -> str:
    browser.get("/login")
    with browser.session_transaction() as session:
        return str(session["csrf_token"])


def _login(browser: Any, username: str, password: str) -> Any:
    return browser.post("/login", data={"csrf_token": _csrf(browser), "username": username,
                                        "password": password})


@pytest.fixture(scope="module")
def jdoe(db: Any) -> str:
    people.create_user(db, username="jdoe", password=PASSWORD, roles=["line", "receiver"],
                       display_name="Jane Doe", created_by="cli:root")
    return "jdoe"


def test_a_person_signs_in_with_a_password_and_is_named_in_what_they_issue(app, db, jdoe):
    browser = app.test_client()
    signed = _login(browser, "JDoe", PASSWORD)
    assert signed.status_code == 302
    home = browser.get("/").get_data(as_text=True)
    assert "jdoe" in home and "line+receiver" in home
    with db.transaction(write=False) as conn:
        row = conn.execute(select(web_sessions).order_by(web_sessions.c.id.desc())).first()
    assert row.token_id is None and row.user_id is not None
    with browser.session_transaction() as session:
        csrf = session["csrf_token"]
    form = {"csrf_token": csrf, "scheme": "acme-serial", "fields.model": "WIDGET-100",
            "fields.site": "munich", "count": "1", "request_key": "jdoe-form-1"}
    first = browser.post("/issue", data=form)
    assert first.status_code == 200
    again = browser.post("/issue", data=form)  # a refresh: the person's key, replayed
    assert again.headers.get("Idempotent-Replayed") == "true"
    with db.transaction(write=False) as conn:
        kept = conn.execute(select(idempotency_records).where(
            idempotency_records.c.key == "web-serial-jdoe-form-1")).one()
        issued = conn.execute(select(identifiers.c.issued_by, events.c.actor)
                              .join(events, events.c.identifier_id == identifiers.c.id)
                              .order_by(identifiers.c.id.desc())).first()
    assert kept.token_id is None and kept.user_id == row.user_id
    assert tuple(issued) == ("jdoe", "jdoe")
    browser.get("/receive")  # both roles at once: the dock's page opens too
    assert browser.get("/receive").status_code == 200


@pytest.mark.parametrize("username, password", [("jdoe", "not the password"),
                                                ("nobody", PASSWORD), ("", "")])
def test_every_failed_sign_in_gets_the_same_refusal(app, jdoe, username, password, caplog):
    caplog.set_level(logging.DEBUG)
    answer = _login(app.test_client(), username, password)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 401
    assert "unknown username or wrong password, or the account is disabled or locked" in page
    assert not password or (password not in page and password not in caplog.text)
    people.set_disabled(app.extensions["labelsvc.db"], "jdoe", False)  # lifts the lock


def test_a_disabled_person_is_refused_and_signed_out(app, db, jdoe):
    browser = app.test_client()
    assert _login(browser, "jdoe", PASSWORD).status_code == 302
    people.set_disabled(db, "jdoe", True)
    try:
        gone = browser.get("/")
        assert gone.status_code == 302 and "/login" in gone.headers["Location"]
        with db.transaction(write=False) as conn:
            why = conn.execute(select(web_sessions.c.ended_why)
                               .order_by(web_sessions.c.id.desc())).scalar()
        assert why == "account-disabled"
        refused = _login(app.test_client(), "jdoe", PASSWORD)
        assert refused.status_code == 401
    finally:
        people.set_disabled(db, "jdoe", False)


def test_five_wrong_passwords_lock_the_username(app, db, jdoe):
    for _ in range(people.MAX_FAILED_ATTEMPTS):
        assert _login(app.test_client(), "jdoe", "guess guess guess").status_code == 401
    assert _login(app.test_client(), "jdoe", PASSWORD).status_code == 401  # locked
    people.set_disabled(db, "jdoe", False)  # an administrator lifts it
    assert _login(app.test_client(), "jdoe", PASSWORD).status_code == 302


def test_a_token_of_a_person_records_both_names_and_its_sessions_end_with_them(app, db, api,
                                                                               jdoe):
    token = tokens.create_token(db, name="line-9", role="line", owner="jdoe")
    headers = {"Authorization": f"Bearer {token}"}
    made = app.test_client().post("/api/v1/serials", headers=headers, json={
        "scheme": "acme-serial", "fields": {"model": "WIDGET-100", "site": "munich"}})
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["identifiers"][0]["issued_by"] == "line-9 (jdoe)"
    browser = app.test_client()
    csrf = _csrf(browser)
    assert browser.post("/login", data={"csrf_token": csrf, "token": token}).status_code == 302
    people.set_disabled(db, "jdoe", True)
    try:
        assert browser.get("/").status_code == 302
        refused = app.test_client().get("/api/v1/schemes", headers=headers)
        assert refused.status_code == 401 and "disabled" in refused.get_json()["detail"]
    finally:
        people.set_disabled(db, "jdoe", False)


def test_admins_list_people_without_hashes(api, jdoe, problem):
    listed = api.get("/api/v1/users", role="admin")
    assert listed.status_code == 200
    body = listed.get_json()
    found = {u["username"]: u for u in body["items"]}
    assert found["jdoe"]["roles"] == ["line", "receiver"] and body["next_cursor"] is None
    assert "argon2" not in listed.get_data(as_text=True)
    assert set(found["jdoe"]) == {"username", "display_name", "roles", "disabled",
                                  "locked_until", "created_at", "created_by",
                                  "password_changed_at"}
    problem(api.get("/api/v1/users", role="viewer"), 403, "forbidden")
    problem(api.get("/api/v1/users", role=None), 401, "unauthorized")
