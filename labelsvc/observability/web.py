"""Per request: take or make the request id, answer it, time the request, log one line."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from labelsvc.observability import logs, metrics
from labelsvc.observability.context import (
    accepted_request_id,
    bind_request_id,
    unbind_request_id,
)

HEADER = "X-Request-ID"
access = logging.getLogger(logs.ACCESS_LOGGER)


def _begin() -> None:
    """Bind the caller's X-Request-ID (or a new one) to everything this request logs."""
    g.request_started = time.perf_counter()
    g.request_id = accepted_request_id(request.headers.get(HEADER))
    g.request_id_token = bind_request_id(g.request_id)


def _answer(response: Response) -> Response:
    """Answer the request id, count the latency, and log the request line."""
    request_id = g.get("request_id")
    if request_id is None:
        return response
    response.headers[HEADER] = request_id
    seconds = time.perf_counter() - g.request_started
    rule = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    metrics.observe_request(rule, request.method, response.status_code, seconds)
    if access.isEnabledFor(logging.INFO):
        who = g.get("actor") or g.get("web_actor")
        access.info("%s %s %s", request.method, request.path, response.status_code, extra={
            "method": request.method, "path": request.path, "status": response.status_code,
            "duration_ms": round(seconds * 1000, 2),
            "actor": getattr(who, "name", None)})
    return response


def _end(_exc: BaseException | None) -> None:
    """Unbind the request id, so the thread's next request starts clean."""
    token = g.pop("request_id_token", None)
    if token is not None:
        unbind_request_id(token)


def init_app(app: Flask, read_registry: metrics.RegistryReader | None = None) -> None:
    """Install the request hooks (first, so every other hook logs under the request id).

    Also builds the app's metrics registry, answered on /metrics: request latency, and what
    `read_registry` reads of the registry database at each scrape.
    """
    logs.configure_access_log(bool(app.config["ACCESS_LOG"]))
    app.extensions["labelsvc.metrics"] = metrics.build_registry(read_registry)
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.after_request(_answer)
    app.teardown_request(_end)
