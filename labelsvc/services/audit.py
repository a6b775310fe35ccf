"""The audit trail: every governed change as an append-only, hash-chained row.

Each row holds who, when, what (an action on a target) and the target before and after, as
JSON. Its `row_hash` is the SHA-256 of its content and of the hash of the row before it
(`prev_hash`; the first row chains from GENESIS), so a row changed, removed or inserted by
hand breaks the chain where it happened, and `verify` names it.

`record` is called inside the transaction that makes the change, as its last statement: the
change and its row commit together or not at all. Appends take turns on the chain's head row
(`audit_chain`, locked FOR UPDATE on PostgreSQL; SQLite has one writer), so the chain stays
one line however many processes write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Connection, Select, and_, insert, select, text, update

from labelsvc.contract.audit_models import (
    AuditListOut,
    AuditQuery,
    AuditRowOut,
    AuditVerifyOut,
    Why,
)
from labelsvc.contract.common import utc_bound
from labelsvc.errors import ValidationFailed
from labelsvc.registry.database import Database
from labelsvc.registry.models import audit, audit_chain
from labelsvc.registry.queries import utc
from labelsvc.services.paging import decode_cursor, encode_cursor

GENESIS = "0" * 64
EXPORT_CHUNK = 1000
SYSTEM = "system"
# What a settings row is about: one per kind of process, so a worker's configuration is
# compared with the last worker's, never with a service's.
SETTINGS = "settings"
CSV_COLUMNS = ("id", "at", "actor", "actor_token", "actor_role", "action", "target_kind",
               "target", "target_id", "before", "after", "prev_hash", "row_hash")



class Actor(Protocol):
    """Whoever changes something through a token (`services.tokens.Actor`)."""

    @property
    def token_id(self) -> int | None: ...
    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...


# An actor, or the name of one that has no token: `system`, `cli:<os user>`.
Who = Actor | str


class Target(NamedTuple):
    """What a change is about: a kind (`scheme`, `printer`, …), its name and its row id."""

    kind: str
    name: str
    id: int | str | None = None


def actor_name(who: Who) -> str:
    """The name a service writes in `created_by` for an actor or a named system actor."""
    return who if isinstance(who, str) else who.name


def _json(value: Any) -> Any:
    """A value as it reads back from a JSON column (dates as ISO text, tuples as lists)."""
    return None if value is None else json.loads(json.dumps(value, default=str))


def _moment(at: dt.datetime) -> str:
    """The fixed timestamp form hashed: UTC, microseconds, `Z`."""
    moment = utc(at)
    assert moment is not None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_hash(row: Mapping[str, Any]) -> str:
    """SHA-256 over the row's content and its `prev_hash`, as sorted-key compact JSON."""
    content = {"id": int(row["id"]), "at": _moment(row["at"]), "actor": row["actor"],
               "actor_token": row["actor_token"], "actor_role": row["actor_role"],
               "action": row["action"], "target_kind": row["target_kind"],
               "target_name": row["target_name"], "target_id": row["target_id"],
               "before": row["before"], "after": row["after"], "prev_hash": row["prev_hash"]}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _head(conn: Connection) -> Any:
    """The chain's head, locked until this transaction ends (PostgreSQL; SQLite's writer
    holds the database)."""
    query = select(audit_chain.c.last_id, audit_chain.c.last_hash).where(audit_chain.c.id == 1)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).one()


def record(conn: Connection, actor: Who, action: str, target: Target, before: Any,
           after: Any) -> int:
    """Append one audit row for a change made in this transaction; return its id.

    Call it last in the transaction, after the change itself: the head's lock is then held
    only for the commit, and always taken after the change's own locks.
    """
    head = _head(conn)
    row: dict[str, Any] = {
        "id": head.last_id + 1, "at": dt.datetime.now(dt.UTC), "actor": actor_name(actor),
        "actor_token": None if isinstance(actor, str) else actor.token_id,
        "actor_role": None if isinstance(actor, str) else actor.role,
        "action": action, "target_kind": target.kind, "target_name": target.name,
        "target_id": None if target.id is None else str(target.id),
        "before": _json(before), "after": _json(after), "prev_hash": head.last_hash}
    row["row_hash"] = row_hash(row)
    conn.execute(insert(audit).values(**row))
    conn.execute(update(audit_chain).where(audit_chain.c.id == 1)
                 .values(last_id=row["id"], last_hash=row["row_hash"]))
    return int(row["id"])


def record_settings(db: Database, process: str, settings: dict[str, Any]) -> bool:
    """Record a process's governed settings when they differ from the last ones recorded for
    that kind of process (`service`, `worker`); say whether a row was written."""
    with db.transaction() as conn:
        _head(conn)  # in turn with other processes starting at the same moment
        last = conn.execute(select(audit.c.after)
                            .where(audit.c.target_kind == SETTINGS)
                            .where(audit.c.target_name == process)
                            .order_by(audit.c.id.desc()).limit(1)).first()
        before = None if last is None else last.after
        if before == _json(settings):
            return False
        record(conn, SYSTEM, "settings.changed", Target(SETTINGS, process), before, settings)
    return True


@dataclass
class AuditFilters:
    """Filters of the audit list; None means any."""

    action: str | None = None
    target_kind: str | None = None
    target: str | None = None
    actor: str | None = None
    at_from: dt.datetime | None = None
    at_to: dt.datetime | None = None

    @classmethod
    def of(cls, query: AuditQuery) -> AuditFilters:
        """The filters of an audit query (the API's or the page's)."""
        return cls(action=query.action, target_kind=query.target_kind, target=query.target,
                   actor=query.actor, at_from=utc_bound(query.at_from, "from"),
                   at_to=utc_bound(query.at_to, "to"))


def _filtered(f: AuditFilters, after: list[Any] | None) -> Select[Any]:
    """The audit rows matching the filters after a position, oldest first."""
    conditions = []
    for column, wanted in ((audit.c.action, f.action), (audit.c.target_kind, f.target_kind),
                           (audit.c.target_name, f.target), (audit.c.actor, f.actor)):
        if wanted:
            conditions.append(column == wanted)
    if f.at_from:
        conditions.append(audit.c.at >= utc(f.at_from))
    if f.at_to:
        conditions.append(audit.c.at < utc(f.at_to))
    if after:
        position = after[0]
        if isinstance(position, bool) or not isinstance(position, int) \
                or not 0 <= position < 2**63:
            raise ValidationFailed("the cursor is not one this service handed out",
                                   {"cursor": "not a valid cursor"})
        conditions.append(audit.c.id > position)
    query = select(audit).order_by(audit.c.id)
    return query.where(and_(*conditions)) if conditions else query


def row_out(row: Any) -> AuditRowOut:
    """The answer of a stored audit row."""
    return AuditRowOut(id=row.id, at=_moment(row.at), actor=row.actor,
                       actor_token=row.actor_token, actor_role=row.actor_role,
                       action=row.action, target_kind=row.target_kind,
                       target=row.target_name, target_id=row.target_id, before=row.before,
                       after=row.after, prev_hash=row.prev_hash, row_hash=row.row_hash)


def list_rows(db: Database, f: AuditFilters, *, limit: int, cursor: str | None) -> AuditListOut:
    """Audit rows by filters, oldest first, one page at a time."""
    query = _filtered(f, decode_cursor(cursor)).limit(limit + 1)
    with db.transaction(write=False) as conn:
        rows = conn.execute(query).all()
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return AuditListOut(items=[row_out(r) for r in rows[:limit]], next_cursor=next_cursor)


def export(db: Database, f: AuditFilters) -> Iterator[AuditRowOut]:
    """Yield every matching row, reading in chunks so memory stays flat."""
    after: list[Any] | None = None
    while True:
        with db.transaction(write=False) as conn:
            rows = conn.execute(_filtered(f, after).limit(EXPORT_CHUNK)).all()
        yield from (row_out(r) for r in rows)
        if len(rows) < EXPORT_CHUNK:
            return
        after = [rows[-1].id]


def _first_break(rows: Iterator[Any], head: Any) -> tuple[int, Why] | None:
    """Check each row's hash and link in id order, then the last row against the head: the
    first broken row's id and why, or None."""
    expected_id, prev_hash, before_prev = 1, GENESIS, ""
    last: Any = None
    for row in rows:
        if row_hash(row._mapping) != row.row_hash:
            return row.id, "changed"
        if row.id != expected_id:  # ids are consecutive: a gap is a row taken out
            return expected_id, "removed"
        if row.prev_hash != prev_hash:
            if last is not None and row.prev_hash == before_prev:  # the row before sits between
                return last.id, "inserted"
            # the row before was rewritten with a hash of its own: the broken link names it
            return (last.id if last is not None else row.id), "changed"
        before_prev, prev_hash, expected_id, last = prev_hash, row.row_hash, row.id + 1, row
    last_id = 0 if last is None else last.id
    if last_id < head.last_id:
        return last_id + 1, "removed"
    if last_id > head.last_id:
        return head.last_id + 1, "inserted"
    if prev_hash != head.last_hash:
        return last_id, "changed"
    return None


class _Counted:
    """Rows passed through, counted (so the count covers rows after a break too)."""

    def __init__(self, rows: Iterator[Any]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[Any]:
        for row in self.rows:
            self.count += 1
            yield row


def verify(db: Database) -> AuditVerifyOut:
    """Walk the whole chain in one snapshot, streaming rows so memory stays flat; the first
    row changed, removed or inserted by hand is named, with why."""
    with db.transaction(write=False) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        head = conn.execute(select(audit_chain.c.last_id, audit_chain.c.last_hash)
                            .where(audit_chain.c.id == 1)).one()
        rows = conn.execute(select(audit).order_by(audit.c.id),
                            execution_options={"yield_per": EXPORT_CHUNK})
        try:
            counted = _Counted(iter(rows))
            found = _first_break(iter(counted), head)
            counted.count += sum(1 for _ in rows)  # the rest, unhashed
        finally:
            rows.close()
    if found is not None:
        return AuditVerifyOut(ok=False, rows=counted.count, first_broken=found[0], why=found[1])
    return AuditVerifyOut(ok=True, rows=counted.count, last_id=head.last_id,
                          last_hash=head.last_hash)
