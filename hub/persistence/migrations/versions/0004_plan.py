"""family action plan, meetings, measurements, history (hub.plan)

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('plan_goals',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('family_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('departments', sa.JSON(), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('PLANNED', 'IN_PROGRESS', 'ACHIEVED', 'DROPPED', name='goal_status', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_plan_goals_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_plan_goals_family_id_families'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_plan_goals_person_id_persons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_plan_goals_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_goals'))
    )
    op.create_index(op.f('ix_plan_goals_family_id'), 'plan_goals', ['family_id'], unique=False)
    op.create_index(op.f('ix_plan_goals_person_id'), 'plan_goals', ['person_id'], unique=False)
    op.create_table('plan_history',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('family_id', sa.String(length=36), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.String(length=36), nullable=True),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.String(length=36), nullable=False),
    sa.Column('change', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=True),
    sa.Column('plan_version', sa.Integer(), nullable=True),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('diff', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_plan_history_actor_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_plan_history_family_id_families'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_history'))
    )
    op.create_index('ix_plan_history_family_when', 'plan_history', ['family_id', 'occurred_at'], unique=False)
    op.create_table('plan_measurements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('family_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('instrument', sa.Enum('WHO5', 'SDQ', 'ORS', 'CORS', name='instrument', native_enum=False, length=32), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('respondent', sa.String(length=16), nullable=True),
    sa.Column('subscales', sa.JSON(), nullable=True),
    sa.Column('measured_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=36), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_plan_measurements_family_id_families'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_plan_measurements_person_id_persons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_plan_measurements_recorded_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_measurements'))
    )
    op.create_index(op.f('ix_plan_measurements_family_id'), 'plan_measurements', ['family_id'], unique=False)
    op.create_index('ix_plan_measurements_person_when', 'plan_measurements', ['person_id', 'measured_on'], unique=False)
    op.create_table('plan_meetings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('family_id', sa.String(length=36), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('SCHEDULED', 'HELD', name='meeting_status', native_enum=False, length=32), nullable=False),
    sa.Column('agenda', sa.JSON(), nullable=False),
    sa.Column('chair_user_id', sa.String(length=36), nullable=True),
    sa.Column('minutes', sa.Text(), nullable=True),
    sa.Column('decisions', sa.JSON(), nullable=False),
    sa.Column('next_meeting_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('minutes_recorded_by', sa.String(length=36), nullable=True),
    sa.Column('minutes_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chair_user_id'], ['users.id'], name=op.f('fk_plan_meetings_chair_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_plan_meetings_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_plan_meetings_family_id_families'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['minutes_recorded_by'], ['users.id'], name=op.f('fk_plan_meetings_minutes_recorded_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_meetings'))
    )
    op.create_index('ix_plan_meetings_family_when', 'plan_meetings', ['family_id', 'scheduled_at'], unique=False)
    op.create_table('plans',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('family_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_plans_family_id_families'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_plans_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('family_id', name=op.f('uq_plans_family_id'))
    )
    op.create_table('plan_actions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('family_id', sa.String(length=36), nullable=False),
    sa.Column('goal_id', sa.String(length=36), nullable=False),
    sa.Column('department', sa.Enum('SOF', 'BIF', 'BUF', 'KFF', 'SUF', name='department', native_enum=False, length=32), nullable=False),
    sa.Column('kind', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('responsible_user_id', sa.String(length=36), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('PLANNED', 'ACTIVE', 'COMPLETED', 'CANCELLED', name='action_status', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_plan_actions_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_plan_actions_family_id_families'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['goal_id'], ['plan_goals.id'], name=op.f('fk_plan_actions_goal_id_plan_goals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['responsible_user_id'], ['users.id'], name=op.f('fk_plan_actions_responsible_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_plan_actions_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_actions'))
    )
    op.create_index(op.f('ix_plan_actions_family_id'), 'plan_actions', ['family_id'], unique=False)
    op.create_index(op.f('ix_plan_actions_goal_id'), 'plan_actions', ['goal_id'], unique=False)
    op.create_table('plan_meeting_participants',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('meeting_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=True),
    sa.Column('user_id', sa.String(length=36), nullable=True),
    sa.CheckConstraint('(person_id IS NULL) <> (user_id IS NULL)', name=op.f('ck_plan_meeting_participants_one_party')),
    sa.ForeignKeyConstraint(['meeting_id'], ['plan_meetings.id'], name=op.f('fk_plan_meeting_participants_meeting_id_plan_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_plan_meeting_participants_person_id_persons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_plan_meeting_participants_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_meeting_participants'))
    )
    op.create_index(op.f('ix_plan_meeting_participants_meeting_id'), 'plan_meeting_participants', ['meeting_id'], unique=False)
    op.create_table('plan_progress_notes',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('goal_id', sa.String(length=36), nullable=False),
    sa.Column('author_user_id', sa.String(length=36), nullable=True),
    sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_user_id'], ['users.id'], name=op.f('fk_plan_progress_notes_author_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['goal_id'], ['plan_goals.id'], name=op.f('fk_plan_progress_notes_goal_id_plan_goals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_progress_notes'))
    )
    op.create_index(op.f('ix_plan_progress_notes_goal_id'), 'plan_progress_notes', ['goal_id'], unique=False)
    op.create_table('plan_meeting_actions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('meeting_id', sa.String(length=36), nullable=False),
    sa.Column('action_id', sa.String(length=36), nullable=False),
    sa.Column('change', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['plan_actions.id'], name=op.f('fk_plan_meeting_actions_action_id_plan_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['plan_meetings.id'], name=op.f('fk_plan_meeting_actions_meeting_id_plan_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_meeting_actions'))
    )
    op.create_index(op.f('ix_plan_meeting_actions_action_id'), 'plan_meeting_actions', ['action_id'], unique=False)
    op.create_index(op.f('ix_plan_meeting_actions_meeting_id'), 'plan_meeting_actions', ['meeting_id'], unique=False)
    # ### end Alembic commands ###


def downgrade() -> None:
    op.drop_index(op.f('ix_plan_meeting_actions_meeting_id'), table_name='plan_meeting_actions')
    op.drop_index(op.f('ix_plan_meeting_actions_action_id'), table_name='plan_meeting_actions')
    op.drop_table('plan_meeting_actions')
    op.drop_index(op.f('ix_plan_progress_notes_goal_id'), table_name='plan_progress_notes')
    op.drop_table('plan_progress_notes')
    op.drop_index(op.f('ix_plan_meeting_participants_meeting_id'), table_name='plan_meeting_participants')
    op.drop_table('plan_meeting_participants')
    op.drop_index(op.f('ix_plan_actions_goal_id'), table_name='plan_actions')
    op.drop_index(op.f('ix_plan_actions_family_id'), table_name='plan_actions')
    op.drop_table('plan_actions')
    op.drop_table('plans')
    op.drop_index('ix_plan_meetings_family_when', table_name='plan_meetings')
    op.drop_table('plan_meetings')
    op.drop_index('ix_plan_measurements_person_when', table_name='plan_measurements')
    op.drop_index(op.f('ix_plan_measurements_family_id'), table_name='plan_measurements')
    op.drop_table('plan_measurements')
    op.drop_index('ix_plan_history_family_when', table_name='plan_history')
    op.drop_table('plan_history')
    op.drop_index(op.f('ix_plan_goals_person_id'), table_name='plan_goals')
    op.drop_index(op.f('ix_plan_goals_family_id'), table_name='plan_goals')
    op.drop_table('plan_goals')
    # ### end Alembic commands ###
