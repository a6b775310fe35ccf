"""The HTTP API under /api/v1 and the probes."""

from __future__ import annotations

import copy
import json
from typing import Any

from flask import Flask, Response

from labelsvc.api import (
    audit,
    digital_link,
    health,
    identifiers,
    issuance,
    labels,
    print_jobs,
    printers,
    problems,
    scanning,
    schemes,
    templates,
    users,
)
from labelsvc.api.http import spec
from labelsvc.appcontext import PROBLEM_JSON

BLUEPRINTS = (health.bp, schemes.bp, issuance.bp, identifiers.bp, scanning.bp, printers.bp,
              print_jobs.bp, templates.bp, labels.bp, audit.bp, users.bp, digital_link.bp,
              digital_link.views_bp)


def openapi_document() -> dict[str, Any]:
    """Build the OpenAPI document; refusals are declared as application/problem+json."""
    document: dict[str, Any] = copy.deepcopy(spec.spec)
    for operations in document["paths"].values():
        for operation in operations.values():
            for status, answer in operation.get("responses", {}).items():
                content = answer.get("content", {})
                if int(status) >= 400 and "application/json" in content:
                    content[PROBLEM_JSON] = content.pop("application/json")
    return document


def openapi() -> Response:
    """Answer the OpenAPI document generated from the request and response models."""
    return Response(json.dumps(openapi_document(), ensure_ascii=False, separators=(",", ":")),
                    mimetype="application/json")


def init_app(app: Flask) -> None:
    """Register the API blueprints, error handlers and the OpenAPI document."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    problems.init_app(app)
    spec.app = app
    app.add_url_rule("/api/v1/openapi.json", "openapi", openapi)
