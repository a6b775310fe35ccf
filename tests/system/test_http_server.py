"""The HTTP server behind `labelsvc serve`: slow clients, size limits, shutdown, real processes.

A client that sends its request slowly (a PLC gateway on a bad link, or someone on purpose)
must never hold what the service answers with: `/healthz` and a line's serial keep answering
while 64 such connections stay open.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import threading
import time
from pathlib import Path

import pytest

import cluster

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("system-http-server")]

SLOW = 64            # connections that send their head, or their body, slowly
TRICKLE_SECONDS = 3  # one header line (or body byte) per connection this often
HELD_SECONDS = 15    # how long the slow connections are kept open while probing
PROBE_BOUND = 5.0    # a probe that takes longer counts as stalled (the old server: forever)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A registry URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


def _service(url: str, data_dir: Path, **extra: str) -> cluster.Service:
    env = cluster.service_env(url, data_dir, LABELSVC_PRINT_WORKER="0", **extra)
    return cluster.Service(env).start()


def _probe(port: int, method: str, path: str, body: str = "", token: str = ""
           ) -> tuple[int, bytes]:
    """One request on a new connection, as a line's gateway would open it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=PROBE_BOUND)
    try:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(method, path, body=body or None, headers=headers)
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


class Trickler:
    """Connections that each send one more header line (or body byte) every few seconds."""

    def __init__(self, port: int, token: str) -> None:
        self.heads = [socket.create_connection(("127.0.0.1", port)) for _ in range(SLOW)]
        self.bodies = [socket.create_connection(("127.0.0.1", port)) for _ in range(SLOW)]
        for sock in self.heads:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: plant\r\n")
        for sock in self.bodies:
            sock.sendall(f"POST /api/v1/serials HTTP/1.1\r\nHost: plant\r\nAuthorization: "
                         f"Bearer {token}\r\nContent-Type: application/json\r\n"
                         f"Content-Length: 4096\r\n\r\n{{".encode())
        self.closed_early = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.wait(TRICKLE_SECONDS):
            for sock, data in [(s, b"X-Line: 7\r\n") for s in self.heads] + \
                              [(s, b" ") for s in self.bodies]:
                try:
                    sock.sendall(data)
                except OSError:
                    self.closed_early += 1

    def close(self) -> None:
        self.done.set()
        self.thread.join()
        for sock in self.heads + self.bodies:
            sock.close()


def test_slow_clients_never_stall_health_or_a_lines_serial(database: str, tmp_path: Path):
    service = _service(database, tmp_path)
    admin = cluster.Api(service.port, cluster.create_token(service.env))
    assert admin.post("/api/v1/schemes", cluster.SYSTEM_SCHEME)[0] == 201
    line = cluster.create_token(service.env, "line", "line-7")
    serial = '{"scheme": "sys-serial", "fields": {"line": "07"}}'
    slow = Trickler(service.port, line)
    probes: list[tuple[str, int | str]] = []
    try:
        end = time.monotonic() + HELD_SECONDS
        while time.monotonic() < end:
            for what, method, path, body in (("healthz", "GET", "/healthz", ""),
                                             ("serial", "POST", "/api/v1/serials", serial)):
                try:
                    probes.append((what, _probe(service.port, method, path, body, line)[0]))
                except OSError as exc:  # a timeout: the service stalled
                    probes.append((what, f"no answer within {PROBE_BOUND} s: {exc!r}"))
            time.sleep(0.5)
        assert slow.closed_early == 0  # every slow connection was really held open
    finally:
        slow.close()
    assert [p for p in probes if p[1] not in (200, 201)] == []
    assert len(probes) >= 2 * HELD_SECONDS  # about four a second, at least one
    issued = cluster.query(database, "SELECT count(*) FROM identifiers WHERE value LIKE 'SY07%%'")
    assert issued[0][0] == sum(1 for what, _ in probes if what == "serial")


def test_a_request_head_that_never_ends_is_closed_by_the_server(tmp_path: Path):
    from labelsvc.server import HEADER_TIMEOUT_SECONDS

    service = _service(f"sqlite:///{tmp_path / 'registry.sqlite3'}", tmp_path)
    trickling = socket.create_connection(("127.0.0.1", service.port))
    silent = socket.create_connection(("127.0.0.1", service.port))
    trickling.sendall(b"GET /healthz HTTP/1.1\r\n")
    closed: dict[str, float] = {}
    t0 = time.monotonic()
    deadline = t0 + HEADER_TIMEOUT_SECONDS + 30
    while len(closed) < 2 and time.monotonic() < deadline:
        for name, sock in (("trickling", trickling), ("silent", silent)):
            if name in closed:
                continue
            try:
                if name == "trickling":
                    sock.sendall(b"X-Line: 7\r\n")
                sock.settimeout(0.5)
                if sock.recv(1024) == b"":
                    closed[name] = time.monotonic() - t0
            except TimeoutError:
                pass
            except OSError:
                closed[name] = time.monotonic() - t0
    trickling.close()
    silent.close()
    assert set(closed) == {"trickling", "silent"}, closed
    # Never before the timeout: a slow but honest client gets its full 30 s.
    assert min(closed.values()) >= HEADER_TIMEOUT_SECONDS - 1, closed


def test_heads_and_bodies_over_the_limits_are_refused(tmp_path: Path):
    service = _service(f"sqlite:///{tmp_path / 'registry.sqlite3'}", tmp_path)
    assert _probe(service.port, "GET", "/healthz?" + "a" * 4100)[0] == 414
    conn = http.client.HTTPConnection("127.0.0.1", service.port, timeout=30)
    conn.request("GET", "/healthz", headers={"X-Note": "n" * 8200})
    assert conn.getresponse().status == 431
    conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", service.port, timeout=30)
    conn.request("GET", "/healthz", headers={f"X-Note-{i}": "n" * 4000 for i in range(5)})
    assert conn.getresponse().status == 431  # a 20 KB head, refused before the application
    conn.close()
    token = cluster.create_token(service.env)
    limit = 16 * 1024 * 1024  # LABELSVC_MAX_BODY_BYTES
    head = (f"POST /api/v1/schemes HTTP/1.1\r\nHost: plant\r\nAuthorization: Bearer {token}"
            f"\r\nContent-Type: application/json\r\n")
    # Declared too large: refused from the head alone, before a byte of the body is sent.
    assert _raw_answer(service.port, f"{head}Content-Length: {limit + 1}\r\n\r\n".encode()
                       ).startswith(b"HTTP/1.1 413")
    # Chunked, with no length declared: refused once the body passes the limit.
    chunks = b"".join(b"%x\r\n%s\r\n" % (65536, b"x" * 65536) for _ in range(limit // 65536))
    request = f"{head}Transfer-Encoding: chunked\r\n\r\n".encode() + chunks + \
        b"10\r\n" + b"x" * 16 + b"\r\n0\r\n\r\n"
    answer = _raw_answer(service.port, request)
    assert answer.startswith(b"HTTP/1.1 413") and b"payload-too-large" in answer


def _raw_answer(port: int, request: bytes) -> bytes:
    """Send raw request bytes and return the answer's status line and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        answer = http.client.HTTPResponse(sock)
        answer.begin()
        return f"HTTP/1.1 {answer.status}\r\n".encode() + answer.read()


def test_the_process_environment_never_reaches_a_request(tmp_path: Path):
    service = _service(f"sqlite:///{tmp_path / 'registry.sqlite3'}", tmp_path,
                       HTTP_X_REQUEST_ID="from-the-environment",
                       HTTP_AUTHORIZATION="Bearer from-the-environment")
    conn = http.client.HTTPConnection("127.0.0.1", service.port, timeout=30)
    conn.request("GET", "/api/v1/schemes")
    answer = conn.getresponse()
    answer.read()
    assert answer.status == 401  # no token came from the environment
    assert answer.getheader("X-Request-ID") not in (None, "from-the-environment")
    conn.request("GET", "/healthz", headers={"X-Request-ID": "scanner-42"})
    answer = conn.getresponse()
    answer.read()
    assert answer.getheader("X-Request-ID") == "scanner-42"  # the client's own still counts
    conn.close()


def test_sigterm_lets_the_request_in_flight_finish(tmp_path: Path):
    service = _service(f"sqlite:///{tmp_path / 'registry.sqlite3'}", tmp_path)
    api = cluster.Api(service.port, cluster.create_token(service.env))
    assert api.post("/api/v1/schemes", cluster.SYSTEM_SCHEME)[0] == 201
    body = b'{"scheme": "sys-serial", "fields": {"line": "08"}, "count": 3}'
    sock = socket.create_connection(("127.0.0.1", service.port), timeout=30)
    sock.sendall(f"POST /api/v1/serials HTTP/1.1\r\nHost: plant\r\nAuthorization: Bearer "
                 f"{api.token}\r\nContent-Type: application/json\r\nContent-Length: "
                 f"{len(body)}\r\n\r\n".encode() + body[:20])
    time.sleep(1)  # the request is in flight: its head read, its body on the way
    assert service.proc is not None
    os.kill(service.proc.pid, signal.SIGTERM)  # as `docker stop` or systemd would
    time.sleep(1)
    sock.sendall(body[20:])
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        answer += chunk
    sock.close()
    assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
    assert answer.count(b'"value"') == 3
    assert service.proc.wait(60) == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", service.port), timeout=5).close()
    values = cluster.query(service.env["LABELSVC_DATABASE_URL"],
                           "SELECT count(*) FROM identifiers WHERE value LIKE 'SY08%%'")
    assert values[0][0] == 3
