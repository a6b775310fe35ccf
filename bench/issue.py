"""Issuing on PostgreSQL through HTTP, next to raw psycopg doing the same work, in one run.

(a) one 10,000-identifier batch through HTTP vs a raw COPY of the same 10,000 rows (under new
    values) into the same table, with its indexes and constraints;
(b) single-identifier requests from 16 concurrent clients against 2 service processes vs a raw
    psycopg loop doing the same transaction (counter UPDATE ... RETURNING, identifier INSERT,
    event INSERT, COMMIT) at the same concurrency; the loads take turns, several times, so
    that a slow spell of a shared machine does not fall on one of them only. Two references
    run in the same turns: a bare Flask endpoint doing the raw loop's transaction (the
    framework's ceiling), and the raw loop sending its transaction as one autocommitted
    statement, as labelsvc does for a line's single serial (the database's ceiling). The
    service runs as `labelsvc serve` does (granian) and, in the same turns, under gunicorn
    gthread as `serve` ran it before (bench/_gunicorn_serve.py).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "system")]

import psycopg  # noqa: E402

from bench import _raw_issue as raw_issue  # noqa: E402
from bench._load import Connection, drive  # noqa: E402
from bench._table import Result, print_table  # noqa: E402
from labelsvc.config import load_config  # noqa: E402

import cluster  # noqa: E402

BATCH = 10_000
CLIENTS = 16
# The two service processes share the machine: each is one worker process
# (`labelsvc serve --workers 1`) with the service's default request threads (LABELSVC_THREADS);
# the clients' keep-alive connections wait their turn for a thread, first come, first served.
# The bare-framework reference runs the same way.
WORKERS = 1
THREADS = int(load_config({})["THREADS"])
# The columns part (a) copies besides `value` (`id` comes from the table's sequence).
COPIED = ("kind, scheme_id, scheme_version, status, fields, production_date, counter_id, seq, "
          "lot_id, attributes, quantity, uom, expiry, supplier, supplier_lot, model, site, "
          "issued_at, issued_by, shipped_at, warranty_days")
# Part (b) alternates its three loads this many times.
ROUNDS = 3
# Seconds of load that warm each HTTP target up before part (b) is timed.
WARM_UP = 1.0
# Load generator processes for the HTTP clients (each drives CLIENTS / GENERATORS connections).
GENERATORS = 2


def _check_one(status: int, body: Any) -> None:
    if status != 201 or len(body["identifiers"]) != 1:
        raise RuntimeError(f"{status} {body}")


def _http_clients(targets: list[tuple[int, str]], token: str, seconds: float,
                  path: str = "/api/v1/serials") -> list[float]:
    """Issue one serial per request on each (port, line) connection; return the latencies."""
    return drive([Connection(port, path, {"scheme": "sys-serial", "fields": {"line": line}},
                             token) for port, line in targets], seconds, _check_one)


def _http_load(ports: list[int], token: str, lines: list[str], seconds: float,
               path: str = "/api/v1/serials") -> tuple[float, list[float]]:
    """One connection per client, spread over the ports, driven by GENERATORS processes."""
    targets = [(ports[i % len(ports)], line) for i, line in enumerate(lines)]
    return _concurrent(_http_clients, [(targets[g::GENERATORS], token, seconds, path)
                                       for g in range(GENERATORS)], seconds)


def _raw_client(url: str, line: str, seconds: float, one_statement: bool = False
                ) -> list[float]:
    """The same transaction as one issue request, written by hand with psycopg (or, with
    `one_statement`, as one autocommitted statement)."""
    latencies: list[float] = []
    with psycopg.connect(cluster._libpq(url)) as conn:
        key, prefix = (f"raw1-{line}", "R1") if one_statement else (f"raw-{line}", "RW")
        scheme_id = raw_issue.prepare(conn, key)
        conn.autocommit = one_statement
        issue_one = raw_issue.issue_one_statement if one_statement else raw_issue.issue_one
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            t0 = time.perf_counter()
            issue_one(conn, scheme_id, key, prefix, line)
            latencies.append(time.perf_counter() - t0)
    return latencies


def _concurrent(fn, args: list[tuple], seconds: float) -> tuple[float, list[float]]:
    """Run clients in parallel processes; return requests per second and all latencies."""
    with multiprocessing.get_context("spawn").Pool(len(args)) as pool:
        results = pool.starmap(fn, args)
    latencies = [x for r in results for x in r]
    return len(latencies) / seconds, latencies


@contextlib.contextmanager
def _two_processes(command: Callable[[int], list[str]], env: dict[str, str],
                   seconds: float = 60) -> Iterator[list[int]]:
    """Run `command(port)` on two free ports until the block ends; yield the ports."""
    ports = [cluster.free_port() for _ in range(2)]
    procs = [subprocess.Popen(command(port), env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for port in ports]
    try:
        for port in ports:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.1)
        yield ports
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def _bare_framework(url: str, threads: int) -> contextlib.AbstractContextManager[list[int]]:
    """Two bare Flask endpoints (no labelsvc code) doing the same transaction: the ceiling."""
    return _two_processes(lambda port: [
        str(cluster.BIN / "gunicorn"), "--workers", str(WORKERS), "--worker-class", "gthread",
        "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT / "bench"),
        "_bare_issue_app:app"], {**os.environ, "BARE_DATABASE_URL": cluster._libpq(url)}, 30)


def _under_gunicorn(env: dict[str, str]) -> contextlib.AbstractContextManager[list[int]]:
    """Two service processes of the same code under gunicorn gthread, as serve ran before."""
    return _two_processes(lambda port: [
        sys.executable, str(ROOT / "bench" / "_gunicorn_serve.py"), "--port", str(port),
        "--workers", str(WORKERS)], env)


def _interleaved(loads: dict[str, Callable[[float], tuple[float, list[float]]]],
                 seconds: float) -> dict[str, tuple[float, list[float]]]:
    """Run each load for `seconds` in all, in ROUNDS turns, so a slow spell of a shared
    machine falls on all of them alike; return each one's rate and latencies."""
    latencies: dict[str, list[float]] = {name: [] for name in loads}
    for _ in range(ROUNDS):
        for name, load in loads.items():
            latencies[name] += load(seconds / ROUNDS)[1]
    return {name: (len(lat) / seconds, lat) for name, lat in latencies.items()}


def _p(latencies: list[float], q: int) -> float:
    return statistics.quantiles(latencies, n=100)[q - 1] * 1000


def _part_a(api: cluster.Api, url: str) -> tuple[list[tuple[Any, ...]], list[Result]]:
    """(a) one 10,000-identifier batch through HTTP vs COPY of the same rows."""
    http_best = 0.0
    for i in range(3):
        t0 = time.perf_counter()
        status, body = api.post("/api/v1/serials", {"scheme": "sys-serial",
                                                    "fields": {"line": f"9{i}"},
                                                    "count": BATCH})
        http_best = max(http_best, BATCH / (time.perf_counter() - t0))
        assert status == 201 and len(body["identifiers"]) == BATCH
    copy_best = 0.0
    with psycopg.connect(cluster._libpq(url)) as conn:
        for i in range(3):  # the same rows under new values, into the registry's own table
            buf = io.BytesIO()
            with conn.cursor().copy(
                    f"COPY (SELECT 'RAW{i}-' || value, {COPIED} FROM identifiers "
                    "WHERE fields::text LIKE '%%\"90\"%%' LIMIT 10000) TO STDOUT") as cp:
                for chunk in cp:
                    buf.write(chunk)
            t0 = time.perf_counter()
            with conn.cursor().copy(f"COPY identifiers (value, {COPIED}) FROM STDIN") as cp:
                cp.write(buf.getvalue())
            conn.commit()
            copy_best = max(copy_best, BATCH / (time.perf_counter() - t0))
    rows = [("(a) raw psycopg COPY, 10,000 rows", copy_best, "", "", 1.0),
            ("(a) POST /serials count=10,000 (HTTP)", http_best, "", "", http_best / copy_best)]
    return rows, [Result("issue", "(a) 10,000 in one POST vs COPY", http_best, "ids/s",
                         copy_best, "≥ 0.25 × baseline", http_best / copy_best >= 0.25)]


def _part_b(ports: list[int], env: dict[str, str], token: str, url: str, seconds: float,
            threads: int) -> tuple[list[tuple[Any, ...]], list[Result]]:
    """(b) single identifiers, 16 clients, 2 service processes, next to its references."""
    lines = [f"{i % 4 + 10}" for i in range(CLIENTS)]
    with _bare_framework(url, threads) as bare_ports, _under_gunicorn(env) as gunicorn_ports:
        # The HTTP targets open their pooled connections on first use: warm them first,
        # as a service that has been running is (the raw clients connect before timing).
        _http_load(ports, token, lines, WARM_UP)
        _http_load(gunicorn_ports, token, lines, WARM_UP)
        _http_load(bare_ports, "", lines, WARM_UP, "/issue")
        results = _interleaved({
            "raw": lambda t: _concurrent(_raw_client, [(url, ln, t) for ln in lines], t),
            "raw1": lambda t: _concurrent(_raw_client, [(url, ln, t, True) for ln in lines], t),
            "http": lambda t: _http_load(ports, token, lines, t),
            "gunicorn": lambda t: _http_load(gunicorn_ports, token, lines, t),
            "bare": lambda t: _http_load(bare_ports, "", lines, t, "/issue"),
        }, seconds)
    raw_rate, raw_lat = results["raw"]
    http_rate, http_lat = results["http"]
    named = [("(b) raw psycopg transaction, 16 clients", "raw"),
             ("(b) POST /serials count=1, 16 clients, 2 processes (granian)", "http"),
             ("(b) the same service under gunicorn gthread (serve before)", "gunicorn"),
             ("(b) reference: bare Flask + gunicorn + psycopg, same transaction", "bare"),
             ("(b) reference: raw psycopg, the transaction as one autocommitted statement",
              "raw1")]
    rows = [(what, results[key][0], _p(results[key][1], 50), _p(results[key][1], 99),
             results[key][0] / raw_rate) for what, key in named]
    p99 = _p(http_lat, 99)
    return rows, [
        Result("issue", "(b) count=1, 16 clients vs psycopg loop", http_rate, "ids/s",
               raw_rate, "≥ 0.5 × baseline", http_rate / raw_rate >= 0.5),
        Result("issue", "(b) p99 latency, count=1, 16 clients", p99, "ms",
               _p(raw_lat, 99), "< 50 ms", p99 < 50),
        Result("issue", "(b) reference: the service under gunicorn gthread",
               results["gunicorn"][0], "ids/s", raw_rate),
        Result("issue", "(b) reference: bare Flask + gunicorn, same transaction",
               results["bare"][0], "ids/s", raw_rate),
        Result("issue", "(b) reference: raw psycopg, one autocommitted statement",
               results["raw1"][0], "ids/s", raw_rate)]


def main(argv: list[str] | None = None) -> list[Result]:
    """Run both comparisons (or one) and print one table; return the figures against their
    goals."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=12.0,
                    help="duration of each load of part (b)")
    ap.add_argument("--threads", type=int, default=THREADS,
                    help="request threads per service process in part (b)")
    ap.add_argument("--part", choices=["a", "b", "both"], default="both",
                    help="run part (a), part (b) or both")
    args = ap.parse_args(argv)
    url = cluster.create_database()
    tmp = Path(tempfile.mkdtemp(prefix="labelsvc-bench-"))
    env = cluster.service_env(url, tmp, LABELSVC_THREADS=str(args.threads))
    services = [cluster.Service(env, workers=WORKERS).start()
                for _ in range(2)]
    rows: list[tuple[Any, ...]] = []
    figures: list[Result] = []
    try:
        token = cluster.create_token(env)
        api = cluster.Api(services[0].port, token, timeout=600)
        assert api.post("/api/v1/schemes", cluster.SYSTEM_SCHEME)[0] == 201
        api.post("/api/v1/serials", {"scheme": "sys-serial", "fields": {"line": "99"}})
        for part, run in (("a", lambda: _part_a(api, url)),
                          ("b", lambda: _part_b([s.port for s in services], env, token, url,
                                                args.seconds, args.threads))):
            if args.part in (part, "both"):
                part_rows, part_figures = run()
                rows += part_rows
                figures += part_figures
    finally:
        for s in services:
            s.stop()
        cluster.drop_database(url)
    print_table("issue: PostgreSQL, identifiers per second (goals: (a) ≥ 0.25, (b) ≥ 0.5 "
                "with p99 < 50 ms)", ["what", "per second", "p50 ms", "p99 ms", "ratio"], rows)
    return figures


if __name__ == "__main__":
    main()
