"""CSV exports (identifier and audit rows), written while they are read, safe to open in a
spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pydantic import BaseModel

# A cell starting with one of these is a formula to a spreadsheet; it is written with a
# leading apostrophe so a crafted supplier name cannot run anything on a quality engineer's PC.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 64_000
# One encoder for every cell: json.dumps with options builds a new encoder per call.
_JSON = json.JSONEncoder(ensure_ascii=False).encode


def _cell(value: Any) -> Any:
    """One CSV cell: JSON for objects, empty for None, text defused of formulas."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return _JSON(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(rows: Iterable[BaseModel], columns: Sequence[str]) -> Iterator[str]:
    """Write answers as CSV in chunks, header first; a column a row does not have (a serial's
    quantity, uom, expiry) is left empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(getattr(row, c)) for c in columns])
        if buffer.tell() > CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
