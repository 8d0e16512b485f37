"""enrolment: history, eligibility assessments, outcome snapshots at enrolment, the capacity lock (hub.enrolment)

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "enrolment_locks",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_enrolment_locks")),
    )
    op.create_table(
        "eligibility_assessments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assessed_by", sa.String(length=36), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "ELIGIBLE",
                "NOT_ELIGIBLE",
                "UNKNOWN",
                name="eligibility_outcome",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessed_by"],
            ["users.id"],
            name=op.f("fk_eligibility_assessments_assessed_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["families.id"],
            name=op.f("fk_eligibility_assessments_family_id_families"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_assessments")),
    )
    op.create_index(
        "ix_eligibility_assessments_family_when",
        "eligibility_assessments",
        ["family_id", "assessed_at"],
        unique=False,
    )
    op.create_table(
        "enrolment_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "WAITLISTED", "ENROLLED", "CLOSED", name="enrolment_event_kind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "REFERRED",
                "WAITLISTED",
                "ACTIVE",
                "CLOSED",
                name="enrolment_from_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "REFERRED",
                "WAITLISTED",
                "ACTIVE",
                "CLOSED",
                name="enrolment_to_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "district",
            sa.Enum("NORREBRO", "BISPEBJERG", name="district", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("actor_user_id", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "handed_over_to",
            sa.Enum("SOF", "BIF", "BUF", "KFF", "SUF", name="department", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("assessment_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name=op.f("fk_enrolment_events_actor_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["eligibility_assessments.id"],
            name=op.f("fk_enrolment_events_assessment_id_eligibility_assessments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["families.id"],
            name=op.f("fk_enrolment_events_family_id_families"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_events")),
    )
    op.create_index(
        "ix_enrolment_events_family_when", "enrolment_events", ["family_id", "occurred_at"], unique=False
    )
    op.create_index("ix_enrolment_events_kind_on", "enrolment_events", ["kind", "effective_on"], unique=False)
    op.create_table(
        "enrolment_snapshots",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("age", sa.Integer(), nullable=False),
        sa.Column("cash_benefit", sa.Boolean(), nullable=True),
        sa.Column("high_absence", sa.Boolean(), nullable=True),
        sa.Column("leisure_active", sa.Boolean(), nullable=True),
        sa.Column("gaps", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["enrolment_events.id"],
            name=op.f("fk_enrolment_snapshots_event_id_enrolment_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["families.id"],
            name=op.f("fk_enrolment_snapshots_family_id_families"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_enrolment_snapshots_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_snapshots")),
        sa.UniqueConstraint("event_id", "person_id", name="uq_enrolment_snapshots_event_person"),
    )
    op.create_index(
        op.f("ix_enrolment_snapshots_event_id"), "enrolment_snapshots", ["event_id"], unique=False
    )
    op.create_index(
        op.f("ix_enrolment_snapshots_family_id"), "enrolment_snapshots", ["family_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_enrolment_snapshots_family_id"), table_name="enrolment_snapshots")
    op.drop_index(op.f("ix_enrolment_snapshots_event_id"), table_name="enrolment_snapshots")
    op.drop_table("enrolment_snapshots")
    op.drop_index("ix_enrolment_events_kind_on", table_name="enrolment_events")
    op.drop_index("ix_enrolment_events_family_when", table_name="enrolment_events")
    op.drop_table("enrolment_events")
    op.drop_index("ix_eligibility_assessments_family_when", table_name="eligibility_assessments")
    op.drop_table("eligibility_assessments")
    op.drop_table("enrolment_locks")
