"""tamper-evident audit log: per-kind entry chains, their heads, purge checkpoints

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KIND = sa.Enum("CITIZEN_FACING", "SECURITY", "CHANGE", name="audit_kind", native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("chain", _KIND, nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "READ", "SEARCH", "CHANGE", "EXPORT", "CONSENT_CHANGE", "PUSH",
                name="audit_action", native_enum=False, length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "decision",
            sa.Enum("GRANTED", "DENIED", name="audit_decision", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("actor_user_id", sa.String(length=36), nullable=True),
        sa.Column(
            "actor_role",
            sa.Enum(
                "COORDINATOR", "CORE_TEAM", "CASEWORKER", "CITIZEN", "DEPARTMENT_SYSTEM", "STEERING_GROUP", "ADMIN",
                name="role", native_enum=False, length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "actor_department",
            sa.Enum("SOF", "BIF", "BUF", "KFF", "SUF", name="department", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("actor_unit", sa.String(length=120), nullable=False),
        sa.Column("client", sa.String(length=32), nullable=False),
        sa.Column("subject_person_id", sa.String(length=36), nullable=True),
        sa.Column("family_id", sa.String(length=36), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("basis", sa.String(length=120), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("chain", "seq", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entries_chain_recorded", ["chain", "recorded_at"], unique=False)
        batch_op.create_index("ix_audit_entries_subject_occurred", ["subject_person_id", "occurred_at"], unique=False)

    op.create_table(
        "audit_heads",
        sa.Column("chain", _KIND, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_audit_heads")),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("chain", _KIND, nullable=False),
        sa.Column("cut_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("cut_hash", sa.String(length=64), nullable=False),
        sa.Column("cutoff", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purged_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("chain", "cut_seq", name=op.f("pk_audit_checkpoints")),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_heads")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_subject_occurred")
        batch_op.drop_index("ix_audit_entries_chain_recorded")
    op.drop_table("audit_entries")
