"""One database per process: the engine, and transactions that serialise SQLite writers."""

from __future__ import annotations

import contextvars
import os
import select
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

_current: contextvars.ContextVar[Connection | None] = contextvars.ContextVar(
    "labelsvc_connection", default=None
)


def private_file(path: Path, *, create: bool = True) -> None:
    """Make the registry's file readable by the service's own user only (0600, in a 0700
    folder when the folder is new): identifiers, tokens' hashes and job data are the plant's.

    A file made earlier with wider permissions is narrowed when this user owns it.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if create:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    try:
        if path.exists() and path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError:  # another user's file, or gone meanwhile: leave it as it is
        pass


class Database:
    """The registry's database: hands out transactions, joining an enclosing one."""

    def __init__(self, url: str, *, pool_size: int = 5, busy_seconds: float = 30.0,
                 connect_args: dict[str, Any] | None = None) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        args: dict[str, Any] = dict(connect_args or {})
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            if self.url.database and self.url.database != ":memory:":
                for suffix in ("", "-wal", "-shm"):  # SQLite gives its WAL the file's mode
                    private_file(Path(self.url.database + suffix), create=not suffix)
            args.setdefault("timeout", busy_seconds)
            args.setdefault("check_same_thread", False)
        else:
            kwargs.update(pool_size=pool_size, max_overflow=pool_size * 2)
        self.engine: Engine = create_engine(self.url, connect_args=args, **kwargs)
        if self.is_sqlite:
            _serialise_sqlite_writers(self.engine, busy_seconds)
        else:
            _ping_connections_the_server_closed(self.engine)

    @property
    def lock_path(self) -> Path | None:
        """The file that guards migrations on SQLite (None for PostgreSQL)."""
        if not self.is_sqlite or not self.url.database or self.url.database == ":memory:":
            return None
        return Path(self.url.database + ".migrate.lock")

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Connection]:
        """Open a transaction, or join the one already open in this context."""
        outer = _current.get()
        if outer is not None:
            yield outer
            return
        with self.engine.connect() as conn:
            conn.execution_options(labelsvc_write=write)
            token = _current.set(conn)
            try:
                with conn.begin():
                    yield conn
            finally:
                _current.reset(token)

    def can_autocommit(self) -> bool:
        """True on PostgreSQL outside a transaction: statements may commit one by one."""
        return not self.is_sqlite and _current.get() is None

    @contextmanager
    def autocommit(self) -> Iterator[Connection]:
        """A PostgreSQL connection on which every statement is a transaction of its own.

        psycopg's own switch, set and put back here: SQLAlchemy's isolation-level option does
        the same through its connection characteristics, which cost more CPU on every request
        of a line. The pool gets the connection back transactional, or not at all.
        """
        with self.engine.connect() as conn:
            driver = conn.connection.driver_connection
            assert driver is not None
            driver.autocommit = True
            try:
                yield conn
            finally:
                try:
                    if not driver.closed:  # a connection the server dropped is discarded anyway
                        driver.autocommit = False
                except driver.Error:  # still in a statement or transaction: never pool it
                    conn.invalidate()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _ping_connections_the_server_closed(engine: Engine) -> None:
    """Check a pooled connection before use only when its socket has something to read.

    An idle, healthy connection has nothing to read; one the server closed (a restart, a
    fail-over, an idle timeout) has its end-of-file waiting. Such a connection is pinged and,
    when dead, replaced before the request uses it — without a round trip on every request.
    """

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        try:
            readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            readable = [True]
        if not readable:
            return
        try:
            dbapi_connection.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as exc:  # noqa: BLE001 - any failure means: use another connection
            raise DisconnectionError("the database closed this connection") from exc


def _serialise_sqlite_writers(engine: Engine, busy_seconds: float) -> None:
    """Make SQLite writers take the write lock at BEGIN, so concurrent writers queue."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("labelsvc_write", True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
