"""Index the identifier columns most rows leave empty only where they hold a value.

Serials outside lots have no lot, expiry or supplier lot, and many schemes print no model or
site: indexing those NULLs cost every issued identifier five index entries that no search
uses (every search on these columns asks for a value, which implies NOT NULL).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = ("lot_id", "expiry", "supplier_lot", "model", "site")


def upgrade() -> None:
    """Rebuild the five indexes as partial indexes (WHERE column IS NOT NULL)."""
    with op.batch_alter_table("identifiers", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_index(f"ix_identifiers_{column}")
            where = sa.text(f"{column} IS NOT NULL")
            batch_op.create_index(f"ix_identifiers_{column}", [column], unique=False,
                                  postgresql_where=where, sqlite_where=where)


def downgrade() -> None:
    """Index every row again."""
    with op.batch_alter_table("identifiers", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_index(f"ix_identifiers_{column}")
            batch_op.create_index(f"ix_identifiers_{column}", [column], unique=False)
