"""Printer drivers, the `~HS` status parser, label delivery and the virtual printer.

Usable without the web application; `labelsvc` builds its print jobs on top of it.
"""

from __future__ import annotations

from printers.addresses import (
    DEFAULT_NETWORKS,
    AddressPolicy,
    AddressRefused,
    RefusedEndpoint,
    UnknownHost,
    parse_networks,
)
from printers.base import NetworkDriver, PrinterConnection, PrinterDriver
from printers.delivery import MAX_CONFIRM_EVERY, DeliveryInterrupted, DeliveryResult, deliver
from printers.errors import (
    NOT_REACHABLE,
    DuplicateDriver,
    HeadOpen,
    PaperOut,
    PrinterConnectionReset,
    PrinterError,
    PrinterFault,
    PrinterJobFailed,
    PrinterNotAnswering,
    PrinterPaused,
    PrinterUnreachable,
    RibbonOut,
    StatusFormatError,
    UnknownDriver,
)
from printers.registry import DRIVERS, ENTRY_POINT_GROUP, DriverRegistry, register
from printers.status import Fault, PrinterStatus, format_host_status, parse_host_status

# Built-in drivers register themselves on import.
from printers.filespool import FileDriver  # noqa: E402  isort: skip
from printers.ipp import IppDriver  # noqa: E402  isort: skip
from printers.zpltcp import ZplTcpDriver  # noqa: E402  isort: skip

__all__ = [
    "AddressPolicy",
    "AddressRefused",
    "DEFAULT_NETWORKS",
    "DRIVERS",
    "ENTRY_POINT_GROUP",
    "MAX_CONFIRM_EVERY",
    "NOT_REACHABLE",
    "DeliveryInterrupted",
    "DeliveryResult",
    "DriverRegistry",
    "DuplicateDriver",
    "Fault",
    "FileDriver",
    "HeadOpen",
    "IppDriver",
    "NetworkDriver",
    "PaperOut",
    "PrinterConnection",
    "PrinterConnectionReset",
    "PrinterDriver",
    "PrinterError",
    "PrinterFault",
    "PrinterJobFailed",
    "PrinterNotAnswering",
    "PrinterPaused",
    "PrinterStatus",
    "PrinterUnreachable",
    "RefusedEndpoint",
    "RibbonOut",
    "StatusFormatError",
    "UnknownDriver",
    "UnknownHost",
    "ZplTcpDriver",
    "deliver",
    "format_host_status",
    "parse_host_status",
    "parse_networks",
    "register",
]
