"""Fixtures of the integration tests that drive printers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from printers.sim import VirtualPrinter


@pytest.fixture
def sim() -> Iterator[VirtualPrinter]:
    """A virtual printer on a free port."""
    with VirtualPrinter(port=0) as printer:
        yield printer
