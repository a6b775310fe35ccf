"""Pin each print job's template version and each label's scheme version; keep the evidence
of every label sent (label_prints) and the reprint reasons admins register.

Jobs written before this migration get the template's current version at upgrade time (a
stored template's `current_version`, else 0, the shipped file): the version they were most
likely to print with, since the worker then rendered the current one. Their labels get their
identifier's scheme version.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Add the pinned versions, fill them for existing jobs, and create the evidence tables."""
    # Added in place (NOT NULL with a default, filled below): SQLite never rebuilds the job
    # tables, which labels and evidence refer to.
    op.add_column("print_jobs", sa.Column("template_version", sa.Integer(), nullable=False,
                                          server_default="0"))
    op.add_column("print_job_labels", sa.Column("scheme_version", sa.Integer(),
                                                nullable=False, server_default="1"))
    op.add_column("print_job_labels", sa.Column("reprint_no", sa.Integer(), nullable=False,
                                                server_default="0"))
    op.add_column("print_job_labels", sa.Column("reason", sa.String(length=50),
                                                nullable=True))
    op.execute("UPDATE print_jobs SET template_version = COALESCE((SELECT current_version "
               "FROM label_templates WHERE label_templates.name = print_jobs.template), 0)")
    op.execute("UPDATE print_job_labels SET scheme_version = (SELECT scheme_version "
               "FROM identifiers WHERE identifiers.id = print_job_labels.identifier_id)")
    op.execute("UPDATE print_job_labels SET reason = 'reprint' WHERE reprint")
    op.create_table(
        "label_prints",
        sa.Column("id", BigId, nullable=False),
        sa.Column("job_id", sa.BigInteger(), sa.ForeignKey("print_jobs.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("identifier_id", sa.BigInteger(), sa.ForeignKey("identifiers.id"),
                  nullable=False),
        sa.Column("printer_id", sa.Integer(), sa.ForeignKey("printers.id"), nullable=False),
        sa.Column("template", sa.String(length=100), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("scheme_version", sa.Integer(), nullable=False),
        sa.Column("copy", sa.Integer(), nullable=False),
        sa.Column("send", sa.Integer(), nullable=False),
        sa.Column("reprint_no", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=50), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("dpi", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_label_prints_identifier_id", "label_prints", ["identifier_id", "id"])
    op.create_index("ix_label_prints_job_id", "label_prints", ["job_id", "position"])
    op.create_table(
        "reprint_reasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )


def downgrade() -> None:
    """Drop the evidence, the reasons and the pinned versions."""
    op.drop_table("reprint_reasons")
    op.drop_index("ix_label_prints_job_id", table_name="label_prints")
    op.drop_index("ix_label_prints_identifier_id", table_name="label_prints")
    op.drop_table("label_prints")
    for column in ("reason", "reprint_no", "scheme_version"):
        op.drop_column("print_job_labels", column)
    op.drop_column("print_jobs", "template_version")
