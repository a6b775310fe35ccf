"""Printer resolution: dpi to dots per mm and mm to whole dots."""

from __future__ import annotations

DOTS_PER_MM: dict[int, int] = {203: 8, 300: 12, 600: 24}
MM_PER_POINT = 25.4 / 72


def dots(mm: float, dpmm: int, minimum: int = 0) -> int:
    """Return round(mm × dots/mm), never less than `minimum`."""
    return max(minimum, round(mm * dpmm))


def dots_per_mm(dpi: int) -> int:
    """Return the printer's dots per mm for a supported dpi (203, 300, 600)."""
    try:
        return DOTS_PER_MM[dpi]
    except KeyError:
        from templates.errors import TemplateError

        raise TemplateError(f"dpi {dpi} is not supported; use 203, 300 or 600", "dpi") from None
