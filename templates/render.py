"""Render labels from records: ZPL, PDF or PNG, streaming one label at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO, Literal

from templates import pdf, raster, zpl
from templates.errors import TemplateError
from templates.layout import Layout, Op, layout
from templates.model import Template
from templates.placeholders import Record

Format = Literal["zpl", "pdf", "png"]
FORMATS: tuple[Format, ...] = ("zpl", "pdf", "png")


def render(
    template: Template, records: Iterable[Record], format: Format, dpi: int | None = None
) -> Iterator[bytes]:
    """Yield the output in chunks: a ZPL format per label, PDF pieces, or one PNG per label.

    A TemplateError carries the element (`field`) and the index of the record (`record`).
    """
    if format not in FORMATS:
        raise TemplateError(f"format {format!r} is not one of zpl, pdf, png", "format")
    plan = layout(template, dpi)
    if format == "pdf":
        yield from pdf.document(plan, _ops(plan, records))
        return
    for ops in _ops(plan, records):
        yield zpl.label(plan, ops).encode("utf-8") if format == "zpl" else raster.png(plan, ops)


def render_to(
    template: Template, records: Iterable[Record], format: Format, out: BinaryIO,
    dpi: int | None = None,
) -> int:
    """Write every label to a file-like object; return the number of bytes written."""
    written = 0
    for chunk in render(template, records, format, dpi):
        out.write(chunk)
        written += len(chunk)
    return written


def render_bytes(
    template: Template, records: Iterable[Record], format: Format, dpi: int | None = None
) -> bytes:
    """Return the whole output at once (for a few labels; use render_to for many)."""
    return b"".join(render(template, records, format, dpi))


def _ops(plan: Layout, records: Iterable[Record]) -> Iterator[list[Op]]:
    """Yield each record's operations, adding the record index to any error."""
    for j, record in enumerate(records):
        try:
            yield plan.ops(record)
        except TemplateError as exc:
            raise exc.at(record=j) from None
