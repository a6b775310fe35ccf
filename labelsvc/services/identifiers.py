"""The identifier answer: a registry row as the contract's IdentifierOut, with its warranty."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, TypeVar, overload

from sqlalchemy import Connection, Row

from labelsvc.contract.models import IdentifierOut, WarrantyOut
from labelsvc.errors import NotFound
from labelsvc.registry.queries import find_identifier, iso, number, utc
from labelsvc.services.event_types import FINAL

Answer = TypeVar("Answer", bound=IdentifierOut)


def require_row(conn: Connection, value: str) -> Any:
    """Load an identifier row or answer 404."""
    row = find_identifier(conn, value)
    if row is None:
        raise NotFound(f"{value} is not in the registry")
    return row


def warranty_out(days: int | None, shipped_at: dt.datetime | None,
                 today: dt.date | None = None, status: str = "issued") -> WarrantyOut | None:
    """The warranty of an identifier, counted from its first `shipped` event; void once the
    identifier is scrapped, consumed or voided."""
    if days is None:
        return None
    if status in FINAL:
        return _void(days)
    if shipped_at is None:
        return _not_started(days)
    starts = utc(shipped_at).date()  # type: ignore[union-attr]
    ends = starts + dt.timedelta(days=days)
    today = today or dt.datetime.now(dt.UTC).date()
    return WarrantyOut(days=days, starts=starts.isoformat(), ends=ends.isoformat(),
                       status="active" if today < ends else "expired")


@lru_cache(maxsize=256)
def _void(days: int) -> WarrantyOut:
    """The warranty of an identifier that can no longer be in service."""
    return WarrantyOut(days=days, starts=None, ends=None, status="void")


@lru_cache(maxsize=256)
def _not_started(days: int) -> WarrantyOut:
    """The warranty of every identifier not shipped yet, built once per length: an export
    answers tens of thousands of them (WarrantyOut is frozen, so they can share it)."""
    return WarrantyOut(days=days, starts=None, ends=None, status="not-started")


@overload
def identifier_out(row: Mapping[str, Any] | Row[Any]) -> IdentifierOut: ...


@overload
def identifier_out(row: Mapping[str, Any] | Row[Any], model: type[Answer],
                   **extra: Any) -> Answer: ...


def identifier_out(row: Mapping[str, Any] | Row[Any], model: type[IdentifierOut] = IdentifierOut,
                   **extra: Any) -> IdentifierOut:
    """The identifier answer of a row with `identifier_select` columns.

    An answer that extends it (a record, a trace item) names its model and adds its own
    fields in `extra`. Only lots are given quantity, uom and expiry, so a serial's answer
    leaves them out.
    """
    m: Mapping[str, Any] = row._mapping if isinstance(row, Row) else row  # type: ignore[assignment]
    lot_only = ({"quantity": number(m["quantity"]), "uom": m["uom"], "expiry": iso(m["expiry"])}
                if m["kind"] == "lot" else {})
    return model(value=m["value"], kind=m["kind"], scheme=m["scheme"], version=m["version"],
                 status=m["status"], fields=m["fields"] or {}, date=iso(m["production_date"]),
                 issued_at=iso(m["issued_at"]), issued_by=m["issued_by"], lot=m["lot"],
                 attributes=m["attributes"] or {},
                 warranty=warranty_out(m["warranty_days"], m["shipped_at"],
                                       status=m["status"]),
                 **lot_only, **extra)
