"""Liveness and readiness probes."""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Response, current_app, request

from labelsvc.api.http import endpoint, json_response
from labelsvc.appcontext import database
from labelsvc.contract.common import HealthOut
from labelsvc.errors import Unauthorized
from labelsvc.observability import metrics
from labelsvc.registry import setup
from labelsvc.services import printers

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
@endpoint(public=True, answers={200: HealthOut}, tags=("health",))
def healthz() -> Response:
    """Answer 200 while the process is up."""
    return json_response(HealthOut(status="ok"))


@bp.get("/readyz")
@endpoint(public=True, answers={200: HealthOut, 503: HealthOut}, tags=("health",))
def readyz() -> Response:
    """Answer 200 when the database answers and carries every migration.

    A printer whose driver is not installed leaves the service ready (issuing and every other
    printer go on; a load balancer must not take the line's service out of rotation for one
    printer) and is named in the answer: `"status": "degraded"` with the reason.
    """
    try:
        current = setup.is_current(database())
        missing = printers.missing_drivers(database()) if current else []
    except Exception as exc:  # any database failure means "not ready"
        log.warning("readiness check: database does not answer: %s", exc)
        return json_response(HealthOut(status="unavailable",
                                       detail="the database does not answer"), 503)
    if not current:
        return json_response(HealthOut(status="unavailable", detail="migrations are pending"),
                             503)
    if missing:
        return json_response(HealthOut(status="degraded", detail="; ".join(missing)))
    return json_response(HealthOut(status="ok"))


@bp.get("/metrics")
@endpoint(public=True, tags=("health",))
def metrics_text() -> Response:
    """Answer the Prometheus metrics in text format: to anyone, with counters named by row id,
    or, when LABELSVC_METRICS_TOKEN is set, to a scraper with that token, counters by key."""
    wanted = current_app.config["METRICS_TOKEN"]
    if wanted:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(sent.encode(), str(wanted).encode()):
            raise Unauthorized("/metrics needs the metrics token (LABELSVC_METRICS_TOKEN)")
    registry = current_app.extensions["labelsvc.metrics"]
    return Response(metrics.exposition(registry), content_type=metrics.CONTENT_TYPE)
