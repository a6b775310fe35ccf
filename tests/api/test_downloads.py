"""Downloads name their file for every client (RFC 6266), whatever characters the code holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert

from labelsvc.appcontext import attachment
from labelsvc.registry.models import scheme_versions, schemes
from labelsvc.services.issuing import Issuer, IssueRequest
from labelsvc.services.tokens import Actor


def test_attachment_gives_an_ascii_name_and_the_exact_one() -> None:
    assert attachment("recall-Łódź-1.csv") == (
        "attachment; filename=\"recall-__d_-1.csv\"; "
        "filename*=UTF-8''recall-%C5%81%C3%B3d%C5%BA-1.csv")
    assert attachment('a"b;c.csv') == "attachment; filename=\"a_b_c.csv\"; " \
                                      "filename*=UTF-8''a%22b%3Bc.csv"


def test_recall_csv_of_a_non_ascii_identifier_downloads(app: Any, tokens: Any, db: Any) -> None:
    """A scheme stored before printable ASCII was required may hold `Ł`: its recall still
    downloads (it was a 500: the header could not be written)."""
    now = dt.datetime.now(dt.UTC)
    with db.transaction() as conn:  # as an older version stored it
        scheme_id = conn.execute(insert(schemes).values(
            name="old-lodz", kind="lot", current_version=1, seeded=False, created_at=now,
            created_by="admin").returning(schemes.c.id)).scalar_one()
        conn.execute(insert(scheme_versions).values(
            scheme_id=scheme_id, version=1, created_at=now, created_by="admin",
            definition={"name": "old-lodz", "kind": "lot", "pattern": "Ł{seq:3}"}))
    value = Issuer(db).issue(IssueRequest(kind="lot", scheme="old-lodz", fields={}),
                             Actor(token_id=0, name="dock", role="receiver")).values[0]
    assert value == "Ł001"
    browser = app.test_client()
    browser.get("/login")
    with browser.session_transaction() as session:
        csrf = session["csrf_token"]
    browser.post("/login", data={"token": tokens["viewer"], "csrf_token": csrf})
    answer = browser.get("/recall.csv", query_string={"identifier": value})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.headers["Content-Disposition"] == (
        "attachment; filename=\"recall-_001.csv\"; filename*=UTF-8''recall-%C5%81001.csv")
