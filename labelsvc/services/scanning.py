"""Read identifiers back: parse a value against every scheme, and decode scanner text."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

import gs1
import hibc
from labelsvc.contract.models import (
    ElementString,
    HibcOut,
    ParseMatch,
    ParseOut,
    ScanError,
    ScanMatch,
    ScanOut,
)
from labelsvc.registry.database import Database
from labelsvc.registry.queries import find_identifier
from labelsvc.services.identifiers import identifier_out
from labelsvc.services.schemes import all_versions
from numbering import ParseError

# Application identifiers whose data may be one of our identifiers: SSCC, lot, serial.
LOOKUP_AIS = ("00", "10", "21")


def _matches(conn: Connection, value: str) -> list[ParseMatch]:
    """Every scheme version a value fits, and what it says under each."""
    matches = []
    for name, version, scheme in all_versions(conn):
        try:
            parsed = scheme.parse(value)
        except (ParseError, ValueError):
            continue
        matches.append(ParseMatch(scheme=name, version=version, fields=parsed.fields,
                                  date=parsed.date, seq=parsed.seq, check_ok=parsed.check_ok))
    return matches


def parse_with(conn: Connection, value: str, row: Any | None = None) -> ParseOut:
    """Say which schemes a value fits; a registered value answers from its record."""
    matches = _matches(conn, value)
    if row is None:
        row = find_identifier(conn, value)
    if row is not None:
        # A registered value is named by its record and read by the version it was issued under.
        fit = next((m for m in matches if m.scheme == row.scheme and m.version == row.version),
                   None)
        scheme, version, fields = row.scheme, row.version, row.fields
    else:
        fit = matches[0] if matches else None
        scheme, version, fields = ((fit.scheme, fit.version, fit.fields) if fit
                                   else (None, None, None))
    return ParseOut(value=value, registered=row is not None, scheme=scheme, version=version,
                    fields=fields, date=fit.date if fit else None, seq=fit.seq if fit else None,
                    check_ok=fit.check_ok if fit else None, matches=matches)


def parse(db: Database, value: str) -> ParseOut:
    """Parse a value against every scheme version in the registry."""
    with db.transaction(write=False) as conn:
        return parse_with(conn, value)


# The `symbology` of the answer as clients have known it: the GS1 carrier, or how it was read.
_SYMBOLOGY = {"gs1-hri": "gs1-hri", "digital-link": "gs1-digital-link"}


def _symbology(found: gs1.Scan) -> str:
    if found.kind in _SYMBOLOGY:
        return _SYMBOLOGY[found.kind]
    if found.kind == "gs1":
        return found.symbology or "gs1"
    return "plain"


def read_hibc(found: gs1.Scan, raw: str) -> hibc.Hibc | None:
    """HIBC data in a scan: plain text (or a plain symbology's data) starting with `+` that
    reads as HIBC; it wins over a keyboard wedge's `+C1…` GS1 reading only with a right check
    character."""
    text = found.plain if found.kind == "plain" else raw
    if not text or not text.startswith("+") or (found.kind != "plain" and found.certain):
        return None
    try:
        read = hibc.read(text)
    except hibc.HibcError:
        return None
    return read if found.kind == "plain" or read.check_ok else None


def _hibc_scan(found: gs1.Scan, read: hibc.Hibc, rows: dict[str, Any]) -> ScanOut:
    """The answer to an HIBC scan: its fields, its check, and its lot and serial looked up."""
    errors = [] if read.check_ok else [ScanError(
        ai=None, level="element",
        message=f"the HIBC check character {read.check} is wrong (should be "
                f"{hibc.check_character((found.plain or '')[:-1])})")]
    out = HibcOut(structure=read.structure, labeler=read.labeler, product=read.product,
                  uom=read.uom, lot=read.lot, serial=read.serial, expiry=read.expiry,
                  manufactured=read.manufactured, quantity=read.quantity, link=read.link,
                  check_ok=bool(read.check_ok))
    return ScanOut(
        kind="hibc", symbology=found.symbology or "hibc", symbology_identifier=found.identifier,
        valid=not errors, errors=errors, element_strings=[], value=None,
        matches=[ScanMatch(ai=None, value=v, registered=rows[v] is not None) for v in rows],
        records=[identifier_out(row) for row in rows.values() if row is not None],
        parsed=[], hibc=out)


def scan(db: Database, data: str) -> ScanOut:
    """Decode scanner text and look up every identifier it names."""
    found = gs1.read_scan(data)
    raw = data.strip("\r\n")
    with db.transaction(write=False) as conn:
        if not found.certain and find_identifier(conn, raw) is not None:
            found = gs1.Scan("plain", found.symbology, found.identifier, plain=raw)
        elif (medical := read_hibc(found, raw)) is not None and (
                found.kind != "plain" or find_identifier(conn, found.plain or "") is None):
            if found.kind != "plain":
                found = gs1.Scan("plain", None, None, plain=raw)
            values = [v for v in (medical.lot, medical.serial) if v is not None]
            return _hibc_scan(found, medical, {v: find_identifier(conn, v) for v in values})
        if found.kind == "plain":
            candidates: list[tuple[str | None, str]] = [(None, found.plain or "")]
        else:
            candidates = [(ai, value) for ai, value in found.elements if ai in LOOKUP_AIS]
        unique = list(dict.fromkeys(candidates))
        rows = {value: find_identifier(conn, value) for _, value in unique}
        records = [identifier_out(row) for row in rows.values() if row is not None]
        parsed = [parse_with(conn, value, row) for value, row in rows.items()]
    return ScanOut(
        kind=found.kind, symbology=_symbology(found), symbology_identifier=found.identifier,
        valid=found.valid,
        errors=[ScanError(ai=p.ai, message=p.message, level=p.level) for p in found.problems],
        element_strings=[ElementString(ai=ai, title=_title(ai), data=value)
                         for ai, value in found.elements],
        value=found.plain if found.kind == "plain" else None,
        matches=[ScanMatch(ai=ai, value=value, registered=rows[value] is not None)
                 for ai, value in unique],
        records=records, parsed=parsed)


def _title(ai: str) -> str:
    entry = gs1.lookup(ai)
    return entry.title if entry else ""
