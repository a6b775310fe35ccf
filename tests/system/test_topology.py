"""The compose topology as plain processes: 2 `serve`, 1 `worker`, a virtual printer, PostgreSQL.

Issue with a print block through one service, see the labels arrive at the printer, read the
same registry figures on both services' /metrics, and follow the request id of the issue
request from the service's JSON log into the worker's log line for the job it made.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

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
REQUEST_ID = "topology-issue-0001"


def metrics(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Scrape /metrics (no token) into {(sample name, sorted labels): value}."""
    status, text = Api(port).get("/metrics")
    assert status == 200
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def json_lines(path: Path) -> list[dict[str, Any]]:
    """Every line of a process log, each of which must be one JSON object."""
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]
    assert all({"time", "level", "logger", "message", "request_id"} <= set(p) for p in parsed)
    return parsed


def test_two_services_a_worker_and_a_printer_share_one_postgresql(pg_url, tmp_path):
    env = service_env(pg_url, tmp_path / "data", LABELSVC_PRINT_WORKER="0",
                      LABELSVC_SEED_EXAMPLES="0", LABELSVC_LOG_FORMAT="json", **FAST_PRINTING)
    env["LABELSVC_LOG_LEVEL"] = "INFO"  # the worker's "job done" line is at INFO
    services = [Service(env, workers=2).start() for _ in range(2)]
    sim = Simulator().start()
    worker = Worker(env).start()
    try:
        token = create_token(env)
        first, second = (Api(s.port, token) for s in services)
        assert first.post("/api/v1/schemes", SYSTEM_SCHEME)[0] == 201
        assert second.post("/api/v1/printers", sim.printer("line-1"))[0] == 201
        status, body = first.post("/api/v1/serials", {
            "scheme": SYSTEM_SCHEME["name"], "fields": {"line": "07"}, "count": 5,
            "print": {"printer": "line-1", "template": "datamatrix-25x12"}},
            headers={"X-Request-ID": REQUEST_ID})
        assert status == 201, body
        values = [i["value"] for i in body["identifiers"]]
        job = wait_job(second, body["print_job"]["id"], timeout=60)
        assert job["printed"] == 5

        assert sim.state()["received"] == 5
        received = "".join(sim.formats())
        assert all(v in received for v in values)

        issued = ("labelsvc_identifiers_issued_total",
                  (("kind", "serial"), ("scheme", SYSTEM_SCHEME["name"])))
        issue_latency = ("labelsvc_http_request_duration_seconds_count",
                         (("endpoint", "/api/v1/serials"), ("method", "POST"),
                          ("status", "201")))
        scraped = [metrics(s.port) for s in services]
        for figures in scraped:
            assert figures[issued] == 5
            headroom = {k: v for k, v in figures.items()
                        if k[0] == "labelsvc_counter_headroom_ratio"}
            assert list(headroom.values()) == [pytest.approx(1 - 5 / SYSTEM_SCHEME_CAPACITY)]
            assert figures[("labelsvc_print_jobs", (("status", "held"),))] == 0
            assert figures[("labelsvc_printer_fault",
                            (("fault", "unreachable"), ("printer", "line-1")))] == 0
        assert scraped[0].get(issue_latency) == 1 and issue_latency not in scraped[1]
        metric_dirs = list((tmp_path / "data" / "metrics").glob("serve-*"))
        assert len(metric_dirs) == 2  # one per serve process, shared by its workers

        for service in services:
            assert service.log is not None
            json_lines(service.log)
        access = [line for line in json_lines(services[0].log)
                  if line["logger"] == "labelsvc.access" and line["path"] == "/api/v1/serials"]
        assert [(a["request_id"], a["status"], a["method"]) for a in access] == \
            [(REQUEST_ID, 201, "POST")]
        assert access[0]["actor"] == "system-test" and access[0]["duration_ms"] > 0
        assert worker.log is not None
        deadline = time.monotonic() + 10
        while not [line for line in json_lines(worker.log)
                   if f"job {job['id']} done" in line["message"]]:
            assert time.monotonic() < deadline, worker.log.read_text()[-2000:]
            time.sleep(0.1)
        done = [line for line in json_lines(worker.log)
                if f"job {job['id']} done" in line["message"]]
        assert done[0]["request_id"] == REQUEST_ID
    finally:
        worker.stop()
        sim.stop()
        for service in services:
            service.stop()


SYSTEM_SCHEME_CAPACITY = 9_999_999  # {seq:7} from 1
