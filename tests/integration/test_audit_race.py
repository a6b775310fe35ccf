"""Several processes change things at the same moment on one database: the audit chain stays
one line (no two rows chain from the same row), every change has its row, and verify is ok.
Both databases."""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest
from sqlalchemy import func, select

from labelsvc.registry.database import Database
from labelsvc.registry.models import audit as audit_table
from labelsvc.registry.setup import upgrade
from labelsvc.services import audit, event_types
from labelsvc.services.tokens import Actor

pytestmark = pytest.mark.slow
PROCESSES = 4
EACH = 25


def _writer(url: str, number: int, barrier: Any) -> None:
    """Register event types as fast as possible, starting with the other processes."""
    db = Database(url)
    who = Actor(token_id=number, name=f"admin-{number}", role="admin")
    barrier.wait(timeout=60)
    for i in range(EACH):
        event_types.register(db, f"race-{number}-{i}", "written in a race", who)
    db.dispose()


def test_concurrent_writers_keep_one_chain(empty_database_url: str) -> None:
    db = Database(empty_database_url)
    upgrade(db)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    procs = [ctx.Process(target=_writer, args=(empty_database_url, n, barrier))
             for n in range(PROCESSES)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=300)
        assert proc.exitcode == 0
    answer = audit.verify(db)
    assert answer.ok and answer.rows == PROCESSES * EACH, answer
    with db.transaction(write=False) as conn:
        forks = conn.execute(select(func.count()).select_from(audit_table)).scalar_one() - \
            conn.execute(select(func.count(audit_table.c.prev_hash.distinct()))).scalar_one()
        writers = set(conn.execute(select(audit_table.c.actor).distinct()).scalars())
    assert forks == 0
    assert writers == {f"admin-{n}" for n in range(PROCESSES)}
    db.dispose()
