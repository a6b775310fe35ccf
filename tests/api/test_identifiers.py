"""Identifier records: read, search, CSV, events, void, warranty, genealogy, recall."""

from __future__ import annotations

import csv
import io

import pytest

pytestmark = pytest.mark.xdist_group("api-identifiers")


@pytest.fixture(scope="module")
def plant(api):
    """A small plant: a received lot, widgets issued into it, a pallet built from widgets."""
    api.post("/api/v1/schemes", {"name": "wid", "kind": "serial", "pattern": "WD{model:1}{seq:4}",
                                 "warranty_days": 365})
    api.post("/api/v1/schemes", {"name": "pal", "kind": "serial", "pattern": "PL{seq:4}"})
    api.post("/api/v1/schemes", {"name": "rcv", "kind": "lot", "pattern": "R{seq:4}"})
    lots = [api.post("/api/v1/lots", {"scheme": "rcv", "quantity": 10, "uom": "pcs",
                                      "expiry": expiry, "supplier_lot": "SUP-1"},
                     role="receiver").get_json()["identifiers"][0]["value"]
            for expiry in ("2027-03-01", "2027-01-01", "2028-01-01")]
    widgets = [i["value"] for i in api.post("/api/v1/serials", {
        "scheme": "wid", "fields": {"model": "A", "site": "munich"}, "lot": lots[0], "count": 3},
        role="line").get_json()["identifiers"]]
    other = api.post("/api/v1/serials", {"scheme": "wid", "fields": {"model": "B"}},
                     role="line").get_json()["identifiers"][0]["value"]
    pallet = api.post("/api/v1/serials", {"scheme": "pal"},
                      role="line").get_json()["identifiers"][0]["value"]
    r = api.post(f"/api/v1/identifiers/{pallet}/components", {"components": widgets[:2]},
                 role="receiver")
    assert r.status_code == 200, r.get_json()
    return {"lots": lots, "widgets": widgets, "other": other, "pallet": pallet}


def test_read_record_with_events_components_lot_and_parse(api, plant, problem):
    record = api.get(f"/api/v1/identifiers/{plant['pallet']}").get_json()
    assert [c["value"] for c in record["components"]] == plant["widgets"][:2]
    assert [e["type"] for e in record["events"]] == ["issued", "components-added"]
    assert record["lot_record"] is None
    widget = api.get(f"/api/v1/identifiers/{plant['widgets'][0]}").get_json()
    assert widget["lot"] == plant["lots"][0] and widget["lot_record"]["quantity"] == 10
    assert widget["parse"]["registered"] and widget["parse"]["scheme"] == "wid"
    assert widget["parse"]["seq"] == 1 and widget["parse"]["fields"]["model"] == "A"
    problem(api.get("/api/v1/identifiers/NOPE-1"), 404, "not-found")


def test_search_filters_and_pages(api, plant, problem):
    def values(query):
        r = api.get("/api/v1/identifiers?" + query)
        assert r.status_code == 200, r.get_json()
        return [i["value"] for i in r.get_json()["items"]]

    assert values("scheme=wid&model=A") == plant["widgets"]
    assert values(f"lot={plant['lots'][0]}") == plant["widgets"]
    assert values("kind=lot&supplier_lot=SUP-1") == plant["lots"]
    assert values("scheme=rcv&expires_before=2027-06-01") == [plant["lots"][1], plant["lots"][0]]
    assert values("scheme=wid&site=munich") == plant["widgets"]
    assert values("scheme=wid&from=2000-01-01&to=2000-01-02") == []
    assert len(values("scheme=wid&from=2000-01-01T00:00:00Z")) == 4
    seen, cursor = [], ""
    while True:
        page = api.get(f"/api/v1/identifiers?scheme=wid&limit=1&cursor={cursor}").get_json()
        seen += [i["value"] for i in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert seen == [*plant["widgets"], plant["other"]]
    problem(api.get("/api/v1/identifiers?limit=1001"), 422, "validation-error")
    problem(api.get("/api/v1/identifiers?status=lost"), 422, "validation-error")
    problem(api.get("/api/v1/identifiers?colour=red"), 422, "validation-error")
    problem(api.get("/api/v1/identifiers?cursor=bm9wZQ"), 422, "validation-error")
    problem(api.get("/api/v1/identifiers?from=yesterday"), 422, "validation-error")


def test_csv_streams_every_match(api, plant):
    r = api.get("/api/v1/identifiers?scheme=wid&limit=1", headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert list(rows[0])[0] == "value"
    assert [row["value"] for row in rows] == [*plant["widgets"], plant["other"]]
    assert rows[0]["lot"] == plant["lots"][0]


def test_events_change_status_and_start_the_warranty(api, plant, problem):
    value = plant["widgets"][2]
    before = api.get(f"/api/v1/identifiers/{value}").get_json()
    assert before["warranty"] == {"days": 365, "starts": None, "ends": None,
                                  "status": "not-started"}
    r = api.post(f"/api/v1/identifiers/{value}/events",
                 {"type": "shipped", "at": "2026-01-10T08:00:00+00:00", "data": {"to": "ACME"}},
                 role="line")
    assert r.status_code == 201 and r.get_json()["actor"] == "line-token"
    after = api.get(f"/api/v1/identifiers/{value}").get_json()
    assert after["status"] == "shipped"
    assert after["warranty"]["starts"] == "2026-01-10" and after["warranty"]["ends"] == "2027-01-10"
    unknown = problem(api.post(f"/api/v1/identifiers/{value}/events", {"type": "inspected"},
                               role="line"), 422, "validation-error")
    assert "unknown event type 'inspected'" in unknown["detail"] and "shipped" in unknown["detail"]
    api.post("/api/v1/event-types", {"name": "inspected", "description": "QA looked at it"})
    custom = api.post(f"/api/v1/identifiers/{value}/events", {"type": "inspected"}, role="line")
    assert custom.status_code == 201
    assert api.get(f"/api/v1/identifiers/{value}").get_json()["status"] == "shipped"
    problem(api.post(f"/api/v1/identifiers/{value}/events", {"type": "voided"}, role="line"),
            422, "validation-error")
    problem(api.post(f"/api/v1/identifiers/{value}/events", {"type": "shipped"}, role="viewer"),
            403, "forbidden")


def test_void_once(api, plant, problem):
    value = plant["other"]
    problem(api.post(f"/api/v1/identifiers/{value}/void", {"reason": "x"}, role="line"),
            403, "forbidden")
    r = api.post(f"/api/v1/identifiers/{value}/void", {"reason": "label damaged"})
    assert r.status_code == 200 and r.get_json()["status"] == "voided"
    problem(api.post(f"/api/v1/identifiers/{value}/void", {"reason": "again"}), 409,
            "already-voided")
    record = api.get(f"/api/v1/identifiers/{value}").get_json()
    assert record["events"][-1]["type"] == "voided"
    assert record["events"][-1]["data"] == {"reason": "label damaged"}


def test_trace_down_and_up(api, plant):
    down = api.get(f"/api/v1/identifiers/{plant['pallet']}/trace?direction=down").get_json()
    got = {(i["value"], i["depth"], i["via"]) for i in down["items"]}
    w0, w1 = plant["widgets"][:2]
    assert got == {(w0, 1, plant["pallet"]), (w1, 1, plant["pallet"]),
                   (plant["lots"][0], 2, w0)}
    up = api.get(f"/api/v1/identifiers/{plant['lots'][0]}/trace?direction=up").get_json()
    assert {(i["value"], i["depth"]) for i in up["items"]} == {
        *((w, 1) for w in plant["widgets"]), (plant["pallet"], 2)}


def test_recall_pages_through_everything_that_contains_a_lot(api, plant, problem):
    items, cursor = [], None
    while True:
        url = f"/api/v1/recall?identifier={plant['lots'][0]}&limit=2"
        page = api.get(url + (f"&cursor={cursor}" if cursor else "")).get_json()
        assert page["identifier"]["value"] == plant["lots"][0]
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [i["value"] for i in items] == [*plant["widgets"], plant["pallet"]]
    assert all("status" in i for i in items)
    problem(api.get("/api/v1/recall"), 422, "validation-error")
    problem(api.get("/api/v1/recall?identifier=NOPE"), 404, "not-found")


def test_components_refuse_unknown_self_and_cycles(api, plant, problem):
    pallet, widget = plant["pallet"], plant["widgets"][0]
    body = problem(api.post(f"/api/v1/identifiers/{pallet}/components",
                            {"components": ["NOPE", pallet]}, role="receiver"),
                   422, "validation-error")
    assert set(body["errors"]) == {"components[0]", "components[1]"}
    body = problem(api.post(f"/api/v1/identifiers/{widget}/components",
                            {"components": [pallet]}, role="receiver"), 422, "validation-error")
    assert "components[0]" in body["errors"]
    body = problem(api.post(f"/api/v1/identifiers/{pallet}/components",
                            {"components": [widget]}, role="viewer"), 403, "forbidden")
    assert body["detail"] == "a viewer token may not record components"


def test_an_assembly_line_records_what_a_unit_was_built_from(api, plant):
    unit = api.post("/api/v1/serials", {"scheme": "pal"}, role="line").get_json()
    value = unit["identifiers"][0]["value"]
    r = api.post(f"/api/v1/identifiers/{value}/components",
                 {"components": [plant["lots"][1]]}, role="line")
    assert r.status_code == 200, r.get_json()
    assert [c["value"] for c in r.get_json()["components"]] == [plant["lots"][1]]


IDENTIFIER_KEYS = {"value", "kind", "scheme", "version", "status", "fields", "date", "issued_at",
                   "issued_by", "lot", "attributes", "warranty"}
LOT_KEYS = {"quantity", "uom", "expiry"}
RECORD_KEYS = {"events", "components", "lot_record", "parse", "holds"}
TRACE_KEYS = {"depth", "via"}


def test_only_lots_answer_quantity_unit_and_expiry(api, plant):
    serial, lot, pallet = plant["widgets"][0], plant["lots"][0], plant["pallet"]
    record = api.get(f"/api/v1/identifiers/{serial}").get_json()
    assert set(record) == IDENTIFIER_KEYS | RECORD_KEYS
    assert set(record["lot_record"]) == IDENTIFIER_KEYS | LOT_KEYS
    lot_record = api.get(f"/api/v1/identifiers/{lot}").get_json()
    assert set(lot_record) == IDENTIFIER_KEYS | LOT_KEYS | RECORD_KEYS
    assert (lot_record["quantity"], lot_record["uom"], lot_record["expiry"]) == \
        (10, "pcs", "2027-03-01")
    assert [set(c) for c in api.get(f"/api/v1/identifiers/{pallet}").get_json()["components"]] \
        == [IDENTIFIER_KEYS, IDENTIFIER_KEYS]

    def items(query):
        return api.get(f"/api/v1/identifiers?{query}").get_json()["items"]

    assert {frozenset(i) for i in items("scheme=wid")} == {frozenset(IDENTIFIER_KEYS)}
    assert {frozenset(i) for i in items("kind=lot")} == {frozenset(IDENTIFIER_KEYS | LOT_KEYS)}
    down = api.get(f"/api/v1/identifiers/{pallet}/trace?direction=down").get_json()
    assert set(down["identifier"]) == IDENTIFIER_KEYS
    assert {i["value"]: set(i) for i in down["items"]} == {
        serial: IDENTIFIER_KEYS | TRACE_KEYS, plant["widgets"][1]: IDENTIFIER_KEYS | TRACE_KEYS,
        lot: IDENTIFIER_KEYS | LOT_KEYS | TRACE_KEYS}
    scanned = api.post("/api/v1/scan", {"data": f"(10){lot}(21){serial}"}, role="viewer").get_json()
    assert [set(r) for r in scanned["records"]] == [IDENTIFIER_KEYS | LOT_KEYS, IDENTIFIER_KEYS]


def test_a_lot_without_quantity_unit_or_expiry_answers_them_empty(api):
    issued = api.post("/api/v1/lots", {"scheme": "rcv"}, role="receiver").get_json()
    value = issued["identifiers"][0]["value"]
    record = api.get(f"/api/v1/identifiers/{value}").get_json()
    assert set(record) == IDENTIFIER_KEYS | LOT_KEYS | RECORD_KEYS
    assert record["quantity"] is None and record["uom"] is None and record["expiry"] is None
    voided = api.post(f"/api/v1/identifiers/{value}/void", {"reason": "never arrived"}).get_json()
    assert set(voided) == IDENTIFIER_KEYS | LOT_KEYS and voided["status"] == "voided"
