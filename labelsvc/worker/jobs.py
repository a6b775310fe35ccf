"""The database side of delivering one job: claim, mark sent, confirm, hold, finish."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Connection, Row, select, update

from labelsvc.registry.database import Database
from labelsvc.registry.models import events, print_job_labels, print_jobs, printers
from labelsvc.registry.queries import insert_rows
from labelsvc.services.printing import ACTIVE, settle_labels

labels_c = print_job_labels.c
jobs_c = print_jobs.c


def _job_for_change(conn: Connection, job_id: int, *columns: Any) -> Row[Any]:
    """Read a job's columns to change it: the row stays locked until the change commits,
    so a printer removed meanwhile (which fails its waiting jobs) is never overwritten."""
    return conn.execute(select(*columns).where(jobs_c.id == job_id).with_for_update()).one()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Label:
    """One label about to be sent: its place in the job, identifier and copy."""

    position: int
    identifier_id: int
    copy: int
    reprint: bool


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
        row = _job_for_change(conn, job_id, jobs_c.status, jobs_c.cancel_requested)
        if row.status not in ACTIVE or row.cancel_requested:
            return False
        if row.status != "printing":
            conn.execute(update(print_jobs).where(jobs_c.id == job_id).values(
                status="printing", reason=None, detail=None, next_attempt_at=None,
                started_at=_now()))
    return True


def take_chunk(db: Database, job: Row[Any], after: int, size: int) -> list[Label]:
    """Mark the next unconfirmed labels sent (before sending them), in order.

    Labels already sent once are being sent again after a broken delivery: each gets a
    `reprinted` event (reason `connection-reset`) as a possible duplicate.
    """
    with db.transaction() as conn:
        state = _job_for_change(conn, job.id, jobs_c.status, jobs_c.cancel_requested)
        if state.status != "printing" or state.cancel_requested:
            return []
        rows = conn.execute(
            select(labels_c.position, labels_c.identifier_id, labels_c.copy, labels_c.state,
                   labels_c.sends, labels_c.reprint)
            .where(labels_c.job_id == job.id).where(labels_c.position > after)
            .where(labels_c.state.in_(("pending", "sent")))
            .order_by(labels_c.position).limit(size)).all()
        if not rows:
            return []
        first, last = rows[0].position, rows[-1].position
        conn.execute(update(print_job_labels).where(labels_c.job_id == job.id)
                     .where(labels_c.position.between(first, last))
                     .where(labels_c.state.in_(("pending", "sent")))
                     .values(state="sent", sends=labels_c.sends + 1))
        again = [r for r in rows if r.sends > 0]
        now = _now()
        for sends in sorted({r.sends + 1 for r in again}):
            ids = [r.identifier_id for r in again if r.sends + 1 == sends]
            insert_rows(conn, events, {"type": "reprinted", "actor": job.created_by, "at": now,
                                       "data": {"reason": "connection-reset", "job": job.id,
                                                "sends": sends}},
                        {"identifier_id": (BigInteger(), ids)})
    return [Label(r.position, r.identifier_id, r.copy, bool(r.reprint)) for r in rows]


def unsend(db: Database, job_id: int, labels: list[Label]) -> None:
    """Take back the mark of labels marked sent that the broken delivery never reached."""
    first_time = [label.position for label in labels]
    if not first_time:
        return
    with db.transaction() as conn:
        conn.execute(update(print_job_labels).where(labels_c.job_id == job_id)
                     .where(labels_c.position.in_(first_time)).where(labels_c.sends == 1)
                     .where(labels_c.state == "sent").values(state="pending", sends=0))


def confirm(db: Database, job: Row[Any], printer_name: str, labels: list[Label],
            status: dict[str, Any]) -> int:
    """Record labels proved printed: state, the job's count, and their events."""
    if not labels:
        return 0
    now = _now()
    with db.transaction() as conn:
        positions = [label.position for label in labels]
        done = conn.execute(update(print_job_labels).where(labels_c.job_id == job.id)
                            .where(labels_c.position.between(positions[0], positions[-1]))
                            .where(labels_c.state == "sent").values(state="printed")).rowcount
        conn.execute(update(print_jobs).where(jobs_c.id == job.id)
                     .values(printed=jobs_c.printed + done, attempts=0))
        _print_events(conn, job, printer_name, labels, now)
        conn.execute(update(printers).where(printers.c.id == job.printer_id).values(
            status=status, status_reason=status.get("fault"), checked_at=now))
    return int(done)


def _print_events(conn: Connection, job: Row[Any], printer_name: str, labels: list[Label],
                  now: dt.datetime) -> None:
    """Write `printed` events, or `reprinted` (reason `reprint`) for labels printed before."""
    for reprint in (False, True):
        for copy in sorted({label.copy for label in labels if label.reprint == reprint}):
            ids = [label.identifier_id for label in labels
                   if label.reprint == reprint and label.copy == copy]
            data: dict[str, Any] = {"job": job.id, "printer": printer_name, "copy": copy}
            if reprint:
                data = {"reason": "reprint", **data}
            insert_rows(conn, events, {"type": "reprinted" if reprint else "printed",
                                       "actor": job.created_by, "at": now, "data": data},
                        {"identifier_id": (BigInteger(), ids)})


def hold(db: Database, job_id: int, reason: str, detail: str,
         backoff: Callable[[int], float]) -> int:
    """Hold a job on a printer fault until its next attempt; return the failures so far."""
    with db.transaction() as conn:
        row = _job_for_change(conn, job_id, jobs_c.status, jobs_c.attempts)
        if row.status not in ACTIVE:
            return int(row.attempts)
        attempts = int(row.attempts) + 1
        conn.execute(update(print_jobs).where(jobs_c.id == job_id).values(
            status="held", reason=reason, detail=detail, attempts=attempts,
            next_attempt_at=_now() + dt.timedelta(seconds=backoff(attempts))))
    return attempts


def finish(db: Database, job_id: int, status: str, reason: str | None = None,
           detail: str | None = None) -> None:
    """End a job as done, cancelled or failed; stopped jobs settle their labels."""
    with db.transaction() as conn:
        current = _job_for_change(conn, job_id, jobs_c.status).status
        if current not in ACTIVE:
            return
        if status != "done":
            settle_labels(conn, job_id)
        conn.execute(update(print_jobs).where(jobs_c.id == job_id).values(
            status=status, reason=reason, detail=detail, finished_at=_now(),
            next_attempt_at=None))


def store_fault(db: Database, printer_id: int, reason: str | None, status: dict[str, Any] | None
                ) -> None:
    """Keep what the last attempt learnt about the printer."""
    with db.transaction() as conn:
        conn.execute(update(printers).where(printers.c.id == printer_id).values(
            status=status, status_reason=reason, checked_at=_now()))
