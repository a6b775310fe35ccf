"""A lean HTTP/1.1 load generator: keep-alive connections, each with one request in flight.

The benchmark clients share the machine's cores with the service and the database, so the
load generator must cost little: like wrk, one process drives several connections with a
selector, sends request bytes built once, and reads only the status line and Content-Length
of each answer (http.client parses every header through the email package). Every answer's
body is still decoded and checked by the caller.
"""

from __future__ import annotations

import json
import selectors
import socket
import time
from collections.abc import Callable
from typing import Any


class Connection:
    """One keep-alive connection that POSTs the same JSON body again and again."""

    def __init__(self, port: int, path: str, body: Any, token: str = "") -> None:
        payload = json.dumps(body).encode()
        auth = f"Authorization: Bearer {token}\r\n" if token else ""
        self.request = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}"
                        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
                        f"\r\n").encode() + payload
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        self.sent = 0.0

    def send(self) -> None:
        """Send the request (a few hundred bytes: the socket takes them at once)."""
        self.sent = time.perf_counter()
        self.sock.sendall(self.request)

    def receive(self) -> tuple[int, Any] | None:
        """Read what has arrived; the status and decoded body once the answer is complete."""
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the service closed the connection")
        self.buffer += chunk
        head, found, rest = self.buffer.partition(b"\r\n\r\n")
        if not found:
            return None
        lines = head.split(b"\r\n")
        length = next(int(line.split(b":", 1)[1]) for line in lines[1:]
                      if line[:15].lower() == b"content-length:")
        if len(rest) < length:
            return None
        self.buffer = rest[length:]
        return int(lines[0].split(b" ", 2)[1]), json.loads(rest[:length])


def drive(connections: list[Connection], seconds: float,
          check: Callable[[int, Any], None]) -> list[float]:
    """Keep one request in flight on every connection for `seconds`; return the latencies."""
    selector = selectors.DefaultSelector()
    for conn in connections:
        selector.register(conn.sock, selectors.EVENT_READ, conn)
        conn.send()
    latencies: list[float] = []
    end = time.monotonic() + seconds
    active = len(connections)
    while active:
        for key, _ in selector.select():
            conn = key.data
            answer = conn.receive()
            if answer is None:
                continue
            latencies.append(time.perf_counter() - conn.sent)
            check(*answer)
            if time.monotonic() < end:
                conn.send()
            else:
                selector.unregister(conn.sock)
                conn.sock.close()
                active -= 1
    return latencies
