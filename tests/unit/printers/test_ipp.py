"""The `ipp` driver against a small IPP server stub on loopback."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from printers import DRIVERS, DeliveryInterrupted, PrinterDriver, deliver
from printers.ipp import IppAttribute, IppMessage, decode_message, encode_message


def attribute(tag: int, name: str, *values: bytes) -> bytes:
    """One attribute in IPP's binary encoding, written out by hand."""
    out = b""
    for index, value in enumerate(values):
        label = name.encode() if index == 0 else b""
        out += struct.pack(">Bh", tag, len(label)) + label + struct.pack(">h", len(value)) + value
    return out


@dataclass
class StubPrinter:
    """What the stub answers and what it received."""

    reasons: list[str] = field(default_factory=lambda: ["none"])
    polls_until_done: int = 0
    final_state: int = 9
    documents: list[tuple[str, str, bytes]] = field(default_factory=list)
    operations: list[int] = field(default_factory=list)
    polls: dict[int, int] = field(default_factory=dict)

    def answer(self, body: bytes) -> bytes:
        """Answer one IPP request."""
        major, minor, operation, request_id = struct.unpack_from(">BBhi", body)
        assert (major, minor) == (1, 1)
        request = decode_message(body)
        assert request.get("attributes-charset") == "utf-8"
        assert str(request.get("printer-uri")).startswith("ipp://127.0.0.1:")
        self.operations.append(operation)
        groups = b""
        if operation == 0x000B:
            values = [r.encode() for r in self.reasons]
            groups = b"\x04" + attribute(0x23, "printer-state", struct.pack(">i", 3))
            groups += attribute(0x44, "printer-state-reasons", *values)
        elif operation == 0x0002:
            job_id = len(self.documents) + 1
            self.documents.append(
                (str(request.get("job-name")), str(request.get("document-format")), request.data)
            )
            self.polls[job_id] = 0
            groups = b"\x02" + attribute(0x21, "job-id", struct.pack(">i", job_id))
        elif operation == 0x0009:
            job_id = int(request.get("job-id") or 0)
            self.polls[job_id] += 1
            done = self.polls[job_id] > self.polls_until_done
            state = self.final_state if done else 5
            groups = b"\x02" + attribute(0x23, "job-state", struct.pack(">i", state))
        header = struct.pack(">BBhi", 1, 1, 0, request_id)
        operation_group = b"\x01" + attribute(0x47, "attributes-charset", b"utf-8")
        operation_group += attribute(0x48, "attributes-natural-language", b"en")
        return header + operation_group + groups + b"\x03"


@pytest.fixture
def stub() -> Iterator[tuple[StubPrinter, int]]:
    """A running IPP stub and its port."""
    printer = StubPrinter()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            assert self.headers["Content-Type"] == "application/ipp"
            body = self.rfile.read(int(self.headers["Content-Length"]))
            payload = printer.answer(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/ipp")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield printer, server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def ipp_driver(port: int) -> PrinterDriver:
    """An `ipp` driver for the stub with a short timeout."""
    return DRIVERS["ipp"](host="127.0.0.1", port=port, timeout=2.0)


def pdfs(count: int) -> Iterator[tuple[int, bytes]]:
    """Stand-in PDF documents."""
    return ((n, b"%%PDF-1.4 label %d" % n) for n in range(count))


def test_codec_round_trip() -> None:
    message = IppMessage(
        0x0002,
        7,
        [(0x01, [IppAttribute(0x44, "which", ["a", "b"]), IppAttribute(0x21, "n", [-5])])],
        b"DATA",
    )
    decoded = decode_message(encode_message(message))
    assert decoded.get_all("which") == ["a", "b"] and decoded.get("n") == -5
    assert (decoded.code, decoded.request_id, decoded.data) == (2, 7, b"DATA")


def test_labels_are_printed_as_jobs(stub: tuple[StubPrinter, int]) -> None:
    printer, port = stub
    printer.reasons = ["media-low-warning"]
    printer.polls_until_done = 2
    confirmed: list[int] = []
    result = deliver(
        ipp_driver(port),
        pdfs(3),
        job_name="job-7",
        confirm_every=2,
        on_confirmed=lambda keys, status: confirmed.extend(keys),
    )
    assert result.confirmed == 3 and confirmed == [0, 1, 2]
    assert printer.documents == [
        ("job-7", "application/pdf", b"%%PDF-1.4 label %d" % n) for n in range(3)
    ]
    assert printer.operations[0] == 0x000B  # status before the first document
    assert all(polls == 3 for polls in printer.polls.values())


@pytest.mark.parametrize(
    ("reasons", "reason"),
    [
        (["media-empty-error"], "paper-out"),
        (["media-needed"], "paper-out"),
        (["cover-open"], "head-open"),
        (["marker-supply-empty-error"], "ribbon-out"),
        (["paused"], "paused"),
    ],
)
def test_printer_fault_sends_nothing(
    stub: tuple[StubPrinter, int], reasons: list[str], reason: str
) -> None:
    printer, port = stub
    printer.reasons = reasons
    with pytest.raises(DeliveryInterrupted) as raised:
        deliver(ipp_driver(port), pdfs(2))
    assert raised.value.reason == reason
    assert printer.documents == []


def test_aborted_job_is_unconfirmed(stub: tuple[StubPrinter, int]) -> None:
    printer, port = stub
    printer.final_state = 8
    with pytest.raises(DeliveryInterrupted) as raised:
        deliver(ipp_driver(port), pdfs(2))
    assert raised.value.reason == "printer-error"
    assert raised.value.unconfirmed == (0, 1)


def test_ipp_printer_down_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DeliveryInterrupted) as raised:
        deliver(ipp_driver(port), pdfs(1))
    assert raised.value.reason == "unreachable"
