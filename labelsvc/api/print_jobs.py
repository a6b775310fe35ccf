"""Print-job endpoints: print identifiers, list, read, labels, cancel, reprint."""

from __future__ import annotations

from flask import Blueprint, Response, request

from labelsvc.api.http import actor, endpoint, json_response, read_body
from labelsvc.appcontext import database, label_limit
from labelsvc.contract.common import PageQuery
from labelsvc.contract.print_models import (
    JobLabelsOut,
    JobListOut,
    JobOut,
    JobQuery,
    PrintJobIn,
    ReprintIn,
)
from labelsvc.services import printing, tokens
from labelsvc.services.printing import PrintRequest

bp = Blueprint("print_jobs", __name__, url_prefix="/api/v1")
TAGS = ("print jobs",)
# Job ids are 64-bit row ids: any other number is a 404 at routing, never a database error.
JOB = "<int(min=1, max=9223372036854775807):job_id>"


@bp.post("/print-jobs")
@endpoint(capability=tokens.PRINT, body=PrintJobIn, answers={201: JobOut}, tags=TAGS)
def create(body: PrintJobIn) -> Response:
    """Print (or print again) identifiers in the registry."""
    job = printing.print_identifiers(database(), body.identifiers,
                                     PrintRequest(body.printer, body.template, body.copies),
                                     actor(), max_labels=label_limit())
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
    """Print a job's identifiers again as a new job; the body `{printer?, template?, copies?}`
    is optional."""
    body = read_body(ReprintIn) if request.get_data(cache=True).strip() else ReprintIn()
    job = printing.reprint_job(database(), job_id, actor(), printer=body.printer,
                               template=body.template, copies=body.copies,
                               max_labels=label_limit())
    return json_response(job, 201)
