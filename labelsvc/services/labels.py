"""Labels from registry records: the render record, streaming renders, previews, the render API.

Contract (stable; the print worker imports these names):

- `find_template(conn, name) -> templates.Template | templates.ZplTemplate | None` — the stored
  current version of that name, else the shipped template, else None.
- `load_template(conn, name)` — the same, but a missing template raises `NotFound`.
- `render_records(conn, identifier_ids) -> Iterator[dict]` — the render record of each
  identifier row id, in the order given (an id may repeat, e.g. for copies), read in chunks so
  memory stays flat. A render record is the identifier answer of the API (`IdentifierOut`) as
  a mapping of the keys it answers (`value`, `kind`, `scheme`, `version`, `status`, `fields`,
  `date`, `issued_at`, `issued_by`, `lot`, `attributes`, `warranty`, and for lots `quantity`,
  `uom`, `expiry`) plus `lot_record` (the lot's own answer as a mapping, or None) and
  `timezone` (the scheme version's zone for the record's site, else its `timezone`, else
  "UTC") and `digital_link_base` (LABELSVC_DIGITAL_LINK_BASE, or None). An id that is not
  in the registry raises `NotFound`.
- `iter_render(conn, template, identifier_ids, format, dpi=None) -> Iterator[bytes]` — the
  labels in order: one complete `^XA … ^XZ` format per label for "zpl", one PNG per label for
  "png", PDF pieces for "pdf" (one page per label). A label that cannot render raises
  `templates.TemplateError` with `.field` (`elements[i]`, or `fields[i]` in a ZPL format) and
  `.record` (the index into `identifier_ids`); anything sent before it stays valid labels.

Every function takes a SQLAlchemy `Connection` and never commits: the caller owns the
transaction. A ZPL format (bring-your-own) renders as ZPL, and as PNG through zplkit, at its own
dpi only; it has no PDF form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from tempfile import SpooledTemporaryFile
from typing import IO, Any

from sqlalchemy import Connection, select

import gs1
from labelsvc.errors import NotFound, ValidationFailed
from labelsvc.registry.database import Database
from labelsvc.registry.models import identifiers, scheme_versions, schemes
from labelsvc.registry.queries import find_identifiers_by_id, ids_for_values
from labelsvc.services.identifiers import identifier_out
from labelsvc.services.label_templates import Compiled, find_template
from labelsvc.services.reprints import reprint_text
from templates import Template, TemplateError, ZplTemplate, render
from templates.gs1 import DIGITAL_LINK_BASE
from templates.model import BarcodeElement, TextElement
from templates.placeholders import Part, Placeholder
from templates.render import FORMATS, Format

__all__ = ["find_template", "iter_render", "load_template", "preview_png", "render_from_records",
           "render_records", "render_request", "sample_record"]

RECORD_CHUNK = 500
SPOOL_BYTES = 8 * 1024 * 1024
COPY_CHUNK = 64 * 1024
DEFAULT_ZONE = "UTC"


class LabelSettings:
    """What every label of this process shares: the Digital Link base its QR codes point to
    (LABELSVC_DIGITAL_LINK_BASE), set when the service or a worker starts."""

    digital_link_base: str | None = None

    def configure(self, config: Mapping[str, Any]) -> None:
        """Take the settings from the configuration."""
        self.digital_link_base = config.get("DIGITAL_LINK_BASE")


SETTINGS = LabelSettings()


def load_template(conn: Connection, name: str) -> Compiled:
    """The template of that name (stored, else shipped); NotFound when there is none."""
    found = find_template(conn, name)
    if found is None:
        raise NotFound(f"no template named {name}")
    return found


def _zone(definition: Mapping[str, Any], fields: Mapping[str, Any]) -> str:
    """The zone a scheme version dates a record in: its site's, else its own, else UTC."""
    by_site = definition.get("site_timezones") or {}
    site = fields.get("site")
    return str(by_site.get(site) or definition.get("timezone") or DEFAULT_ZONE)


class _Zones:
    """Scheme version definitions, read once per (scheme, version)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.definitions: dict[tuple[str, int], Mapping[str, Any]] = {}

    def of(self, record: Mapping[str, Any]) -> str:
        key = (record["scheme"], record["version"])
        if key not in self.definitions:
            self.definitions[key] = self.conn.execute(
                select(scheme_versions.c.definition)
                .join(schemes, schemes.c.id == scheme_versions.c.scheme_id)
                .where((schemes.c.name == key[0]) & (scheme_versions.c.version == key[1]))
            ).scalar() or {}
        return _zone(self.definitions[key], record["fields"])


def render_records(conn: Connection, identifier_ids: Iterable[int],
                   reprints: Mapping[int, int] | None = None) -> Iterator[dict[str, Any]]:
    """Yield the render record of each identifier id, in order (see the module contract);
    with `reprints` (identifier id -> its n-th reprint in this job), each record carries
    the `reprint` text its label prints."""
    zones = _Zones(conn)
    chunk: list[int] = []
    for identifier_id in identifier_ids:
        chunk.append(identifier_id)
        if len(chunk) == RECORD_CHUNK:
            yield from _chunk_records(conn, chunk, zones, reprints)
            chunk = []
    if chunk:
        yield from _chunk_records(conn, chunk, zones, reprints)


def _chunk_records(conn: Connection, ids: Sequence[int], zones: _Zones,
                   reprints: Mapping[int, int] | None) -> Iterator[dict[str, Any]]:
    """Load one chunk of identifiers and their lots; yield their records in order."""
    rows = find_identifiers_by_id(conn, list(dict.fromkeys(ids)))
    lot_ids = {r.lot_id for r in rows.values() if r.lot_id is not None} - rows.keys()
    lots = {**rows, **find_identifiers_by_id(conn, sorted(lot_ids))} if lot_ids else rows
    for identifier_id in ids:
        row = rows.get(identifier_id)
        if row is None:
            raise NotFound(f"identifier id {identifier_id} is not in the registry")
        record = _render_fields(row)
        lot = lots.get(row.lot_id) if row.lot_id is not None else None
        record["lot_record"] = _render_fields(lot) if lot is not None else None
        record["timezone"] = zones.of(record)
        if reprints is not None:
            record["reprint"] = reprint_text(reprints.get(identifier_id, 0))
        record[DIGITAL_LINK_BASE] = SETTINGS.digital_link_base
        yield record


def _render_fields(row: Any) -> dict[str, Any]:
    """The identifier answer of a row as the mapping a label's placeholders read."""
    return identifier_out(row).model_dump(mode="json", exclude_unset=True)


def render_from_records(template: Compiled, records: Iterable[Mapping[str, Any]],
                        format: Format, dpi: int | None) -> Iterator[bytes]:
    """Render records with a template of elements or a ZPL format."""
    if isinstance(template, Template):
        yield from render(template, records, format, dpi)
        return
    if format == "pdf":
        raise TemplateError("a ZPL format renders as ZPL or PNG, not PDF", "format")
    if dpi is not None and dpi != template.dpi:
        raise TemplateError(f"a ZPL format prints at the dpi it was made for ({template.dpi}), "
                            f"not {dpi}", "dpi")
    for j, record in enumerate(records):
        try:
            yield template.fill(record).encode("utf-8") if format == "zpl" \
                else template.preview_png(record)
        except TemplateError as exc:
            raise exc.at(record=j) from None


def iter_render(conn: Connection, template: Compiled, identifier_ids: Sequence[int],
                format: Format, dpi: int | None = None) -> Iterator[bytes]:
    """Yield the labels of identifiers in order (see the module contract)."""
    yield from render_from_records(template, render_records(conn, identifier_ids), format, dpi)


def check_job_labels(conn: Connection, template: str, compiled: Compiled,
                     identifier_ids: Sequence[int], *, dpi: int | None, issued_together: bool,
                     reprints: Mapping[int, int] | None = None, field_prefix: str = "") -> None:
    """Render a job's labels before the job is written, in the caller's transaction: a label
    that cannot be made is a 422 naming the element and the identifier, and the transaction
    rolls back (nothing issued, no job). Identifiers issued together differ only in value,
    so their first and last labels stand for all; others are each rendered (as ZPL, the
    cheapest format: what can be filled in does not depend on the format), with the
    `REPRINT n` each will print (`reprints`)."""
    if not identifier_ids:
        return
    ids = list(identifier_ids)
    checked = [ids[0], ids[-1]] if issued_together and len(ids) > 2 else ids
    try:
        records = render_records(conn, checked, reprints or {})
        for _ in render_from_records(compiled, records, "zpl", dpi):
            pass
    except TemplateError as exc:
        index = exc.record if exc.record is not None else 0
        value = conn.execute(select(identifiers.c.value)
                             .where(identifiers.c.id == checked[index])).scalar()
        raise ValidationFailed(
            f"label template {template} cannot print {value}: {exc}; nothing was issued or "
            f"queued", {f"{field_prefix}template": f"{value}: {exc}"}) from None


def _refusal(exc: TemplateError, values: Sequence[str] | None) -> ValidationFailed:
    """A 422 keyed by element (and identifier) for a label that cannot render."""
    errors = {exc.field or "template": exc.message}
    if values is not None and exc.record is not None:
        errors[f"identifiers[{exc.record}]"] = f"{values[exc.record]}: {exc.message}"
    where = f" for {values[exc.record]}" if values is not None and exc.record is not None else ""
    return ValidationFailed(f"the label cannot be rendered{where}: {exc}", errors)


def _identifier_ids(conn: Connection, values: Sequence[str]) -> list[int]:
    """Row ids of identifier values, in order; unknown values are a 422 naming each."""
    found = ids_for_values(conn, values)
    missing = {f"identifiers[{j}]": f"{v} is not in the registry"
               for j, v in enumerate(values) if v not in found}
    if missing:
        raise ValidationFailed(f"{len(missing)} of the identifiers are not in the registry",
                               missing)
    return [found[v] for v in values]


def render_request(db: Database, *, template: str, format: Format, dpi: int | None,
                   identifiers: Sequence[str] | None = None,
                   data: Mapping[str, Any] | None = None) -> tuple[IO[bytes], int]:
    """Render identifiers (or one label from data) whole into a spooled file; return it, its size.

    The file is rewound; the caller streams and closes it. PNG renders the first label only.
    """
    if format not in FORMATS:
        raise ValidationFailed(f"format {format!r} is not one of zpl, pdf, png",
                               {"format": "zpl, pdf or png"})
    if (identifiers is None) == (data is None):
        raise ValidationFailed("send identifiers (issued values) or data (one label), not both",
                               {"identifiers": "send identifiers or data, not both"})
    values = list(identifiers or [])[: 1 if format == "png" else None]
    out: IO[bytes] = SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    size = 0
    try:
        with db.transaction(write=False) as conn:
            compiled = load_template(conn, template)
            if data is not None:
                records: Iterable[Mapping[str, Any]] = [
                    {"timezone": DEFAULT_ZONE, **data,
                     DIGITAL_LINK_BASE: SETTINGS.digital_link_base}]
            else:
                records = render_records(conn, _identifier_ids(conn, values))
            try:
                for chunk in render_from_records(compiled, records, format, dpi):
                    out.write(chunk)
                    size += len(chunk)
            except TemplateError as exc:
                raise _refusal(exc, values if data is None else None) from None
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out, size


def stream(file: IO[bytes]) -> Iterator[bytes]:
    """Yield a file's bytes in chunks and close it."""
    try:
        while chunk := file.read(COPY_CHUNK):
            yield chunk
    finally:
        file.close()


# Sample data for previews: values that pass every GS1 check for the AIs they fill.
SAMPLE_AI_DATA = {"00": "106141411234567897", "01": "09506000134352", "02": "09506000134352",
                  "10": "LOT0001", "21": "SN000123", "414": "9506000134352"}
DATE_AIS = frozenset({"11", "12", "13", "15", "16", "17"})


def _ai_sample(ai: str, fmt: str | None, today: dt.date) -> str:
    """A sample value that is valid for an AI (an ISO date when the placeholder formats one)."""
    if fmt is not None:
        return today.isoformat()
    if ai in SAMPLE_AI_DATA:
        return SAMPLE_AI_DATA[ai]
    if ai in DATE_AIS:
        return today.strftime("%y%m%d")
    return gs1.sample_value(ai)


def _placeholders(compiled: Compiled) -> Iterator[tuple[str | None, Placeholder]]:
    """Every placeholder of a template with the AI of the element string it alone fills."""
    parts: list[Part] = []
    if isinstance(compiled, ZplTemplate):
        parts = [p for f in compiled.fields for p in f.parts]
    else:
        for el in compiled.elements:
            if isinstance(el, BarcodeElement) and el.segments:
                for seg in el.segments:
                    only = len(seg.parts) == 1 and isinstance(seg.parts[0], Placeholder)
                    for p in seg.parts:
                        if isinstance(p, Placeholder):
                            yield (seg.ai if only else None), p
            elif isinstance(el, TextElement | BarcodeElement):
                parts.extend(el.parts)
    for p in parts:
        if isinstance(p, Placeholder):
            yield None, p


def sample_record(compiled: Compiled) -> dict[str, Any]:
    """A made-up record that fills every placeholder of a template, for previews."""
    today = dt.datetime.now(dt.UTC).date()
    expiry = today.replace(day=1) + dt.timedelta(days=400)
    record: dict[str, Any] = {
        "value": "SN000123", "kind": "serial", "scheme": "sample", "version": 1,
        "status": "issued", "date": today.isoformat(), "issued_at": f"{today}T08:00:00Z",
        "issued_by": "preview", "lot": "LOT0001", "expiry": expiry.isoformat(), "quantity": 100,
        "uom": "pcs", "fields": {}, "attributes": {}, "lot_record": None, "timezone": DEFAULT_ZONE,
        "reprint": reprint_text(1),  # shows where a template prints REPRINT n
        DIGITAL_LINK_BASE: SETTINGS.digital_link_base,
    }
    found = sorted(_placeholders(compiled), key=lambda item: item[0] is not None)
    for ai, p in found:
        head, _, name = p.path.partition(".")
        value = _ai_sample(ai, p.fmt, today) if ai else (
            today.isoformat() if p.fmt is not None else name.upper().replace("_", "-"))
        if name:
            record[head][name] = value
        elif ai or p.fmt is not None:
            record[head] = value
    return record


def preview_png(db: Database, name: str, *, dpi: int | None, identifier: str | None) -> bytes:
    """A PNG of one label: an identifier's, or sample data's when none is given."""
    with db.transaction(write=False) as conn:
        compiled = load_template(conn, name)
        if identifier is not None:
            record = next(render_records(conn, _identifier_ids(conn, [identifier])))
        else:
            record = sample_record(compiled)
    try:
        return b"".join(render_from_records(compiled, [record], "png", dpi))
    except TemplateError as exc:
        raise _refusal(exc, [identifier] if identifier else None) from None
