"""Placeholders in label values: `{value}`, `{fields.NAME}`, `{attributes.NAME}`, `{x:FMT}`.

`{reprint}` is the one that may be empty: nothing on a label's first print, `REPRINT n` on
its n-th reprint (the registry fills it in the record).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from templates.errors import TemplateError

RECORD_KEYS = frozenset(
    {"value", "kind", "scheme", "version", "status", "lot", "expiry", "quantity", "uom",
     "issued_at", "issued_by", "date", "reprint"}
)
# Record keys that print nothing when the record has no value for them.
OPTIONAL_KEYS = frozenset({"reprint"})
NESTED_KEYS = frozenset({"fields", "attributes"})
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}:]*)(?::([^{}]*))?\}|[{}]")
_NAME = re.compile(r"[A-Za-z0-9_-]+")

Record = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Placeholder:
    """One `{path}` or `{path:FMT}` in a template value."""

    path: str
    fmt: str | None

    @property
    def text(self) -> str:
        """Return the placeholder as written in the template."""
        return "{" + self.path + (f":{self.fmt}" if self.fmt is not None else "") + "}"

    def lookup(self, record: Record) -> Any:
        """Return the raw value for this placeholder, or None when the record has none."""
        head, _, name = self.path.partition(".")
        if not name:
            return record.get(head)
        found = (record.get(head) or {}).get(name)
        if found is None and head == "attributes":
            found = ((record.get("lot_record") or {}).get("attributes") or {}).get(name)
        return found

    def fill(self, record: Record) -> str:
        """Return the printed text for this placeholder, or raise TemplateError."""
        raw = self.lookup(record)
        if (raw is None or raw == "") and self.path in OPTIONAL_KEYS:
            return ""
        if raw is None or raw == "":
            raise TemplateError(f"placeholder {self.text} has no value for this record")
        if self.fmt is not None:
            return _as_date(raw, self, record).strftime(self.fmt)
        if isinstance(raw, datetime | date):
            return raw.isoformat()
        return str(raw)


Part = str | Placeholder


def parse(text: str) -> tuple[Part, ...]:
    """Split a template value into literals and placeholders; raise ValueError on unknown ones."""
    parts: list[Part] = []
    literal: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        literal.append(text[pos : m.start()])
        pos = m.end()
        token = m.group(0)
        if token in ("{{", "}}"):
            literal.append(token[0])
            continue
        if token in ("{", "}"):
            raise ValueError(f"unbalanced brace at position {m.start()}; write {{{{ or }}}}")
        path, fmt = m.group(1), m.group(2)
        _check_path(path)
        if literal:
            parts.append("".join(literal))
            literal = []
        parts.append(Placeholder(path, fmt))
    literal.append(text[pos:])
    if "".join(literal):
        parts.append("".join(literal))
    return tuple(parts)


def fill(parts: tuple[Part, ...], record: Record) -> str:
    """Return the parts with every placeholder filled from the record."""
    return "".join(p if isinstance(p, str) else p.fill(record) for p in parts)


def _check_path(path: str) -> None:
    head, dot, name = path.partition(".")
    if not dot and head in RECORD_KEYS:
        return
    if dot and head in NESTED_KEYS and _NAME.fullmatch(name):
        return
    known = ", ".join(sorted(RECORD_KEYS)) + ", fields.NAME, attributes.NAME"
    raise ValueError(f"unknown placeholder {{{path}}}; known: {known}")


def _as_date(raw: Any, ph: Placeholder, record: Record) -> date:
    if isinstance(raw, datetime | date):
        value: date = raw
    elif isinstance(raw, str):
        try:
            timed = "T" in raw or " " in raw
            value = datetime.fromisoformat(raw) if timed else date.fromisoformat(raw)
        except ValueError:
            raise TemplateError(f"placeholder {ph.text} needs a date, got {raw!r}") from None
    else:
        raise TemplateError(f"placeholder {ph.text} needs a date, got {raw!r}")
    if isinstance(value, datetime) and value.tzinfo is not None and record.get("timezone"):
        try:
            value = value.astimezone(ZoneInfo(str(record["timezone"])))
        except ZoneInfoNotFoundError:
            raise TemplateError(f"unknown time zone {record['timezone']!r}") from None
    return value
