"""A write's answer is built before its transaction commits: when the answer cannot be made,
the write is rolled back, so a server error never follows a committed change."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

pytestmark = pytest.mark.xdist_group("api-answer-before-commit")
SERIAL = {"scheme": "acme-serial", "fields": {"model": "WIDGET-200", "site": "munich"}}


class AnswerFailed(RuntimeError):
    """The answer could not be made (standing in for any fault after the change)."""


def _failing(*_: Any, **__: Any) -> Any:
    raise AnswerFailed("the answer could not be made")


def answers_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every API module's answer builder raises, after its service has done its work."""
    for name in ("printers", "schemes", "identifiers", "print_jobs", "templates"):
        monkeypatch.setattr(importlib.import_module(f"labelsvc.api.{name}"), "json_response",
                            _failing)


def _next(api: Any) -> str:
    answer = api.post("/api/v1/schemes/acme-serial/preview", {"fields": SERIAL["fields"]})
    return str(answer.get_json()["identifiers"][0])


@pytest.fixture(scope="module")
def printer(api: Any) -> str:
    answer = api.post("/api/v1/printers", {"name": "commit-1", "driver": "zpl-tcp",
                                           "host": "127.0.0.1", "port": 9})
    assert answer.status_code == 201, answer.get_json()
    return "commit-1"


def test_a_printer_whose_answer_fails_is_not_defined(api: Any, monkeypatch: Any) -> None:
    answers_fail(monkeypatch)
    answer = api.post("/api/v1/printers", {"name": "commit-x", "driver": "zpl-tcp",
                                           "host": "127.0.0.1", "port": 9})
    assert answer.status_code == 500
    monkeypatch.undo()
    assert api.get("/api/v1/printers/commit-x").status_code == 404


def test_a_scheme_whose_answer_fails_is_not_defined(api: Any, monkeypatch: Any) -> None:
    answers_fail(monkeypatch)
    answer = api.post("/api/v1/schemes", {"name": "commit-s", "kind": "serial",
                                          "pattern": "CS{seq:6}"})
    assert answer.status_code == 500
    monkeypatch.undo()
    assert api.get("/api/v1/schemes/commit-s").status_code == 404


def test_an_event_whose_answer_fails_is_not_recorded(api: Any, monkeypatch: Any) -> None:
    value = api.post("/api/v1/serials", SERIAL, role="line").get_json()["identifiers"][0]["value"]
    monkeypatch.setattr(importlib.import_module("labelsvc.api.identifiers"), "json_response",
                        _failing)
    answer = api.post(f"/api/v1/identifiers/{value}/events", {"type": "shipped"})
    assert answer.status_code == 500
    monkeypatch.undo()
    record = api.get(f"/api/v1/identifiers/{value}").get_json()
    assert record["status"] == "issued"
    assert [e["type"] for e in record["events"]] == ["issued"]


def test_a_print_job_whose_answer_fails_is_not_queued(api: Any, printer: str,
                                                      monkeypatch: Any) -> None:
    value = api.post("/api/v1/serials", SERIAL, role="line").get_json()["identifiers"][0]["value"]
    jobs = api.get("/api/v1/print-jobs?limit=200").get_json()["items"]
    answers_fail(monkeypatch)
    answer = api.post("/api/v1/print-jobs", {"printer": printer, "template": "serial-50x25",
                                             "identifiers": [value]})
    assert answer.status_code == 500
    monkeypatch.undo()
    assert api.get("/api/v1/print-jobs?limit=200").get_json()["items"] == jobs


def test_an_issue_whose_answer_fails_issues_nothing(api: Any, printer: str,
                                                   monkeypatch: Any) -> None:
    from labelsvc.contract.models import IssueOut

    before = _next(api)
    monkeypatch.setattr(IssueOut, "json_of", _failing)
    # with a print job, issuing always takes the transaction
    answer = api.post("/api/v1/serials", {**SERIAL, "print": {
        "printer": printer, "template": "serial-50x25"}}, role="line")
    assert answer.status_code == 500
    monkeypatch.undo()
    assert _next(api) == before
