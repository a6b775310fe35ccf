"""Run the application under gunicorn, embedded, sharing no files with other instances.

Requests are logged by the application (one JSON line each, LABELSVC_ACCESS_LOG), not by
gunicorn; gunicorn's own messages use the same log format. Each serve process keeps its
workers' metrics in a directory of its own under LABELSVC_DATA_DIR.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from typing import Any

from gunicorn.app.base import BaseApplication

from labelsvc.observability.logs import GunicornLogger


class Server(BaseApplication):  # type: ignore[misc]
    """gunicorn with our settings: no pid file, no control socket, the app built per worker."""

    def __init__(self, config: Mapping[str, Any], *, host: str | None = None,
                 port: int | None = None, workers: int | None = None) -> None:
        """Serve with the configuration `labelsvc serve` read; its options win over it."""
        self.config = config
        self.options: dict[str, Any] = {
            "bind": f"{host or config['HOST']}:{port or config['PORT']}",
            "workers": workers or config["WORKERS"],
            "worker_class": "gthread",
            "threads": config["THREADS"],
            "timeout": 120,
            "graceful_timeout": 30,
            "loglevel": config["LOG_LEVEL"].lower(),
            "accesslog": None,
            "logger_class": type("GunicornLogger", (GunicornLogger,),
                                 {"log_format": config["LOG_FORMAT"]}),
            "pidfile": None,
            "control_socket_disable": True,
            "preload_app": False,
        }
        super().__init__()

    def load_config(self) -> None:
        """Apply the settings gunicorn knows."""
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def run(self) -> None:
        """Serve until stopped, with a metrics directory of this process's own."""
        from labelsvc.observability import metrics

        metrics.claim_directory(self.config["DATA_DIR"])
        try:
            super().run()
        finally:
            metrics.release_directory()

    def load(self) -> Any:
        """Build the application in each worker (the master migrated already)."""
        from labelsvc.app import create_app

        app = create_app({"PREPARE_DATABASE": False}, config=self.config)
        # What start-up built lives as long as the worker: leave it out of the collector's
        # full passes, which otherwise walk it all and hold every request for ~100 ms.
        gc.collect()
        gc.freeze()
        return app
