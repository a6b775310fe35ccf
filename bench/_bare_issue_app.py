"""The framework's ceiling for bench/issue.py: Flask under gunicorn, no labelsvc code at all.

One endpoint doing exactly the raw loop's transaction with psycopg (counter UPDATE … RETURNING,
identifier INSERT, event INSERT, COMMIT), so the benchmark can show how much of the gap to the
raw loop is HTTP, Flask and gunicorn on this machine, and how much is labelsvc.
Run by bench/issue.py as `gunicorn --chdir bench _bare_issue_app:app` with BARE_DATABASE_URL.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

import psycopg
from _raw_issue import issue_one, prepare  # bench/ is on the path (gunicorn --chdir bench)
from flask import Flask, Response, request

app = Flask(__name__)
_local = threading.local()


def _connection() -> Any:
    """One connection per request thread, opened on first use."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = psycopg.connect(os.environ["BARE_DATABASE_URL"])
        _local.prepared = {}
    return conn


@app.post("/issue")
def issue() -> Response:
    """Issue one identifier with the raw loop's transaction."""
    line = request.get_json()["fields"]["line"]
    conn, key = _connection(), f"bare-{line}"
    if key not in _local.prepared:
        _local.prepared[key] = prepare(conn, key)
    value = issue_one(conn, _local.prepared[key], key, "BR", line)
    return Response(json.dumps({"identifiers": [{"value": value}]}), 201,
                    mimetype="application/json")
