"""The application factory: the one place where the service is wired together."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application from the environment (or a test config)."""
    app = Flask(__name__)
    if test_config:
        app.config.update(test_config)

    @app.get("/healthz")
    def healthz() -> tuple[dict[str, str], int]:
        return {"status": "ok"}, 200

    return app
