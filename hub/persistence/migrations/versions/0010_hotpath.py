"""hot path: the facts epoch row the read model checks once per request (hub/readmodel)

Every committed change to access, consent, membership or user facts moves `facts_epoch.epoch` in its own
transaction; each hub process compares it with the epoch its in-process read model reflects.

Revision ID: 0010_hotpath
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_hotpath"
down_revision: str | None = "0009_course"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "facts_epoch",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facts_epoch")),
    )
    op.bulk_insert(table, [{"id": 1, "epoch": 0}])


def downgrade() -> None:
    op.drop_table("facts_epoch")
