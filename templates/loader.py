"""Load templates from YAML/JSON files and list the templates shipped with the product."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from templates.errors import TemplateError
from templates.model import Template, field_errors

SHIPPED_DIR = Path(__file__).parent / "shipped"


def load_template(path: str | Path) -> Template:
    """Read and validate one template file; images resolve beside it."""
    path = Path(path)
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError(f"cannot read template {path.name}: {exc}") from None
    if not isinstance(data, dict):
        raise TemplateError(f"template {path.name} must be a mapping")
    try:
        return Template.from_definition(data, image_dir=path.parent)
    except ValidationError as exc:
        problems = "; ".join(f"{k}: {v}" for k, v in field_errors(exc).items())
        raise TemplateError(f"template {path.name} is invalid: {problems}") from None


def shipped_templates() -> dict[str, Template]:
    """Return the shipped templates by name."""
    found = (load_template(p) for p in sorted(SHIPPED_DIR.glob("*.yaml")))
    return {t.name: t for t in found}
