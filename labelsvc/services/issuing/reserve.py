"""Reserve: take a block of consecutive counter positions in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection

from labelsvc.errors import CounterExhausted
from labelsvc.registry import driver
from labelsvc.registry.models import counters
from labelsvc.registry.queries import RESERVE, RESERVE_IF_CURRENT, insert_ignoring_conflicts
from labelsvc.services.issuing.prepare import Prepared
from labelsvc.services.schemes import load_current


class StaleScheme(Exception):
    """The scheme has a newer version than the one the request was prepared with; raised
    before anything is written."""


@dataclass(frozen=True)
class Block:
    """Consecutive counter positions taken for one request: `first` to `first + count - 1`."""

    counter_id: int
    first: int
    count: int

    @property
    def seqs(self) -> range:
        """The positions of the block."""
        return range(self.first, self.first + self.count)

    @property
    def after(self) -> int:
        """The counter's next value once this block is taken."""
        return self.first + self.count


def ensure_counter(conn: Connection, scheme_id: int, key: str, start: int) -> None:
    """Create the counter row if it does not exist yet (race-safe)."""
    conn.execute(insert_ignoring_conflicts(conn, counters).values(
        scheme_id=scheme_id, key=key, next=start, skipped=0, created_at=dt.datetime.now(dt.UTC)))


def reserve_block(conn: Connection, prepared: Prepared, n: int, *,
                  check_version: bool = True) -> Block:
    """Take `n` consecutive counter positions atomically (one UPDATE … RETURNING).

    With `check_version`, the one check that the scheme version the request was prepared
    with is still current: StaleScheme when another process defined a newer one.
    """
    current = prepared.current
    start = current.scheme.start
    values = {"counter_scheme": current.id, "counter_key": prepared.key, "first": start,
              "n": n, "version": current.version}
    reserve = RESERVE_IF_CURRENT if check_version else RESERVE
    found = driver.rows(conn, reserve, values)
    if not found:
        if check_version:
            now = load_current(conn, current.name)
            if now is None or now.version != current.version:
                raise StaleScheme(current.name)
        ensure_counter(conn, current.id, prepared.key, start)  # the first value of this counter
        found = driver.rows(conn, reserve, values)
    counter_id, after = found[0]
    block = Block(counter_id, after - n, n)
    _refuse_past_the_end(prepared, block)
    return block


def _refuse_past_the_end(prepared: Prepared, block: Block) -> None:
    """CounterExhausted, in plant words, when the block runs past the scheme's capacity."""
    current, key = prepared.current, prepared.key
    start = current.scheme.start
    last_allowed = start + current.scheme.capacity - 1
    if block.after - 1 <= last_allowed:
        return
    first, n = block.first, block.count
    used = max(0, first - start)
    left = max(0, last_allowed - first + 1)
    ask = f"; {left:,} left, {n:,} asked" if left else ""
    raise CounterExhausted(
        f"sequence exhausted for {current.name} {key} ({used:,} used{ask})",
        {"count": f"only {left:,} left in {key}"} if left else {},
        counter=key, used=used, remaining=left)
