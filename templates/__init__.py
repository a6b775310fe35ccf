"""Label templates and renderers: ZPL, PDF and PNG whose every barcode scans exactly."""

from __future__ import annotations

from templates.byo import ZplTemplate
from templates.errors import TemplateError
from templates.loader import load_template, shipped_templates
from templates.model import Template, field_errors
from templates.render import FORMATS, Format, render, render_bytes, render_to
from templates.symbologies import SYMBOLOGIES, Symbol, Symbology, register

__all__ = [
    "FORMATS",
    "SYMBOLOGIES",
    "Format",
    "Symbol",
    "Symbology",
    "Template",
    "TemplateError",
    "ZplTemplate",
    "field_errors",
    "load_template",
    "register",
    "render",
    "render_bytes",
    "render_to",
    "shipped_templates",
]
