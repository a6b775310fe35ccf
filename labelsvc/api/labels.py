"""Rendering endpoint: labels as ZPL, PDF or PNG bytes, whole or a 422."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response

from labelsvc.api.http import endpoint, spec
from labelsvc.appcontext import database
from labelsvc.contract.label_models import RenderIn
from labelsvc.services import labels

bp = Blueprint("labels", __name__, url_prefix="/api/v1/labels")
TAGS = ("labels",)
MEDIA_TYPES = {"zpl": "application/zpl", "pdf": "application/pdf", "png": "image/png"}
BINARY = {"type": "string", "format": "binary"}


def binary_answer(media_types: tuple[str, ...], description: str) -> Callable[[Any], Any]:
    """Declare a view's 200 answer in the OpenAPI document as bytes of these media types."""

    def decorate(view: Any) -> Any:
        metadata: Any = spec.get_function_metadata(view)
        generate = metadata.resp.generate_spec

        def with_bytes(*args: Any, **kwargs: Any) -> dict[str, Any]:
            answers: dict[str, Any] = generate(*args, **kwargs)
            answers["200"] = {"description": description,
                              "content": {m: {"schema": BINARY} for m in media_types}}
            return answers

        metadata.resp.generate_spec = with_bytes
        return view

    return decorate


@bp.post("/render")
@binary_answer(tuple(MEDIA_TYPES.values()),
               "the labels: ZPL (one ^XA…^XZ per label), PDF (one page per label) or the PNG "
               "of the first label")
@endpoint(body=RenderIn, answers={200: None}, tags=TAGS)
def render(body: RenderIn) -> Response:
    """Render labels for issued identifiers, or one label from data."""
    out, size = labels.render_request(database(), template=body.template, format=body.format,
                                      dpi=body.dpi, identifiers=body.identifiers, data=body.data)
    response = Response(labels.stream(out), mimetype=MEDIA_TYPES[body.format],
                        direct_passthrough=True)
    response.content_length = size
    response.call_on_close(out.close)
    return response
