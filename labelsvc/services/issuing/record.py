"""Record: identifier rows and their `issued` events for the positions of reserved blocks."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

from sqlalchemy import BigInteger, Connection, String, insert, update

from labelsvc.errors import IdentifierCollision, ValidationFailed
from labelsvc.registry import driver
from labelsvc.registry.models import counter_skips, counters, events, identifiers
from labelsvc.registry.queries import Columns, insert_rows, rows_insert, with_issued_events
from labelsvc.services.issuing.prepare import Prepared
from labelsvc.services.issuing.reserve import Block, reserve_block

log = logging.getLogger(__name__)

# How many times a random value that collides is drawn again before giving up.
RANDOM_RETRIES = 20

# value -> (counter position, identifier row id)
Recorded = dict[str, tuple[int, int]]


def insert_identifiers(conn: Connection, prepared: Prepared, counter_id: int,
                       batch: Mapping[str, int | None]) -> dict[str, int]:
    """Insert the values still free (value -> counter position) and their `issued` events;
    return value -> row id of those inserted. Values issued already are left out, not raised.

    On PostgreSQL both go in one statement (a data-modifying WITH), one round trip.
    """
    if not batch:
        return {}
    columns: Columns = {"value": (String(), list(batch)),
                        "seq": (BigInteger(), list(batch.values()))}
    # Columns left out are NULL: a serial without a lot sends half the parameters.
    constants = {k: v for k, v in prepared.base.items() if v is not None}
    stmt, params = rows_insert(conn, identifiers, {**constants, "counter_id": counter_id},
                               columns, ignore_conflicts=True)
    event = prepared.event
    if conn.dialect.name == "postgresql":
        params.update({f"event_{k}": v for k, v in event.items()})
        rows = driver.rows(conn, with_issued_events(stmt, tuple(event)), params)
        return {value: id_ for id_, value in rows}
    found = {r.value: r.id
             for r in conn.execute(stmt.returning(identifiers.c.id, identifiers.c.value), params)}
    if found:
        insert_rows(conn, events, event, {"identifier_id": (BigInteger(), list(found.values()))})
    return found


def record_skips(conn: Connection, counter_id: int, skips: list[tuple[int, str]]) -> None:
    """Note counter values passed over because another scheme issued them already."""
    now = dt.datetime.now(dt.UTC)
    conn.execute(insert(counter_skips), [
        {"counter_id": counter_id, "seq": seq, "value": value,
         "reason": "issued already by another scheme", "at": now} for seq, value in skips])
    conn.execute(update(counters).where(counters.c.id == counter_id)
                 .values(skipped=counters.c.skipped + len(skips)))
    log.warning("skipped %d value(s) already issued elsewhere, e.g. %s", len(skips), skips[0][1])


def record_block(conn: Connection, prepared: Prepared, block: Block, taken: Recorded
                 ) -> Recorded:
    """Record the identifiers of a block's positions; what is new goes into `taken` too.

    A value issued already (by another scheme) is skipped and noted; a random value that
    collides is drawn again, up to RANDOM_RETRIES times.
    """
    scheme = prepared.current.scheme
    pending = list(zip(block.seqs, prepared.values(block.seqs), strict=True))
    new: Recorded = {}
    for attempt in range(RANDOM_RETRIES + 1):
        batch: dict[str, int] = {}
        retry: list[tuple[int, str]] = []
        for seq, value in pending:
            if value in taken or value in batch:
                retry.append((seq, value))
            else:
                batch[value] = seq
        inserted = insert_identifiers(conn, prepared, block.counter_id,
                                      batch if scheme.has_seq else dict.fromkeys(batch))
        for value, id_ in inserted.items():
            taken[value] = new[value] = (batch[value], id_)
        retry += [(seq, value) for value, seq in batch.items() if value not in inserted]
        if not retry:
            break
        if not scheme.has_rand:
            record_skips(conn, block.counter_id, retry)
            break
        if attempt == RANDOM_RETRIES:
            raise IdentifierCollision(
                f"{len(retry)} random value(s) of {prepared.current.name} kept colliding with "
                f"values already issued; the random space is nearly full")
        pending = [(seq, prepared.value(seq)) for seq, _ in retry]
    return new


def issue_blocks(conn: Connection, prepared: Prepared, count: int, *,
                 check_version: bool = True) -> tuple[Recorded, int]:
    """Reserve and record until `count` identifiers are issued, in counter order; also the
    counter's next value after the last block (skipped values take another block)."""
    taken: Recorded = {}
    after = 0
    while len(taken) < count:
        block = reserve_block(conn, prepared, count - len(taken),
                              check_version=check_version and not taken)
        record_block(conn, prepared, block, taken)
        after = block.after
    return dict(sorted(taken.items(), key=lambda item: item[1][0])), after


def record_values(conn: Connection, prepared: Prepared, block: Block,
                  values: Mapping[int, str]) -> Recorded:
    """Record identifiers made elsewhere (a line printing offline) at positions of a block
    reserved for them: each must be what the scheme makes at its position, and none may be
    issued already."""
    wrong = {f"values[{seq}]": why for seq, value in values.items()
             if (why := _misfit(prepared, block, seq, value))}
    if wrong:
        raise ValidationFailed(f"{len(wrong)} value(s) do not fit the reserved block",
                               dict(list(wrong.items())[:20]))
    batch = {value: seq for seq, value in sorted(values.items())}
    if len(batch) < len(values):
        raise ValidationFailed("the same value is given for two positions",
                               {"values": "each value once"})
    inserted = insert_identifiers(conn, prepared, block.counter_id, batch)
    issued = sorted(set(batch) - set(inserted))
    if issued:
        raise IdentifierCollision(f"{len(issued)} value(s) are in the registry already, "
                                  f"e.g. {issued[0]}; nothing was recorded")
    return {value: (batch[value], id_) for value, id_ in inserted.items()}


def _misfit(prepared: Prepared, block: Block, seq: int, value: str) -> str | None:
    """Why a value made elsewhere cannot be recorded at `seq`, or None when it fits."""
    if seq not in block.seqs:
        return f"position {seq} is outside the block {block.first}–{block.after - 1}"
    scheme = prepared.current.scheme
    if scheme.has_rand:
        return None if scheme.matches(value) else f"{value} is not a {prepared.current.name} value"
    expected = prepared.value(seq)
    return None if value == expected else f"position {seq} makes {expected}, not {value}"
