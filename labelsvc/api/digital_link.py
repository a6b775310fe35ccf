"""The GS1 Digital Link resolver at the root (`/01/{gtin}/21/{serial}`, `/01/{gtin}/10/{lot}`,
`/00/{sscc}` …) and what an admin makes public of a scheme's units."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request

from labelsvc.api.http import actor, endpoint, json_response
from labelsvc.appcontext import database, public_page
from labelsvc.contract.common import Problem
from labelsvc.contract.public_models import LinksetOut, PublicViewIn, PublicViewOut
from labelsvc.services import public_view, tokens

bp = Blueprint("digital_link", __name__)
views_bp = Blueprint("public_views", __name__, url_prefix="/api/v1/schemes")
LINKSET = "application/linkset+json"
# The path parameters of the resolver, by AI, in the order of the Digital Link path.
KEYS = (("sscc", "00"), ("gtin", "01"), ("lot", "10"), ("serial", "21"))


def _base() -> str:
    """The Digital Link base of the service, else the address the request came to."""
    base: str | None = current_app.config.get("DIGITAL_LINK_BASE")
    return base or request.host_url.rstrip("/")


def wants_linkset() -> bool:
    """True for `?linkType=all`, or a client that prefers (linkset) JSON to a page."""
    if request.args.get("linkType") in ("all", "linkset"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", LINKSET, "application/json"],
                                               default="text/html")
    return best != "text/html"


@bp.get("/00/<sscc>")
@bp.get("/01/<gtin>/10/<lot>")
@bp.get("/01/<gtin>/21/<serial>")
@bp.get("/01/<gtin>/10/<lot>/21/<serial>")
@endpoint(public=True, answers={200: LinksetOut, 404: Problem}, tags=("digital-link",))
def resolve(**path: Any) -> Response:
    """Answer a GS1 Digital Link: the unit's public page to a browser; its linkset
    (`application/linkset+json`) with that Accept header, `application/json` or
    `?linkType=all`. No token is needed; an unknown or malformed link is a 404."""
    elements = [(ai, str(path[name])) for name, ai in KEYS if name in path]
    unit = public_view.resolve(database(), elements, _base())
    page = public_page()
    if page is None or wants_linkset():
        body = public_view.linkset(unit).model_dump_json(by_alias=True, exclude_none=True)
        return Response(body, mimetype=LINKSET, headers={"Vary": "Accept"})
    response = page(unit)
    response.headers["Vary"] = "Accept"
    return response


@views_bp.get("/<name>/public-view")
@endpoint(answers={200: PublicViewOut}, tags=("schemes",))
def read_public_view(name: str) -> Response:
    """Say what the scheme's units show on their public Digital Link page."""
    return json_response(public_view.read_public_view(database(), name))


@views_bp.put("/<name>/public-view")
@endpoint(capability=tokens.DEFINE_SCHEMES, body=PublicViewIn, answers={200: PublicViewOut},
          tags=("schemes",))
def set_public_view(name: str, body: PublicViewIn) -> Response:
    """Decide what the scheme's units show the public (`product`, `lot`, `expiry`,
    `production_date`; none: only that the unit exists and whether it is withdrawn)."""
    return json_response(public_view.set_public_view(database(), name, body, actor()))
