"""Label templates: list, preview at 203 and 300 dpi, and upload of a ZPL format."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, request, url_for
from werkzeug.datastructures import MultiDict

from labelsvc.appcontext import database
from labelsvc.services import label_templates, screens, tokens
from labelsvc.web.common import actor, page, refusal, render

bp = Blueprint("labels", __name__, url_prefix="/templates")
LIST_LIMIT = 1000
MAX_UPLOAD_BYTES = 2_000_000


@bp.get("")
@page()
def index() -> Response:
    """Every label template, shipped and stored."""
    listing = label_templates.list_templates(database(), limit=LIST_LIMIT, cursor=None)
    return render("labels/list.html", templates=listing.items, values={}, errors={},
                  detail=None)


@bp.get("/<name>")
@page()
def detail(name: str) -> Response:
    """A template with sample-data previews (a ZPL format at its own dpi only)."""
    template = label_templates.read_template(database(), name)
    own = template.definition.get("dpi", 203)
    dpis = (own,) if template.kind == "zpl" else screens.PREVIEW_DPIS
    return render("labels/detail.html", template=template,
                  previews=screens.template_previews(database(), name, dpis))


def _zpl_definition(form: MultiDict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    """A ZPL format definition from the upload form (a file, else the pasted text)."""
    upload = request.files.get("zpl_file")
    source = form.get("zpl", "")
    if upload is not None and upload.filename:
        raw = upload.read(MAX_UPLOAD_BYTES + 1)
        if len(raw) > MAX_UPLOAD_BYTES:
            errors["zpl"] = "the file is larger than 2 MB"
        try:
            source = raw.decode("utf-8")
        except UnicodeDecodeError:
            errors["zpl"] = "the file is not UTF-8 text"
    definition: dict[str, Any] = {"name": form.get("name", "").strip(), "zpl": source}
    for key in ("width_mm", "height_mm"):
        try:
            definition[key] = float(form.get(key, "").replace(",", "."))
        except ValueError:
            errors[key] = "the label's size in mm, e.g. 50.8"
    try:
        definition["dpi"] = int(form.get("dpi", "203"))
    except ValueError:
        errors["dpi"] = "203, 300 or 600"
    return definition


@bp.post("")
@page(tokens.DEFINE_SCHEMES)
def upload() -> Response:
    """Store an uploaded ZPL format (a new version when the name is taken and it is asked)."""
    errors: dict[str, str] = {}
    definition = _zpl_definition(request.form, errors)
    detail = "check the marked entries"
    if not errors:
        try:
            if request.form.get("new_version"):
                saved = label_templates.new_template_version(database(), definition["name"],
                                                       definition, actor())
            else:
                saved = label_templates.define_template(database(), definition, actor())
            return redirect(url_for("web.labels.detail", name=saved.name))  # type: ignore
        except Exception as exc:  # noqa: BLE001 - refusals are shown next to the fields
            detail, errors = refusal(exc)
            errors = errors or {"name": detail}
    listing = label_templates.list_templates(database(), limit=LIST_LIMIT, cursor=None)
    return render("labels/list.html", 422, templates=listing.items, values=request.form,
                  errors=errors, detail=detail)
