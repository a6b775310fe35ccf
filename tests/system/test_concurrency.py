"""Many lines at once: 2 service processes, 8 client processes, one PostgreSQL database."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

import cluster

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_no_duplicates_across_processes(pg_url: str, tmp_path: Path) -> None:
    env = cluster.service_env(pg_url, tmp_path)
    services = [cluster.Service(env, workers=2).start() for _ in range(2)]
    try:
        token = cluster.create_token(env)
        admin = cluster.Api(services[0].port, token)
        status, body = admin.post("/api/v1/schemes", cluster.SYSTEM_SCHEME)
        assert status == 201, body

        ports = [s.port for s in services]
        jobs = [(ports[i % 2:] + ports[:i % 2], token, 2_600, f"0{i % 2 + 1}", i)
                for i in range(8)]
        with multiprocessing.get_context("spawn").Pool(8) as pool:
            received = pool.starmap(cluster.issue_until, jobs)

        flat = [v for chunk in received for v in chunk]
        assert len(flat) >= 20_000
        assert len(set(flat)) == len(flat), "a serial was handed out twice"
        in_registry = cluster.registry_values(admin, "sys-serial")
        assert len(in_registry) == len(set(in_registry))
        assert set(in_registry) == set(flat), "registry and clients disagree"
        # Each line's counter handed out a gap-free run: nothing was burned.
        for line in ("01", "02"):
            seqs = sorted(int(v[4:]) for v in flat if v[2:4] == line)
            assert seqs == list(range(1, len(seqs) + 1))
    finally:
        for s in services:
            s.stop()
