"""What every symbology is built on: the symbol, the base class and the registry `SYMBOLOGIES`."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from templates.errors import TemplateError


@dataclass(frozen=True, slots=True)
class Symbol:
    """An encoded symbol in modules: rows of '0'/'1' (one row for a linear code)."""

    rows: tuple[str, ...]
    quiet: int

    @property
    def width(self) -> int:
        """Width in modules, without quiet zones."""
        return len(self.rows[0])

    @property
    def linear(self) -> bool:
        """True for a one-row (linear) symbol whose bars take the element's height."""
        return len(self.rows) == 1

    def runs(self) -> list[tuple[int, int, int]]:
        """Return (row, first module, length) for every run of dark modules."""
        out: list[tuple[int, int, int]] = []
        for r, row in enumerate(self.rows):
            out.extend((r, m.start(), m.end() - m.start()) for m in _DARK.finditer(row))
        return out


_DARK = re.compile("1+")


class Symbology(ABC):
    """One barcode symbology: data rules, encoding to modules, and native ZPL when exact.

    Subclasses set `slug`, `quiet` (modules each side; all four sides for 2D) and may set
    `gs1` (data is a GS1 element string with GS separators, FNC1 first is implied).
    """

    slug: ClassVar[str]
    quiet: ClassVar[int]
    gs1: ClassVar[bool] = False
    two_d: ClassVar[bool] = False

    @abstractmethod
    def prepare(self, data: str) -> str:
        """Return the data to encode (e.g. with a check digit added).

        Raises:
            TemplateError: the data cannot be carried by this symbology (plain words).
        """

    @abstractmethod
    def encode(self, data: str) -> Symbol:
        """Return the symbol for prepared data."""

    def size(self, data: str) -> tuple[int, int]:
        """Return (width, height) in modules without quiet zones; height 0 for linear codes."""
        symbol = self.encode(data)
        return symbol.width, 0 if symbol.linear else len(symbol.rows)

    def zpl(self, data: str, module: int, height: int) -> str | None:
        """Return the native ZPL (`^BY…^B…^FD…^FS`) for prepared data, or None for a `^GF` bitmap.

        Args:
            data: prepared data.
            module: module (narrow bar) width in dots.
            height: bar height in dots (linear codes).
        """
        return None

    def scanned(self, data: str) -> str:
        """Return the text a scanner transmits for prepared data (GS1: with GS separators)."""
        return data


SYMBOLOGIES: dict[str, Symbology] = {}
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
S = TypeVar("S", bound=type[Symbology])


def register(cls: S) -> S:
    """Register a symbology class under its slug; refuse duplicates and malformed slugs."""
    if not _SLUG.fullmatch(cls.slug):
        raise ValueError(f"symbology slug {cls.slug!r} must be lower-case-hyphen")
    if cls.slug in SYMBOLOGIES:
        raise ValueError(f"symbology {cls.slug!r} is already registered")
    SYMBOLOGIES[cls.slug] = cls()
    return cls


def refuse(message: str) -> TemplateError:
    """Return the error for data a symbology cannot carry."""
    return TemplateError(message)


def printable_ascii(slug: str, data: str) -> None:
    """Raise TemplateError unless data is 1+ printable ASCII characters."""
    if not data:
        raise refuse(f"{slug} needs at least one character")
    bad = next((c for c in data if not " " <= c <= "~"), None)
    if bad is not None:
        raise refuse(f"{slug} carries printable ASCII only; {bad!r} cannot be encoded")
