"""Genealogy: what an identifier is made of, what contains it, and recalls."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from labelsvc.contract.models import RecordOut, TraceItem, TraceOut
from labelsvc.errors import ValidationFailed
from labelsvc.registry.database import Database
from labelsvc.registry.models import events, genealogy
from labelsvc.registry.queries import (
    find_identifiers_by_id,
    hold_lock,
    ids_for_values,
    insert_ignoring_conflicts,
)
from labelsvc.services.identifiers import identifier_out, require_row
from labelsvc.services.links import UP, reachable
from labelsvc.services.paging import decode_cursor, encode_cursor
from labelsvc.services.records import read_record
from labelsvc.services.tokens import Actor

# Recording components takes turns under this lock: two receivers linking the same two
# identifiers in opposite directions at once would each see no cycle and make one together.
GENEALOGY_LOCK = 0x6C61_6265_6C67


def trace(db: Database, value: str, direction: str, *, limit: int,
          cursor: str | None) -> TraceOut:
    """Everything an identifier is made of (down) or is part of (up), transitively."""
    after = decode_cursor(cursor)
    with db.transaction(write=False) as conn:
        root = require_row(conn, value)
        nodes = reachable(conn, root.id, direction)
        if after:
            try:
                last = (int(after[0]), int(after[1]))
            except (TypeError, ValueError, IndexError) as exc:
                raise ValidationFailed("the cursor is not one this service handed out",
                                       {"cursor": "not a valid cursor"}) from exc
            nodes = [n for n in nodes if (n[1], n[0]) > last]
        page = nodes[:limit]
        rows = find_identifiers_by_id(conn, [n[0] for n in page] + [n[2] for n in page])
    items = [identifier_out(rows[node], TraceItem, depth=depth, via=rows[via].value)
             for node, depth, via in page]
    next_cursor = encode_cursor(page[-1][1], page[-1][0]) if len(nodes) > limit else None
    return TraceOut(identifier=identifier_out(root), items=items, next_cursor=next_cursor)


def recall(db: Database, value: str, *, limit: int, cursor: str | None) -> TraceOut:
    """Every identifier that contains `value`, transitively, with its status."""
    return trace(db, value, UP, limit=limit, cursor=cursor)


def add_components(db: Database, value: str, components: list[str], actor: Actor) -> RecordOut:
    """Record that `value` was made from `components`."""
    errors = {f"components[{n}]": "the identifier itself" for n, c in enumerate(components)
              if c == value}
    with db.transaction() as conn:
        hold_lock(conn, GENEALOGY_LOCK)  # the cycle check below sees every link committed
        parent = require_row(conn, value)
        known = ids_for_values(conn, components)
        errors.update({f"components[{n}]": f"{c} is not in the registry"
                       for n, c in enumerate(components) if c not in known})
        if not errors:
            containing = {node for node, _, _ in reachable(conn, parent.id, UP)}
            errors.update({f"components[{n}]": f"{c} is made from {value} already"
                           for n, c in enumerate(components) if known[c] in containing})
        if errors:
            raise ValidationFailed(f"cannot record components of {value}: "
                                   + "; ".join(errors.values()), errors)
        now = dt.datetime.now(dt.UTC)
        unique = list(dict.fromkeys(components))
        conn.execute(insert_ignoring_conflicts(conn, genealogy), [
            {"parent_id": parent.id, "component_id": known[c], "created_at": now,
             "created_by": actor.name} for c in unique])
        conn.execute(insert(events).values(identifier_id=parent.id, type="components-added",
                                           actor=actor.name, at=now,
                                           data={"components": unique}))
    return read_record(db, value)
