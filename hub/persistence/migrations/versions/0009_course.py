"""the programme's course: why a consent was ended by the hub; cancelled meetings (reason, when, by whom)

Closing a family ends its HFI consents (`consents.withdrawal_reason` = FAMILY_CLOSED) and cancels its upcoming
meetings; a meeting can also be cancelled on its own, with a reason (`plan_meetings.cancel_reason`,
`cancelled_at`, `cancelled_by`). MeetingStatus gains CANCELLED (a string column without a CHECK constraint).

Revision ID: 0009_course
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_course"
down_revision: str | None = "0008_bigint_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawal_reason", sa.String(length=32), nullable=True))
    with op.batch_alter_table("plan_meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cancelled_by", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_plan_meetings_cancelled_by_users"), "users", ["cancelled_by"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("plan_meetings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_plan_meetings_cancelled_by_users"), type_="foreignkey")
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_by")
        batch_op.drop_column("cancelled_at")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_column("withdrawal_reason")
