"""Run the application under granian, embedded, sharing no files with other instances.

granian reads and parses every request off the interpreter (in Rust) and hands the WSGI
application complete request heads only, so a client that sends its headers slowly holds a
socket, never a request thread. Requests are logged by the application (one JSON line each,
LABELSVC_ACCESS_LOG), not by granian; granian's own messages use the same log format. Each
serve process keeps its workers' metrics in a directory of its own under LABELSVC_DATA_DIR.
"""

from __future__ import annotations

import functools
import gc
import io
import logging
import multiprocessing.util
import os
import socket
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

# A request head (request line and headers) must arrive within this many seconds, or the
# connection is closed; granian also closes a kept-alive connection idle this long.
HEADER_TIMEOUT_SECONDS = 30
# A stopping worker finishes the requests in flight for at most this long, then is killed.
GRACEFUL_SECONDS = 30
# The most a request head may hold; longer heads are refused (431) before Python sees them.
MAX_HEAD_BYTES = 16 * 1024
# What gunicorn refused before, refused again: a longer request line is a 414, a longer
# header field a 431, more header fields a 431 (granian's parser stops at 100).
MAX_REQUEST_LINE = 4094
MAX_HEADER_FIELD = 8190

# Threads per worker process that may wait for request bodies, beside the request threads.
BODY_READERS = 128
# A body declared up to this size is read by any reader; a larger or chunked one (template
# uploads, seldom) waits for one of LARGE_READERS, so readers hold at most
# BODY_READERS x SMALL_BODY + LARGE_READERS x LABELSVC_MAX_BODY_BYTES per worker.
SMALL_BODY = 256 * 1024
LARGE_READERS = 2
# Environ keys granian sets from the request itself (never from the process environment).
_FROM_REQUEST = frozenset({"SERVER_PROTOCOL", "SERVER_NAME", "SERVER_PORT", "REMOTE_ADDR",
                           "REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "SCRIPT_NAME",
                           "GATEWAY_INTERFACE", "SERVER_SOFTWARE"})

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _refuse(start_response: Callable[..., Any], status: str) -> list[bytes]:
    """A plain refusal of a request the HTTP layer will not read."""
    body = f"{status}\n".encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(body))), ("Connection", "close")])
    return [body]


class RequestGate:
    """Hand the application whole requests, only what the client sent, within size limits.

    granian parses request heads in Rust, but streams a body to the thread that reads it:
    the gate reads it first (the thread waits without the interpreter lock), then runs the
    application in one of `threads` slots, so clients that send their bodies slowly hold
    reader threads, never the slots the application answers in. granian also starts every
    environ from the process environment: a variable such as `HTTP_PROXY` would arrive as a
    `Proxy` header, and the registry's URL and secrets would sit in every request; they are
    taken out again here.
    """

    def __init__(self, app: WsgiApp, *, threads: int, max_body: int) -> None:
        self.app, self.max_body = app, max_body
        self.slots = threading.Semaphore(threads)
        self.large = threading.Semaphore(LARGE_READERS)
        self.process_environ = {key: value for key, value in os.environ.items()
                                if key not in _FROM_REQUEST}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        """Strip the process environment, check sizes, read the body, then call the app."""
        for key, value in self.process_environ.items():
            if environ.get(key) == value:
                del environ[key]
        line = len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", ""))
        if line + len(environ.get("REQUEST_METHOD", "")) + 10 > MAX_REQUEST_LINE:
            return _refuse(start_response, "414 URI Too Long")
        for key, value in environ.items():
            if (key.startswith("HTTP_") or key.startswith("CONTENT_")) and \
                    isinstance(value, str) and len(key) + len(value) > MAX_HEADER_FIELD:
                return _refuse(start_response, "431 Request Header Fields Too Large")
        self._read_body(environ)
        with self.slots:
            return self.app(environ, start_response)

    def _read_body(self, environ: dict[str, Any]) -> None:
        """Read the whole body, up to one byte past the limit, and say how long it is.

        A chunked body is then one of known length: past LABELSVC_MAX_BODY_BYTES the
        application answers 413 from that length, where it would read a chunked body cut at
        the limit.
        """
        length = environ.get("CONTENT_LENGTH", "")
        declared = int(length) if length.isdigit() else None
        if "HTTP_TRANSFER_ENCODING" not in environ and not declared:
            return
        if declared is not None and declared > self.max_body:
            return  # refused by the application from the header alone, nothing read
        stream = environ["wsgi.input"]
        if declared is not None and declared <= SMALL_BODY:
            body = stream.read(declared)
        else:
            with self.large:
                body = stream.read(self.max_body + 1)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["wsgi.input"] = io.BytesIO(body)


def load_app(config: Mapping[str, Any], _target: str | None = None) -> WsgiApp:
    """Build the application in a worker process (the serve process migrated already)."""
    from labelsvc.app import create_app

    app = create_app({"PREPARE_DATABASE": False}, config=config)
    worker = app.extensions.get("labelsvc.print_worker")
    if worker is not None:
        # A worker process ends without running atexit; its print worker gives its
        # printers' leases back here, before the next label, as under gunicorn.
        multiprocessing.util.Finalize(None, worker.stop, args=(5.0,), exitpriority=10)
    # What start-up built lives as long as the worker: leave it out of the collector's
    # full passes, which otherwise walk it all and hold every request for ~100 ms.
    gc.collect()
    gc.freeze()
    return RequestGate(app, threads=int(config["THREADS"]),
                       max_body=int(config["MAX_CONTENT_LENGTH"]))


class ChosenThreads(logging.Filter):
    """Drop granian's warning about many Python threads: most of them wait for bodies."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every other record."""
        return "Python threads, which seems quite high" not in record.getMessage()


def log_config(fmt: str) -> dict[str, Any]:
    """granian's loggers, on standard error in our format; its access log stays off."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"labelsvc": {"()": "labelsvc.observability.logs.formatter", "fmt": fmt}},
        "filters": {"threads": {"()": "labelsvc.server.ChosenThreads"}},
        "handlers": {"labelsvc": {"class": "logging.StreamHandler", "formatter": "labelsvc",
                                  "filters": ["threads"], "stream": "ext://sys.stderr"}},
        "loggers": {"_granian": {"handlers": ["labelsvc"], "propagate": False},
                    "granian.access": {"handlers": [], "propagate": False,
                                       "level": "CRITICAL"}},
    }


class PortTaken(Exception):
    """Another program (perhaps another `labelsvc serve`) listens on the address already."""


def refuse_taken_port(host: str, port: int) -> None:
    """Refuse to start on an address another program listens on.

    granian binds its socket with SO_REUSEPORT: a second service started on the same port
    would not fail but silently share its connections with the first.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortTaken(f"cannot listen on {host}:{port}: {exc.strerror}; another program "
                            f"(perhaps another labelsvc serve) uses it; choose another "
                            f"--port or LABELSVC_PORT") from exc


class Server:
    """granian with our settings: no pid file, no control socket, the app built per worker."""

    def __init__(self, config: Mapping[str, Any], *, host: str | None = None,
                 port: int | None = None, workers: int | None = None) -> None:
        """Serve with the configuration `labelsvc serve` read; its options win over it."""
        from granian.constants import HTTPModes, Interfaces
        from granian.http import HTTP1Settings
        from granian.log import LogLevels

        self.config = config
        self.options: dict[str, Any] = {
            "address": host or config["HOST"],
            "port": port or config["PORT"],
            "interface": Interfaces.WSGI,
            "workers": workers or config["WORKERS"],
            "blocking_threads": int(config["THREADS"]) + BODY_READERS,
            "http": HTTPModes.http1,
            "websockets": False,
            "http1_settings": HTTP1Settings(header_read_timeout=HEADER_TIMEOUT_SECONDS * 1000,
                                            max_buffer_size=MAX_HEAD_BYTES),
            "log_level": LogLevels(config["LOG_LEVEL"].lower()),
            "log_dictconfig": log_config(config["LOG_FORMAT"]),
            "log_access": False,
            "workers_kill_timeout": GRACEFUL_SECONDS,
            "pid_file": None,
        }

    def run(self) -> None:
        """Serve until SIGTERM or Ctrl-C, with a metrics directory of this process's own."""
        from granian import Granian

        from labelsvc.observability import metrics

        refuse_taken_port(self.options["address"], self.options["port"])
        metrics.claim_directory(self.config["DATA_DIR"])
        try:
            server = Granian("labelsvc.app:create_app", **self.options)
            server.serve(target_loader=functools.partial(load_app, dict(self.config)))
        finally:
            metrics.release_directory()
