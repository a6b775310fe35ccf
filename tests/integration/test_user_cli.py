"""`labelsvc user …` and `token create --owner`: the password never appears in clear in the
command's output, its log lines or the registry's file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from labelsvc.registry.database import Database
from labelsvc.services import people, tokens

pytestmark = pytest.mark.xdist_group("integration-cli")
SECRET = "Tr0ub4dor&3-plant-7"


def _labelsvc(data: Path, *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LABELSVC_DATA_DIR": str(data), "LABELSVC_LOG_LEVEL": "DEBUG"}
    env.pop("LABELSVC_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "labelsvc.cli", *argv], input=stdin,
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def test_user_commands_never_show_or_store_the_password(tmp_path):
    data = tmp_path / "data"
    assert _labelsvc(data, "db", "upgrade").returncode == 0
    made = _labelsvc(data, "user", "create", "--username", "JDoe", "--role", "line",
                     "--role", "receiver", "--display-name", "Jane Doe", "--password-stdin",
                     stdin=SECRET + "\n")
    assert made.returncode == 0, made.stderr
    assert "created jdoe (Jane Doe) with the role(s) line, receiver" in made.stderr
    short = _labelsvc(data, "user", "passwd", "--username", "jdoe", "--password-stdin",
                      stdin="Sh0rt-pw\n")
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    no_tty = _labelsvc(data, "user", "create", "--username", "ann", "--role", "viewer")
    assert no_tty.returncode == 2 and "--password-stdin" in no_tty.stderr
    owned = _labelsvc(data, "token", "create", "--role", "line", "--name", "line-7",
                      "--owner", "jdoe")
    assert owned.returncode == 0 and "belonging to jdoe" in owned.stderr
    refused = _labelsvc(data, "token", "create", "--role", "admin", "--name", "x",
                        "--owner", "jdoe")
    assert refused.returncode == 2 and "does not hold the role admin" in refused.stderr
    assert _labelsvc(data, "user", "disable", "--username", "JDOE").returncode == 0
    listed = _labelsvc(data, "user", "list")
    assert listed.stdout.splitlines() == ["jdoe\tJane Doe\tline,receiver\tdisabled"]
    assert _labelsvc(data, "user", "enable", "--username", "jdoe").returncode == 0
    again = _labelsvc(data, "user", "passwd", "--username", "jdoe", "--password-stdin",
                      stdin=SECRET + "-2\n")
    assert again.returncode == 0 and "changed jdoe's password" in again.stderr

    db = Database(f"sqlite:///{data / 'labelsvc.sqlite3'}")
    try:
        assert people.verify_signature(db, "jdoe", SECRET + "-2").display_name == "Jane Doe"
        assert tokens.authenticate(db, owned.stdout.strip()).name == "line-7 (jdoe)"
    finally:
        db.dispose()
    said = "".join(p.stdout + p.stderr for p in (made, short, no_tty, listed, again))
    assert SECRET not in said and "Sh0rt-pw" not in said
    for path in data.iterdir():  # the database, its WAL, the lock file
        if path.is_file():
            blob = path.read_bytes()
            assert SECRET.encode() not in blob and b"Sh0rt-pw" not in blob, path.name
