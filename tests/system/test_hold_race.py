"""A hold and a shipment, print job or issue into the lot, written at the same moment by two
`labelsvc serve` processes on one PostgreSQL: the hold is never missed.

The test's own connection holds a lock that parks one writer at a known point inside its
transaction, so the order of the race is the same on every run, whatever the machine's speed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

import cluster

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
SERIAL = {"scheme": "acme-serial", "fields": {"model": "WIDGET-100", "site": "munich"}}
JOB = {"printer": "race-1", "template": "serial-50x25"}
# What each action is, and a statement that parks it after its hold check (flow A).
ACTIONS = ("ship", "print", "issue")
PARK_AFTER_CHECK = {
    "ship": "SELECT id FROM identifiers WHERE value = %s FOR UPDATE",
    "print": "LOCK TABLE print_job_labels IN EXCLUSIVE MODE",
    "issue": "SELECT id FROM counters FOR UPDATE",
}


class Race:
    """Two service processes, an admin token, and the test's own database connection."""

    def __init__(self, url: str, tmp: Path) -> None:
        env = cluster.service_env(url, tmp, LABELSVC_PRINT_WORKER="0", LABELSVC_THREADS="4")
        self.services = [cluster.Service(env, workers=1).start() for _ in range(2)]
        self.token = cluster.create_token(env)
        self.url = url
        status, _ = self.api(0).post("/api/v1/printers", {"name": "race-1", "driver": "zpl-tcp",
                                                          "host": "127.0.0.1", "port": 9})
        assert status == 201

    def api(self, n: int) -> cluster.Api:
        return cluster.Api(self.services[n].port, self.token)

    def lot_with_serials(self) -> tuple[str, str, str]:
        api = self.api(0)
        status, body = api.post("/api/v1/lots", {"scheme": "acme-lot", "fields": {
            "site": "munich", "line": "R"}})
        assert status == 201, body
        lot = body["identifiers"][0]["value"]
        status, body = api.post("/api/v1/serials", {**SERIAL, "lot": lot, "count": 2})
        assert status == 201, body
        return lot, body["identifiers"][0]["value"], body["identifiers"][1]["value"]

    def waiting(self, advisory: bool) -> int:
        """Backends of this database waiting for a lock (advisory ones, or any other)."""
        sql = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
               "AND wait_event_type = 'Lock' AND (wait_event = 'advisory') = %s")
        return int(cluster.query(self.url, sql, advisory)[0][0])

    def until_waiting(self, advisory: bool, count: int = 1) -> None:
        deadline = time.monotonic() + 60  # liveness only: the wait itself is certain
        while self.waiting(advisory) < count:
            assert time.monotonic() < deadline, "nothing waited for the lock"
            time.sleep(0.05)


def _act(race: Race, action: str, lot: str, serial: str, n: int) -> tuple[int, Any]:
    api = race.api(n)
    if action == "ship":
        return api.post(f"/api/v1/identifiers/{serial}/events", {"type": "shipped"})
    if action == "print":
        return api.post("/api/v1/print-jobs", {**JOB, "identifiers": [serial]})
    return api.post("/api/v1/serials", {**SERIAL, "lot": lot})


def _in_thread(call: Callable[..., tuple[int, Any]], *args: Any
               ) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(call(*args)), daemon=True)
    thread.start()
    return thread, out


def _hold(race: Race, lot: str, n: int) -> tuple[int, Any]:
    return race.api(n).post(f"/api/v1/identifiers/{lot}/hold", {"reason": "race recall"})


@pytest.fixture
def race(pg_url: str, tmp_path: Path) -> Race:
    return Race(pg_url, tmp_path)


def test_a_hold_placed_while_an_action_is_written_waits_for_it_to_commit(race: Race) -> None:
    for action in ACTIONS:
        lot, serial, other = race.lot_with_serials()
        with psycopg.connect(cluster._libpq(race.url)) as park:
            park.execute(PARK_AFTER_CHECK[action], (serial,) if action == "ship" else ())
            acting, acted = _in_thread(_act, race, action, lot, serial, 0)
            race.until_waiting(advisory=False)  # past its hold check, parked
            holding, held = _in_thread(_hold, race, lot, 1)
            race.until_waiting(advisory=True)  # the hold waits for the open action
            assert held == [], action
            park.rollback()
        acting.join(60)
        holding.join(60)
        assert acted[0][0] == 201, (action, acted)  # it came first: it stands
        assert held[0][0] == 201, (action, held)
        # From now on the hold refuses the same action.
        status, body = _act(race, action, lot, other, 0)
        assert status == 409 and body["type"].endswith(":on-hold"), (action, body)
        assert body["hold"]["id"] == held[0][1]["id"]


def test_an_action_started_while_a_hold_is_being_placed_waits_and_is_refused(
        race: Race) -> None:
    for action in ACTIONS:
        lot, serial, other = race.lot_with_serials()
        with psycopg.connect(cluster._libpq(race.url)) as park:
            park.execute("LOCK TABLE holds IN SHARE ROW EXCLUSIVE MODE")
            holding, held = _in_thread(_hold, race, lot, 1)
            race.until_waiting(advisory=False)  # the hold has its lock, parked at its insert
            acting, acted = _in_thread(_act, race, action, lot, serial, 0)
            race.until_waiting(advisory=True)  # the action waits for the hold
            assert acted == [], action
            park.rollback()
        holding.join(60)
        acting.join(60)
        assert held[0][0] == 201, (action, held)
        status, body = acted[0]
        assert status == 409 and body["type"].endswith(":on-hold"), (action, body)
        assert body["hold"]["id"] == held[0][1]["id"] and body["hold"]["identifier"] == lot
