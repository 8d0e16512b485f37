"""pushed department events, cache, dead letters (hub.ingestion)

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _department() -> sa.Enum:
    return sa.Enum("SOF", "BIF", "BUF", "KFF", "SUF", name="department", native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "ingestion_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("department", _department(), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("record_kind", sa.String(length=64), nullable=True),
        sa.Column("record_id", sa.String(length=128), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_code", sa.String(length=32), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("error_field", sa.String(length=64), nullable=True),
        sa.Column("client", sa.String(length=16), nullable=False),
        sa.Column("record", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_ingestion_events_person_id_persons"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingestion_events")),
        sa.UniqueConstraint("department", "event_id", name="uq_ingestion_events_department_event_id"),
    )
    with op.batch_alter_table("ingestion_events", schema=None) as batch_op:
        batch_op.create_index("ix_ingestion_events_person_occurred", ["person_id", "occurred_at"], unique=False)

    op.create_table(
        "ingestion_record_versions",
        sa.Column("department", _department(), nullable=False),
        sa.Column("record_kind", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_ingestion_record_versions_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("department", "record_kind", "record_id", name=op.f("pk_ingestion_record_versions")),
    )
    with op.batch_alter_table("ingestion_record_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ingestion_record_versions_person_id"), ["person_id"], unique=False)

    op.create_table(
        "ingestion_cache",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("department", _department(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=True),
        sa.Column("not_registered", sa.Boolean(), nullable=False),
        sa.Column("record_kind", sa.String(length=64), nullable=True),
        sa.Column("record_id", sa.String(length=128), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_ingestion_cache_person_id_persons"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", "department", name=op.f("pk_ingestion_cache")),
    )

    op.create_table(
        "ingestion_dead_letters",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("department", _department(), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error_code", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("error_field", sa.String(length=64), nullable=True),
        sa.Column("client", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("subject_cpr_encrypted", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingestion_dead_letters")),
    )
    with op.batch_alter_table("ingestion_dead_letters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ingestion_dead_letters_department"), ["department"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ingestion_dead_letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingestion_dead_letters_department"))
    op.drop_table("ingestion_dead_letters")
    op.drop_table("ingestion_cache")
    with op.batch_alter_table("ingestion_record_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingestion_record_versions_person_id"))
    op.drop_table("ingestion_record_versions")
    with op.batch_alter_table("ingestion_events", schema=None) as batch_op:
        batch_op.drop_index("ix_ingestion_events_person_occurred")
    op.drop_table("ingestion_events")
