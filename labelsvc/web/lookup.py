"""Look up a scanned code, read its record, trace it, recall, holds, and lots expiring soon."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from flask import Blueprint, Response, flash, redirect, request, url_for

from labelsvc.appcontext import csv_download, database
from labelsvc.contract.hold_models import HoldIn, RecallHoldIn, ReleaseIn
from labelsvc.contract.models import TraceItem
from labelsvc.services import genealogy, holds, records, scanning, screens, tokens
from labelsvc.web.common import actor, page, refusal, render

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
    lots = screens.supplier_lots(database(), code.strip()) if not result.records else []
    return render("lookup/lookup.html", code=code, result=result, supplier_lots=lots)


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
    lots = screens.supplier_lots(database(), code) if code else []
    if lots:  # a supplier's lot number: the recall of each of our lots received under it
        recalls = [genealogy.recall(database(), lot.value, limit=TRACE_PAGE, cursor=None)
                   for lot in lots]
        return render("lookup/recall.html", code=code, result=None, recalls=recalls)
    if code:
        result = genealogy.recall(database(), code, limit=TRACE_PAGE,
                                  cursor=request.args.get("cursor") or None)
    return render("lookup/recall.html", code=code, result=result, recalls=[])


def _said(exc: Exception) -> None:
    """Carry a refusal to the next page in the session (never in the address)."""
    detail, _ = refusal(exc)
    flash(detail, "bad")


def _back_to_record(value: str, write: Callable[[], object]) -> Response:
    """Make a change to a record, then show the record (with the refusal, if refused)."""
    try:
        write()
    except Exception as exc:  # noqa: BLE001 - refusals are said on the record page
        _said(exc)
    return redirect(url_for("web.lookup.record", value=value))  # type: ignore[return-value]


@bp.post("/identifiers/<path:value>/hold")
@page(tokens.HOLD)
def hold(value: str) -> Response:
    """Put the record on hold (with propagate, everything made from it too)."""
    def place() -> object:
        body = HoldIn.model_validate({"reason": request.form.get("reason", ""),
                                      "propagate": request.form.get("propagate") == "on"})
        return holds.place(database(), value, reason=body.reason, propagate=body.propagate,
                           actor=actor())
    return _back_to_record(value, place)


@bp.post("/identifiers/<path:value>/release")
@page(tokens.HOLD)
def release(value: str) -> Response:
    """Release one of the record's own holds."""
    def release_it() -> object:
        hold_id = request.form.get("hold", "").strip()
        body = ReleaseIn.model_validate({"reason": request.form.get("reason", ""),
                                         "hold": int(hold_id) if hold_id.isdigit() else None})
        return holds.release(database(), value, reason=body.reason, hold_id=body.hold,
                             actor=actor())
    return _back_to_record(value, release_it)


@bp.post("/recall/hold")
@page(tokens.HOLD)
def hold_recall() -> Response:
    """Hold the recalled identifier and every unit that contains it, each on its own."""
    code = request.form.get("identifier", "").strip()
    try:
        body = RecallHoldIn.model_validate({
            "identifier": code, "reason": request.form.get("reason", ""),
            "propagate": request.form.get("propagate") == "on"})
        placed = holds.hold_recall(database(), body.identifier, reason=body.reason,
                                   propagate=body.propagate, actor=actor())
        count = len(placed.items)
        flash(f"{count} identifier{'' if count == 1 else 's'} put on hold: {body.reason}",
              "good")
    except Exception as exc:  # noqa: BLE001 - refusals are said on the recall page
        _said(exc)
    return redirect(url_for("web.lookup.recall", identifier=code))  # type: ignore[return-value]


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
