"""Issue serials and lots."""

from __future__ import annotations

from flask import Blueprint, Response

from labelsvc.api.http import actor, endpoint
from labelsvc.appcontext import issuer
from labelsvc.contract.models import IssueOut, LotsIn, SerialsIn
from labelsvc.services import tokens
from labelsvc.services.issuing import IssueRequest

bp = Blueprint("issuance", __name__, url_prefix="/api/v1")
TAGS = ("issuance",)


def _issue(body: SerialsIn | LotsIn) -> Response:
    """Issue and answer 201."""
    issued = issuer().issue(IssueRequest.of(body), actor())
    return Response(issued.json, status=201, mimetype="application/json")


@bp.post("/serials")
@endpoint(capability=tokens.ISSUE_SERIALS, body=SerialsIn, answers={201: IssueOut}, tags=TAGS,
          own_commit=True)
def issue_serials(body: SerialsIn) -> Response:
    """Issue serial numbers (optionally into a lot, optionally printed)."""
    return _issue(body)


@bp.post("/lots")
@endpoint(capability=tokens.ISSUE_LOTS, body=LotsIn, answers={201: IssueOut}, tags=TAGS,
          own_commit=True)
def issue_lots(body: LotsIn) -> Response:
    """Issue lot numbers with quantity, unit, expiry and supplier details."""
    return _issue(body)
