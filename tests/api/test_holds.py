"""Holds on lots and serials: placed and released with a reason, and what they refuse —
issuing into a held lot, printing, reprinting, shipping and consuming what they hold, through
a lot and, when the hold propagates, through everything made from it. Both databases."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.xdist_group("api-holds")
SERIAL = {"scheme": "acme-serial", "fields": {"model": "WIDGET-100", "site": "munich"}}
LOT = {"scheme": "acme-lot", "fields": {"site": "munich", "line": "H"}, "quantity": 10}
JOB = {"printer": "hold-1", "template": "serial-50x25"}


@pytest.fixture(scope="module", autouse=True)
def printer(api: Any) -> None:
    assert api.post("/api/v1/printers", {"name": "hold-1", "driver": "zpl-tcp",
                                         "host": "127.0.0.1", "port": 9}).status_code == 201


def _lot(api: Any) -> str:
    return str(api.post("/api/v1/lots", LOT, role="receiver").get_json()["identifiers"][0]["value"])


def _serial(api: Any, **extra: Any) -> str:
    r = api.post("/api/v1/serials", {**SERIAL, **extra}, role="line")
    assert r.status_code == 201, r.get_json()
    return str(r.get_json()["identifiers"][0]["value"])


def _hold(api: Any, value: str, reason: str = "supplier recall B-4471", role: str = "receiver",
          **extra: Any) -> Any:
    return api.post(f"/api/v1/identifiers/{value}/hold", {"reason": reason, **extra}, role=role)


def _release(api: Any, value: str, **body: Any) -> Any:
    return api.post(f"/api/v1/identifiers/{value}/release",
                    {"reason": "inspected, good", **body}, role="receiver")


def _event(api: Any, value: str, kind: str) -> Any:
    return api.post(f"/api/v1/identifiers/{value}/events", {"type": kind}, role="line")


def _print(api: Any, *values: str) -> Any:
    return api.post("/api/v1/print-jobs", {**JOB, "identifiers": list(values)}, role="line")


def _record(api: Any, value: str) -> dict[str, Any]:
    return dict(api.get(f"/api/v1/identifiers/{value}").get_json())


def test_a_held_lot_refuses_issuing_into_it_printing_and_shipping_its_serials(
        api: Any, problem: Any) -> None:
    lot = _lot(api)
    serial = _serial(api, lot=lot)
    placed = _hold(api, lot)
    assert placed.status_code == 201
    hold = placed.get_json()
    assert hold["identifier"] == lot and hold["reason"] == "supplier recall B-4471"
    assert hold["active"] is True and hold["propagate"] is False
    assert hold["placed_by"] == "receiver-token" and hold["released_at"] is None

    refused = problem(api.post("/api/v1/serials", {**SERIAL, "lot": lot}, role="line"), 409,
                      "on-hold")
    assert refused["hold"]["id"] == hold["id"] and refused["hold"]["identifier"] == lot
    assert refused["hold"]["reason"] == "supplier recall B-4471"
    assert refused["hold"]["placed_by"] == "receiver-token"
    assert f"hold {hold['id']} on {lot}" in refused["detail"]
    assert "no serial can be issued into it" in refused["detail"]
    with_print = {**SERIAL, "lot": lot, "count": 3, "print": JOB}
    problem(api.post("/api/v1/serials", with_print, role="line"), 409, "on-hold")
    assert [i["value"] for i in api.get(f"/api/v1/identifiers?lot={lot}").get_json()["items"]
            ] == [serial]  # nothing was issued into it

    refused = problem(_print(api, serial), 409, "on-hold")
    assert refused["identifier"] == serial and refused["hold"]["through"] == lot
    assert refused["detail"].startswith(f"{serial} is on hold through {lot} (hold {hold['id']}")
    problem(_print(api, lot), 409, "on-hold")
    problem(_event(api, serial, "shipped"), 409, "on-hold")
    assert _record(api, serial)["status"] == "issued"

    record = _record(api, serial)
    assert [(h["id"], h["through"]) for h in record["holds"]] == [(hold["id"], lot)]
    assert [h["id"] for h in _record(api, lot)["holds"]] == [hold["id"]]
    assert _record(api, lot)["holds"][0]["through"] is None

    released = _release(api, lot)
    assert released.status_code == 200
    assert released.get_json()["active"] is False
    assert released.get_json()["released_by"] == "receiver-token"
    assert released.get_json()["release_reason"] == "inspected, good"
    assert _record(api, serial)["holds"] == []
    assert _serial(api, lot=lot)
    assert _print(api, serial).status_code == 201
    assert _event(api, serial, "shipped").status_code == 201
    kinds = [(e["type"], e["data"]) for e in _record(api, lot)["events"]]
    assert ("hold", {"hold": hold["id"], "reason": "supplier recall B-4471",
                     "propagate": False}) in kinds
    assert ("release", {"hold": hold["id"], "reason": "inspected, good"}) in kinds


def test_a_propagating_hold_reaches_what_is_made_from_the_lot(api: Any, problem: Any) -> None:
    lot = _lot(api)
    part = _serial(api, lot=lot)
    assembly, kit, other = _serial(api), _serial(api), _serial(api)
    for parent, child in ((assembly, part), (kit, assembly)):
        assert api.post(f"/api/v1/identifiers/{parent}/components", {"components": [child]},
                        role="line").status_code == 200
    plain = _hold(api, lot).get_json()
    # Without propagate the lot's own serials are held, what is made from them is not.
    problem(_event(api, part, "shipped"), 409, "on-hold")
    assert _event(api, assembly, "shipped").status_code == 201
    _release(api, lot, hold=plain["id"])
    spreading = _hold(api, lot, "salt spray failure", propagate=True).get_json()
    refused = problem(_event(api, kit, "shipped"), 409, "on-hold")
    assert refused["hold"]["id"] == spreading["id"] and refused["hold"]["through"] == lot
    assert "and everything made from it" in refused["detail"]
    problem(_print(api, other, kit), 409, "on-hold")
    problem(_event(api, kit, "consumed"), 409, "on-hold")
    assert _print(api, other).status_code == 201
    assert [h["through"] for h in _record(api, kit)["holds"]] == [lot]
    assert _record(api, assembly)["status"] == "shipped"  # a hold moves no status
    _release(api, lot)
    assert _event(api, kit, "shipped").status_code == 201


def test_a_reprint_of_a_job_with_a_held_serial_is_refused(api: Any, problem: Any) -> None:
    serial = _serial(api)
    job = _print(api, serial).get_json()["id"]
    own = _hold(api, serial, "customer complaint 881", role="admin").get_json()
    refused = problem(api.post(f"/api/v1/print-jobs/{job}/reprint", {}, role="line"), 409,
                      "on-hold")
    assert refused["hold"] == {**own, "through": None}
    problem(_event(api, serial, "consumed"), 409, "on-hold")
    assert _event(api, serial, "scrapped").status_code == 201  # disposing of it is allowed


def test_reasons_roles_and_releasing_twice(api: Any, problem: Any) -> None:
    serial = _serial(api)
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        bad = problem(api.post(f"/api/v1/identifiers/{serial}/hold", body, role="receiver"),
                      422, "validation-error")
        assert "reason" in bad["errors"]
    problem(_hold(api, serial, role="line"), 403, "forbidden")
    problem(_hold(api, serial, role="viewer"), 403, "forbidden")
    problem(_hold(api, "NO-SUCH-VALUE"), 404, "not-found")
    problem(_release(api, serial), 409, "not-on-hold")
    first = _hold(api, serial, "first").get_json()
    second = _hold(api, serial, "second").get_json()
    assert [h["id"] for h in _record(api, serial)["holds"]] == [first["id"], second["id"]]
    which = problem(_release(api, serial), 422, "validation-error")
    assert str(first["id"]) in which["errors"]["hold"] and str(second["id"]) in which["detail"]
    problem(api.post(f"/api/v1/identifiers/{serial}/release", {"hold": first["id"]},
                     role="receiver"), 422, "validation-error")
    assert _release(api, serial, hold=first["id"]).status_code == 200
    again = problem(_release(api, serial, hold=first["id"]), 409, "already-released")
    assert "receiver-token" in again["detail"]
    problem(_release(api, serial, hold=10**12), 404, "not-found")
    problem(_print(api, serial), 409, "on-hold")  # the second still holds it
    assert _release(api, serial).status_code == 200  # the only active one
    assert _print(api, serial).status_code == 201
    for kind in ("hold", "release"):
        problem(_event(api, serial, kind), 422, "validation-error")


def test_a_recall_holds_each_unit_that_contains_the_lot(api: Any, problem: Any) -> None:
    lot = _lot(api)
    inside = [_serial(api, lot=lot) for _ in range(2)]
    assembly = _serial(api)
    api.post(f"/api/v1/identifiers/{assembly}/components", {"components": [inside[0]]},
             role="line")
    bystander = _serial(api)
    answer = api.post("/api/v1/recall/hold", {"identifier": lot, "reason": "recall R-12"},
                      role="receiver")
    assert answer.status_code == 201
    held = {h["identifier"]: h for h in answer.get_json()["items"]}
    assert set(held) == {lot, *inside, assembly}
    assert {h["reason"] for h in held.values()} == {"recall R-12"}
    for value in (lot, *inside, assembly):
        record = _record(api, value)
        assert record["holds"][0]["id"] == held[value]["id"]
        assert record["holds"][0]["through"] is None
        assert ("hold", "recall R-12", lot) in [
            (e["type"], e["data"].get("reason"), e["data"].get("recall"))
            for e in record["events"]]
    problem(_event(api, assembly, "shipped"), 409, "on-hold")
    assert _print(api, bystander).status_code == 201
    # A unit inspected and cleared is released on its own; the others stay held.
    assert _release(api, inside[1]).status_code == 200
    assert _print(api, inside[1]).status_code == 409  # still held through its lot
    assert _release(api, lot).status_code == 200
    assert _print(api, inside[1]).status_code == 201
    problem(_print(api, inside[0]), 409, "on-hold")
    problem(api.post("/api/v1/recall/hold", {"identifier": lot, "reason": "x"}, role="line"),
            403, "forbidden")


def test_placing_and_releasing_holds_are_audit_rows(api: Any) -> None:
    lot = _lot(api)
    inside = _serial(api, lot=lot)
    hold = _hold(api, lot, propagate=True).get_json()
    assert _release(api, lot).status_code == 200
    recall = api.post("/api/v1/recall/hold", {"identifier": lot, "reason": "recall R-13"},
                      role="receiver").get_json()["items"]

    def rows(action: str) -> list[dict[str, Any]]:
        page = api.get(f"/api/v1/audit?action={action}&target={lot}", role="admin").get_json()
        return list(page["items"])

    [placed] = rows("hold.place")
    assert (placed["target_id"], placed["after"]) == (
        str(hold["id"]), {"reason": "supplier recall B-4471", "propagate": True})
    [released] = rows("hold.release")
    assert released["before"]["reason"] == "supplier recall B-4471"
    assert released["after"] == {"released": True, "reason": "inspected, good"}
    [recalled] = rows("hold.recall")
    assert recalled["after"]["units"] == 1 == len(recall) - 1
    assert {h["identifier"] for h in recall} == {lot, inside}
    assert api.get("/api/v1/audit/verify", role="admin").get_json()["ok"] is True
