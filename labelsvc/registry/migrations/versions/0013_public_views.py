"""Keep what each scheme's units show on their public Digital Link page.

Revision ID: 0013
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create public_views: one row per scheme whose admin made fields public."""
    op.create_table(
        "public_views",
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["scheme_id"], ["schemes.id"]),
        sa.PrimaryKeyConstraint("scheme_id"),
    )


def downgrade() -> None:
    """Drop public_views."""
    op.drop_table("public_views")
