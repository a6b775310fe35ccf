"""GET /api/v1/audit and /api/v1/audit/verify: admins only, filters, keyset pages, CSV."""

from __future__ import annotations

import csv
import io
from typing import Any


def _define(api: Any, name: str) -> None:
    answer = api.post("/api/v1/schemes", {"name": name, "kind": "serial",
                                          "pattern": f"{name[:2].upper()}{{seq:6}}",
                                          "allow_overlap": True})
    assert answer.status_code == 201, answer.get_json()


def test_only_admins_read_the_audit_trail(api: Any, problem: Any) -> None:
    for role in ("viewer", "line", "receiver"):
        for path in ("/api/v1/audit", "/api/v1/audit/verify"):
            problem(api.get(path, role=role), 403, "forbidden")
    problem(api.get("/api/v1/audit", role=None), 401, "unauthorized")


def test_a_change_through_the_api_names_its_token(api: Any) -> None:
    _define(api, "qa-audit")
    page = api.get("/api/v1/audit?action=scheme.define&target=qa-audit", role="admin").get_json()
    [row] = page["items"]
    assert (row["actor"], row["actor_role"], row["target_kind"]) == ("admin-token", "admin",
                                                                    "scheme")
    assert isinstance(row["actor_token"], int) and row["before"] is None
    assert row["after"]["definition"]["pattern"] == "QA{seq:6}"
    assert len(row["row_hash"]) == 64 and page["next_cursor"] is None


def test_filters_and_pages(api: Any, problem: Any) -> None:
    for name in ("pg-one", "pg-two", "pg-three"):
        _define(api, name)
    everything = api.get("/api/v1/audit?target_kind=scheme&actor=admin-token&limit=1000",
                         role="admin").get_json()["items"]
    assert {"pg-one", "pg-two", "pg-three"} <= {r["target"] for r in everything}
    seen, cursor = [], None
    while True:
        query = "/api/v1/audit?target_kind=scheme&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(query, role="admin").get_json()
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert set(seen) >= {r["id"] for r in everything}
    first = everything[0]["at"]
    later = api.get(f"/api/v1/audit?from={first}&to=2999-01-01", role="admin").get_json()
    assert later["items"][0]["at"] >= first
    assert api.get("/api/v1/audit?to=2000-01-01", role="admin").get_json()["items"] == []
    body = problem(api.get("/api/v1/audit?from=yesterday", role="admin"), 422,
                   "validation-error")
    assert "from" in body["errors"]
    body = problem(api.get("/api/v1/audit?from=0001-01-01T00:00:00%2B05:00", role="admin"), 422,
                   "validation-error")
    assert "from" in body["errors"]
    for position in ("bm9wZQ", "WyJhIl0", "WzFlNDAwXQ", "WzEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwXQ"):
        # not JSON, ["a"], [1e400], [10**22]
        problem(api.get(f"/api/v1/audit?cursor={position}", role="admin"), 422,
                "validation-error")
    problem(api.get("/api/v1/audit?colour=red", role="admin"), 422, "validation-error")


def test_an_identifier_search_from_before_the_calendar_is_refused(api: Any,
                                                                  problem: Any) -> None:
    body = problem(api.get("/api/v1/identifiers?from=0001-01-01T00:00:00%2B05:00"), 422,
                   "validation-error")
    assert "from" in body["errors"]


def test_csv_streams_every_matching_row(api: Any) -> None:
    _define(api, "csv-audit")
    answer = api.get("/api/v1/audit?target=csv-audit", role="admin",
                     headers={"Accept": "text/csv"})
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert 'filename="audit.csv"' in answer.headers["Content-Disposition"]
    [row] = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert row["action"] == "scheme.define" and row["before"] == ""
    assert '"pattern": "CS{seq:6}"' in row["after"]


def test_verify_answers_ok_with_every_row(api: Any) -> None:
    _define(api, "verify-audit")
    rows = len(api.get("/api/v1/audit?limit=1000", role="admin").get_json()["items"])
    answer = api.get("/api/v1/audit/verify", role="admin").get_json()
    assert answer["ok"] is True and answer["rows"] == rows and len(answer["last_hash"]) == 64
