"""Keep the request id of the HTTP request that made a print job, for the worker's log lines.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add print_jobs.request_id."""
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.String(length=128), nullable=True))


def downgrade() -> None:
    """Drop print_jobs.request_id."""
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.drop_column("request_id")
