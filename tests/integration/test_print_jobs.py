"""Print jobs through the API with a worker in the test process and virtual printers on loopback."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from labelsvc.registry.models import printer_leases
from labelsvc.registry.queries import utc
from labelsvc.services.printers import address_policy
from labelsvc.worker import PrintWorker, WorkerSettings
from printers import NOT_REACHABLE
from printers import addresses as printer_addresses
from printers.sim import VirtualPrinter

# A lease long enough that no renewal comes late on a loaded machine: two workers' leases of one
# printer then never overlap, whatever the machine's speed (these tests are about live workers,
# not about a lease running out).
# Confirmations every 10 labels exactly (no pace-driven ones), so a test knows which labels
# a broken connection leaves unconfirmed.
FAST = WorkerSettings(poll_seconds=0.05, lease_seconds=30, retry_first_seconds=0.05,
                      retry_max_seconds=0.2, confirm_every=10, confirm_timeout=5,
                      confirm_seconds=None, probe_seconds=60, threads=8)
SCHEME = {"name": "pj-serial", "kind": "serial", "pattern": "{model}{seq:6}",
          "codes": {"model": {"W100": "41"}}, "charset": "0-9"}
TEMPLATE = "serial-50x25"


@pytest.fixture(scope="module")
def worker(app: Any, api: Any) -> Iterator[PrintWorker]:
    """A print worker on the test database, with short timings, keeping to the service's
    address policy with the plant's networks narrowed to 10.0.0.0/8 and 127.0.0.1, where the
    virtual printers are: 127.0.0.3 stands for an address off the plant's networks."""
    assert api.post("/api/v1/schemes", SCHEME).status_code == 201
    plant = address_policy({**app.config, "PRINTER_NETWORKS": ("10.0.0.0/8", "127.0.0.1/32")})
    running = PrintWorker(app.extensions["labelsvc.db"],
                          dataclasses.replace(FAST, addresses=plant), name="test-worker").start()
    yield running
    running.stop()


_names = iter(range(1, 10_000))


def add_printer(api: Any, sim: VirtualPrinter, **extra: Any) -> str:
    """Define a zpl-tcp printer for a simulator; return its name."""
    name = f"line-{next(_names)}"
    body = {"name": name, "driver": "zpl-tcp", "host": "127.0.0.1", "port": sim.port,
            "site": "munich", "line": name,
            "settings": {"status_timeout": 0.3, "connect_timeout": 0.5, "send_timeout": 2},
            **extra}
    answer = api.post("/api/v1/printers", body)
    assert answer.status_code == 201, answer.get_json()
    return name


def issue(api: Any, printer: str, count: int, copies: int = 1, role: str = "line") -> dict:
    """Issue serials with a print job."""
    answer = api.post("/api/v1/serials", {
        "scheme": "pj-serial", "fields": {"model": "W100"}, "count": count,
        "print": {"printer": printer, "template": TEMPLATE, "copies": copies}}, role=role)
    assert answer.status_code == 201, answer.get_json()
    body: dict = answer.get_json()
    return body


def job(api: Any, job_id: int) -> dict:
    body: dict = api.get(f"/api/v1/print-jobs/{job_id}").get_json()
    return body


def wait_for(api: Any, job_id: int, check: Callable[[dict], bool], timeout: float = 15) -> dict:
    """Wait (bounded) until a job satisfies `check`."""
    deadline = time.monotonic() + timeout
    while True:
        current = job(api, job_id)
        if check(current):
            return current
        assert time.monotonic() < deadline, current
        time.sleep(0.05)


def labels(api: Any, job_id: int) -> list[dict]:
    """Every label of a job, paged."""
    out: list[dict] = []
    cursor = ""
    while True:
        body = api.get(f"/api/v1/print-jobs/{job_id}/labels?limit=7"
                       + (f"&cursor={cursor}" if cursor else "")).get_json()
        out += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return out


def events(api: Any, value: str, kind: str) -> list[dict]:
    record = api.get(f"/api/v1/identifiers/{value}").get_json()
    return [e for e in record["events"] if e["type"] == kind]


def printed_values(sim: VirtualPrinter, values: list[str]) -> list[str]:
    """Which issued values each received format carries, in arrival order."""
    out = []
    for data in sim.formats:
        text = data.decode("utf-8", "replace")
        out += [v for v in values if f"S/N {v}" in text]
    return out


def test_twenty_labels_each_once_in_order(api, worker, sim):
    printer = add_printer(api, sim)
    issued = issue(api, printer, 20)
    values = [i["value"] for i in issued["identifiers"]]
    assert issued["print_job"]["status"] == "queued" and issued["print_job"]["total"] == 20
    done = wait_for(api, issued["print_job"]["id"], lambda j: j["status"] == "done")
    assert (done["printed"], done["total"], done["reason"]) == (20, 20, None)
    assert list(issued["print_job"]) == list(done)  # the issue answer's job is the job answer
    assert printed_values(sim, values) == values
    assert {(x["state"], x["sends"]) for x in labels(api, done["id"])} == {("printed", 1)}
    assert [x["value"] for x in labels(api, done["id"])] == values
    first = events(api, values[0], "printed")
    assert len(first) == 1 and first[0]["data"]["job"] == done["id"]
    status = api.get(f"/api/v1/printers/{printer}/status").get_json()
    assert status["checked_at"] and status["ready"] and status["status"]["fault"] is None


def test_copies_come_together_and_count_in_total(api, worker, sim):
    printer = add_printer(api, sim)
    issued = issue(api, printer, 3, copies=2)
    values = [i["value"] for i in issued["identifiers"]]
    done = wait_for(api, issued["print_job"]["id"], lambda j: j["status"] == "done")
    assert (done["total"], done["printed"]) == (6, 6)
    assert printed_values(sim, values) == [v for v in values for _ in (1, 2)]
    assert [(x["value"], x["copy"]) for x in labels(api, done["id"])] == \
        [(v, c) for v in values for c in (1, 2)]


def test_unreachable_printer_holds_then_delivers(api, worker, sim):
    printer = add_printer(api, sim)
    sim.set_fault("refuse")
    issued = issue(api, printer, 5)
    held = wait_for(api, issued["print_job"]["id"], lambda j: j["status"] == "held")
    assert held["reason"] == "unreachable"
    sim.clear()
    done = wait_for(api, held["id"], lambda j: j["status"] == "done")
    assert done["printed"] == 5 and len(sim.formats) == 5


def test_paper_out_holds_and_sends_nothing_until_loaded(api, worker, sim):
    printer = add_printer(api, sim)
    sim.set_fault("paper-out")
    issued = issue(api, printer, 4)
    held = wait_for(api, issued["print_job"]["id"], lambda j: j["status"] == "held")
    # A Zebra is silent while out of paper: before its first answer that reads as any port
    # where no printer answers does, "not reachable" (the log tells the silence).
    assert held["reason"] == "unreachable" and held["detail"] == NOT_REACHABLE
    time.sleep(0.5)
    assert sim.formats == []
    sim.clear()
    done = wait_for(api, held["id"], lambda j: j["status"] == "done")
    assert done["printed"] == 4 and len(sim.formats) == 4


def test_answered_fault_is_the_reason(api, worker):
    with VirtualPrinter(port=0, answer_in_error=True) as sim:
        printer = add_printer(api, sim)
        sim.set_fault("head-open")
        issued = issue(api, printer, 2)
        held = wait_for(api, issued["print_job"]["id"], lambda j: j["status"] == "held")
        assert held["reason"] == "head-open"
        status = api.get(f"/api/v1/printers/{printer}/status").get_json()
        assert status["reason"] == "head-open" and not status["ready"]
        sim.clear()
        wait_for(api, held["id"], lambda j: j["status"] == "done")


def test_connection_reset_resends_and_flags_every_label_sent_twice(api, worker, sim):
    printer = add_printer(api, sim)
    sim.set_fault("reset-after", 15)  # labels 11-15 are unconfirmed when it breaks
    issued = issue(api, printer, 25)
    values = [i["value"] for i in issued["identifiers"]]
    done = wait_for(api, issued["print_job"]["id"], lambda j: j["status"] == "done")
    assert done["printed"] == 25
    received = printed_values(sim, values)
    assert sorted(set(received)) == sorted(values)
    assert list(dict.fromkeys(reversed(received)))[::-1] == values  # in order, no gap
    twice = [x for x in labels(api, done["id"]) if x["sends"] > 1]
    flagged_values = [x["value"] for x in twice]
    duplicates = [v for v in values if received.count(v) > 1]
    assert duplicates == values[10:15]  # what the printer really got twice
    # every real duplicate is flagged; the flagged set exceeds it by at most one confirm interval
    assert set(duplicates) <= set(flagged_values) <= set(values[10:20])
    for label in twice:
        flagged = events(api, label["value"], "reprinted")
        assert [e["data"] for e in flagged] == [
            {"reason": "connection-reset", "job": done["id"], "sends": 2}]
    assert all(received.count(v) == 1 for v in values[:10] + values[15:])
    assert not events(api, values[0], "reprinted")


@pytest.mark.slow
def test_stalled_printer_holds_its_job_and_others_print(api, worker, sim):
    stalled = add_printer(api, sim)
    sim.set_fault("stall")
    first = issue(api, stalled, 3)["print_job"]
    held = wait_for(api, first["id"], lambda j: j["status"] == "held")
    assert held["reason"] == "unreachable"
    with VirtualPrinter(port=0) as other:
        second = issue(api, add_printer(api, other), 3)["print_job"]
        wait_for(api, second["id"], lambda j: j["status"] == "done")
    sim.clear()
    wait_for(api, first["id"], lambda j: j["status"] == "done")


def test_cancel_a_held_job_prints_nothing(api, worker, sim, problem):
    printer = add_printer(api, sim)
    sim.set_fault("refuse")
    issued = issue(api, printer, 6)
    wait_for(api, issued["print_job"]["id"], lambda j: j["status"] == "held")
    answer = api.post(f"/api/v1/print-jobs/{issued['print_job']['id']}/cancel", role="line")
    assert answer.status_code == 200 and answer.get_json()["status"] == "cancelled"
    sim.clear()
    time.sleep(0.5)
    assert sim.formats == []
    assert {x["state"] for x in labels(api, issued["print_job"]["id"])} == {"cancelled"}
    again = api.post(f"/api/v1/print-jobs/{issued['print_job']['id']}/cancel", role="line")
    problem(again, 409, "job-finished")


def test_later_jobs_wait_behind_a_held_one(api, worker, sim):
    printer = add_printer(api, sim)
    sim.set_fault("refuse")
    first = issue(api, printer, 2)
    second = issue(api, printer, 2)
    wait_for(api, first["print_job"]["id"], lambda j: j["status"] == "held")
    time.sleep(0.3)
    assert job(api, second["print_job"]["id"])["status"] == "queued"
    sim.clear()
    wait_for(api, second["print_job"]["id"], lambda j: j["status"] == "done")
    values = [i["value"] for b in (first, second) for i in b["identifiers"]]
    assert printed_values(sim, values) == values


def test_cancel_while_printing_stops_before_the_next_label(api, worker):
    with VirtualPrinter(port=0, label_seconds=0.02) as sim:
        printer = add_printer(api, sim)
        issued = issue(api, printer, 200)
        job_id = issued["print_job"]["id"]
        wait_for(api, job_id, lambda j: j["printed"] >= 10)
        answer = api.post(f"/api/v1/print-jobs/{job_id}/cancel", role="line")
        assert answer.status_code == 202 and answer.get_json()["cancel_requested"] is True
        ended = wait_for(api, job_id, lambda j: j["status"] == "cancelled")
        states = [x["state"] for x in labels(api, job_id)]
        assert states.count("printed") == ended["printed"] > 0
        assert "cancelled" in states and "pending" not in states and "sent" not in states
        assert states == sorted(states, key=["printed", "unknown", "cancelled"].index)


def test_reprint_and_printing_again_need_a_reason_and_record_it(api, worker, sim, problem):
    printer = add_printer(api, sim)
    issued = issue(api, printer, 3)
    values = [i["value"] for i in issued["identifiers"]]
    job_id = issued["print_job"]["id"]
    wait_for(api, job_id, lambda j: j["status"] == "done")
    problem(api.post(f"/api/v1/print-jobs/{job_id}/cancel", role="line"), 409, "job-finished")
    refused = problem(api.post(f"/api/v1/print-jobs/{job_id}/reprint", {"copies": 2},
                               role="receiver"), 422, "validation-error")
    assert set(refused["errors"]) == {"reason"} and "damaged" in refused["errors"]["reason"]
    problem(api.post(f"/api/v1/print-jobs/{job_id}/reprint", {"reason": "connection-reset"},
                     role="receiver"), 422, "validation-error")
    answer = api.post(f"/api/v1/print-jobs/{job_id}/reprint", {"copies": 2,
                                                                "reason": "damaged"},
                      role="receiver")
    assert answer.status_code == 201, answer.get_json()
    again = answer.get_json()
    assert (again["reprint_of"], again["total"], again["printer"]) == (job_id, 6, printer)
    wait_for(api, again["id"], lambda j: j["status"] == "done")
    assert {(x["reprint"], x["reason"]) for x in labels(api, again["id"])} == {(1, "damaged")}
    flagged = events(api, values[0], "reprinted")
    assert [(e["data"]["reason"], e["data"]["reprint"]) for e in flagged] == [
        ("damaged", 1), ("damaged", 1)]
    assert flagged[0]["data"]["job"] == again["id"] and flagged[0]["actor"] == "receiver-token"
    plain = {"printer": printer, "template": TEMPLATE, "identifiers": [values[1]]}
    refused = problem(api.post("/api/v1/print-jobs", plain, role="line"), 422,
                      "validation-error")
    assert set(refused["errors"]) == {"reason"}
    answer = api.post("/api/v1/print-jobs", {**plain, "reason": "lost"}, role="line")
    assert answer.status_code == 201
    wait_for(api, answer.get_json()["id"], lambda j: j["status"] == "done")
    assert [e["data"]["reason"] for e in events(api, values[1], "reprinted")] == \
        ["damaged", "damaged", "lost"]
    assert len(events(api, values[1], "printed")) == 1


def test_a_label_that_cannot_be_made_is_refused_before_the_job_exists(api, worker, sim,
                                                                     problem):
    """The serial has no supplier, quantity or GTIN for the receiving label: 422, no job."""
    printer = add_printer(api, sim)
    value = issue(api, printer, 1)["identifiers"][0]["value"]
    def jobs() -> list[int]:
        return [j["id"] for j in api.get(f"/api/v1/print-jobs?printer={printer}").get_json()[
            "items"]]

    before = jobs()
    body = problem(api.post("/api/v1/print-jobs", {"printer": printer,
                                                   "template": "receiving-100x50",
                                                   "identifiers": [value]}, role="line"),
                   422, "validation-error")
    assert value in body["errors"]["template"] and "{attributes." in body["errors"]["template"]
    assert jobs() == before  # no job was made


def test_issuing_with_a_label_that_cannot_be_made_issues_nothing(api, worker, sim, problem):
    printer = add_printer(api, sim)
    preview = api.post("/api/v1/schemes/pj-serial/preview", {"fields": {"model": "W100"}})
    before = preview.get_json()["identifiers"][0]
    body = problem(api.post("/api/v1/serials", {
        "scheme": "pj-serial", "fields": {"model": "W100"}, "count": 5,
        "print": {"printer": printer, "template": "receiving-100x50"}}, role="line"),
        422, "validation-error")
    assert "print.template" in body["errors"] and "nothing was issued" in body["detail"]
    after = api.post("/api/v1/schemes/pj-serial/preview", {"fields": {"model": "W100"}})
    assert after.get_json()["identifiers"][0] == before


def test_a_job_whose_labels_cannot_be_made_at_the_printer_fails_and_its_unsent_labels_are_cancelled(
        api, worker, tmp_path, monkeypatch):
    """A label can still fail after the job was made (a ZPL format passes the check, which
    renders ZPL, but a PDF printer needs PDF): the job fails with render-error and labels
    the printer never received are cancelled, never unknown."""
    from printers.filespool import FileDriver

    monkeypatch.setattr(FileDriver, "spool_root", tmp_path)
    name = "pj-byo"
    assert api.post("/api/v1/templates", {
        "name": name, "width_mm": 50, "height_mm": 25, "dpi": 203,
        "zpl": "^XA^FO20,20^A0N,24,24^FD{value}^FS^XZ"}).status_code == 201
    printer = f"pdf-{next(_names)}"
    assert api.post("/api/v1/printers", {
        "name": printer, "driver": "file", "directory": str(tmp_path),
        "settings": {"label_format": "pdf"}}).status_code == 201
    value = api.post("/api/v1/serials", {"scheme": "pj-serial", "fields": {"model": "W100"}},
                     role="line").get_json()["identifiers"][0]["value"]
    job_id = api.post("/api/v1/print-jobs", {"printer": printer, "template": name,
                                             "identifiers": [value]},
                      role="line").get_json()["id"]
    failed = wait_for(api, job_id, lambda j: j["status"] == "failed")
    assert failed["reason"] == "render-error" and "not PDF" in failed["detail"]
    assert [x["state"] for x in labels(api, job_id)] == ["cancelled"]


def test_removing_a_printer_fails_its_waiting_jobs(api, worker, sim):
    printer = add_printer(api, sim)
    sim.set_fault("refuse")
    issued = issue(api, printer, 2)
    wait_for(api, issued["print_job"]["id"], lambda j: j["status"] == "held")
    assert api.client.delete(f"/api/v1/printers/{printer}", headers={
        "Authorization": f"Bearer {api.tokens['admin']}"}).status_code == 204
    # Waiting, it fails at once; if its retry had just begun, before its next label.
    failed = wait_for(api, issued["print_job"]["id"], lambda j: j["status"] == "failed")
    assert failed["reason"] == "printer-deleted"


def test_printer_api_roles_and_validation(api, worker, sim, problem):
    printer = add_printer(api, sim, dpi=300, media={"width_mm": 50.8, "height_mm": 25.4})
    problem(api.post("/api/v1/printers", {"name": "x", "driver": "zpl-tcp", "host": "10.0.0.9"},
                     role="line"), 403, "forbidden")
    problem(api.post("/api/v1/printers", {"name": printer, "driver": "zpl-tcp",
                                          "host": "10.0.0.9"}), 409, "printer-exists")
    problem(api.post("/api/v1/printers", {"name": "x1", "driver": "laser"}), 422,
            "validation-error")
    problem(api.post("/api/v1/printers", {"name": "x2", "driver": "zpl-tcp", "host": "10.0.0.9",
                                          "settings": {"speed": 3}}), 422, "validation-error")
    one = api.get(f"/api/v1/printers/{printer}", role="viewer").get_json()
    assert (one["dpi"], one["port"], one["line"], one["media"]["width_mm"]) == \
        (300, sim.port, printer, 50.8)
    other = add_printer(api, sim)
    listed = api.get("/api/v1/printers?limit=1").get_json()
    assert len(listed["items"]) == 1 and listed["next_cursor"]
    rest = api.get(f"/api/v1/printers?limit=1000&cursor={listed['next_cursor']}").get_json()
    names = [p["name"] for p in listed["items"] + rest["items"]]
    assert {printer, other} <= set(names) and len(names) == len(set(names))
    problem(api.get("/api/v1/printers/nope/status"), 404, "not-found")
    problem(api.post("/api/v1/print-jobs", {"printer": printer, "template": TEMPLATE,
                                             "identifiers": ["NOPE"]}, role="line"),
            422, "validation-error")
    problem(api.post("/api/v1/print-jobs", {"printer": printer, "template": TEMPLATE,
                                             "identifiers": ["NOPE"]}, role="viewer"),
            403, "forbidden")
    bad = api.post("/api/v1/serials", {"scheme": "pj-serial", "fields": {"model": "W100"},
                                       "print": {"printer": "nope", "template": TEMPLATE}},
                   role="line")
    assert problem(bad, 422, "validation-error")["errors"] == {
        "print.printer": "no printer named nope"}


def test_job_list_filters_and_pages(api, worker, sim):
    printer = add_printer(api, sim)
    ids = [issue(api, printer, 1)["print_job"]["id"] for _ in range(3)]
    for job_id in ids:
        wait_for(api, job_id, lambda j: j["status"] == "done")
    first = api.get(f"/api/v1/print-jobs?printer={printer}&limit=2").get_json()
    rest = api.get(f"/api/v1/print-jobs?printer={printer}&limit=2&cursor="
                   f"{first['next_cursor']}").get_json()
    assert [j["id"] for j in first["items"] + rest["items"]] == ids[::-1]
    assert rest["next_cursor"] is None
    done = api.get(f"/api/v1/print-jobs?printer={printer}&status=done").get_json()
    assert len(done["items"]) == 3
    assert api.get("/api/v1/print-jobs?status=bogus").status_code == 422


@pytest.mark.slow
def test_two_workers_never_drive_one_printer_at_once(app, api, worker, db):
    other = PrintWorker(db, FAST, name="second-worker").start()
    sims = [VirtualPrinter(port=0).start() for _ in range(3)]
    try:
        names = [add_printer(api, s) for s in sims]
        jobs = [(n, issue(api, n, 15)) for n in names for _ in range(3)]
        for _, issued in jobs:
            wait_for(api, issued["print_job"]["id"], lambda j: j["status"] == "done")
        for name, s in zip(names, sims, strict=True):
            values = [i["value"] for n, b in jobs if n == name for i in b["identifiers"]]
            assert printed_values(s, values) == values
    finally:
        other.stop()
        for s in sims:
            s.stop()
    with db.transaction(write=False) as conn:
        rows = conn.execute(select(printer_leases).order_by(printer_leases.c.printer_id,
                                                            printer_leases.c.epoch)).all()
    last: dict[int, dt.datetime] = {}
    for row in rows:
        if row.printer_id in last:
            assert utc(row.acquired_at) >= last[row.printer_id]
        last[row.printer_id] = utc(row.released_at) or dt.datetime.max.replace(tzinfo=dt.UTC)


def _hold(api: Any, value: str, reason: str) -> dict:
    answer = api.post(f"/api/v1/identifiers/{value}/hold", {"reason": reason}, role="receiver")
    assert answer.status_code == 201, answer.get_json()
    body: dict = answer.get_json()
    return body


def test_a_job_waiting_when_its_serial_is_put_on_hold_prints_nothing_of_it_until_released(
        api, worker, sim):
    printer = add_printer(api, sim)
    sim.set_fault("refuse")  # the job waits for the printer
    issued = issue(api, printer, 5)
    values = [i["value"] for i in issued["identifiers"]]
    job_id = issued["print_job"]["id"]
    wait_for(api, job_id, lambda j: j["status"] == "held")
    hold = _hold(api, values[2], "dropped on the floor, to inspect")
    sim.clear()
    held = wait_for(api, job_id, lambda j: j["reason"] == "on-hold")
    assert held["status"] == "held" and f"hold {hold['id']}" in held["detail"]
    assert values[2] in held["detail"]
    time.sleep(0.5)  # retries come and go: still nothing of the held serial is sent
    assert job(api, job_id)["reason"] == "on-hold"
    assert printed_values(sim, values) == values[:2]
    assert [x["state"] for x in labels(api, job_id)] == ["printed"] * 2 + ["pending"] * 3
    assert events(api, values[2], "printed") == []
    answer = api.post(f"/api/v1/identifiers/{values[2]}/release",
                      {"reason": "inspected, no damage"}, role="receiver")
    assert answer.status_code == 200
    done = wait_for(api, job_id, lambda j: j["status"] == "done")
    assert done["printed"] == 5 and printed_values(sim, values) == values
    assert len(events(api, values[2], "printed")) == 1


def test_a_queued_job_of_a_lot_put_on_hold_sends_nothing_and_can_be_cancelled(api, worker, sim):
    printer = add_printer(api, sim)
    lot = api.post("/api/v1/lots", {"scheme": "acme-lot", "fields": {"site": "munich",
                                                                     "line": "Q"}},
                   role="receiver").get_json()["identifiers"][0]["value"]
    sim.set_fault("refuse")
    answer = api.post("/api/v1/serials", {
        "scheme": "acme-serial", "fields": {"model": "WIDGET-100", "site": "munich"},
        "count": 3, "lot": lot, "print": {"printer": printer, "template": TEMPLATE}},
        role="line")
    assert answer.status_code == 201
    job_id = answer.get_json()["print_job"]["id"]
    _hold(api, lot, "supplier recall")
    sim.clear()
    held = wait_for(api, job_id, lambda j: j["reason"] == "on-hold")
    assert f"through {lot}" in held["detail"]
    time.sleep(0.3)
    assert sim.formats == []
    assert api.post(f"/api/v1/print-jobs/{job_id}/cancel", role="line").status_code == 200
    assert [x["state"] for x in labels(api, job_id)] == ["cancelled"] * 3
    # The printer is free again for the next job.
    other = issue(api, printer, 1)
    assert wait_for(api, other["print_job"]["id"], lambda j: j["status"] == "done")


def _logged(caplog: Any, words: str, timeout: float = 15) -> None:
    """Wait (bounded) until the server log says `words`."""
    deadline = time.monotonic() + timeout
    while words not in caplog.text:
        assert time.monotonic() < deadline, caplog.text[-2000:]
        time.sleep(0.05)


def test_a_printer_whose_name_turns_to_a_refused_address_is_never_connected_to(
        api, worker, sim, listener, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="labelsvc.worker")
    dns = {"label-77.plant.example": ["127.0.0.1"]}
    system = printer_addresses.resolve_host
    monkeypatch.setattr(printer_addresses, "resolve_host",
                        lambda host, port: dns[host] if host in dns else system(host, port))
    elsewhere = listener("127.0.0.3", sim.port)  # off the plant's networks
    printer = add_printer(api, sim, host="label-77.plant.example")
    wait_for(api, issue(api, printer, 2)["print_job"]["id"], lambda j: j["status"] == "done")
    reached = sim.state()["connections"]

    dns["label-77.plant.example"] = ["127.0.0.3"]  # the name is moved off the plant's networks
    held = wait_for(api, issue(api, printer, 2)["print_job"]["id"],
                    lambda j: j["status"] == "held")
    assert held["reason"] == "unreachable"
    assert held["detail"].startswith("printer not reachable: its address is not one printers "
                                     "may have")
    _logged(caplog, f"printer {printer} is not reachable; job {held['id']} held")
    _logged(caplog, "label-77.plant.example resolves to 127.0.0.3, which is not on the plant's "
                    "printer networks")
    status = api.get(f"/api/v1/printers/{printer}/status").get_json()
    assert (status["reason"], status["ready"]) == ("unreachable", False)

    dns["label-77.plant.example"] = ["127.0.0.1", "169.254.169.254"]  # one refused: none used
    _logged(caplog, "resolves to 169.254.169.254, which is a link-local address")
    assert job(api, held["id"])["status"] == "held"
    assert elsewhere.connections == 0 and sim.state()["connections"] == reached

    dns["label-77.plant.example"] = ["127.0.0.1"]
    done = wait_for(api, held["id"], lambda j: j["status"] == "done")
    assert done["printed"] == 2 and elsewhere.connections == 0


def test_closed_silent_reset_and_foreign_ports_look_the_same_from_outside(
        app, api, tokens, worker, listener, closed_port, sign_in):
    ports = [closed_port, *(listener(mode=m).port for m in ("silent", "answer", "reset"))]
    names = [add_printer(api, _Port(port)) for port in ports]
    jobs = [issue(api, name, 1)["print_job"]["id"] for name in names]
    held = [wait_for(api, j, lambda j: j["status"] == "held") for j in jobs]
    assert {(j["reason"], j["detail"]) for j in held} == {("unreachable", NOT_REACHABLE)}
    statuses = [api.get(f"/api/v1/printers/{name}/status").get_json() for name in names]
    assert [(s["reason"], s["ready"], s["status"]) for s in statuses] == \
        [("unreachable", False, None)] * 4
    board = sign_in(app, tokens["viewer"]).get("/printers/_board").get_data(as_text=True)
    shown = set()
    for name in names:  # the fifth cell of a printer's row is its status
        row = re.search(rf'data-testid="printer-{name}">(?:.*?<td>){{5}}(.*?)</td>', board, re.S)
        assert row is not None, board
        shown.add(row.group(1).strip())
    assert len(shown) == 1 and "unreachable" in shown.pop()
    for job_id in jobs:  # free the worker's threads for the tests that follow
        assert api.post(f"/api/v1/print-jobs/{job_id}/cancel", role="line").status_code == 200


@dataclasses.dataclass
class _Port:
    """Where a printer definition points: a loopback port that is not a virtual printer."""

    port: int
