"""Print-job endpoints: print identifiers, list, read, labels, cancel, reprint; reprint
reasons; every printing of an identifier, and its label rendered again."""

from __future__ import annotations

from flask import Blueprint, Response, request

from labelsvc.api.http import actor, endpoint, json_response, read_body
from labelsvc.api.labels import binary_answer
from labelsvc.appcontext import database, print_limits
from labelsvc.contract.common import PageQuery
from labelsvc.contract.print_models import (
    JobLabelsOut,
    JobListOut,
    JobOut,
    JobQuery,
    LabelPrintsOut,
    PrintJobIn,
    ReprintIn,
    ReprintReasonIn,
    ReprintReasonListOut,
    ReprintReasonOut,
)
from labelsvc.services import print_evidence, printing, reprints, tokens
from labelsvc.services.printing import PrintRequest

bp = Blueprint("print_jobs", __name__, url_prefix="/api/v1")
TAGS = ("print jobs",)
# Job ids are 64-bit row ids: any other number is a 404 at routing, never a database error.
JOB = "<int(min=1, max=9223372036854775807):job_id>"


@bp.post("/print-jobs")
@endpoint(capability=tokens.PRINT, body=PrintJobIn, answers={201: JobOut}, tags=TAGS)
def create(body: PrintJobIn) -> Response:
    """Print (or print again) identifiers in the registry."""
    request_ = PrintRequest(body.printer, body.template, body.copies, body.reason)
    job = printing.print_identifiers(database(), body.identifiers, request_, actor(),
                                     limits=print_limits())
    return json_response(job, 201)


@bp.get("/print-jobs")
@endpoint(query=JobQuery, answers={200: JobListOut}, tags=TAGS)
def list_(query: JobQuery) -> Response:
    """List print jobs, newest first; filter by printer and status."""
    page = printing.list_jobs(database(), printer=query.printer, status=query.status,
                              limit=query.limit, cursor=query.cursor)
    return json_response(page)


@bp.get(f"/print-jobs/{JOB}")
@endpoint(answers={200: JobOut}, tags=TAGS)
def read(job_id: int) -> Response:
    """Read a print job and its progress."""
    return json_response(printing.read_job(database(), job_id))


@bp.get(f"/print-jobs/{JOB}/labels")
@endpoint(query=PageQuery, answers={200: JobLabelsOut}, tags=TAGS)
def labels(job_id: int, query: PageQuery) -> Response:
    """Page through a job's labels in print order with their state."""
    page = printing.job_labels(database(), job_id, limit=query.limit, cursor=query.cursor)
    return json_response(page)


@bp.post(f"/print-jobs/{JOB}/cancel")
@endpoint(capability=tokens.PRINT, answers={200: JobOut, 202: JobOut}, tags=TAGS)
def cancel(job_id: int) -> Response:
    """Cancel: at once when waiting (200), before the next label when printing (202)."""
    job, status = printing.cancel_job(database(), job_id, actor())
    return json_response(job, status)


@bp.post(f"/print-jobs/{JOB}/reprint")
@endpoint(capability=tokens.PRINT, answers={201: JobOut}, tags=TAGS)
def reprint(job_id: int) -> Response:
    """Print a job's identifiers again as a new job; printer, template and copies may be
    changed; `reason` is needed when a label was printed before (422 without)."""
    body = read_body(ReprintIn) if request.get_data(cache=True).strip() else ReprintIn()
    job = printing.reprint_job(database(), job_id, actor(), reason=body.reason,
                               printer=body.printer, template=body.template, copies=body.copies,
                               limits=print_limits())
    return json_response(job, 201)


@bp.get("/reprint-reasons")
@endpoint(answers={200: ReprintReasonListOut}, tags=TAGS)
def list_reprint_reasons() -> Response:
    """Every reprint reason: built-in ones (connection-reset is the worker's own) and the
    registered ones."""
    return json_response(reprints.list_reasons(database()))


@bp.post("/reprint-reasons")
@endpoint(capability=tokens.DEFINE_REPRINT_REASONS, body=ReprintReasonIn,
          answers={201: ReprintReasonOut}, tags=TAGS)
def register_reprint_reason(body: ReprintReasonIn) -> Response:
    """Register a custom reprint reason (admins)."""
    return json_response(reprints.register(database(), body.name, body.description,
                                           actor()), 201)


@bp.get("/identifiers/<path:value>/prints")
@endpoint(query=PageQuery, answers={200: LabelPrintsOut}, tags=TAGS)
def prints(value: str, query: PageQuery) -> Response:
    """Every label of an identifier sent to a printer: job, printer, template version, copy,
    send, reprint and reason, time, person, format and SHA-256 of the bytes sent."""
    page = print_evidence.list_prints(database(), value, limit=query.limit,
                                      cursor=query.cursor)
    return json_response(page)


@bp.get("/identifiers/<path:value>/prints/<int(max=9223372036854775807):print_id>.png")
@binary_answer(("image/png",), "the label as printed, rendered again at the printer's dpi")
@endpoint(answers={200: None}, tags=TAGS)
def print_png(value: str, print_id: int) -> Response:
    """One printing rendered again as PNG from its stored values and template version;
    `Evidence-Reproduced` says whether rendering it in its original format gives the stored
    SHA-256 (`Evidence-SHA256`) again."""
    again = print_evidence.render_again(database(), value, print_id)
    return Response(again.png, mimetype="image/png", headers={
        "Evidence-SHA256": again.sha256,
        "Evidence-Reproduced": "true" if again.reproduced else "false"})
