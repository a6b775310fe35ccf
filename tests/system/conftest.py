"""System tests: real `labelsvc` processes, real sockets, a real PostgreSQL database."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import cluster  # noqa: E402


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test; unreachable is a failure, not a skip."""
    if os.environ.get("LABELSVC_TEST_SKIP_POSTGRES") == "1":
        pytest.skip("LABELSVC_TEST_SKIP_POSTGRES=1")
    try:
        url = cluster.create_database()
    except Exception as exc:  # noqa: BLE001 - any connection problem fails the test loudly
        pytest.fail(f"PostgreSQL at {cluster.POSTGRES_URL} is unreachable: {exc}")
    yield url
    cluster.drop_database(url)


@pytest.fixture(autouse=True)
def _no_process_outlives_its_test() -> Iterator[None]:
    """Stop whatever a test started, even when it failed half-way."""
    yield
    cluster.stop_all()
