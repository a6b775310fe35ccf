"""What a request reaches through the application: its registry, its issuing service, writes
that run once per key, and the error page of the web pages. The API and the pages share it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import quote

from flask import Response, current_app, request, stream_with_context
from pydantic import BaseModel

from labelsvc.errors import problem_for
from labelsvc.registry.database import Database
from labelsvc.services import export, idempotency
from labelsvc.services.issuing import Issuer
from labelsvc.services.printing import Limits
from labelsvc.services.public_view import PublicUnit
from labelsvc.services.tokens import Actor
from printers import AddressPolicy

PROBLEM_JSON = "application/problem+json"
# Where the web pages leave the function that renders an error page (status, title, detail).
ERROR_PAGE = "labelsvc.error_page"
ErrorPage = Callable[[int, str, str], Response]
# Where the web pages leave the function that renders a unit's public Digital Link page.
PUBLIC_PAGE = "labelsvc.public_page"
PublicPage = Callable[[PublicUnit], Response]


def database() -> Database:
    """The application's registry database."""
    db: Database = current_app.extensions["labelsvc.db"]
    return db


def issuer() -> Issuer:
    """The application's issuing service (it keeps what this process learnt of counters)."""
    service: Issuer = current_app.extensions["labelsvc.issuer"]
    return service


def print_limits() -> Limits:
    """The most labels one print job may hold (LABELSVC_MAX_LABELS_PER_JOB) and the reprints
    of an identifier without a second signature (LABELSVC_REPRINT_LIMIT)."""
    return Limits(max_labels=int(current_app.config["MAX_LABELS_PER_JOB"]),
                  reprints=int(current_app.config["REPRINT_LIMIT"]))


def printer_addresses() -> AddressPolicy:
    """Where network printers may be (LABELSVC_PRINTER_NETWORKS and the service's own ports)."""
    policy: AddressPolicy = current_app.extensions["labelsvc.printer_addresses"]
    return policy


def error_page() -> ErrorPage | None:
    """The web pages' error page, when the application has pages."""
    page: ErrorPage | None = current_app.extensions.get(ERROR_PAGE)
    return page


def public_page() -> PublicPage | None:
    """The web pages' public page of a unit, when the application has pages."""
    page: PublicPage | None = current_app.extensions.get(PUBLIC_PAGE)
    return page


# What stands in a kept answer where the page's secret stood (see run_once).
SECRET_MARK = "{{labelsvc:session-secret}}"


def attachment(filename: str) -> str:
    """A Content-Disposition for a download (RFC 6266): an ASCII name for every client and
    the exact name, UTF-8 and percent-encoded, for those that read `filename*`."""
    plain = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in filename)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def csv_download(rows: Iterable[BaseModel], columns: Sequence[str], filename: str) -> Response:
    """Stream answers as a CSV download, written while they are read."""
    return Response(stream_with_context(export.csv_lines(rows, columns)), mimetype="text/csv",
                    headers={"Content-Disposition": attachment(filename)})


def run_once(view: Callable[[], Response], who: Actor, key: str, *,
             secret: str | None = None) -> Response:
    """Run a write once per key and token: replay the first answer, refuse a changed one.

    `secret` (a page's CSRF token) is never kept in the registry: the kept answer holds a
    mark in its place, and a replay puts the session's current secret back.
    """
    db = database()
    hours = int(current_app.config["IDEMPOTENCY_HOURS"])
    print_ = idempotency.fingerprint(request.method, request.path, request.get_data(cache=True))
    try:
        with db.transaction() as conn:
            stored = idempotency.claim(conn, who, key, print_, hours=hours)
            if stored is not None:
                body = stored.body.replace(SECRET_MARK, secret) if secret else stored.body
                return Response(body, status=stored.status, mimetype=stored.content_type,
                                headers={"Idempotent-Replayed": "true"})
            response = view()
            if response.status_code < 500:
                idempotency.store(conn, who, key, _stored(response, secret))
            return response
    except Exception as exc:  # a 4xx refusal is kept too; 5xx answers are not
        problem = problem_for(exc)
        if problem is None or problem["status"] >= 500 or "idempotency-conflict" in problem["type"]:
            raise
        idempotency.store_refusal(db, who, key, print_, idempotency.StoredAnswer(
            problem["status"], PROBLEM_JSON, json.dumps(problem, ensure_ascii=False)))
        raise


def _stored(response: Response, secret: str | None) -> idempotency.StoredAnswer:
    """Capture an answer for replay, without the page's secret."""
    body = response.get_data(as_text=True)
    if secret:
        body = body.replace(secret, SECRET_MARK)
    return idempotency.StoredAnswer(response.status_code, response.mimetype or "application/json",
                                    body)
