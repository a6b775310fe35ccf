"""Bad input of every kind is a 4xx problem naming the field, never a 500."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.xdist_group("api-bad-input")


def raw(api, path, data, content_type="application/json", role="admin", method="post"):
    """Send raw bytes."""
    headers = {"Authorization": f"Bearer {api.tokens[role]}", "Content-Type": content_type}
    return getattr(api.client, method)(path, data=data, headers=headers)


@pytest.mark.parametrize("data", [b"{", b"{'scheme': 1}", b"[1,", b"NaN", b'{"count": NaN}',
                                  b"", b"   ", b"[" * 100_000])
def test_malformed_json_is_400(api, problem, data):
    problem(raw(api, "/api/v1/serials", data), 400, "invalid-json")


def test_non_utf8_is_400(api, problem):
    body = problem(raw(api, "/api/v1/serials", b'{"scheme": "\xff\xfe"}'), 400, "invalid-json")
    assert "UTF-8" in body["detail"]


def test_wrong_content_type_is_415(api, problem):
    problem(raw(api, "/api/v1/serials", b"scheme=acme", "application/x-www-form-urlencoded"),
            415, "unsupported-media-type")
    problem(raw(api, "/api/v1/parse", b'{"value": "x"}', "text/plain"), 415,
            "unsupported-media-type")


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/serials", [], "body"),
    ("/api/v1/serials", "acme", "body"),
    ("/api/v1/serials", {"scheme": 5}, "scheme"),
    ("/api/v1/serials", {"scheme": None}, "scheme"),
    ("/api/v1/serials", {"scheme": "acme-serial", "count": 1.5}, "count"),
    ("/api/v1/serials", {"scheme": "acme-serial", "count": True}, "count"),
    ("/api/v1/serials", {"scheme": "acme-serial", "count": 10**30}, "count"),
    ("/api/v1/lots", {"scheme": "acme-lot", "quantity": -1}, "quantity"),
    ("/api/v1/lots", {"scheme": "acme-lot", "expiry": "31.12.2027"}, "expiry"),
    ("/api/v1/lots", {"scheme": "acme-lot", "uom": "u" * 21}, "uom"),
    ("/api/v1/parse", {"value": "v" * 201}, "value"),
    ("/api/v1/parse", {}, "value"),
    ("/api/v1/scan", {"data": ""}, "data"),
    ("/api/v1/schemes", {"name": "x", "kind": "serial", "pattern": "p" * 501}, "pattern"),
    ("/api/v1/schemes", {"name": "Bad Name!", "kind": "serial", "pattern": "{seq:3}"}, "name"),
    ("/api/v1/schemes", {"name": "x1", "kind": "serial", "pattern": "{seq:3}", "start": "a"},
     "start"),
])
def test_invalid_requests_are_422_naming_the_field(api, problem, path, body, field):
    answer = problem(api.post(path, body), 422, "validation-error")
    assert any(key == field or key.startswith(field + ".") for key in answer["errors"]), answer


def test_query_params_and_routes(api, problem):
    problem(api.get("/api/v1/schemes?limit=0"), 422, "validation-error")
    problem(api.get("/api/v1/schemes?limit=abc"), 422, "validation-error")
    problem(api.get("/api/v1/schemes?cursor=%00%FF"), 422, "validation-error")
    problem(api.get("/api/v1/identifiers/X/trace?direction=sideways"), 422, "validation-error")
    problem(api.get("/api/v1/nothing-here"), 404, "not-found")
    problem(api.get("/api/v1/schemes/no-such"), 404, "not-found")
    problem(api.client.delete("/api/v1/schemes"), 405, "method-not-allowed")


def test_idempotency_key_must_be_sane(api, problem):
    r = api.post("/api/v1/parse", {"value": "x"}, headers={"Idempotency-Key": "k" * 201})
    problem(r, 422, "validation-error")


def test_openapi_document_is_generated(api):
    doc = api.client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/serials" in doc["paths"] and "/api/v1/identifiers/{value}/trace" in doc["paths"]
    refusal = doc["paths"]["/api/v1/serials"]["post"]["responses"]["422"]
    assert "application/problem+json" in refusal["content"]
