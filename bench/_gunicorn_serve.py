"""`labelsvc serve` as it ran before granian: the same application under gunicorn gthread.

bench/issue.py measures it next to the service in the same run. It migrates, reads the
configuration once and builds the application in each worker as `serve` does, with
gunicorn's settings of that time (LABELSVC_THREADS threads per worker, no access log).
Run as `python bench/_gunicorn_serve.py --port P --workers N` with the service's environment.
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gunicorn.app.base import BaseApplication  # noqa: E402
from gunicorn.glogging import Logger  # noqa: E402

from labelsvc.cli import registry  # noqa: E402
from labelsvc.observability import metrics  # noqa: E402
from labelsvc.observability.logs import formatter  # noqa: E402


class JsonLogger(Logger):  # type: ignore[misc]
    """gunicorn's own messages in the service's log format."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(formatter("json"))


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """gunicorn gthread with the settings `labelsvc serve` used."""

    def __init__(self, config: dict[str, Any], port: int, workers: int) -> None:
        self.config = config
        self.options = {"bind": f"127.0.0.1:{port}", "workers": workers,
                        "worker_class": "gthread", "threads": config["THREADS"],
                        "timeout": 120, "graceful_timeout": 30,
                        "loglevel": config["LOG_LEVEL"].lower(), "accesslog": None,
                        "logger_class": JsonLogger, "pidfile": None,
                        "control_socket_disable": True, "preload_app": False}
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from labelsvc.app import create_app

        app = create_app({"PREPARE_DATABASE": False}, config=self.config)
        gc.collect()
        gc.freeze()
        return app


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    with registry(prepare=True, create=True) as (config, _db):
        server = GunicornServer(config, args.port, args.workers)
    metrics.claim_directory(config["DATA_DIR"])
    try:
        server.run()
    finally:
        metrics.release_directory()


if __name__ == "__main__":
    main()
