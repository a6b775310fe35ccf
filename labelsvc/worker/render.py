"""Render the labels of a job chunk in the printer's label format, with the job's pinned
template version and each label's `REPRINT n` (through the labels service)."""

from __future__ import annotations

from sqlalchemy import Connection

from labelsvc.services.job_states import RenderChunk
from labelsvc.services.label_templates import Compiled
from labelsvc.services.labels import render_records
from labelsvc.services.print_evidence import Label, Rendered, render_documents


def chunk_renderer(template: Compiled, label_format: str, dpi: int) -> RenderChunk:
    """What renders a chunk's labels, in order, as the documents handed to the driver."""

    def render(conn: Connection, labels: list[Label]) -> Rendered:
        reprints = {label.identifier_id: label.reprint_no for label in labels}
        records = list(render_records(conn, [label.identifier_id for label in labels],
                                      reprints))
        return Rendered(label_format, dpi, render_documents(template, records, label_format,
                                                            dpi), records)

    return render
