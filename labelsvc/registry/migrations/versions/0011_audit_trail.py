"""Keep the audit trail: an insert-only, hash-chained table of governed changes and its head.

Revision ID: 0011
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0007"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
GENESIS = "0" * 64

# The head moves forward by one row, to a row of the trail; the trail is never changed.
HEAD_MOVES = ("NEW.id = OLD.id AND NEW.last_id = OLD.last_id + 1 AND EXISTS (SELECT 1 FROM audit "
              "WHERE audit.id = NEW.last_id AND audit.row_hash = NEW.last_hash)")

POSTGRES_UP = [
    f"""CREATE FUNCTION labelsvc_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_TABLE_NAME = 'audit_chain' AND TG_OP = 'UPDATE' THEN
        IF {HEAD_MOVES} THEN RETURN NEW; END IF;
        RAISE EXCEPTION 'the audit trail''s head only moves forward to its newest row'
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      RAISE EXCEPTION 'the audit trail is insert-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
    END $$""",
    "CREATE TRIGGER audit_insert_only BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION labelsvc_audit_refuse()",
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION labelsvc_audit_refuse()",
    "CREATE TRIGGER audit_chain_forward BEFORE UPDATE OR DELETE ON audit_chain "
    "FOR EACH ROW EXECUTE FUNCTION labelsvc_audit_refuse()",
    "CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain "
    "FOR EACH STATEMENT EXECUTE FUNCTION labelsvc_audit_refuse()",
]
POSTGRES_DOWN = ["DROP TRIGGER audit_chain_no_truncate ON audit_chain",
                 "DROP TRIGGER audit_chain_forward ON audit_chain",
                 "DROP TRIGGER audit_no_truncate ON audit",
                 "DROP TRIGGER audit_insert_only ON audit",
                 "DROP FUNCTION labelsvc_audit_refuse()"]
SQLITE_UP = [
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN "
    "SELECT RAISE(ABORT, 'the audit trail is insert-only: UPDATE on audit is refused'); END",
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN "
    "SELECT RAISE(ABORT, 'the audit trail is insert-only: DELETE on audit is refused'); END",
    f"CREATE TRIGGER audit_chain_forward BEFORE UPDATE ON audit_chain WHEN NOT ({HEAD_MOVES}) "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail''s head only moves forward to its newest "
    "row'); END",
    "CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain BEGIN "
    "SELECT RAISE(ABORT, 'the audit trail is insert-only: DELETE on audit_chain is refused'); "
    "END",
]
SQLITE_DOWN = ["DROP TRIGGER audit_chain_no_delete", "DROP TRIGGER audit_chain_forward",
               "DROP TRIGGER audit_no_delete", "DROP TRIGGER audit_no_update"]


def upgrade() -> None:
    """Create audit and audit_chain (at the genesis value) and the triggers that keep them."""
    op.create_table(
        "audit",
        sa.Column("id", BigId, autoincrement=False, nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_token", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=True),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("target_kind", sa.String(length=50), nullable=False),
        sa.Column("target_name", sa.String(length=200), nullable=False),
        sa.Column("target_id", sa.String(length=100), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("prev_hash"),
        sa.UniqueConstraint("row_hash"),
    )
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_index("ix_audit_action", "audit", ["action"])
    op.create_index("ix_audit_target", "audit", ["target_kind", "target_name"])
    chain = op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(chain, [{"id": 1, "last_id": 0, "last_hash": GENESIS}])
    for statement in POSTGRES_UP if op.get_bind().dialect.name == "postgresql" else SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    """Drop the triggers, audit_chain and audit."""
    for statement in POSTGRES_DOWN if op.get_bind().dialect.name == "postgresql" else SQLITE_DOWN:
        op.execute(statement)
    op.drop_table("audit_chain")
    op.drop_index("ix_audit_target", table_name="audit")
    op.drop_index("ix_audit_action", table_name="audit")
    op.drop_index("ix_audit_at", table_name="audit")
    op.drop_table("audit")
