"""The `zpl-tcp` driver: ZPL over raw TCP (port 9100) with `~HS` checks on the same socket."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

from printers.addresses import AddressPolicy
from printers.base import CheckedConnection, NetworkDriver
from printers.errors import PrinterConnectionReset, PrinterError, PrinterNotAnswering
from printers.registry import register
from printers.status import (
    HOST_STATUS_REQUEST,
    PrinterStatus,
    host_status_complete,
    parse_host_status,
)


@dataclass(frozen=True, slots=True)
class ZplTcpSettings:
    """Where the printer is and how long to wait for it at each step."""

    host: str
    port: int = 9100
    connect_timeout: float = 3.0
    send_timeout: float = 10.0
    status_timeout: float = 3.0
    poll_interval: float = 0.25


@register("zpl-tcp")
class ZplTcpDriver(NetworkDriver):
    """A Zebra-class printer on the network that takes ZPL on a raw TCP port."""

    label_format = "zpl"

    def __init__(
        self,
        host: str,
        port: int = 9100,
        *,
        connect_timeout: float = 3.0,
        send_timeout: float = 10.0,
        status_timeout: float = 3.0,
        poll_interval: float = 0.25,
        addresses: AddressPolicy | None = None,
    ) -> None:
        super().__init__(host, port, addresses=addresses)
        self.settings = ZplTcpSettings(
            host, int(port), connect_timeout, send_timeout, status_timeout, poll_interval
        )

    def connect(self, job_name: str | None = None) -> ZplTcpConnection:
        """Open one TCP connection for one job."""
        s = self.settings
        sock = self.open_socket(s.connect_timeout)
        # A `~HS` after the labels must not wait for the labels' ACK (Nagle + delayed ACK).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return ZplTcpConnection(sock, s)

    def __repr__(self) -> str:
        return f"ZplTcpDriver({self.settings.host!r}, {self.settings.port})"


class ZplTcpConnection(CheckedConnection):
    """One TCP session; checks `~HS` before its first label and is unusable after a failure."""

    def __init__(self, sock: socket.socket, settings: ZplTcpSettings) -> None:
        super().__init__()
        self._sock = sock
        self._settings = settings

    def status(self) -> PrinterStatus:
        """Send `~HS` and read the three-string answer within the status timeout."""
        return self._status(self._settings.status_timeout)

    def send(self, label: bytes) -> None:
        """Send one label, checking `~HS` first if this connection has not yet."""
        self._before_send()
        self._write(label)

    def confirm(self, timeout: float) -> PrinterStatus:
        """Poll `~HS` until no formats are buffered and no labels remain."""
        deadline = time.monotonic() + timeout
        interval = min(0.02, self._settings.poll_interval)
        while True:
            remaining = deadline - time.monotonic()
            status = self._status(max(0.05, min(self._settings.status_timeout, remaining)))
            if status.idle:
                return status
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._fail(
                    PrinterNotAnswering(
                        f"labels not printed within {timeout:g} s: "
                        f"{status.formats_in_buffer} formats in buffer, "
                        f"{status.labels_remaining} labels remaining"
                    )
                )
            time.sleep(min(interval, remaining))
            interval = min(interval * 2, self._settings.poll_interval)

    def close(self) -> None:
        """Close the socket."""
        try:
            self._sock.close()
        except OSError:
            pass

    def _status(self, timeout: float) -> PrinterStatus:
        """Ask `~HS` with a given answer timeout and remember a fault answer."""
        self._ensure_usable()
        self._write(HOST_STATUS_REQUEST)
        try:
            status = parse_host_status(self._read_answer(timeout))
        except PrinterError as exc:
            raise self._fail(exc) from None
        return self._accept_status(status)

    def _write(self, data: bytes) -> None:
        """Send all of `data`; no progress within the send timeout is a printer error."""
        self._sock.settimeout(self._settings.send_timeout)
        try:
            self._sock.sendall(data)
        except TimeoutError as exc:
            raise self._fail(
                PrinterNotAnswering(f"printer took no data for {self._settings.send_timeout:g} s")
            ) from exc
        except OSError as exc:
            raise self._fail(
                PrinterConnectionReset(f"connection broke while sending: {exc}")
            ) from exc

    def _read_answer(self, timeout: float) -> bytes:
        """Read until three framed strings arrived or the timeout passed."""
        deadline = time.monotonic() + timeout
        answer = bytearray()
        while not host_status_complete(answer):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._fail(PrinterNotAnswering(f"no ~HS answer within {timeout:g} s"))
            self._sock.settimeout(remaining)
            try:
                chunk = self._sock.recv(4096)
            except TimeoutError:
                continue
            except OSError as exc:
                raise self._fail(
                    PrinterConnectionReset(f"connection broke while reading status: {exc}")
                ) from exc
            if not chunk:
                raise self._fail(PrinterConnectionReset("printer closed the connection"))
            answer += chunk
        return bytes(answer)
