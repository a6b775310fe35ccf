"""The service's defaults that depend on the host."""

from __future__ import annotations

import os

import pytest

from labelsvc import config


@pytest.mark.parametrize(("cores", "workers"), [(None, 2), (1, 2), (2, 2), (4, 4), (16, 8)])
def test_serve_runs_one_worker_per_core_two_to_eight(monkeypatch: pytest.MonkeyPatch,
                                                      cores: int | None, workers: int) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert config.load_config({})["WORKERS"] == workers
    assert config.load_config({"LABELSVC_WORKERS": "3"})["WORKERS"] == 3
