"""The service and the pure packages stay strictly typed (mypy --strict, pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_every_package_passes_mypy_strict() -> None:
    done = subprocess.run([sys.executable, "-m", "mypy", "labelsvc", "numbering", "printers",
                           "templates", "gs1", "hibc"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
