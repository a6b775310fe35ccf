"""The evidence of every label sent to a printer: one `label_prints` row per label, copy and
send, written in the transaction that marks the label sent (services.job_states).

Each row keeps the printer, the job's pinned template version, the identifier's scheme
version, the copy, the send (2 and more: sent again after a broken connection), the reprint
number and reason, when, whose job it was, the label format and dpi, the SHA-256 of the exact
bytes handed to the printer's driver (a ZPL format, or the one-page PDF of that label), and the
render record merged into it. From those the label can be rendered again and checked against
its hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select

from labelsvc.contract.print_models import LabelPrintOut, LabelPrintsOut
from labelsvc.errors import NotFound, ValidationFailed
from labelsvc.registry.database import Database
from labelsvc.registry.models import identifiers, label_prints, printers
from labelsvc.registry.queries import find_identifier, iso
from labelsvc.services.label_templates import Compiled, template_at
from labelsvc.services.labels import render_from_records
from labelsvc.services.paging import cursor_position, encode_cursor
from templates import TemplateError
from templates.render import Format


@dataclass(frozen=True)
class Rendered:
    """A chunk of labels as handed to the driver, each with the record merged into it."""

    format: str
    dpi: int
    documents: list[bytes]
    records: list[dict[str, Any]]


def render_documents(template: Compiled, records: Sequence[Mapping[str, Any]],
                     label_format: str, dpi: int) -> list[bytes]:
    """One printable document per record, in order: a ZPL format, a PNG, or a one-page PDF."""
    if label_format == "pdf":
        return [b"".join(render_from_records(template, [r], "pdf", dpi)) for r in records]
    kind: Format = "png" if label_format == "png" else "zpl"
    return list(render_from_records(template, records, kind, dpi))


@dataclass(frozen=True)
class Label:
    """One label about to be sent: its place in the job, identifier and copy, which send of
    it this is, and, printed again on purpose, its reprint number and reason."""

    position: int
    identifier_id: int
    copy: int
    reprint: bool
    send: int = 1
    scheme_version: int = 0
    reprint_no: int = 0
    reason: str | None = None


def record_sends(conn: Connection, job: Any, sent: Sequence[Label], rendered: Rendered,
                 now: dt.datetime) -> None:
    """Write the evidence rows of labels about to be sent, in the caller's transaction."""
    if not sent:
        return
    shared = {"job_id": job.id, "printer_id": job.printer_id, "template": job.template,
              "template_version": job.template_version, "sent_at": now,
              "actor": job.created_by, "format": rendered.format, "dpi": rendered.dpi}
    conn.execute(insert(label_prints), [
        {**shared, "position": s.position, "identifier_id": s.identifier_id, "copy": s.copy,
         "send": s.send, "scheme_version": s.scheme_version, "reprint_no": s.reprint_no,
         "reason": s.reason, "sha256": hashlib.sha256(document).hexdigest(), "record": record}
        for s, document, record in zip(sent, rendered.documents, rendered.records,
                                       strict=True)])


def _identifier_id(conn: Connection, value: str) -> int:
    row = find_identifier(conn, value)
    if row is None:
        raise NotFound(f"no identifier {value} in the registry")
    return int(row.id)


def _select() -> Any:
    return (select(label_prints, printers.c.name.label("printer_name"),
                   identifiers.c.value)
            .join(printers, printers.c.id == label_prints.c.printer_id)
            .join(identifiers, identifiers.c.id == label_prints.c.identifier_id))


def _answer(row: Any) -> LabelPrintOut:
    return LabelPrintOut(
        id=row.id, value=row.value, job=row.job_id, position=row.position,
        printer=row.printer_name, template=row.template,
        template_version=row.template_version, scheme_version=row.scheme_version,
        copy=row.copy, send=row.send, reprint=row.reprint_no, reason=row.reason,
        sent_at=iso(row.sent_at), actor=row.actor, format=row.format, dpi=row.dpi,
        sha256=row.sha256, values=row.record)


def list_prints(db: Database, value: str, *, limit: int, cursor: str | None) -> LabelPrintsOut:
    """Every label of an identifier sent to a printer, oldest first."""
    after = cursor_position(cursor)
    with db.transaction(write=False) as conn:
        query = _select().where(label_prints.c.identifier_id == _identifier_id(conn, value))
        if after is not None:
            query = query.where(label_prints.c.id > after)
        rows = conn.execute(query.order_by(label_prints.c.id).limit(limit + 1)).all()
    more = len(rows) > limit
    return LabelPrintsOut(items=[_answer(r) for r in rows[:limit]],
                          next_cursor=encode_cursor(rows[limit - 1].id) if more else None)


@dataclass(frozen=True)
class Reproduction:
    """A stored label rendered again: the PNG, and whether its original format reproduces
    the stored hash."""

    png: bytes
    sha256: str
    reproduced: bool


def render_again(db: Database, value: str, print_id: int) -> Reproduction:
    """Render one printing again from its stored values and pinned template version."""
    with db.transaction(write=False) as conn:
        row = conn.execute(_select().where(label_prints.c.id == print_id).where(
            label_prints.c.identifier_id == _identifier_id(conn, value))).first()
        if row is None:
            raise NotFound(f"{value} has no printing {print_id}")
        template = template_at(conn, row.template, row.template_version)
    if template is None:
        raise NotFound(f"label template {row.template} version {row.template_version} is no "
                       "longer known")
    try:
        again = render_documents(template, [row.record], row.format, row.dpi)[0]
        png = again if row.format == "png" else render_documents(
            template, [row.record], "png", row.dpi)[0]
    except TemplateError as exc:
        raise ValidationFailed(f"printing {print_id} cannot be rendered again: {exc}",
                               {"template": str(exc)}) from None
    return Reproduction(png, row.sha256, hashlib.sha256(again).hexdigest() == row.sha256)
