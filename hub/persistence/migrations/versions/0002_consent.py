"""consent registry and statutory bases (filled in by hub.consent)

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DEPARTMENT = sa.Enum("SOF", "BIF", "BUF", "KFF", "SUF", name="department", native_enum=False, length=32)
_CATEGORY = sa.Enum("CASE", "HEALTH", name="data_category", native_enum=False, length=32)
_CHANNEL = sa.Enum(
    "DIGITAL", "PAPER", "VERBAL_JOURNALISED", name="consent_channel", native_enum=False, length=32
)


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum("HFI_COORDINATION", name="consent_purpose", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("collected_via", _CHANNEL, nullable=False),
        sa.Column("collected_by", sa.String(length=36), nullable=False),
        sa.Column("evidence_ref", sa.String(length=200), nullable=False),
        sa.Column("child_view", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "WITHDRAWN",
                "EXPIRED",
                "SUPERSEDED",
                name="consent_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_user_id", sa.String(length=36), nullable=True),
        sa.Column("withdrawn_by_person_id", sa.String(length=36), nullable=True),
        sa.Column("withdrawal_channel", _CHANNEL, nullable=True),
        sa.Column("superseded_by", sa.String(length=36), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["collected_by"], ["users.id"], name=op.f("fk_consents_collected_by_users")),
        sa.ForeignKeyConstraint(["family_id"], ["families.id"], name=op.f("fk_consents_family_id_families")),
        sa.ForeignKeyConstraint(["subject_id"], ["persons.id"], name=op.f("fk_consents_subject_id_persons")),
        sa.ForeignKeyConstraint(
            ["superseded_by"], ["consents.id"], name=op.f("fk_consents_superseded_by_consents")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_person_id"],
            ["persons.id"],
            name=op.f("fk_consents_withdrawn_by_person_id_persons"),
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_user_id"], ["users.id"], name=op.f("fk_consents_withdrawn_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index("ix_consents_family_subject", "consents", ["family_id", "subject_id"], unique=False)
    op.create_index(op.f("ix_consents_subject_id"), "consents", ["subject_id"], unique=False)

    op.create_table(
        "consent_grantors",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("consent_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column(
            "capacity",
            sa.Enum("SELF", "CUSTODY_HOLDER", name="grantor_capacity", native_enum=False, length=32),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["consents.id"],
            name=op.f("fk_consent_grantors_consent_id_consents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_consent_grantors_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_grantors")),
        sa.UniqueConstraint("consent_id", "person_id", name="uq_consent_grantors_consent_person"),
    )
    op.create_index(op.f("ix_consent_grantors_consent_id"), "consent_grantors", ["consent_id"], unique=False)

    op.create_table(
        "consent_departments",
        sa.Column("consent_id", sa.String(length=36), nullable=False),
        sa.Column("department", _DEPARTMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["consents.id"],
            name=op.f("fk_consent_departments_consent_id_consents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consent_id", "department", name=op.f("pk_consent_departments")),
    )
    op.create_table(
        "consent_categories",
        sa.Column("consent_id", sa.String(length=36), nullable=False),
        sa.Column("category", _CATEGORY, nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["consents.id"],
            name=op.f("fk_consent_categories_consent_id_consents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consent_id", "category", name=op.f("pk_consent_categories")),
    )

    op.create_table(
        "statutory_bases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("statute_reference", sa.String(length=200), nullable=False),
        sa.Column("case_reference", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=36), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_statutory_bases_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_statutory_bases_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["persons.id"], name=op.f("fk_statutory_bases_subject_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statutory_bases")),
    )
    op.create_index(op.f("ix_statutory_bases_family_id"), "statutory_bases", ["family_id"], unique=False)
    op.create_index(op.f("ix_statutory_bases_subject_id"), "statutory_bases", ["subject_id"], unique=False)

    op.create_table(
        "statutory_basis_departments",
        sa.Column("basis_id", sa.String(length=36), nullable=False),
        sa.Column("department", _DEPARTMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["basis_id"],
            ["statutory_bases.id"],
            name=op.f("fk_statutory_basis_departments_basis_id_statutory_bases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("basis_id", "department", name=op.f("pk_statutory_basis_departments")),
    )
    op.create_table(
        "statutory_basis_categories",
        sa.Column("basis_id", sa.String(length=36), nullable=False),
        sa.Column("category", _CATEGORY, nullable=False),
        sa.ForeignKeyConstraint(
            ["basis_id"],
            ["statutory_bases.id"],
            name=op.f("fk_statutory_basis_categories_basis_id_statutory_bases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("basis_id", "category", name=op.f("pk_statutory_basis_categories")),
    )


def downgrade() -> None:
    op.drop_table("statutory_basis_categories")
    op.drop_table("statutory_basis_departments")
    op.drop_index(op.f("ix_statutory_bases_subject_id"), table_name="statutory_bases")
    op.drop_index(op.f("ix_statutory_bases_family_id"), table_name="statutory_bases")
    op.drop_table("statutory_bases")
    op.drop_table("consent_categories")
    op.drop_table("consent_departments")
    op.drop_index(op.f("ix_consent_grantors_consent_id"), table_name="consent_grantors")
    op.drop_table("consent_grantors")
    op.drop_index(op.f("ix_consents_subject_id"), table_name="consents")
    op.drop_index("ix_consents_family_subject", table_name="consents")
    op.drop_table("consents")
