"""Request and response models of the label template and rendering endpoints."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from labelsvc.contract.common import Body, Query, TemplateName, Value


def _supported_dpi(dpi: int) -> int:
    """Accept the printer resolutions labels are made for."""
    if dpi not in (203, 300, 600):
        raise ValueError(f"dpi {dpi} is not supported; use 203, 300 or 600")
    return dpi


Dpi = Annotated[int, AfterValidator(_supported_dpi),
                Field(description="203, 300 or 600 (8, 12 or 24 dots per mm)")]
MAX_RENDER_IDENTIFIERS = 10_000
TemplateKind = Literal["label", "zpl"]


class TemplateIn(BaseModel):
    """A label template (its size in mm, dpi and elements) or a ZPL format with `{placeholder}`s.

    Send `elements` for a template, or `zpl` (a format from ^XA to ^XZ, made in another
    designer, with placeholders such as `{value}` in its ^FD data) with `width_mm`,
    `height_mm` and `dpi`. Extra keys are kept.
    """

    model_config = ConfigDict(extra="allow")
    name: TemplateName | None = None
    width_mm: float | None = None
    height_mm: float | None = None
    dpi: int | None = None
    elements: list[dict[str, Any]] | None = None
    zpl: Annotated[str, StringConstraints(min_length=1)] | None = None


class TemplateOut(BaseModel):
    """A template's current version; shipped templates are version 0 until overridden."""

    name: str
    kind: TemplateKind
    source: Literal["stored", "shipped"]
    version: int
    definition: dict[str, Any]
    placeholders: list[str]
    overrides_shipped: bool


class TemplateVersionOut(BaseModel):
    """One stored version of a template."""

    version: int
    kind: TemplateKind
    definition: dict[str, Any]
    created_at: str
    created_by: str


class TemplateDetailOut(TemplateOut):
    """A template with every stored version."""

    versions: list[TemplateVersionOut]


class TemplateListOut(BaseModel):
    """A page of templates, stored and shipped, by name."""

    items: list[TemplateOut]
    next_cursor: str | None


class PreviewQuery(Query):
    """Which label to preview: an identifier's, or sample data's."""

    dpi: Dpi | None = None
    identifier: Value | None = None


class RenderIn(Body):
    """Render labels: `identifiers` (issued values) or `data` (one label, a record's keys)."""

    template: TemplateName
    format: Literal["zpl", "pdf", "png"]
    dpi: Dpi | None = None
    identifiers: Annotated[list[Value], Field(min_length=1,
                                              max_length=MAX_RENDER_IDENTIFIERS)] | None = None
    data: dict[str, Any] | None = None
