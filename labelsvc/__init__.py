"""labelsvc: serial and lot numbers, the traceability registry, and label printing."""

from __future__ import annotations

from labelsvc.app import create_app

__all__ = ["create_app"]
