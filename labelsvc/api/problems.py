"""Error handlers: every failure is answered as application/problem+json, or as an HTML
page to a browser (one that prefers text/html to JSON) outside the API's paths."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from labelsvc.api.http import problem_response
from labelsvc.appcontext import PROBLEM_JSON, error_page
from labelsvc.errors import problem_body, problem_for

log = logging.getLogger(__name__)

HTTP_SLUGS = {400: "bad-request", 404: "not-found", 405: "method-not-allowed",
              406: "not-acceptable", 413: "payload-too-large", 415: "unsupported-media-type"}
# Paths answered in problem+json whatever the client accepts: the API and the probes.
API_PATHS = ("/api/", "/healthz", "/readyz", "/metrics")


def wants_page() -> bool:
    """Say whether a browser asked: text/html preferred to JSON, on a path outside the API."""
    accept = request.accept_mimetypes
    return not request.path.startswith(API_PATHS) and \
        accept["text/html"] > max(accept["application/json"], accept[PROBLEM_JSON])


def _answer(problem: dict[str, Any]) -> Response:
    """Answer a problem document, or the error page when a browser asked for a page."""
    page = error_page()
    if page is not None and wants_page():
        return page(problem["status"], problem["title"], problem["detail"])
    return problem_response(problem)


def _http_error(exc: HTTPException) -> Response:
    """Answer Werkzeug's HTTP errors (unknown route, wrong method, body too large)."""
    status = exc.code or 500
    slug = HTTP_SLUGS.get(status, "http-error")
    detail = {404: f"nothing at {request.path}",
              405: f"{request.method} is not allowed on {request.path}",
              413: "the request body is too large"}.get(status, exc.description or exc.name)
    response = _answer(problem_body(status, slug, exc.name, detail))
    if status == 405 and exc.get_response().headers.get("Allow"):
        response.headers["Allow"] = exc.get_response().headers["Allow"]
    return response


def _error(exc: Exception) -> Response:
    """Answer a domain error in its problem form; anything unexpected is a logged 500."""
    problem = problem_for(exc)
    if problem is not None:
        level = logging.WARNING if problem["status"] in (409, 503) else logging.INFO
        log.log(level, "%s %s refused (%s): %s", request.method, request.path,
                problem["status"], problem["detail"], exc_info=problem["status"] >= 500)
        return _answer(problem)
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    log.exception("unexpected error answering %s %s", request.method, request.path)
    return _answer(problem_body(500, "internal-error", "Internal error",
                                "the service failed to answer; the error is logged"))


def init_app(app: Flask) -> None:
    """Register the problem handlers."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _error)
