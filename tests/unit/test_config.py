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


def test_printers_may_be_on_private_networks_and_loopback_by_default() -> None:
    assert config.load_config({})["PRINTER_NETWORKS"] == (
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "fc00::/7", "::1/128")
    assert config.load_config({"LABELSVC_PRINTER_NETWORKS": ""})["PRINTER_NETWORKS"] == \
        config.load_config({})["PRINTER_NETWORKS"]


def test_the_plant_names_its_printer_networks() -> None:
    read = config.load_config({"LABELSVC_PRINTER_NETWORKS": "10.20.0.0/16, 2001:db8:7::/48"})
    assert read["PRINTER_NETWORKS"] == ("10.20.0.0/16", "2001:db8:7::/48")
    with pytest.raises(ValueError, match=r"LABELSVC_PRINTER_NETWORKS: '10\.20/33' is not a "
                                         "network"):
        config.load_config({"LABELSVC_PRINTER_NETWORKS": "10.0.0.0/8,10.20/33"})
    audited = config.governed_settings(config.load_config(
        {"LABELSVC_PRINTER_NETWORKS": "10.20.0.0/16,fd00::/8"}))
    assert audited["LABELSVC_PRINTER_NETWORKS"] == "10.20.0.0/16,fd00::/8"  # an auditor sees it
