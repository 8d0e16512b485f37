"""course: half-yearly outcome snapshots claimed once per family, course and period

Revision ID: 0017_course
Revises: 0016_loose
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_course"
down_revision: str | None = "0016_loose"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outcome_periods",
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("course_start", sa.Date(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("taken_by", sa.String(length=36), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_outcome_periods_family_id_families"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["taken_by"], ["users.id"], name=op.f("fk_outcome_periods_taken_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("family_id", "course_start", "period", name=op.f("pk_outcome_periods")),
    )


def downgrade() -> None:
    op.drop_table("outcome_periods")
