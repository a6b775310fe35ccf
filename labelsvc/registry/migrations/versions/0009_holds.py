"""Keep holds on lots and serials: who placed them and why, who released them and why.

Revision ID: 0009
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create holds with an index on the active ones."""
    op.create_table(
        "holds",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("identifier_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("propagate", sa.Boolean(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("placed_by", sa.String(length=100), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=100), nullable=True),
        sa.Column("release_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["identifier_id"], ["identifiers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("holds") as batch:
        batch.create_index("ix_holds_identifier_id", ["identifier_id"])
        batch.create_index("ix_holds_active", ["identifier_id"],
                           postgresql_where=sa.text("released_at IS NULL"),
                           sqlite_where=sa.text("released_at IS NULL"))


def downgrade() -> None:
    """Drop holds."""
    with op.batch_alter_table("holds") as batch:
        batch.drop_index("ix_holds_active")
        batch.drop_index("ix_holds_identifier_id")
    op.drop_table("holds")
