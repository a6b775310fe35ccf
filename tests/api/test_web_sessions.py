"""Web sessions live in the registry: signing out ends one for good (a copied cookie is then
worth nothing), and a tablet left idle is signed out. Both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, update

from labelsvc.registry.models import web_sessions

pytestmark = pytest.mark.xdist_group("api-web-sessions")


def _signed_in(app: Any, token: str) -> Any:
    browser = app.test_client()
    browser.get("/login")
    with browser.session_transaction() as session:
        csrf = session["csrf_token"]
    assert browser.post("/login", data={"token": token, "csrf_token": csrf}).status_code == 302
    assert browser.get("/").status_code == 200
    return browser


def _cookie(browser: Any) -> str:
    cookie = browser.get_cookie("labelsvc_session")
    assert cookie is not None
    return str(cookie.value)


def _copy(app: Any, cookie: str) -> Any:
    other = app.test_client()
    other.set_cookie("labelsvc_session", cookie)
    return other


def _latest(db: Any) -> Any:
    with db.transaction(write=False) as conn:
        return conn.execute(select(web_sessions).order_by(web_sessions.c.id.desc())).first()


def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(app: Any, tokens: Any,
                                                                    db: Any) -> None:
    browser = _signed_in(app, tokens["line"])
    cookie = _cookie(browser)
    assert _copy(app, cookie).get("/").status_code == 200  # the same session, elsewhere
    with browser.session_transaction() as session:
        csrf = session["csrf_token"]
    assert browser.post("/logout", data={"csrf_token": csrf}).status_code == 302
    replayed = _copy(app, cookie).get("/")
    assert replayed.status_code == 302 and "/login" in replayed.headers["Location"]
    assert _latest(db).ended_why == "signed-out"


def test_a_tablet_left_idle_is_signed_out(app: Any, tokens: Any, db: Any) -> None:
    browser = _signed_in(app, tokens["receiver"])
    idle = float(app.config["SESSION_IDLE_MINUTES"])
    assert idle == 30
    row = _latest(db)
    with db.transaction() as conn:  # the tablet was last used 31 minutes ago
        conn.execute(update(web_sessions).where(web_sessions.c.id == row.id).values(
            seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=idle + 1)))
    answer = browser.get("/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert _latest(db).ended_why == "idle"


def test_a_session_in_use_stays_signed_in(app: Any, tokens: Any, db: Any) -> None:
    browser = _signed_in(app, tokens["viewer"])
    row = _latest(db)
    with db.transaction() as conn:  # used 29 minutes ago: still within the idle time
        conn.execute(update(web_sessions).where(web_sessions.c.id == row.id).values(
            seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=29)))
    assert browser.get("/").status_code == 200
    seen = _latest(db).seen_at
    seen = seen if seen.tzinfo else seen.replace(tzinfo=dt.UTC)
    assert dt.datetime.now(dt.UTC) - seen < dt.timedelta(minutes=1)  # seen again just now


def test_a_kept_page_answer_holds_no_csrf_token_and_a_replay_gets_the_current_one(
        app: Any, tokens: Any, db: Any) -> None:
    from labelsvc.registry.models import idempotency_records

    browser = _signed_in(app, tokens["line"])
    with browser.session_transaction() as session:
        csrf = session["csrf_token"]
    form = {"csrf_token": csrf, "scheme": "acme-serial", "fields.model": "WIDGET-200",
            "fields.site": "austin", "count": "1", "request_key": "tablet-7-form-0001"}
    first = browser.post("/issue", data=form)
    assert first.status_code == 200 and csrf in first.get_data(as_text=True)
    with db.transaction(write=False) as conn:
        kept = conn.execute(select(idempotency_records.c.body).where(
            idempotency_records.c.key == "web-serial-tablet-7-form-0001")).scalar_one()
    assert csrf not in kept and "W" in kept
    again = browser.post("/issue", data=form)  # the browser sends the form again (a refresh)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_data(as_text=True) == first.get_data(as_text=True)
