"""Log lines as JSON objects (or text for a terminal), each carrying the current request id."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

from labelsvc.observability.context import current_request_id

HANDLER_NAME = "labelsvc"
ACCESS_LOGGER = "labelsvc.access"

# Attributes every LogRecord has; anything else on a record is a field passed with `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "request_id", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, then fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Render a record as a single-line JSON object."""
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str, separators=(",", ":"))


class TextFormatter(logging.Formatter):
    """Plain lines for a terminal: time, level, logger, [request id], message."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """Render a record, with `-` for a missing request id."""
        missing = getattr(record, "request_id", None) is None
        if missing:
            record.request_id = "-"
        try:
            return super().format(record)
        finally:
            if missing:
                record.request_id = None


def formatter(fmt: str) -> logging.Formatter:
    """The formatter of a LABELSVC_LOG_FORMAT value (`json` or `text`)."""
    return TextFormatter() if fmt == "text" else JsonFormatter()


def _stamp_request_ids() -> None:
    """Give every log record the request id current where it was made (installed once)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "labelsvc", False):
        return

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        record.request_id = current_request_id()
        return record

    make.labelsvc = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make)


def configure_logging(level: str, fmt: str = "json") -> None:
    """Log to standard error in the chosen format; leave handlers set up by others alone."""
    _stamp_request_ids()
    root = logging.getLogger()
    ours = next((h for h in root.handlers if h.get_name() == HANDLER_NAME), None)
    if ours is None and not root.handlers:
        ours = logging.StreamHandler(sys.stderr)
        ours.set_name(HANDLER_NAME)
        root.addHandler(ours)
    if ours is not None:
        ours.setFormatter(formatter(fmt))
    root.setLevel(level)


def configure_access_log(enabled: bool) -> None:
    """Log one line per request at INFO whatever LABELSVC_LOG_LEVEL says, or none at all."""
    logging.getLogger(ACCESS_LOGGER).setLevel(logging.INFO if enabled else logging.CRITICAL + 1)
