"""Numbering schemes: list, read with versions, live preview, and the editor."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from flask import Blueprint, Response, redirect, request, url_for
from werkzeug.datastructures import MultiDict

from labelsvc.appcontext import database
from labelsvc.contract.models import PreviewOut
from labelsvc.errors import SchemeOverlap
from labelsvc.services import schemes, screens, tokens
from labelsvc.web.common import actor, form_fields, page, refusal, render, whole_number

bp = Blueprint("schemes", __name__, url_prefix="/schemes")
LIST_LIMIT = 1000
PREVIEW_COUNT = 5
# Editor inputs, each with an error slot that the live check refreshes.
EDITOR_FIELDS = ("name", "kind", "pattern", "codes", "charset", "timezone", "site_timezones",
                 "start", "scope", "warranty_days", "allow_overlap", "date")


def _day(form: MultiDict[str, str], errors: dict[str, str]) -> dt.date | None:
    """Read an optional production date (YYYY-MM-DD)."""
    raw = form.get("date", "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors["date"] = "a date such as 2026-11-20"
        return None


def _table(raw: str, name: str, errors: dict[str, str]) -> dict[str, Any] | None:
    """Read a YAML (or JSON) mapping typed into the editor; scalar values become text."""
    if not raw.strip():
        return None
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        errors[name] = f"not readable YAML: {str(exc).splitlines()[0]}"
        return None
    if not isinstance(data, dict):
        errors[name] = "write one table per line, e.g.  site: {munich: M, austin: A}"
        return None

    def text(value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): text(v) for k, v in value.items()}
        return value if isinstance(value, list) else str(value)

    return {str(k): text(v) for k, v in data.items()}


def slots(errors: dict[str, str]) -> dict[str, str]:
    """Put each message in the error slot of the editor input it is about."""
    out: dict[str, str] = {}
    for path, message in errors.items():
        head = path.split(".")[0]
        out.setdefault(head if head in EDITOR_FIELDS else "pattern", message)
    return out


def definition_from(form: MultiDict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Build a scheme definition from the editor form, with what could not be read."""
    errors: dict[str, str] = {}
    definition: dict[str, Any] = {"name": form.get("name", "").strip(),
                                  "kind": form.get("kind", "serial"),
                                  "pattern": form.get("pattern", "")}
    for key in ("charset", "timezone"):
        if form.get(key, "").strip():
            definition[key] = form[key].strip()
    for key in ("codes", "site_timezones"):
        table = _table(form.get(key, ""), key, errors)
        if table is not None:
            definition[key] = table
    for key in ("start", "warranty_days"):
        number = whole_number(form, key, None, errors)
        if number is not None:
            definition[key] = number
    scope = [part.strip() for part in form.get("scope", "").split(",") if part.strip()]
    if scope:
        definition["scope"] = scope
    if form.get("allow_overlap"):
        definition["allow_overlap"] = True
    return definition, errors


def editor_values(definition: dict[str, Any]) -> dict[str, str]:
    """The editor's inputs for a stored definition."""
    def table(value: Any) -> str:
        return yaml.safe_dump(value, default_flow_style=None, allow_unicode=True,
                              sort_keys=False).strip() if value else ""

    return {"name": definition.get("name", ""), "kind": definition.get("kind", "serial"),
            "pattern": definition.get("pattern", ""), "codes": table(definition.get("codes")),
            "charset": definition.get("charset", ""),
            "timezone": definition.get("timezone", ""),
            "site_timezones": table(definition.get("site_timezones")),
            "start": str(definition.get("start", "")),
            "scope": ", ".join(definition.get("scope") or []),
            "warranty_days": str(definition.get("warranty_days") or ""),
            "allow_overlap": "1" if definition.get("allow_overlap") else ""}


@bp.get("")
@page()
def index() -> Response:
    """List every scheme with its pattern and capacity."""
    listing = schemes.list_schemes(database(), limit=LIST_LIMIT, cursor=None)
    return render("schemes/list.html", schemes=listing.items)


@bp.get("/<name>")
@page()
def detail(name: str) -> Response:
    """Show a scheme, its versions and a live preview of its next identifiers."""
    scheme = schemes.read_scheme(database(), name)
    return render("schemes/detail.html", scheme=scheme,
                  fields=screens.request_fields(scheme.definition))


@bp.post("/<name>/preview")
@page()
def preview(name: str) -> Response:
    """The next identifiers for the chosen fields and date (a live fragment)."""
    errors: dict[str, str] = {}
    day = _day(request.form, errors)
    count = whole_number(request.form, "count", PREVIEW_COUNT, errors) or PREVIEW_COUNT
    result: PreviewOut | None = None
    detail = None
    if not errors:
        try:
            result = schemes.preview(database(), name, form_fields(request.form), day,
                                     max(1, min(count, 50)))
        except Exception as exc:  # noqa: BLE001 - refusals are shown next to the fields
            detail, errors = refusal(exc)
    return render("schemes/_preview.html", result=result, detail=detail, errors=errors)


@bp.get("/_new")
@page(tokens.DEFINE_SCHEMES)
def new() -> Response:
    """The editor for a new scheme."""
    values = {"kind": "serial", "pattern": "", "name": ""}
    return render("schemes/editor.html", values=values, existing=None, errors={}, detail=None,
                  fields=EDITOR_FIELDS)


@bp.get("/<name>/edit")
@page(tokens.DEFINE_SCHEMES)
def edit(name: str) -> Response:
    """The editor for a new version of a scheme."""
    scheme = schemes.read_scheme(database(), name)
    return render("schemes/editor.html", values=editor_values(scheme.definition),
                  existing=scheme, errors={}, detail=None, fields=EDITOR_FIELDS)


@bp.post("/_draft")
@page(tokens.DEFINE_SCHEMES)
def draft() -> Response:
    """Lint the editor's definition and preview it (a live fragment, errors out of band)."""
    definition, errors = definition_from(request.form)
    day = _day(request.form, errors)
    report = screens.check_draft(database(), definition, form_fields(request.form), day,
                                 PREVIEW_COUNT)
    shown = [f.name for f in report.fields]
    sent = [n for n in request.form.get("preview_names", "").split(",") if n]
    return render("schemes/_draft.html", report=report, errors=slots({**report.errors, **errors}),
                  fields=EDITOR_FIELDS, values=request.form,
                  refresh_fields=shown != sent and not report.errors)


@bp.post("/_save")
@page(tokens.DEFINE_SCHEMES)
def save() -> Response:
    """Define the scheme, or add a version when the editor was opened on one."""
    definition, errors = definition_from(request.form)
    existing = request.form.get("existing", "").strip() or None
    values = request.form
    if not errors:
        try:
            if existing:
                saved = schemes.new_version(database(), existing, definition, actor())
            else:
                saved = schemes.define_scheme(database(), definition, actor())
            return redirect(url_for("web.schemes.detail", name=saved.name,  # type: ignore
                                    saved=saved.version))
        except Exception as exc:  # noqa: BLE001 - refusals are shown next to the fields
            detail, errors = refusal(exc)
            if not errors:
                errors = {"allow_overlap" if isinstance(exc, SchemeOverlap) else "name": detail}
            return render("schemes/editor.html", 422, values=values,
                          existing={"name": existing} if existing else None, errors=slots(errors),
                          detail=detail, fields=EDITOR_FIELDS)
    return render("schemes/editor.html", 422, values=values,
                  existing={"name": existing} if existing else None, errors=errors,
                  detail="some entries could not be read", fields=EDITOR_FIELDS)
