"""break-the-glass: emergency access grants and their review (hub/access/breakglass)

Revision ID: 0011_breakglass
Revises: 0010_hotpath
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0011_breakglass"
down_revision: str | None = "0010_hotpath"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "break_glass_grants",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("reason_code", sa.String(length=32), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_verdict", sa.String(length=16), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=36), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["families.id"],
            name=op.f("fk_break_glass_grants_family_id_families"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_break_glass_grants_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass_grants")),
    )
    op.create_index(
        "ix_break_glass_grants_family_user",
        "break_glass_grants",
        ["family_id", "user_id", "expires_at"],
        unique=False,
    )
    op.create_index(
        "ix_break_glass_grants_review", "break_glass_grants", ["review_verdict", "granted_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_break_glass_grants_review", table_name="break_glass_grants")
    op.drop_index("ix_break_glass_grants_family_user", table_name="break_glass_grants")
    op.drop_table("break_glass_grants")
