"""loose: a statutory basis ended early (who, when, why); plan entries marked as obtained under a withdrawn consent;
contact points at enrolment

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
    with op.batch_alter_table("enrolment_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_points", sa.Integer(), nullable=True))
    op.create_table(
        "plan_withdrawn_consent_marks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("consent_id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["consents.id"],
            name=op.f("fk_plan_withdrawn_consent_marks_consent_id_consents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["families.id"],
            name=op.f("fk_plan_withdrawn_consent_marks_family_id_families"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_withdrawn_consent_marks")),
    )
    op.create_index(
        "ix_plan_withdrawn_consent_marks_entry", "plan_withdrawn_consent_marks", ["entity_id"], unique=False
    )
    op.create_index(
        "ix_plan_withdrawn_consent_marks_family", "plan_withdrawn_consent_marks", ["family_id"], unique=False
    )
    with op.batch_alter_table("statutory_bases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ended_by", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("end_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_statutory_bases_ended_by_users"), "users", ["ended_by"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("enrolment_events", schema=None) as batch_op:
        batch_op.drop_column("contact_points")
    op.drop_index("ix_plan_withdrawn_consent_marks_family", table_name="plan_withdrawn_consent_marks")
    op.drop_index("ix_plan_withdrawn_consent_marks_entry", table_name="plan_withdrawn_consent_marks")
    op.drop_table("plan_withdrawn_consent_marks")
    with op.batch_alter_table("statutory_bases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_statutory_bases_ended_by_users"), type_="foreignkey")
        batch_op.drop_column("end_reason")
        batch_op.drop_column("ended_by")
        batch_op.drop_column("ended_at")
