"""The application factory: the one place where the service is wired together."""

from __future__ import annotations

import atexit
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from labelsvc import api, web
from labelsvc.config import governed_settings, load_config
from labelsvc.observability import logs
from labelsvc.observability import web as observability
from labelsvc.registry import setup
from labelsvc.registry.database import Database
from labelsvc.services import audit, labels, printers, registry_metrics, schemes, tokens
from labelsvc.services.issuing import Issuer
from printers import FileDriver


def configure_logging(config: Mapping[str, Any]) -> None:
    """Log to standard error, as JSON lines unless LABELSVC_LOG_FORMAT=text."""
    logs.configure_logging(config["LOG_LEVEL"], config["LOG_FORMAT"])


def open_database(config: Mapping[str, Any]) -> Database:
    """Open the registry database named by the configuration."""
    return Database(config["DATABASE_URL"], pool_size=int(config["DB_POOL_SIZE"]),
                    busy_seconds=float(config["DB_BUSY_SECONDS"]))


def confine_printers(config: Mapping[str, Any]) -> None:
    """Keep the `file` driver's spool directories below LABELSVC_SPOOL_ROOT (default
    `<DATA_DIR>/spool`): a printer definition can write labels nowhere else on the host."""
    FileDriver.confine(config.get("SPOOL_ROOT") or Path(config["DATA_DIR"]) / "spool")


def prepare_database(db: Database, config: dict[str, Any]) -> None:
    """Migrate the database; on first start define the example schemes unless turned off;
    audit the service's settings when they changed."""
    setup.prepare(db, seed=schemes.seed_examples if config["SEED_EXAMPLES"] else None)
    record_settings(db, config, "service")


def record_settings(db: Database, config: Mapping[str, Any], process: str) -> None:
    """Write an audit row when this kind of process starts with governed settings other than
    the last ones recorded (secrets appear as set or unset only)."""
    audit.record_settings(db, process, governed_settings(config))


def create_app(test_config: dict[str, Any] | None = None, *,
               config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask application from the environment, or from the configuration a command
    read already (`labelsvc serve`), with a test config over it."""
    app = Flask(__name__)
    app.config.update(load_config() if config is None else config)
    if test_config:
        app.config.update(test_config)
    configure_logging(app.config)
    db = open_database(app.config)
    app.extensions["labelsvc.db"] = db
    app.extensions["labelsvc.issuer"] = Issuer(
        db, max_labels_per_job=int(app.config["MAX_LABELS_PER_JOB"]))
    app.extensions["labelsvc.printer_addresses"] = printers.address_policy(app.config)
    tokens.KNOWN_TOKENS.seconds = float(app.config["TOKEN_CACHE_SECONDS"])
    labels.SETTINGS.configure(app.config)
    if app.config["PREPARE_DATABASE"]:
        prepare_database(db, app.config)
    printers.check_drivers(db)
    confine_printers(app.config)
    observability.init_app(app, functools.partial(
        registry_metrics.read_metrics, db, int(app.config["METRICS_COUNTERS"]),
        counter_keys=bool(app.config["METRICS_TOKEN"])))
    api.init_app(app)
    web.init_app(app)
    start_printing(app, db)
    return app


def start_printing(app: Flask, db: Database) -> None:
    """Run a print worker in this process unless turned off."""
    from labelsvc.worker import PrintWorker, settings_from_config

    if app.config["PRINT_WORKER"] and not app.testing:
        worker = PrintWorker(db, settings_from_config(app.config)).start()
        app.extensions["labelsvc.print_worker"] = worker
        atexit.register(worker.stop, 5.0)
