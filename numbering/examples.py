"""The example schemes shipped with the product (they double as documentation)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml


def load_examples() -> list[dict[str, Any]]:
    """Return the shipped example scheme definitions, in name order."""
    folder = resources.files("numbering") / "schemes"
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            out.append(yaml.safe_load(entry.read_text(encoding="utf-8")))
    return out
