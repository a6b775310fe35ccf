"""Drive one leased printer: deliver its jobs in order, hold and retry on faults."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, select

from labelsvc.errors import OnHold
from labelsvc.observability.context import request_id_bound
from labelsvc.registry.database import Database
from labelsvc.registry.models import identifiers, print_job_labels, printers
from labelsvc.registry.queries import utc
from labelsvc.services import job_states
from labelsvc.services.label_templates import template_at
from labelsvc.services.print_evidence import Label
from labelsvc.services.printers import open_driver, store_status
from labelsvc.worker.render import chunk_renderer
from printers import (
    AddressPolicy,
    DeliveryInterrupted,
    PrinterError,
    PrinterFault,
    PrinterStatus,
    deliver,
)
from templates import TemplateError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerSettings:
    """Timings of the print workers (`LABELSVC_PRINT_*`) and where printers may be.

    By default a held job is tried again after 0.5, 1, 2, 4, 8, then every 10 s, and the
    labels sent are confirmed printed at least every 100.
    """

    poll_seconds: float = 0.5
    lease_seconds: float = 30.0
    retry_first_seconds: float = 0.5
    retry_max_seconds: float = 10.0
    confirm_every: int = 100
    confirm_timeout: float = 120.0
    confirm_seconds: float | None = 2.0  # None: confirm every `confirm_every` labels only
    probe_seconds: float = 30.0
    threads: int = 8
    idempotency_hours: int = 48
    housekeeping_seconds: float = 3600.0
    addresses: AddressPolicy = field(default_factory=AddressPolicy)

    def backoff(self, failures: int) -> float:
        """Seconds before the next attempt after `failures` failed ones: 0.5, 1, 2 … 10."""
        return float(min(self.retry_max_seconds,
                         self.retry_first_seconds * 2 ** max(0, failures - 1)))


class CannotPrint(Exception):
    """A job that can never succeed: its printer or template is gone, or a label won't render."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class PrinterRun:
    """The jobs of one printer, worked through while this worker holds its lease."""

    def __init__(self, db: Database, printer_id: int, settings: WorkerSettings,
                 stopping: threading.Event) -> None:
        self.db = db
        self.printer_id = printer_id
        self.settings = settings
        self.stopping = stopping
        self.lost = threading.Event()
        self._chunk: list[Label] = []  # marked sent, not yet confirmed

    def _printer(self) -> Row[Any]:
        with self.db.transaction(write=False) as conn:
            return conn.execute(select(printers).where(printers.c.id == self.printer_id)).one()

    def _halted(self) -> bool:
        """Stop driving the printer: shutting down, or the lease is gone."""
        return self.stopping.is_set() or self.lost.is_set()

    def run(self) -> None:
        """Deliver the printer's jobs oldest first until none is left or we must stop."""
        while not self._halted():
            job = job_states.head_job(self.db, self.printer_id)
            if job is None:
                self.probe_if_stale()
                return
            wait = _seconds_until(job.next_attempt_at) if job.status == "held" else 0.0
            if wait > 0:
                self.stopping.wait(min(wait, self.settings.poll_seconds))
                continue
            self.attempt(job)

    def probe_if_stale(self) -> None:
        """Read an idle printer's status when the stored one is older than the probe interval."""
        printer = self._printer()
        if printer.deleted_at is not None:
            return
        if printer.checked_at is not None and \
                -_seconds_until(printer.checked_at) < self.settings.probe_seconds:
            return
        driver = open_driver(printer.driver, printer.settings, self.settings.addresses)
        try:
            status = driver.probe()
        except PrinterError as exc:
            if exc.reason != printer.status_reason:
                log.warning("printer %s %s: %s", printer.name, _plain(exc.reason), exc.detail)
            self._store_status(_fault_status(exc), exc.reason)
            return
        fault = status.fault
        self._store_status(status.to_dict(), fault.value if fault else None)

    def _store_status(self, status: dict[str, Any] | None, reason: str | None) -> None:
        """Keep what the last attempt learnt about the printer."""
        with self.db.transaction() as conn:
            store_status(conn, self.printer_id, status, reason)

    def attempt(self, job: Row[Any]) -> None:
        """One delivery attempt of a job, logged under the request id that made the job."""
        with request_id_bound(job.request_id):
            self._attempt(job)

    def _attempt(self, job: Row[Any]) -> None:
        """One delivery attempt of a job on one connection."""
        printer = self._printer()
        self._chunk = []
        try:
            self._deliver(job, printer)
        except OnHold as exc:
            # Nothing of the held identifier was marked sent; labels sent before it are
            # confirmed. The job waits, retried with backoff, until the hold is released.
            job_states.unsend(self.db, job.id, self._chunk)
            failures = job_states.hold(self.db, job.id, "on-hold", exc.detail,
                                       self.settings.backoff)
            log.warning("printer %s: job %s held: %s (check %d)", printer.name, job.id,
                        exc.detail, failures)
        except CannotPrint as exc:
            log.error("printer %s: job %s failed: %s", printer.name, job.id, exc.detail)
            # The chunk taken for sending never reached the printer: it ends cancelled,
            # not unknown (labels sent in an earlier attempt stay unknown).
            job_states.unsend(self.db, job.id, self._chunk)
            job_states.finish(self.db, job.id, "failed", exc.reason, exc.detail)
        except DeliveryInterrupted as exc:
            sent = set(exc.unconfirmed)
            job_states.unsend(self.db, job.id, [x for x in self._chunk if x not in sent])
            failures = job_states.hold(self.db, job.id, _held_reason(exc.reason),
                                       str(exc.cause), self.settings.backoff,
                                       printer_id=self.printer_id,
                                       status=_fault_status(exc.cause))
            log.warning("printer %s %s; job %s held (%d labels to send again, retry %d in "
                        "%.1f s): %s", printer.name, _plain(exc.reason), job.id,
                        len(exc.unconfirmed), failures, self.settings.backoff(failures),
                        exc.cause.detail)

    def _deliver(self, job: Row[Any], printer: Row[Any]) -> None:
        """Send the job's unconfirmed labels and settle how the attempt ended."""
        if printer.deleted_at is not None:
            raise CannotPrint("printer-deleted", f"printer {printer.name} was removed")
        template = find_template_for(self.db, job.template, job.template_version)
        job_states.refuse_if_next_held(self.db, job.id)  # before connecting to the printer
        driver = open_driver(printer.driver, printer.settings, self.settings.addresses)
        watch = _CancelWatch(self.db, job.id)
        started = False

        def on_status(status: PrinterStatus) -> None:
            nonlocal started
            if not started:
                started = True
                if not job_states.start_printing(self.db, job.id):
                    watch.cancelled = True

        def on_confirmed(labels: Sequence[Label], status: PrinterStatus) -> None:
            job_states.confirm(self.db, job, printer.name, list(labels), status.to_dict())
            confirmed = set(labels)  # the rest of the chunk taken is still unconfirmed
            self._chunk = [label for label in self._chunk if label not in confirmed]

        result = deliver(
            driver, self._labels(job, printer, template, driver.label_format),
            job_name=f"job-{job.id}", confirm_every=self.settings.confirm_every,
            confirm_timeout=self.settings.confirm_timeout, on_confirmed=on_confirmed,
            confirm_seconds=self.settings.confirm_seconds,
            on_status=on_status, should_cancel=lambda: self._halted() or watch.cancelled_now())
        if self._halted():
            return  # the next lease holder sends the unconfirmed labels again
        row = job_states.job_row(self.db, job.id)
        if result.cancelled or row.cancel_requested:
            gone = self._printer().deleted_at is not None
            job_states.finish(self.db, job.id, "failed" if gone else "cancelled",
                              "printer-deleted" if gone else None,
                              f"printer {printer.name} was removed" if gone else None)
            log.info("printer %s: job %s stopped; %d of %d printed", printer.name, job.id,
                     row.printed, row.total)
        elif row.printed >= row.total:
            job_states.finish(self.db, job.id, "done")
            log.info("printer %s: job %s done, %d labels", printer.name, job.id, row.total)

    def _labels(self, job: Row[Any], printer: Row[Any], template: Any,
                label_format: str) -> Iterator[tuple[Label, bytes]]:
        """Yield the job's unconfirmed labels in order, rendered a chunk at a time."""
        render = chunk_renderer(template, label_format, printer.dpi)
        after = -1
        while True:
            self._chunk = []
            try:
                chunk = job_states.take_chunk(self.db, job, after,
                                              self.settings.confirm_every, render)
            except TemplateError as exc:
                index = getattr(exc, "record", None)
                value = "a label"
                if isinstance(index, int):
                    value = _value_of(self.db, job.id, after, index)
                raise CannotPrint("render-error", f"label {value} cannot be rendered: {exc}"
                                  ) from None
            self._chunk = [label for label, _ in chunk]
            if not chunk:
                return
            after = chunk[-1][0].position
            yield from chunk


def _value_of(db: Database, job_id: int, after: int, index: int) -> str:
    """The identifier value of the label `index` places after position `after`, for messages."""
    labels = print_job_labels.c
    with db.transaction(write=False) as conn:
        return str(conn.execute(
            select(identifiers.c.value)
            .join(print_job_labels, labels.identifier_id == identifiers.c.id)
            .where(labels.job_id == job_id).where(labels.position > after)
            .where(labels.state.in_(("pending", "sent")))
            .order_by(labels.position).offset(index).limit(1)).scalar())


def find_template_for(db: Database, name: str, version: int) -> Any:
    """The template version the job pinned, or CannotPrint when it is gone."""
    with db.transaction(write=False) as conn:
        template = template_at(conn, name, version)
    if template is None:
        raise CannotPrint("template-deleted",
                          f"label template {name} version {version} was removed")
    return template


class _CancelWatch:
    """Reads a job's cancel request from the database at most every quarter second."""

    def __init__(self, db: Database, job_id: int) -> None:
        self.db, self.job_id = db, job_id
        self.cancelled = False
        self._next = 0.0

    def cancelled_now(self) -> bool:
        now = time.monotonic()
        if not self.cancelled and now >= self._next:
            self._next = now + 0.25
            row = job_states.job_row(self.db, self.job_id)
            self.cancelled = bool(row.cancel_requested) or row.status not in job_states.ACTIVE
        return self.cancelled


def _held_reason(reason: str) -> str:
    """A broken connection holds the job as `unreachable` until the printer answers again."""
    return "unreachable" if reason == "connection-reset" else reason


def _plain(reason: str) -> str:
    """Say a fault slug in words."""
    return {"unreachable": "is not reachable",
            "connection-reset": "dropped the connection",
            "printer-error": "answered, then fell silent (paper, head or ribbon?)",
            "paper-out": "is out of paper", "head-open": "has its head open",
            "ribbon-out": "is out of ribbon", "paused": "is paused"}.get(reason, reason)


def _fault_status(error: BaseException) -> dict[str, Any] | None:
    """The status answer that reported a fault, if the error carries one."""
    status = getattr(error, "status", None) if isinstance(error, PrinterFault) else None
    return status.to_dict() if isinstance(status, PrinterStatus) else None


def _seconds_until(moment: dt.datetime | None) -> float:
    """Seconds from now until a stored timestamp (negative when past)."""
    if moment is None:
        return 0.0
    return (utc(moment) - dt.datetime.now(dt.UTC)).total_seconds()  # type: ignore[operator]
