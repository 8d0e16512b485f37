"""subscription resume: `family_updates`, every announced family update numbered (its id is the cursor)

Revision ID: 0014_feed
Revises: 0013_outcomes
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_feed"
down_revision: str | None = "0013_outcomes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "family_updates",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_family_updates_family_id_families"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_updates")),
    )
    with op.batch_alter_table("family_updates", schema=None) as batch_op:
        batch_op.create_index("ix_family_updates_family_id_id", ["family_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("family_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_family_updates_family_id_id")
    op.drop_table("family_updates")
