"""The registry refuses what cannot be true: unknown event types, status moves the status does
not allow, and printing an identifier that is scrapped, consumed or voided. Both databases."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.xdist_group("api-event-vocabulary")
SERIAL = {"scheme": "acme-serial", "fields": {"model": "WIDGET-200", "site": "munich"}}


def _serial(api: Any, **extra: Any) -> str:
    return str(api.post("/api/v1/serials", {**SERIAL, **extra}, role="line").get_json()[
        "identifiers"][0]["value"])


def _event(api: Any, value: str, kind: str) -> Any:
    return api.post(f"/api/v1/identifiers/{value}/events", {"type": kind}, role="line")


def _status(api: Any, value: str) -> str:
    return str(api.get(f"/api/v1/identifiers/{value}").get_json()["status"])


@pytest.fixture(scope="module")
def printer(api: Any) -> str:
    assert api.post("/api/v1/printers", {"name": "voc-1", "driver": "zpl-tcp",
                                         "host": "127.0.0.1", "port": 9}).status_code == 201
    return "voc-1"


def test_a_typo_is_refused_with_the_known_types_listed(api: Any, problem: Any) -> None:
    value = _serial(api)
    body = problem(_event(api, value, "shiped"), 422, "validation-error")
    assert "unknown event type 'shiped'" in body["detail"]
    for known in ("shipped", "returned", "scrapped", "consumed", "note"):
        assert known in body["errors"]["type"]
    assert _status(api, value) == "issued"


def test_shipped_returned_shipped_and_scrapped_is_final(api: Any, problem: Any) -> None:
    value = _serial(api)
    for kind, status in (("shipped", "shipped"), ("returned", "returned"),
                         ("shipped", "shipped"), ("returned", "returned"),
                         ("scrapped", "scrapped")):
        assert _event(api, value, kind).status_code == 201, kind
        assert _status(api, value) == status
    body = problem(_event(api, value, "shipped"), 409, "invalid-transition")
    assert body["detail"] == f"{value} is scrapped; a scrapped identifier cannot be shipped"
    problem(_event(api, value, "returned"), 409, "invalid-transition")
    assert _event(api, value, "note").status_code == 201  # a remark is always possible
    assert _status(api, value) == "scrapped"


@pytest.mark.parametrize(("first", "then"), [("issued", "returned"), ("consumed", "shipped"),
                                             ("consumed", "scrapped")])
def test_a_move_the_status_does_not_allow_is_409(api: Any, problem: Any, first: str,
                                                 then: str) -> None:
    value = _serial(api)
    if first != "issued":
        assert _event(api, value, first).status_code == 201
    body = problem(_event(api, value, then), 409, "invalid-transition")
    assert first in body["detail"] and then in body["detail"]


def test_a_scrapped_unit_cannot_be_voided_and_a_voided_one_not_printed(
        api: Any, printer: str, problem: Any) -> None:
    scrapped, voided = _serial(api), _serial(api, attributes={"warranty_days": 365})
    _event(api, scrapped, "scrapped")
    problem(api.post(f"/api/v1/identifiers/{scrapped}/void", {"reason": "x"}), 409,
            "invalid-transition")
    assert api.post(f"/api/v1/identifiers/{voided}/void", {"reason": "label lost"}
                    ).status_code == 200
    for value in (scrapped, voided):
        body = problem(api.post("/api/v1/print-jobs", {"identifiers": [value],
                                                       "printer": printer,
                                                       "template": "serial-50x25"},
                                role="line"), 409, "invalid-transition")
        assert "cannot be printed" in body["detail"]
    record = api.get(f"/api/v1/identifiers/{voided}").get_json()
    assert record["warranty"]["status"] == "void"  # a voided serial reports no warranty


def test_an_admin_registers_a_custom_type_which_never_moves_a_status(api: Any,
                                                                    problem: Any) -> None:
    answer = api.post("/api/v1/event-types", {"name": "calibrated",
                                              "description": "calibrated at the line"})
    assert answer.status_code == 201 and answer.get_json()["built_in"] is False
    problem(api.post("/api/v1/event-types", {"name": "calibrated", "description": "again"}),
            409, "event-type-exists")
    problem(api.post("/api/v1/event-types", {"name": "shipped", "description": "mine"}),
            409, "event-type-exists")
    problem(api.post("/api/v1/event-types", {"name": "qa", "description": "x"}, role="line"),
            403, "forbidden")
    value = _serial(api)
    assert _event(api, value, "calibrated").status_code == 201
    assert _status(api, value) == "issued"
    types = {t["name"]: t for t in api.get("/api/v1/event-types").get_json()["items"]}
    assert types["shipped"]["after"] == ["issued", "returned"]
    assert types["shipped"]["becomes"] == "shipped"
    assert types["calibrated"]["created_by"] == "admin-token"
