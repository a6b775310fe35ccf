"""Prometheus metrics: request latency in process memory, the registry's state at scrape time.

Request latency is counted in each gunicorn worker. Under `labelsvc serve` the workers write
it to files in a directory of that serve process only (`<DATA_DIR>/metrics/serve-<pid>-*`),
and a scrape adds them up. Everything about the registry (identifiers issued, counter
headroom, print jobs, printer faults) is read from the database when scraped, so each service
process answers the same, exact figures.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from prometheus_client import CollectorRegistry, Histogram, disable_created_metrics, values
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import Connection, func, select

from labelsvc.registry.database import Database
from labelsvc.registry.models import counters, identifiers, print_jobs, printers, scheme_versions
from labelsvc.registry.models import schemes as schemes_table
from labelsvc.registry.queries import utc

log = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_LATEST
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
JOB_STATES = ("queued", "printing", "held", "failed")
WAITING_STATES = ("queued", "printing", "held")
PRINTER_FAULTS = ("unreachable", "printer-error", "paper-out", "head-open", "ribbon-out",
                  "paused")

disable_created_metrics()  # type: ignore[no-untyped-call]  # `_created` says nothing here

_directory: Path | None = None
_directory_lock: IO[str] | None = None
_directory_owner = 0


def _lock(path: Path) -> IO[str] | None:
    """Take the lock file of a metrics directory without waiting; None when held elsewhere."""
    handle = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def claim_directory(data_dir: str | Path) -> Path:
    """Give this serve process (and the workers it forks) a metrics directory of its own.

    Directories of serve processes that have stopped (their lock is free) are removed.
    Call before gunicorn forks its workers.
    """
    global _directory, _directory_lock, _directory_owner
    root = Path(data_dir) / "metrics"
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob("serve-*"):
        held = _lock(old / "lock") if old.is_dir() else None
        if held is not None:
            shutil.rmtree(old, ignore_errors=True)
            held.close()
    path = Path(tempfile.mkdtemp(prefix=f"serve-{os.getpid()}-", dir=root))
    _directory_lock = _lock(path / "lock")
    _directory, _directory_owner = path, os.getpid()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]
    return path


def release_directory() -> None:
    """Remove this serve process's metrics directory when it stops (not when a worker does)."""
    global _directory, _directory_lock
    if os.getpid() != _directory_owner:
        return
    if _directory is not None:
        shutil.rmtree(_directory, ignore_errors=True)
    if _directory_lock is not None:
        _directory_lock.close()
    _directory = _directory_lock = None


@functools.cache
def request_seconds() -> Histogram:
    """HTTP request latency by endpoint, method and status (one per process, made lazily)."""
    return Histogram("labelsvc_http_request_duration_seconds",
                     "Time to answer an HTTP request, by endpoint (URL rule), method and status",
                     ["endpoint", "method", "status"], buckets=LATENCY_BUCKETS, registry=None)


def observe_request(endpoint: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request."""
    request_seconds().labels(endpoint, method, str(status)).observe(seconds)


def build_registry(db: Database, max_counters: int) -> CollectorRegistry:
    """The collectors of one application: request latency and the registry's state."""
    registry = CollectorRegistry(auto_describe=False)
    if _directory is not None:
        MultiProcessCollector(registry, path=str(_directory))  # type: ignore[no-untyped-call]
    else:
        registry.register(request_seconds())
    registry.register(RegistryCollector(db, max_counters))
    return registry


def exposition(registry: CollectorRegistry) -> bytes:
    """The Prometheus text format of every metric in a registry."""
    return generate_latest(registry)


class RegistryCollector:
    """Reads identifiers, counters, print jobs and printers from the database per scrape."""

    def __init__(self, db: Database, max_counters: int) -> None:
        self.db = db
        self.max_counters = max(0, max_counters)

    def describe(self) -> list[Metric]:
        """Nothing up front: the metrics are read when scraped."""
        return []

    def collect(self) -> Iterator[Metric]:
        """Answer the registry's metrics; `labelsvc_registry_up 0` when it does not answer."""
        up = GaugeMetricFamily("labelsvc_registry_up",
                               "1 when the registry database answered this scrape")
        try:
            with self.db.transaction(write=False) as conn:
                found = [*issued(conn), *headroom(conn, self.max_counters), *jobs(conn),
                         *printer_faults(conn)]
        except Exception as exc:  # a scrape must answer even when the database does not
            log.warning("metrics: the registry database does not answer: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from found


def issued(conn: Connection) -> list[Metric]:
    """Identifiers issued per scheme: one indexed count grouped by scheme."""
    family = CounterMetricFamily("labelsvc_identifiers_issued",
                                 "Identifiers issued, by scheme and kind (serial, lot)",
                                 labels=["scheme", "kind"])
    per_scheme = (select(identifiers.c.scheme_id, func.count().label("n"))
                  .group_by(identifiers.c.scheme_id).subquery())
    rows = conn.execute(select(schemes_table.c.name, schemes_table.c.kind, per_scheme.c.n)
                        .outerjoin(per_scheme, per_scheme.c.scheme_id == schemes_table.c.id)
                        .order_by(schemes_table.c.name))
    for row in rows:
        family.add_metric([row.name, row.kind], float(row.n or 0))
    return [family]


def headroom(conn: Connection, limit: int) -> list[Metric]:
    """Values left in the `limit` counters with the least headroom, and counters per scheme."""
    from labelsvc.services.schemes import compile_scheme

    ratio = GaugeMetricFamily(
        "labelsvc_counter_headroom_ratio",
        f"Share of a counter's values still free (the {limit} counters with the least)",
        labels=["scheme", "counter"])
    remaining = GaugeMetricFamily(
        "labelsvc_counter_remaining",
        f"Values still free in a counter (the {limit} counters with the least headroom)",
        labels=["scheme", "counter"])
    count = GaugeMetricFamily("labelsvc_counters", "Counters (sequences) of a scheme",
                              labels=["scheme"])
    current = {row.id: (row.name, compile_scheme(row.definition)) for row in conn.execute(
        select(schemes_table.c.id, schemes_table.c.name, scheme_versions.c.definition)
        .join(scheme_versions, (scheme_versions.c.scheme_id == schemes_table.c.id)
              & (scheme_versions.c.version == schemes_table.c.current_version)))}
    for scheme_id, n in conn.execute(select(counters.c.scheme_id, func.count())
                                     .group_by(counters.c.scheme_id)):
        if scheme_id in current:
            count.add_metric([current[scheme_id][0]], float(n))
    # Within a scheme every counter has the same range, so the fullest have the highest `next`.
    rank = func.row_number().over(partition_by=counters.c.scheme_id,
                                  order_by=counters.c.next.desc()).label("rank")
    ranked = select(counters.c.scheme_id, counters.c.key, counters.c.next, rank).subquery()
    candidates = []
    for row in conn.execute(select(ranked).where(ranked.c.rank <= limit)):
        if row.scheme_id not in current:
            continue
        name, scheme = current[row.scheme_id]
        capacity = int(scheme.capacity)
        left = max(0, scheme.start + capacity - max(int(row.next), scheme.start))
        candidates.append((left / capacity if capacity else 0.0, name, row.key, left))
    for share, name, key, left in sorted(candidates)[:limit]:
        ratio.add_metric([name, key], share)
        remaining.add_metric([name, key], float(left))
    return [ratio, remaining, count]


def jobs(conn: Connection) -> list[Metric]:
    """Print jobs waiting, printing, held or failed, and how long the oldest has waited."""
    states = GaugeMetricFamily("labelsvc_print_jobs", "Print jobs by status (unfinished, failed)",
                               labels=["status"])
    oldest = GaugeMetricFamily("labelsvc_print_job_oldest_seconds",
                               "Age of the oldest unfinished print job in a status",
                               labels=["status"])
    found = {row.status: row for row in conn.execute(
        select(print_jobs.c.status, func.count().label("n"),
               func.min(print_jobs.c.created_at).label("first"))
        .where(print_jobs.c.status.in_(JOB_STATES)).group_by(print_jobs.c.status))}
    now = dt.datetime.now(dt.UTC)
    for status in JOB_STATES:
        row = found.get(status)
        states.add_metric([status], float(row.n if row else 0))
        if status in WAITING_STATES:
            first = utc(row.first) if row else None
            oldest.add_metric([status], (now - first).total_seconds() if first else 0.0)
    return [states, oldest]


def printer_faults(conn: Connection) -> list[Metric]:
    """Each printer's last known fault (1) among all faults (0), and the age of that status."""
    fault = GaugeMetricFamily("labelsvc_printer_fault",
                              "1 when a printer's last status reported this fault",
                              labels=["printer", "fault"])
    age = GaugeMetricFamily("labelsvc_printer_status_age_seconds",
                            "Seconds since a worker last read the printer's status",
                            labels=["printer"])
    now = dt.datetime.now(dt.UTC)
    for row in conn.execute(select(printers.c.name, printers.c.status_reason,
                                   printers.c.checked_at)
                            .where(printers.c.deleted_at.is_(None)).order_by(printers.c.name)):
        known = PRINTER_FAULTS if row.status_reason in (None, *PRINTER_FAULTS) else (
            *PRINTER_FAULTS, row.status_reason)
        for name in known:
            fault.add_metric([row.name, name], 1.0 if name == row.status_reason else 0.0)
        checked = utc(row.checked_at)
        if checked is not None:
            age.add_metric([row.name], (now - checked).total_seconds())
    return [fault, age]
