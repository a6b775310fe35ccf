"""Look up a scanned code, read its record, trace it, recall, and lots expiring soon."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from flask import Blueprint, Response, redirect, request, url_for

from labelsvc.appcontext import csv_download, database
from labelsvc.contract.models import TraceItem
from labelsvc.services import genealogy, records, scanning, screens
from labelsvc.web.common import page, render

bp = Blueprint("lookup", __name__)
TRACE_PAGE = 200
EXPIRING_PAGE = 200
EXPIRY_WINDOWS = (7, 14, 30, 60, 90)
RECALL_COLUMNS = ("value", "kind", "status", "depth", "via", "scheme", "version", "lot",
                  "issued_at", "issued_by", "quantity", "uom", "expiry", "fields", "attributes")


@bp.get("/lookup")
@page()
def lookup() -> Response:
    """Scan or type a code; one record found opens it, otherwise say what the code is."""
    code = request.args.get("code", "").strip("\r\n")
    if not code.strip():
        return render("lookup/lookup.html", code="", result=None)
    result = scanning.scan(database(), code)
    if len(result.records) == 1:
        value = result.records[0].value
        return redirect(url_for("web.lookup.record", value=value))  # type: ignore[return-value]
    return render("lookup/lookup.html", code=code, result=result)


@bp.get("/identifiers/<path:value>")
@page()
def record(value: str) -> Response:
    """The record: what it is, its events, its lot and what went into it."""
    return render("lookup/record.html", record=records.read_record(database(), value),
                  choices=screens.print_choices(database()))


@bp.get("/identifiers/<path:value>/trace")
@page()
def trace(value: str) -> Response:
    """Trace down (what it is made of) or up (what contains it)."""
    direction = "up" if request.args.get("direction") == "up" else "down"
    result = genealogy.trace(database(), value, direction, limit=TRACE_PAGE,
                             cursor=request.args.get("cursor") or None)
    return render("lookup/trace.html", result=result, direction=direction)


@bp.get("/recall")
@page()
def recall() -> Response:
    """Every unit that contains a lot or part, with its status; CSV for the whole list."""
    code = request.args.get("identifier", "").strip()
    result = None
    if code:
        result = genealogy.recall(database(), code, limit=TRACE_PAGE,
                                  cursor=request.args.get("cursor") or None)
    return render("lookup/recall.html", code=code, result=result)


@bp.get("/recall.csv")
@page()
def recall_csv() -> Response:
    """Download every identifier that contains the given one, as CSV."""
    code = request.args.get("identifier", "").strip()
    rows = screens.recall_rows(database(), code)
    first = next(rows, None)  # a missing identifier is refused before the download starts

    def everything() -> Iterator[TraceItem]:
        if first is not None:
            yield first
            yield from rows

    return csv_download(everything(), RECALL_COLUMNS, f"recall-{code[:60]}.csv")


@bp.get("/lots/expiring")
@page()
def expiring() -> Response:
    """Lots whose expiry falls within the chosen number of days, soonest first."""
    try:
        days = int(request.args.get("days", "30"))
    except ValueError:
        days = 30
    days = max(0, min(days, 3650))
    before = dt.date.today() + dt.timedelta(days=days + 1)
    page_ = records.search(database(), records.SearchFilters(kind="lot", expires_before=before),
                           limit=EXPIRING_PAGE, cursor=request.args.get("cursor") or None)
    return render("lookup/expiring.html", page=page_, days=days, windows=EXPIRY_WINDOWS)
