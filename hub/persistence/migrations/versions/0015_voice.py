"""voice: the family's own words beside the plan, self-reported scores, language and interpreter needs

Revision ID: 0015_voice
Revises: 0014_feed
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_voice"
down_revision: str | None = "0014_feed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_family_voice",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("goal_id", sa.String(length=36), nullable=True),
        sa.Column("meeting_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_by_person", sa.String(length=36), nullable=True),
        sa.Column("recorded_by", sa.String(length=36), nullable=True),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shared_with_parents", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["families.id"],
            name=op.f("fk_plan_family_voice_family_id_families"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_plan_family_voice_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["plan_goals.id"],
            name=op.f("fk_plan_family_voice_goal_id_plan_goals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["plan_meetings.id"],
            name=op.f("fk_plan_family_voice_meeting_id_plan_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["written_by_person"],
            ["persons.id"],
            name=op.f("fk_plan_family_voice_written_by_person_persons"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["users.id"],
            name=op.f("fk_plan_family_voice_recorded_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_family_voice")),
    )
    op.create_index(op.f("ix_plan_family_voice_family_id"), "plan_family_voice", ["family_id"], unique=False)
    op.create_index("ix_plan_family_voice_goal", "plan_family_voice", ["goal_id", "written_at"], unique=False)
    op.create_table(
        "plan_language_needs",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("interpreter_needed", sa.Boolean(), nullable=False),
        sa.Column("interpreter_for", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=36), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_plan_language_needs_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_plan_language_needs_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_plan_language_needs")),
    )
    with op.batch_alter_table("plan_measurements") as batch:
        batch.add_column(sa.Column("self_reported_by", sa.String(length=36), nullable=True))
        batch.create_foreign_key(
            op.f("fk_plan_measurements_self_reported_by_persons"),
            "persons",
            ["self_reported_by"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("plan_measurements") as batch:
        batch.drop_constraint(op.f("fk_plan_measurements_self_reported_by_persons"), type_="foreignkey")
        batch.drop_column("self_reported_by")
    op.drop_table("plan_language_needs")
    op.drop_index("ix_plan_family_voice_goal", table_name="plan_family_voice")
    op.drop_index(op.f("ix_plan_family_voice_family_id"), table_name="plan_family_voice")
    op.drop_table("plan_family_voice")
