"""Prepare: a request checked against one scheme version, before anything is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from labelsvc.contract.models import LotsIn, SerialsIn
from labelsvc.errors import ValidationFailed
from labelsvc.registry.queries import find_identifier
from labelsvc.services import holds
from labelsvc.services.printing import PrintRequest
from labelsvc.services.schemes import CurrentScheme
from labelsvc.services.tokens import Actor


@dataclass
class IssueRequest:
    """What a line or a receiver asks for."""

    kind: str
    scheme: str
    fields: dict[str, str]
    count: int = 1
    date: dt.date | dt.datetime | None = None
    lot: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    quantity: float | None = None
    uom: str | None = None
    expiry: dt.date | None = None
    print: PrintRequest | None = None

    @classmethod
    def of(cls, body: SerialsIn | LotsIn) -> IssueRequest:
        """The request an issue body asks for (the API's and the web forms' alike)."""
        printing = (PrintRequest(body.print.printer, body.print.template, body.print.copies)
                    if body.print else None)
        common: dict[str, Any] = {"scheme": body.scheme, "fields": dict(body.fields),
                                  "count": body.count, "date": body.date, "print": printing}
        attributes = dict(body.attributes)
        if isinstance(body, SerialsIn):
            return cls(kind="serial", lot=body.lot, attributes=attributes, **common)
        for key in ("supplier", "supplier_lot"):
            if getattr(body, key) is not None:
                attributes[key] = getattr(body, key)
        return cls(kind="lot", quantity=body.quantity, uom=body.uom, expiry=body.expiry,
                   attributes=attributes, **common)


@dataclass(frozen=True)
class Prepared:
    """A request checked against one scheme version: its production date, counter key, the
    columns its identifier rows share and its `issued` event."""

    current: CurrentScheme
    lot: str | None
    fields: dict[str, str]
    day: dt.date
    key: str
    base: dict[str, Any]
    event: dict[str, Any]

    def values(self, seqs: Sequence[int]) -> list[str]:
        """The identifiers these counter positions make under this scheme version."""
        return self.current.scheme.format_many(self.fields, self.day, seqs)

    def value(self, seq: int) -> str:
        """One identifier, drawn again (a scheme with random characters draws anew each time)."""
        return self.current.scheme.format(fields=self.fields, date=self.day, seq=seq)


def prepare(conn: Connection, current: CurrentScheme, req: IssueRequest,
            actor: Actor) -> Prepared:
    """Check the request against one scheme version; refusals raise before anything is written."""
    scheme = current.scheme
    if scheme.kind != req.kind:
        raise ValidationFailed(
            f"{req.scheme} is a {scheme.kind} scheme; issue it as {scheme.kind}s",
            {"scheme": f"{req.scheme} is a {scheme.kind} scheme"})
    day = scheme.production_date(req.fields, req.date)
    key = scheme.counter_key(fields=req.fields, date=day)
    scheme.format(fields=req.fields, date=day, seq=scheme.start)  # every field it needs
    base = _base_row(current, req, actor, day, _lot_id(conn, req))
    event = {"type": "issued", "actor": actor.name, "at": base["issued_at"],
             "data": {"scheme": current.name, "version": current.version}}
    return Prepared(current, req.lot, dict(req.fields), day, key, base, event)


def _lot_id(conn: Connection, req: IssueRequest) -> int | None:
    """Find the lot a serial is issued into; a held lot is refused (in the transaction that
    issues, so a hold placed meanwhile is never missed)."""
    if req.lot is None:
        return None
    row = find_identifier(conn, req.lot)
    if row is None or row.kind != "lot":
        raise ValidationFailed(f"no lot {req.lot} in the registry", {"lot": f"no lot {req.lot}"})
    if row.status == "voided":
        raise ValidationFailed(f"lot {req.lot} is voided", {"lot": f"lot {req.lot} is voided"})
    holds.refuse_held(conn, [row.id], "no serial can be issued into it")
    return int(row.id)


def _base_row(current: CurrentScheme, req: IssueRequest, actor: Actor, day: dt.date,
              lot_id: int | None) -> dict[str, Any]:
    """The columns every identifier of one request shares."""
    attributes = dict(req.attributes)
    warranty_days = attributes.get("warranty_days", current.scheme.warranty_days)
    return {
        "kind": req.kind, "scheme_id": current.id, "scheme_version": current.version,
        "status": "issued", "fields": req.fields, "production_date": day,
        "lot_id": lot_id, "attributes": attributes, "quantity": req.quantity, "uom": req.uom,
        "expiry": req.expiry, "supplier": _text(attributes.get("supplier")),
        "supplier_lot": _text(attributes.get("supplier_lot")),
        "model": _text(req.fields.get("model")), "site": _text(req.fields.get("site")),
        "issued_at": dt.datetime.now(dt.UTC), "issued_by": actor.name, "shipped_at": None,
        "warranty_days": warranty_days if isinstance(warranty_days, int) else None,
    }


def _text(value: Any) -> str | None:
    """Keep a searchable copy of a scalar value."""
    return None if value is None else str(value)[:200]
