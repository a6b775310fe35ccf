"""Kept Idempotency-Key answers are dropped once past their promised lifetime, not before."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import func, insert, select

from labelsvc.registry.database import Database
from labelsvc.registry.models import api_tokens, idempotency_records
from labelsvc.services import idempotency
from labelsvc.services.tokens import Actor


@pytest.fixture
def db(own_registry: Database) -> Database:
    """This module's registry."""
    return own_registry


def _keep(db: Database, key: str, age_hours: float) -> None:
    at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=age_hours)
    with db.transaction() as conn:
        conn.execute(insert(idempotency_records).values(
            token_id=1, key=key, fingerprint="f", status=201, content_type="application/json",
            body="{}", created_at=at))


def test_only_answers_past_their_lifetime_are_dropped(db: Database) -> None:
    with db.transaction() as conn:
        conn.execute(insert(api_tokens).values(id=1, name="line-7", role="line",
                                               token_hash="h", created_at=dt.datetime.now(dt.UTC)))
    for n in range(7):
        _keep(db, f"old-{n}", 24 * 5)
    _keep(db, "recent", 47)
    _keep(db, "in-grace", 48.5)        # past 48 h, but inside the hour of grace
    assert idempotency.purge_expired(db, hours=48, batch=3) == 7
    with db.transaction(write=False) as conn:
        left = set(conn.execute(select(idempotency_records.c.key)).scalars())
        assert left == {"recent", "in-grace"}
        assert conn.execute(select(func.count()).select_from(idempotency_records)).scalar() == 2
    # a key purged long ago is simply claimed afresh
    with db.transaction() as conn:
        line = Actor(token_id=1, name="line-7", role="line")
        assert idempotency.claim(conn, line, "old-0", "g", hours=48) is None


def test_every_print_worker_sweeps_them(db: Database) -> None:
    from labelsvc.worker import PrintWorker
    from labelsvc.worker.delivery import WorkerSettings

    with db.transaction() as conn:
        conn.execute(insert(api_tokens).values(id=1, name="line-7", role="line",
                                               token_hash="h", created_at=dt.datetime.now(dt.UTC)))
    _keep(db, "old", 24 * 5)
    worker = PrintWorker(db, WorkerSettings(poll_seconds=0.05, idempotency_hours=48)).start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with db.transaction(write=False) as conn:
                if not conn.execute(select(func.count()).select_from(
                        idempotency_records)).scalar():
                    break
            time.sleep(0.05)
        else:
            pytest.fail("the print worker did not drop the expired answer")
    finally:
        worker.stop()
