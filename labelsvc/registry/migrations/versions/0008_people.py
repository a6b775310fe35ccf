"""Keep accounts for people: a session or an idempotency key belongs to a person or a token,
and a token may belong to a person.

Revision ID: 0008
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0010"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create users; give tokens an owner, sessions and idempotency keys a person."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("password_changed_at", Timestamp, nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", Timestamp, nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_api_tokens_owner", "users", ["owner_id"], ["id"])
    with op.batch_alter_table("web_sessions") as batch:
        batch.alter_column("token_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_web_sessions_user", "users", ["user_id"], ["id"])
    with op.batch_alter_table("idempotency_records") as batch:
        batch.alter_column("token_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_idempotency_records_user", "users", ["user_id"], ["id"])
        batch.create_unique_constraint("uq_idempotency_user_key", ["user_id", "key"])


def downgrade() -> None:
    """Drop users, and what people's sessions and idempotency keys left."""
    op.execute("DELETE FROM idempotency_records WHERE token_id IS NULL")
    op.execute("DELETE FROM web_sessions WHERE token_id IS NULL")
    with op.batch_alter_table("idempotency_records") as batch:
        batch.drop_constraint("uq_idempotency_user_key", type_="unique")
        batch.drop_constraint("fk_idempotency_records_user", type_="foreignkey")
        batch.drop_column("user_id")
        batch.alter_column("token_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_constraint("fk_web_sessions_user", type_="foreignkey")
        batch.drop_column("user_id")
        batch.alter_column("token_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint("fk_api_tokens_owner", type_="foreignkey")
        batch.drop_column("owner_id")
    op.drop_table("users")
