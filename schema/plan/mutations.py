"""Plan mutations: each returns the changed object or a typed error (the pattern: schema/plan/errors.py).

Thin: principal -> hub.plan service -> result type. Edits of goals, actions and minutes take `expectedVersion`
(the plan version the client saw); a stale one yields PlanConflictError with the current version.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Annotated, Any, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.ingestion.feed import announce
from hub.plan import goals, measurements, meetings, membership, team
from hub.plan.history import Actor
from hub.plan.meetings import MinutesInput
from hub.pubsub import PubSub
from schema.context import Info
from schema.plan.errors import (
    PlanConflictError,
    PlanError,
    PlanForbiddenError,
    PlanInputError,
    PlanNotFoundError,
    as_append_result,
    as_result,
)
from schema.plan.inputs import (
    AddFamilyMemberInput,
    AddProgressNoteInput,
    AssignTeamMemberInput,
    CreateActionInput,
    CreateGoalInput,
    RecordMeasurementInput,
    RecordMeetingMinutesInput,
    RemoveFamilyMemberInput,
    ScheduleMeetingInput,
    UnassignTeamMemberInput,
    UpdateActionInput,
    UpdateGoalInput,
    given,
    not_null,
)
from schema.plan.types import (
    CoreTeamMember,
    FamilyMembership,
    PlanAction,
    PlanGoal,
    PlanMeeting,
    WellbeingMeasurement,
)

Errors = PlanInputError | PlanNotFoundError | PlanForbiddenError
ERRORS_TEXT = "or an expected error (PlanInputError, PlanNotFoundError, PlanForbiddenError"
GoalResult = Annotated[
    PlanGoal | Errors | PlanConflictError,
    strawberry.union("GoalResult", description=f"The goal as saved, {ERRORS_TEXT}, PlanConflictError)."),
]
ActionResult = Annotated[
    PlanAction | Errors | PlanConflictError,
    strawberry.union("ActionResult", description=f"The action as saved, {ERRORS_TEXT}, PlanConflictError)."),
]
MeetingResult = Annotated[
    PlanMeeting | Errors | PlanConflictError,
    strawberry.union(
        "MeetingResult", description=f"The meeting as saved, {ERRORS_TEXT}, PlanConflictError)."
    ),
]
MeasurementResult = Annotated[
    WellbeingMeasurement | Errors,
    strawberry.union("MeasurementResult", description=f"The measurement as recorded, {ERRORS_TEXT})."),
]
TeamMemberResult = Annotated[
    CoreTeamMember | Errors,
    strawberry.union("TeamMemberResult", description=f"The team assignment as saved, {ERRORS_TEXT})."),
]
MembershipResult = Annotated[
    FamilyMembership | Errors,
    strawberry.union("MembershipResult", description=f"The membership as saved, {ERRORS_TEXT})."),
]


def actor(info: Info) -> Actor:
    ctx = info.context
    pubsub: PubSub | None = ctx.services.extras.get("pubsub")

    async def notify(messages: Sequence[Mapping[str, Any]]) -> None:
        # After commit: familyUpdated(familyId) subscribers hear of it (each re-decided on delivery), stored
        # first with its resume cursor.
        if pubsub is not None:
            await announce(ctx.services.sessions, pubsub, messages)

    return Actor(principal=ctx.require_principal(), now=ctx.now, request_id=ctx.request_id, notify=notify)


T = TypeVar("T")
V = TypeVar("V")
Work = Callable[[async_sessionmaker[AsyncSession], Actor], Awaitable[V]]


async def saved(info: Info, work: Work[V], to: Callable[[V], T]) -> T | PlanError:
    """Run a versioned plan service call as the viewer and wrap its view; expected errors become data."""
    who, sessions = actor(info), info.context.services.sessions

    async def call() -> T:
        return to(await work(sessions, who))

    return await as_result(call)


async def appended(
    info: Info, work: Work[V], to: Callable[[V], T]
) -> T | PlanInputError | PlanNotFoundError | PlanForbiddenError:
    """`saved` for an unversioned append: CONFLICT is not expected there and propagates."""
    who, sessions = actor(info), info.context.services.sessions

    async def call() -> T:
        return to(await work(sessions, who))

    return await as_append_result(call)


@strawberry.type
class PlanMutation:
    @strawberry.mutation(description="Add a goal for the whole family or one member (versioned).")
    async def create_goal(
        self,
        info: Info,
        input: Annotated[CreateGoalInput, strawberry.argument(description="The new goal.")],
    ) -> GoalResult:
        return await saved(
            info,
            lambda sessions, who: goals.create_goal(
                sessions,
                who,
                family_id=str(input.family_id),
                expected_version=input.expected_version,
                title=input.title,
                description=input.description,
                departments=list(input.departments),
                target_date=input.target_date,
                status=input.status,
                person_id=str(input.member_id) if input.member_id else None,
            ),
            PlanGoal.of,
        )

    @strawberry.mutation(
        description="Change a goal's title, description, departments, target date or status."
    )
    async def update_goal(
        self,
        info: Info,
        input: Annotated[
            UpdateGoalInput, strawberry.argument(description="The goal and the fields to change.")
        ],
    ) -> GoalResult:
        who, sessions = actor(info), info.context.services.sessions

        async def call() -> PlanGoal:
            departments = given(input.departments)
            view = await goals.update_goal(
                sessions,
                who,
                goal_id=str(input.goal_id),
                expected_version=input.expected_version,
                title=not_null(given(input.title), "title"),
                description=not_null(given(input.description), "description"),
                departments=[] if departments is None else departments,
                target_date=given(input.target_date),
                status=not_null(given(input.status), "status"),
            )
            return PlanGoal.of(view)

        return await as_result(call)

    @strawberry.mutation(description="Add a progress note to a goal; returns the goal.")
    async def add_progress_note(
        self,
        info: Info,
        input: Annotated[AddProgressNoteInput, strawberry.argument(description="The goal and the note.")],
    ) -> GoalResult:
        return await saved(
            info,
            lambda sessions, who: goals.add_progress_note(
                sessions, who, goal_id=str(input.goal_id), note=input.text
            ),
            PlanGoal.of,
        )

    @strawberry.mutation(description="Add an action (indsats) under a goal (versioned).")
    async def create_action(
        self,
        info: Info,
        input: Annotated[CreateActionInput, strawberry.argument(description="The new action.")],
    ) -> ActionResult:
        return await saved(
            info,
            lambda sessions, who: goals.create_action(
                sessions,
                who,
                goal_id=str(input.goal_id),
                expected_version=input.expected_version,
                spec=input.spec(),
                meeting_id=str(input.meeting_id) if input.meeting_id else None,
            ),
            PlanAction.of,
        )

    @strawberry.mutation(description="Change an action (versioned).")
    async def update_action(
        self,
        info: Info,
        input: Annotated[
            UpdateActionInput, strawberry.argument(description="The action and the fields to change.")
        ],
    ) -> ActionResult:
        return await saved(
            info,
            lambda sessions, who: goals.update_action(
                sessions,
                who,
                action_id=str(input.action_id),
                expected_version=input.expected_version,
                patch=input.patch(),
                meeting_id=str(input.meeting_id) if input.meeting_id else None,
            ),
            PlanAction.of,
        )

    @strawberry.mutation(description="Schedule a follow-up meeting.")
    async def schedule_meeting(
        self,
        info: Info,
        input: Annotated[ScheduleMeetingInput, strawberry.argument(description="The meeting to schedule.")],
    ) -> MeetingResult:
        return await saved(
            info,
            lambda sessions, who: meetings.schedule_meeting(
                sessions,
                who,
                family_id=str(input.family_id),
                scheduled_at=input.scheduled_at,
                location=input.location,
                agenda=input.agenda,
                chair_user_id=str(input.chair_user_id) if input.chair_user_id else None,
                participants=input.participants.value() if input.participants else None,
            ),
            PlanMeeting.of,
        )

    @strawberry.mutation(
        description="Record a meeting's minutes, decisions, attendance, actions agreed and the next meeting "
        "(versioned: one version check for everything)."
    )
    async def record_meeting_minutes(
        self,
        info: Info,
        input: Annotated[
            RecordMeetingMinutesInput,
            strawberry.argument(description="The meeting and what was recorded at it."),
        ],
    ) -> MeetingResult:
        who, sessions = actor(info), info.context.services.sessions

        async def call() -> PlanMeeting:
            data = MinutesInput(
                minutes=input.minutes,
                decisions=input.decisions,
                held_at=input.held_at,
                participants=input.attended.value() if input.attended else None,
                next_meeting_at=input.next_meeting_at,
                new_actions=[
                    (
                        str(a.goal_id),
                        goals.ActionSpec(
                            department=a.department,
                            kind=a.kind,
                            description=a.description,
                            responsible_user_id=str(a.responsible_user_id) if a.responsible_user_id else None,
                            starts_on=a.starts_on,
                            ends_on=a.ends_on,
                            status=a.status,
                        ),
                    )
                    for a in input.new_actions
                ],
                action_updates=[(str(u.action_id), u.patch()) for u in input.action_updates],
            )
            view = await meetings.record_minutes(
                sessions,
                who,
                meeting_id=str(input.meeting_id),
                expected_version=input.expected_version,
                data=data,
            )
            return PlanMeeting.of(view)

        return await as_result(call)

    @strawberry.mutation(description="Record a wellbeing measurement (WHO5, SDQ, ORS, CORS) of a member.")
    async def record_measurement(
        self,
        info: Info,
        input: Annotated[RecordMeasurementInput, strawberry.argument(description="The measurement.")],
    ) -> MeasurementResult:
        return await appended(
            info,
            lambda sessions, who: measurements.record_measurement(
                sessions,
                who,
                person_id=str(input.member_id),
                instrument=input.instrument,
                score=input.score,
                measured_on=input.measured_on,
                respondent=input.respondent,
                subscales=input.subscales.value() if input.subscales else None,
                note=input.note,
            ),
            WellbeingMeasurement.of,
        )

    @strawberry.mutation(description="Put a worker on the family's core team (coordinators only).")
    async def assign_team_member(
        self,
        info: Info,
        input: Annotated[
            AssignTeamMemberInput,
            strawberry.argument(description="The family, the worker and their team role."),
        ],
    ) -> TeamMemberResult:
        return await appended(
            info,
            lambda sessions, who: team.assign_team_member(
                sessions,
                who,
                family_id=str(input.family_id),
                user_id=str(input.user_id),
                team_role=str(input.team_role),
                since=input.since,
            ),
            CoreTeamMember.of,
        )

    @strawberry.mutation(description="Take a worker off the family's core team (coordinators only).")
    async def unassign_team_member(
        self,
        info: Info,
        input: Annotated[UnassignTeamMemberInput, strawberry.argument(description="The assignment to end.")],
    ) -> TeamMemberResult:
        return await appended(
            info,
            lambda sessions, who: team.unassign_team_member(
                sessions, who, assignment_id=str(input.assignment_id), until=input.until
            ),
            CoreTeamMember.of,
        )

    @strawberry.mutation(description="A person joins the family.")
    async def add_family_member(
        self,
        info: Info,
        input: Annotated[
            AddFamilyMemberInput, strawberry.argument(description="The family and the person who joins.")
        ],
    ) -> MembershipResult:
        who, services = actor(info), info.context.services

        async def call() -> FamilyMembership:
            new = None
            if input.cpr is not None:
                new = membership.NewPerson(
                    cpr=input.cpr, first_name=input.first_name or "", last_name=input.last_name or ""
                )
            view = await membership.add_family_member(
                services.sessions,
                services.vault,
                who,
                family_id=str(input.family_id),
                member_role=input.member_role,
                person_id=str(input.member_id) if input.member_id else None,
                new_person=new,
                joined_on=input.joined_on,
            )
            return FamilyMembership.of(view)

        return await as_append_result(call)

    @strawberry.mutation(description="A member leaves the family; their goals and history stay readable.")
    async def remove_family_member(
        self,
        info: Info,
        input: Annotated[
            RemoveFamilyMemberInput,
            strawberry.argument(description="The family, the member who leaves, and why."),
        ],
    ) -> MembershipResult:
        return await appended(
            info,
            lambda sessions, who: membership.remove_family_member(
                sessions,
                who,
                family_id=str(input.family_id),
                person_id=str(input.member_id),
                reason=input.reason,
                left_on=input.left_on,
            ),
            FamilyMembership.of,
        )
