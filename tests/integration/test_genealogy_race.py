"""Two receivers link the same two lots in opposite directions at the same moment, in two real
processes on the same database: one link is recorded, the other refused, and the genealogy
never holds a cycle. Both databases."""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest
from sqlalchemy import select

from labelsvc.errors import ValidationFailed
from labelsvc.registry.database import Database
from labelsvc.registry.models import genealogy
from labelsvc.registry.setup import upgrade
from labelsvc.services import genealogy as genealogy_service
from labelsvc.services import schemes
from labelsvc.services.issuing import Issuer, IssueRequest
from labelsvc.services.tokens import Actor

pytestmark = pytest.mark.slow
RACES = 40
DOCK = Actor(token_id=0, name="dock", role="receiver")


def _receiver(url: str, pairs: list[tuple[str, str]], flip: bool, barrier: Any,
              outcomes: Any) -> None:
    """Link each pair (one direction per process) right after the other process is ready."""
    db = Database(url)
    for a, b in pairs:
        parent, component = (b, a) if flip else (a, b)
        barrier.wait(timeout=60)
        try:
            genealogy_service.add_components(db, parent, [component], DOCK)
            outcomes.put(("linked", parent, component))
        except ValidationFailed:
            outcomes.put(("refused", parent, component))
    db.dispose()


def _cycles(db: Database) -> int:
    """Pairs linked both ways (a two-node cycle)."""
    with db.transaction(write=False) as conn:
        links = {(p, c) for p, c in conn.execute(
            select(genealogy.c.parent_id, genealogy.c.component_id))}
    return sum(1 for p, c in links if (c, p) in links) // 2


def test_opposite_links_at_once_never_make_a_cycle(empty_database_url: str) -> None:
    db = Database(empty_database_url)
    upgrade(db)
    schemes.define_scheme(db, {"name": "race-lot", "kind": "lot", "pattern": "RL{seq:5}"},
                          "admin")
    values = Issuer(db).issue(IssueRequest(kind="lot", scheme="race-lot", fields={},
                                           count=2 * RACES), DOCK).values
    pairs = [(values[2 * i], values[2 * i + 1]) for i in range(RACES)]
    ctx = multiprocessing.get_context("spawn")
    barrier, outcomes = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_receiver, args=(empty_database_url, pairs, flip, barrier,
                                                 outcomes)) for flip in (False, True)]
    for proc in procs:
        proc.start()
    results = [outcomes.get(timeout=120) for _ in range(2 * RACES)]
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    assert _cycles(db) == 0
    linked = [r for r in results if r[0] == "linked"]
    assert len(linked) == RACES  # exactly one direction of each pair
    assert {frozenset(r[1:]) for r in linked} == {frozenset(p) for p in pairs}
    db.dispose()
