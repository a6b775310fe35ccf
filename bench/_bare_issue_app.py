"""The framework's ceiling for bench/issue.py: Flask under gunicorn, no labelsvc code at all.

One endpoint doing exactly the raw loop's transaction with psycopg (counter UPDATE … RETURNING,
identifier INSERT, event INSERT, COMMIT), so the benchmark can show how much of the gap to the
raw loop is HTTP, Flask and gunicorn on this machine, and how much is labelsvc.
Run by bench/issue.py as `gunicorn --chdir bench _bare_issue_app:app` with BARE_DATABASE_URL.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from typing import Any

import psycopg
from flask import Flask, Response, request

app = Flask(__name__)
_local = threading.local()


def _connection() -> Any:
    """One connection per request thread, opened on first use."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = psycopg.connect(os.environ["BARE_DATABASE_URL"])
        _local.scheme = conn.execute(
            "SELECT id FROM schemes WHERE name = 'sys-serial'").fetchone()[0]
        _local.counters = set()
        conn.commit()
    return conn


@app.post("/issue")
def issue() -> Response:
    """Issue one identifier with the raw loop's transaction."""
    line = request.get_json()["fields"]["line"]
    conn, scheme, key = _connection(), _local.scheme, f"bare-{line}"
    if key not in _local.counters:
        conn.execute("INSERT INTO counters (scheme_id, key, next, skipped, created_at) "
                     "VALUES (%s, %s, 1, 0, now()) ON CONFLICT DO NOTHING", (scheme, key))
        _local.counters.add(key)
    counter_id, seq = conn.execute(
        "UPDATE counters SET next = next + 1 WHERE scheme_id = %s AND key = %s "
        "RETURNING id, next - 1", (scheme, key)).fetchone()
    value = f"BR{line}{seq:07d}"
    ident = conn.execute(
        "INSERT INTO identifiers (value, kind, scheme_id, scheme_version, status, fields, "
        "production_date, counter_id, seq, attributes, issued_at, issued_by) VALUES "
        "(%s, 'serial', %s, 1, 'issued', %s, %s, %s, %s, '{}', now(), 'bench') RETURNING id",
        (value, scheme, json.dumps({"line": line}), dt.date.today(), counter_id, seq)
    ).fetchone()[0]
    conn.execute("INSERT INTO events (identifier_id, type, actor, at, data) "
                 "VALUES (%s, 'issued', 'bench', now(), '{}')", (ident,))
    conn.commit()
    return Response(json.dumps({"identifiers": [{"value": value}]}), 201,
                    mimetype="application/json")
