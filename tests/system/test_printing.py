"""Printing with real processes: `labelsvc serve`, `labelsvc worker`, `labelsvc printer-sim`."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from cluster import (
    FAST_PRINTING,
    SYSTEM_SCHEME,
    Api,
    Service,
    Simulator,
    Worker,
    create_token,
    query,
    service_env,
    wait_job,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
TEMPLATE = "datamatrix-25x12"


def _issue(api: Api, printer: str, count: int, line: str) -> dict:
    status, body = api.post("/api/v1/serials", {
        "scheme": SYSTEM_SCHEME["name"], "fields": {"line": line}, "count": count,
        "print": {"printer": printer, "template": TEMPLATE}})
    assert status == 201, body
    return dict(body)


def _in_order(formats: list[str], values: list[str]) -> list[str]:
    """The values the printer received, in arrival order (a format carries one value)."""
    out = []
    for text in formats:
        out += [v for v in values if v in text]
    return out


def _setup(pg_url: str, tmp_path: Path, services: int = 1) -> tuple[dict, list[Service], str]:
    env = service_env(pg_url, tmp_path / "data", LABELSVC_PRINT_WORKER="0",
                      LABELSVC_SEED_EXAMPLES="0", **FAST_PRINTING)
    started = [Service(env, workers=1).start() for _ in range(services)]
    token = create_token(env)
    status, body = Api(started[0].port, token).post("/api/v1/schemes", SYSTEM_SCHEME)
    assert status == 201, body
    return env, started, token


def test_kill_9_worker_mid_job_resumes_without_losing_a_label(pg_url, tmp_path):
    env, (service,), token = _setup(pg_url, tmp_path)
    sim = Simulator(label_seconds=0.01).start()
    worker = Worker(env).start()
    try:
        api = Api(service.port, token)
        assert api.post("/api/v1/printers", sim.printer("line-1"))[0] == 201
        issued = _issue(api, "line-1", 300, "01")
        values = [i["value"] for i in issued["identifiers"]]
        job_id = issued["print_job"]["id"]
        deadline = time.monotonic() + 30
        while api.get(f"/api/v1/print-jobs/{job_id}")[1]["printed"] < 50:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        worker.kill()
        assert api.get(f"/api/v1/print-jobs/{job_id}")[1]["status"] == "printing"
        worker = Worker(env).start()
        done = wait_job(api, job_id, timeout=60)
        assert done["printed"] == done["total"] == 300
        received = _in_order(sim.formats(), values)
        assert set(received) == set(values)
        assert list(dict.fromkeys(reversed(received)))[::-1] == values
        twice = {v for v in values if received.count(v) > 1}
        for value in twice:  # every label the printer got twice is flagged
            events = api.get(f"/api/v1/identifiers/{value}")[1]["events"]
            assert any(e["type"] == "reprinted" and e["data"]["reason"] == "connection-reset"
                       for e in events), value
    finally:
        worker.stop()
        sim.stop()
        service.stop()


def test_two_workers_two_services_four_printers(pg_url, tmp_path):
    env, services, token = _setup(pg_url, tmp_path, services=2)
    sims = [Simulator(label_seconds=0.002).start() for _ in range(4)]
    # Two threads each: four printers with work need both workers.
    workers = [Worker(env, name=f"worker-{n}", threads=2).start() for n in (1, 2)]
    try:
        apis = [Api(s.port, token) for s in services]
        names = [f"line-{n}" for n in range(1, 5)]
        for name, sim in zip(names, sims, strict=True):
            assert apis[0].post("/api/v1/printers", sim.printer(name))[0] == 201
        jobs: dict[str, list[dict]] = {name: [] for name in names}
        for round_ in range(4):
            for n, name in enumerate(names):
                api = apis[(round_ + n) % 2]
                jobs[name].append(_issue(api, name, 40, f"{n + 1:02d}"))
        for name in names:
            for issued in jobs[name]:
                wait_job(apis[0], issued["print_job"]["id"], timeout=90)
        for name, sim in zip(names, sims, strict=True):
            values = [i["value"] for b in jobs[name] for i in b["identifiers"]]
            received = _in_order(sim.formats(), values)
            assert received == values, name  # every label once, each printer's order kept
        leases = query(pg_url, "SELECT printer_id, epoch, owner, acquired_at, released_at "
                               "FROM printer_leases ORDER BY printer_id, epoch")
        assert {row[2] for row in leases} == {"worker-1", "worker-2"}
        last: dict[int, dt.datetime] = {}
        for printer_id, _epoch, _owner, acquired, released in leases:
            assert printer_id not in last or acquired >= last[printer_id]
            last[printer_id] = released or dt.datetime.max.replace(tzinfo=dt.UTC)
    finally:
        for w in workers:
            w.stop()
        for s in sims:
            s.stop()
        for s in services:
            s.stop()
