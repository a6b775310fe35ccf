"""Extension points: a printer driver and the connection it opens for one job."""

from __future__ import annotations

import socket
from abc import ABC, abstractmethod
from types import TracebackType
from typing import Any, ClassVar

from printers.addresses import AddressPolicy
from printers.errors import PrinterError, PrinterFault, PrinterUnreachable
from printers.status import PrinterStatus


class PrinterConnection(ABC):
    """One session with one printer, opened for one job and closed after it.

    The job worker drives it in this order: `status()` once before sending anything,
    then `send()` for each label and `confirm()` at least every 100 labels and after
    the last. A label counts as printed only once a `confirm()` after its `send()`
    has returned.
    """

    @abstractmethod
    def status(self) -> PrinterStatus:
        """Ask the printer for its status now.

        Returns:
            The printer's answer.

        Raises:
            PrinterFault: the answer reports paper out, head open, ribbon out or pause;
                the connection sends nothing after that.
            PrinterNotAnswering: no answer in time (a Zebra is silent in most faults).
            PrinterConnectionReset: the connection broke.
        """

    @abstractmethod
    def send(self, label: bytes) -> None:
        """Hand one rendered label to the printer.

        Args:
            label: the label in the driver's `label_format` (one ZPL format, one PDF).

        Raises:
            PrinterFault: the last status answer reported a fault; nothing is sent.
            PrinterNotAnswering: the printer did not take the data in time.
            PrinterConnectionReset: the connection broke; the label may be partly sent.
        """

    @abstractmethod
    def confirm(self, timeout: float) -> PrinterStatus:
        """Wait until every label sent so far is printed.

        Args:
            timeout: seconds to wait at most for the printer to finish.

        Returns:
            The status answer that proved the labels printed.

        Raises:
            PrinterFault: the printer reports a fault before finishing.
            PrinterNotAnswering: no answer, or not finished within `timeout`.
            PrinterConnectionReset: the connection broke.
            PrinterJobFailed: the printer cancelled or aborted a document.
        """

    @abstractmethod
    def close(self) -> None:
        """Close the session; labels sent but not confirmed stay unconfirmed."""

    def __enter__(self) -> PrinterConnection:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class CheckedConnection(PrinterConnection):
    """A connection that reads the status before its first label and is dead after a failure.

    Network drivers build on it so that no label is sent after a fault answer, a
    missing answer or a broken connection; the worker opens a new connection instead.
    """

    def __init__(self) -> None:
        self._checked = False
        self._failure: PrinterError | None = None

    def _ensure_usable(self) -> None:
        """Raise the failure this connection already had, if any."""
        if self._failure is not None:
            raise self._failure.with_traceback(None)

    def _before_send(self) -> None:
        """Refuse after a failure; ask the status if nobody has on this connection."""
        self._ensure_usable()
        if not self._checked:
            self.status()

    def _accept_status(self, status: PrinterStatus) -> PrinterStatus:
        """Record a status answer and raise the fault it reports."""
        self._checked = True
        try:
            status.raise_for_fault()
        except PrinterError as exc:
            raise self._fail(exc) from None
        return status

    def _fail(self, error: PrinterError) -> PrinterError:
        """Remember the first failure so that nothing is sent after it.

        Before the connection's first status answer nothing proves that a printer is there:
        silence, a reset or an answer that is not a printer's then all read "not
        reachable", as a refused connection does, so that no status tells an open port
        from a closed one (the detail goes to the log).
        """
        if not self._checked and not isinstance(error, PrinterFault | PrinterUnreachable):
            error = PrinterUnreachable.hiding(error.detail)
        if self._failure is None:
            self._failure = error
        return error


class PrinterDriver(ABC):
    """A kind of printer, found in `DRIVERS` by its slug.

    A subclass sets `slug` and `label_format`, takes its settings as keyword
    arguments (host, port, directory, ...) and opens connections. Register it with
    `@register` or through the `labelsvc.printers` entry point group.

    Attributes:
        slug: lower-case-hyphen name used in printer definitions (`zpl-tcp`).
        label_format: what the worker must render for it: `zpl`, `pdf` or `png`.
    """

    slug: ClassVar[str]
    label_format: str = "zpl"

    def __init__(self, **settings: Any) -> None:
        """Take the printer's settings as keyword arguments (a subclass names its own).

        Args:
            **settings: the printer definition's driver settings.

        Raises:
            TypeError: a setting the driver does not know.
        """
        if settings:
            raise TypeError(f"{type(self).__name__} takes no settings: {sorted(settings)}")

    @abstractmethod
    def connect(self, job_name: str | None = None) -> PrinterConnection:
        """Open a session for one job.

        Args:
            job_name: a name for the job, used where the printer shows or stores one.

        Returns:
            An open connection; use it as a context manager.

        Raises:
            PrinterUnreachable: no connection could be made.
        """

    def probe(self) -> PrinterStatus:
        """Open a connection, read the status once and close it.

        Returns:
            The printer's status.

        Raises:
            PrinterError: as `connect()` and `PrinterConnection.status()`.
        """
        with self.connect() as connection:
            return connection.status()


class NetworkDriver(PrinterDriver):
    """A driver that reaches its printer at a host and port, within an address policy.

    A subclass takes `host`, `port` and the keyword `addresses` and hands them to
    `NetworkDriver.__init__`; it opens its connections with `open_socket()`, which resolves
    the host, checks every address against the policy and connects to an address it just
    checked, never by name again. Without a policy the default one applies
    (`printers.addresses.DEFAULT_NETWORKS`).
    """

    def __init__(self, host: str, port: int, *, addresses: AddressPolicy | None = None) -> None:
        """Take where the printer is and the address policy to keep to.

        Args:
            host: the printer's host name or address.
            port: its TCP port.
            addresses: where printers may be; None for the default policy.
        """
        self.host = host
        self.port = int(port)
        self.addresses = addresses if addresses is not None else AddressPolicy()

    def check_address(self) -> None:
        """Resolve the host now and check every address (at definition time).

        Raises:
            AddressRefused: an address the policy refuses; its `field` names the setting.
            UnknownHost: the host name resolves to no address.
        """
        self.addresses.allowed(self.host, self.port)

    def open_socket(self, timeout: float) -> socket.socket:
        """Connect to the printer through the address policy.

        Raises:
            PrinterUnreachable: refused by the policy or no connection.
        """
        return self.addresses.connect(self.host, self.port, timeout)
