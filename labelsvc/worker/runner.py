"""The print worker: finds printers with work, takes their leases, drives each in a thread."""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import socket
import threading
import time
import uuid
from typing import Any

from sqlalchemy import exists, or_, select

from labelsvc.registry.database import Database
from labelsvc.registry.models import print_jobs, printers
from labelsvc.services import idempotency, job_states
from labelsvc.services.job_states import ACTIVE
from labelsvc.services.printers import address_policy
from labelsvc.worker import lease
from labelsvc.worker.delivery import PrinterRun, WorkerSettings
from printers import DRIVERS

log = logging.getLogger(__name__)


def settings_from_config(config: dict[str, Any]) -> WorkerSettings:
    """Worker timings from the service configuration."""
    return WorkerSettings(
        poll_seconds=float(config["PRINT_POLL_SECONDS"]),
        lease_seconds=float(config["PRINT_LEASE_SECONDS"]),
        retry_first_seconds=float(config["PRINT_RETRY_FIRST_SECONDS"]),
        retry_max_seconds=float(config["PRINT_RETRY_MAX_SECONDS"]),
        confirm_every=int(config["PRINT_CONFIRM_EVERY"]),
        confirm_timeout=float(config["PRINT_CONFIRM_TIMEOUT"]),
        confirm_seconds=float(config["PRINT_CONFIRM_SECONDS"]),
        probe_seconds=float(config["PRINTER_PROBE_SECONDS"]),
        threads=int(config["PRINT_THREADS"]),
        idempotency_hours=int(config["IDEMPOTENCY_HOURS"]),
        addresses=address_policy(config))


class _Held:
    """A printer lease this worker holds and the thread driving the printer."""

    def __init__(self, run: PrinterRun, epoch: int, thread: threading.Thread) -> None:
        self.run, self.epoch, self.thread = run, epoch, thread


class PrintWorker:
    """Delivers print jobs for any printer whose lease it can take; renews what it holds."""

    def __init__(self, db: Database, settings: WorkerSettings, name: str | None = None) -> None:
        self.db = db
        self.settings = settings
        self.owner = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stopping = threading.Event()
        self._held: dict[int, _Held] = {}
        self._thread: threading.Thread | None = None

    def start(self) -> PrintWorker:
        """Run in a background thread (the in-process worker of `labelsvc serve`)."""
        self._thread = threading.Thread(target=self.run, name="print-worker", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop before the next label of each printer, give the leases back."""
        self.stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> None:
        """Look for work, renew leases and reap finished printers until stopped."""
        log.info("print worker %s started", self.owner)
        renew_every = self.settings.lease_seconds / 3
        renewed = 0.0
        swept = -math.inf
        while not self.stopping.is_set():
            try:
                self._reap()
                now = time.monotonic()
                if now - renewed >= renew_every:
                    self._renew()
                    renewed = now
                self._fail_without_driver()
                self._claim()
                if now - swept >= self.settings.housekeeping_seconds:
                    swept = now
                    self._housekeeping()
            except Exception:  # the database may be away for a while; keep trying
                log.exception("print worker %s: cannot reach the registry; retrying", self.owner)
            self.stopping.wait(self.settings.poll_seconds)
        for held in list(self._held.values()):
            held.thread.join(15)
        self._reap()
        log.info("print worker %s stopped", self.owner)

    def _housekeeping(self) -> None:
        """Drop Idempotency-Key answers kept longer than promised (LABELSVC_IDEMPOTENCY_HOURS)."""
        gone = idempotency.purge_expired(self.db, hours=self.settings.idempotency_hours)
        if gone:
            log.info("print worker %s: dropped %d Idempotency-Key answers older than %d h",
                     self.owner, gone, self.settings.idempotency_hours)

    def _fail_without_driver(self) -> None:
        """End, with their reason, the waiting jobs of printers whose driver is not here."""
        for job_id, printer in job_states.fail_without_driver(self.db, list(DRIVERS)):
            log.error("print worker %s: print job %d failed: printer %s uses a driver that is "
                      "not installed", self.owner, job_id, printer)

    def _candidates(self) -> list[int]:
        """Printers with unfinished jobs or a stale status whose lease is free, and whose
        driver this process has (another worker may drive the others)."""
        now = dt.datetime.now(dt.UTC)
        stale = now - dt.timedelta(seconds=self.settings.probe_seconds)
        has_work = exists().where(print_jobs.c.printer_id == printers.c.id).where(
            print_jobs.c.status.in_(ACTIVE))
        query = (select(printers.c.id).where(printers.c.deleted_at.is_(None))
                 .where(printers.c.driver.in_(list(DRIVERS)))
                 .where(or_(printers.c.lease_owner.is_(None), printers.c.lease_expires_at < now))
                 .where(or_(has_work, printers.c.checked_at.is_(None),
                            printers.c.checked_at < stale))
                 .order_by(printers.c.id))
        with self.db.transaction(write=False) as conn:
            return [int(i) for i in conn.execute(query).scalars()]

    def _claim(self) -> None:
        """Take the leases of printers with work, up to the thread limit."""
        for printer_id in self._candidates():
            if len(self._held) >= self.settings.threads or self.stopping.is_set():
                return
            if printer_id in self._held:
                continue
            epoch = lease.acquire(self.db, printer_id, self.owner, self.settings.lease_seconds)
            if epoch is None:
                continue
            run = PrinterRun(self.db, printer_id, self.settings, self.stopping)
            thread = threading.Thread(target=self._drive, args=(run,),
                                      name=f"printer-{printer_id}", daemon=True)
            self._held[printer_id] = _Held(run, epoch, thread)
            thread.start()

    def _drive(self, run: PrinterRun) -> None:
        """Run one printer, logging what breaks it."""
        try:
            run.run()
        except Exception:
            log.exception("print worker %s: printer %s stopped on an error; retrying later",
                          self.owner, run.printer_id)

    def _renew(self) -> None:
        """Extend every lease held; a lost one stops its printer before the next label."""
        for printer_id, held in list(self._held.items()):
            if not lease.renew(self.db, printer_id, self.owner, held.epoch,
                               self.settings.lease_seconds):
                log.error("print worker %s lost the lease of printer %s; stopping it",
                          self.owner, printer_id)
                held.run.lost.set()

    def _reap(self) -> None:
        """Give back the leases of printers whose thread has finished."""
        for printer_id, held in list(self._held.items()):
            if held.thread.is_alive():
                continue
            del self._held[printer_id]
            try:
                lease.release(self.db, printer_id, self.owner, held.epoch)
            except Exception:
                log.exception("print worker %s: cannot release printer %s (lease expires)",
                              self.owner, printer_id)
