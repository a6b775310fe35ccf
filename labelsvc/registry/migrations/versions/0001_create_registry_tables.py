"""Create the registry tables: schemes, counters, identifiers, events, genealogy, tokens.

Revision ID: 0001
Revises: -
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the registry tables."""
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "schemes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("seeded", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "counters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("next", sa.BigInteger(), nullable=False),
        sa.Column("skipped", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["schemes.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scheme_id", "key", name="uq_counters_key"),
    )
    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_id", "key", name="uq_idempotency_key"),
    )
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_records_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "scheme_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["schemes.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scheme_id", "version", name="uq_scheme_versions_version"),
    )
    op.create_table(
        "counter_skips",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_id"],
            ["counters.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("counter_skips", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_counter_skips_counter_id"), ["counter_id"], unique=False
        )

    op.create_table(
        "identifiers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("scheme_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("production_date", sa.Date(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("lot_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("uom", sa.String(length=20), nullable=True),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("supplier", sa.String(length=200), nullable=True),
        sa.Column("supplier_lot", sa.String(length=200), nullable=True),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("site", sa.String(length=200), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("warranty_days", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["counter_id"],
            ["counters.id"],
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"],
            ["identifiers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["schemes.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("value"),
    )
    with op.batch_alter_table("identifiers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identifiers_expiry"), ["expiry"], unique=False)
        batch_op.create_index(batch_op.f("ix_identifiers_issued_at"), ["issued_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_identifiers_lot_id"), ["lot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_identifiers_model"), ["model"], unique=False)
        batch_op.create_index(batch_op.f("ix_identifiers_scheme_id"), ["scheme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_identifiers_site"), ["site"], unique=False)
        batch_op.create_index(batch_op.f("ix_identifiers_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_identifiers_supplier_lot"), ["supplier_lot"], unique=False
        )

    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "identifier_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["identifier_id"],
            ["identifiers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_events_identifier_id"), ["identifier_id"], unique=False
        )

    op.create_table(
        "genealogy",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "parent_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "component_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["component_id"],
            ["identifiers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["identifiers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("parent_id", "component_id", name="uq_genealogy_link"),
    )
    with op.batch_alter_table("genealogy", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_genealogy_component_id"), ["component_id"], unique=False
        )


def downgrade() -> None:
    """Drop the registry tables."""
    with op.batch_alter_table("genealogy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_genealogy_component_id"))

    op.drop_table("genealogy")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_identifier_id"))

    op.drop_table("events")
    with op.batch_alter_table("identifiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identifiers_supplier_lot"))
        batch_op.drop_index(batch_op.f("ix_identifiers_status"))
        batch_op.drop_index(batch_op.f("ix_identifiers_site"))
        batch_op.drop_index(batch_op.f("ix_identifiers_scheme_id"))
        batch_op.drop_index(batch_op.f("ix_identifiers_model"))
        batch_op.drop_index(batch_op.f("ix_identifiers_lot_id"))
        batch_op.drop_index(batch_op.f("ix_identifiers_issued_at"))
        batch_op.drop_index(batch_op.f("ix_identifiers_expiry"))

    op.drop_table("identifiers")
    with op.batch_alter_table("counter_skips", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_counter_skips_counter_id"))

    op.drop_table("counter_skips")
    op.drop_table("scheme_versions")
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_records_created_at"))

    op.drop_table("idempotency_records")
    op.drop_table("counters")
    op.drop_table("schemes")
    op.drop_table("api_tokens")
