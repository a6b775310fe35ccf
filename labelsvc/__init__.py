"""labelsvc: serial and lot numbers, the traceability registry, and label printing.

`create_app` is imported when first asked for, so that a print worker or the command line
that imports `labelsvc.worker` does not load Flask and the web pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labelsvc.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    """Import `create_app` (the application factory) on first use."""
    if name == "create_app":
        from labelsvc.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
