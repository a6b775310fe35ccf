"""Holds on lots and serials: placing and releasing them, what they hold, and the refusals.

An identifier is held by an active hold of its own; a serial also by any active hold on its
lot; and anything made from a held identifier (genealogy and lot membership, transitively)
by that hold when it propagates. A held identifier cannot be issued into (a serial into a
held lot), printed, reprinted, shipped or consumed: 409 `on-hold` naming the hold.

Placing a hold takes an exclusive lock; every check takes it shared, in the transaction that
then writes the job, the shipment or the serials. A hold committed while one of those is
being written therefore waits for it to commit, or is seen by it: never missed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from labelsvc.contract.hold_models import HoldListOut, HoldOut
from labelsvc.errors import AlreadyReleased, NotFound, NotOnHold, OnHold, ValidationFailed
from labelsvc.registry.database import Database
from labelsvc.registry.models import events, holds, identifiers
from labelsvc.registry.queries import chunks, hold_lock, iso
from labelsvc.services import audit
from labelsvc.services.audit import Target
from labelsvc.services.identifiers import require_row
from labelsvc.services.links import UP, made_from, reachable
from labelsvc.services.tokens import Actor

# Placing a hold takes this lock alone; checks against holds take it shared.
HOLDS_LOCK = 0x6C61_6265_686F
ACTIVE = holds.c.released_at.is_(None)
# (hold row, id of the identifier it is on when that is not the one held) per identifier.
Found = dict[int, list[tuple[Row[Any], int | None]]]


def _select() -> Any:
    """Hold columns with the value of the identifier each is on."""
    return select(holds, identifiers.c.value.label("identifier")).join(
        identifiers, identifiers.c.id == holds.c.identifier_id)


def hold_out(row: Row[Any] | Any, *, through: bool = False) -> HoldOut:
    """The answer of a hold row; `through` when it holds another identifier than its own."""
    return HoldOut(id=row.id, identifier=row.identifier, reason=row.reason,
                   propagate=bool(row.propagate), active=row.released_at is None,
                   placed_at=iso(row.placed_at), placed_by=row.placed_by,
                   released_at=iso(row.released_at), released_by=row.released_by,
                   release_reason=row.release_reason,
                   through=row.identifier if through else None)


def _active_on(conn: Connection, ids: Sequence[int], *, propagating: bool = False
               ) -> dict[int, list[Row[Any]]]:
    """The active holds on each of `ids` (oldest first); only propagating ones if asked."""
    found: dict[int, list[Row[Any]]] = {}
    for part in chunks(sorted(set(ids))):
        query = _select().where(ACTIVE).where(holds.c.identifier_id.in_(part))
        if propagating:
            query = query.where(holds.c.propagate.is_(True))
        for row in conn.execute(query.order_by(holds.c.id)):
            found.setdefault(row.identifier_id, []).append(row)
    return found


def _any_active(conn: Connection, *, propagating: bool = False) -> bool:
    """Whether any hold is active (most of the time none is, and nothing more is read)."""
    query = select(holds.c.id).where(ACTIVE)
    if propagating:
        query = query.where(holds.c.propagate.is_(True))
    return conn.execute(query.limit(1)).first() is not None


def holds_on(conn: Connection, ids: Sequence[int]) -> Found:
    """The active holds that hold each of `ids`: its own, its lot's, and propagating holds
    on what it is made from. Of identifiers made from one another and asked together, the
    one they are made from is found held (and so the request refused) for sure."""
    if not ids or not _any_active(conn):
        return {}
    found: Found = {}
    for node, rows in _active_on(conn, ids).items():
        found[node] = [(row, None) for row in rows]
    lot_of: dict[int, int] = {}
    for part in chunks(list(ids)):
        lot_of.update((int(node), int(lot)) for node, lot in conn.execute(
            select(identifiers.c.id, identifiers.c.lot_id).where(identifiers.c.id.in_(part))
            .where(identifiers.c.lot_id.is_not(None))))
    on_lots = _active_on(conn, list(lot_of.values()))
    for node, lot in lot_of.items():
        found.setdefault(node, []).extend((row, lot) for row in on_lots.get(lot, ()))
    if _any_active(conn, propagating=True):
        origin = made_from(conn, ids)
        above = [node for node, start in origin.items() if node != start]
        for node, rows in _active_on(conn, above, propagating=True).items():
            start = origin[node]
            known = {row.id for row, _ in found.get(start, ())}
            found.setdefault(start, []).extend((row, node) for row in rows
                                               if row.id not in known)
    return {node: rows for node, rows in found.items() if rows}


def first_held(conn: Connection, ids: Sequence[int], consequence: str
               ) -> tuple[int, OnHold] | None:
    """The position in `ids` of the first held identifier and the refusal naming its hold,
    read under the holds lock (shared) so that a hold being placed is waited for."""
    hold_lock(conn, HOLDS_LOCK, shared=True)
    found = holds_on(conn, ids)
    for position, node in enumerate(ids):
        if node in found:
            row, through = found[node][0]
            value = conn.execute(select(identifiers.c.value)
                                 .where(identifiers.c.id == node)).scalar_one()
            return position, _refusal(value, row, through is not None, consequence)
    return None


def refuse_held(conn: Connection, ids: Sequence[int], consequence: str) -> None:
    """OnHold (409) naming the hold when any of `ids` is held; `consequence` says what is
    refused ("its label cannot be printed")."""
    held = first_held(conn, ids, consequence)
    if held is not None:
        raise held[1]


def _refusal(value: str, row: Row[Any], through: bool, consequence: str) -> OnHold:
    """The refusal for a held identifier, in plant words."""
    how = f" through {row.identifier}" if through else ""
    spread = ", and everything made from it" if row.propagate else ""
    return OnHold(f"{value} is on hold{how} (hold {row.id} on {row.identifier}{spread}: "
                  f"{row.reason}; placed by {row.placed_by}): {consequence} until the hold is "
                  f"released", identifier=value,
                  hold=hold_out(row, through=through).model_dump())


def _place(conn: Connection, ids: Sequence[int], reason: str, propagate: Sequence[bool],
           actor: Actor, data: dict[str, Any]) -> list[int]:
    """Write holds on `ids` (each with its `propagate`) and their `hold` events."""
    now = dt.datetime.now(dt.UTC)
    made = conn.execute(insert(holds).returning(holds.c.id, holds.c.identifier_id,
                                                sort_by_parameter_order=True), [
        {"identifier_id": node, "reason": reason, "propagate": spreads, "placed_at": now,
         "placed_by": actor.name} for node, spreads in zip(ids, propagate, strict=True)]).all()
    conn.execute(insert(events), [
        {"identifier_id": node, "type": "hold", "actor": actor.name, "at": now,
         "data": {"hold": hold_id, "reason": reason, "propagate": spreads, **data}}
        for (hold_id, node), spreads in zip(made, propagate, strict=True)])
    return [hold_id for hold_id, _ in made]


def _read(conn: Connection, hold_ids: Sequence[int]) -> list[HoldOut]:
    """The answers of holds by id, in id order."""
    rows: list[Row[Any]] = []
    for part in chunks(list(hold_ids)):
        rows += conn.execute(_select().where(holds.c.id.in_(part))).all()
    return [hold_out(row) for row in sorted(rows, key=lambda row: row.id)]


def place(db: Database, value: str, *, reason: str, propagate: bool, actor: Actor) -> HoldOut:
    """Put an identifier on hold, with a `hold` event."""
    with db.transaction() as conn:
        hold_lock(conn, HOLDS_LOCK)
        row = require_row(conn, value)
        placed = _read(conn, _place(conn, [row.id], reason, [propagate], actor, {}))[0]
        audit.record(conn, actor, "hold.place", Target("hold", value, placed.id), before=None,
                     after={"reason": reason, "propagate": propagate})
        return placed


def hold_recall(db: Database, value: str, *, reason: str, propagate: bool,
                actor: Actor) -> HoldListOut:
    """Hold the recalled identifier and every unit that contains it, each with a hold and an
    event of its own (each unit is released on its own once it is dispositioned)."""
    with db.transaction() as conn:
        hold_lock(conn, HOLDS_LOCK)
        root = require_row(conn, value)
        units = [node for node, _, _ in reachable(conn, root.id, UP)]
        made = _place(conn, [root.id, *units], reason, [propagate] + [False] * len(units),
                      actor, {"recall": value})
        # One row for the action: each unit's hold is an event of its own, named by hold id.
        audit.record(conn, actor, "hold.recall", Target("hold", value, made[0]), before=None,
                     after={"reason": reason, "propagate": propagate, "units": len(units),
                            "holds": [made[0], made[-1]]})
        return HoldListOut(items=_read(conn, made))


def release(db: Database, value: str, *, reason: str, hold_id: int | None,
            actor: Actor) -> HoldOut:
    """Release one of an identifier's own holds, with a `release` event."""
    with db.transaction() as conn:
        row = require_row(conn, value)
        if hold_id is None:
            own = _active_on(conn, [row.id]).get(row.id, [])
            if not own:
                others = holds_on(conn, [row.id]).get(row.id, [])
                where = (f"; it is held through {others[0][0].identifier} (hold "
                         f"{others[0][0].id}): release that one" if others else "")
                raise NotOnHold(f"{value} has no active hold of its own{where}",
                                identifier=value)
            if len(own) > 1:
                ids = ", ".join(str(h.id) for h in own)
                raise ValidationFailed(f"{value} has {len(own)} active holds ({ids}); name "
                                       f"the one to release", {"hold": f"one of {ids}"})
            hold_id = int(own[0].id)
        found = conn.execute(_select().where(holds.c.id == hold_id)).first()
        if found is None or found.identifier_id != row.id:
            raise NotFound(f"{value} has no hold {hold_id}")
        now = dt.datetime.now(dt.UTC)
        changed = conn.execute(update(holds).where(holds.c.id == hold_id).where(ACTIVE).values(
            released_at=now, released_by=actor.name, release_reason=reason)).rowcount
        if not changed:
            gone = conn.execute(_select().where(holds.c.id == hold_id)).one()
            raise AlreadyReleased(f"hold {hold_id} on {value} was released by "
                                  f"{gone.released_by} at {iso(gone.released_at)}",
                                  hold=hold_out(gone).model_dump())
        conn.execute(insert(events).values(identifier_id=row.id, type="release",
                                           actor=actor.name, at=now,
                                           data={"hold": hold_id, "reason": reason}))
        released = _read(conn, [hold_id])[0]
        audit.record(conn, actor, "hold.release", Target("hold", value, hold_id),
                     before={"reason": found.reason, "propagate": bool(found.propagate)},
                     after={"released": True, "reason": reason})
        return released


def record_holds(conn: Connection, identifier_id: int) -> list[HoldOut]:
    """The active holds that hold one identifier, its own first."""
    rows = holds_on(conn, [identifier_id]).get(identifier_id, [])
    ordered = sorted(rows, key=lambda pair: (pair[1] is not None, pair[0].id))
    return [hold_out(row, through=through is not None) for row, through in ordered]
