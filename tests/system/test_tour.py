"""The README's API tour: docs/tour.sh runs green against a fresh service, and the README's
tour blocks are its lines, in its order."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from cluster import BIN, ROOT, Service, free_port, service_env

TOUR = ROOT / "docs" / "tour.sh"
README = ROOT / "README.md"
TOUR_SECTIONS = ("API tour", "Labels", "Printers and print jobs")
# A line of the script that is a step of the tour: a request, a value taken from one, the CLI.
STEP = re.compile(r"^(\w+=\$\()?(curl|\$L) ")


def _readme_tour_lines() -> list[str]:
    """The non-blank lines of the sh blocks in the README's tour sections, in order."""
    lines: list[str] = []
    blocks = 0
    for section in re.split(r"^## ", README.read_text(), flags=re.M):
        if section.split("\n", 1)[0].strip() in TOUR_SECTIONS:
            for block in re.findall(r"^```sh\n(.*?)^```", section, flags=re.M | re.S):
                blocks += 1
                lines += [line.rstrip() for line in block.splitlines() if line.strip()]
    assert blocks == len(TOUR_SECTIONS), f"expected one sh block in each of {TOUR_SECTIONS}"
    return lines


def test_the_readme_tour_is_the_scripts_lines_in_order() -> None:
    script = [line.rstrip() for line in TOUR.read_text().splitlines()]
    at = 0
    for line in _readme_tour_lines():
        try:
            at = script.index(line, at) + 1
        except ValueError:
            pytest.fail(f"README tour line missing from docs/tour.sh (or out of order): {line}")


def test_every_step_of_the_script_is_in_the_readme() -> None:
    shown = set(_readme_tour_lines())
    missing = [line for line in TOUR.read_text().splitlines() if STEP.match(line)
               and line.rstrip() not in shown]
    assert not missing, f"steps of docs/tour.sh the README does not show: {missing}"


def test_the_script_is_valid_bash() -> None:
    done = subprocess.run(["bash", "-n", str(TOUR)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def tour_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database for the tour's service: a new user's SQLite, or PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'labelsvc.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


def _free_ports(count: int) -> list[int]:
    """Distinct ports nobody listens on right now."""
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return sorted(ports)


@pytest.mark.slow
def test_the_tour_runs_green_against_a_fresh_service(tour_database: str, tmp_path: Path) -> None:
    env = service_env(tour_database, tmp_path / "data")
    service = Service(env, workers=1).start()
    printers = dict(zip(("P3", "C3", "P4", "C4"), map(str, _free_ports(4)), strict=True))
    tour_env = {**env, **printers, "H": f"http://127.0.0.1:{service.port}",
                "L": str(BIN / "labelsvc")}
    # Its own session, so that a tour that hangs is stopped with the printers it started.
    proc = subprocess.Popen(["bash", str(TOUR)], cwd=tmp_path, env=tour_env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"the tour hung:\n{out[-3000:]}\n{err[-3000:]}")
    assert proc.returncode == 0, f"{out[-3000:]}\n{err[-3000:]}"
    assert out.splitlines()[-1] == "tour: all steps passed"
    assert (tmp_path / "labels.pdf").read_bytes().startswith(b"%PDF-")
