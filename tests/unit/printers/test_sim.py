"""The virtual printer's control interface, command line and spool directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from printers import DRIVERS, PrinterDriver, PrinterPaused, PrinterUnreachable, deliver
from printers.sim import VirtualPrinter
from printers.simcontrol import ControlServer

ROOT = Path(__file__).resolve().parents[3]


def call(port: int, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Send one control request and decode its JSON answer (errors included)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as error:
        return {"status": error.code, **json.load(error)}


def zpl_driver(port: int) -> PrinterDriver:
    """A `zpl-tcp` driver with short timeouts."""
    return DRIVERS["zpl-tcp"](host="127.0.0.1", port=port, status_timeout=0.3)


@pytest.fixture
def control(sim: VirtualPrinter) -> Iterator[int]:
    """The port of an HTTP control interface on the virtual printer."""
    server = ControlServer(sim, sim.host)
    yield server.port
    server.stop()


def test_control_interface(sim: VirtualPrinter, driver: PrinterDriver, control: int) -> None:
    assert call(control, "POST", "/fault", {"mode": "paper-out"})["faults"] == ["paper-out"]
    with pytest.raises(PrinterUnreachable):
        driver.probe()
    assert call(control, "POST", "/clear", {})["faults"] == []
    deliver(driver, [(1, b"^XA^FDone^FS^XZ"), (2, b"^XA^FDtwo^FS^XZ")])
    state = call(control, "GET", "/state")
    assert (state["received"], state["printed"], state["connections"]) == (2, 2, 2)
    formats = call(control, "GET", "/formats?offset=1&limit=5")
    assert formats == {"items": ["^XA^FDtwo^FS^XZ"], "offset": 1, "total": 2}
    call(control, "POST", "/fault", {"mode": "reset-after", "labels": 1})
    assert call(control, "GET", "/state")["reset_after"] == 1
    settings = call(control, "POST", "/settings", {"label_seconds": 0.5})
    assert settings["label_seconds"] == 0.5
    assert call(control, "POST", "/fault", {"mode": "on-fire"})["status"] == 400
    assert call(control, "GET", "/nothing")["status"] == 404


def test_clear_recovers_one_mode(sim: VirtualPrinter, driver: PrinterDriver) -> None:
    sim.answer_in_error = True
    sim.set_fault("pause")
    sim.set_fault("head-open")
    sim.clear("head-open")
    with pytest.raises(PrinterPaused):
        driver.probe()
    sim.clear("pause")
    assert driver.probe().fault is None


def test_paused_printer_keeps_labels_until_resumed(
    sim: VirtualPrinter, driver: PrinterDriver
) -> None:
    with driver.connect() as connection:
        connection.status()
        sim.set_fault("pause")
        connection.send(b"^XA^FDwaiting^FS^XZ")
        assert sim.wait_until(lambda s: s["received"] == 1, timeout=2)
    assert sim.state()["labels_remaining"] == 1
    sim.clear()
    assert sim.state()["printed"] == 1


def test_command_line_printer(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "printers.sim", "--port", "0", "--control-port", "0"]
    command += ["--spool-dir", str(spool), "--png", "--fault", "pause"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        timer = threading.Timer(20, process.kill)
        timer.start()
        line = process.stdout.readline() if process.stdout else ""
        timer.cancel()
        assert "listening on 127.0.0.1:" in line, line
        port = int(line.split("listening on 127.0.0.1:")[1].split(",")[0])
        control = int(line.rsplit(":", 1)[1])
        driver = zpl_driver(port)
        with pytest.raises(PrinterPaused):
            driver.probe()
        call(control, "POST", "/clear")
        zpl = b"^XA^FO20,20^A0N,30,30^FDSN1^FS^XZ"
        assert deliver(driver, [(1, zpl), (2, zpl.replace(b"SN1", b"SN2"))]).confirmed == 2
        assert (spool / "000001.zpl").read_bytes() == zpl
        assert (spool / "000002.zpl").exists()
        png = spool / "000001.png"
        assert png.read_bytes().startswith(b"\x89PNG"), "zplkit draws the format"
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0
