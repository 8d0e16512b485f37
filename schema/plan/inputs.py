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
from schema.core import DepartmentType, MemberRoleType
from schema.plan.enums import (
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
    family_id: strawberry.ID = strawberry.field(description="The family (Family.id).")
    expected_version: int = strawberry.field(
        description="The plan version the client saw (0 for a new plan)."
    )
    title: str = strawberry.field(description="The goal in a few words (1-200 characters).")
    member_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The member the goal is for (FamilyMember.id); leave out for a whole-family goal.",
    )
    description: str = strawberry.field(
        default="", description="What the goal means in practice (up to 10,000 characters)."
    )
    departments: list[DepartmentType] = strawberry.field(  # type: ignore[valid-type]
        default_factory=list, description="The administrations involved in reaching it."
    )
    target_date: date | None = strawberry.field(
        default=None, description="When the goal should be reached; null for no date."
    )
    status: GoalStatusType = strawberry.field(  # type: ignore[valid-type]
        default=GoalStatusType.PLANNED, description="Where the goal stands (default PLANNED)."
    )


@strawberry.input(description="Changes to a goal; fields left out stay as they are.")
class UpdateGoalInput:
    goal_id: strawberry.ID = strawberry.field(description="The goal to change (PlanGoal.id).")
    expected_version: int = strawberry.field(
        description="The plan version the client saw (FamilyPlan.version); a stale one gives "
        "PlanConflictError."
    )
    title: str | None = strawberry.field(
        default=strawberry.UNSET, description="New title (1-200 characters); cannot be null."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="New description; cannot be null (send an empty string to clear it).",
    )
    departments: list[DepartmentType] | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="New list of departments involved; null clears it."
    )
    target_date: date | None = strawberry.field(
        default=strawberry.UNSET, description="New target date; null clears it."
    )
    status: GoalStatusType | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="New status; cannot be null."
    )


@strawberry.input(description="A progress note on a goal (an append: no version needed).")
class AddProgressNoteInput:
    goal_id: strawberry.ID = strawberry.field(description="The goal (PlanGoal.id).")
    text: str = strawberry.field(description="The note (1-5,000 characters).")


@strawberry.input(description="A new action (indsats) under a goal.")
class CreateActionInput:
    goal_id: strawberry.ID = strawberry.field(description="The goal the action serves (PlanGoal.id).")
    expected_version: int = strawberry.field(
        description="The plan version the client saw (FamilyPlan.version); a stale one gives "
        "PlanConflictError."
    )
    department: DepartmentType = strawberry.field(description="The administration delivering the action.")  # type: ignore[valid-type]
    kind: str = strawberry.field(description="The kind of service, e.g. 'Mentor', 'Familiebehandling (§32)'.")
    description: str = strawberry.field(
        default="", description="What the action is, in more detail (up to 10,000 characters)."
    )
    responsible_user_id: strawberry.ID | None = strawberry.field(
        default=None, description="The responsible worker (TeamWorker.id); null for none yet."
    )
    starts_on: date | None = strawberry.field(
        default=None, description="First day of the action; null until agreed."
    )
    ends_on: date | None = strawberry.field(
        default=None, description="Last day of the action; null while open-ended."
    )
    status: ActionStatusType = strawberry.field(  # type: ignore[valid-type]
        default=ActionStatusType.PLANNED, description="Where the action stands (default PLANNED)."
    )
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
    action_id: strawberry.ID = strawberry.field(description="The action to change (PlanAction.id).")
    expected_version: int = strawberry.field(
        description="The plan version the client saw (FamilyPlan.version); a stale one gives "
        "PlanConflictError. Ignored inside recordMeetingMinutes."
    )
    department: DepartmentType | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="New administration delivering it; cannot be null."
    )
    kind: str | None = strawberry.field(
        default=strawberry.UNSET, description="New kind of service (1-120 characters); cannot be null."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="New description; cannot be null (send an empty string to clear it).",
    )
    responsible_user_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="New responsible worker (TeamWorker.id); null clears it."
    )
    starts_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="New first day; null clears it."
    )
    ends_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="New last day; null clears it."
    )
    status: ActionStatusType | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="New status; cannot be null."
    )
    meeting_id: strawberry.ID | None = strawberry.field(
        default=None, description="The meeting at which the change was agreed (PlanMeeting.id), if any."
    )

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
    member_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="Family members taking part (FamilyMember.id); each must be a current member.",
    )
    worker_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Workers taking part (TeamWorker.id)."
    )

    def value(self) -> Participants:
        return Participants(member_ids=ids(self.member_ids), worker_ids=ids(self.worker_ids))


@strawberry.input(
    description="A follow-up meeting to schedule. Participants default to the scheduling worker."
)
class ScheduleMeetingInput:
    family_id: strawberry.ID = strawberry.field(description="The family (Family.id).")
    scheduled_at: datetime = strawberry.field(description="With a UTC offset.")
    location: str = strawberry.field(
        default="", description="Where it takes place (up to 200 characters); empty if not yet known."
    )
    agenda: list[str] = strawberry.field(
        default_factory=list, description="Agenda items, in order (at most 50, each up to 1,000 characters)."
    )
    chair_user_id: strawberry.ID | None = strawberry.field(
        default=None, description="Who chairs the meeting (TeamWorker.id); default the scheduling worker."
    )
    participants: ParticipantsInput | None = strawberry.field(
        default=None, description="Who is invited; default the scheduling worker only."
    )


@strawberry.input(description="A new action agreed at a meeting.")
class MeetingNewActionInput:
    goal_id: strawberry.ID = strawberry.field(description="The goal the action serves (PlanGoal.id).")
    department: DepartmentType = strawberry.field(description="The administration delivering the action.")  # type: ignore[valid-type]
    kind: str = strawberry.field(
        description="The kind of service, e.g. 'Mentor', 'Familiebehandling (§32)' (1-120 characters)."
    )
    description: str = strawberry.field(default="", description="What the action is, in more detail.")
    responsible_user_id: strawberry.ID | None = strawberry.field(
        default=None, description="The responsible worker (TeamWorker.id); null for none yet."
    )
    starts_on: date | None = strawberry.field(
        default=None, description="First day of the action; null until agreed."
    )
    ends_on: date | None = strawberry.field(
        default=None, description="Last day of the action; null while open-ended."
    )
    status: ActionStatusType = strawberry.field(  # type: ignore[valid-type]
        default=ActionStatusType.PLANNED, description="Where the action stands (default PLANNED)."
    )


@strawberry.input(description="Minutes of a meeting: they act as the steering plan until the next meeting.")
class RecordMeetingMinutesInput:
    meeting_id: strawberry.ID = strawberry.field(description="The meeting (PlanMeeting.id).")
    expected_version: int = strawberry.field(
        description="The plan version the client saw (FamilyPlan.version); a stale one gives "
        "PlanConflictError."
    )
    minutes: str = strawberry.field(
        description="The minutes: they act as the steering plan until the next meeting."
    )
    decisions: list[str] = strawberry.field(
        default_factory=list, description="The decisions taken, one per item, in order."
    )
    held_at: datetime | None = strawberry.field(
        default=None, description="When it was held, if not as scheduled."
    )
    attended: ParticipantsInput | None = strawberry.field(
        default=None, description="Who attended; left out, the invited participants stay."
    )
    next_meeting_at: datetime | None = strawberry.field(
        default=None, description="The next meeting agreed; it is scheduled with the same participants."
    )
    new_actions: list[MeetingNewActionInput] = strawberry.field(
        default_factory=list,
        description="Actions (indsatser) agreed at the meeting, created under their goals.",
    )
    action_updates: list[UpdateActionInput] = strawberry.field(
        default_factory=list,
        description="Changes to actions (their expectedVersion is ignored: the minutes' counts).",
    )


@strawberry.input(
    description="SDQ subscale scores (0-10 each); the four difficulty scales add up to the total."
)
class SdqSubscalesInput:
    emotional: int | None = strawberry.field(default=None, description="Emotional symptoms, 0-10.")
    conduct: int | None = strawberry.field(default=None, description="Conduct problems, 0-10.")
    hyperactivity: int | None = strawberry.field(default=None, description="Hyperactivity/inattention, 0-10.")
    peer: int | None = strawberry.field(default=None, description="Peer relationship problems, 0-10.")
    prosocial: int | None = strawberry.field(
        default=None, description="Prosocial behaviour, 0-10 (a strength: not part of the total)."
    )

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
    member_id: strawberry.ID = strawberry.field(
        description="The family member measured (FamilyMember.id); must be a current member."
    )
    instrument: InstrumentType = strawberry.field(  # type: ignore[valid-type]
        description="The instrument used (ORS from 13, CORS under 13)."
    )
    score: float = strawberry.field(
        description="The score on the instrument's scale: WHO5 0-100 in steps of 4, SDQ total 0-40 (whole "
        "number), ORS/CORS 0-40 (at most one decimal)."
    )
    measured_on: date = strawberry.field(description="The day it was measured (not in the future).")
    respondent: SdqRespondentType | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="SDQ only, and then required: who answered (SELF from age 11)."
    )
    subscales: SdqSubscalesInput | None = strawberry.field(
        default=None,
        description="SDQ only, optional: the subscale scores; the four difficulty scales must add up to the "
        "score.",
    )
    note: str = strawberry.field(
        default="", description="A note on the measurement (up to 2,000 characters)."
    )


@strawberry.input(description="Put a worker on the family's core team.")
class AssignTeamMemberInput:
    family_id: strawberry.ID = strawberry.field(description="The family (Family.id).")
    user_id: strawberry.ID = strawberry.field(
        description="The worker to assign (a user of one administration)."
    )
    team_role: CoreTeamRoleType = strawberry.field(  # type: ignore[valid-type]
        description="Their role on this family's team (one coordinator; a makkerpar of at most two)."
    )
    since: date | None = strawberry.field(default=None, description="First day on the team; default today.")


@strawberry.input(description="Take a worker off the family's core team (history is kept).")
class UnassignTeamMemberInput:
    assignment_id: strawberry.ID = strawberry.field(
        description="The assignment to end (CoreTeamMember.assignmentId)."
    )
    until: date | None = strawberry.field(
        default=None, description="The day the assignment ends; default today."
    )


@strawberry.input(
    description="A person joins the family: a known person by memberId, or a new one by CPR number and names."
)
class AddFamilyMemberInput:
    family_id: strawberry.ID = strawberry.field(description="The family (Family.id).")
    member_role: MemberRoleType = strawberry.field(description="Their place in the family.")  # type: ignore[valid-type]
    member_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="A person the hub already knows (FamilyMember.id); leave out when giving cpr.",
    )
    cpr: str | None = strawberry.field(
        default=None,
        description="CPR number (DDMMYY-SSSS) of a person to add; a person already known by it is reused.",
    )
    first_name: str | None = strawberry.field(
        default=None, description="First name of a new person (with cpr)."
    )
    last_name: str | None = strawberry.field(
        default=None, description="Last name of a new person (with cpr)."
    )
    joined_on: date | None = strawberry.field(
        default=None, description="The day they joined; default today, never in the future."
    )


@strawberry.input(description="A member leaves the family (their goals and history stay readable).")
class RemoveFamilyMemberInput:
    family_id: strawberry.ID = strawberry.field(description="The family (Family.id).")
    member_id: strawberry.ID = strawberry.field(description="The member who leaves (FamilyMember.id).")
    reason: str = strawberry.field(description="Why they leave (free text, journalised).")
    left_on: date | None = strawberry.field(
        default=None, description="The day they left; default today, never in the future."
    )
