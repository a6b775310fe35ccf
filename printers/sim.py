"""The virtual printer: a Zebra-like raw TCP printer for tests, demos and fault drills.

Run it as `labelsvc printer-sim --port N` or `python -m printers.sim --port N`.
It serves one connection at a time, as a real printer does; further connections
wait in the listen backlog until the current one closes.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from printers.simcontrol import ControlServer
from printers.status import PrinterStatus, format_host_status
from printers.zplstream import ControlCommand, ReceivedFormat, ZplStreamParser

log = logging.getLogger(__name__)

MEDIA_FAULTS = ("paper-out", "head-open", "ribbon-out")
FAULT_MODES = ("refuse", "stall", *MEDIA_FAULTS, "pause")
RESET_AFTER = "reset-after"
_TICK = 0.05


class VirtualPrinter:
    """A simulated ZPL printer on a TCP port, with fault controls; start() runs it in a thread."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        label_seconds: float = 0.0,
        spool_dir: str | os.PathLike[str] | None = None,
        png: bool = False,
        answer_in_error: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.label_seconds = label_seconds
        self.answer_in_error = answer_in_error
        self.spool_dir = Path(spool_dir) if spool_dir is not None else None
        self.png = png
        self._lock = threading.Condition(threading.RLock())
        self._faults: set[str] = set()
        self._reset_countdown: int | None = None
        self._formats: list[bytes] = []
        self._queue: deque[int] = deque()
        self._clock = time.monotonic()
        self._printed = 0
        self._connections = 0
        self._resets = 0
        self._partial = False
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> VirtualPrinter:
        """Bind the port (0 picks a free one) and serve in a background thread."""
        if self.spool_dir is not None:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
        self._listener = self._listen()
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._run, name="printer-sim", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> VirtualPrinter:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- controls ----------------------------------------------------------------

    def set_fault(self, mode: str, labels: int | None = None) -> None:
        """Turn on a fault mode; `reset-after` takes `labels` and fires once."""
        with self._lock:
            if mode == RESET_AFTER:
                if labels is None or labels < 0:
                    raise ValueError("reset-after needs a number of labels (0 or more)")
                self._reset_countdown = labels
            elif mode in FAULT_MODES:
                self._advance()
                self._faults.add(mode)
            else:
                known = ", ".join((*FAULT_MODES, RESET_AFTER))
                raise ValueError(f"unknown fault mode {mode!r}; known modes: {known}")
            self._lock.notify_all()
        if mode == "refuse":
            self._wait(lambda: self._listener is None)

    def clear(self, mode: str | None = None) -> None:
        """Recover from one fault mode, or from all of them."""
        with self._lock:
            self._advance()
            if mode is None or mode == RESET_AFTER:
                self._reset_countdown = None
            if mode is None:
                self._faults.clear()
            else:
                self._faults.discard(mode)
            self._lock.notify_all()
        self._wait(lambda: ("refuse" in self._faults) == (self._listener is None))

    @property
    def formats(self) -> list[bytes]:
        """Every format received so far, in order."""
        with self._lock:
            return list(self._formats)

    def state(self) -> dict[str, Any]:
        """Counts, settings and fault modes as JSON-ready values."""
        with self._lock:
            self._advance()
            return {
                "host": self.host,
                "port": self.port,
                "listening": self._listener is not None,
                "faults": sorted(self._faults),
                "reset_after": self._reset_countdown,
                "label_seconds": self.label_seconds,
                "answer_in_error": self.answer_in_error,
                "connections": self._connections,
                "resets": self._resets,
                "received": len(self._formats),
                "printed": self._printed,
                "formats_in_buffer": max(0, len(self._queue) - 1),
                "labels_remaining": self._queue[0] if self._queue else 0,
            }

    def host_status(self) -> PrinterStatus | None:
        """The `~HS` answer now, or None where a real printer stays silent."""
        with self._lock:
            self._advance()
            if self._faults.intersection(MEDIA_FAULTS) and not self.answer_in_error:
                return None
            return PrinterStatus(
                paper_out="paper-out" in self._faults,
                paused="pause" in self._faults,
                formats_in_buffer=max(0, len(self._queue) - 1),
                partial_format=self._partial,
                head_open="head-open" in self._faults,
                ribbon_out="ribbon-out" in self._faults,
                print_mode=2,
                labels_remaining=self._queue[0] if self._queue else 0,
            )

    def wait_until(self, predicate: Callable[[dict[str, Any]], bool], timeout: float) -> bool:
        """Wait (bounded) until `predicate(state())` holds; say whether it did."""
        deadline = time.monotonic() + timeout
        while not predicate(self.state()):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    # -- print engine ------------------------------------------------------------

    def _advance(self) -> None:
        """Print what the elapsed time allows (call with the lock held)."""
        now = time.monotonic()
        if self._faults.intersection((*MEDIA_FAULTS, "pause")):
            self._clock = now
            return
        if self.label_seconds <= 0:
            self._printed += sum(self._queue)
            self._queue.clear()
        clock = self._clock
        while self._queue and clock + self.label_seconds <= now:
            clock += self.label_seconds
            self._printed += 1
            self._queue[0] -= 1
            if self._queue[0] == 0:
                self._queue.popleft()
        self._clock = clock if self._queue else now

    def _receive(self, label: ReceivedFormat) -> None:
        """Keep a received format and queue its labels for printing."""
        with self._lock:
            self._advance()
            self._formats.append(label.data)
            self._queue.append(label.quantity)
            number = len(self._formats)
        if self.spool_dir is not None:
            self._spool(number, label.data)

    def _spool(self, number: int, data: bytes) -> None:
        """Write a received format (and its picture, when asked) into the spool directory."""
        assert self.spool_dir is not None
        _write_atomic(self.spool_dir / f"{number:06d}.zpl", data)
        if self.png:
            picture = render_png(data)
            if picture is not None:
                _write_atomic(self.spool_dir / f"{number:06d}.png", picture)

    # -- network -----------------------------------------------------------------

    def _listen(self) -> socket.socket:
        """Open the listening socket on the printer's address."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(8)
        listener.settimeout(_TICK)
        return listener

    def _sync_listener(self) -> None:
        """Close the port while refusing connections, reopen it after."""
        with self._lock:
            refusing = "refuse" in self._faults
            if refusing and self._listener is not None:
                self._listener.close()
                self._listener = None
                self._lock.notify_all()
            elif not refusing and self._listener is None:
                try:
                    self._listener = self._listen()
                except OSError as exc:
                    log.warning("virtual printer cannot listen again yet: %s", exc)
                self._lock.notify_all()

    def _wait(self, predicate: Callable[[], bool]) -> None:
        """Wait a bounded time for the serving thread to apply a change."""
        with self._lock:
            self._lock.wait_for(
                lambda: predicate() or self._thread is None or self._stopping.is_set(), timeout=5
            )

    def _run(self) -> None:
        """Accept and serve one connection at a time until stopped."""
        try:
            while not self._stopping.is_set():
                self._sync_listener()
                listener = self._listener
                if listener is None:
                    time.sleep(_TICK)
                    continue
                try:
                    connection, _ = listener.accept()
                except OSError:
                    continue
                self._serve(connection)
        finally:
            with self._lock:
                if self._listener is not None:
                    self._listener.close()
                    self._listener = None

    def _serve(self, connection: socket.socket) -> None:
        """Read formats and commands from one connection in order, answering `~HS`."""
        parser = ZplStreamParser()
        connection.settimeout(_TICK)
        with self._lock:
            self._connections += 1
        try:
            while not self._stopping.is_set():
                with self._lock:
                    faults = set(self._faults)
                if "refuse" in faults:
                    self._reset(connection)
                    return
                if "stall" in faults:
                    time.sleep(_TICK)
                    continue
                try:
                    data = connection.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not data or not self._handle(connection, parser.feed(data)):
                    return
                with self._lock:
                    self._partial = parser.partial_format
        finally:
            with self._lock:
                self._partial = False
            connection.close()

    def _handle(
        self, connection: socket.socket, events: Sequence[ReceivedFormat | ControlCommand]
    ) -> bool:
        """Act on parsed input; return False once the connection is gone."""
        for event in events:
            if isinstance(event, ReceivedFormat):
                self._receive(event)
                if self._count_down():
                    self._reset(connection)
                    return False
            elif event.name == "HS":
                answer = self.host_status()
                if answer is not None:
                    try:
                        connection.sendall(format_host_status(answer))
                    except OSError:
                        return False
        return True

    def _count_down(self) -> bool:
        """Count a label against `reset-after`; True when the reset is due now."""
        with self._lock:
            if self._reset_countdown is None:
                return False
            self._reset_countdown -= 1
            if self._reset_countdown > 0:
                return False
            self._reset_countdown = None
            return True

    def _reset(self, connection: socket.socket) -> None:
        """Drop a connection with a TCP reset, as a printer that lost it would."""
        with self._lock:
            self._resets += 1
        try:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        connection.close()


def render_png(data: bytes, dpi: int = 203) -> bytes | None:
    """Picture of a ZPL format through zplkit, or None when it is missing or fails."""
    try:
        import zplkit
    except ImportError:
        return None
    try:
        document = zplkit.render(data, zplkit.Options(dpi=dpi))
        return document.labels[0].png() if document.labels else None
    except Exception as exc:  # a format zplkit cannot draw is still kept as ZPL
        log.info("virtual printer cannot draw a format: %s", exc)
        return None


def _write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers never see it half written."""
    part = path.with_name(f".{path.name}.part")
    part.write_bytes(data)
    os.replace(part, path)


def build_parser() -> argparse.ArgumentParser:
    """Command-line options of the virtual printer."""
    parser = argparse.ArgumentParser(
        prog="labelsvc printer-sim", description="Run a virtual ZPL printer on raw TCP."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=9100, help="raw TCP port (0 = any free)")
    parser.add_argument("--control-port", type=int, help="HTTP JSON control port (0 = any)")
    parser.add_argument("--spool-dir", help="write every received format here, in order")
    parser.add_argument("--png", action="store_true", help="also write a PNG of each format")
    parser.add_argument(
        "--label-seconds", type=float, default=0.0, help="print time per label (0 = instant)"
    )
    parser.add_argument(
        "--fault", action="append", default=[], choices=FAULT_MODES, help="start in a fault mode"
    )
    parser.add_argument("--reset-after", type=int, help="reset the connection after N labels")
    parser.add_argument(
        "--answer-in-error",
        action="store_true",
        help="answer ~HS in paper-out/head-open/ribbon-out instead of staying silent",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the virtual printer until interrupted."""
    args = build_parser().parse_args(argv)
    printer = VirtualPrinter(
        args.host,
        args.port,
        label_seconds=args.label_seconds,
        spool_dir=args.spool_dir,
        png=args.png,
        answer_in_error=args.answer_in_error,
    )
    for mode in args.fault:
        printer.set_fault(mode)
    if args.reset_after is not None:
        printer.set_fault(RESET_AFTER, args.reset_after)
    done = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: done.set())
    printer.start()
    control = None
    line = f"virtual printer listening on {printer.host}:{printer.port}"
    if args.control_port is not None:
        control = ControlServer(printer, printer.host, args.control_port)
        line += f", control on http://{printer.host}:{control.port}"
    print(line, flush=True)
    try:
        done.wait()
    finally:
        if control is not None:
            control.stop()
        printer.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
