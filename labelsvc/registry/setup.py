"""Bring a database up to date: migrations under a lock, then what the wiring seeds."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from labelsvc.registry.database import Database, private_file

log = logging.getLogger(__name__)

# An arbitrary, fixed key for PostgreSQL's advisory lock around migrations.
MIGRATION_LOCK_KEY = 0x6C61_6265_6C73


def alembic_config() -> Config:
    """Build the Alembic configuration for the migrations shipped in this package."""
    cfg = Config()
    location = resources.files("labelsvc.registry") / "migrations"
    cfg.set_main_option("script_location", str(location))
    return cfg


@cache
def head_revision() -> str | None:
    """The newest migration shipped with this version."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(conn: Connection) -> str | None:
    """The migration the database is at."""
    return MigrationContext.configure(conn).get_current_revision()


def location(url: str) -> str:
    """Where a registry lives, in words: a SQLite file's full path, or the server's URL
    without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(Path(parsed.database or ":memory:").resolve())
    return parsed.render_as_string(hide_password=True)


def exists(url: str) -> bool:
    """Whether a registry (a database carrying the registry's migrations) is at `url`; a
    SQLite file that is not there is not created by asking."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return False
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            return current_revision(conn) is not None
    finally:
        db.dispose()


def is_current(db: Database) -> bool:
    """Say whether the database answers and carries every migration."""
    with db.engine.connect() as conn:
        return current_revision(conn) == head_revision()


@contextmanager
def migration_lock(db: Database, conn: Connection) -> Iterator[None]:
    """Hold the lock that lets one process at a time migrate."""
    if db.is_sqlite:
        path = db.lock_path
        if path is None:
            yield
            return
        private_file(path)
        with open(path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
    conn.commit()
    try:
        yield
    finally:
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
        conn.commit()


def _upgrade(db: Database) -> None:
    """Apply pending migrations (the caller holds the migration lock)."""
    with db.engine.connect() as conn:
        if current_revision(conn) == head_revision():
            return
        log.info("applying registry migrations up to %s", head_revision())
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()


def upgrade(db: Database) -> None:
    """Apply pending migrations; safe when several processes start at once."""
    with db.engine.connect() as lock_conn, migration_lock(db, lock_conn):
        _upgrade(db)


def prepare(db: Database, *, seed: Callable[[Database], object] | None = None) -> None:
    """Migrate the database, then run `seed` (the wiring's first-start content) if given.

    Both happen under the migration lock, so processes starting together do it once.
    """
    with db.engine.connect() as lock_conn, migration_lock(db, lock_conn):
        _upgrade(db)
        if seed is not None:
            seed(db)
