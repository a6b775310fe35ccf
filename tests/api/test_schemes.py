"""Scheme endpoints: define, lint, overlap, versions, preview, roles."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.xdist_group("api-schemes")

WEEKLY = {"name": "w1-serial", "kind": "serial", "pattern": "W1-{model}-{GG}{WW}{seq:5}",
          "codes": {"model": {"PUMP-A": "M", "PUMP-B": "N"}}}


def test_define_answers_capacity_report(api):
    r = api.post("/api/v1/schemes", WEEKLY)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["name"] == "w1-serial" and body["version"] == 1
    assert body["capacity"] == 99_999
    assert body["capacity_report"] == "99,999 per model and ISO week"
    assert body["definition"]["pattern"] == WEEKLY["pattern"]
    assert r.headers["Location"] == "/api/v1/schemes/w1-serial"


def test_defining_an_existing_name_is_refused(api, problem):
    api.post("/api/v1/schemes", {**WEEKLY, "name": "dup-serial", "pattern": "D{seq:4}"})
    r = api.post("/api/v1/schemes", {**WEEKLY, "name": "dup-serial", "pattern": "D{seq:4}"})
    problem(r, 409, "scheme-exists")


def test_lint_errors_name_the_field(api, problem):
    r = api.post("/api/v1/schemes", {"name": "bad", "kind": "serial",
                                     "pattern": "{YYYY}{WW}{seq:4}"})
    body = problem(r, 422, "validation-error")
    assert any("WW" in message for message in body["errors"].values()), body
    r = api.post("/api/v1/schemes", {"name": "bad", "kind": "gizmo", "pattern": "{seq:4}"})
    assert "kind" in problem(r, 422, "validation-error")["errors"]


def test_overlap_is_refused_unless_allowed(api, problem):
    api.post("/api/v1/schemes", {"name": "ov-a", "kind": "serial", "pattern": "OV{seq:4}"})
    r = api.post("/api/v1/schemes", {"name": "ov-b", "kind": "serial", "pattern": "O{v:1}{seq:4}"})
    body = problem(r, 409, "scheme-overlap")
    assert body["other_scheme"] == "ov-a"
    assert "ov-a" in body["detail"]
    r = api.post("/api/v1/schemes", {"name": "ov-b", "kind": "serial", "pattern": "O{v:1}{seq:4}",
                                     "allow_overlap": True})
    assert r.status_code == 201


def test_seeded_examples_join_overlap_checks_once_used(api, problem):
    # "pharma" is seeded: 12 Crockford characters; an overlapping scheme is fine until it issues.
    shape = {"kind": "serial", "pattern": "{rand:12:crockford}"}
    assert api.post("/api/v1/schemes", {"name": "rand-a", **shape}).status_code == 201
    assert api.post("/api/v1/serials", {"scheme": "pharma"}, role="line").status_code == 201
    problem(api.post("/api/v1/schemes", {"name": "rand-b", **shape}), 409, "scheme-overlap")


def test_new_version_keeps_counters_and_lists_versions(api, problem):
    base = {"name": "vers", "kind": "serial", "pattern": "V{seq:4}"}
    api.post("/api/v1/schemes", base)
    first = api.post("/api/v1/serials", {"scheme": "vers", "count": 2}, role="line").get_json()
    r = api.put("/api/v1/schemes/vers", {**base, "pattern": "V{seq:4}-{check:luhn}"})
    assert r.status_code == 200 and r.get_json()["version"] == 2
    second = api.post("/api/v1/serials", {"scheme": "vers"}, role="line").get_json()
    assert [i["value"] for i in first["identifiers"]] == ["V0001", "V0002"]
    assert second["identifiers"][0]["value"].startswith("V0003-")
    assert second["identifiers"][0]["version"] == 2
    detail = api.get("/api/v1/schemes/vers").get_json()
    assert [v["version"] for v in detail["versions"]] == [1, 2]
    problem(api.put("/api/v1/schemes/nope", base | {"name": "nope"}), 404, "not-found")
    problem(api.put("/api/v1/schemes/vers", {**base, "name": "other"}), 422, "validation-error")


def test_list_pages_with_cursor(api):
    names, cursor = [], None
    while True:
        url = "/api/v1/schemes?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(url).get_json()
        names += [s["name"] for s in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
        assert all(c.isalnum() or c in "-_" for c in cursor)
    assert names == sorted(names) and len(names) == len(set(names))
    assert {"acme-serial", "acme-lot", "vin", "sscc", "pharma"} <= set(names)


def test_preview_consumes_nothing(api):
    api.post("/api/v1/schemes", {"name": "prev", "kind": "serial", "pattern": "P{seq:3}"})
    body = {"count": 3}
    first = api.post("/api/v1/schemes/prev/preview", body, role="viewer").get_json()
    again = api.post("/api/v1/schemes/prev/preview", body, role="viewer").get_json()
    assert first["identifiers"] == again["identifiers"] == ["P001", "P002", "P003"]
    assert first["remaining"] == 999 and first["capacity_report"]
    issued = api.post("/api/v1/serials", {"scheme": "prev"}, role="line").get_json()
    assert issued["identifiers"][0]["value"] == "P001"
    after = api.post("/api/v1/schemes/prev/preview", body, role="viewer").get_json()
    assert after["identifiers"][0] == "P002" and after["remaining"] == 998


def test_roles_and_tokens(api, problem):
    problem(api.post("/api/v1/schemes", WEEKLY, role=None), 401, "unauthorized")
    problem(api.post("/api/v1/schemes", WEEKLY, role="line"), 403, "forbidden")
    bad = api.client.get("/api/v1/schemes", headers={"Authorization": "Bearer nope"})
    problem(bad, 401, "unauthorized")
    assert api.get("/api/v1/schemes", role="receiver").status_code == 200
    assert api.client.get("/healthz").status_code == 200
    assert api.client.get("/readyz").status_code == 200
    assert api.client.get("/api/v1/openapi.json").status_code == 200
