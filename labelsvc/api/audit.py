"""Audit trail endpoints (admins): the governed changes, filtered or as CSV, and the check of
their hash chain."""

from __future__ import annotations

from flask import Blueprint, Response

from labelsvc.api.http import endpoint, json_response, wants_csv
from labelsvc.appcontext import csv_download, database
from labelsvc.contract.audit_models import AuditListOut, AuditQuery, AuditVerifyOut
from labelsvc.services import audit, tokens

bp = Blueprint("audit", __name__, url_prefix="/api/v1/audit")
TAGS = ("audit",)


@bp.get("")
@endpoint(capability=tokens.READ_AUDIT, query=AuditQuery, answers={200: AuditListOut},
          tags=TAGS)
def list_rows(query: AuditQuery) -> Response:
    """Audit rows, oldest first; `Accept: text/csv` streams every match."""
    filters = audit.AuditFilters.of(query)
    if wants_csv():
        return csv_download(audit.export(database(), filters), audit.CSV_COLUMNS, "audit.csv")
    return json_response(audit.list_rows(database(), filters, limit=query.limit,
                                         cursor=query.cursor))


@bp.get("/verify")
@endpoint(capability=tokens.READ_AUDIT, answers={200: AuditVerifyOut}, tags=TAGS)
def verify() -> Response:
    """Check the whole chain: `ok`, or the first row changed, removed or inserted by hand."""
    return json_response(audit.verify(database()))
