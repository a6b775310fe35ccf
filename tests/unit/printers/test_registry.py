"""The driver registry: built-ins, `@register`, entry point discovery, fail-fast lookup."""

from __future__ import annotations

from pathlib import Path

import pytest

from printers import (
    DRIVERS,
    ENTRY_POINT_GROUP,
    DriverRegistry,
    DuplicateDriver,
    FileDriver,
    PrinterError,
    UnknownDriver,
    ZplTcpDriver,
    register,
)

PLUGIN = '''
from __future__ import annotations
from printers import FileDriver


class PlantSpoolDriver(FileDriver):
    """A third-party driver."""

NOT_A_DRIVER = 42
'''


def install_plugin(root: Path, monkeypatch: pytest.MonkeyPatch, entry_points: str) -> None:
    """Put a module and a dist-info declaring `entry_points` on sys.path."""
    (root / "plant_printers.py").write_text(PLUGIN)
    dist = root / "plant_printers-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: plant-printers\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{entry_points}\n")
    monkeypatch.syspath_prepend(str(root))


def test_built_in_drivers() -> None:
    assert DRIVERS["zpl-tcp"] is ZplTcpDriver
    assert DRIVERS["file"] is FileDriver
    assert {"zpl-tcp", "file", "ipp"} <= set(DRIVERS)
    assert ZplTcpDriver.slug == "zpl-tcp"


def test_unknown_driver_names_the_known_ones() -> None:
    with pytest.raises(UnknownDriver) as raised:
        DRIVERS.require("zpl-tcp", "zpl-tpc")
    message = str(raised.value)
    assert "'zpl-tpc'" in message and "zpl-tcp" in message and "file" in message
    assert raised.value.reason == "unknown-driver"
    assert DRIVERS.get("zpl-tpc") is None and "zpl-tpc" not in DRIVERS


def test_register_refuses_a_taken_slug() -> None:
    with pytest.raises(DuplicateDriver, match="zpl-tcp"):

        @register("zpl-tcp")
        class Other(FileDriver):
            """Tries to take the slug of the TCP driver."""


def test_entry_point_driver_is_discovered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_plugin(tmp_path, monkeypatch, "plant-spool = plant_printers:PlantSpoolDriver")
    registry = DriverRegistry()
    driver_class = registry["plant-spool"]
    assert driver_class.__name__ == "PlantSpoolDriver"
    assert list(registry) == ["plant-spool"]
    driver = driver_class(directory=tmp_path)
    with driver.connect("job") as connection:
        assert connection.status().fault is None


def test_entry_point_that_is_not_a_driver_fails_fast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin(tmp_path, monkeypatch, "bad = plant_printers:NOT_A_DRIVER")
    with pytest.raises(PrinterError, match="not a PrinterDriver"):
        DriverRegistry()["bad"]


def test_entry_point_may_not_take_a_registered_slug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin(tmp_path, monkeypatch, "file = plant_printers:PlantSpoolDriver")
    registry = DriverRegistry()
    registry.add("file", FileDriver)
    with pytest.raises(DuplicateDriver):
        registry["file"]
