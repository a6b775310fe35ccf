"""The public driver registry `DRIVERS`, filled by `@register` and by entry points."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import TypeVar

from printers.base import PrinterDriver
from printers.errors import DuplicateDriver, PrinterError, UnknownDriver

ENTRY_POINT_GROUP = "labelsvc.printers"

D = TypeVar("D", bound=type[PrinterDriver])


class DriverRegistry(Mapping[str, type[PrinterDriver]]):
    """Driver classes by slug; third-party drivers are found on first lookup."""

    def __init__(self, group: str = ENTRY_POINT_GROUP) -> None:
        self.group = group
        self._drivers: dict[str, type[PrinterDriver]] = {}
        self._discovered = False
        self._lock = threading.RLock()

    def add(self, slug: str, driver: type[PrinterDriver]) -> None:
        """Register `driver` under `slug`; a slug that is taken by another class is refused."""
        with self._lock:
            existing = self._drivers.get(slug)
            if existing is not None and existing is not driver:
                raise DuplicateDriver(
                    f"printer driver {slug!r} is already registered by "
                    f"{existing.__module__}.{existing.__qualname__}"
                )
            self._drivers[slug] = driver

    def discover(self) -> None:
        """Load the drivers that installed packages declare in the entry point group."""
        with self._lock:
            if self._discovered:
                return
            self._discovered = True
            for entry_point in entry_points(group=self.group):
                self.add(entry_point.name, _load(entry_point))

    def require(self, *slugs: str) -> None:
        """Fail fast, naming the known drivers, when any of `slugs` is unknown."""
        for slug in slugs:
            self[slug]

    def __getitem__(self, slug: str) -> type[PrinterDriver]:
        self.discover()
        try:
            return self._drivers[slug]
        except KeyError:
            raise UnknownDriver(slug, sorted(self._drivers)) from None

    def __iter__(self) -> Iterator[str]:
        self.discover()
        return iter(sorted(self._drivers))

    def __len__(self) -> int:
        self.discover()
        return len(self._drivers)


def _load(entry_point: EntryPoint) -> type[PrinterDriver]:
    """Import one entry point and check that it names a driver class."""
    try:
        driver = entry_point.load()
    except Exception as exc:
        raise PrinterError(
            f"printer driver plugin {entry_point.name!r} ({entry_point.value}) "
            f"failed to load: {exc}"
        ) from exc
    if not (isinstance(driver, type) and issubclass(driver, PrinterDriver)):
        raise PrinterError(
            f"printer driver plugin {entry_point.name!r} ({entry_point.value}) "
            "is not a PrinterDriver subclass"
        )
    return driver


DRIVERS = DriverRegistry()


def register(slug: str) -> Callable[[D], D]:
    """Class decorator: register a driver class in `DRIVERS` under `slug`."""

    def decorate(driver: D) -> D:
        driver.slug = slug
        DRIVERS.add(slug, driver)
        return driver

    return decorate
