"""Printers with their live status, print jobs with progress, cancel, reprint and print again."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, flash, get_flashed_messages, redirect, request, url_for
from werkzeug.datastructures import MultiDict

from labelsvc.appcontext import database, print_limits
from labelsvc.errors import ValidationFailed
from labelsvc.services import printing, screens, tokens
from labelsvc.services.printing import PrintRequest
from labelsvc.web.common import actor, page, refusal, render, whole_number

bp = Blueprint("printing", __name__)
JOB_PAGE = 100
LABEL_PAGE = 200
JOB_STATUSES = ("queued", "printing", "held", "done", "cancelled", "failed")


def print_request(form: MultiDict[str, str], errors: dict[str, str],
                  prefix: str = "print.") -> PrintRequest | None:
    """The printer, template and copies a form asks for; None when no printer is chosen."""
    printer = form.get(prefix + "printer", "").strip()
    if not printer:
        return None
    template = form.get(prefix + "template", "").strip()
    copies = whole_number(form, prefix + "copies", 1, errors) or 1
    if not template:
        errors[prefix + "template"] = "choose the label template"
    if not 1 <= copies <= 100:
        errors[prefix + "copies"] = "1 to 100 labels each"
    return PrintRequest(printer, template, copies)


@bp.get("/printers")
@page()
def printers_page() -> Response:
    """Every printer and its last status; the table refreshes itself."""
    return render("printing/printers.html", board=screens.printer_board(database()))


@bp.get("/printers/_board")
@page()
def printer_rows() -> Response:
    """The printer table's rows (a live fragment)."""
    return render("printing/_printer_rows.html", board=screens.printer_board(database()))


def _jobs(args: MultiDict[str, str]) -> dict[str, Any]:
    """The jobs page's listing for its filters."""
    status = args.get("status") if args.get("status") in JOB_STATUSES else None
    listing = printing.list_jobs(database(), printer=args.get("printer") or None, status=status,
                                 limit=JOB_PAGE, cursor=args.get("cursor") or None)
    return {"jobs": listing.items, "next_cursor": listing.next_cursor, "status": status,
            "printer": args.get("printer", ""), "statuses": JOB_STATUSES}


@bp.get("/jobs")
@page()
def jobs_page() -> Response:
    """Print jobs, newest first, with their progress; the table refreshes itself."""
    return render("printing/jobs.html", **_jobs(request.args))


@bp.get("/jobs/_rows")
@page()
def job_rows() -> Response:
    """The job table's rows (a live fragment)."""
    return render("printing/_job_rows.html", **_jobs(request.args))


@bp.get("/jobs/<int:job_id>")
@page()
def job_page(job_id: int) -> Response:
    """One job: progress, its labels' states, cancel and reprint."""
    labels = printing.job_labels(database(), job_id, limit=LABEL_PAGE,
                                 cursor=request.args.get("cursor") or None)
    return render("printing/job.html", job=printing.read_job(database(), job_id),
                  labels=labels, states=screens.job_label_states(database(), job_id),
                  board=screens.printer_board(database()), errors={},
                  reasons=screens.reprint_reasons(database()),
                  detail=next(iter(get_flashed_messages()), None))


@bp.get("/jobs/<int:job_id>/_progress")
@page()
def job_progress(job_id: int) -> Response:
    """A job's progress (a live fragment that stops polling once the job is finished)."""
    return render("printing/_job_progress.html", job=printing.read_job(database(), job_id),
                  states=screens.job_label_states(database(), job_id))


@bp.post("/jobs/<int:job_id>/cancel")
@page(tokens.PRINT)
def cancel(job_id: int) -> Response:
    """Cancel a job once asked to confirm: at once when waiting, before its next label when
    printing. Without the confirmation the page asks first (no script needed)."""
    if request.form.get("confirm") != "yes":
        return render("printing/cancel.html", job=printing.read_job(database(), job_id),
                      states=screens.job_label_states(database(), job_id))
    try:
        printing.cancel_job(database(), job_id, actor())
    except Exception as exc:  # noqa: BLE001 - a finished job is said on the job page
        detail, _ = refusal(exc)
        flash(detail)  # said on the next page, carried in the session, never in the address
        return redirect(url_for("web.printing.job_page", job_id=job_id))  # type: ignore
    return redirect(url_for("web.printing.job_page", job_id=job_id))  # type: ignore


@bp.post("/jobs/<int:job_id>/reprint")
@page(tokens.PRINT)
def reprint(job_id: int) -> Response:
    """Print a job's identifiers again as a new job, for the reason chosen."""
    errors: dict[str, str] = {}
    copies = whole_number(request.form, "copies", None, errors)
    try:
        if errors:
            raise ValidationFailed("copies: a whole number", errors)
        job = printing.reprint_job(database(), job_id, actor(),
                                   reason=request.form.get("reason") or None,
                                   printer=request.form.get("printer") or None,
                                   template=request.form.get("template") or None, copies=copies,
                                   limits=print_limits())
    except Exception as exc:  # noqa: BLE001 - refusals are said on the job page
        detail, _ = refusal(exc)
        flash(detail)  # said on the next page, carried in the session, never in the address
        return redirect(url_for("web.printing.job_page", job_id=job_id))  # type: ignore
    return redirect(url_for("web.printing.job_page", job_id=job.id))  # type: ignore


@bp.post("/identifiers/<path:value>/print")
@page(tokens.PRINT)
def print_again(value: str) -> Response:
    """Print (or print again) the labels of one identifier."""
    errors: dict[str, str] = {}
    req = print_request(request.form, errors, prefix="")
    if req is not None:
        req = replace(req, reason=request.form.get("reason") or None)
    try:
        if req is None or errors:
            raise ValidationFailed("choose a printer, a template and copies",
                                            errors or {"printer": "choose a printer"})
        job = printing.print_identifiers(database(), [value], req, actor(),
                                         limits=print_limits())
    except Exception as exc:  # noqa: BLE001 - refusals are said on the record page
        detail, _ = refusal(exc)
        flash(detail)  # said on the record page, carried in the session
        return redirect(url_for("web.lookup.record", value=value))  # type: ignore
    return redirect(url_for("web.printing.job_page", job_id=job.id))  # type: ignore
