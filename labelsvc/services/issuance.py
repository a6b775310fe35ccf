"""Issue serials and lots: reserve counter blocks, insert in bulk, all in one transaction."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import (
    BigInteger,
    Connection,
    String,
    insert,
    update,
)

from labelsvc.errors import (
    CounterExhausted,
    IdentifierCollision,
    LabelsvcError,
    ValidationFailed,
)
from labelsvc.registry import driver
from labelsvc.registry.database import Database
from labelsvc.registry.models import counter_skips, counters, events, identifiers
from labelsvc.registry.queries import (
    RESERVE,
    RESERVE_IF_CURRENT,
    Columns,
    find_identifier,
    identifier_object,
    insert_ignoring_conflicts,
    insert_rows,
    rows_insert,
    with_issued_events,
)
from labelsvc.services import issue_statement
from labelsvc.services.schemes import CurrentScheme, current_for_issuing, load_current
from labelsvc.services.tokens import Actor
from numbering import NumberingError, Scheme

log = logging.getLogger(__name__)

# How many times a random value that collides is drawn again before giving up.
RANDOM_RETRIES = 20


@dataclass(frozen=True)
class PrintRequest:
    """Print the issued identifiers at once: printer, template and copies."""

    printer: str
    template: str
    copies: int = 1


@dataclass
class IssueRequest:
    """What a line or a receiver asks for."""

    kind: str
    scheme: str
    fields: dict[str, str]
    count: int = 1
    date: dt.date | dt.datetime | None = None
    lot: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    quantity: float | None = None
    uom: str | None = None
    expiry: dt.date | None = None
    print: PrintRequest | None = None


@dataclass
class Issued:
    """The issued values, the identifier object they all share but for `value`, and the job."""

    values: list[str]
    shared: dict[str, Any]
    print_job: dict[str, Any] | None

    @property
    def identifiers(self) -> list[dict[str, Any]]:
        """The identifier objects, one per value."""
        return [{**self.shared, "value": value} for value in self.values]


class PrintJobs(Protocol):
    """Creates the print job for issued identifiers inside the issuing transaction."""

    def create(self, conn: Connection, identifier_ids: Sequence[int], request: PrintRequest,
               actor: Actor) -> dict[str, Any]:
        """Write the job rows and return the job object."""
        ...


class NoPrinters:
    """The print seam until printers exist: every named printer is unknown."""

    def create(self, conn: Connection, identifier_ids: Sequence[int], request: PrintRequest,
               actor: Actor) -> dict[str, Any]:
        """Refuse: no printer of that name is registered."""
        raise ValidationFailed(f"no printer named {request.printer}",
                               {"print.printer": f"no printer named {request.printer}"})


def ensure_counter(conn: Connection, scheme_id: int, key: str, start: int) -> None:
    """Create the counter row if it does not exist yet (race-safe)."""
    conn.execute(insert_ignoring_conflicts(conn, counters).values(
        scheme_id=scheme_id, key=key, next=start, skipped=0, created_at=dt.datetime.now(dt.UTC)))


class StaleScheme(Exception):
    """The scheme has a newer version than the one this request was prepared with."""


def reserve_counter_block(conn: Connection, scheme: CurrentScheme, key: str, n: int, *,
                          check_version: bool = False) -> tuple[int, int]:
    """Take `n` consecutive counter values atomically; return (counter id, first value).

    With `check_version`, StaleScheme when the scheme got a new version in the meantime.
    """
    start = scheme.scheme.start
    values = {"counter_scheme": scheme.id, "counter_key": key, "first": start, "n": n,
              "version": scheme.version}
    reserve = RESERVE_IF_CURRENT if check_version else RESERVE
    found = driver.rows(conn, reserve, values)
    if not found:
        if check_version:
            now = load_current(conn, scheme.name)
            if now is None or now.version != scheme.version:
                raise StaleScheme(scheme.name)
        ensure_counter(conn, scheme.id, key, start)  # the first value of this counter
        found = driver.rows(conn, reserve, values)
    counter_id, after = found[0]
    first = after - n
    last_allowed = start + scheme.scheme.capacity - 1
    if after - 1 > last_allowed:
        used = max(0, first - start)
        left = max(0, last_allowed - first + 1)
        ask = f"; {left:,} left, {n:,} asked" if left else ""
        raise CounterExhausted(
            f"sequence exhausted for {scheme.name} {key} ({used:,} used{ask})",
            {"count": f"only {left:,} left in {key}"} if left else {},
            counter=key, used=used, remaining=left)
    return counter_id, first


def _record_skips(conn: Connection, counter_id: int, skips: list[tuple[int, str]]) -> None:
    """Note counter values passed over because another scheme issued them already."""
    now = dt.datetime.now(dt.UTC)
    conn.execute(insert(counter_skips), [
        {"counter_id": counter_id, "seq": seq, "value": value,
         "reason": "issued already by another scheme", "at": now} for seq, value in skips])
    conn.execute(update(counters).where(counters.c.id == counter_id)
                 .values(skipped=counters.c.skipped + len(skips)))
    log.warning("skipped %d value(s) already issued elsewhere, e.g. %s", len(skips), skips[0][1])


def _insert_new(conn: Connection, base: dict[str, Any], counter_id: int,
                batch: Mapping[str, int | None], event: dict[str, Any]) -> dict[str, int]:
    """Insert the values still free and their `issued` events; return value -> id.

    On PostgreSQL both go in one statement (a data-modifying WITH), one round trip.
    """
    if not batch:
        return {}
    columns: Columns = {"value": (String(), list(batch)),
                        "seq": (BigInteger(), list(batch.values()))}
    # Columns left out are NULL: a serial without a lot sends half the parameters.
    constants = {k: v for k, v in base.items() if v is not None}
    stmt, params = rows_insert(conn, identifiers, {**constants, "counter_id": counter_id},
                               columns, ignore_conflicts=True)
    if conn.dialect.name == "postgresql":
        params.update({f"event_{k}": v for k, v in event.items()})
        rows = driver.rows(conn, with_issued_events(stmt, tuple(event)), params)
        return {value: id_ for id_, value in rows}
    found = {r.value: r.id
             for r in conn.execute(stmt.returning(identifiers.c.id, identifiers.c.value), params)}
    if found:
        insert_rows(conn, events, event, {"identifier_id": (BigInteger(), list(found.values()))})
    return found


def _check_fields(scheme: Scheme, req: IssueRequest, day: dt.date) -> str:
    """Check the request fields against the scheme and return the counter key."""
    key = scheme.counter_key(fields=req.fields, date=day)
    scheme.format(fields=req.fields, date=day, seq=scheme.start)
    return key


def _lot_id(conn: Connection, req: IssueRequest) -> int | None:
    """Find the lot a serial is issued into."""
    if req.lot is None:
        return None
    row = find_identifier(conn, req.lot)
    if row is None or row.kind != "lot":
        raise ValidationFailed(f"no lot {req.lot} in the registry", {"lot": f"no lot {req.lot}"})
    if row.status == "voided":
        raise ValidationFailed(f"lot {req.lot} is voided", {"lot": f"lot {req.lot} is voided"})
    return int(row.id)


def issue(db: Database, req: IssueRequest, actor: Actor,
          print_jobs: PrintJobs | None = None) -> Issued:
    """Issue `count` identifiers of a scheme atomically, with their `issued` events.

    A small request without a print job first tries one autocommitted statement
    (issue_statement); whenever that writes nothing, the ordinary transaction issues what
    was prepared for it (a newer scheme version meanwhile is caught as StaleScheme).
    """
    resolved = None
    if req.print is None and db.can_autocommit():
        with db.autocommit() as conn:
            resolved = _resolve(db, conn, req, actor)
            done = issue_statement.issue(db, conn, *resolved, req.fields, req.count)
        if done is not None:
            return _issued(req, actor, *resolved, done, None)
    with db.transaction() as conn:
        current, prepared = resolved or _resolve(db, conn, req, actor)
        try:
            inserted, after = _issue_values(conn, current, prepared, req.count, req.fields)
        except StaleScheme:  # raised before anything is written: prepare under the new one
            current = current_for_issuing(db, conn, req.scheme, fresh=True)
            prepared = _prepare(conn, current, req, actor)
            inserted, after = _issue_values(conn, current, prepared, req.count, req.fields,
                                            check_version=False)
        print_job = None
        if req.print is not None:
            print_job = (print_jobs or NoPrinters()).create(conn, list(inserted.values()),
                                                            req.print, actor)
    issue_statement.remember_position(db, current.id, prepared.key, after)  # committed
    return _issued(req, actor, current, prepared, inserted, print_job)


def _resolve(db: Database, conn: Connection, req: IssueRequest, actor: Actor
             ) -> tuple[CurrentScheme, Prepared]:
    """The scheme version a request is issued under, and the request checked against it."""
    current = current_for_issuing(db, conn, req.scheme)
    try:
        return current, _prepare(conn, current, req, actor)
    except (NumberingError, LabelsvcError):
        # Refused under the version this process knew: if another process has defined a
        # newer one since (say, a new model code), the request is judged by that one.
        fresh = current_for_issuing(db, conn, req.scheme, fresh=True)
        if fresh.version == current.version:
            raise
        return fresh, _prepare(conn, fresh, req, actor)


def _issued(req: IssueRequest, actor: Actor, current: CurrentScheme, prepared: Prepared,
            inserted: dict[str, int], print_job: dict[str, Any] | None) -> Issued:
    """The answer to an issue request, once its transaction has committed."""
    log.info("%s issued %d %s(s) of %s", actor.name, len(inserted), req.kind, req.scheme)
    shared = identifier_object({**prepared.base, "value": None, "scheme": current.name,
                                "version": current.version, "lot": req.lot})
    return Issued(list(inserted), shared, print_job)


@dataclass(frozen=True)
class Prepared:
    """A request checked against one scheme version: its date, counter key and rows."""

    day: dt.date
    key: str
    base: dict[str, Any]
    event: dict[str, Any]


def _prepare(conn: Connection, current: CurrentScheme, req: IssueRequest,
             actor: Actor) -> Prepared:
    """Check the request against one scheme version; refusals raise before anything is written."""
    scheme = current.scheme
    if scheme.kind != req.kind:
        raise ValidationFailed(
            f"{req.scheme} is a {scheme.kind} scheme; issue it as {scheme.kind}s",
            {"scheme": f"{req.scheme} is a {scheme.kind} scheme"})
    day = scheme.production_date(req.fields, req.date)
    key = _check_fields(scheme, req, day)
    base = _base_row(current, req, actor, day, _lot_id(conn, req))
    event = {"type": "issued", "actor": actor.name, "at": base["issued_at"],
             "data": {"scheme": current.name, "version": current.version}}
    return Prepared(day, key, base, event)


def _base_row(current: CurrentScheme, req: IssueRequest, actor: Actor, day: dt.date,
              lot_id: int | None) -> dict[str, Any]:
    """The columns every identifier of one request shares."""
    attributes = dict(req.attributes)
    warranty_days = attributes.get("warranty_days", current.scheme.warranty_days)
    return {
        "kind": req.kind, "scheme_id": current.id, "scheme_version": current.version,
        "status": "issued", "fields": req.fields, "production_date": day,
        "lot_id": lot_id, "attributes": attributes, "quantity": req.quantity, "uom": req.uom,
        "expiry": req.expiry, "supplier": _text(attributes.get("supplier")),
        "supplier_lot": _text(attributes.get("supplier_lot")),
        "model": _text(req.fields.get("model")), "site": _text(req.fields.get("site")),
        "issued_at": dt.datetime.now(dt.UTC), "issued_by": actor.name, "shipped_at": None,
        "warranty_days": warranty_days if isinstance(warranty_days, int) else None,
    }


def _text(value: Any) -> str | None:
    """Keep a searchable copy of a scalar value."""
    return None if value is None else str(value)[:200]


def _issue_values(conn: Connection, current: CurrentScheme, prepared: Prepared, count: int,
                  fields: dict[str, str], *, check_version: bool = True
                  ) -> tuple[dict[str, int], int]:
    """Draw counter values until `count` identifiers are inserted; value -> id, in order,
    and the counter's next value after the last block drawn."""
    scheme = current.scheme
    key, base, event, day = prepared.key, prepared.base, prepared.event, prepared.day
    inserted: dict[str, int] = {}
    order: dict[str, int] = {}
    while len(inserted) < count:
        needed = count - len(inserted)
        counter_id, first = reserve_counter_block(conn, current, key, needed,
                                                  check_version=check_version and not inserted)
        seqs = range(first, first + needed)
        pending = list(zip(seqs, scheme.format_many(fields, day, seqs), strict=True))
        for attempt in range(RANDOM_RETRIES + 1):
            batch: dict[str, int] = {}
            order.update({value: seq for seq, value in pending})
            retry: list[tuple[int, str]] = []
            for seq, value in pending:
                if value in inserted or value in batch:
                    retry.append((seq, value))
                else:
                    batch[value] = seq
            new = _insert_new(conn, base, counter_id,
                              batch if scheme.has_seq else dict.fromkeys(batch), event)
            inserted.update(new)
            retry += [(seq, value) for value, seq in batch.items() if value not in new]
            if not retry:
                break
            if not scheme.has_rand:
                _record_skips(conn, counter_id, retry)
                break
            if attempt == RANDOM_RETRIES:
                raise IdentifierCollision(
                    f"{len(retry)} random value(s) of {current.name} kept colliding with "
                    f"values already issued; the random space is nearly full")
            pending = [(seq, scheme.format(fields=fields, date=day, seq=seq)) for seq, _ in retry]
    return dict(sorted(inserted.items(), key=lambda item: order[item[0]])), first + needed
