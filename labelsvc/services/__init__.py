"""Use cases of the registry; each owns its transaction and raises domain errors."""

from __future__ import annotations
