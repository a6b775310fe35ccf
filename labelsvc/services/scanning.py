"""Read identifiers back: parse a value against every scheme, and decode scanner text."""

from __future__ import annotations

import re
from typing import Any

import biip
from biip.gs1_messages import GS1Message
from sqlalchemy import Connection

from labelsvc.contract.models import ElementString, ParseMatch, ParseOut, ScanOut
from labelsvc.registry.database import Database
from labelsvc.registry.queries import find_identifier
from labelsvc.services.identifiers import identifier_out
from labelsvc.services.schemes import all_versions
from numbering import ParseError

# Application identifiers whose data may be one of our identifiers: SSCC, lot, serial.
LOOKUP_AIS = ("00", "10", "21")
SYMBOLOGY_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
GS = "\x1d"


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


def _gs1_message(text: str) -> tuple[str, Any | None, bool]:
    """Decode GS1 data in any of its scanned forms: (symbology, message or None, certain).

    Data without a symbology identifier, brackets or GS separators may be GS1 or a plain
    value that happens to start with digits; that is not certain, and a registered value wins.
    """
    if text.startswith("("):
        try:
            return "gs1-hri", GS1Message.parse_hri(text), True
        except Exception:  # biip raises several error types for malformed data
            return "plain", None, True
    try:
        result = biip.parse(text)
    except Exception:  # biip raises several error types for malformed data
        return "plain", None, True
    if result.gs1_digital_link_uri is not None:
        return "gs1-digital-link", result.gs1_digital_link_uri, True
    if result.gs1_message is None:
        return "plain", None, True
    symbology = result.symbology_identifier
    if symbology is not None and symbology.gs1_symbology:
        return symbology.gs1_symbology.name.lower().replace("_", "-"), result.gs1_message, True
    return "gs1", result.gs1_message, GS in text


def _plain(text: str) -> str:
    """The value a plain scan carries, without its symbology identifier."""
    return SYMBOLOGY_PREFIX.sub("", text) if text.startswith("]") else text


def scan(db: Database, data: str) -> ScanOut:
    """Decode scanner text and look up every identifier it names."""
    text = data.strip("\r\n")
    symbology, message, certain = _gs1_message(text)
    with db.transaction(write=False) as conn:
        if message is not None and not certain and find_identifier(conn, text) is not None:
            symbology, message = "plain", None
        element_strings = []
        candidates: list[str] = []
        if message is not None:
            for es in message.element_strings:
                element_strings.append(ElementString(ai=es.ai.ai, title=es.ai.data_title,
                                                     data=es.value))
                if es.ai.ai in LOOKUP_AIS:
                    candidates.append(es.value)
        else:
            candidates.append(_plain(text))
        rows = [(c, find_identifier(conn, c)) for c in dict.fromkeys(candidates)]
        records = [identifier_out(row) for _, row in rows if row is not None]
        parsed = [parse_with(conn, c, row) for c, row in rows]
    return ScanOut(symbology=symbology, element_strings=element_strings, records=records,
                   parsed=parsed)
