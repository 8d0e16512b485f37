"""Input types of the plan mutations. Fields left out of an update input are not changed; `null` clears."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry

from hub.errors import BadUserInput
from hub.plan.domain import SdqSubscale
from hub.plan.edits import UNSET
from hub.plan.goals import ActionPatch, ActionSpec
from hub.plan.meetings import Participants
from schema.core import DepartmentType
from schema.family.types import MemberRoleType
from schema.plan.types import (
    ActionStatusType,
    CoreTeamRoleType,
    GoalStatusType,
    InstrumentType,
    SdqRespondentType,
)


def given(value: Any) -> Any:
    """strawberry.UNSET (not sent) becomes hub.plan's UNSET; anything else, None included, is kept."""
    return UNSET if value is strawberry.UNSET else value


def ids(values: list[strawberry.ID] | None) -> list[str]:
    return [str(v) for v in values or []]


@strawberry.input(description="A new goal. Leave memberId out for a goal for the whole family.")
class CreateGoalInput:
    family_id: strawberry.ID
    expected_version: int = strawberry.field(
        description="The plan version the client saw (0 for a new plan)."
    )
    title: str
    member_id: strawberry.ID | None = None
    description: str = ""
    departments: list[DepartmentType] = strawberry.field(default_factory=list)  # type: ignore[valid-type]
    target_date: date | None = None
    status: GoalStatusType = GoalStatusType.PLANNED  # type: ignore[valid-type]


@strawberry.input(description="Changes to a goal; fields left out stay as they are.")
class UpdateGoalInput:
    goal_id: strawberry.ID
    expected_version: int
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    departments: list[DepartmentType] | None = strawberry.UNSET  # type: ignore[valid-type]
    target_date: date | None = strawberry.UNSET
    status: GoalStatusType | None = strawberry.UNSET  # type: ignore[valid-type]


@strawberry.input(description="A progress note on a goal (an append: no version needed).")
class AddProgressNoteInput:
    goal_id: strawberry.ID
    text: str


@strawberry.input(description="A new action (indsats) under a goal.")
class CreateActionInput:
    goal_id: strawberry.ID
    expected_version: int
    department: DepartmentType  # type: ignore[valid-type]
    kind: str = strawberry.field(description="The kind of service, e.g. 'Mentor', 'Familiebehandling (§32)'.")
    description: str = ""
    responsible_user_id: strawberry.ID | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    status: ActionStatusType = ActionStatusType.PLANNED  # type: ignore[valid-type]
    meeting_id: strawberry.ID | None = strawberry.field(
        default=None, description="The meeting at which the action was agreed, if any."
    )

    def spec(self) -> ActionSpec:
        return ActionSpec(
            department=self.department,
            kind=self.kind,
            description=self.description,
            responsible_user_id=str(self.responsible_user_id) if self.responsible_user_id else None,
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            status=self.status,
        )


@strawberry.input(description="Changes to an action; fields left out stay as they are.")
class UpdateActionInput:
    action_id: strawberry.ID
    expected_version: int
    department: DepartmentType | None = strawberry.UNSET  # type: ignore[valid-type]
    kind: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    responsible_user_id: strawberry.ID | None = strawberry.UNSET
    starts_on: date | None = strawberry.UNSET
    ends_on: date | None = strawberry.UNSET
    status: ActionStatusType | None = strawberry.UNSET  # type: ignore[valid-type]
    meeting_id: strawberry.ID | None = None

    def patch(self) -> ActionPatch:
        responsible = given(self.responsible_user_id)
        return ActionPatch(
            department=not_null(given(self.department), "department"),
            kind=not_null(given(self.kind), "kind"),
            description=not_null(given(self.description), "description"),
            responsible_user_id=str(responsible) if isinstance(responsible, str) else responsible,
            starts_on=given(self.starts_on),
            ends_on=given(self.ends_on),
            status=not_null(given(self.status), "status"),
        )


def not_null(value: Any, field: str) -> Any:
    """A field that may be left out of an update but not cleared with null."""
    if value is None:
        raise BadUserInput(f"{field} cannot be cleared", field=field)
    return value


@strawberry.input(description="Who takes part: family members and workers.")
class ParticipantsInput:
    member_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    worker_ids: list[strawberry.ID] = strawberry.field(default_factory=list)

    def value(self) -> Participants:
        return Participants(member_ids=ids(self.member_ids), worker_ids=ids(self.worker_ids))


@strawberry.input(
    description="A follow-up meeting to schedule. Participants default to the scheduling worker."
)
class ScheduleMeetingInput:
    family_id: strawberry.ID
    scheduled_at: datetime = strawberry.field(description="With a UTC offset.")
    location: str = ""
    agenda: list[str] = strawberry.field(default_factory=list)
    chair_user_id: strawberry.ID | None = None
    participants: ParticipantsInput | None = None


@strawberry.input(description="A new action agreed at a meeting.")
class MeetingNewActionInput:
    goal_id: strawberry.ID
    department: DepartmentType  # type: ignore[valid-type]
    kind: str
    description: str = ""
    responsible_user_id: strawberry.ID | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    status: ActionStatusType = ActionStatusType.PLANNED  # type: ignore[valid-type]


@strawberry.input(description="Minutes of a meeting: they act as the steering plan until the next meeting.")
class RecordMeetingMinutesInput:
    meeting_id: strawberry.ID
    expected_version: int
    minutes: str
    decisions: list[str] = strawberry.field(default_factory=list)
    held_at: datetime | None = strawberry.field(
        default=None, description="When it was held, if not as scheduled."
    )
    attended: ParticipantsInput | None = strawberry.field(
        default=None, description="Who attended; left out, the invited participants stay."
    )
    next_meeting_at: datetime | None = strawberry.field(
        default=None, description="The next meeting agreed; it is scheduled with the same participants."
    )
    new_actions: list[MeetingNewActionInput] = strawberry.field(default_factory=list)
    action_updates: list[UpdateActionInput] = strawberry.field(
        default_factory=list,
        description="Changes to actions (their expectedVersion is ignored: the minutes' counts).",
    )


@strawberry.input(
    description="SDQ subscale scores (0-10 each); the four difficulty scales add up to the total."
)
class SdqSubscalesInput:
    emotional: int | None = None
    conduct: int | None = None
    hyperactivity: int | None = None
    peer: int | None = None
    prosocial: int | None = None

    def value(self) -> dict[SdqSubscale, int]:
        return {
            scale: score
            for scale, score in (
                (SdqSubscale.EMOTIONAL, self.emotional),
                (SdqSubscale.CONDUCT, self.conduct),
                (SdqSubscale.HYPERACTIVITY, self.hyperactivity),
                (SdqSubscale.PEER, self.peer),
                (SdqSubscale.PROSOCIAL, self.prosocial),
            )
            if score is not None
        }


@strawberry.input(description="A wellbeing measurement of a current family member.")
class RecordMeasurementInput:
    member_id: strawberry.ID
    instrument: InstrumentType  # type: ignore[valid-type]
    score: float
    measured_on: date
    respondent: SdqRespondentType | None = None  # type: ignore[valid-type]
    subscales: SdqSubscalesInput | None = None
    note: str = ""


@strawberry.input(description="Put a worker on the family's core team.")
class AssignTeamMemberInput:
    family_id: strawberry.ID
    user_id: strawberry.ID
    team_role: CoreTeamRoleType  # type: ignore[valid-type]
    since: date | None = None


@strawberry.input(description="Take a worker off the family's core team (history is kept).")
class UnassignTeamMemberInput:
    assignment_id: strawberry.ID
    until: date | None = None


@strawberry.input(
    description="A person joins the family: a known person by memberId, or a new one by CPR number and names."
)
class AddFamilyMemberInput:
    family_id: strawberry.ID
    member_role: MemberRoleType  # type: ignore[valid-type]
    member_id: strawberry.ID | None = None
    cpr: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    joined_on: date | None = None


@strawberry.input(description="A member leaves the family (their goals and history stay readable).")
class RemoveFamilyMemberInput:
    family_id: strawberry.ID
    member_id: strawberry.ID
    reason: str
    left_on: date | None = None
