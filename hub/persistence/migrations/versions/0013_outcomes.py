"""outcomes: exit criteria on plan goals; the hand-over record written at closure; outcome snapshots

Revision ID: 0013_outcomes
Revises: 0012_signals
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_outcomes"
down_revision: str | None = "0012_signals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_exit_criteria",
        sa.Column("goal_id", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("marked_by", sa.String(length=36), nullable=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["plan_goals.id"],
            name=op.f("fk_plan_exit_criteria_goal_id_plan_goals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["families.id"],
            name=op.f("fk_plan_exit_criteria_family_id_families"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marked_by"],
            ["users.id"],
            name=op.f("fk_plan_exit_criteria_marked_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("goal_id", name=op.f("pk_plan_exit_criteria")),
    )
    op.create_index(
        op.f("ix_plan_exit_criteria_family_id"), "plan_exit_criteria", ["family_id"], unique=False
    )
    op.create_table(
        "family_handovers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("receiving_unit", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("continuing_goal_ids", sa.JSON(), nullable=False),
        sa.Column("family_told_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=36), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["families.id"],
            name=op.f("fk_family_handovers_family_id_families"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["users.id"],
            name=op.f("fk_family_handovers_recorded_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_handovers")),
    )
    op.create_index(op.f("ix_family_handovers_family_id"), "family_handovers", ["family_id"], unique=False)
    op.create_table(
        "outcome_snapshots",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("occasion", sa.String(length=16), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("taken_by", sa.String(length=36), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_outcome_snapshots_family_id_families"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_outcome_snapshots_person_id_persons"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["taken_by"], ["users.id"], name=op.f("fk_outcome_snapshots_taken_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_snapshots")),
    )
    op.create_index("ix_outcome_snapshots_family_taken", "outcome_snapshots", ["family_id", "taken_on"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outcome_snapshots_family_taken", table_name="outcome_snapshots")
    op.drop_table("outcome_snapshots")
    op.drop_index(op.f("ix_family_handovers_family_id"), table_name="family_handovers")
    op.drop_table("family_handovers")
    op.drop_index(op.f("ix_plan_exit_criteria_family_id"), table_name="plan_exit_criteria")
    op.drop_table("plan_exit_criteria")
