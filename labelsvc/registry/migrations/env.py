"""Alembic environment: runs on the connection handed over by `labelsvc.registry.setup`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from labelsvc.registry.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    """Run migrations in batch mode so they work on SQLite and PostgreSQL alike."""
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
        with engine.begin() as conn:
            context.configure(connection=conn, target_metadata=target_metadata,
                              render_as_batch=True)
            context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
