"""What one issuing process learnt and may trust: scheme versions and where counters stood."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from labelsvc.errors import ValidationFailed
from labelsvc.services.schemes import CurrentScheme, load_current

# Counters whose last position a process keeps (a new key per model, site and week or day).
MAX_POSITIONS = 10_000


@dataclass(frozen=True)
class Position:
    """Where a counter stood after this process last issued from it, and how far it had
    moved unseen before that (other processes, other threads)."""

    next: int
    moved: int = 0


class IssuingCache:
    """Scheme versions as this process last saw them, and counter positions it expects.

    Neither is trusted blindly: every reservation checks the scheme version it was prepared
    with is still current, and the single statement takes a block only where the counter
    really stands. Stale entries cost a retry, never a wrong identifier.
    """

    def __init__(self) -> None:
        self._schemes: dict[str, CurrentScheme] = {}
        self._positions: dict[tuple[int, str], Position] = {}

    def scheme(self, conn: Connection, name: str, *, fresh: bool = False) -> CurrentScheme:
        """The scheme's current version as last seen, or read from the registry."""
        current = None if fresh else self._schemes.get(name)
        if current is None:
            current = load_current(conn, name)
            if current is None:
                raise ValidationFailed(f"no scheme named {name}",
                                       {"scheme": f"no scheme named {name}"})
            self._schemes[name] = current
        return current

    def position(self, scheme_id: int, key: str) -> Position | None:
        """Where this process last saw a counter stand (None: not used here yet)."""
        return self._positions.get((scheme_id, key))

    def remember(self, scheme_id: int, key: str, position: Position) -> None:
        """Note where a counter stands after this process issued from it (once committed)."""
        if len(self._positions) >= MAX_POSITIONS:
            self._positions.clear()
        self._positions[(scheme_id, key)] = position
