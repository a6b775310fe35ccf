"""What the system of record refuses on the way in, so that no answer fails on the way out: lone
surrogates, NUL, deep or huge free-form values, and control characters in text that reaches a
label. Each is a 422 naming the place, and nothing is written. Both databases."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.xdist_group("api-refusals")
SCHEME = {"name": "refusals", "kind": "serial", "pattern": "RF{line:1}{seq:4}", "charset": "0-9"}


@pytest.fixture(scope="module")
def scheme(api: Any) -> str:
    assert api.post("/api/v1/schemes", SCHEME).status_code == 201
    return str(SCHEME["name"])


def _serial(api: Any, line: str = "1", **extra: Any) -> Any:
    return api.post("/api/v1/serials", {"scheme": "refusals", "fields": {"line": line}, **extra},
                    role="line")


def _issued(api: Any) -> list[str]:
    page = api.get("/api/v1/identifiers?scheme=refusals&limit=1000").get_json()
    return [item["value"] for item in page["items"]]


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": "x"}
    for _ in range(depth - 1):
        value = {"level": value}
    return value


@pytest.mark.parametrize(("attributes", "field", "says"), [
    ({"note": "\ud800"}, "attributes", "lone UTF-16 surrogate (U+D800)"),
    ({"\udfff": "x"}, "attributes.", "valid string"),
    ({"note": "A\u0000B"}, "attributes.note", "NUL character"),
    (_nested(17), "attributes", "nested deeper than 16 levels"),
    ({f"k{i}": i for i in range(201)}, "attributes", "more than 200 keys"),
    ({"blob": "x" * 70_000}, "attributes", "at most 65,536"),
    ({"note": "line one\nline two"}, "attributes", "control character (U+000A)"),
])
def test_free_form_attributes_that_could_not_be_answered_or_printed_are_refused(
        api: Any, scheme: str, problem: Any, attributes: dict[str, Any], field: str,
        says: str) -> None:
    before = _issued(api)
    body = problem(_serial(api, attributes=attributes), 422, "validation-error")
    named = [k for k in body["errors"] if k == field or k.startswith(field) and field[-1] == "."]
    assert named and says in body["errors"][named[0]], body
    assert _issued(api) == before


def test_free_form_within_the_limits_is_kept_and_answered(api: Any, scheme: str) -> None:
    attributes = {"depth": _nested(15), "text": "Łódź 東京 Grüße", "keys": {"a": 1, "b": [1, 2]}}
    answer = _serial(api, attributes=attributes)
    assert answer.status_code == 201, answer.get_json()
    value = answer.get_json()["identifiers"][0]["value"]
    assert api.get(f"/api/v1/identifiers/{value}").get_json()["attributes"] == attributes


def test_event_data_that_could_not_be_answered_is_refused(api: Any, scheme: str,
                                                          problem: Any) -> None:
    value = _serial(api).get_json()["identifiers"][0]["value"]
    for data, says in (({"why": "\ud834"}, "lone UTF-16 surrogate"),
                       ({"deep": _nested(17)}, "nested deeper")):
        body = problem(api.post(f"/api/v1/identifiers/{value}/events",
                                {"type": "note", "data": data}, role="line"),
                       422, "validation-error")
        assert says in body["errors"]["data"]
    record = api.get(f"/api/v1/identifiers/{value}")
    assert record.status_code == 200 and [e["type"] for e in record.get_json()["events"]] == [
        "issued"]
    note = api.post(f"/api/v1/identifiers/{value}/events",
                    {"type": "note", "data": {"text": "two\nlines are fine in a note"}},
                    role="line")
    assert note.status_code == 201, note.get_json()  # event data never reaches a label


@pytest.mark.parametrize("line", ["1\r", "\n", "1\t", "\x1b", "\x7f"])
def test_control_characters_in_field_values_never_reach_a_label(api: Any, scheme: str,
                                                                problem: Any, line: str) -> None:
    body = problem(_serial(api, line=line), 422, "validation-error")
    assert "control character" in body["errors"]["fields.line"]


def test_control_characters_in_a_supplier_lot_are_refused(api: Any, problem: Any) -> None:
    body = problem(api.post("/api/v1/lots", {"scheme": "acme-lot",
                                             "fields": {"site": "munich", "line": "R"},
                                             "supplier_lot": "B-44\r\n71"}, role="receiver"),
                   422, "validation-error")
    assert "control character (U+000D)" in body["errors"]["supplier_lot"]


def test_nul_anywhere_is_a_422_naming_where_on_both_databases(api: Any, scheme: str,
                                                              problem: Any) -> None:
    body = problem(api.get("/api/v1/identifiers?model=A%00B"), 422, "validation-error")
    assert body["errors"] == {"model": "holds a NUL character (U+0000)"}
    body = problem(api.get("/api/v1/identifiers/RF1%000001"), 422, "validation-error")
    assert body["errors"] == {"value": "holds a NUL character (U+0000)"}
    body = problem(api.post("/api/v1/serials", {"scheme": "refu\u0000sals"}, role="line"),
                   422, "validation-error")
    assert body["errors"] == {"scheme": "holds a NUL character (U+0000)"}
    body = problem(api.post("/api/v1/identifiers/RF10001/void", {"reason": "x\u0000"}),
                   422, "validation-error")
    assert body["errors"] == {"reason": "holds a NUL character (U+0000)"}
    body = problem(_serial(api, attributes={"k\u0000": 1}), 422, "validation-error")
    assert body["errors"] == {"attributes.k\u0000": "holds a NUL character (U+0000)"}
    answer = api.post("/api/v1/serials", {"scheme": "refusals", "fields": {"line": "2"}},
                      role="line", headers={"Idempotency-Key": "dock\u0000door"})
    problem(answer, 422, "validation-error")


def test_a_nul_in_a_page_address_query_or_form_is_a_refusal_page(app: Any, tokens: Any) -> None:
    browser = app.test_client()
    browser.get("/login")
    with browser.session_transaction() as session:
        csrf = session["csrf_token"]
    browser.post("/login", data={"token": tokens["line"], "csrf_token": csrf})
    with browser.session_transaction() as session:  # a new session after signing in
        csrf = session["csrf_token"]
    for answer in (browser.get("/lookup?q=A%00B"), browser.get("/identifiers/RF1%000001"),
                   browser.post("/issue", data={"csrf_token": csrf, "scheme": "refusals",
                                                "fields.line": "1\x00"})):
        assert answer.status_code == 422, answer.get_data(as_text=True)[:500]
        assert "NUL character" in answer.get_data(as_text=True)
