"""A job's progress moves while a slow printer prints it, not only at the end: a real
`labelsvc serve` with its print worker and a `labelsvc printer-sim` that takes its time per
label, on SQLite and on PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cluster import FAST_PRINTING, SYSTEM_SCHEME, Api, Service, Simulator, create_token, service_env

pytestmark = [pytest.mark.slow]
LABELS = 12


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'labelsvc.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


def test_a_slow_printers_job_shows_labels_confirmed_while_it_prints(database: str,
                                                                   tmp_path: Path) -> None:
    env = service_env(database, tmp_path / "data", LABELSVC_SEED_EXAMPLES="0",
                      LABELSVC_PRINT_CONFIRM_SECONDS="0.5", **FAST_PRINTING)
    service = Service(env, workers=1).start()
    sim = Simulator(label_seconds=0.3).start()
    api = Api(service.port, create_token(env))
    assert api.post("/api/v1/schemes", SYSTEM_SCHEME)[0] == 201
    assert api.post("/api/v1/printers", sim.printer("slow-1"))[0] == 201
    status, body = api.post("/api/v1/serials", {
        "scheme": SYSTEM_SCHEME["name"], "fields": {"line": "07"}, "count": LABELS,
        "print": {"printer": "slow-1", "template": "datamatrix-25x12"}})
    assert status == 201, body
    job_id = body["print_job"]["id"]
    seen: list[tuple[str, int]] = []
    deadline = time.monotonic() + 120  # liveness only: the printer needs about 4 s
    while time.monotonic() < deadline:
        status, job = api.get(f"/api/v1/print-jobs/{job_id}")
        assert status == 200, job
        seen.append((job["status"], job["printed"]))
        if job["status"] in ("done", "cancelled", "failed"):
            break
        time.sleep(0.05)
    assert seen[-1] == ("done", LABELS), seen[-1]
    printed = [n for _, n in seen]
    assert printed == sorted(printed), "progress never goes back"
    between = {n for state, n in seen if state == "printing" and 0 < n < LABELS}
    assert len(between) >= 2, f"progress seen while printing: {sorted(set(printed))}"
    status, labels = api.get(f"/api/v1/print-jobs/{job_id}/labels")
    assert [label["state"] for label in labels["items"]] == ["printed"] * LABELS
    assert [label["sends"] for label in labels["items"]] == [1] * LABELS
    assert len(sim.formats()) == LABELS
