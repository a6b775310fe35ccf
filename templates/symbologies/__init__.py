"""Barcode symbologies: a public registry `SYMBOLOGIES` keyed by lower-case-hyphen slug.

The base class and the registry live in `base`; importing this package registers the
symbologies shipped with it (one module per family).
"""

from __future__ import annotations

from templates.symbologies import code128, gs1qr, linear, matrix  # noqa: F401 - registers them
from templates.symbologies.base import (
    SYMBOLOGIES,
    Symbol,
    Symbology,
    printable_ascii,
    refuse,
    register,
)

__all__ = ["SYMBOLOGIES", "Symbol", "Symbology", "printable_ascii", "refuse", "register"]
