"""The few statements every issue request runs, sent straight to psycopg on PostgreSQL.

A production line asks for one serial at a time, all shift long, and SQLAlchemy's execution
layer (statement cache lookup, parameter processing, result wrapping) is a large share of the
CPU such a request costs. These statements are still written once, as SQLAlchemy
expressions; on PostgreSQL they are compiled once per process and run on the transaction's
own psycopg connection, with the same parameter conversions SQLAlchemy would apply and
database errors raised as the same SQLAlchemy exceptions. SQLite runs them through SQLAlchemy.
SQLAlchemy's event listeners (`before_cursor_execute` and the like) do not see them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Compiled:
    """A statement's SQL text for the driver, its fixed values, and each parameter's conversion."""

    sql: str
    fixed: dict[str, Any]
    processors: dict[str, Callable[[Any], Any]]

    def parameters(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Convert values as SQLAlchemy would (JSON documents, for one)."""
        processors = self.processors
        given = {**self.fixed, **values} if self.fixed else values
        return {k: (processors[k](v) if k in processors else v) for k, v in given.items()}


@lru_cache(maxsize=128)
def _compile(stmt: ClauseElement, dialect: Dialect) -> _Compiled:
    compiled = cast(SQLCompiler, stmt.compile(dialect=dialect))
    fixed: dict[str, Any] = {}
    processors: dict[str, Callable[[Any], Any]] = {}
    for bind in compiled.binds.values():
        name = compiled.bind_names[bind]
        if not bind.required:  # a value written into the statement, such as type="note"
            fixed[name] = bind.effective_value
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name] = process
    return _Compiled(compiled.string, fixed, processors)


def rows(conn: Connection, stmt: ClauseElement, values: Mapping[str, Any]
         ) -> Sequence[Sequence[Any]]:
    """Run a statement that returns rows (RETURNING, SELECT) inside `conn`'s transaction."""
    if conn.dialect.name != "postgresql":
        return conn.execute(stmt, values).all()  # type: ignore[call-overload,no-any-return]
    compiled = _compile(stmt, conn.dialect)
    driver = conn.connection.driver_connection
    assert driver is not None
    params = compiled.parameters(values)
    cursor = driver.cursor()
    try:
        cursor.execute(compiled.sql, params)
        found: list[Sequence[Any]] = cursor.fetchall()
        return found
    except conn.dialect.loaded_dbapi.Error as exc:
        if conn.dialect.is_disconnect(exc, conn.connection.dbapi_connection, cursor):
            conn.invalidate(exc)
        raise DBAPIError.instance(compiled.sql, params, exc, conn.dialect.loaded_dbapi.Error,
                                  dialect=conn.dialect) from exc
    finally:
        cursor.close()
