"""Request ids, JSON log lines and /metrics, on SQLite and PostgreSQL."""

from __future__ import annotations

import functools
import json
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from labelsvc.observability import metrics
from labelsvc.observability.logs import JsonFormatter
from labelsvc.registry.models import print_jobs
from labelsvc.services import registry_metrics
from labelsvc.worker import PrintWorker, WorkerSettings
from printers.sim import VirtualPrinter

SCHEME = {"name": "obs-serial", "kind": "serial", "pattern": "OB{line:2}{seq:2}",
          "charset": "0-9"}
FAST = WorkerSettings(poll_seconds=0.05, lease_seconds=3, retry_first_seconds=0.05,
                      retry_max_seconds=0.2, confirm_every=10, confirm_timeout=5,
                      probe_seconds=60, threads=2)


def samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """The samples of one metric in an exposition, keyed by their sorted labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name:
                found[tuple(sorted(s.labels.items()))] = s.value
    return found


def scrape(api: Any) -> str:
    """GET /metrics without a token."""
    answer = api.get("/metrics", role=None)
    assert answer.status_code == 200
    assert answer.content_type.startswith("text/plain; version=")
    return str(answer.get_data(as_text=True))


def issue(api: Any, line: str, count: int, headers: dict[str, str] | None = None,
          **extra: Any) -> Any:
    """Issue serials of the test scheme."""
    return api.post("/api/v1/serials", {"scheme": "obs-serial", "fields": {"line": line},
                                        "count": count, **extra}, role="line", headers=headers)


@pytest.fixture(scope="module")
def scheme(api: Any) -> str:
    """The small-capacity test scheme (99 values per line)."""
    assert api.post("/api/v1/schemes", SCHEME).status_code == 201
    return str(SCHEME["name"])


def test_a_request_id_is_taken_or_made_and_answered(api):
    given = api.get("/healthz", role=None, headers={"X-Request-ID": "plc-7.line-3:0042"})
    assert given.headers["X-Request-ID"] == "plc-7.line-3:0042"
    made = api.get("/healthz", role=None)
    hostile = api.get("/healthz", role=None, headers={"X-Request-ID": "a b\tc" + "x" * 300})
    for answer in (made, hostile):
        assert len(answer.headers["X-Request-ID"]) == 32
    assert made.headers["X-Request-ID"] != hostile.headers["X-Request-ID"]


def test_each_request_logs_one_json_line_with_its_request_id_and_actor(api, scheme, caplog):
    caplog.set_level(logging.INFO)
    answer = issue(api, "01", 2, headers={"X-Request-ID": "req-log-1"})
    assert answer.status_code == 201
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records
             if r.name == "labelsvc.access"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "req-log-1" and line["level"] == "INFO"
    assert line["method"] == "POST" and line["path"] == "/api/v1/serials"
    assert line["status"] == 201 and line["actor"] == "line-token"
    assert line["duration_ms"] >= 0 and line["time"].endswith("Z")
    assert line["logger"] == "labelsvc.access" and line["message"]


def test_a_failure_logs_its_traceback_as_one_json_line_under_the_request_id():
    from labelsvc.observability.context import request_id_bound

    log = logging.getLogger("labelsvc.test")
    try:
        raise ValueError("line 3 jammed")
    except ValueError:
        with request_id_bound("req-exc"):
            record = log.makeRecord(log.name, logging.ERROR, __file__, 1, "label %s lost",
                                    ("X1",), sys.exc_info(),
                                    extra={"printer": "line-3"})
    text = JsonFormatter().format(record)
    assert "\n" not in text
    line = json.loads(text)
    assert line["message"] == "label X1 lost" and line["printer"] == "line-3"
    assert line["request_id"] == "req-exc" and "line 3 jammed" in line["exception"]


def test_metrics_show_issued_identifiers_headroom_and_latency(api, scheme):
    before = samples(scrape(api), "labelsvc_identifiers_issued_total")
    key = (("kind", "serial"), ("scheme", "obs-serial"))
    assert issue(api, "02", 90).status_code == 201
    text = scrape(api)
    assert samples(text, "labelsvc_identifiers_issued_total")[key] == before.get(key, 0) + 90
    ratios = samples(text, "labelsvc_counter_headroom_ratio")
    left = samples(text, "labelsvc_counter_remaining")
    fullest = min(ratios, key=lambda k: ratios[k])
    assert dict(fullest)["scheme"] == "obs-serial"
    assert left[fullest] == 9 and ratios[fullest] == pytest.approx(9 / 99)
    latency = samples(text, "labelsvc_http_request_duration_seconds_count")
    assert latency[(("endpoint", "/api/v1/serials"), ("method", "POST"), ("status", "201"))] >= 1
    assert samples(text, "labelsvc_registry_up")[()] == 1


def test_counter_series_are_capped_to_those_with_least_headroom(app, api, scheme):
    assert issue(api, "03", 1).status_code == 201
    db = app.extensions["labelsvc.db"]
    registry = metrics.build_registry(functools.partial(registry_metrics.read_metrics, db, 1))
    text = metrics.exposition(registry).decode()
    ratios = samples(text, "labelsvc_counter_headroom_ratio")
    assert len(ratios) == 1
    assert min(samples(scrape(api), "labelsvc_counter_headroom_ratio").values()) == \
        pytest.approx(next(iter(ratios.values())))


def test_public_metrics_show_no_value_a_line_typed(api, scheme):
    """Counter keys are made of typed field values: without the metrics token they are left
    out of /metrics (a counter is named by its row id)."""
    assert issue(api, "87", 1).status_code == 201
    text = scrape(api)
    assert 'counter="87"' not in text
    counters = {dict(k)["counter"] for k in samples(text, "labelsvc_counter_remaining")}
    assert counters and all(c.startswith("counter-") for c in counters)


def test_with_a_metrics_token_only_its_scraper_reads_metrics_and_sees_keys(tmp_path):
    from labelsvc import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'm.sqlite3'}",
                      "LOG_LEVEL": "ERROR", "PRINT_WORKER": False,
                      "METRICS_TOKEN": "scrape-7f3a"})
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    answer = client.get("/metrics", headers={"Authorization": "Bearer scrape-7f3a"})
    assert answer.status_code == 200 and "labelsvc_registry_up 1.0" in answer.get_data(True)
    db = app.extensions["labelsvc.db"]
    text = metrics.exposition(metrics.build_registry(functools.partial(
        registry_metrics.read_metrics, db, 5, counter_keys=True))).decode()
    assert "counter-" not in text
    db.dispose()


@pytest.fixture
def sim() -> Iterator[VirtualPrinter]:
    """A virtual printer on a free port."""
    with VirtualPrinter(port=0) as printer:
        yield printer


def test_a_print_job_keeps_its_request_id_and_printer_faults_show(app, api, scheme, sim, caplog):
    caplog.set_level(logging.INFO)
    db = app.extensions["labelsvc.db"]
    name = f"obs-{app.config['DATABASE_URL'][:5]}"
    assert api.post("/api/v1/printers", {
        "name": name, "driver": "zpl-tcp", "host": "127.0.0.1", "port": sim.port,
        "settings": {"status_timeout": 0.3, "connect_timeout": 0.5, "send_timeout": 2}}
    ).status_code == 201
    sim.set_fault("pause")
    answer = issue(api, "04", 3, headers={"X-Request-ID": "req-print-1"},
                   print={"printer": name, "template": "datamatrix-25x12"})
    assert answer.status_code == 201
    job_id = answer.get_json()["print_job"]["id"]
    with db.transaction(write=False) as conn:
        stored = conn.execute(select(print_jobs.c.request_id)
                              .where(print_jobs.c.id == job_id)).scalar_one()
    assert stored == "req-print-1"
    worker = PrintWorker(db, FAST, name="obs-worker").start()
    try:
        deadline = time.monotonic() + 15
        while True:
            text = scrape(api)
            faults = samples(text, "labelsvc_printer_fault")
            if faults.get((("fault", "paused"), ("printer", name))) == 1:
                break
            assert time.monotonic() < deadline, faults
            time.sleep(0.05)
        assert samples(text, "labelsvc_print_jobs")[(("status", "held"),)] >= 1
        assert faults[(("fault", "paper-out"), ("printer", name))] == 0
        sim.clear()
        while api.get(f"/api/v1/print-jobs/{job_id}").get_json()["status"] != "done":
            assert time.monotonic() < deadline + 15
            time.sleep(0.05)
    finally:
        worker.stop()
    held = [r for r in caplog.records if r.name == "labelsvc.worker.delivery"
            and f"job {job_id}" in r.getMessage()]
    assert held and all(r.request_id == "req-print-1" for r in held), \
        [(r.getMessage(), r.request_id) for r in held]


CLAIM = """
import os, sys
from labelsvc.observability import metrics
path = metrics.claim_directory(sys.argv[1])
print(path, flush=True)
if sys.argv[2] == "crash":
    os._exit(0)  # as after kill -9: the directory stays, its lock goes
sys.stdin.read()
"""


def test_each_serve_process_gets_its_own_metrics_directory_and_stale_ones_go(tmp_path):
    def claim(mode: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-c", CLAIM, str(tmp_path), mode],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    crashed = claim("crash")
    stale = Path(crashed.stdout.readline().strip())  # type: ignore[union-attr]
    crashed.wait(10)
    running = claim("wait")
    live = Path(running.stdout.readline().strip())  # type: ignore[union-attr]
    try:
        newest = claim("crash")
        third = Path(newest.stdout.readline().strip())  # type: ignore[union-attr]
        newest.wait(10)
        assert not stale.exists()  # its serve process is gone
        assert live.is_dir() and live != third  # a running one keeps its own
    finally:
        running.communicate("", timeout=10)


def test_the_access_log_can_be_turned_off(api, caplog):
    from labelsvc.config import load_config
    from labelsvc.observability.logs import configure_access_log

    assert load_config({"LABELSVC_ACCESS_LOG": "0"})["ACCESS_LOG"] is False
    assert load_config({})["ACCESS_LOG"] is True and load_config({})["LOG_FORMAT"] == "json"
    caplog.set_level(logging.INFO)
    configure_access_log(False)
    try:
        answer = api.get("/healthz", role=None)
    finally:
        configure_access_log(True)
    assert answer.headers["X-Request-ID"]
    assert not [r for r in caplog.records if r.name == "labelsvc.access"]
