"""family list indexes: (district, id), (status, id) for keyset pages; team (family_id, user_id, …) for scope

Lists page in id order filtered by district or status (hub.family.repository) and probe, per candidate family,
whether the viewer is on its team (hub.access.scope). The single-column status and team family_id indexes are
replaced by these composites, which serve every look-up they did.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("families", schema=None) as batch_op:
        batch_op.create_index("ix_families_district_id", ["district", "id"], unique=False)
        batch_op.create_index("ix_families_status_id", ["status", "id"], unique=False)
        batch_op.drop_index(batch_op.f("ix_families_status"))
    with op.batch_alter_table("team_assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_team_assignments_family_user", ["family_id", "user_id", "since", "until"], unique=False
        )
        batch_op.drop_index(batch_op.f("ix_team_assignments_family_id"))


def downgrade() -> None:
    with op.batch_alter_table("team_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_assignments_family_id"), ["family_id"], unique=False)
        batch_op.drop_index("ix_team_assignments_family_user")
    with op.batch_alter_table("families", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_families_status"), ["status"], unique=False)
        batch_op.drop_index("ix_families_status_id")
        batch_op.drop_index("ix_families_district_id")
