"""bigint versions: pushed record versions are 64-bit (millisecond timestamps, 64-bit sequence numbers)

The hub accepted versions up to 2**62 while the columns were 32-bit INTEGER, so on PostgreSQL a version of 2**31
or more failed its whole batch. The columns now match the accepted range (hub/ingestion/versions.py).

Also `ingestion_events.content_hash`: a keyed hash of each event's content, so that an event id reused with
different content is answered CONFLICT instead of as a replay (NULL for events stored before).

Revision ID: 0008_bigint_versions
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_bigint_versions"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("ingestion_events", True),
    ("ingestion_record_versions", False),
    ("ingestion_cache", True),
)


def upgrade() -> None:
    with op.batch_alter_table("ingestion_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
    for table, nullable in _COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "version", existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=nullable
            )


def downgrade() -> None:
    # Refuses (on PostgreSQL) while any stored version exceeds 32 bits, rather than losing it.
    for table, nullable in reversed(_COLUMNS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "version", existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=nullable
            )
    with op.batch_alter_table("ingestion_events", schema=None) as batch_op:
        batch_op.drop_column("content_hash")
