"""Label template endpoints: define, version, list, read, preview."""

from __future__ import annotations

from flask import Blueprint, Response

from labelsvc.api.http import actor, as_sent, endpoint, json_response
from labelsvc.api.labels import binary_answer
from labelsvc.appcontext import database
from labelsvc.contract.common import PageQuery
from labelsvc.contract.label_models import (
    PreviewQuery,
    TemplateDetailOut,
    TemplateIn,
    TemplateListOut,
    TemplateOut,
)
from labelsvc.services import label_templates, labels, tokens

bp = Blueprint("templates", __name__, url_prefix="/api/v1/templates")
TAGS = ("templates",)


@bp.post("")
@endpoint(capability=tokens.DEFINE_TEMPLATES, body=TemplateIn, answers={201: TemplateOut},
          tags=TAGS)
def define(body: TemplateIn) -> Response:
    """Define a label template or upload a ZPL format (version 1)."""
    view = label_templates.define_template(database(), as_sent(body), actor())
    return json_response(view, 201, headers={"Location": f"/api/v1/templates/{view.name}"})


@bp.put("/<name>")
@endpoint(capability=tokens.DEFINE_TEMPLATES, body=TemplateIn, answers={200: TemplateOut},
          tags=TAGS)
def new_version(name: str, body: TemplateIn) -> Response:
    """Add a new version of a template; the first one of a shipped name overrides it."""
    return json_response(label_templates.new_template_version(database(), name, as_sent(body),
                                                              actor()))


@bp.get("")
@endpoint(query=PageQuery, answers={200: TemplateListOut}, tags=TAGS)
def list_templates(query: PageQuery) -> Response:
    """List stored and shipped templates by name."""
    return json_response(label_templates.list_templates(database(), limit=query.limit,
                                                        cursor=query.cursor))


@bp.get("/<name>")
@endpoint(answers={200: TemplateDetailOut}, tags=TAGS)
def read(name: str) -> Response:
    """Read a template with all its stored versions."""
    return json_response(label_templates.read_template(database(), name))


@bp.get("/<name>/preview.png")
@binary_answer(("image/png",), "a PNG of one label, round(mm × dots per mm) pixels each side")
@endpoint(query=PreviewQuery, answers={200: None}, tags=TAGS)
def preview(name: str, query: PreviewQuery) -> Response:
    """Preview one label as PNG: an identifier's, or sample data's."""
    png = labels.preview_png(database(), name, dpi=query.dpi, identifier=query.identifier)
    return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})
