"""Identifier endpoints: read, search and export, events, void, holds, genealogy, recall."""

from __future__ import annotations

from flask import Blueprint, Response

from labelsvc.api.http import actor, endpoint, json_response, wants_csv
from labelsvc.appcontext import csv_download, database
from labelsvc.contract.common import utc_bound
from labelsvc.contract.hold_models import HoldIn, HoldListOut, HoldOut, RecallHoldIn, ReleaseIn
from labelsvc.contract.models import (
    ComponentsIn,
    EventIn,
    EventOut,
    EventTypeIn,
    EventTypeListOut,
    EventTypeOut,
    IdentifierListOut,
    IdentifierOut,
    RecallQuery,
    RecordOut,
    SearchQuery,
    TraceOut,
    TraceQuery,
    VoidIn,
)
from labelsvc.services import event_types, genealogy, holds, records, tokens

bp = Blueprint("identifiers", __name__, url_prefix="/api/v1")
TAGS = ("identifiers",)
CSV_COLUMNS = ("value", "kind", "scheme", "version", "status", "date", "issued_at", "issued_by",
               "lot", "quantity", "uom", "expiry", "fields", "attributes")


def _filters(query: SearchQuery) -> records.SearchFilters:
    """Translate search parameters into the service's filters."""
    return records.SearchFilters(
        scheme=query.scheme, kind=query.kind, lot=query.lot, status=query.status,
        model=query.model, site=query.site, issued_from=utc_bound(query.issued_from, "from"),
        issued_to=utc_bound(query.issued_to, "to"), expires_before=query.expires_before,
        supplier_lot=query.supplier_lot)


@bp.get("/identifiers")
@endpoint(query=SearchQuery, answers={200: IdentifierListOut}, tags=TAGS)
def search(query: SearchQuery) -> Response:
    """Search identifiers; `Accept: text/csv` streams every match."""
    filters = _filters(query)
    if wants_csv():
        rows = records.export(database(), filters)
        return csv_download(rows, CSV_COLUMNS, "identifiers.csv")
    page = records.search(database(), filters, limit=query.limit, cursor=query.cursor)
    return json_response(page)


@bp.get("/identifiers/<path:value>")
@endpoint(answers={200: RecordOut}, tags=TAGS)
def read(value: str) -> Response:
    """Read an identifier with its events, components, lot and parse."""
    return json_response(records.read_record(database(), value))


@bp.post("/identifiers/<path:value>/events")
@endpoint(capability=tokens.APPEND_EVENTS, body=EventIn, answers={201: EventOut}, tags=TAGS)
def append_event(value: str, body: EventIn) -> Response:
    """Append an event to an identifier."""
    event = records.append_event(database(), value, type=body.type, at=body.at, data=body.data,
                                 actor=actor())
    return json_response(event, 201)


@bp.get("/event-types")
@endpoint(answers={200: EventTypeListOut}, tags=TAGS)
def list_event_types() -> Response:
    """Every event type: the built-in ones with their status moves, and the registered ones."""
    return json_response(event_types.list_types(database()))


@bp.post("/event-types")
@endpoint(capability=tokens.DEFINE_EVENT_TYPES, body=EventTypeIn,
          answers={201: EventTypeOut}, tags=TAGS)
def register_event_type(body: EventTypeIn) -> Response:
    """Register a custom event type (admins): recorded on identifiers, never a status move."""
    return json_response(event_types.register(database(), body.name, body.description,
                                              actor()), 201)


@bp.post("/identifiers/<path:value>/void")
@endpoint(capability=tokens.VOID, body=VoidIn, answers={200: IdentifierOut}, tags=TAGS)
def void(value: str, body: VoidIn) -> Response:
    """Void an identifier."""
    return json_response(records.void(database(), value, reason=body.reason, actor=actor()))


@bp.post("/identifiers/<path:value>/components")
@endpoint(capability=tokens.COMPONENTS, body=ComponentsIn, answers={200: RecordOut}, tags=TAGS)
def components(value: str, body: ComponentsIn) -> Response:
    """Record what an identifier was made from."""
    return json_response(genealogy.add_components(database(), value, body.components, actor()))


@bp.get("/identifiers/<path:value>/trace")
@endpoint(query=TraceQuery, answers={200: TraceOut}, tags=TAGS)
def trace(value: str, query: TraceQuery) -> Response:
    """Trace down (what it is made of) or up (what contains it)."""
    return json_response(genealogy.trace(database(), value, query.direction, limit=query.limit,
                                         cursor=query.cursor))


@bp.get("/recall")
@endpoint(query=RecallQuery, answers={200: TraceOut}, tags=TAGS)
def recall(query: RecallQuery) -> Response:
    """Every identifier that contains the given one, transitively."""
    return json_response(genealogy.recall(database(), query.identifier, limit=query.limit,
                                          cursor=query.cursor))


@bp.post("/identifiers/<path:value>/hold")
@endpoint(capability=tokens.HOLD, body=HoldIn, answers={201: HoldOut}, tags=TAGS)
def hold(value: str, body: HoldIn) -> Response:
    """Put an identifier on hold (with `propagate`, everything made from it too)."""
    return json_response(holds.place(database(), value, reason=body.reason,
                                     propagate=body.propagate, actor=actor()), 201)


@bp.post("/identifiers/<path:value>/release")
@endpoint(capability=tokens.HOLD, body=ReleaseIn, answers={200: HoldOut}, tags=TAGS)
def release(value: str, body: ReleaseIn) -> Response:
    """Release one of an identifier's holds."""
    return json_response(holds.release(database(), value, reason=body.reason,
                                       hold_id=body.hold, actor=actor()))


@bp.post("/recall/hold")
@endpoint(capability=tokens.HOLD, body=RecallHoldIn, answers={201: HoldListOut}, tags=TAGS)
def hold_recall(body: RecallHoldIn) -> Response:
    """Hold a recall's identifier and every unit that contains it, each with its own hold."""
    return json_response(holds.hold_recall(database(), body.identifier, reason=body.reason,
                                           propagate=body.propagate, actor=actor()), 201)
