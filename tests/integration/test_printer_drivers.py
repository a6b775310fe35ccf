"""A printer whose driver plugin is not installed: logged at start-up, named by /readyz."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import insert

from labelsvc.registry.database import Database
from labelsvc.registry.models import printers
from labelsvc.registry.setup import upgrade
from labelsvc.services.tokens import create_token

GONE = "printer dock-2 uses driver zpl-foo, which is not installed"


def _printer_of_a_removed_plugin(db: Database) -> None:
    """A printer defined while its driver's plugin was installed."""
    with db.transaction() as conn:
        conn.execute(insert(printers).values(
            name="dock-2", driver="zpl-foo", settings={}, dpi=203, media={}, location={},
            created_at=dt.datetime.now(dt.UTC), created_by="admin", lease_epoch=0))


def _app(url: str):
    from labelsvc import create_app

    return create_app({"TESTING": True, "DATABASE_URL": url, "SEED_EXAMPLES": False,
                       "LOG_LEVEL": "WARNING"})


def test_start_up_logs_the_printer_and_readyz_names_it_until_it_is_removed(
        empty_database_url, caplog):
    first = _app(empty_database_url)
    db = first.extensions["labelsvc.db"]
    assert first.test_client().get("/readyz").status_code == 200
    _printer_of_a_removed_plugin(db)
    with caplog.at_level(logging.ERROR, logger="labelsvc.services.printers"):
        app = _app(empty_database_url)
    assert GONE in caplog.text
    client = app.test_client()
    answer = client.get("/readyz")
    assert answer.status_code == 200  # issuing and the other printers go on
    assert answer.get_json() == {"status": "degraded", "detail": GONE}
    admin = {"Authorization": f"Bearer {create_token(db, name='ops', role='admin')}"}
    assert client.get("/api/v1/printers/dock-2", headers=admin).status_code == 200
    assert client.delete("/api/v1/printers/dock-2", headers=admin).status_code == 204
    assert client.get("/readyz").get_json() == {"status": "ok"}
    for started in (first, app):
        started.extensions["labelsvc.db"].dispose()


@pytest.mark.slow
def test_a_worker_logs_the_printer_at_start_and_leaves_it_alone(tmp_path):
    url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    db = Database(url)
    upgrade(db)
    _printer_of_a_removed_plugin(db)
    db.dispose()
    env = {**os.environ, "LABELSVC_DATABASE_URL": url, "LABELSVC_LOG_FORMAT": "text",
           "LABELSVC_PRINT_POLL_SECONDS": "0.1"}
    proc = subprocess.Popen([sys.executable, "-m", "labelsvc.cli", "worker"], env=env,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        seen = []
        for line in proc.stderr:
            seen.append(line)
            if "print worker" in line and "started" in line:
                break
        time.sleep(1.0)  # ten looks for work
    finally:
        proc.terminate()
        _, rest = proc.communicate(timeout=30)
    log = "".join(seen) + rest
    assert GONE in log
    assert "stopped on an error" not in log and "Traceback" not in log


def test_a_waiting_job_of_a_printer_without_its_driver_fails_with_the_reason(
        empty_database_url):
    from sqlalchemy import select

    from labelsvc.registry.models import print_jobs
    from labelsvc.services import job_states

    db = Database(empty_database_url)
    upgrade(db)
    _printer_of_a_removed_plugin(db)
    now = dt.datetime.now(dt.UTC)
    with db.transaction() as conn:
        dock = conn.execute(select(printers.c.id).where(printers.c.name == "dock-2")).scalar()
        conn.execute(insert(printers).values(
            name="line-1", driver="zpl-tcp", settings={"host": "127.0.0.1", "port": 9},
            dpi=203, media={}, location={}, created_at=now, created_by="admin", lease_epoch=0))
        line = conn.execute(select(printers.c.id).where(printers.c.name == "line-1")).scalar()
        for printer_id in (dock, line):
            conn.execute(insert(print_jobs).values(
                printer_id=printer_id, template="serial-50x25", status="queued", copies=1,
                total=0, printed=0, cancel_requested=False, attempts=0, created_at=now,
                created_by="line-7"))
    assert job_states.fail_without_driver(db, ["zpl-tcp", "file"]) == [(1, "dock-2")]
    with db.transaction(write=False) as conn:
        jobs = {r.printer_id: r for r in conn.execute(select(print_jobs))}
    assert (jobs[dock].status, jobs[dock].reason) == ("failed", "driver-missing")
    assert "zpl-foo, which is not installed" in jobs[dock].detail
    assert jobs[line].status == "queued"
    assert job_states.fail_without_driver(db, ["zpl-tcp", "file"]) == []  # once
    db.dispose()
