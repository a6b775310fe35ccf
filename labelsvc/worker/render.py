"""Render the labels of a job chunk from identifier rows, in the printer's label format."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from labelsvc.registry.queries import find_identifiers_by_id, identifier_object
from templates import Template, render, render_bytes


def records_for(conn: Connection, identifier_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Render records for identifiers, in the order given (repeats allowed)."""
    rows = find_identifiers_by_id(conn, identifier_ids)
    lot_ids = {r.lot_id for r in rows.values() if r.lot_id is not None}
    lots = find_identifiers_by_id(conn, list(lot_ids - set(rows))) if lot_ids else {}
    lots.update({k: v for k, v in rows.items() if k in lot_ids})
    out = []
    for identifier_id in identifier_ids:
        row = rows[identifier_id]
        record = identifier_object(row)
        if record["kind"] == "lot":
            record["lot"] = record["value"]
        if row.lot_id in lots:
            record["lot_record"] = identifier_object(lots[row.lot_id])
        out.append(record)
    return out


def render_labels(template: Template, records: Sequence[dict[str, Any]], label_format: str,
                  dpi: int | None) -> list[bytes]:
    """One printable document per record: a ZPL format, or a one-page PDF."""
    if label_format == "pdf":
        return [render_bytes(template, [record], "pdf", dpi) for record in records]
    if label_format == "png":
        return list(render(template, records, "png", dpi))
    return list(render(template, records, "zpl", dpi))
