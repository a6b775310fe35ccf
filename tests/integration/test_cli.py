"""The command line: tokens, and `serve` with several processes on one host."""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from labelsvc.cli import main
from labelsvc.errors import Unauthorized
from labelsvc.registry.database import Database
from labelsvc.services.tokens import authenticate

pytestmark = pytest.mark.xdist_group("integration-cli")


def test_token_create_prints_the_token_last(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("LABELSVC_DATABASE_URL", url)
    assert main(["token", "create", "--role", "line", "--name", "line-7", "--init"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    actor = authenticate(Database(url), out[-1])
    assert (actor.name, actor.role) == ("line-7", "line")


def test_a_command_run_elsewhere_never_starts_a_second_empty_registry(tmp_path, monkeypatch,
                                                                     capsys, caplog):
    """Run from another folder, `./data` is not the plant's registry: refused, nothing made."""
    monkeypatch.delenv("LABELSVC_DATABASE_URL", raising=False)
    monkeypatch.delenv("LABELSVC_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    where = tmp_path / "data" / "labelsvc.sqlite3"
    for argv in (["token", "create", "--role", "admin", "--name", "ops"],
                 ["token", "revoke", "--name", "ops"], ["worker"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert f"no registry at {where}" in err and "--init" in err
    assert not (tmp_path / "data").exists()
    assert main(["token", "create", "--role", "admin", "--name", "ops", "--init"]) == 0
    captured = capsys.readouterr()
    assert f"creating a new registry at {where}" in caplog.text  # a log line, like serve's
    assert where.is_file() and len(captured.out.strip().splitlines()) == 1
    caplog.clear()
    assert main(["token", "create", "--role", "line", "--name", "line-2"]) == 0  # it exists now
    assert "creating" not in caplog.text


def test_token_revoke_refuses_the_token_from_then_on(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("LABELSVC_DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    assert main(["token", "create", "--role", "line", "--name", "tablet-3"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    db = Database(url)
    assert authenticate(db, token).name == "tablet-3"
    assert main(["token", "revoke", "--name", "tablet-3"]) == 0
    assert "revoked 1 token(s) named 'tablet-3'" in capsys.readouterr().err
    with pytest.raises(Unauthorized):
        authenticate(db, token)
    assert main(["token", "revoke", "--name", "tablet-3"]) == 1  # nothing left to revoke


def test_serve_hands_the_configuration_it_read_to_the_server_and_each_app(tmp_path, monkeypatch):
    from labelsvc import app as factory
    from labelsvc.config import load_config
    from labelsvc.server import Server, load_app

    config = load_config({"LABELSVC_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
                          "LABELSVC_DATA_DIR": str(tmp_path), "LABELSVC_LOG_FORMAT": "text",
                          "LABELSVC_PRINT_WORKER": "0", "LABELSVC_THREADS": "3"})

    def read_again() -> None:
        raise AssertionError("the configuration is read again")

    monkeypatch.setattr(factory, "load_config", read_again)
    server = Server(config, port=8123)
    assert (server.options["address"], server.options["port"]) == ("127.0.0.1", 8123)
    assert server.options["log_dictconfig"]["formatters"]["labelsvc"]["fmt"] == "text"
    gate = load_app(server.config)
    assert gate.slots._value == 3  # LABELSVC_THREADS requests answered at once
    assert gate.app.config["DATABASE_URL"] == config["DATABASE_URL"]
    gate.app.extensions["labelsvc.db"].dispose()
    gc.unfreeze()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"service on {port} never became ready")


@pytest.mark.slow
def test_two_serve_processes_share_a_data_dir_but_no_files(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "LABELSVC_DATA_DIR": str(tmp_path / "data"), "HOME": str(home),
           "LABELSVC_LOG_LEVEL": "WARNING"}
    env.pop("XDG_RUNTIME_DIR", None)
    env.pop("LABELSVC_DATABASE_URL", None)
    ports = [_free_port(), _free_port()]
    procs = [subprocess.Popen([sys.executable, "-m", "labelsvc.cli", "serve", "--port", str(p),
                               "--workers", "2"], env=env, stderr=subprocess.PIPE)
             for p in ports]
    try:
        for port, proc in zip(ports, procs, strict=True):
            _wait_ready(port, proc)
        with urllib.request.urlopen(f"http://127.0.0.1:{ports[0]}/healthz", timeout=5) as r:
            assert r.status == 200
        assert not list(home.rglob("*.ctl")) and not list(home.rglob("*.pid"))
        # A third one on a taken port says so and stops, instead of sharing its connections.
        third = subprocess.run([sys.executable, "-m", "labelsvc.cli", "serve", "--port",
                                str(ports[0])], env=env, capture_output=True, text=True,
                               timeout=60)
        assert third.returncode == 2
        assert f"cannot listen on 127.0.0.1:{ports[0]}" in third.stderr
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
