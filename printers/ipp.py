"""The `ipp` driver: PDF labels sent by IPP Print-Job over HTTP (RFC 8010/8011), stdlib only."""

from __future__ import annotations

import http.client
import itertools
import struct
import time
from dataclasses import dataclass, field

from printers.addresses import AddressPolicy
from printers.base import CheckedConnection, NetworkDriver
from printers.errors import (
    PrinterConnectionReset,
    PrinterError,
    PrinterJobFailed,
    PrinterNotAnswering,
    PrinterUnreachable,
)
from printers.registry import register
from printers.status import PrinterStatus

# Delimiter tags (attribute groups) and value tags used here.
OPERATION = 0x01
JOB = 0x02
END = 0x03
PRINTER = 0x04
INTEGER = 0x21
BOOLEAN = 0x22
ENUM = 0x23
NAME = 0x42
KEYWORD = 0x44
URI = 0x45
CHARSET = 0x47
LANGUAGE = 0x48
MIME_TYPE = 0x49

PRINT_JOB = 0x0002
GET_JOB_ATTRIBUTES = 0x0009
GET_PRINTER_ATTRIBUTES = 0x000B

JOB_CANCELED, JOB_ABORTED, JOB_COMPLETED = 7, 8, 9
JOB_PROCESSING_STOPPED = 6

# printer-state-reasons keywords (without severity suffix) that hold a job.
_PAPER_OUT = frozenset({"media-empty", "media-needed"})
_HEAD_OPEN = frozenset({"cover-open", "door-open", "interlock-open"})
_RIBBON_OUT = frozenset({"marker-supply-empty", "toner-empty"})

Value = int | bool | str | bytes


@dataclass
class IppAttribute:
    """One attribute: its value tag, name and values."""

    tag: int
    name: str
    values: list[Value] = field(default_factory=list)


@dataclass
class IppMessage:
    """An IPP request or response: `code` is the operation id or the status code."""

    code: int
    request_id: int
    groups: list[tuple[int, list[IppAttribute]]] = field(default_factory=list)
    data: bytes = b""
    version: tuple[int, int] = (1, 1)

    def get(self, name: str, default: Value | None = None) -> Value | None:
        """The first value of the first attribute called `name`, in any group."""
        for values in self._values(name):
            return values[0] if values else default
        return default

    def get_all(self, name: str) -> list[Value]:
        """Every value of the first attribute called `name`."""
        return next(self._values(name), [])

    def _values(self, name: str) -> itertools.chain[list[Value]]:
        """The value lists of attributes called `name`, in order."""
        return itertools.chain.from_iterable(
            (a.values for a in attributes if a.name == name) for _, attributes in self.groups
        )


def encode_message(message: IppMessage) -> bytes:
    """Write an IPP message in its binary encoding."""
    out = bytearray(struct.pack(">BBhi", *message.version, message.code, message.request_id))
    for group, attributes in message.groups:
        out.append(group)
        for attribute in attributes:
            for index, value in enumerate(attribute.values):
                name = attribute.name.encode() if index == 0 else b""
                raw = _encode_value(attribute.tag, value)
                out += struct.pack(">Bh", attribute.tag, len(name)) + name
                out += struct.pack(">h", len(raw)) + raw
    out.append(END)
    return bytes(out) + message.data


def decode_message(data: bytes) -> IppMessage:
    """Read an IPP message; unknown value tags keep their raw bytes."""
    try:
        major, minor, code, request_id = struct.unpack_from(">BBhi", data)
        message = IppMessage(code, request_id, version=(major, minor))
        offset = 8
        attributes: list[IppAttribute] = []
        while True:
            tag = data[offset]
            offset += 1
            if tag == END:
                message.data = data[offset:]
                return message
            if tag < 0x10:
                attributes = []
                message.groups.append((tag, attributes))
                continue
            (name_length,) = struct.unpack_from(">h", data, offset)
            name = data[offset + 2 : offset + 2 + name_length].decode()
            offset += 2 + name_length
            (value_length,) = struct.unpack_from(">h", data, offset)
            value = _decode_value(tag, data[offset + 2 : offset + 2 + value_length])
            offset += 2 + value_length
            if name or not attributes:
                attributes.append(IppAttribute(tag, name, [value]))
            else:
                attributes[-1].values.append(value)
    except (IndexError, struct.error, UnicodeDecodeError) as exc:
        raise PrinterError(f"malformed IPP message: {exc}") from exc


def _encode_value(tag: int, value: Value) -> bytes:
    """Encode one value for its tag."""
    if tag in (INTEGER, ENUM):
        return struct.pack(">i", int(value))
    if tag == BOOLEAN:
        return b"\x01" if value else b"\x00"
    return value if isinstance(value, bytes) else str(value).encode()


def _decode_value(tag: int, raw: bytes) -> Value:
    """Decode one value by its tag."""
    if tag in (INTEGER, ENUM) and len(raw) == 4:
        return int(struct.unpack(">i", raw)[0])
    if tag == BOOLEAN and len(raw) == 1:
        return raw != b"\x00"
    if 0x40 <= tag <= 0x5F:
        return raw.decode("utf-8", "replace")
    return raw


def status_from_printer(response: IppMessage) -> PrinterStatus:
    """Map IPP printer-state-reasons onto the fields a job worker reads."""
    reasons = set()
    for value in response.get_all("printer-state-reasons"):
        keyword = str(value)
        if keyword.endswith(("-warning", "-report")):
            continue
        reasons.add(keyword.removesuffix("-error"))
    queued = response.get("queued-job-count", 0)
    return PrinterStatus(
        paper_out=bool(reasons & _PAPER_OUT),
        paused="paused" in reasons,
        formats_in_buffer=queued if isinstance(queued, int) else 0,
        head_open=bool(reasons & _HEAD_OPEN),
        ribbon_out=bool(reasons & _RIBBON_OUT),
    )


@register("ipp")
class IppDriver(NetworkDriver):
    """A printer (or print server) that takes PDF documents by IPP; one Print-Job per label."""

    label_format = "pdf"

    def __init__(
        self,
        host: str,
        port: int = 631,
        *,
        path: str = "/ipp/print",
        timeout: float = 10.0,
        user: str = "labelsvc",
        document_format: str = "application/pdf",
        addresses: AddressPolicy | None = None,
    ) -> None:
        super().__init__(host, port, addresses=addresses)
        self.path = path
        self.timeout = timeout
        self.user = user
        self.document_format = document_format

    @property
    def uri(self) -> str:
        """The printer's ipp:// address."""
        return f"ipp://{self.host}:{self.port}{self.path}"

    def connect(self, job_name: str | None = None) -> IppConnection:
        """Open one HTTP connection for one job."""
        session = _PolicedHTTPConnection(self, timeout=self.timeout)
        session.connect()
        return IppConnection(self, session, job_name or "labels")


class _PolicedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection that (re)connects only through the driver's address policy."""

    def __init__(self, driver: IppDriver, timeout: float) -> None:
        super().__init__(driver.host, driver.port, timeout=timeout)
        self._driver = driver

    def connect(self) -> None:
        """Open the socket to an address the policy allows just now."""
        self.sock = self._driver.open_socket(self._driver.timeout)


class IppConnection(CheckedConnection):
    """Sends each label as its own Print-Job; confirms by polling the jobs' states."""

    def __init__(
        self, driver: IppDriver, session: http.client.HTTPConnection, job_name: str
    ) -> None:
        super().__init__()
        self._driver = driver
        self._http = session
        self._job_name = job_name
        self._request_ids = itertools.count(1)
        self._jobs: list[int] = []

    def status(self) -> PrinterStatus:
        """Ask Get-Printer-Attributes and raise the fault its state reasons name."""
        response = self._call(
            GET_PRINTER_ATTRIBUTES,
            [
                IppAttribute(
                    KEYWORD,
                    "requested-attributes",
                    ["printer-state", "printer-state-reasons", "queued-job-count"],
                )
            ],
        )
        return self._accept_status(status_from_printer(response))

    def send(self, label: bytes) -> None:
        """Submit one document as a Print-Job and remember its job id."""
        self._before_send()
        response = self._call(
            PRINT_JOB,
            [
                IppAttribute(NAME, "job-name", [self._job_name]),
                IppAttribute(MIME_TYPE, "document-format", [self._driver.document_format]),
            ],
            label,
        )
        job_id = response.get("job-id")
        if not isinstance(job_id, int):
            raise self._fail(PrinterError("Print-Job answer carries no job-id"))
        self._jobs.append(job_id)

    def confirm(self, timeout: float) -> PrinterStatus:
        """Wait until every submitted job is completed."""
        deadline = time.monotonic() + timeout
        while self._jobs:
            job_id = self._jobs[0]
            response = self._call(GET_JOB_ATTRIBUTES, [IppAttribute(INTEGER, "job-id", [job_id])])
            state = response.get("job-state")
            if state == JOB_COMPLETED:
                self._jobs.pop(0)
                continue
            if state in (JOB_CANCELED, JOB_ABORTED):
                raise self._fail(PrinterJobFailed(f"IPP job {job_id} ended in state {state}"))
            if state == JOB_PROCESSING_STOPPED:
                self.status()
            if time.monotonic() >= deadline:
                raise self._fail(
                    PrinterNotAnswering(f"IPP job {job_id} not completed within {timeout:g} s")
                )
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
        return self.status()

    def close(self) -> None:
        """Close the HTTP connection."""
        self._http.close()

    def _call(
        self, operation: int, attributes: list[IppAttribute], data: bytes = b""
    ) -> IppMessage:
        """Send one IPP request and return the successful response."""
        self._ensure_usable()
        request = IppMessage(
            operation,
            next(self._request_ids),
            [
                (
                    OPERATION,
                    [
                        IppAttribute(CHARSET, "attributes-charset", ["utf-8"]),
                        IppAttribute(LANGUAGE, "attributes-natural-language", ["en"]),
                        IppAttribute(URI, "printer-uri", [self._driver.uri]),
                        IppAttribute(NAME, "requesting-user-name", [self._driver.user]),
                        *attributes,
                    ],
                )
            ],
            data,
        )
        try:
            self._http.request(
                "POST",
                self._driver.path,
                body=encode_message(request),
                headers={"Content-Type": "application/ipp"},
            )
            answer = self._http.getresponse()
            body = answer.read()
        except PrinterUnreachable as exc:  # a reconnect the address policy refused
            raise self._fail(exc) from None
        except TimeoutError as exc:
            raise self._fail(PrinterNotAnswering(f"no IPP answer: {exc}")) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise self._fail(PrinterConnectionReset(f"IPP connection broke: {exc}")) from exc
        if answer.status != 200:
            raise self._fail(PrinterError(f"IPP printer answered HTTP {answer.status}"))
        try:
            response = decode_message(body)
        except PrinterError as exc:
            raise self._fail(exc) from None
        if response.code >= 0x0400:
            message = str(response.get("status-message", ""))
            raise self._fail(PrinterError(f"IPP status 0x{response.code:04x} {message}".strip()))
        return response
