"""Keep the event types admins register beside the built-in ones.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create event_types and register the custom types events already carry."""
    table = op.create_table(
        "event_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    # Types recorded before the vocabulary existed stay valid: each becomes a registered one.
    known = ("issued", "voided", "printed", "reprinted", "components-added", "shipped",
             "returned", "scrapped", "consumed", "note")
    found = op.get_bind().execute(sa.text(
        "SELECT DISTINCT type FROM events ORDER BY type")).scalars().all()
    now = dt.datetime.now(dt.UTC)
    rows = [{"name": name, "description": "recorded before event types were registered",
             "created_at": now, "created_by": "system"}
            for name in found if name not in known and len(name) <= 50]
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    """Drop event_types."""
    op.drop_table("event_types")
