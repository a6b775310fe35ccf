"""kill -9 during a 50,000-identifier batch: after restart it is all there or all absent."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import cluster

BATCH = 50_000


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The database the service runs on."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'labelsvc.sqlite3'}"
    else:
        yield request.getfixturevalue("pg_url")


def _wait_for_open_transaction(url: str, deadline: float) -> bool:
    """Wait until the service holds a write transaction open (PostgreSQL only)."""
    while time.monotonic() < deadline:
        rows = cluster.query(url, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                             "current_database() AND pid <> pg_backend_pid() AND "
                             "xact_start IS NOT NULL AND query ILIKE %s", "%identifiers%")
        if rows[0][0]:
            return True
        time.sleep(0.01)
    return False


@pytest.mark.slow
def test_kill_during_batch_is_all_or_nothing(database: str, tmp_path: Path) -> None:
    env = cluster.service_env(database, tmp_path)
    service = cluster.Service(env, workers=1).start()
    token = cluster.create_token(env)
    api = cluster.Api(service.port, token)
    assert api.post("/api/v1/schemes", cluster.SYSTEM_SCHEME)[0] == 201
    status, first = api.post("/api/v1/serials", {"scheme": "sys-serial",
                                                 "fields": {"line": "01"}, "count": 10})
    assert status == 201

    outcome: dict[str, object] = {}

    def big_batch() -> None:
        try:
            outcome["answer"] = cluster.Api(service.port, token).post(
                "/api/v1/serials", {"scheme": "sys-serial", "fields": {"line": "01"},
                                    "count": BATCH})
        except OSError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=big_batch)
    thread.start()
    if database.startswith("postgresql"):
        assert _wait_for_open_transaction(database, time.monotonic() + 30)
    else:
        time.sleep(0.4)
    service.kill()
    thread.join(timeout=30)
    assert "answer" not in outcome, "the batch finished before the kill; nothing was tested"

    service = cluster.Service(env, workers=1).start()
    try:
        api = cluster.Api(service.port, token)
        values = cluster.registry_values(api, "sys-serial")
        assert len(values) in (10, 10 + BATCH)
        assert len(set(values)) == len(values)
        status, after = api.post("/api/v1/serials", {"scheme": "sys-serial",
                                                     "fields": {"line": "01"}, "count": 100})
        assert status == 201, after
        again = cluster.registry_values(api, "sys-serial")
        assert len(again) == len(set(again)) == len(values) + 100
        assert {i["value"] for i in first["identifiers"]} <= set(again)
    finally:
        service.stop()
