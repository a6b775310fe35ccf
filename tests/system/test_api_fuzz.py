"""The API under generated requests (schemathesis, from our own OpenAPI document): no 500s."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import cluster

# Printers name network addresses; generated ones must never be dialled from a test.
NO_PRINTER_WRITES = "^/api/v1/printers"


ROLES = ("admin", "line", "receiver", "viewer")


def _fuzz(port: int, token: str, reports: Path, examples: int) -> subprocess.CompletedProcess[str]:
    """One schemathesis run over every operation with one role's token."""
    return subprocess.run(
        [str(cluster.BIN / "schemathesis"), "run",
         f"http://127.0.0.1:{port}/api/v1/openapi.json",
         "--checks", "not_a_server_error", "--header", f"Authorization: Bearer {token}",
         "--max-examples", str(examples), "--seed", "20261122", "--workers", "1",
         "--exclude-path-regex", NO_PRINTER_WRITES, "--exclude-method", "DELETE",
         "--report", "junit", "--report-dir", str(reports)],
        capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres",
                                                            marks=pytest.mark.postgres)])
def test_generated_requests_never_get_a_server_error(tmp_path: Path, backend: str,
                                                     request: pytest.FixtureRequest) -> None:
    """Every operation, with each role's token, on each database: never a 5xx."""
    url = (f"sqlite:///{tmp_path / 'labelsvc.sqlite3'}" if backend == "sqlite"
           else request.getfixturevalue("pg_url"))
    env = cluster.service_env(url, tmp_path)
    service = cluster.Service(env, workers=2).start()
    try:
        failures = []
        for role in ROLES:
            token = cluster.create_token(env, role=role, name=f"fuzz-{role}")
            done = _fuzz(service.port, token, tmp_path / f"reports-{role}",
                         15 if role == "admin" else 6)
            if done.returncode != 0:
                failures.append(f"{role}: {done.stdout[-3000:]}{done.stderr[-1000:]}")
        log = service.log.read_text() if service.log else ""
    finally:
        service.stop()
    assert not failures, "\n".join(failures)
    assert "Traceback" not in log, log[-4000:]
    assert " 500 " not in log
