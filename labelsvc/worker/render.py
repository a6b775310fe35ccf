"""Render the labels of a job chunk in the printer's label format (through the labels service)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from labelsvc.services.label_templates import Compiled
from labelsvc.services.labels import iter_render
from templates import Format


def render_labels(conn: Connection, template: Compiled, identifier_ids: Sequence[int],
                  label_format: str, dpi: int | None) -> list[bytes]:
    """One printable document per identifier id, in order: a ZPL format or a one-page PDF."""
    if label_format == "pdf":
        return [b"".join(iter_render(conn, template, [i], "pdf", dpi)) for i in identifier_ids]
    kind: Format = "png" if label_format == "png" else "zpl"
    return list(iter_render(conn, template, identifier_ids, kind, dpi))
