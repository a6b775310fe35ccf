"""Issuing serials and lots: counters, atomicity, idempotency, exhaustion, collisions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from numbering import Scheme, load_examples

EXAMPLES = {d["name"]: d for d in load_examples()}
NOV_20 = dt.date(2026, 11, 20)
pytestmark = pytest.mark.xdist_group("api-issuance")

WIDGET = {"model": "WIDGET-100", "site": "munich"}


def issue(api, body, role="line", **kw):
    """Issue serials and return the response."""
    return api.post("/api/v1/serials", body, role=role, **kw)


def test_serials_follow_the_counter(api):
    r = issue(api, {"scheme": "acme-serial", "fields": WIDGET, "date": "2026-11-20", "count": 3})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["print_job"] is None
    values = [i["value"] for i in body["identifiers"]]
    scheme = Scheme.model_validate(EXAMPLES["acme-serial"])
    assert values == [scheme.format(fields=WIDGET, date=NOV_20, seq=n) for n in (1, 2, 3)]
    assert values[0].startswith("41726470000")
    first = body["identifiers"][0]
    assert first["kind"] == "serial" and first["scheme"] == "acme-serial" and first["version"] == 1
    assert first["status"] == "issued" and first["issued_by"] == "line-token"
    assert first["fields"] == WIDGET and first["date"] == "2026-11-20" and first["lot"] is None
    assert "quantity" not in first
    nxt = issue(api, {"scheme": "acme-serial", "fields": WIDGET, "date": "2026-11-20"})
    assert nxt.get_json()["identifiers"][0]["value"] == scheme.format(fields=WIDGET, date=NOV_20,
                                                                      seq=4)


def test_lots_carry_quantity_expiry_and_supplier(api):
    r = api.post("/api/v1/lots", {"scheme": "acme-lot", "fields": {"site": "munich", "line": "A"},
                                  "date": "2026-11-20", "quantity": 12.5, "uom": "kg",
                                  "expiry": "2027-05-01", "supplier": "Bolt GmbH",
                                  "supplier_lot": "LOT1", "attributes": {"po": "4711"}},
                 role="receiver")
    assert r.status_code == 201, r.get_json()
    lot = r.get_json()["identifiers"][0]
    assert lot["value"] == "LM26324-A01"
    assert lot["quantity"] == 12.5 and lot["uom"] == "kg" and lot["expiry"] == "2027-05-01"
    assert lot["attributes"] == {"po": "4711", "supplier": "Bolt GmbH", "supplier_lot": "LOT1"}
    serials = issue(api, {"scheme": "acme-serial", "fields": WIDGET, "lot": lot["value"],
                          "count": 2}).get_json()["identifiers"]
    assert {s["lot"] for s in serials} == {"LM26324-A01"}


def test_kind_and_role_must_fit(api, problem):
    body = problem(api.post("/api/v1/lots", {"scheme": "acme-serial", "fields": WIDGET},
                            role="receiver"), 422, "validation-error")
    assert "scheme" in body["errors"]
    problem(api.post("/api/v1/lots", {"scheme": "acme-lot"}, role="line"), 403, "forbidden")
    problem(issue(api, {"scheme": "acme-serial", "fields": WIDGET}, role="viewer"), 403,
            "forbidden")


@pytest.mark.parametrize(("body", "field"), [
    ({"scheme": "no-such", "fields": WIDGET}, "scheme"),
    ({"scheme": "acme-serial", "fields": {"model": "GADGET", "site": "munich"}}, "fields.model"),
    ({"scheme": "acme-serial", "fields": WIDGET, "count": 0}, "count"),
    ({"scheme": "acme-serial", "fields": WIDGET, "count": -5}, "count"),
    ({"scheme": "acme-serial", "fields": WIDGET, "count": 100_001}, "count"),
    ({"scheme": "acme-serial", "fields": WIDGET, "count": "many"}, "count"),
    ({"scheme": "acme-serial", "fields": WIDGET, "lot": "NO-SUCH-LOT"}, "lot"),
    ({"scheme": "acme-serial", "fields": WIDGET, "date": "yesterday"}, "date"),
    ({"scheme": "acme-serial", "fields": ["model"]}, "fields"),
    ({"scheme": "acme-serial", "fields": WIDGET, "colour": "red"}, "colour"),
    ({"scheme": "x" * 5000, "fields": WIDGET}, "scheme"),
    ({"scheme": "acme-serial", "fields": {"model": "W" * 5000, "site": "munich"}}, "fields.model"),
])
def test_bad_requests_name_the_field(api, problem, body, field):
    answer = problem(issue(api, body), 422, "validation-error")
    assert field in answer["errors"], answer


def test_print_to_unknown_printer_is_refused_and_nothing_issued(api, problem):
    before = api.post("/api/v1/schemes/acme-serial/preview", {"fields": WIDGET}).get_json()
    body = problem(issue(api, {"scheme": "acme-serial", "fields": WIDGET,
                               "print": {"printer": "line-7", "template": "serial-50x25"}}),
                   422, "validation-error")
    assert "print.printer" in body["errors"]
    after = api.post("/api/v1/schemes/acme-serial/preview", {"fields": WIDGET}).get_json()
    assert after["identifiers"] == before["identifiers"]


def test_exhaustion_is_409_and_never_wraps(api, problem):
    api.post("/api/v1/schemes", {"name": "tiny", "kind": "serial", "pattern": "T{line}{seq:1}"})
    body = {"scheme": "tiny", "fields": {"line": "A"}}
    assert len(issue(api, {**body, "count": 7}).get_json()["identifiers"]) == 7
    refused = problem(issue(api, {**body, "count": 3}), 409, "sequence-exhausted")
    assert "TA" in refused["detail"] or "A" in refused["detail"]
    assert "7 used" in refused["detail"]
    assert [i["value"] for i in issue(api, {**body, "count": 2}).get_json()["identifiers"]] == \
        ["TA8", "TA9"]
    final = problem(issue(api, body), 409, "sequence-exhausted")
    assert "9 used" in final["detail"]
    assert issue(api, {**body, "fields": {"line": "B"}}).status_code == 201


def test_values_issued_by_another_scheme_are_skipped(api, db):
    api.post("/api/v1/schemes", {"name": "sk-a", "kind": "serial", "pattern": "SK{seq:3}"})
    api.post("/api/v1/schemes", {"name": "sk-b", "kind": "serial", "pattern": "S{k:1}{seq:3}",
                                 "allow_overlap": True})
    issue(api, {"scheme": "sk-a", "count": 2})  # SK001, SK002
    got = issue(api, {"scheme": "sk-b", "fields": {"k": "K"}, "count": 2}).get_json()
    assert [i["value"] for i in got["identifiers"]] == ["SK003", "SK004"]
    from sqlalchemy import select

    from labelsvc.registry.models import counter_skips, counters
    with db.engine.connect() as conn:
        skipped = conn.execute(select(counter_skips.c.value).order_by(counter_skips.c.seq)).all()
        totals = conn.execute(select(counters.c.skipped).where(counters.c.skipped > 0)).all()
    assert [s.value for s in skipped] == ["SK001", "SK002"]
    assert [t.skipped for t in totals] == [2]


def test_random_serials_are_unique(api):
    got = issue(api, {"scheme": "pharma", "count": 500}).get_json()["identifiers"]
    values = [i["value"] for i in got]
    assert len(set(values)) == 500 and all(len(v) == 12 for v in values)


def test_idempotent_retry_returns_the_first_answer(api, problem):
    body = {"scheme": "acme-serial", "fields": WIDGET, "count": 2}
    key = {"Idempotency-Key": "retry-1"}
    first = issue(api, body, headers=key)
    again = issue(api, body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.get_json() == first.get_json()
    changed = issue(api, {**body, "count": 3}, headers=key)
    problem(changed, 422, "idempotency-conflict")
    # the same key from another token is another key
    other = issue(api, body, role="admin", headers=key)
    assert other.status_code == 201 and other.get_json() != first.get_json()


def test_idempotent_refusals_are_replayed_too(api, problem):
    key = {"Idempotency-Key": "refused-1"}
    body = {"scheme": "acme-serial", "fields": {"model": "NOPE", "site": "munich"}}
    problem(issue(api, body, headers=key), 422, "validation-error")
    replay = issue(api, body, headers=key)
    problem(replay, 422, "validation-error")
    assert replay.headers["Idempotent-Replayed"] == "true"


def test_issued_events_record_the_actor(api):
    value = issue(api, {"scheme": "acme-serial", "fields": WIDGET}).get_json()["identifiers"][0]
    record = api.get(f"/api/v1/identifiers/{value['value']}").get_json()
    assert [(e["type"], e["actor"]) for e in record["events"]] == [("issued", "line-token")]


def test_batch_answer_is_the_identifier_object_of_each_value(api: Any) -> None:
    answer = api.post("/api/v1/serials", {"scheme": "acme-serial", "count": 3,
                                          "fields": {"model": "WIDGET-200", "site": "austin",
                                                     "shift": "B"},
                                          "attributes": {"customer": "Zoë & Co \"quoted\""}},
                      role="line")
    assert answer.status_code == 201
    body = json.loads(answer.get_data(as_text=True))
    assert body["print_job"] is None and len(body["identifiers"]) == 3
    assert len({i["value"] for i in body["identifiers"]}) == 3
    for item in body["identifiers"]:
        record = api.get(f"/api/v1/identifiers/{item['value']}").get_json()
        assert {k: record[k] for k in item} == item
