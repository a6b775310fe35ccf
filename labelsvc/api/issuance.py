"""Issue serials and lots."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app

from labelsvc.api.http import actor, database, endpoint
from labelsvc.contract.models import IssueIn, IssueOut, LotsIn, SerialsIn
from labelsvc.services import issuance, tokens

bp = Blueprint("issuance", __name__, url_prefix="/api/v1")
TAGS = ("issuance",)


def _request(kind: str, body: IssueIn, **extra: Any) -> issuance.IssueRequest:
    """Translate an issue body into the service's request."""
    printing = (issuance.PrintRequest(body.print.printer, body.print.template, body.print.copies)
                if body.print else None)
    return issuance.IssueRequest(kind=kind, scheme=body.scheme, fields=dict(body.fields),
                                 count=body.count, date=body.date,
                                 attributes=dict(body.attributes), print=printing, **extra)


def _issue(req: issuance.IssueRequest) -> Response:
    """Issue and answer 201."""
    if req.print is not None:
        actor().require(tokens.PRINT)
    issued = issuance.issue(database(), req, actor(),
                            current_app.extensions.get("labelsvc.print_jobs"))
    return Response(_issued_json(issued), status=201, mimetype="application/json")


def _issued_json(issued: issuance.Issued) -> str:
    """The 201 answer (IssueOut), writing what every identifier of the batch shares once."""
    # Up to 100,000 identifiers that differ only in `value`: one json.dumps, not 100,000.
    shared = json.dumps({**issued.shared, "value": None}, ensure_ascii=False,
                        separators=(",", ":"))
    head = '{"value":null'
    assert shared.startswith(head), "identifier objects start with their value"
    rest = shared[len(head):]
    items = ",".join('{"value":' + json.dumps(v, ensure_ascii=False) + rest
                     for v in issued.values)
    job = json.dumps(issued.print_job, ensure_ascii=False, separators=(",", ":"))
    return f'{{"identifiers":[{items}],"print_job":{job}}}'


@bp.post("/serials")
@endpoint(capability=tokens.ISSUE_SERIALS, body=SerialsIn, answers={201: IssueOut}, tags=TAGS)
def issue_serials(body: SerialsIn) -> Response:
    """Issue serial numbers (optionally into a lot, optionally printed)."""
    return _issue(_request("serial", body, lot=body.lot))


@bp.post("/lots")
@endpoint(capability=tokens.ISSUE_LOTS, body=LotsIn, answers={201: IssueOut}, tags=TAGS)
def issue_lots(body: LotsIn) -> Response:
    """Issue lot numbers with quantity, unit, expiry and supplier details."""
    attributes = dict(body.attributes)
    for key in ("supplier", "supplier_lot"):
        if getattr(body, key) is not None:
            attributes[key] = getattr(body, key)
    req = _request("lot", body, quantity=body.quantity, uom=body.uom, expiry=body.expiry)
    req.attributes = attributes
    return _issue(req)
