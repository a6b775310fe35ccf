"""Read values back: parse and scan."""

from __future__ import annotations

from flask import Blueprint, Response

from labelsvc.api.http import endpoint, json_response
from labelsvc.appcontext import database
from labelsvc.contract.models import ParseIn, ParseOut, ScanIn, ScanOut
from labelsvc.services import scanning

bp = Blueprint("scanning", __name__, url_prefix="/api/v1")
TAGS = ("scanning",)


@bp.post("/parse")
@endpoint(body=ParseIn, answers={200: ParseOut}, tags=TAGS)
def parse(body: ParseIn) -> Response:
    """Say which scheme a value fits and what its parts mean."""
    return json_response(scanning.parse(database(), body.value))


@bp.post("/scan")
@endpoint(body=ScanIn, answers={200: ScanOut}, tags=TAGS)
def scan(body: ScanIn) -> Response:
    """Decode scanner text (GS1 or plain) and look up the records it names."""
    return json_response(scanning.scan(database(), body.data))
