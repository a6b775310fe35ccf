"""A print job's lifecycle: the move tables, and a finished job that no late change reopens."""

from __future__ import annotations

from typing import Any

import pytest

from labelsvc.services import job_states
from labelsvc.services.job_states import FINISHED, JOB_MOVES, LABEL_MOVES
from labelsvc.services.labels import find_template
from labelsvc.worker.render import chunk_renderer

SCHEME = {"name": "js-serial", "kind": "serial", "pattern": "{model}{seq:6}",
          "codes": {"model": {"W100": "41"}}, "charset": "0-9"}
LABEL_STATES = {"pending", "sent", "printed", "unknown", "cancelled"}


@pytest.fixture(scope="module")
def printer(api: Any) -> str:
    """A printer nobody drives: no print worker runs in this module."""
    assert api.post("/api/v1/schemes", SCHEME).status_code == 201
    assert api.post("/api/v1/printers", {"name": "dock-1", "driver": "zpl-tcp",
                                         "host": "127.0.0.1", "port": 9}).status_code == 201
    return "dock-1"


def _queued_job(api: Any, printer: str, count: int = 3) -> int:
    answer = api.post("/api/v1/serials", {
        "scheme": "js-serial", "fields": {"model": "W100"}, "count": count,
        "print": {"printer": printer, "template": "serial-50x25"}}, role="line")
    assert answer.status_code == 201, answer.get_json()
    return int(answer.get_json()["print_job"]["id"])


def _labels(api: Any, job_id: int) -> list[str]:
    return [x["state"] for x in api.get(f"/api/v1/print-jobs/{job_id}/labels").get_json()["items"]]


def test_the_move_tables_name_every_state_and_end_in_finished_ones():
    assert set(JOB_MOVES) == {"queued", "held", "printing"}
    assert all(targets <= {*JOB_MOVES, *FINISHED} for targets in JOB_MOVES.values())
    assert all(set(FINISHED) <= targets for targets in JOB_MOVES.values())
    assert set(LABEL_MOVES) | {t for targets in LABEL_MOVES.values() for t in targets} \
        == LABEL_STATES
    assert not job_states.may_become("done", "printing")
    assert not job_states.may_become("printing", "printing")


def test_a_cancelled_job_stays_cancelled_whatever_the_worker_does_late(api, db, printer):
    job_id = _queued_job(api, printer)
    assert api.post(f"/api/v1/print-jobs/{job_id}/cancel").status_code == 200
    assert not job_states.start_printing(db, job_id)
    assert job_states.hold(db, job_id, "paper-out", "out of paper", lambda n: 1.0) == 0
    job_states.finish(db, job_id, "done")
    job = api.get(f"/api/v1/print-jobs/{job_id}").get_json()
    assert (job["status"], job["reason"], job["printed"]) == ("cancelled", None, 0)
    assert _labels(api, job_id) == ["cancelled"] * 3


def test_a_stopped_job_settles_sent_labels_unknown_and_unsent_cancelled(api, db, printer):
    job_id = _queued_job(api, printer, count=4)
    assert job_states.start_printing(db, job_id)
    job = job_states.job_row(db, job_id)
    assert job.status == "printing"
    with db.transaction(write=False) as conn:
        template = find_template(conn, "serial-50x25")
    taken = job_states.take_chunk(db, job, -1, 2, chunk_renderer(template, "zpl", 203))
    sent = [label for label, _ in taken]
    assert [label.position for label in sent] == [0, 1]
    assert job_states.confirm(db, job, printer, sent[:1], {"fault": None}) == 1
    job_states.finish(db, job_id, "cancelled")
    assert _labels(api, job_id) == ["printed", "unknown", "cancelled", "cancelled"]
    assert api.get(f"/api/v1/print-jobs/{job_id}").get_json()["printed"] == 1
