"""Split a raw printer byte stream into ZPL formats (`^XA…^XZ`) and `~` control commands."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PRINT_QUANTITY = re.compile(rb"\^PQ(\d+)", re.IGNORECASE)
# Parameter characters that follow a control command's two letters (~HQES, ~JS...).
_CONTROL_PARAMETERS = {b"HQ": 2}


@dataclass(frozen=True, slots=True)
class ReceivedFormat:
    """One complete label format as received, `^XA` to `^XZ` inclusive."""

    data: bytes

    @property
    def quantity(self) -> int:
        """Labels this format prints (its `^PQ`, else one)."""
        match = _PRINT_QUANTITY.search(self.data)
        return max(1, int(match.group(1))) if match else 1


@dataclass(frozen=True, slots=True)
class ControlCommand:
    """A `~` command received between formats, such as `~HS`."""

    name: str
    parameters: str = ""


class ZplStreamParser:
    """Incremental parser: feed bytes as they arrive, get whole formats and commands.

    `~` commands are recognised between formats only; inside a format everything up
    to `^XZ` belongs to the format (our labels escape `~` and `^` in field data).
    """

    def __init__(self) -> None:
        self._buffer = b""
        self._in_format = False
        self._scan_from = 0

    @property
    def partial_format(self) -> bool:
        """True while a format has begun (`^XA`) but not ended."""
        return self._in_format

    def feed(self, data: bytes) -> list[ReceivedFormat | ControlCommand]:
        """Add received bytes; return the formats and commands they complete, in order."""
        self._buffer += data
        events: list[ReceivedFormat | ControlCommand] = []
        while True:
            if self._in_format:
                end = _find_end(self._buffer, self._scan_from)
                if end < 0:
                    self._scan_from = max(0, len(self._buffer) - 2)
                    return events
                events.append(ReceivedFormat(self._buffer[: end + 3]))
                self._buffer = self._buffer[end + 3 :]
                self._in_format = False
                self._scan_from = 0
                continue
            upper = self._buffer.upper()
            start, tilde = upper.find(b"^XA"), upper.find(b"~")
            if tilde >= 0 and (start < 0 or tilde < start):
                name = upper[tilde + 1 : tilde + 3]
                end = tilde + 3 + _CONTROL_PARAMETERS.get(name, 0)
                if len(self._buffer) < end:
                    self._buffer = self._buffer[tilde:]
                    return events
                parameters = self._buffer[tilde + 3 : end].decode("latin-1")
                events.append(ControlCommand(name.decode("latin-1"), parameters))
                self._buffer = self._buffer[end:]
            elif start >= 0:
                self._buffer = self._buffer[start:]
                self._in_format = True
            else:
                keep = 2 if upper.endswith(b"^X") else 1 if upper.endswith(b"^") else 0
                self._buffer = self._buffer[len(self._buffer) - keep :]
                return events


def _find_end(buffer: bytes, start: int) -> int:
    """Find the first `^XZ` in any letter case at or after `start`, or -1."""
    hits = [buffer.find(end, start) for end in (b"^XZ", b"^Xz", b"^xZ", b"^xz")]
    return min((hit for hit in hits if hit >= 0), default=-1)
