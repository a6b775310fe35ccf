"""Print jobs: create (with issued identifiers or on their own), read, list, cancel, reprint.

A job's labels are rows (one per identifier and copy, in print order); workers deliver
them (labelsvc.worker). Their states change only through labelsvc.services.job_states.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Boolean, Connection, Integer, Row, String, insert, select, update

from labelsvc.contract.print_models import JobLabelOut, JobLabelsOut, JobListOut, JobOut
from labelsvc.errors import NotFound, ValidationFailed
from labelsvc.observability.context import current_request_id
from labelsvc.registry.database import Database
from labelsvc.registry.models import (
    events,
    identifiers,
    label_prints,
    print_job_labels,
    print_jobs,
    printers,
)
from labelsvc.registry.queries import chunks, ids_for_values, insert_rows, iso
from labelsvc.services import audit, event_types, holds, job_states, reprints
from labelsvc.services.audit import Target
from labelsvc.services.label_templates import find_template_version
from labelsvc.services.labels import check_job_labels
from labelsvc.services.paging import cursor_position, encode_cursor
from labelsvc.services.printers import (
    audited_printer,
    find_printer,
    printer_answer,
    require_printer,
)
from labelsvc.services.tokens import Actor

PRINT_EVENTS = ("printed", "reprinted")


# The most labels (identifiers × copies) one job may hold (LABELSVC_MAX_LABELS_PER_JOB), and
# how many label rows are written per statement.
MAX_LABELS_PER_JOB = 100_000
LABEL_CHUNK = 20_000


@dataclass(frozen=True)
class PrintRequest:
    """Print identifiers: printer, label template and copies; `reason` says why identifiers
    printed before are printed again (services.reprints)."""

    printer: str
    template: str
    copies: int = 1
    reason: str | None = None


@dataclass(frozen=True)
class Limits:
    """The plant's limits on print jobs: labels per job (LABELSVC_MAX_LABELS_PER_JOB) and
    reprints per identifier (LABELSVC_REPRINT_LIMIT)."""

    max_labels: int = MAX_LABELS_PER_JOB
    reprints: int = reprints.REPRINT_LIMIT


def job_answer(row: Row[Any] | Any) -> JobOut:
    """The print job answer of a job row loaded with its printer's name."""
    return JobOut(id=row.id, printer=row.printer_name, template=row.template,
                  template_version=row.template_version, status=row.status,
                  reason=row.reason, detail=row.detail,
                  total=row.total, printed=row.printed, copies=row.copies,
                  cancel_requested=bool(row.cancel_requested), reprint_of=row.reprint_of,
                  created_at=iso(row.created_at), created_by=row.created_by,
                  started_at=iso(row.started_at), finished_at=iso(row.finished_at))


def _job_select() -> Any:
    """Select job columns with the printer's name."""
    return select(print_jobs, printers.c.name.label("printer_name")).join(
        printers, printers.c.id == print_jobs.c.printer_id)


def load_job(conn: Connection, job_id: int, *, lock: bool = False) -> Row[Any]:
    """Load a job row (with `printer_name`), or answer 404."""
    query = _job_select().where(print_jobs.c.id == job_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update(of=print_jobs)
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no print job {job_id}")
    return row


def already_printed(conn: Connection, identifier_ids: Sequence[int]) -> set[int]:
    """The identifiers that carry a printed or reprinted event already, or whose label was
    sent to a printer (it may be on the shelf though never confirmed)."""
    found: set[int] = set()
    for part in chunks(list(set(identifier_ids))):
        found.update(conn.execute(
            select(events.c.identifier_id).distinct()
            .where(events.c.identifier_id.in_(part)).where(events.c.type.in_(PRINT_EVENTS))
        ).scalars())
        found.update(conn.execute(
            select(label_prints.c.identifier_id).distinct()
            .where(label_prints.c.identifier_id.in_(part))).scalars())
    return found


def _scheme_versions(conn: Connection, identifier_ids: Sequence[int]) -> dict[int, int]:
    """The scheme version each identifier was issued under, by row id."""
    found: dict[int, int] = {}
    for part in chunks(list(set(identifier_ids))):
        found.update({row.id: row.scheme_version for row in conn.execute(
            select(identifiers.c.id, identifiers.c.scheme_version)
            .where(identifiers.c.id.in_(part)))})
    return found


def refuse_final(conn: Connection, identifier_ids: Sequence[int]) -> None:
    """InvalidTransition (409) when an identifier is scrapped, consumed or voided: its label
    must not be printed again."""
    for part in chunks(list(identifier_ids)):
        row = conn.execute(select(identifiers.c.value, identifiers.c.status)
                           .where(identifiers.c.id.in_(part))
                           .where(identifiers.c.status.in_(sorted(event_types.FINAL)))
                           .limit(1)).first()
        if row is not None:
            event_types.check_move(row.value, row.status, "printed")


def check_job_size(count: int, copies: int, max_labels: int, field_prefix: str = "") -> None:
    """Refuse a job of more than `max_labels` labels (identifiers × copies), before anything
    is written: one request must not hold the registry, or a printer, for hours."""
    if count * copies > max_labels:
        raise ValidationFailed(
            f"a print job holds at most {max_labels:,} labels (identifiers × copies); this one "
            f"would hold {count * copies:,} ({count:,} × {copies}): split it into several jobs",
            {f"{field_prefix}copies": f"at most {max_labels:,} labels in one job"})


def create_job(conn: Connection, identifier_ids: Sequence[int], request: PrintRequest,
               actor: Actor, *, limits: Limits = Limits(), field_prefix: str = "",
               reprint_of: int | None = None, fresh: bool = False) -> JobOut:
    """Write a job and its labels (identifier-major, copies together) in `conn`'s transaction.

    The job pins the template's current version and each label its identifier's scheme
    version: what the worker prints, whatever is edited meanwhile. `fresh` identifiers were
    just issued and cannot have been printed; otherwise labels of identifiers printed before
    (sent to a printer) are reprints: they need the request's reason, count against the
    reprint limit and print `REPRINT n` where the template asks.
    Labels are written in bounded chunks.
    """
    check_job_size(len(identifier_ids), request.copies, limits.max_labels, field_prefix)
    printer = find_printer(conn, request.printer)
    if printer is None:
        raise ValidationFailed(f"no printer named {request.printer}",
                               {f"{field_prefix}printer": f"no printer named {request.printer}"})
    pinned = find_template_version(conn, request.template)
    if pinned is None:
        raise ValidationFailed(
            f"no label template named {request.template}",
            {f"{field_prefix}template": f"no label template named {request.template}"})
    template_version, template = pinned
    if not fresh:  # fresh identifiers were checked as issued (a serial into a held lot)
        refuse_final(conn, identifier_ids)
        holds.refuse_held(conn, identifier_ids, "its label cannot be printed")
    printed_before = set() if fresh else already_printed(conn, identifier_ids)
    reason = reprints.check_reason(conn, request.reason, needed=bool(printed_before),
                                   field=f"{field_prefix}reason")
    numbers: dict[int, int] = {}
    if printed_before:
        so_far = reprints.reprints_so_far(conn, printed_before)
        reprints.check_limit(conn, so_far, limits.reprints)
        numbers = {i: n + 1 for i, n in so_far.items()}
    check_job_labels(conn, request.template, template, identifier_ids, dpi=printer.dpi,
                     issued_together=fresh, reprints=numbers, field_prefix=field_prefix)
    copies = request.copies
    now = dt.datetime.now(dt.UTC)
    job_id = conn.execute(insert(print_jobs).values(
        printer_id=printer.id, template=request.template, template_version=template_version,
        status="queued", copies=copies, total=len(identifier_ids) * copies, printed=0,
        reprint_of=reprint_of, cancel_requested=False, attempts=0, created_at=now,
        created_by=actor.name, request_id=current_request_id()
    ).returning(print_jobs.c.id)).scalar_one()
    versions = _scheme_versions(conn, identifier_ids)
    step = max(1, LABEL_CHUNK // copies)  # identifiers per chunk: LABEL_CHUNK labels at most
    for start in range(0, len(identifier_ids), step):
        part = identifier_ids[start:start + step]
        positions, ids, copy_numbers, flags, scheme_versions, reprint_nos, reasons = \
            [], [], [], [], [], [], []
        for offset, identifier_id in enumerate(part):
            number = numbers.get(identifier_id, 0)
            for copy in range(1, copies + 1):
                positions.append((start + offset) * copies + copy - 1)
                ids.append(identifier_id)
                copy_numbers.append(copy)
                flags.append(number > 0)
                scheme_versions.append(versions[identifier_id])
                reprint_nos.append(number)
                reasons.append(reason if number > 0 else None)
        insert_rows(conn, print_job_labels, {"job_id": job_id, "state": "pending", "sends": 0},
                    {"position": (Integer(), positions), "identifier_id": (BigInteger(), ids),
                     "copy": (Integer(), copy_numbers), "reprint": (Boolean(), flags),
                     "scheme_version": (Integer(), scheme_versions),
                     "reprint_no": (Integer(), reprint_nos), "reason": (String(), reasons)})
    return job_answer(load_job(conn, job_id))


def print_identifiers(db: Database, values: Sequence[str], request: PrintRequest,
                      actor: Actor, *, limits: Limits = Limits()) -> JobOut:
    """Print (or print again) identifiers already in the registry, each once per copy."""
    check_job_size(len(values), request.copies, limits.max_labels)
    first: dict[str, int] = {}
    twice = {}
    for j, v in enumerate(values):
        if v in first:
            twice[f"identifiers[{j}]"] = f"{v} is listed already (identifiers[{first[v]}])"
        first.setdefault(v, j)
    if twice:
        raise ValidationFailed(f"{len(twice)} identifier(s) are listed twice; ask for copies "
                               f"instead", dict(list(twice.items())[:20]))
    with db.transaction() as conn:
        found = ids_for_values(conn, values)
        missing = {f"identifiers[{j}]": f"no identifier {v} in the registry"
                   for j, v in enumerate(values) if v not in found}
        if missing:
            raise ValidationFailed(f"{len(missing)} identifier(s) are not in the registry",
                                   dict(list(missing.items())[:20]))
        return create_job(conn, [found[v] for v in values], request, actor, limits=limits)


def read_job(db: Database, job_id: int) -> JobOut:
    """Read one job with its progress."""
    with db.transaction(write=False) as conn:
        row = load_job(conn, job_id)
    return job_answer(row)


def list_jobs(db: Database, *, printer: str | None, status: str | None, limit: int,
              cursor: str | None) -> JobListOut:
    """List jobs, newest first, optionally of one printer and in one status."""
    after = cursor_position(cursor)
    query = _job_select().order_by(print_jobs.c.id.desc())
    if printer:
        query = query.where(printers.c.name == printer)
    if status:
        query = query.where(print_jobs.c.status == status)
    if after is not None:
        query = query.where(print_jobs.c.id < after)
    with db.transaction(write=False) as conn:
        rows = conn.execute(query.limit(limit + 1)).all()
    more = len(rows) > limit
    return JobListOut(items=[job_answer(r) for r in rows[:limit]],
                      next_cursor=encode_cursor(rows[limit - 1].id) if more else None)


def job_labels(db: Database, job_id: int, *, limit: int, cursor: str | None) -> JobLabelsOut:
    """Page through a job's labels in print order with their state."""
    after = cursor_position(cursor)
    query = (select(print_job_labels, identifiers.c.value, print_jobs.c.template_version)
             .join(identifiers, identifiers.c.id == print_job_labels.c.identifier_id)
             .join(print_jobs, print_jobs.c.id == print_job_labels.c.job_id)
             .where(print_job_labels.c.job_id == job_id).order_by(print_job_labels.c.position))
    if after is not None:
        query = query.where(print_job_labels.c.position > after)
    with db.transaction(write=False) as conn:
        load_job(conn, job_id)
        rows = conn.execute(query.limit(limit + 1)).all()
    more = len(rows) > limit
    items = [JobLabelOut(value=r.value, copy=r.copy, state=r.state, sends=r.sends,
                         template_version=r.template_version, scheme_version=r.scheme_version,
                         reprint=r.reprint_no, reason=r.reason)
             for r in rows[:limit]]
    return JobLabelsOut(items=items,
                        next_cursor=encode_cursor(rows[limit - 1].position) if more else None)


def cancel_job(db: Database, job_id: int, actor: Actor) -> tuple[JobOut, int]:
    """Cancel a job: at once when waiting (200), before its next label when printing (202)."""
    with db.transaction() as conn:
        at_once = job_states.cancel(conn, load_job(conn, job_id, lock=True), actor.name)
        row = load_job(conn, job_id)
    return job_answer(row), 200 if at_once else 202


def reprint_job(db: Database, job_id: int, actor: Actor, *, reason: str | None,
                printer: str | None, template: str | None, copies: int | None,
                limits: Limits = Limits()) -> JobOut:
    """Print a job's identifiers again as a new job; those printed before are reprints and
    need the reason (a job cancelled before it printed moves to another printer without)."""
    with db.transaction() as conn:
        old = load_job(conn, job_id)
        labels = print_job_labels.c
        ids = list(conn.execute(
            select(labels.identifier_id).where(labels.job_id == job_id)
            .where(labels.copy == 1).order_by(labels.position)).scalars())
        request = PrintRequest(printer or old.printer_name, template or old.template,
                               copies or old.copies, reason)
        return create_job(conn, ids, request, actor, limits=limits, reprint_of=job_id)


def remove_printer(db: Database, name: str, actor: Actor) -> None:
    """Remove a printer: waiting jobs fail at once, a printing one before its next label."""
    with db.transaction() as conn:
        printer = require_printer(conn, name)
        unfinished = job_states.lock_unfinished(conn, printer.id)
        removed_at = dt.datetime.now(dt.UTC)
        conn.execute(update(printers).where(printers.c.id == printer.id)
                     .values(deleted_at=removed_at))
        job_states.printer_removed(conn, unfinished,
                                   f"printer {name} was removed by {actor.name}")
        audit.record(conn, actor, "printer.delete", Target("printer", name, printer.id),
                     audited_printer(printer_answer(printer)),
                     {"deleted_at": iso(removed_at), "unfinished_jobs": len(unfinished)})
