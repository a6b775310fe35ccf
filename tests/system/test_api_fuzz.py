"""The API under generated requests (schemathesis, from our own OpenAPI document): no 500s."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import cluster

# Printers name network addresses; generated ones must never be dialled from a test.
NO_PRINTER_WRITES = "^/api/v1/printers"


@pytest.mark.slow
def test_generated_requests_never_get_a_server_error(tmp_path: Path) -> None:
    env = cluster.service_env(f"sqlite:///{tmp_path / 'labelsvc.sqlite3'}", tmp_path)
    service = cluster.Service(env, workers=2).start()
    try:
        token = cluster.create_token(env)
        done = subprocess.run(
            [str(cluster.BIN / "schemathesis"), "run",
             f"http://127.0.0.1:{service.port}/api/v1/openapi.json",
             "--checks", "not_a_server_error", "--header", f"Authorization: Bearer {token}",
             "--max-examples", "15", "--seed", "20261122", "--workers", "1",
             "--exclude-path-regex", NO_PRINTER_WRITES, "--exclude-method", "DELETE",
             "--report", "junit", "--report-dir", str(tmp_path / "reports")],
            capture_output=True, text=True, timeout=600, check=False)
        log = service.log.read_text() if service.log else ""
    finally:
        service.stop()
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "Traceback" not in log, log[-4000:]
    assert " 500 " not in log
