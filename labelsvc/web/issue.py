"""Issue serials at a line and receive unlabeled lots at the dock."""

from __future__ import annotations

import uuid
from typing import Any

import pydantic
from flask import Blueprint, Response, request
from werkzeug.datastructures import MultiDict

from labelsvc.appcontext import database, issuer, run_once
from labelsvc.contract.models import IssueIn, LotsIn, SchemeOut, SerialsIn
from labelsvc.errors import pydantic_errors
from labelsvc.registry.queries import number
from labelsvc.services import schemes, screens, tokens
from labelsvc.services.issuing import Issued, IssueRequest
from labelsvc.web.common import actor, csrf_token, form_fields, is_fragment, page, refusal, render

bp = Blueprint("issue", __name__)
SCHEME_LIMIT = 1000
SHOWN_VALUES = 200
# The label template a form offers first, by the kind it issues.
DEFAULT_TEMPLATES = {"serial": "serial-50x25", "lot": "receiving-100x50"}


def _schemes_of(kind: str) -> list[SchemeOut]:
    """The schemes that issue one kind, for the scheme picker."""
    listing = schemes.list_schemes(database(), limit=SCHEME_LIMIT, cursor=None)
    return [s for s in listing.items if s.kind == kind]


def _chosen(kind: str, options: list[SchemeOut], name: str | None) -> SchemeOut | None:
    """The scheme picked in the form, else the first one of its kind."""
    return next((s for s in options if s.name == name), options[0] if options else None)


def _body(form: MultiDict[str, str], kind: str) -> dict[str, Any]:
    """The issue request a form asks for, in the API's shape."""
    body: dict[str, Any] = {"scheme": form.get("scheme", ""), "fields": form_fields(form)}
    for key in ("date", "lot", "uom", "expiry", "supplier", "supplier_lot"):
        if form.get(key, "").strip():
            body[key] = form[key].strip()
    for key in ("count", "quantity"):
        raw = form.get(key, "").strip()
        if raw:
            body[key] = int(raw) if raw.isdigit() else raw
    attributes = form_fields(form, "attributes.")
    if attributes:
        body["attributes"] = attributes
    if kind == "lot":
        body["count"] = 1
    if form.get("print.printer", "").strip():
        body["print"] = {"printer": form["print.printer"].strip(),
                         "template": form.get("print.template", "").strip()}
        copies = form.get("print.copies", "").strip() or "1"
        body["print"]["copies"] = int(copies) if copies.isdigit() else copies
    return body


def _validated(form: MultiDict[str, str], kind: str) -> SerialsIn | LotsIn:
    """Check the form with the API's own request model."""
    model: type[SerialsIn | LotsIn] = LotsIn if kind == "lot" else SerialsIn
    return model.model_validate(_body(form, kind))


def _required(kind: str, form: MultiDict[str, str] | dict[str, str],
              chosen: SchemeOut | None) -> dict[str, str]:
    """What the form must carry: the scheme's fields, a receipt's entries, and what the label
    template prints when a printer is chosen (form entry name -> words)."""
    printing = bool(form.get("print.printer", "").strip())
    template = (form.get("print.template", "").strip() or DEFAULT_TEMPLATES[kind]) \
        if printing else None
    return screens.required_entries(database(), kind=kind, template=template,
                                    definition=chosen.definition if chosen else None)


def _missing(kind: str, form: MultiDict[str, str]) -> dict[str, str]:
    """The required entries a submitted form leaves empty, with what to enter in each."""
    chosen = _chosen(kind, _schemes_of(kind), form.get("scheme"))
    return {name: words for name, words in _required(kind, form, chosen).items()
            if not form.get(name, "").strip()}


def _panel(kind: str, form: MultiDict[str, str] | dict[str, str], *, status: int = 200,
           errors: dict[str, str] | None = None, detail: str | None = None,
           issued: Issued | None = None) -> Response:
    """Render the issue or receive panel (whole page, or the panel alone for htmx)."""
    options = _schemes_of(kind)
    chosen = _chosen(kind, options, form.get("scheme"))
    fields = screens.request_fields(chosen.definition) if chosen else []
    name = "receive" if kind == "lot" else "issue"
    template = f"issue/_{name}_panel.html" if is_fragment() else f"issue/{name}.html"
    return render(template, 200 if is_fragment() else status, schemes=options, chosen=chosen,
                  fields=fields, values=form, errors=errors or {}, detail=detail, issued=issued,
                  shown=SHOWN_VALUES, choices=screens.print_choices(database()),
                  required=_required(kind, form, chosen), request_key=uuid.uuid4().hex,
                  default_template=DEFAULT_TEMPLATES[kind])


def _issue(kind: str) -> Response:
    """Issue once per form shown: sending the same form again (a refresh) shows the first answer."""
    key = request.form.get("request_key", "")
    if not key or len(key) > 64:
        return _issue_now(kind)
    return run_once(lambda: _issue_now(kind), actor(), f"web-{kind}-{key}", secret=csrf_token())


def _issue_now(kind: str) -> Response:
    """Validate the form, issue, and show the identifiers or the refusal."""
    missing = _missing(kind, request.form)
    if missing:
        return _panel(kind, request.form, status=422,
                      errors={name: f"required: enter {words}" for name, words in missing.items()},
                      detail=f"enter {screens.listed(list(missing.values()))}; nothing was issued")
    try:
        body = _validated(request.form, kind)
    except pydantic.ValidationError as exc:
        errors = pydantic_errors(exc)
        return _panel(kind, request.form, status=422, errors=errors,
                      detail="check the marked entries")
    try:
        issued = issuer().issue(IssueRequest.of(body), actor())
    except Exception as exc:  # noqa: BLE001 - refusals are shown next to the fields
        detail, errors = refusal(exc)
        return _panel(kind, request.form, status=422, errors=errors, detail=detail)
    kept = {k: v for k, v in request.form.items()
            if k not in ("supplier_lot", "quantity", "expiry", "csrf_token", "request_key")}
    return _panel(kind, kept, issued=issued)


@bp.get("/issue")
@page(tokens.ISSUE_SERIALS)
def issue_form() -> Response:
    """The line's form: scheme, fields, count."""
    return _panel("serial", request.args)


@bp.post("/issue")
@page(tokens.ISSUE_SERIALS)
def issue_serials() -> Response:
    """Issue serials for the form."""
    return _issue("serial")


@bp.get("/receive")
@page(tokens.ISSUE_LOTS)
def receive_form() -> Response:
    """The dock's form: supplier lot first (scan it), supplier, quantity, expiry."""
    return _panel("lot", request.args)


@bp.post("/receive")
@page(tokens.ISSUE_LOTS)
def receive_lot() -> Response:
    """Issue an internal lot number for goods received without a usable label."""
    return _issue("lot")


@bp.get("/issue/fields")
@page()
def scheme_fields() -> Response:
    """The request fields of the picked scheme (a live fragment)."""
    kind = "lot" if request.args.get("kind") == "lot" else "serial"
    options = _schemes_of(kind)
    chosen = _chosen(kind, options, request.args.get("scheme"))
    fields = screens.request_fields(chosen.definition) if chosen else []
    return render("issue/_fields.html", fields=fields, values=request.args, errors={})


@bp.post("/issue/preview")
@page()
def next_values() -> Response:
    """The identifiers the form would get next, consuming nothing (a live fragment)."""
    errors: dict[str, str] = {}
    result = None
    detail = None
    chosen = _chosen("serial", _schemes_of("serial"), request.form.get("scheme"))
    empty = [f.name.replace("_", " ") for f in
             (screens.request_fields(chosen.definition) if chosen else [])
             if not request.form.get(f"fields.{f.name}", "").strip()]
    if empty:
        return render("issue/_next.html", result=None, detail=None, errors={},
                      hint=f"choose the {screens.listed(empty)} to see the next serials")
    try:
        body = IssueIn.model_validate({k: v for k, v in _body(request.form, "serial").items()
                                       if k in IssueIn.model_fields})
        result = schemes.preview(database(), body.scheme, dict(body.fields), body.date,
                                 max(1, min(body.count, 3)))
    except pydantic.ValidationError as exc:
        errors = pydantic_errors(exc)
    except Exception as exc:  # noqa: BLE001 - refusals are shown next to the fields
        detail, errors = refusal(exc)
    return render("issue/_next.html", result=result, detail=detail, errors=errors, hint=None)


@bp.post("/receive/_label")
@page(tokens.ISSUE_LOTS)
def lot_label() -> Response:
    """The label the receipt would print, with the lot number it would get (a live fragment)."""
    template = request.form.get("print.template", "").strip()
    if not template:
        return render("issue/_label.html", image=None, value=None,
                      detail="choose a label template to see the label")
    try:
        body = _validated(request.form, "lot")
        req = IssueRequest.of(body)
        # Before the supplier's lot is scanned, the preview shows where it will be printed.
        attributes = {"supplier_lot": "SUPPLIER-LOT", **req.attributes}
        record = {"attributes": attributes, "quantity": number(req.quantity), "uom": req.uom,
                  "expiry": req.expiry.isoformat() if req.expiry else None}
        value, image = screens.lot_label_preview(database(), template=template,
                                                 scheme=req.scheme, fields=req.fields,
                                                 date=body.date, record=record)
    except pydantic.ValidationError as exc:
        errors = pydantic_errors(exc)
        return render("issue/_label.html", image=None, value=None,
                      detail="; ".join(f"{k}: {v}" for k, v in errors.items()))
    except Exception as exc:  # noqa: BLE001 - refusals are shown in place of the label
        detail, _ = refusal(exc)
        return render("issue/_label.html", image=None, value=None, detail=detail)
    return render("issue/_label.html", image=image, value=value, detail=None)
