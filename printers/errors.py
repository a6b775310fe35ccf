"""Printer errors: one base class, each subclass carries the job's `reason` slug."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class PrinterError(Exception):
    """Base of every error raised by the printers package.

    `str()` is what a job or a printer's status may show; `detail` is the whole story, for
    the server log only (the same text unless the outward words hide something).
    """

    reason: str = "printer-error"

    def __init__(self, message: str = "", *, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail or message


NOT_REACHABLE = ("printer not reachable: no connection or no printer status answer (check "
                 "that it is switched on and on the network, has paper and ribbon, and its "
                 "head is closed)")


class PrinterUnreachable(PrinterError):
    """No printer answers there: refused, reset, timed out, silent, or not a printer at all.

    Outwardly every one of these reads `NOT_REACHABLE`, so that a printer's status never
    tells an open port from a closed one; what really happened is in `detail`.
    """

    reason = "unreachable"

    @classmethod
    def hiding(cls, detail: str) -> PrinterUnreachable:
        """The outward "not reachable" error for a failure whose detail goes to the log."""
        return cls(NOT_REACHABLE, detail=detail)


class PrinterNotAnswering(PrinterError):
    """Connected, but the printer did not answer or take data in time."""

    reason = "printer-error"


class StatusFormatError(PrinterError, ValueError):
    """A host status answer did not have the documented layout."""

    reason = "printer-error"


class PrinterConnectionReset(PrinterError):
    """The connection broke while a job was using it."""

    reason = "connection-reset"


class PrinterFault(PrinterError):
    """The printer answered its status with a fault; nothing more is sent."""

    def __init__(self, message: str, status: Any = None) -> None:
        super().__init__(message)
        self.status = status


class PaperOut(PrinterFault):
    """The printer reports paper (media) out."""

    reason = "paper-out"


class HeadOpen(PrinterFault):
    """The printer reports its head up or cover open."""

    reason = "head-open"


class RibbonOut(PrinterFault):
    """The printer reports ribbon out."""

    reason = "ribbon-out"


class PrinterPaused(PrinterFault):
    """The printer is paused by its operator."""

    reason = "paused"


class PrinterJobFailed(PrinterError):
    """The printer accepted a document but then cancelled or aborted it."""

    reason = "printer-error"


class UnknownDriver(PrinterError, KeyError):
    """A driver slug that no built-in driver or installed plugin provides."""

    reason = "unknown-driver"

    def __init__(self, slug: str, known: Sequence[str]) -> None:
        self.slug = slug
        self.known = tuple(known)
        super().__init__(slug)

    def __str__(self) -> str:
        return f"unknown printer driver {self.slug!r}; known drivers: {', '.join(self.known)}"


class DuplicateDriver(PrinterError):
    """A second driver tried to register a slug that is taken."""

    reason = "duplicate-driver"


FAULT_ERRORS: dict[str, type[PrinterFault]] = {
    cls.reason: cls for cls in (PaperOut, HeadOpen, RibbonOut, PrinterPaused)
}
