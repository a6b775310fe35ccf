"""One request cannot make an endless print job: labels per job are capped, refused before
anything is issued, and an identifier is listed once per job (copies say how many)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.xdist_group("api-job-limits")
SERIAL = {"scheme": "acme-serial", "fields": {"model": "WIDGET-200", "site": "munich"}}


@pytest.fixture(scope="module")
def printer(api: Any) -> str:
    answer = api.post("/api/v1/printers", {"name": "cap-1", "driver": "zpl-tcp",
                                           "host": "127.0.0.1", "port": 9})
    assert answer.status_code == 201, answer.get_json()
    return "cap-1"


def _next(api: Any) -> str:
    answer = api.post("/api/v1/schemes/acme-serial/preview", {"fields": SERIAL["fields"]})
    return str(answer.get_json()["identifiers"][0])


def test_a_job_over_the_cap_is_refused_before_anything_is_issued(api: Any, printer: str,
                                                                 problem: Any) -> None:
    before = _next(api)
    body = problem(api.post("/api/v1/serials", {**SERIAL, "count": 1001, "print": {
        "printer": printer, "template": "serial-50x25", "copies": 100}}, role="line"),
        422, "validation-error")
    assert "at most 100,000 labels" in body["detail"] and "100,100" in body["detail"]
    assert body["errors"] == {"print.copies": "at most 100,000 labels in one job"}
    assert _next(api) == before


def test_the_cap_holds_for_printing_again_too(api: Any, printer: str, problem: Any) -> None:
    values = [i["value"] for i in api.post("/api/v1/serials", {**SERIAL, "count": 1001},
                                           role="line").get_json()["identifiers"]]
    body = problem(api.post("/api/v1/print-jobs", {"identifiers": values, "printer": printer,
                                                   "template": "serial-50x25", "copies": 100},
                            role="line"), 422, "validation-error")
    assert "copies" in body["errors"]
    ok = api.post("/api/v1/print-jobs", {"identifiers": values[:1000], "printer": printer,
                                         "template": "serial-50x25", "copies": 100},
                  role="line")
    assert ok.status_code == 201 and ok.get_json()["total"] == 100_000


def test_an_identifier_is_listed_once_per_job(api: Any, printer: str, problem: Any) -> None:
    value = api.post("/api/v1/serials", SERIAL, role="line").get_json()["identifiers"][0]["value"]
    body = problem(api.post("/api/v1/print-jobs", {"identifiers": [value, value],
                                                   "printer": printer,
                                                   "template": "serial-50x25"}, role="line"),
                   422, "validation-error")
    assert body["errors"] == {"identifiers[1]": f"{value} is listed already (identifiers[0])"}


def test_pharma_serials_on_a_template_printing_the_model_issue_nothing(api: Any, printer: str,
                                                                      problem: Any) -> None:
    """The field trial's case: `pharma` has no model field; serial-50x25 prints one."""
    scheme = api.get("/api/v1/schemes/pharma").get_json()
    assert "{model" not in scheme["definition"]["pattern"]

    def issued() -> int:
        return len(api.get("/api/v1/identifiers?scheme=pharma&limit=1000").get_json()["items"])

    before = issued()
    body = problem(api.post("/api/v1/serials", {"scheme": "pharma", "count": 3, "print": {
        "printer": printer, "template": "serial-50x25"}}, role="line"), 422, "validation-error")
    assert "{fields.model}" in body["errors"]["print.template"]
    assert issued() == before
