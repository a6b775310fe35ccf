"""Scheme endpoints: define, version, list, read, preview."""

from __future__ import annotations

from flask import Blueprint, Response

from labelsvc.api.http import actor, as_sent, endpoint, json_response
from labelsvc.appcontext import database
from labelsvc.contract.common import PageQuery
from labelsvc.contract.models import (
    PreviewIn,
    PreviewOut,
    SchemeDefinitionIn,
    SchemeDetailOut,
    SchemeListOut,
    SchemeOut,
)
from labelsvc.services import schemes, tokens

bp = Blueprint("schemes", __name__, url_prefix="/api/v1/schemes")
TAGS = ("schemes",)


@bp.post("")
@endpoint(capability=tokens.DEFINE_SCHEMES, body=SchemeDefinitionIn, answers={201: SchemeOut},
          tags=TAGS)
def define(body: SchemeDefinitionIn) -> Response:
    """Define a scheme (version 1)."""
    view = schemes.define_scheme(database(), as_sent(body), actor())
    return json_response(view, 201, headers={"Location": f"/api/v1/schemes/{view.name}"})


@bp.put("/<name>")
@endpoint(capability=tokens.DEFINE_SCHEMES, body=SchemeDefinitionIn, answers={200: SchemeOut},
          tags=TAGS)
def new_version(name: str, body: SchemeDefinitionIn) -> Response:
    """Add a new version of a scheme."""
    return json_response(schemes.new_version(database(), name, as_sent(body), actor()))


@bp.get("")
@endpoint(query=PageQuery, answers={200: SchemeListOut}, tags=TAGS)
def list_schemes(query: PageQuery) -> Response:
    """List schemes."""
    return json_response(schemes.list_schemes(database(), limit=query.limit, cursor=query.cursor))


@bp.get("/<name>")
@endpoint(answers={200: SchemeDetailOut}, tags=TAGS)
def read(name: str) -> Response:
    """Read a scheme with all its versions."""
    return json_response(schemes.read_scheme(database(), name))


@bp.post("/<name>/preview")
@endpoint(body=PreviewIn, answers={200: PreviewOut}, tags=TAGS)
def preview(name: str, body: PreviewIn) -> Response:
    """Show the next values of a counter without consuming them."""
    return json_response(schemes.preview(database(), name, body.fields, body.date, body.count))
