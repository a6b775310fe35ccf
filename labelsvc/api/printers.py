"""Printer endpoints: define (admin), list, read, remove (admin), last status."""

from __future__ import annotations

from flask import Blueprint, Response

from labelsvc.api.http import actor, answered_before_commit, endpoint, json_response
from labelsvc.appcontext import database, printer_addresses
from labelsvc.contract.common import PageQuery
from labelsvc.contract.print_models import PrinterIn, PrinterListOut, PrinterOut, PrinterStatusOut
from labelsvc.services import printers, printing, tokens

bp = Blueprint("printers", __name__, url_prefix="/api/v1")
TAGS = ("printers",)


def _definition(body: PrinterIn) -> printers.PrinterDefinition:
    """Translate a printer body into the service's definition."""
    settings = dict(body.settings)
    for key in ("host", "port", "directory"):
        if getattr(body, key) is not None:
            settings[key] = getattr(body, key)
    location = {k: v for k, v in (("site", body.site), ("line", body.line)) if v is not None}
    media = body.media.model_dump(exclude_none=True) if body.media else {}
    return printers.PrinterDefinition(body.name, body.driver, body.dpi, settings, media, location)


@bp.post("/printers")
@endpoint(capability=tokens.MANAGE_PRINTERS, body=PrinterIn, answers={201: PrinterOut},
          tags=TAGS, own_commit=True)
def add(body: PrinterIn) -> Response:
    """Define a printer (admin); its address is checked (a DNS lookup) before the write and
    its answer is built inside the write's transaction."""
    checked = printers.check_printer(_definition(body), printer_addresses())
    return answered_before_commit(lambda: json_response(
        printers.add_printer(database(), checked, actor()), 201))


@bp.get("/printers")
@endpoint(query=PageQuery, answers={200: PrinterListOut}, tags=TAGS)
def list_(query: PageQuery) -> Response:
    """List printers by name."""
    return json_response(printers.list_printers(database(), limit=query.limit,
                                                cursor=query.cursor))


@bp.get("/printers/<name>")
@endpoint(answers={200: PrinterOut}, tags=TAGS)
def read(name: str) -> Response:
    """Read a printer."""
    return json_response(printers.read_printer(database(), name))


@bp.delete("/printers/<name>")
@endpoint(capability=tokens.MANAGE_PRINTERS, answers={204: None}, tags=TAGS)
def remove(name: str) -> Response:
    """Remove a printer (admin); its unfinished jobs fail (`printer-deleted`)."""
    printing.remove_printer(database(), name, actor())
    return Response(status=204)


@bp.get("/printers/<name>/status")
@endpoint(answers={200: PrinterStatusOut}, tags=TAGS)
def status(name: str) -> Response:
    """The last `~HS` answer a worker read, with `checked_at`."""
    return json_response(printers.printer_status(database(), name))
