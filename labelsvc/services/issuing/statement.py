"""Issue a few identifiers in one statement that commits on its own: a line's everyday request.

A production line asks for one serial at a time, all shift long, and several stations share a
counter. In the ordinary transaction (counter UPDATE … RETURNING, INSERT, COMMIT) the counter
row stays locked across two more round trips to the service, and on a busy host the service
may wait for a CPU in between: every other request for that counter waits as long.

Here the service formats the values of a short window of counter positions it expects, from
the position this process last saw, and one statement — autocommitted, so a transaction of
its own — takes the block only if the counter still stands inside that window and the scheme
version is still current, inserts the identifiers and their `issued` events, and commits. The
counter row is locked only while PostgreSQL works. When the statement writes nothing (the
counter moved past the window, a new scheme version, the counter's end near, a value issued
already by another scheme, a counter this process has not seen), the request takes the
ordinary transaction, which handles each of those cases.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    String,
    bindparam,
    cast,
    func,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import Grouping

from labelsvc.registry import driver
from labelsvc.registry.models import counters, identifiers
from labelsvc.registry.queries import (
    COUNTER_POSITION,
    RESERVE_IF_CURRENT,
    THIS_COUNTER,
    named_constant,
    with_issued_events,
)
from labelsvc.services.issuing.cache import IssuingCache, Position
from labelsvc.services.issuing.prepare import Prepared
from labelsvc.services.issuing.record import Recorded

# Requests up to this many identifiers try the single statement; larger batches spend their
# time inserting, not waiting for the counter, and go straight to the ordinary transaction.
MAX_COUNT = 100
# Counter positions formatted ahead: at least MIN_WINDOW, growing with how far the counter
# moved between this process's requests (other processes, other threads), up to MAX_WINDOW.
MIN_WINDOW = 8
MAX_WINDOW = 128


@lru_cache(maxsize=64)
def _statement(constants: tuple[str, ...], event_columns: tuple[str, ...], single: bool) -> Any:
    """Build once per shape: reserve inside the window, insert the block and its events.

    A single value comes straight from the reserved row. PostgreSQL then keeps one generic
    plan for the prepared statement; with generate_series in it, the planner expects 1,000
    rows from parameters it cannot see and plans every execution again (~0.4 ms each here).
    """
    n = bindparam("n", type_=BigInteger())
    lo = bindparam("lo", type_=BigInteger())
    reserved = (RESERVE_IF_CURRENT
                .where(COUNTER_POSITION.between(lo, bindparam("hi", type_=BigInteger())))
                .cte("reserved"))
    seq = reserved.c.next - n
    if not single:
        seq = seq + func.generate_series(0, n - 1).column_valued("offset")
    candidates = Grouping(cast(bindparam("candidates", type_=postgresql.ARRAY(String())),
                               postgresql.ARRAY(String())))
    chosen = select(*[named_constant("postgresql", identifiers.c[k], f"const_{k}")
                      for k in constants],
                    reserved.c.id, seq, candidates[seq - lo + 1])
    stmt = postgresql.insert(identifiers).from_select(
        [*constants, "counter_id", "seq", "value"], chosen)
    return with_issued_events(stmt, event_columns)


def eligible(prepared: Prepared, count: int) -> bool:
    """Whether the single statement may issue this request: a few values of a counted scheme
    without random characters (their collisions need the transaction's redraws)."""
    scheme = prepared.current.scheme
    return count <= MAX_COUNT and scheme.has_seq and not scheme.has_rand


def issue(conn: Connection, prepared: Prepared, count: int, cache: IssuingCache
          ) -> Recorded | None:
    """Issue `count` values in one autocommitted statement on `conn`, in counter order; None
    when nothing was written and the ordinary transaction has to do it."""
    current = prepared.current
    known = cache.position(current.id, prepared.key)
    if known is None or not eligible(prepared, count):
        return None
    window = _window(prepared, known.next, known.moved, count)
    if window is None:  # the counter's end is near: the transaction says how near
        return None
    done = _attempt(conn, prepared, count, window, known.moved, cache)
    if done is None:  # the counter moved past the window: once more from where it stands now
        found = driver.rows(conn, _POSITION, {"counter_scheme": current.id,
                                              "counter_key": prepared.key})
        if found and found[0][0] > known.next:
            moved = max(known.moved, found[0][0] - known.next)
            window = _window(prepared, found[0][0], moved, count)
            if window is not None:
                done = _attempt(conn, prepared, count, window, moved, cache)
    return done


def _window(prepared: Prepared, guess: int, moved: int, count: int) -> tuple[int, int] | None:
    """The first and last counter position a block may start at, from `guess` on; None when
    the counter's end leaves no room for the block there."""
    scheme = prepared.current.scheme
    lo = max(guess, scheme.start)
    last = scheme.start + scheme.capacity - 1
    hi = min(lo + min(MAX_WINDOW, MIN_WINDOW + 2 * moved) - 1, last - count + 1)
    return (lo, hi) if hi >= lo else None


# Where a counter stands now (committed), after the single statement found it moved on.
_POSITION = select(counters.c.next).where(THIS_COUNTER)


def _attempt(conn: Connection, prepared: Prepared, count: int, window: tuple[int, int],
             moved: int, cache: IssuingCache) -> Recorded | None:
    """Run the statement for a block starting inside `window`; None when it wrote nothing."""
    current = prepared.current
    lo, hi = window
    candidates = prepared.values(range(lo, hi + count))
    constants = {k: v for k, v in prepared.base.items() if v is not None}
    values = {f"const_{k}": v for k, v in constants.items()}
    values.update({f"event_{k}": v for k, v in prepared.event.items()})
    values.update(counter_scheme=current.id, counter_key=prepared.key,
                  first=current.scheme.start, lo=lo, hi=hi, n=count, version=current.version,
                  candidates=candidates)
    try:
        stmt = _statement(tuple(constants), tuple(prepared.event), count == 1)
        rows = driver.rows(conn, stmt, values)
    except IntegrityError:  # a value in the block exists already: nothing was written
        return None
    if not rows:
        return None
    index = {value: i for i, value in enumerate(candidates)}
    ordered = sorted(rows, key=lambda row: index[row[1]])
    first = lo + index[ordered[0][1]]
    # How far the counter moved unseen sizes the next window; a calm spell shrinks it slowly.
    cache.remember(current.id, prepared.key,
                   Position(first + count, max(first - lo, moved // 2)))
    return {value: (lo + index[value], id_) for id_, value in ordered}
