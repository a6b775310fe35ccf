"""A process trusts a token it looked up for a short, configured time, and no longer."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import update

from labelsvc.errors import Unauthorized
from labelsvc.registry.database import Database
from labelsvc.registry.models import api_tokens
from labelsvc.services import tokens


@pytest.fixture
def db(own_registry: Database) -> Database:
    """This module's registry."""
    return own_registry


def _revoke_all(db: Database) -> None:
    with db.transaction() as conn:
        conn.execute(update(api_tokens).values(revoked_at=dt.datetime.now(dt.UTC)))


def test_revoked_token_is_refused_once_the_cache_time_is_over(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens.KNOWN_TOKENS, "seconds", 0.2)
    token = tokens.create_token(db, name="line-7", role="line")
    assert tokens.authenticate(db, token).name == "line-7"
    _revoke_all(db)
    assert tokens.authenticate(db, token).role == "line"   # still trusted for a moment
    time.sleep(0.3)
    with pytest.raises(Unauthorized):
        tokens.authenticate(db, token)


def test_zero_seconds_looks_up_every_request(db: Database,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens.KNOWN_TOKENS, "seconds", 0)
    token = tokens.create_token(db, name="dock-2", role="receiver")
    assert tokens.authenticate(db, token).name == "dock-2"
    _revoke_all(db)
    with pytest.raises(Unauthorized):
        tokens.authenticate(db, token)
