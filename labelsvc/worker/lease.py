"""Printer leases in the database: one worker drives a printer at a time.

A lease is the printer row's `lease_owner` and `lease_expires_at`, taken by one atomic
UPDATE that succeeds only when the lease is free or expired, and renewed while held.
Each lease taken bumps `lease_epoch` and is logged in `printer_leases` for audit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, or_, update

from labelsvc.registry.database import Database
from labelsvc.registry.models import printer_leases, printers


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def acquire(db: Database, printer_id: int, owner: str, seconds: float) -> int | None:
    """Take the printer's lease if nobody holds it; return the lease epoch, or None."""
    with db.transaction() as conn:
        now = _now()
        epoch = conn.execute(
            update(printers).where(printers.c.id == printer_id)
            .where(printers.c.deleted_at.is_(None))
            .where(or_(printers.c.lease_owner.is_(None), printers.c.lease_expires_at < now))
            .values(lease_owner=owner, lease_expires_at=now + dt.timedelta(seconds=seconds),
                    lease_epoch=printers.c.lease_epoch + 1)
            .returning(printers.c.lease_epoch)).scalar()
        if epoch is None:
            return None
        # Stamped once the UPDATE holds the row: never before the previous holder's release.
        conn.execute(insert(printer_leases).values(printer_id=printer_id, epoch=epoch,
                                                   owner=owner, acquired_at=_now()))
    return int(epoch)


def renew(db: Database, printer_id: int, owner: str, epoch: int, seconds: float) -> bool:
    """Extend a lease still held; False when it was lost (expired and taken)."""
    with db.transaction() as conn:
        done = conn.execute(
            update(printers).where(printers.c.id == printer_id)
            .where(printers.c.lease_owner == owner).where(printers.c.lease_epoch == epoch)
            .values(lease_expires_at=_now() + dt.timedelta(seconds=seconds)))
    return done.rowcount == 1


def release(db: Database, printer_id: int, owner: str, epoch: int) -> None:
    """Give a lease back and log when."""
    with db.transaction() as conn:
        conn.execute(update(printers).where(printers.c.id == printer_id)
                     .where(printers.c.lease_owner == owner)
                     .where(printers.c.lease_epoch == epoch)
                     .values(lease_owner=None, lease_expires_at=None))
        # Stamped while the row is held: before any later acquire can stamp its own time.
        conn.execute(update(printer_leases).where(printer_leases.c.printer_id == printer_id)
                     .where(printer_leases.c.epoch == epoch).values(released_at=_now()))
