"""Governed printing with a real `labelsvc worker` process and a virtual printer on loopback:
jobs print the template version they pinned, every label sent leaves its evidence (the SHA-256
of the bytes the printer received, and what was merged into it), reprints need a reason and
stop at LABELSVC_REPRINT_LIMIT."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.integration.test_print_jobs import add_printer, wait_for

sys.path.insert(0, str(Path(__file__).parents[1] / "system"))
import cluster  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "label_decoding", Path(__file__).parents[1] / "unit" / "templates" / "decoding.py")
assert _spec is not None and _spec.loader is not None
decoding = sys.modules.setdefault("label_decoding", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(decoding)

pytestmark = pytest.mark.slow
SCHEME = {"name": "ev-serial", "kind": "serial", "pattern": "E{seq:6}"}
TEMPLATE = "ev-label"


def _template(marker: str) -> dict[str, Any]:
    return {"name": TEMPLATE, "width_mm": 50, "height_mm": 25, "dpi": 203, "elements": [
        {"type": "text", "x_mm": 3, "y_mm": 2, "height_mm": 3, "value": marker + " {value}"},
        {"type": "text", "x_mm": 30, "y_mm": 2, "height_mm": 3, "value": "{reprint}"},
        {"type": "barcode", "symbology": "code128", "x_mm": 3, "y_mm": 8, "height_mm": 10,
         "module_mm": 0.25, "value": "{value}"}]}


@pytest.fixture(scope="module")
def worker(app: Any, api: Any, database_url: str,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[cluster.Worker]:
    """A `labelsvc worker` process on the test database, with short timings."""
    assert api.post("/api/v1/schemes", SCHEME).status_code == 201
    assert api.post("/api/v1/templates", _template("v1")).status_code == 201
    env = cluster.service_env(database_url, tmp_path_factory.mktemp("worker"),
                              LABELSVC_PRINT_CONFIRM_EVERY="5", **cluster.FAST_PRINTING)
    running = cluster.Worker(env, name="evidence-worker").start()
    yield running
    running.stop()


def wait_done(api: Any, job_id: int, status: str = "done") -> dict:
    """Wait, generously (another process drives the printer), for a job's status."""
    return wait_for(api, job_id, lambda j: j["status"] == status, timeout=60)


def sent_bytes(received: bytes) -> str:
    """The SHA-256 of what the driver sent for a format the printer kept: each of our ZPL
    labels ends `^XZ` and a line break, which a printer reads as space between formats."""
    assert received.endswith(b"^XZ")
    return hashlib.sha256(received + b"\n").hexdigest()


def prints(api: Any, value: str) -> list[dict]:
    """Every printing of an identifier, paged two at a time."""
    out: list[dict] = []
    cursor = ""
    while True:
        body = api.get(f"/api/v1/identifiers/{value}/prints?limit=2"
                       + (f"&cursor={cursor}" if cursor else "")).get_json()
        out += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return out


def test_a_held_job_prints_the_version_it_pinned_and_keeps_the_hash_of_each_label(
        api, worker, sim):
    printer = add_printer(api, sim)
    sim.set_fault("pause")
    answer = api.post("/api/v1/serials", {
        "scheme": "ev-serial", "fields": {}, "count": 3,
        "print": {"printer": printer, "template": TEMPLATE, "copies": 2}}, role="line")
    assert answer.status_code == 201, answer.get_json()
    values = [i["value"] for i in answer.get_json()["identifiers"]]
    job_id = answer.get_json()["print_job"]["id"]
    held = wait_done(api, job_id, "held")
    assert held["reason"] == "paused" and sim.formats == []
    assert held["template_version"] == 1
    edited = api.put(f"/api/v1/templates/{TEMPLATE}", _template("v2"))
    assert edited.status_code == 200 and edited.get_json()["version"] == 2
    sim.clear()
    done = wait_done(api, job_id)
    assert done["template_version"] == 1
    received = sim.formats
    assert len(received) == 6
    assert all(b"v1 " in f and b"v2 " not in f for f in received)  # v1 bytes, every label
    job_labels = api.get(f"/api/v1/print-jobs/{job_id}/labels").get_json()["items"]
    assert {(x["template_version"], x["scheme_version"], x["reprint"]) for x in job_labels} \
        == {(1, 1, 0)}
    for n, value in enumerate(values):
        items = prints(api, value)
        assert [(p["job"], p["printer"], p["template"], p["template_version"], p["copy"],
                 p["send"], p["reprint"], p["reason"], p["actor"], p["format"])
                for p in items] == [(job_id, printer, TEMPLATE, 1, c, 1, 0, None,
                                     "line-token", "zpl") for c in (1, 2)]
        for p in items:
            assert p["sent_at"] and p["values"]["value"] == value
            assert p["sha256"] == sent_bytes(received[p["position"]])
            assert p["position"] in (2 * n, 2 * n + 1)
        png = api.get(f"/api/v1/identifiers/{value}/prints/{items[0]['id']}.png")
        assert png.status_code == 200 and png.mimetype == "image/png"
        assert png.headers["Evidence-Reproduced"] == "true"
        assert png.headers["Evidence-SHA256"] == items[0]["sha256"]
        found = decoding.decode(Image.open(io.BytesIO(png.data)))
        assert [(d.identifier, d.text) for d in found] == [("]C0", value)]


def test_reprints_need_a_reason_print_reprint_n_and_stop_at_the_limit(api, worker, sim,
                                                                       problem):
    printer = add_printer(api, sim)
    first = api.post("/api/v1/serials", {
        "scheme": "ev-serial", "fields": {}, "count": 1,
        "print": {"printer": printer, "template": TEMPLATE}}, role="line").get_json()
    value = first["identifiers"][0]["value"]
    job_id = first["print_job"]["id"]
    wait_done(api, job_id)
    refused = problem(api.post(f"/api/v1/print-jobs/{job_id}/reprint", role="line"), 422,
                      "validation-error")
    assert list(refused["errors"]) == ["reason"]
    problem(api.post(f"/api/v1/print-jobs/{job_id}/reprint", {"reason": "smudged"},
                     role="line"), 422, "validation-error")
    problem(api.post("/api/v1/reprint-reasons", {"name": "smudged", "description": "ink"},
                     role="line"), 403, "forbidden")
    made = api.post("/api/v1/reprint-reasons", {"name": "smudged",
                                                "description": "ink smudged on the label"})
    assert made.status_code == 201
    problem(api.post("/api/v1/reprint-reasons", {"name": "smudged", "description": "x"}),
            409, "reprint-reason-exists")
    listed = {r["name"]: r for r in api.get("/api/v1/reprint-reasons").get_json()["items"]}
    assert {"damaged", "lost", "applicator-jam", "connection-reset", "smudged"} <= set(listed)
    assert not listed["connection-reset"]["from_clients"] and listed["smudged"]["from_clients"]
    reprints = []
    for reason in ("smudged", "lost"):
        answer = api.post(f"/api/v1/print-jobs/{job_id}/reprint", {"reason": reason},
                          role="line")
        assert answer.status_code == 201, answer.get_json()
        reprints.append(wait_done(api, answer.get_json()["id"]))
    limited = problem(api.post(f"/api/v1/print-jobs/{job_id}/reprint", {"reason": "damaged"},
                               role="line"), 403, "reprint-limit")
    assert "second person" in limited["detail"] and limited["identifiers"] == [value]
    problem(api.post("/api/v1/print-jobs", {"printer": printer, "template": TEMPLATE,
                                             "identifiers": [value], "reason": "damaged"},
                     role="line"), 403, "reprint-limit")
    received = [f for f in sim.formats if value.encode() in f]
    assert len(received) == 3
    assert b"REPRINT" not in received[0]
    assert b"REPRINT 1" in received[1] and b"REPRINT 2" in received[2]
    items = prints(api, value)
    assert [(p["job"], p["reprint"], p["reason"]) for p in items] == [
        (job_id, 0, None), (reprints[0]["id"], 1, "smudged"), (reprints[1]["id"], 2, "lost")]
    assert [p["sha256"] for p in items] == [sent_bytes(f) for f in received]
    events = api.get(f"/api/v1/identifiers/{value}").get_json()["events"]
    assert [(e["data"]["reason"], e["data"]["reprint"]) for e in events
            if e["type"] == "reprinted"] == [("smudged", 1), ("lost", 2)]
