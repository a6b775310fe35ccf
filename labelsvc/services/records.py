"""Identifier records: read, search, export, events, void."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, insert, or_, select, update

from labelsvc.contract.models import EventOut, IdentifierListOut, IdentifierOut, RecordOut
from labelsvc.errors import AlreadyVoided, InvalidTransition, ValidationFailed
from labelsvc.registry.database import Database
from labelsvc.registry.models import Identifier, Scheme, events, genealogy, identifiers
from labelsvc.registry.queries import (
    LotIdentifier,
    find_identifier,
    identifier_select,
    iso,
    utc,
)
from labelsvc.services import event_types, holds
from labelsvc.services.identifiers import identifier_out, require_row
from labelsvc.services.paging import decode_cursor, encode_cursor
from labelsvc.services.tokens import Actor

EXPORT_CHUNK = 1000
# Events a hold refuses: a held unit is not shipped, a held lot not used in production.
HELD_BACK = {"shipped": "it cannot be shipped", "consumed": "it cannot be consumed"}


@dataclass
class SearchFilters:
    """The filters of an identifier search; None means any."""

    scheme: str | None = None
    kind: str | None = None
    lot: str | None = None
    status: str | None = None
    model: str | None = None
    site: str | None = None
    issued_from: dt.datetime | None = None
    issued_to: dt.datetime | None = None
    expires_before: dt.date | None = None
    supplier_lot: str | None = None


def event_out(row: Any) -> EventOut:
    """The answer of a stored event."""
    return EventOut(id=row.id, type=row.type, actor=row.actor, at=iso(row.at),
                    data=row.data or {})


def read_record(db: Database, value: str) -> RecordOut:
    """Read a record with its events, components and lot."""
    from labelsvc.services.scanning import parse_with

    with db.transaction(write=False) as conn:
        row = require_row(conn, value)
        stored_events = conn.execute(
            select(events).where(events.c.identifier_id == row.id).order_by(events.c.id)).all()
        components = conn.execute(
            identifier_select().join(genealogy, genealogy.c.component_id == Identifier.id)
            .where(genealogy.c.parent_id == row.id).order_by(genealogy.c.id)).all()
        lot = find_identifier(conn, row.lot) if row.lot else None
        return identifier_out(
            row, RecordOut, events=[event_out(e) for e in stored_events],
            components=[identifier_out(c) for c in components],
            lot_record=identifier_out(lot) if lot is not None else None,
            parse=parse_with(conn, value, row), holds=holds.record_holds(conn, row.id))


def _filtered(query: Select[Any], f: SearchFilters) -> Select[Any]:
    """Apply search filters to an identifier query."""
    i = Identifier
    conditions = []
    if f.scheme:
        conditions.append(Scheme.name == f.scheme)
    if f.kind:
        conditions.append(i.kind == f.kind)
    if f.lot:
        conditions.append(LotIdentifier.value == f.lot)
    if f.status:
        conditions.append(i.status == f.status)
    if f.model:
        conditions.append(i.model == f.model)
    if f.site:
        conditions.append(i.site == f.site)
    if f.issued_from:
        conditions.append(i.issued_at >= utc(f.issued_from))
    if f.issued_to:
        conditions.append(i.issued_at < utc(f.issued_to))
    if f.expires_before:
        conditions.append(i.expiry < f.expires_before)
    if f.supplier_lot:
        conditions.append(i.supplier_lot == f.supplier_lot)
    return query.where(and_(*conditions)) if conditions else query


def _ordered_after(query: Select[Any], f: SearchFilters, after: list[Any] | None) -> Select[Any]:
    """Order a search (soonest expiry first when asked) and start after a cursor."""
    i = Identifier
    if f.expires_before is None:
        if after:
            query = query.where(i.id > int(after[-1]))
        return query.order_by(i.id)
    if after:
        expiry, last_id = dt.date.fromisoformat(str(after[0])), int(after[1])
        query = query.where(or_(i.expiry > expiry, and_(i.expiry == expiry, i.id > last_id)))
    return query.order_by(i.expiry, i.id)


def _position(row: Any, f: SearchFilters) -> list[Any]:
    """The cursor position of a row."""
    return [row.id] if f.expires_before is None else [row.expiry.isoformat(), row.id]


def search(db: Database, f: SearchFilters, *, limit: int,
           cursor: str | None) -> IdentifierListOut:
    """Find identifiers by filters, one page at a time."""
    after = decode_cursor(cursor)
    try:
        query = _ordered_after(_filtered(identifier_select(), f), f, after)
    except (TypeError, ValueError, IndexError) as exc:
        raise ValidationFailed("the cursor is not one this service handed out",
                               {"cursor": "not a valid cursor"}) from exc
    with db.transaction(write=False) as conn:
        rows = conn.execute(query.limit(limit + 1)).all()
    next_cursor = encode_cursor(*_position(rows[limit - 1], f)) if len(rows) > limit else None
    return IdentifierListOut(items=[identifier_out(r) for r in rows[:limit]],
                             next_cursor=next_cursor)


def export(db: Database, f: SearchFilters) -> Iterator[IdentifierOut]:
    """Yield every matching identifier, reading in chunks so memory stays flat."""
    after: list[Any] | None = None
    while True:
        query = _ordered_after(_filtered(identifier_select(), f), f, after)
        with db.transaction(write=False) as conn:
            rows = conn.execute(query.limit(EXPORT_CHUNK)).all()
        yield from (identifier_out(r) for r in rows)
        if len(rows) < EXPORT_CHUNK:
            return
        after = _position(rows[-1], f)


def append_event(db: Database, value: str, *, type: str, at: dt.datetime | None,
                 data: dict[str, Any], actor: Actor) -> EventOut:
    """Append an event of a known type; shipping, returns, scrapping and consumption move the
    status, as far as its status allows (event_types); a held identifier is not shipped or
    consumed."""
    moment = utc(at) or dt.datetime.now(dt.UTC)
    with db.transaction() as conn:
        event_types.refuse_unknown(conn, type)
        row = require_row(conn, value)
        becomes = event_types.check_move(value, row.status, type) \
            if type in event_types.BUILT_IN else None
        if type in HELD_BACK:
            holds.refuse_held(conn, [row.id], HELD_BACK[type])
        if becomes is not None:
            changes: dict[str, Any] = {"status": becomes}
            if type == "shipped" and row.shipped_at is None:
                changes["shipped_at"] = moment
            moved = conn.execute(update(identifiers).where(identifiers.c.id == row.id)
                                 .where(identifiers.c.status == row.status)
                                 .values(**changes)).rowcount
            if not moved:  # another request changed its status meanwhile
                raise InvalidTransition(f"{value} changed status meanwhile; read it again")
        event_id = conn.execute(insert(events).values(
            identifier_id=row.id, type=type, actor=actor.name, at=moment, data=data)
            .returning(events.c.id)).scalar_one()
    return EventOut(id=event_id, type=type, actor=actor.name, at=iso(moment), data=data)


def void(db: Database, value: str, *, reason: str, actor: Actor) -> IdentifierOut:
    """Void an identifier: a status and an event, never a deletion."""
    with db.transaction() as conn:
        row = require_row(conn, value)
        if row.status == "voided":
            raise AlreadyVoided(f"{value} is voided already")
        event_types.check_move(value, row.status, "voided")
        changed = conn.execute(update(identifiers)
                               .where((identifiers.c.id == row.id)
                                      & (identifiers.c.status != "voided"))
                               .values(status="voided")).rowcount
        if not changed:
            raise AlreadyVoided(f"{value} is voided already")
        conn.execute(insert(events).values(
            identifier_id=row.id, type="voided", actor=actor.name, at=dt.datetime.now(dt.UTC),
            data={"reason": reason}))
        return identifier_out(require_row(conn, value))
