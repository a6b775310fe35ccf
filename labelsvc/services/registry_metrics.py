"""The registry's state as Prometheus metrics, read from the database at each scrape.

The wiring hands `read_metrics` to `labelsvc.observability.metrics.build_registry`.
"""

from __future__ import annotations

import datetime as dt

from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy import Connection, func, select

from labelsvc.registry.database import Database
from labelsvc.registry.models import counters, identifiers, print_jobs, printers, scheme_versions
from labelsvc.registry.models import schemes as schemes_table
from labelsvc.registry.queries import utc
from labelsvc.services.schemes import compile_scheme

JOB_STATES = ("queued", "printing", "held", "failed")
WAITING_STATES = ("queued", "printing", "held")
PRINTER_FAULTS = ("unreachable", "printer-error", "paper-out", "head-open", "ribbon-out",
                  "paused")


def read_metrics(db: Database, max_counters: int, *, counter_keys: bool = False
                 ) -> list[Metric]:
    """Identifiers issued, the `max_counters` fullest counters, print jobs and printer faults.

    A counter's key is made of the values lines typed (model, site, date): it is shown only
    with `counter_keys` (a /metrics that needs a token); otherwise the counter is named by its
    row id (`counter-17`).
    """
    with db.transaction(write=False) as conn:
        return [*issued(conn), *headroom(conn, max(0, max_counters), counter_keys), *jobs(conn),
                *printer_faults(conn)]


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


def headroom(conn: Connection, limit: int, counter_keys: bool = False) -> list[Metric]:
    """Values left in the `limit` counters with the least headroom, and counters per scheme."""
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
    ranked = select(counters.c.id, counters.c.scheme_id, counters.c.key, counters.c.next,
                    rank).subquery()
    candidates = []
    for row in conn.execute(select(ranked).where(ranked.c.rank <= limit)):
        if row.scheme_id not in current:
            continue
        name, scheme = current[row.scheme_id]
        capacity = int(scheme.capacity)
        left = max(0, scheme.start + capacity - max(int(row.next), scheme.start))
        shown = row.key if counter_keys else f"counter-{row.id}"
        candidates.append((left / capacity if capacity else 0.0, name, shown, left))
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
