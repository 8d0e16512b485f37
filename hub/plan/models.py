"""Tables owned by hub.plan: the family action plan, its goals and actions, meetings, measurements, history.

The core team itself lives in the core `team_assignments` table and memberships in `memberships`; this module
only adds what the hub alone knows about working with a family. No CPR number is ever stored here: persons are
referenced by hub person id.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain import Department
from hub.persistence.base import Base, UTCDateTime, new_id, utcnow
from hub.plan.domain import ActionStatus, GoalStatus, Instrument, MeetingStatus


def _enum(enum_cls: type, name: str) -> Enum:
    # As in the core tables: strings with a CHECK constraint, portable across SQLite and PostgreSQL.
    return Enum(enum_cls, name=name, native_enum=False, length=32, validate_strings=True)


def _user_fk() -> ForeignKey:
    # A worker who leaves the hub must not take the family's record with them: keep the row, lose the link.
    return ForeignKey("users.id", ondelete="SET NULL")


class Plan(Base):
    """One family action plan (familiehandleplan) per family. `version` guards edits of goals and actions."""

    __tablename__ = "plans"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(_user_fk())


class Goal(Base):
    """A goal for the whole family (`person_id` None) or for one member."""

    __tablename__ = "plan_goals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    departments: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[GoalStatus] = mapped_column(_enum(GoalStatus, "goal_status"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(_user_fk())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(_user_fk())


class ProgressNote(Base):
    __tablename__ = "plan_progress_notes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    goal_id: Mapped[str] = mapped_column(ForeignKey("plan_goals.id", ondelete="CASCADE"), index=True)
    author_user_id: Mapped[str | None] = mapped_column(_user_fk())
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)


class PlanAction(Base):
    """An action (indsats) under a goal: a department's service with a responsible worker."""

    __tablename__ = "plan_actions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    goal_id: Mapped[str] = mapped_column(ForeignKey("plan_goals.id", ondelete="CASCADE"), index=True)
    department: Mapped[Department] = mapped_column(_enum(Department, "department"))
    kind: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    responsible_user_id: Mapped[str | None] = mapped_column(_user_fk())
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(_enum(ActionStatus, "action_status"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(_user_fk())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(_user_fk())


class Meeting(Base):
    """A follow-up meeting (familiehandleplansmøde). Its minutes act as the steering plan."""

    __tablename__ = "plan_meetings"
    __table_args__ = (Index("ix_plan_meetings_family_when", "family_id", "scheduled_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[MeetingStatus] = mapped_column(_enum(MeetingStatus, "meeting_status"))
    agenda: Mapped[list[str]] = mapped_column(JSON, default=list)
    chair_user_id: Mapped[str | None] = mapped_column(_user_fk())
    minutes: Mapped[str | None] = mapped_column(Text)
    decisions: Mapped[list[str]] = mapped_column(JSON, default=list)
    next_meeting_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes_recorded_by: Mapped[str | None] = mapped_column(_user_fk())
    minutes_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str | None] = mapped_column(_user_fk())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str | None] = mapped_column(_user_fk())
    cancel_reason: Mapped[str | None] = mapped_column(Text)


class MeetingParticipant(Base):
    """One participant of a meeting: a family member (`person_id`) or a worker (`user_id`), never both."""

    __tablename__ = "plan_meeting_participants"
    __table_args__ = (
        CheckConstraint(
            "(person_id IS NULL) <> (user_id IS NULL)",
            name="one_party",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("plan_meetings.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    user_id: Mapped[str | None] = mapped_column(_user_fk())


class MeetingActionChange(Base):
    """An action created or changed at a meeting (so the minutes show what the meeting decided to do)."""

    __tablename__ = "plan_meeting_actions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("plan_meetings.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[str] = mapped_column(ForeignKey("plan_actions.id", ondelete="CASCADE"), index=True)
    change: Mapped[str] = mapped_column(String(16))  # CREATED or UPDATED


class Measurement(Base):
    """A wellbeing measurement of one member (WHO-5, SDQ, ORS, CORS)."""

    __tablename__ = "plan_measurements"
    __table_args__ = (Index("ix_plan_measurements_person_when", "person_id", "measured_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    instrument: Mapped[Instrument] = mapped_column(_enum(Instrument, "instrument"))
    score: Mapped[float] = mapped_column(Float)
    respondent: Mapped[str | None] = mapped_column(String(16))  # SDQ only
    subscales: Mapped[dict[str, int] | None] = mapped_column(JSON)  # SDQ only, optional
    measured_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str | None] = mapped_column(_user_fk())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    # Self-reported by the family member (hub/plan/voice.py): the person who answered, not a worker's rating.
    self_reported_by: Mapped[str | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"))


class HistoryEntry(Base):
    """One change in the family's timeline: who changed what, when, with a small diff (never a CPR number)."""

    __tablename__ = "plan_history"
    __table_args__ = (Index("ix_plan_history_family_when", "family_id", "occurred_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_user_id: Mapped[str | None] = mapped_column(_user_fk())
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(36))
    change: Mapped[str] = mapped_column(String(32))
    # The member the change concerns (None: the whole family), so a citizen's view can filter by it.
    person_id: Mapped[str | None] = mapped_column(String(36))
    plan_version: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(300))
    diff: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FamilyVoice(Base):
    """The family's own words (hub/plan/voice.py): a goal in their wording, their note, a child's view.

    `person_id` is whose voice it is (the member who wrote it, or the child whose view a worker recorded);
    `written_by_person` is set when a family member wrote it themselves, `recorded_by` when a worker did.
    """

    __tablename__ = "plan_family_voice"
    __table_args__ = (Index("ix_plan_family_voice_goal", "goal_id", "written_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    goal_id: Mapped[str | None] = mapped_column(ForeignKey("plan_goals.id", ondelete="CASCADE"))
    meeting_id: Mapped[str | None] = mapped_column(ForeignKey("plan_meetings.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # GOAL_WORDING, NOTE, CHILD_VIEW
    text: Mapped[str] = mapped_column(Text)
    written_by_person: Mapped[str | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"))
    recorded_by: Mapped[str | None] = mapped_column(_user_fk())
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A 15-17-year-old's own choice to let their parents read it (DOMAIN §4); ignored for others.
    shared_with_parents: Mapped[bool] = mapped_column(default=False)


class LanguageNeed(Base):
    """A member's language and interpreter needs, set by the family's team."""

    __tablename__ = "plan_language_needs"

    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8))  # ISO 639-1, e.g. "ar", "so", "da"
    interpreter_needed: Mapped[bool] = mapped_column(default=False)
    interpreter_for: Mapped[list[str]] = mapped_column(JSON, default=list)  # MeetingKind values
    updated_by: Mapped[str | None] = mapped_column(_user_fk())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WithdrawnConsentMark(Base):
    """A plan entry written while a consent was in force that has since been withdrawn (DOMAIN §4): the entry
    stays (duty to keep records), marked as obtained under the withdrawn consent (hub/plan/withdrawn.py)."""

    __tablename__ = "plan_withdrawn_consent_marks"
    __table_args__ = (
        Index("ix_plan_withdrawn_consent_marks_entry", "entity_id"),
        Index("ix_plan_withdrawn_consent_marks_family", "family_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(32))  # GOAL, PROGRESS_NOTE, MEETING_MINUTES
    entity_id: Mapped[str] = mapped_column(String(36))
    consent_id: Mapped[str] = mapped_column(ForeignKey("consents.id", ondelete="CASCADE"))
    subject_id: Mapped[str] = mapped_column(String(36))  # whose consent (hub person id)
    departments: Mapped[list[str]] = mapped_column(JSON, default=list)  # the consent's departments
    withdrawn_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MeetingDraft(Base):
    """The live draft of a meeting's minutes (hub/plan/live_meeting.py), saved as it is typed.

    `version` guards the draft alone (a stale one is a CONFLICT): the plan's version moves only when the
    meeting is closed and the minutes recorded. The row stays after the close (`closed_at`), so a screen that
    joins late still learns the meeting ended.
    """

    __tablename__ = "plan_meeting_drafts"

    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("plan_meetings.id", ondelete="CASCADE"), primary_key=True
    )
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    minutes: Mapped[str] = mapped_column(Text, default="")
    decisions: Mapped[list[str]] = mapped_column(JSON, default=list)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # agreed new actions
    goal_changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # {goalId, status}
    opened_by: Mapped[str | None] = mapped_column(_user_fk())
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(_user_fk())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by: Mapped[str | None] = mapped_column(_user_fk())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MeetingPen(Base):
    """Who may write a live meeting's draft: a lease, renewed by every draft update, lapsing after a while."""

    __tablename__ = "plan_meeting_pens"

    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("plan_meeting_drafts.meeting_id", ondelete="CASCADE"), primary_key=True
    )
    holder_user_id: Mapped[str | None] = mapped_column(_user_fk())
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_active_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
