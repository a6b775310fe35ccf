"""What the web pages need beyond the API's use cases: actors, drafts, recalls, label previews."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pydantic
from sqlalchemy import func, select

from labelsvc.contract.label_models import TemplateOut
from labelsvc.contract.models import IdentifierOut, TraceItem
from labelsvc.contract.print_models import PrinterOut, ReprintReasonOut
from labelsvc.errors import (
    LabelsvcError,
    SchemeOverlap,
    ValidationFailed,
    pydantic_errors,
)
from labelsvc.registry.database import Database
from labelsvc.registry.models import counters, print_job_labels, schemes
from labelsvc.registry.queries import find_identifier
from labelsvc.services import genealogy, label_templates, labels, printers, records, reprints
from labelsvc.services import schemes as scheme_service
from labelsvc.services.schemes import check_overlap, compile_scheme, load_current
from numbering import NumberingError, Scheme
from numbering.pattern import Field

RECALL_PAGE = 1000
SUPPLIER_LOTS = 100
PRINTER_LIMIT = 1000
PREVIEW_DPIS = (203, 300)


@dataclass(frozen=True)
class RequestField:
    """One request field of a scheme: its name, fixed width and code table values."""

    name: str
    width: int | None
    choices: tuple[str, ...]


def request_fields(definition: dict[str, Any]) -> list[RequestField]:
    """The fields an issue request must carry for a scheme, in pattern order."""
    scheme = compile_scheme(definition)
    out: dict[str, RequestField] = {}
    for token in scheme.tokens:
        if isinstance(token, Field) and token.name not in out:
            out[token.name] = RequestField(token.name, token.width,
                                           tuple(scheme.codes.get(token.name, {})))
    return list(out.values())


@dataclass
class DraftReport:
    """What the scheme editor shows about a definition that is not saved yet."""

    errors: dict[str, str] = field(default_factory=dict)
    fields: list[RequestField] = field(default_factory=list)
    capacity_report: str | None = None
    counter: str | None = None
    identifiers: list[str] = field(default_factory=list)
    preview_error: str | None = None
    overlap: str | None = None
    continues_version: int | None = None


def check_draft(db: Database, definition: dict[str, Any], fields: dict[str, str],
                date: dt.date | None, count: int) -> DraftReport:
    """Lint a draft, preview its next values and say whether it overlaps another scheme."""
    report = DraftReport()
    try:
        scheme = compile_scheme(definition, stored=False)
    except pydantic.ValidationError as exc:
        report.errors = pydantic_errors(exc)
        return report
    report.fields = request_fields(definition)
    report.capacity_report = scheme.capacity_report
    with db.transaction(write=False) as conn:
        try:
            check_overlap(conn, scheme)
        except SchemeOverlap as exc:
            report.overlap = exc.detail
        current = load_current(conn, scheme.name)
        report.continues_version = current.version if current is not None else None
        try:
            day = scheme.production_date(fields, date)
            report.counter = scheme.counter_key(fields=fields, date=day)
            next_value = None if current is None else conn.execute(
                select(counters.c.next).join(schemes, schemes.c.id == counters.c.scheme_id)
                .where((schemes.c.name == scheme.name) & (counters.c.key == report.counter))
            ).scalar()
            report.identifiers = _next_values(scheme, fields, day, next_value, count)
        except (NumberingError, LabelsvcError) as exc:
            report.preview_error = str(exc)
    return report


def _next_values(scheme: Scheme, fields: dict[str, str], day: dt.date, next_value: int | None,
                 count: int) -> list[str]:
    """The next `count` values of a counter that stands at `next_value` (None: unused)."""
    first = max(next_value or scheme.start, scheme.start)
    last = scheme.start + scheme.capacity - 1
    return [scheme.format(fields=fields, date=day, seq=seq)
            for seq in range(first, min(first + count, last + 1))]


def recall_rows(db: Database, value: str) -> Iterator[TraceItem]:
    """Every identifier that contains `value`, transitively, read a page at a time."""
    cursor: str | None = None
    while True:
        page = genealogy.recall(db, value, limit=RECALL_PAGE, cursor=cursor)
        yield from page.items
        cursor = page.next_cursor
        if not cursor:
            return



def supplier_lots(db: Database, code: str) -> list[IdentifierOut]:
    """Our lots received under a supplier's lot number, when `code` is not one of our own
    identifiers (a supplier's number need not be unique: two suppliers may ship "LOT1")."""
    with db.transaction(write=False) as conn:
        if find_identifier(conn, code) is not None:
            return []
    found = records.search(db, records.SearchFilters(kind="lot", supplier_lot=code),
                           limit=SUPPLIER_LOTS, cursor=None)
    return list(found.items)


def job_label_states(db: Database, job_id: int) -> dict[str, int]:
    """How many of a job's labels stand in each state (pending, sent, printed, …)."""
    with db.transaction(write=False) as conn:
        rows = conn.execute(select(print_job_labels.c.state, func.count())
                            .where(print_job_labels.c.job_id == job_id)
                            .group_by(print_job_labels.c.state)).all()
    return {str(state): int(n) for state, n in rows}


def printer_board(db: Database) -> list[dict[str, Any]]:
    """Every printer with the last status a worker read."""
    board = []
    for printer in printers.list_printers(db, limit=PRINTER_LIMIT, cursor=None).items:
        board.append({**printer.model_dump(), "state": printers.printer_status(db, printer.name)})
    return board


@dataclass(frozen=True)
class PrintChoices:
    """The printers, label templates and reprint reasons a print form offers."""

    printers: list[PrinterOut]
    templates: list[TemplateOut]
    reasons: list[ReprintReasonOut]


def reprint_reasons(db: Database) -> list[ReprintReasonOut]:
    """The reasons a person may give for printing a label again."""
    return [r for r in reprints.list_reasons(db).items if r.from_clients]


def print_choices(db: Database) -> PrintChoices:
    """The printers, label templates and reprint reasons a print form offers."""
    return PrintChoices(printers.list_printers(db, limit=PRINTER_LIMIT, cursor=None).items,
                        label_templates.list_templates(db, limit=PRINTER_LIMIT, cursor=None).items,
                        reprint_reasons(db))


def png_data_uri(png: bytes) -> str:
    """A PNG as a `data:` URI, so a page shows it without a second request that may fail."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def template_previews(db: Database, name: str, dpis: tuple[int, ...]) -> dict[int, str]:
    """Sample-data previews of a template per dpi: a data URI, or the refusal in plant words."""
    out: dict[int, str] = {}
    for dpi in dpis:
        try:
            out[dpi] = png_data_uri(labels.preview_png(db, name, dpi=dpi, identifier=None))
        except LabelsvcError as exc:
            out[dpi] = exc.detail
    return out


# What a receipt records however it is printed: what the dock writes down (PRODUCT §1).
RECEIPT_ENTRIES = {"supplier_lot": "the supplier's lot", "supplier": "the supplier",
                   "quantity": "the quantity", "uom": "the unit", "expiry": "the expiry date"}
# A label placeholder the form fills, by the form entry that holds it, and its words.
PRINTED_ENTRIES = {"quantity": "the quantity", "uom": "the unit", "expiry": "the expiry date",
                   "lot": "the lot", "attributes.supplier": "the supplier",
                   "attributes.supplier_lot": "the supplier's lot",
                   "attributes.gtin": "the GTIN"}
# Placeholders the registry fills itself: never asked of the person at the form.
FILLED_BY_REGISTRY = frozenset({"value", "kind", "scheme", "version", "status", "date",
                                "issued_at", "issued_by"})


def _form_name(path: str) -> str:
    """The form entry that fills a label placeholder (`attributes.supplier` is `supplier`)."""
    head, _, name = path.partition(".")
    return name if head == "attributes" and name in ("supplier", "supplier_lot") else path


def required_entries(db: Database, *, kind: str, definition: dict[str, Any] | None,
                     template: str | None) -> dict[str, str]:
    """What an issue or receive form must carry, by form entry name -> words: every field of
    the scheme, for a lot what the dock writes down, and every value the label template
    prints (None: nothing is printed)."""
    needed = {f"fields.{f.name}": f"the {f.name.replace('_', ' ')}"
              for f in (request_fields(definition) if definition else [])}
    if kind == "lot":
        needed.update(RECEIPT_ENTRIES)
    if template:
        with db.transaction(write=False) as conn:
            found = label_templates.find_template(conn, template)
        for path in sorted(found.placeholders if found is not None else ()):
            if path in FILLED_BY_REGISTRY or (kind == "lot" and path == "lot"):
                continue
            head, _, name = path.partition(".")
            needed.setdefault(_form_name(path),
                              PRINTED_ENTRIES.get(path, f"the {name.replace('_', ' ')}"))
    return needed


def listed(words: list[str]) -> str:
    """Words joined for a sentence: `a`, `a and b`, `a, b and c`."""
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def _entry(record: dict[str, Any], path: str) -> Any:
    """A value of the receipt by placeholder path (`attributes.NAME` looks inside)."""
    head, _, rest = path.partition(".")
    value = record.get(head)
    return value.get(rest) if rest and isinstance(value, dict) else value


def lot_label_preview(db: Database, *, template: str, scheme: str, fields: dict[str, str],
                      date: dt.date | None, record: dict[str, Any]) -> tuple[str, str]:
    """The label a receipt would print, with the lot number it would get; (value, data URI)."""
    with db.transaction(write=False) as conn:
        needs = labels.load_template(conn, template).placeholders
    missing = [words for path, words in PRINTED_ENTRIES.items()
               if path in needs and _entry(record, path) in (None, "")]
    if missing:
        raise ValidationFailed(f"enter {listed(missing)} to see the label")
    nxt = scheme_service.preview(db, scheme, fields, date, 1).identifiers
    value = nxt[0] if nxt else "?"
    data = {"value": value, "lot": value, "kind": "lot", "scheme": scheme, "version": 0,
            "status": "issued", "fields": fields, "issued_at": dt.datetime.now(dt.UTC).isoformat(),
            "issued_by": "preview", "lot_record": None, **record}
    png, _ = labels.render_request(db, template=template, format="png", dpi=None, data=data)
    with png:
        return value, png_data_uri(png.read())
