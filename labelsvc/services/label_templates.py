"""Label template use cases: define, version, list and read; stored templates override shipped ones.

A template is a `label` (size in mm, dpi and elements placed in mm) or a `zpl` format made in
another designer (`{"name", "zpl", "width_mm", "height_mm", "dpi"}`). Shipped templates (the
product's `templates/shipped/*.yaml`) are listed as version 0 and read-only; `PUT` stores version
1 of the same name, which from then on is the template of that name.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache, lru_cache
from typing import Any, Final, TypeVar

from pydantic import ValidationError
from sqlalchemy import Connection, insert, select, update

from labelsvc.contract.label_models import (
    TemplateDetailOut,
    TemplateKind,
    TemplateListOut,
    TemplateOut,
    TemplateVersionOut,
)
from labelsvc.errors import NotFound, TemplateExists, ValidationFailed
from labelsvc.registry.database import Database
from labelsvc.registry.models import label_template_versions, label_templates
from labelsvc.registry.queries import insert_ignoring_conflicts, iso
from labelsvc.services import audit
from labelsvc.services.audit import Target, Who, actor_name
from labelsvc.services.paging import decode_cursor, encode_cursor
from templates import Template, TemplateError, ZplTemplate, field_errors, shipped_templates
from templates.layout import layout
from templates.loader import SHIPPED_DIR
from templates.units import DOTS_PER_MM

LABEL: Final = "label"
ZPL: Final = "zpl"
NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
MAX_ZPL_CHARS = 2_000_000
Compiled = Template | ZplTemplate
Answer = TypeVar("Answer", bound=TemplateOut)


@cache
def shipped() -> dict[str, Template]:
    """The shipped templates by name, read once per process."""
    return shipped_templates()


def _refusal(errors: dict[str, str]) -> ValidationFailed:
    """A 422 naming every refused part of a definition."""
    return ValidationFailed("the template is invalid: "
                            + "; ".join(f"{k}: {v}" for k, v in errors.items()), errors)


def _zpl_format(definition: dict[str, Any]) -> ZplTemplate:
    """Check and compile a bring-your-own ZPL format definition."""
    errors: dict[str, str] = {}
    name = definition.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        errors["name"] = "lower-case letters, digits and '-', at most 100"
    source = definition.get("zpl")
    if not isinstance(source, str) or "^XA" not in source.upper() or "^XZ" not in source.upper():
        errors["zpl"] = "a ZPL format from ^XA to ^XZ"
    elif len(source) > MAX_ZPL_CHARS:
        errors["zpl"] = f"at most {MAX_ZPL_CHARS:,} characters"
    for key in ("width_mm", "height_mm"):
        size = definition.get(key)
        if isinstance(size, bool) or not isinstance(size, int | float) or not 0 < size <= 2000:
            errors[key] = "the label's size in mm, more than 0"
    dpi = definition.get("dpi", 203)
    if dpi not in DOTS_PER_MM or isinstance(dpi, bool):
        errors["dpi"] = f"dpi {dpi} is not supported; use 203, 300 or 600"
    if "zpl" in errors:
        raise _refusal(errors)
    try:
        fmt = ZplTemplate(str(source), name=definition.get("name"),
                        width_mm=definition.get("width_mm"),
                        height_mm=definition.get("height_mm"), dpi=dpi)
    except TemplateError as exc:
        errors["zpl"] = str(exc)
    if errors:
        raise _refusal(errors)
    return fmt


def _label(definition: dict[str, Any]) -> Template:
    """Check and compile a template of elements, images resolving among the shipped files."""
    try:
        template = Template.from_definition(definition, image_dir=SHIPPED_DIR)
    except ValidationError as exc:
        raise _refusal(field_errors(exc)) from None
    try:
        layout(template)
    except TemplateError as exc:
        raise _refusal({exc.field or "template": exc.message}) from None
    return template


@lru_cache(maxsize=256)
def _compile(kind: str, definition_json: str) -> Compiled:
    """Compile a stored definition once per process."""
    definition = json.loads(definition_json)
    return _zpl_format(definition) if kind == ZPL else _label(definition)


def compile_template(kind: str, definition: dict[str, Any]) -> Compiled:
    """Turn a stored or submitted definition into a Template or a ZplTemplate (422 if invalid)."""
    return _compile(kind, json.dumps(definition, sort_keys=True, default=str))


def kind_of(definition: dict[str, Any]) -> TemplateKind:
    """Say whether a definition is a ZPL format or a template of elements."""
    if "zpl" in definition and "elements" in definition:
        raise _refusal({"zpl": "send either elements or zpl, not both"})
    return ZPL if "zpl" in definition else LABEL


def placeholders_of(compiled: Compiled) -> list[str]:
    """The placeholder paths a template uses, sorted."""
    return sorted(compiled.placeholders)


def _stored_view(answer: type[Answer], name: str, kind: TemplateKind, version: int,
                 definition: dict[str, Any], compiled: Compiled, **more: Any) -> Answer:
    """A stored template version as the template answer (`more`: a detail's versions)."""
    return answer(name=name, kind=kind, source="stored", version=version,
                  definition=definition, placeholders=placeholders_of(compiled),
                  overrides_shipped=name in shipped(), **more)


def _shipped_view(answer: type[Answer], template: Template, **more: Any) -> Answer:
    """A shipped template as version 0."""
    return answer(name=template.name, kind=LABEL, source="shipped", version=0,
                  definition=template.model_dump(mode="json"),
                  placeholders=placeholders_of(template), overrides_shipped=False, **more)


def _current_row(conn: Connection, name: str) -> Any:
    """The stored template's current version row, or None."""
    query = (select(label_templates.c.id, label_templates.c.name,
                    label_template_versions.c.version, label_template_versions.c.kind,
                    label_template_versions.c.definition)
             .join(label_template_versions,
                   (label_template_versions.c.template_id == label_templates.c.id)
                   & (label_template_versions.c.version == label_templates.c.current_version))
             .where(label_templates.c.name == name))
    return conn.execute(query).first()


def _template_row(conn: Connection, name: str) -> Any:
    """The stored template's row, locked for a new version on PostgreSQL."""
    query = select(label_templates.c.id, label_templates.c.current_version) \
        .where(label_templates.c.name == name)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).first()


def find_template(conn: Connection, name: str) -> Compiled | None:
    """The template of that name: the stored current version, else the shipped one, else None."""
    found = find_template_version(conn, name)
    return found[1] if found is not None else None


def find_template_version(conn: Connection, name: str) -> tuple[int, Compiled] | None:
    """The current version of a template and the template itself (version 0: the shipped
    file), or None: what a new print job pins."""
    row = _current_row(conn, name)
    if row is not None:
        return row.version, compile_template(row.kind, row.definition)
    template = shipped().get(name)
    return (0, template) if template is not None else None


def template_at(conn: Connection, name: str, version: int) -> Compiled | None:
    """One version of a template as it was stored (0: the shipped file), or None."""
    if version == 0:
        return shipped().get(name)
    row = conn.execute(
        select(label_template_versions.c.kind, label_template_versions.c.definition)
        .join(label_templates, label_templates.c.id == label_template_versions.c.template_id)
        .where(label_templates.c.name == name)
        .where(label_template_versions.c.version == version)).first()
    return compile_template(row.kind, row.definition) if row is not None else None


def _checked(definition: dict[str, Any]) -> tuple[TemplateKind, Compiled]:
    """Validate a submitted definition and say its kind."""
    kind = kind_of(definition)
    return kind, compile_template(kind, definition)


def define_template(db: Database, definition: dict[str, Any], actor: Who) -> TemplateOut:
    """Store a new template as version 1; a stored or shipped name is refused (PUT overrides)."""
    kind, compiled = _checked(definition)
    name = str(definition["name"])
    if name in shipped():
        raise TemplateExists(f"a shipped template named {name} exists; PUT a new version to "
                             "override it")
    now, by = dt.datetime.now(dt.UTC), actor_name(actor)
    with db.transaction() as conn:
        template_id = conn.execute(
            insert_ignoring_conflicts(conn, label_templates)
            .values(name=name, kind=kind, current_version=1, created_at=now, created_by=by)
            .returning(label_templates.c.id)).scalar()
        if template_id is None:
            raise TemplateExists(f"a template named {name} exists; PUT a new version instead")
        conn.execute(insert(label_template_versions).values(
            template_id=template_id, version=1, kind=kind, definition=definition,
            created_at=now, created_by=by))
        audit.record(conn, actor, "template.define", Target("template", name, template_id), None,
                     {"version": 1, "kind": kind, "definition": definition})
    return _stored_view(TemplateOut, name, kind, 1, definition, compiled)


def new_template_version(db: Database, name: str, definition: dict[str, Any],
                         actor: Who) -> TemplateOut:
    """Store a new version of a template (the first stored version overrides a shipped one)."""
    definition = {**definition, "name": definition.get("name", name)}
    if definition["name"] != name:
        raise ValidationFailed(f"the definition names {definition['name']!r}, the path {name!r}",
                               {"name": f"must be {name}"})
    kind, compiled = _checked(definition)
    now, by = dt.datetime.now(dt.UTC), actor_name(actor)
    with db.transaction() as conn:
        row = _template_row(conn, name)
        if row is None:
            if name not in shipped():
                raise NotFound(f"no template named {name}")
            conn.execute(insert_ignoring_conflicts(conn, label_templates).values(
                name=name, kind=kind, current_version=0, created_at=now, created_by=by))
            row = _template_row(conn, name)
        before = _current_row(conn, name)
        version = row.current_version + 1
        conn.execute(insert(label_template_versions).values(
            template_id=row.id, version=version, kind=kind, definition=definition,
            created_at=now, created_by=by))
        conn.execute(update(label_templates).where(label_templates.c.id == row.id)
                     .values(current_version=version, kind=kind))
        audit.record(conn, actor, "template.version", Target("template", name, row.id),
                     _audited_version(before, name),
                     {"version": version, "kind": kind, "definition": definition})
    return _stored_view(TemplateOut, name, kind, version, definition, compiled)


def _audited_version(row: Any, name: str) -> dict[str, Any]:
    """What a template was before a new version: its stored version, or the shipped one."""
    if row is not None:
        return {"version": row.version, "kind": row.kind, "definition": row.definition}
    return {"version": 0, "kind": LABEL, "shipped": True,
            "definition": shipped()[name].model_dump(mode="json")}


def _stored_views(conn: Connection, after: str | None, limit: int) -> list[TemplateOut]:
    """Current versions of stored templates after a name."""
    query = (select(label_templates.c.name, label_template_versions.c.version,
                    label_template_versions.c.kind, label_template_versions.c.definition)
             .join(label_template_versions,
                   (label_template_versions.c.template_id == label_templates.c.id)
                   & (label_template_versions.c.version == label_templates.c.current_version))
             .order_by(label_templates.c.name).limit(limit))
    if after is not None:
        query = query.where(label_templates.c.name > after)
    return [_stored_view(TemplateOut, r.name, r.kind, r.version, r.definition,
                         compile_template(r.kind, r.definition))
            for r in conn.execute(query)]


def list_templates(db: Database, *, limit: int, cursor: str | None) -> TemplateListOut:
    """List stored and shipped templates by name (a stored one hides the shipped of its name)."""
    position = decode_cursor(cursor)
    after = str(position[0]) if position else None
    with db.transaction(write=False) as conn:
        stored = _stored_views(conn, after, limit + 1)
    names = {v.name for v in stored}
    more_shipped = [_shipped_view(TemplateOut, t) for name, t in sorted(shipped().items())
                    if (after is None or name > after) and name not in names]
    merged = sorted(stored + more_shipped, key=lambda v: v.name)
    if len(stored) > limit:  # stored names past the last one read may hide shipped ones
        last_read = stored[-1].name
        merged = [v for v in merged if v.name <= last_read]
    items = merged[:limit]
    next_cursor = encode_cursor(items[-1].name) if len(merged) > limit else None
    return TemplateListOut(items=items, next_cursor=next_cursor)


def read_template(db: Database, name: str) -> TemplateDetailOut:
    """Read a template with all its stored versions (a shipped one has none)."""
    with db.transaction(write=False) as conn:
        current = _current_row(conn, name)
        rows = [] if current is None else conn.execute(
            select(label_template_versions)
            .where(label_template_versions.c.template_id == current.id)
            .order_by(label_template_versions.c.version)).all()
    versions = [TemplateVersionOut(version=r.version, kind=r.kind, definition=r.definition,
                                   created_at=iso(r.created_at), created_by=r.created_by)
                for r in rows]
    if current is None:
        if name not in shipped():
            raise NotFound(f"no template named {name}")
        return _shipped_view(TemplateDetailOut, shipped()[name], versions=versions)
    return _stored_view(TemplateDetailOut, name, current.kind, current.version,
                        current.definition,
                        compile_template(current.kind, current.definition), versions=versions)
