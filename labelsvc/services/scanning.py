"""Read identifiers back: parse a value against every scheme, and decode scanner text."""

from __future__ import annotations

import re
from typing import Any

import biip
from biip.gs1_messages import GS1Message
from sqlalchemy import Connection

from labelsvc.registry.database import Database
from labelsvc.registry.queries import find_identifier, identifier_object
from labelsvc.services.schemes import all_versions
from numbering import ParseError

# Application identifiers whose data may be one of our identifiers: SSCC, lot, serial.
LOOKUP_AIS = ("00", "10", "21")
SYMBOLOGY_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
GS = "\x1d"


def _match(name: str, version: int, parsed: Any) -> dict[str, Any]:
    """One scheme a value fits."""
    return {"scheme": name, "version": version, "fields": parsed.fields, "date": parsed.date,
            "seq": parsed.seq, "check_ok": parsed.check_ok}


def parse_with(conn: Connection, value: str, row: Any | None = None) -> dict[str, Any]:
    """Say which schemes a value fits; a registered value answers from its record."""
    matches = []
    for name, version, scheme in all_versions(conn):
        try:
            matches.append(_match(name, version, scheme.parse(value)))
        except (ParseError, ValueError):
            continue
    if row is None:
        row = find_identifier(conn, value)
    answer: dict[str, Any] = {"value": value, "registered": row is not None, "scheme": None,
                              "version": None, "fields": None, "date": None, "seq": None,
                              "check_ok": None, "matches": matches}
    if row is not None:
        own = next((m for m in matches
                    if m["scheme"] == row.scheme and m["version"] == row.version), None)
        answer.update(own or {}, scheme=row.scheme, version=row.version, fields=row.fields)
    elif matches:
        answer.update(matches[0])
    return answer


def parse(db: Database, value: str) -> dict[str, Any]:
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


def scan(db: Database, data: str) -> dict[str, Any]:
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
                element_strings.append({"ai": es.ai.ai, "title": es.ai.data_title,
                                        "data": es.value})
                if es.ai.ai in LOOKUP_AIS:
                    candidates.append(es.value)
        else:
            candidates.append(_plain(text))
        rows = [(c, find_identifier(conn, c)) for c in dict.fromkeys(candidates)]
        records = [identifier_object(row) for _, row in rows if row is not None]
        parsed = [parse_with(conn, c, row) for c, row in rows]
    return {"symbology": symbology, "element_strings": element_strings, "records": records,
            "parsed": parsed}
