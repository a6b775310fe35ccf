"""Create label templates and their versions (definitions and bring-your-own ZPL formats).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the label template tables."""
    op.create_table(
        "label_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "label_template_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["template_id"], ["label_templates.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("template_id", "version", name="uq_label_template_versions_version"),
    )
    with op.batch_alter_table("label_template_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_label_template_versions_template_id"),
                              ["template_id"], unique=False)


def downgrade() -> None:
    """Drop the label template tables."""
    with op.batch_alter_table("label_template_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_label_template_versions_template_id"))
    op.drop_table("label_template_versions")
    op.drop_table("label_templates")
