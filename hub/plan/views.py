"""Read models of the plan: frozen value objects handed to the schema, never ORM rows.

They carry hub ids and display names only, never a CPR number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hub.domain import Department, MemberRole, Role
from hub.plan.domain import ActionStatus, GoalStatus, Instrument, MeetingStatus


@dataclass(frozen=True, slots=True)
class WorkerView:
    user_id: str
    display_name: str
    role: Role
    department: Department | None
    unit: str


@dataclass(frozen=True, slots=True)
class PersonRef:
    """A family member as the plan names them (first and last name for the people who may read the plan)."""

    person_id: str
    first_name: str
    last_name: str
    birth_date: date


@dataclass(frozen=True, slots=True)
class TeamMemberView:
    assignment_id: str
    family_id: str
    worker: WorkerView
    team_role: str
    since: date
    until: date | None

    def current(self, today: date) -> bool:
        return self.since <= today and (self.until is None or self.until > today)


@dataclass(frozen=True, slots=True)
class CoreTeamView:
    family_id: str
    assignments: tuple[TeamMemberView, ...]  # every assignment, current and former, oldest first

    def current(self, today: date) -> list[TeamMemberView]:
        return [a for a in self.assignments if a.current(today)]

    def former(self, today: date) -> list[TeamMemberView]:
        return [a for a in self.assignments if not a.current(today)]


@dataclass(frozen=True, slots=True)
class NoteView:
    id: str
    goal_id: str
    author: WorkerView | None
    written_at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class ActionView:
    id: str
    family_id: str
    goal_id: str
    department: Department
    kind: str
    description: str
    responsible: WorkerView | None
    starts_on: date | None
    ends_on: date | None
    status: ActionStatus
    created_at: datetime
    updated_at: datetime
    plan_version: int  # the family plan's version when this was read: send it back as `expectedVersion`


@dataclass(frozen=True, slots=True)
class GoalView:
    id: str
    family_id: str
    person: PersonRef | None  # None: a goal for the whole family
    person_is_member: bool  # False once the member has left the family (the goal stays readable)
    title: str
    description: str
    departments: tuple[Department, ...]
    target_date: date | None
    status: GoalStatus
    notes: tuple[NoteView, ...]
    actions: tuple[ActionView, ...]
    created_at: datetime
    updated_at: datetime
    updated_by: WorkerView | None
    plan_version: int

    @property
    def person_id(self) -> str | None:
        return self.person.person_id if self.person else None


@dataclass(frozen=True, slots=True)
class PlanView:
    family_id: str
    version: int  # 0: nothing has been planned yet
    updated_at: datetime | None
    updated_by: WorkerView | None
    goals: tuple[GoalView, ...]


@dataclass(frozen=True, slots=True)
class ParticipantView:
    person: PersonRef | None
    worker: WorkerView | None


@dataclass(frozen=True, slots=True)
class MeetingActionView:
    action_id: str
    change: str  # CREATED or UPDATED


@dataclass(frozen=True, slots=True)
class MeetingView:
    id: str
    family_id: str
    scheduled_at: datetime
    location: str
    status: MeetingStatus
    agenda: tuple[str, ...]
    chair: WorkerView | None
    participants: tuple[ParticipantView, ...]
    minutes: str | None
    decisions: tuple[str, ...]
    next_meeting_at: datetime | None
    action_changes: tuple[MeetingActionView, ...]
    minutes_recorded_by: WorkerView | None
    minutes_recorded_at: datetime | None
    plan_version: int
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None


@dataclass(frozen=True, slots=True)
class MeasurementView:
    id: str
    family_id: str
    person: PersonRef
    instrument: Instrument
    score: float
    respondent: str | None
    subscales: dict[str, int] | None
    measured_on: date
    recorded_by: WorkerView | None
    recorded_at: datetime
    signals_risk: bool
    note: str
    self_reported: bool = False  # answered and recorded by the member themselves (the family's own score)


@dataclass(frozen=True, slots=True)
class MembershipView:
    membership_id: str
    family_id: str
    person: PersonRef
    member_role: MemberRole
    joined_on: date
    left_on: date | None
    leave_reason: str | None


@dataclass(frozen=True, slots=True)
class HistoryView:
    id: str
    family_id: str
    occurred_at: datetime
    actor: WorkerView | None
    entity: str
    entity_id: str
    change: str
    person_id: str | None
    plan_version: int | None
    summary: str
    diff: dict[str, Any]
