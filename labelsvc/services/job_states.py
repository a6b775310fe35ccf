"""A print job's lifecycle: its states, the moves between them, and every write of them.

A job and its labels change only here, each change in the move tables below: the service
(cancel, removing a printer) and the print worker (start, send, confirm, hold, finish) call
these functions, and the status of a job or the state of a label is never updated elsewhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import BigInteger, Connection, Row, select, update

from labelsvc.errors import JobFinished
from labelsvc.registry.database import Database
from labelsvc.registry.models import events, print_job_labels, print_jobs, printers
from labelsvc.registry.queries import insert_rows
from labelsvc.services.holds import first_held
from labelsvc.services.print_evidence import Label, Rendered, record_sends
from labelsvc.services.printers import store_status
from labelsvc.services.reprints import CONNECTION_RESET

WAITING = ("queued", "held")
ACTIVE = (*WAITING, "printing")
FINISHED = ("done", "cancelled", "failed")

# What a job's status may become; a finished job never changes. Held again counts each failure.
JOB_MOVES: Mapping[str, frozenset[str]] = {
    "queued": frozenset({"printing", "held", *FINISHED}),
    "held": frozenset({"printing", "held", *FINISHED}),
    "printing": frozenset({"held", *FINISHED}),
}
# What a label's state may become: sent (again, after a broken delivery), back to pending
# when that delivery never reached it, printed once confirmed; a stopped job's sent labels
# end unknown and its unsent ones cancelled.
LABEL_MOVES: Mapping[str, frozenset[str]] = {
    "pending": frozenset({"sent", "cancelled"}),
    "sent": frozenset({"sent", "pending", "printed", "unknown"}),
}

jobs_c = print_jobs.c
labels_c = print_job_labels.c


def may_become(status: str, new: str) -> bool:
    """Say whether a job in `status` may move to `new`."""
    return new in JOB_MOVES.get(status, frozenset())


def _from(moves: Mapping[str, frozenset[str]], new: str) -> list[str]:
    """The states that may move to `new`."""
    return sorted(old for old, targets in moves.items() if new in targets)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _move_jobs(conn: Connection, job_ids: Sequence[int], status: str, **values: Any) -> None:
    """Move jobs to `status`, those whose present status allows it."""
    conn.execute(update(print_jobs).where(jobs_c.id.in_(job_ids))
                 .where(jobs_c.status.in_(_from(JOB_MOVES, status)))
                 .values(status=status, **values))


def _move_labels(conn: Connection, job_id: int, state: str, *where: Any, **values: Any) -> int:
    """Move a job's labels (those matching `where`) to `state`, those whose state allows it."""
    return int(conn.execute(
        update(print_job_labels).where(labels_c.job_id == job_id, *where)
        .where(labels_c.state.in_(_from(LABEL_MOVES, state))).values(state=state, **values)
    ).rowcount)


def lock_job(conn: Connection, job_id: int, *columns: Any) -> Row[Any]:
    """Read a job's columns to change it: the row stays locked until the change commits,
    so a printer removed meanwhile (which fails its waiting jobs) is never overwritten."""
    return conn.execute(select(*columns).where(jobs_c.id == job_id).with_for_update()).one()


def _end(conn: Connection, job_ids: Sequence[int], status: str, reason: str | None,
         detail: str | None, **values: Any) -> None:
    """Finish jobs as done, cancelled or failed; stopped jobs settle their labels."""
    if status != "done":
        for job_id in job_ids:
            _move_labels(conn, job_id, "unknown")
            _move_labels(conn, job_id, "cancelled")
    _move_jobs(conn, job_ids, status, reason=reason, detail=detail, finished_at=_now(),
               next_attempt_at=None, **values)


def _ask_to_stop(conn: Connection, job_ids: Sequence[int]) -> None:
    """Ask the worker printing these jobs to stop before their next label."""
    conn.execute(update(print_jobs).where(jobs_c.id.in_(job_ids)).values(cancel_requested=True))


# The service's changes, inside the caller's transaction.

def cancel(conn: Connection, job: Row[Any], by: str) -> bool:
    """Cancel a locked job: True when it ended at once (it was waiting), False when the
    worker printing it is asked to stop before its next label."""
    if job.status in FINISHED:
        raise JobFinished(f"print job {job.id} is {job.status} already; nothing to cancel",
                          job=job.id, job_status=job.status)
    if job.status in WAITING:
        _end(conn, [job.id], "cancelled", None, f"cancelled by {by}", cancel_requested=True)
        return True
    _ask_to_stop(conn, [job.id])
    return False


def lock_unfinished(conn: Connection, printer_id: int) -> list[tuple[int, str]]:
    """Lock a printer's unfinished jobs (id, status) in the order a print worker takes them:
    the caller locks them before the printer row, so the two never wait for each other."""
    rows = conn.execute(
        select(jobs_c.id, jobs_c.status).where(jobs_c.printer_id == printer_id)
        .where(jobs_c.status.in_(ACTIVE)).order_by(jobs_c.id).with_for_update())
    return [(int(job_id), str(status)) for job_id, status in rows]


def printer_removed(conn: Connection, unfinished: Sequence[tuple[int, str]], detail: str) -> None:
    """Fail a removed printer's waiting jobs at once; stop its printing one before its next
    label (the worker then fails it)."""
    waiting = [job_id for job_id, status in unfinished if status in WAITING]
    if waiting:
        _end(conn, waiting, "failed", "printer-deleted", detail)
    printing = [job_id for job_id, status in unfinished if status == "printing"]
    if printing:
        _ask_to_stop(conn, printing)


# The print worker's changes, each in a transaction of its own.

def fail_without_driver(db: Database, installed: Sequence[str]) -> list[tuple[int, str]]:
    """Fail the waiting jobs of printers whose driver is not among `installed` (a plugin
    missing here), with reason `driver-missing`; return (job id, printer name) of each.

    Nothing could print them: rather than wait with no reason shown, they end, and can be
    reprinted once the plugin is installed or sent to another printer.
    """
    query = (select(jobs_c.id, printers.c.name, printers.c.driver)
             .join(printers, printers.c.id == jobs_c.printer_id)
             .where(printers.c.deleted_at.is_(None))
             .where(printers.c.driver.not_in(list(installed)))
             .where(jobs_c.status.in_(WAITING)).order_by(jobs_c.id))
    with db.transaction(write=False) as conn:  # a look that writes nothing, every poll
        if conn.execute(query.limit(1)).first() is None:
            return []
    with db.transaction() as conn:
        rows = conn.execute(query.with_for_update(of=print_jobs)).all()
        for job_id, name, driver in rows:
            _end(conn, [job_id], "failed", "driver-missing",
                 f"printer {name} uses driver {driver}, which is not installed; install it on "
                 f"every print worker, then reprint this job")
    return [(int(job_id), str(name)) for job_id, name, _ in rows]


def head_job(db: Database, printer_id: int) -> Row[Any] | None:
    """The printer's oldest unfinished job: the only one it may work on."""
    with db.transaction(write=False) as conn:
        return conn.execute(
            select(print_jobs).where(jobs_c.printer_id == printer_id)
            .where(jobs_c.status.in_(ACTIVE)).order_by(jobs_c.id).limit(1)).first()


def job_row(db: Database, job_id: int) -> Row[Any]:
    """Read a job row."""
    with db.transaction(write=False) as conn:
        return conn.execute(select(print_jobs).where(jobs_c.id == job_id)).one()


def start_printing(db: Database, job_id: int) -> bool:
    """Move a queued or held job to printing; False when it was cancelled meanwhile."""
    with db.transaction() as conn:
        row = lock_job(conn, job_id, jobs_c.status, jobs_c.cancel_requested)
        if row.status not in ACTIVE or row.cancel_requested:
            return False
        if may_become(row.status, "printing"):
            _move_jobs(conn, [job_id], "printing", reason=None, detail=None,
                       next_attempt_at=None, started_at=_now())
    return True


def _to_send(conn: Connection, job_id: int, after: int, size: int) -> list[Row[Any]]:
    """The next `size` labels of a job still to be sent (or sent again), in order."""
    rows: list[Row[Any]] = [*conn.execute(
        select(labels_c.position, labels_c.identifier_id, labels_c.copy, labels_c.state,
               labels_c.sends, labels_c.reprint, labels_c.scheme_version,
               labels_c.reprint_no, labels_c.reason)
        .where(labels_c.job_id == job_id).where(labels_c.position > after)
        .where(labels_c.state.in_(_from(LABEL_MOVES, "sent")))
        .order_by(labels_c.position).limit(size))]
    return rows


def _up_to_held(conn: Connection, rows: list[Row[Any]]) -> list[Row[Any]]:
    """The labels before the first one whose identifier is on hold; OnHold when that is the
    first of them (the job is then held, and nothing of it sent, until the hold is released)."""
    held = first_held(conn, [r.identifier_id for r in rows],
                      "its label is not sent to the printer")
    if held is None:
        return rows
    if held[0] == 0:
        raise held[1]
    return rows[:held[0]]


def refuse_if_next_held(db: Database, job_id: int) -> None:
    """OnHold when the next label a job would send is of an identifier on hold."""
    with db.transaction(write=False) as conn:
        _up_to_held(conn, _to_send(conn, job_id, -1, 1))


# Renders the labels of a chunk, inside the transaction that marks them sent.
RenderChunk = Callable[[Connection, list[Label]], Rendered]


def take_chunk(db: Database, job: Row[Any], after: int, size: int,
               render: RenderChunk) -> list[tuple[Label, bytes]]:
    """Mark the next unconfirmed labels sent (before sending them), in order, rendered with
    `render`; each gets its evidence row (services.print_evidence) in the same transaction.
    The chunk ends before a label whose identifier is on hold (OnHold when it would start
    with one).

    Labels already sent once are being sent again after a broken delivery: each gets a
    `reprinted` event (reason `connection-reset`) as a possible duplicate. A label that cannot
    be rendered raises TemplateError and nothing is marked.
    """
    with db.transaction() as conn:
        state = lock_job(conn, job.id, jobs_c.status, jobs_c.cancel_requested)
        if state.status != "printing" or state.cancel_requested:
            return []
        rows = _to_send(conn, job.id, after, size)
        if not rows:
            return []
        rows = _up_to_held(conn, rows)
        labels = [Label(r.position, r.identifier_id, r.copy, bool(r.reprint), r.sends + 1,
                        r.scheme_version, r.reprint_no, r.reason) for r in rows]
        rendered = render(conn, labels)
        _move_labels(conn, job.id, "sent",
                     labels_c.position.between(rows[0].position, rows[-1].position),
                     sends=labels_c.sends + 1)
        now = _now()
        record_sends(conn, job, labels, rendered, now)
        again = [label for label in labels if label.send > 1]
        for sends in sorted({label.send for label in again}):
            ids = [label.identifier_id for label in again if label.send == sends]
            insert_rows(conn, events, {"type": "reprinted", "actor": job.created_by, "at": now,
                                       "data": {"reason": CONNECTION_RESET, "job": job.id,
                                                "sends": sends}},
                        {"identifier_id": (BigInteger(), ids)})
    return list(zip(labels, rendered.documents, strict=True))


def unsend(db: Database, job_id: int, labels: list[Label]) -> None:
    """Take back the mark of labels marked sent that the broken delivery never reached."""
    first_time = [label.position for label in labels]
    if not first_time:
        return
    with db.transaction() as conn:
        _move_labels(conn, job_id, "pending", labels_c.position.in_(first_time),
                     labels_c.sends == 1, sends=0)


def confirm(db: Database, job: Row[Any], printer_name: str, labels: list[Label],
            status: dict[str, Any]) -> int:
    """Record labels proved printed: state, the job's count, and their events."""
    if not labels:
        return 0
    now = _now()
    with db.transaction() as conn:
        positions = [label.position for label in labels]
        done = _move_labels(conn, job.id, "printed",
                            labels_c.position.between(positions[0], positions[-1]))
        conn.execute(update(print_jobs).where(jobs_c.id == job.id)
                     .values(printed=jobs_c.printed + done, attempts=0))
        _print_events(conn, job, printer_name, labels, now)
        store_status(conn, job.printer_id, status, status.get("fault"))
    return done


def _print_events(conn: Connection, job: Row[Any], printer_name: str, labels: list[Label],
                  now: dt.datetime) -> None:
    """Write `printed` events, or `reprinted` (with the reprint's reason and number) for
    labels printed before."""
    groups = sorted({(label.reprint, label.reason or "", label.reprint_no, label.copy)
                     for label in labels})
    for reprint, reason, number, copy in groups:
        ids = [label.identifier_id for label in labels
               if (label.reprint, label.reason or "", label.reprint_no, label.copy)
               == (reprint, reason, number, copy)]
        data: dict[str, Any] = {"job": job.id, "printer": printer_name, "copy": copy}
        if reprint:
            data = {"reason": reason or "reprint", **data}
            if number:
                data["reprint"] = number
        insert_rows(conn, events, {"type": "reprinted" if reprint else "printed",
                                   "actor": job.created_by, "at": now, "data": data},
                    {"identifier_id": (BigInteger(), ids)})


def hold(db: Database, job_id: int, reason: str, detail: str,
         backoff: Callable[[int], float], *, printer_id: int | None = None,
         status: dict[str, Any] | None = None) -> int:
    """Hold a job on a printer fault until its next attempt; return the failures so far.

    With `printer_id`, the printer's status (what the attempt learnt) is kept in the same
    transaction: whoever sees the job held sees the printer's fault too.
    """
    with db.transaction() as conn:
        row = lock_job(conn, job_id, jobs_c.status, jobs_c.attempts)
        if printer_id is not None:
            store_status(conn, printer_id, status, reason)
        if not may_become(row.status, "held"):
            return int(row.attempts)
        attempts = int(row.attempts) + 1
        _move_jobs(conn, [job_id], "held", reason=reason, detail=detail, attempts=attempts,
                   next_attempt_at=_now() + dt.timedelta(seconds=backoff(attempts)))
    return attempts


def finish(db: Database, job_id: int, status: str, reason: str | None = None,
           detail: str | None = None) -> None:
    """End a job as done, cancelled or failed; stopped jobs settle their labels."""
    with db.transaction() as conn:
        if may_become(lock_job(conn, job_id, jobs_c.status).status, status):
            _end(conn, [job_id], status, reason, detail)
