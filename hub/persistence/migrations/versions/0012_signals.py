"""signals: acknowledgements of early signals (append-only; the signals themselves are computed, not stored)

Revision ID: 0012_signals
Revises: 0011_breakglass
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_signals"
down_revision: str | None = "0011_breakglass"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signal_acknowledgements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("signal_key", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=36), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["families.id"],
            name=op.f("fk_signal_acknowledgements_family_id_families"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["users.id"],
            name=op.f("fk_signal_acknowledgements_acknowledged_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_acknowledgements")),
    )
    op.create_index(
        "ix_signal_acknowledgements_family_key",
        "signal_acknowledgements",
        ["family_id", "signal_key"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_signal_acknowledgements_family_key", table_name="signal_acknowledgements")
    op.drop_table("signal_acknowledgements")
