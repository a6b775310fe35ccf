"""Request and response models of the printer and print-job endpoints."""

from __future__ import annotations

import warnings
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from labelsvc.contract.common import (
    Body,
    Cursor,
    PageQuery,
    PrinterName,
    Query,
    TemplateName,
    TermIn,
    Value,
)

# A new printer's name; requests that refer to a printer take any PrinterName (404 if unknown).
NewPrinterName = Annotated[str, StringConstraints(min_length=1, max_length=100,
                                                  pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
JobStatus = Literal["queued", "printing", "held", "done", "cancelled", "failed"]
LabelState = Literal["pending", "sent", "printed", "unknown", "cancelled"]
Copies = Annotated[int, Field(ge=1, le=100)]


class MediaIn(Body):
    """The label stock loaded in the printer."""

    width_mm: Annotated[float, Field(gt=0, le=2000)] | None = None
    height_mm: Annotated[float, Field(gt=0, le=2000)] | None = None


class PrinterIn(Body):
    """Define a printer: `zpl-tcp` needs host (port 9100), `file` a directory, `ipp` a host."""

    name: NewPrinterName
    driver: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    host: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = None
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    directory: Annotated[str, StringConstraints(min_length=1, max_length=1000)] | None = None
    dpi: Literal[203, 300, 600] = 203
    media: MediaIn | None = None
    site: Annotated[str, StringConstraints(max_length=100)] | None = None
    line: Annotated[str, StringConstraints(max_length=100)] | None = None
    settings: dict[Annotated[str, StringConstraints(max_length=50)], Any] = {}


class PrinterOut(BaseModel):
    """A printer."""

    name: str
    driver: str
    dpi: int
    host: str | None
    port: int | None
    directory: str | None
    settings: dict[str, Any]
    media: dict[str, Any]
    site: str | None
    line: str | None
    created_at: str
    created_by: str


class PrinterListOut(BaseModel):
    """A page of printers."""

    items: list[PrinterOut]
    next_cursor: str | None


class PrinterStatusOut(BaseModel):
    """The last `~HS` answer a worker read (null before the first), with when."""

    printer: str
    checked_at: str | None
    reason: str | None
    ready: bool
    status: dict[str, Any] | None


# Why a label is printed again: a built-in or registered reprint reason (422 otherwise).
ReasonName = Annotated[str, StringConstraints(min_length=1, max_length=50)]


class PrintJobIn(Body):
    """Print (or print again) identifiers in the registry; `reason` is needed when one of
    them was printed before."""

    printer: PrinterName
    template: TemplateName
    identifiers: Annotated[list[Value], Field(min_length=1, max_length=100_000)]
    copies: Copies = 1
    reason: ReasonName | None = None


class ReprintIn(Body):
    """Print a job's identifiers again, optionally elsewhere or differently, for a reason."""

    reason: ReasonName | None = None
    printer: PrinterName | None = None
    template: TemplateName | None = None
    copies: Copies | None = None


class JobOut(BaseModel):
    """A print job and its progress; `printed` counts each label once."""

    model_config = ConfigDict(extra="allow")
    id: int
    printer: str
    template: str
    template_version: int
    status: JobStatus
    reason: str | None
    detail: str | None
    total: int
    printed: int
    copies: int
    cancel_requested: bool
    reprint_of: int | None
    created_at: str
    created_by: str
    started_at: str | None
    finished_at: str | None


class JobListOut(BaseModel):
    """A page of print jobs, newest first."""

    items: list[JobOut]
    next_cursor: str | None


class JobQuery(Query):
    """Filters and paging of the print-job list."""

    printer: Annotated[str, StringConstraints(max_length=100)] | None = None
    status: JobStatus | None = None
    limit: Annotated[int, Field(ge=1, le=1000)] = 100
    cursor: Cursor | None = None


with warnings.catch_warnings():  # `copy` is the contract's name; BaseModel.copy is unused
    warnings.simplefilter("ignore", UserWarning)

    class JobLabelOut(BaseModel):
        """One label of a job: identifier value, copy number, state and how often it was sent."""

        value: str
        copy: int  # type: ignore[assignment]
        state: LabelState
        sends: int
        template_version: int
        scheme_version: int
        reprint: int  # the n-th reprint of the identifier; 0 on its first print
        reason: str | None

    class LabelPrintOut(BaseModel):
        """One label sent to a printer (each copy, each send): the evidence kept of it."""

        id: int
        value: str
        job: int
        position: int
        printer: str
        template: str
        template_version: int
        scheme_version: int
        copy: int  # type: ignore[assignment]
        send: int
        reprint: int
        reason: str | None
        sent_at: str
        actor: str
        format: str
        dpi: int
        sha256: str
        values: dict[str, Any]


class LabelPrintsOut(BaseModel):
    """A page of an identifier's printings, oldest first."""

    items: list[LabelPrintOut]
    next_cursor: str | None


class ReprintReasonIn(TermIn):
    """A custom reprint reason to register (`smudged`, `wrong-stock`, …)."""


class ReprintReasonOut(BaseModel):
    """A reason to print a label again; `from_clients` is false for the print worker's own."""

    name: str
    description: str
    built_in: bool
    from_clients: bool
    created_at: str | None = None
    created_by: str | None = None


class ReprintReasonListOut(BaseModel):
    """Every reprint reason the registry knows."""

    items: list[ReprintReasonOut]


class JobLabelsOut(BaseModel):
    """A page of a job's labels in print order."""

    items: list[JobLabelOut]
    next_cursor: str | None


__all__ = ["JobLabelsOut", "JobListOut", "JobOut", "JobQuery", "LabelPrintOut", "LabelPrintsOut",
           "PageQuery", "PrintJobIn", "PrinterIn", "PrinterListOut", "PrinterOut",
           "PrinterStatusOut", "ReprintIn", "ReprintReasonIn", "ReprintReasonListOut",
           "ReprintReasonOut"]
