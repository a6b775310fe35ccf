"""Real processes on loopback: PostgreSQL databases, `labelsvc serve` processes and an API client.

Used by the system tests (tests/system) and by the benchmarks (bench/), so both exercise the
service exactly as a plant runs it.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
POSTGRES_URL = os.environ.get("LABELSVC_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def create_database(server_url: str = POSTGRES_URL) -> str:
    """Create an empty PostgreSQL database on the test server; return its SQLAlchemy URL."""
    name = f"labelsvc_sys_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(server_url)
    return parts._replace(path=f"/{name}").geturl()


def drop_database(url: str) -> None:
    """Drop a database made by create_database, closing whatever still uses it."""
    name = urlsplit(url).path.lstrip("/")
    admin = urlsplit(url)._replace(path="/postgres").geturl()
    with psycopg.connect(_libpq(admin), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run one SQL statement against a service's database (SQLite or PostgreSQL)."""
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.split("///", 1)[1]) as conn:
            return list(conn.execute(sql.replace("%s", "?"), params))
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        return list(conn.execute(sql, params).fetchall())


def labelsvc(env: dict[str, str], *args: str, timeout: float = 60) -> str:
    """Run a `labelsvc` command and return its standard output."""
    done = subprocess.run([str(BIN / "labelsvc"), *args], env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"labelsvc {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def service_env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a service process on one database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABELSVC_")}
    env.update(LABELSVC_DATABASE_URL=database_url, LABELSVC_DATA_DIR=str(data_dir),
               LABELSVC_LOG_LEVEL="WARNING", **extra)
    return env


def create_token(env: dict[str, str], role: str = "admin", name: str = "system-test") -> str:
    """Create an API token through the CLI; it is the last line of standard output."""
    return labelsvc(env, "token", "create", "--role", role, "--name", name).strip().splitlines()[-1]


# Every process a test starts, so that a failing test cannot leave one running.
RUNNING: list[Any] = []


def stop_all() -> None:
    """Stop every process started through this module that is still running."""
    while RUNNING:
        RUNNING.pop().stop()


@dataclass
class ProcessGroup:
    """A `labelsvc` command running in its own process group, logging to a file."""

    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False)
    log: Path | None = field(default=None, init=False)
    stop_seconds: float = field(default=15.0, init=False)

    def spawn(self, log_name: str, *args: str) -> None:
        """Start `labelsvc ARGS` with its output in LABELSVC_DATA_DIR/LOG_NAME."""
        self.log = Path(self.env["LABELSVC_DATA_DIR"]) / log_name
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen([str(BIN / "labelsvc"), *args], env=self.env,
                                     stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        RUNNING.append(self)

    def kill(self) -> None:
        """kill -9 the whole process group, as a power cut or OOM killer would."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), then kill what is left."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=self.stop_seconds)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class Service(ProcessGroup):
    """One `labelsvc serve` process group (granian's main process and its workers)."""

    port: int = field(default_factory=free_port)
    workers: int = 2

    def start(self, timeout: float = 60) -> Service:
        """Start the service and wait until /readyz answers 200."""
        self.spawn(f"serve-{self.port}.log", "serve", "--host", "127.0.0.1", "--port",
                   str(self.port), "--workers", str(self.workers))
        assert self.proc is not None and self.log is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"labelsvc serve exited: {self.log.read_text()[-2000:]}")
            try:
                if Api(self.port).get("/readyz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"labelsvc serve not ready after {timeout} s")


class Api:
    """A small JSON client over one keep-alive HTTP connection."""

    def __init__(self, port: int, token: str | None = None, timeout: float = 120) -> None:
        self.port, self.token, self.timeout = port, token, timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: Any = None,
                headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """Send one request; return the status and the decoded JSON body (or raw text)."""
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        if self.token:
            hdrs["Authorization"] = f"Bearer {self.token}"
        data = None if body is None else json.dumps(body).encode()
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                       timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers=hdrs)
                resp = self.conn.getresponse()
                raw = resp.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt == 2 or method != "GET":
                    raise
        ctype = resp.getheader("Content-Type", "")
        return resp.status, json.loads(raw) if "json" in ctype and raw else raw.decode()

    def get(self, path: str) -> tuple[int, Any]:
        """GET a path."""
        return self.request("GET", path)

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None
             ) -> tuple[int, Any]:
        """POST a JSON body."""
        return self.request("POST", path, body, headers)

    def close(self) -> None:
        """Close the connection."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None


SYSTEM_SCHEME = {"name": "sys-serial", "kind": "serial", "pattern": "SY{line:2}{seq:7}",
                 "charset": "0-9"}


def issue_until(ports: list[int], token: str, target: int, line: str, seed: int
                ) -> list[str]:
    """Issue serials in mixed batch sizes, alternating service processes, until `target`."""
    import random

    rng = random.Random(seed)
    clients = [Api(p, token) for p in ports]
    values: list[str] = []
    turn = 0
    while len(values) < target:
        count = rng.choice([1, 1, 1, 3, 10, 50, 200, 500])
        status, body = clients[turn % len(clients)].post(
            "/api/v1/serials", {"scheme": SYSTEM_SCHEME["name"], "fields": {"line": line},
                                "count": count})
        turn += 1
        if status != 201:
            raise RuntimeError(f"issue failed: {status} {body}")
        values.extend(i["value"] for i in body["identifiers"])
    for c in clients:
        c.close()
    return values


def registry_values(api: Api, scheme: str) -> list[str]:
    """Every identifier value of a scheme, paged through the search API."""
    values: list[str] = []
    cursor = ""
    while True:
        status, body = api.get(f"/api/v1/identifiers?scheme={scheme}&limit=1000"
                               + (f"&cursor={cursor}" if cursor else ""))
        if status != 200:
            raise RuntimeError(f"search failed: {status} {body}")
        values.extend(i["value"] for i in body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            return values


@dataclass
class Worker(ProcessGroup):
    """One `labelsvc worker` process (print jobs, scale-out)."""

    name: str = field(default_factory=lambda: f"worker-{uuid.uuid4().hex[:6]}")
    threads: int | None = None

    def __post_init__(self) -> None:
        self.stop_seconds = 20.0  # SIGTERM stops before the next label

    def start(self) -> Worker:
        """Start the worker; it migrates first, then looks for printers with work."""
        threads = ["--threads", str(self.threads)] if self.threads else []
        self.spawn(f"{self.name}.log", "worker", "--name", self.name, *threads)
        return self


@dataclass
class Simulator:
    """One `labelsvc printer-sim` process with its HTTP control interface."""

    label_seconds: float = 0.0
    port: int = field(default_factory=free_port)
    control_port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20) -> Simulator:
        """Start the virtual printer and wait until its control interface answers."""
        self.proc = subprocess.Popen(
            [str(BIN / "labelsvc"), "printer-sim", "--port", str(self.port), "--control-port",
             str(self.control_port), "--label-seconds", str(self.label_seconds)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        RUNNING.append(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.state()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"virtual printer on {self.port} did not start")

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        conn = http.client.HTTPConnection("127.0.0.1", self.control_port, timeout=10)
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body),
                         headers={"Content-Type": "application/json"})
            return json.loads(conn.getresponse().read())
        finally:
            conn.close()

    def state(self) -> dict[str, Any]:
        """Counts, settings and faults."""
        answer: dict[str, Any] = self._call("GET", "/state")
        return answer

    def fault(self, mode: str, labels: int | None = None) -> None:
        """Turn a fault mode on."""
        self._call("POST", "/fault", {"mode": mode, **({"labels": labels} if labels else {})})

    def clear(self) -> None:
        """Recover from every fault."""
        self._call("POST", "/clear", {})

    def formats(self) -> list[str]:
        """Every format received, in order."""
        out: list[str] = []
        while True:
            page = self._call("GET", f"/formats?offset={len(out)}&limit=1000")
            out += page["items"]
            if len(out) >= page["total"] or not page["items"]:
                return out

    def printer(self, name: str) -> dict[str, Any]:
        """The printer definition for this simulator."""
        return {"name": name, "driver": "zpl-tcp", "host": "127.0.0.1", "port": self.port,
                "settings": {"status_timeout": 1, "connect_timeout": 1, "send_timeout": 5}}

    def stop(self) -> None:
        """Stop the simulator."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


FAST_PRINTING = {"LABELSVC_PRINT_POLL_SECONDS": "0.1", "LABELSVC_PRINT_LEASE_SECONDS": "3",
                 "LABELSVC_PRINT_RETRY_FIRST_SECONDS": "0.1",
                 "LABELSVC_PRINT_RETRY_MAX_SECONDS": "0.5"}


def wait_job(api: Api, job_id: int, status: str = "done", timeout: float = 60) -> dict[str, Any]:
    """Wait (bounded) until a print job reaches a status; return it."""
    deadline = time.monotonic() + timeout
    while True:
        code, body = api.get(f"/api/v1/print-jobs/{job_id}")
        if code == 200 and body["status"] == status:
            return dict(body)
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} not {status} after {timeout} s: {body}")
        time.sleep(0.1)
