"""meeting: the live follow-up meeting's draft of the minutes, and the pen (a lease on writing it)

Revision ID: 0018_meeting
Revises: 0017_course
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_meeting"
down_revision: str | None = "0017_course"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _user(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete="SET NULL"
    )


def upgrade() -> None:
    op.create_table(
        "plan_meeting_drafts",
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("decisions", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("goal_changes", sa.JSON(), nullable=False),
        sa.Column("opened_by", sa.String(length=36), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=36), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=36), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["plan_meetings.id"],
            name=op.f("fk_plan_meeting_drafts_meeting_id_plan_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["families.id"],
            name=op.f("fk_plan_meeting_drafts_family_id_families"),
            ondelete="CASCADE",
        ),
        _user("opened_by", "plan_meeting_drafts"),
        _user("updated_by", "plan_meeting_drafts"),
        _user("closed_by", "plan_meeting_drafts"),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_plan_meeting_drafts")),
    )
    op.create_index(
        op.f("ix_plan_meeting_drafts_family_id"), "plan_meeting_drafts", ["family_id"], unique=False
    )
    op.create_table(
        "plan_meeting_pens",
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("holder_user_id", sa.String(length=36), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_active_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["plan_meeting_drafts.meeting_id"],
            name=op.f("fk_plan_meeting_pens_meeting_id_plan_meeting_drafts"),
            ondelete="CASCADE",
        ),
        _user("holder_user_id", "plan_meeting_pens"),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_plan_meeting_pens")),
    )


def downgrade() -> None:
    op.drop_table("plan_meeting_pens")
    op.drop_index(op.f("ix_plan_meeting_drafts_family_id"), table_name="plan_meeting_drafts")
    op.drop_table("plan_meeting_drafts")
