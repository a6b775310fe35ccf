"""HTTP JSON control interface of the virtual printer, for tests in another process.

GET  /state                      counts, settings and fault modes
GET  /formats?offset=0&limit=100 received formats as text, in order
POST /fault {"mode": "paper-out"} or {"mode": "reset-after", "labels": 3}
POST /clear {} or {"mode": "paper-out"}
POST /settings {"label_seconds": 0.2, "answer_in_error": true}
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit


class ControlledPrinter(Protocol):
    """What the control interface reads and changes on a virtual printer."""

    label_seconds: float
    answer_in_error: bool

    @property
    def formats(self) -> list[bytes]: ...

    def state(self) -> dict[str, Any]: ...

    def set_fault(self, mode: str, labels: int | None = None) -> None: ...

    def clear(self, mode: str | None = None) -> None: ...


class ControlServer:
    """Serves the control endpoints of one virtual printer in a background thread."""

    def __init__(self, printer: ControlledPrinter, host: str, port: int = 0) -> None:
        handler = type("Handler", (_Handler,), {"printer": printer})
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    """Routes the control requests to the printer."""

    printer: ControlledPrinter

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/state":
            self._answer(200, self.printer.state())
        elif url.path == "/formats":
            query = parse_qs(url.query)
            try:
                offset = int(query.get("offset", ["0"])[0])
                limit = int(query.get("limit", ["100"])[0])
            except ValueError:
                self._answer(400, {"error": "offset and limit must be integers"})
                return
            formats = self.printer.formats
            items = [f.decode("utf-8", "replace") for f in formats[offset : offset + limit]]
            self._answer(200, {"items": items, "offset": offset, "total": len(formats)})
        else:
            self._answer(404, {"error": f"no such endpoint: {url.path}"})

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        try:
            body = self._body()
            if path == "/fault":
                labels = body.get("labels")
                self.printer.set_fault(str(body.get("mode")), int(labels) if labels else None)
            elif path == "/clear":
                mode = body.get("mode")
                self.printer.clear(str(mode) if mode is not None else None)
            elif path == "/settings":
                if "label_seconds" in body:
                    self.printer.label_seconds = float(body["label_seconds"])
                if "answer_in_error" in body:
                    self.printer.answer_in_error = bool(body["answer_in_error"])
            else:
                self._answer(404, {"error": f"no such endpoint: {path}"})
                return
        except (ValueError, TypeError) as exc:
            self._answer(400, {"error": str(exc)})
            return
        self._answer(200, self.printer.state())

    def _body(self) -> dict[str, Any]:
        """Read the JSON object of a request; an empty body is an empty object."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        data = json.loads(raw) if raw.strip() else {}
        if not isinstance(data, dict):
            raise ValueError("the request body must be a JSON object")
        return data

    def _answer(self, status: int, data: dict[str, Any]) -> None:
        """Send a JSON answer."""
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the console quiet; the printer logs what matters."""
