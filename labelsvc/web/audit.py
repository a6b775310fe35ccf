"""The audit trail for admins: governed changes by filters, their CSV, and the chain's check."""

from __future__ import annotations

from flask import Blueprint, Response, request
from pydantic import ValidationError

from labelsvc.appcontext import csv_download, database
from labelsvc.contract.audit_models import AuditQuery
from labelsvc.errors import ValidationFailed
from labelsvc.services import audit, tokens
from labelsvc.web.common import page, render

bp = Blueprint("audit", __name__)
AUDIT_PAGE = 100
FILTERS = ("action", "target_kind", "target", "actor", "from", "to")


def _query() -> tuple[dict[str, str], AuditQuery | None, dict[str, str]]:
    """The page's filters as typed, as a query, and what is wrong with them."""
    typed = {k: request.args.get(k, "").strip() for k in FILTERS}
    try:
        query = AuditQuery.model_validate(
            {**{k: v for k, v in typed.items() if v}, "limit": AUDIT_PAGE,
             **({"cursor": request.args["cursor"]} if request.args.get("cursor") else {})})
        audit.AuditFilters.of(query)
    except ValidationError as exc:
        return typed, None, {".".join(str(p) for p in e["loc"]): e["msg"] for e in exc.errors()}
    except ValidationFailed as exc:
        return typed, None, dict(exc.errors or {})
    return typed, query, {}


@bp.get("/audit")
@page(tokens.READ_AUDIT)
def audit_page() -> Response:
    """Governed changes, oldest first, by filters; `verify=1` checks the whole chain."""
    typed, query, errors = _query()
    listing = None if query is None else audit.list_rows(
        database(), audit.AuditFilters.of(query), limit=AUDIT_PAGE, cursor=query.cursor)
    checked = audit.verify(database()) if request.args.get("verify") else None
    return render("audit/audit.html", 422 if errors else 200, filters=typed, errors=errors,
                  listing=listing, checked=checked)


@bp.get("/audit.csv")
@page(tokens.READ_AUDIT)
def audit_csv() -> Response:
    """Download every audit row matching the filters, as CSV."""
    typed, query, errors = _query()
    if query is None:
        return render("audit/audit.html", 422, filters=typed, errors=errors, listing=None,
                      checked=None)
    return csv_download(audit.export(database(), audit.AuditFilters.of(query)),
                        audit.CSV_COLUMNS, "audit.csv")
