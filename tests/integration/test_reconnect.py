"""A database restart or fail-over closes pooled connections; the next request still works."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy

pytestmark = pytest.mark.postgres


def test_connections_closed_by_the_server_are_replaced(api: Any, app: Any,
                                                       postgres_engine: sqlalchemy.Engine,
                                                       database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite opens its file per connection; there is no server to lose")
    body = {"scheme": "acme-serial", "fields": {"model": "WIDGET-100", "site": "munich"}}
    assert api.post("/api/v1/serials", body, role="line").status_code == 201
    engine = app.extensions["labelsvc.db"].engine
    pids = []
    conns = [engine.connect() for _ in range(engine.pool.checkedin() or 1)]
    for conn in conns:
        pids.append(conn.execute(sqlalchemy.text("SELECT pg_backend_pid()")).scalar())
    for conn in conns:
        conn.close()
    with postgres_engine.connect() as admin:
        for pid in pids:
            admin.execute(sqlalchemy.text("SELECT pg_terminate_backend(:pid, 5000)"),
                          {"pid": pid})   # waits until the server process has ended
    answer = api.post("/api/v1/serials", body, role="line")
    assert answer.status_code == 201, answer.get_json()
