"""Issue serials and lots."""

from __future__ import annotations

import json

from flask import Blueprint, Response

from labelsvc.api.http import actor, endpoint
from labelsvc.appcontext import issuer
from labelsvc.contract.models import IssueOut, LotsIn, SerialsIn
from labelsvc.services import tokens
from labelsvc.services.issuing import Issued, IssueRequest

bp = Blueprint("issuance", __name__, url_prefix="/api/v1")
TAGS = ("issuance",)


def _issue(body: SerialsIn | LotsIn) -> Response:
    """Issue and answer 201."""
    issued = issuer().issue(IssueRequest.of(body), actor())
    return Response(_issued_json(issued), status=201, mimetype="application/json")


def _issued_json(issued: Issued) -> str:
    """The 201 answer (IssueOut), writing what every identifier of the batch shares once."""
    # Up to 100,000 identifiers that differ only in `value`: one json.dumps, not 100,000.
    shared = json.dumps({**issued.shared, "value": None}, ensure_ascii=False,
                        separators=(",", ":"))
    head = '{"value":null'
    assert shared.startswith(head), "identifier objects start with their value"
    rest = shared[len(head):]
    items = ",".join('{"value":' + json.dumps(v, ensure_ascii=False) + rest
                     for v in issued.values)
    job = "null" if issued.print_job is None else \
        issued.print_job.model_dump_json(exclude_unset=True)
    return f'{{"identifiers":[{items}],"print_job":{job}}}'


@bp.post("/serials")
@endpoint(capability=tokens.ISSUE_SERIALS, body=SerialsIn, answers={201: IssueOut}, tags=TAGS)
def issue_serials(body: SerialsIn) -> Response:
    """Issue serial numbers (optionally into a lot, optionally printed)."""
    return _issue(body)


@bp.post("/lots")
@endpoint(capability=tokens.ISSUE_LOTS, body=LotsIn, answers={201: IssueOut}, tags=TAGS)
def issue_lots(body: LotsIn) -> Response:
    """Issue lot numbers with quantity, unit, expiry and supplier details."""
    return _issue(body)
