"""The issue transaction written by hand with psycopg: the baseline of bench/issue.py part (b).

Used by the raw loop (bench/issue.py) and by the bare-framework reference
(bench/_bare_issue_app.py), so both run exactly the same statements.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any


def prepare(conn: Any, key: str) -> int:
    """Make sure the counter `key` of the benchmark scheme exists; return the scheme id."""
    scheme_id = int(conn.execute("SELECT id FROM schemes WHERE name = 'sys-serial'"
                                 ).fetchone()[0])
    conn.execute("INSERT INTO counters (scheme_id, key, next, skipped, created_at) "
                 "VALUES (%s, %s, 1, 0, now()) ON CONFLICT DO NOTHING", (scheme_id, key))
    conn.commit()
    return scheme_id


def issue_one(conn: Any, scheme_id: int, key: str, prefix: str, line: str) -> str:
    """Counter UPDATE … RETURNING, identifier INSERT, event INSERT, COMMIT; return the value."""
    counter_id, seq = conn.execute(
        "UPDATE counters SET next = next + 1 WHERE scheme_id = %s AND key = %s "
        "RETURNING id, next - 1", (scheme_id, key)).fetchone()
    value = f"{prefix}{line}{seq:07d}"
    ident = conn.execute(
        "INSERT INTO identifiers (value, kind, scheme_id, scheme_version, status, fields, "
        "production_date, counter_id, seq, attributes, issued_at, issued_by) VALUES "
        "(%s, 'serial', %s, 1, 'issued', %s, %s, %s, %s, '{}', now(), 'bench') RETURNING id",
        (value, scheme_id, json.dumps({"line": line}), dt.date.today(), counter_id, seq)
    ).fetchone()[0]
    conn.execute("INSERT INTO events (identifier_id, type, actor, at, data) "
                 "VALUES (%s, 'issued', 'bench', now(), '{}')", (ident,))
    conn.commit()
    return value


# The same work as one statement that commits on its own (the connection in autocommit), the
# value formatted by PostgreSQL: what labelsvc's single-statement path sends, at its leanest.
ONE_STATEMENT = (
    "WITH reserved AS (UPDATE counters SET next = next + 1 WHERE scheme_id = %(scheme)s "
    "AND key = %(key)s RETURNING id, next - 1 AS seq), "
    "new AS (INSERT INTO identifiers (value, kind, scheme_id, scheme_version, status, fields, "
    "production_date, counter_id, seq, attributes, issued_at, issued_by) "
    "SELECT %(prefix)s || lpad(seq::text, 7, '0'), 'serial', %(scheme)s, 1, 'issued', "
    "%(fields)s, %(day)s, id, seq, '{}', now(), 'bench' FROM reserved RETURNING id, value), "
    "issued AS (INSERT INTO events (identifier_id, type, actor, at, data) "
    "SELECT id, 'issued', 'bench', now(), '{}' FROM new) "
    "SELECT value FROM new")


def issue_one_statement(conn: Any, scheme_id: int, key: str, prefix: str, line: str) -> str:
    """The issue transaction as ONE_STATEMENT, on a connection in autocommit mode."""
    return str(conn.execute(ONE_STATEMENT, {
        "scheme": scheme_id, "key": key, "prefix": f"{prefix}{line}",
        "fields": json.dumps({"line": line}), "day": dt.date.today()}).fetchone()[0])
