"""Shared queries: identifier rows, lookups, bulk and insert-if-absent writes, stored values."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any, overload

from sqlalchemy import (
    Column,
    Connection,
    Row,
    Select,
    String,
    Table,
    bindparam,
    case,
    cast,
    exists,
    func,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.types import TypeEngine

from labelsvc.registry.models import (
    Identifier,
    Scheme,
    counters,
    events,
    identifiers,
    schemes,
)

LotIdentifier = aliased(Identifier, name="lot_identifier")

# Large IN lists are split so that SQLite's parameter limit is never reached.
IN_CHUNK = 900


def insert_ignoring_conflicts(conn: Connection, table: Table | Any) -> Any:
    """An INSERT that leaves rows alone when a unique key already exists."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


Columns = dict[str, tuple[TypeEngine[Any], list[Any]]]
ColumnSpec = tuple[tuple[str, type[TypeEngine[Any]]], ...]


def named_constant(dialect: str, column: Column[Any], name: str) -> ColumnElement[Any]:
    """A named parameter typed like `column`, for statements built once and reused."""
    param = bindparam(name, type_=column.type)
    return cast(param, column.type) if dialect == "postgresql" else param


@lru_cache(maxsize=256)
def _bulk_insert(dialect: str, table: Table, constants: tuple[str, ...], columns: ColumnSpec,
                 ignore_conflicts: bool) -> Any:
    """Build once: INSERT … SELECT of rows from parallel lists (unnest / json_each).

    A single statement writes tens of thousands of rows without per-row SQL; its values are
    named parameters (`const_<column>`, `rows_<column>` or `rows_json`).
    """
    names = [name for name, _ in columns]
    if dialect == "postgresql":
        arrays = [bindparam(f"rows_{name}", type_=postgresql.ARRAY(kind()))
                  for name, kind in columns]
        source: Any = func.unnest(*arrays).table_valued(*names).render_derived()
    else:
        each = func.json_each(bindparam("rows_json", type_=String())).table_valued("value")
        source = select(*[cast(func.json_extract(each.c.value, f"$[{n}]"), kind()).label(name)
                          for n, (name, kind) in enumerate(columns)]
                        ).select_from(each).where(true()).subquery()
    chosen = select(*[named_constant(dialect, table.c[k], f"const_{k}") for k in constants],
                    *[source.c[name] for name in names])
    if dialect == "sqlite":
        chosen = chosen.where(true())  # lets SQLite tell ON CONFLICT from a join
    stmt = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    if ignore_conflicts:
        stmt = stmt.on_conflict_do_nothing()
    return stmt.from_select([*constants, *names], chosen)


def rows_insert(conn: Connection, table: Table | Any, constants: dict[str, Any],
                columns: Columns, *, ignore_conflicts: bool = False) -> tuple[Any, dict[str, Any]]:
    """The INSERT … SELECT (built once per shape) of rows sharing `constants`, and its values."""
    dialect = conn.dialect.name
    spec = tuple((name, type(kind)) for name, (kind, _) in columns.items())
    stmt = _bulk_insert(dialect, table, tuple(constants), spec, ignore_conflicts)
    params = {f"const_{k}": v for k, v in constants.items()}
    if dialect == "postgresql":
        params.update({f"rows_{name}": values for name, (_, values) in columns.items()})
    else:
        params["rows_json"] = json.dumps(
            [list(row) for row in zip(*(v for _, v in columns.values()), strict=True)])
    return stmt, params


def insert_rows(conn: Connection, table: Table | Any, constants: dict[str, Any],
                columns: Columns, *, ignore_conflicts: bool = False,
                returning: tuple[ColumnElement[Any], ...] = ()) -> Any:
    """Insert many rows that share `constants` and differ in `columns`, in one statement."""
    stmt, params = rows_insert(conn, table, constants, columns,
                               ignore_conflicts=ignore_conflicts)
    if returning:
        stmt = stmt.returning(*returning)
    return conn.execute(stmt, params)


# The counter a request draws from, and where it stands: the counter's next value, or the
# scheme's first one (`first`) for a counter that has not reached it yet.
THIS_COUNTER = ((counters.c.scheme_id == bindparam("counter_scheme"))
                & (counters.c.key == bindparam("counter_key")))
COUNTER_POSITION = case((counters.c.next < bindparam("first"), bindparam("first")),
                        else_=counters.c.next)
# One atomic UPDATE … RETURNING decides which values a request gets (built once).
RESERVE = (update(counters).where(THIS_COUNTER)
           .values(next=COUNTER_POSITION + bindparam("n"))
           .returning(counters.c.id, counters.c.next))
# The same, only while the scheme's current version is still the one the values are built with.
RESERVE_IF_CURRENT = RESERVE.where(exists().where(
    (schemes.c.id == bindparam("counter_scheme"))
    & (schemes.c.current_version == bindparam("version"))))


@lru_cache(maxsize=64)
def with_issued_events(stmt: Any, event_columns: tuple[str, ...]) -> Any:
    """Build once: insert identifiers and, in the same statement, their `issued` events."""
    new = stmt.returning(identifiers.c.id, identifiers.c.value).cte("new_identifiers")
    issued = (postgresql.insert(events)
              .from_select(["identifier_id", *event_columns],
                           select(new.c.id, *[cast(bindparam(f"event_{k}", type_=events.c[k].type),
                                                   events.c[k].type) for k in event_columns]))
              .cte("issued_events"))
    return select(new.c.id, new.c.value).add_cte(issued)


def hold_lock(conn: Connection, key: int, *, shared: bool = False) -> None:
    """Hold a lock named by `key` until the transaction ends (PostgreSQL's advisory lock):
    writers of one kind then take turns; `shared` holders wait only for an exclusive one.
    SQLite's writers take turns already (BEGIN IMMEDIATE)."""
    if conn.dialect.name == "postgresql":
        lock = func.pg_advisory_xact_lock_shared if shared else func.pg_advisory_xact_lock
        conn.execute(select(lock(key)))


def chunks(items: Sequence[Any], size: int = IN_CHUNK) -> Iterable[Sequence[Any]]:
    """Split a list into slices for IN queries."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def identifier_select() -> Select[Any]:
    """Select the columns of the identifier answer, with scheme name and lot value."""
    i = Identifier
    return (
        select(i.id, i.value, i.kind, Scheme.name.label("scheme"),
               i.scheme_version.label("version"), i.status, i.fields, i.production_date,
               i.issued_at, i.issued_by,
               LotIdentifier.value.label("lot"), i.lot_id, i.attributes, i.quantity, i.uom,
               i.expiry, i.shipped_at, i.warranty_days)
        .join(Scheme, Scheme.id == i.scheme_id)
        .outerjoin(LotIdentifier, LotIdentifier.id == i.lot_id)
    )


def find_identifier(conn: Connection, value: str) -> Row[Any] | None:
    """Load one identifier row by its value."""
    return conn.execute(identifier_select().where(Identifier.value == value)).first()


def find_identifiers_by_id(conn: Connection, ids: Sequence[int]) -> dict[int, Row[Any]]:
    """Load identifier rows by id."""
    found: dict[int, Row[Any]] = {}
    for part in chunks(list(ids)):
        for row in conn.execute(identifier_select().where(Identifier.id.in_(part))):
            found[row.id] = row
    return found


def ids_for_values(conn: Connection, values: Sequence[str]) -> dict[str, int]:
    """Map identifier values to row ids (missing values are left out)."""
    found: dict[str, int] = {}
    for part in chunks(list(values)):
        rows = conn.execute(select(identifiers.c.value, identifiers.c.id)
                            .where(identifiers.c.value.in_(part)))
        found.update({r.value: r.id for r in rows})
    return found


def utc(moment: dt.datetime | None) -> dt.datetime | None:
    """Read a stored timestamp as an aware UTC datetime (SQLite keeps them naive)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


@overload
def iso(moment: dt.datetime | dt.date) -> str: ...
@overload
def iso(moment: None) -> None: ...
@overload
def iso(moment: dt.datetime | dt.date | None) -> str | None: ...


def iso(moment: dt.datetime | dt.date | None) -> str | None:
    """Write a date or timestamp in ISO 8601 (timestamps in UTC with `Z`)."""
    if moment is None:
        return None
    if isinstance(moment, dt.datetime):
        if moment.tzinfo is None:  # SQLite keeps them naive, in UTC
            return moment.isoformat(timespec="milliseconds") + "Z"
        return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return moment.isoformat()


def number(value: Decimal | float | None) -> int | float | None:
    """Give a stored quantity as a JSON number."""
    if value is None:
        return None
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else as_float
