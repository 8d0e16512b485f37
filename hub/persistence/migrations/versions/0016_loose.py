"""loose: a statutory basis ended early (who, when, why); plan entries marked as obtained under a withdrawn consent

Revision ID: 0016_loose
Revises: 0015_voice
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_loose"
down_revision: str | None = "0015_voice"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("statutory_bases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ended_by", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("end_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_statutory_bases_ended_by_users"), "users", ["ended_by"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("statutory_bases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_statutory_bases_ended_by_users"), type_="foreignkey")
        batch_op.drop_column("end_reason")
        batch_op.drop_column("ended_by")
        batch_op.drop_column("ended_at")
