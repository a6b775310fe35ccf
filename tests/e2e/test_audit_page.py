"""The Audit page (admins): filters, the chain's check and CSV; sign-in and sign-out are
recorded."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import text


def test_sign_in_and_sign_out_are_recorded(browser_for: Any, api: Any) -> None:
    browser = browser_for("line")
    browser.post("/logout", {})
    rows = api.get("/api/v1/audit?target_kind=session&target=line-token",
                   role="admin").get_json()["items"]
    assert [r["action"] for r in rows[-2:]] == ["session.sign-in", "session.sign-out"]
    assert rows[-1]["actor_role"] == "line" and rows[-1]["after"] == {"ended": "signed-out"}


def test_only_admins_see_the_audit_page(browser_for: Any) -> None:
    viewer = browser_for("viewer")
    assert viewer.get("/audit").status_code == 403
    assert "/audit" not in viewer.get("/").get_data(as_text=True)
    admin = browser_for("admin")
    assert 'href="/audit"' in admin.get("/").get_data(as_text=True)


def test_the_audit_page_filters_checks_and_downloads(browser_for: Any, api: Any,
                                                     db: Any) -> None:
    assert api.post("/api/v1/event-types", {"name": "page-check",
                                            "description": "seen on the audit page"}
                    ).status_code == 201
    admin = browser_for("admin")
    html = admin.get("/audit?action=event-type.register&target=page-check").get_data(
        as_text=True)
    assert "page-check" in html and "seen on the audit page" in html
    assert "scheme.define" not in html and 'data-testid="audit-verify"' not in html
    html = admin.get("/audit?action=event-type.register&verify=1").get_data(as_text=True)
    assert "The chain is intact" in html
    answer = admin.get("/audit.csv?action=event-type.register&target=page-check")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    [row] = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert row["target"] == "page-check"
    answer = admin.get("/audit?from=not-a-date")
    assert answer.status_code == 422 and 'id="err-from"' in answer.get_data(as_text=True)

    with db.engine.begin() as conn:  # a hand edit, the trigger dropped first
        conn.execute(text("DROP TRIGGER audit_no_update"))
        row_id = conn.execute(text("SELECT max(id) FROM audit")).scalar_one()
        conn.execute(text("UPDATE audit SET actor = 'mallory' WHERE id = :id"), {"id": row_id})
    html = admin.get("/audit?verify=1").get_data(as_text=True)
    assert f"The chain is broken at row {row_id}" in html and "changed by hand" in html
