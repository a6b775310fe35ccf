"""Printer addresses with real processes: `labelsvc serve` refuses its own port and its
database's as printers, and a `labelsvc worker` whose plant networks leave a printer's address
out never opens a connection to it (a listener counts), holding the job as not reachable."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from cluster import (
    FAST_PRINTING,
    SYSTEM_SCHEME,
    Api,
    Service,
    Simulator,
    Worker,
    create_token,
    service_env,
    wait_job,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _printer(name: str, host: str, port: int) -> dict[str, Any]:
    return {"name": name, "driver": "zpl-tcp", "host": host, "port": port,
            "settings": {"status_timeout": 1, "connect_timeout": 1, "send_timeout": 5}}


def test_the_service_and_the_worker_keep_printers_where_printers_are(pg_url, tmp_path,
                                                                     listener):
    env = service_env(pg_url, tmp_path / "data", LABELSVC_PRINT_WORKER="0",
                      LABELSVC_SEED_EXAMPLES="0", **FAST_PRINTING)
    service = Service(env, workers=1).start()
    sim = Simulator().start()
    # The worker's plant networks leave 127.0.0.2 out; the service's (the default) do not.
    worker = Worker({**env, "LABELSVC_PRINTER_NETWORKS": "10.0.0.0/8,127.0.0.1/32"}).start()
    elsewhere = listener("127.0.0.2")
    try:
        api = Api(service.port, create_token(env))
        assert api.post("/api/v1/schemes", SYSTEM_SCHEME)[0] == 201
        database = make_url(pg_url)
        for host, port, says in (
                ("127.0.0.1", service.port, "is this service's own address"),
                ("localhost", service.port, "is this service's own address"),
                (database.host, database.port or 5432, "is the registry database"),
                ("169.254.169.254", 9100, "is a link-local address")):
            status, body = api.post("/api/v1/printers", _printer("nowhere", host, port))
            field = "host" if host == "169.254.169.254" else "port"
            assert (status, list(body["errors"])) == (422, [field]), body
            assert says in body["errors"][field]
        assert api.post("/api/v1/printers", sim.printer("line-1"))[0] == 201
        assert api.post("/api/v1/printers", _printer("line-2", "127.0.0.2", elsewhere.port)
                        )[0] == 201
        jobs = {}
        for printer in ("line-1", "line-2"):
            status, body = api.post("/api/v1/serials", {
                "scheme": SYSTEM_SCHEME["name"], "fields": {"line": "01"}, "count": 2,
                "print": {"printer": printer, "template": "datamatrix-25x12"}})
            assert status == 201, body
            jobs[printer] = body["print_job"]["id"]
        assert wait_job(api, jobs["line-1"])["printed"] == 2
        held = wait_job(api, jobs["line-2"], status="held")
        assert held["reason"] == "unreachable" and "not one printers may have" in held["detail"]
        assert worker.log is not None
        deadline = time.monotonic() + 30
        while "127.0.0.2 is not on the plant's printer networks" not in worker.log.read_text():
            assert time.monotonic() < deadline, worker.log.read_text()[-2000:]
            time.sleep(0.2)
        assert elsewhere.connections == 0
    finally:
        worker.stop()
        sim.stop()
        service.stop()
