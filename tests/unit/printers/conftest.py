"""Fixtures: a virtual printer on loopback and a `zpl-tcp` driver with short timeouts; every test
runs with the `file` driver unconfined, whatever an application built earlier in the same
process set as its spool root."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from printers import DRIVERS, FileDriver, PrinterDriver
from printers.sim import VirtualPrinter


@pytest.fixture(autouse=True)
def unconfined_spool() -> Iterator[None]:
    FileDriver.confine(None)
    yield
    FileDriver.confine(None)


@pytest.fixture
def sim() -> Iterator[VirtualPrinter]:
    """A running virtual printer on a free loopback port."""
    with VirtualPrinter() as printer:
        yield printer


@pytest.fixture
def driver(sim: VirtualPrinter) -> PrinterDriver:
    """A `zpl-tcp` driver for `sim` that gives up within a fraction of a second."""
    return DRIVERS["zpl-tcp"](
        host="127.0.0.1",
        port=sim.port,
        connect_timeout=1.0,
        send_timeout=1.0,
        status_timeout=0.3,
        poll_interval=0.02,
    )
