"""The follow-up meeting held live on the big screen: `liveMeeting`, its mutations and `meetingUpdated`.

Thin: principal -> hub.plan.live_meeting (the rules) / hub.plan.live_stream (the stream). Mutations return
`LiveMeetingResult`: the live meeting, or the plan's expected errors (schema/plan/errors.py). A draft save
with a stale `expectedDraftVersion` is a PlanConflictError with reason STALE_DRAFT; a save (or a hand-over,
a release, a close) without the pen is one with reason PEN_HELD (someone else has it) or NO_PEN.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry

from hub.days import local_day
from hub.errors import NotFound
from hub.family.gate import Gate
from hub.ingestion.feed import parse_cursor
from hub.ingestion.stream_guard import StreamEnded
from hub.plan import live_meeting as live
from hub.plan.edits import UNSET
from hub.plan.live_stream import MeetingUpdate, meeting_updates
from schema.context import Info
from schema.core import DepartmentType
from schema.enum_values import described_enum
from schema.loaders import gate
from schema.plan.enums import GoalStatusType
from schema.plan.errors import (
    PlanConflictError,
    PlanForbiddenError,
    PlanInputError,
    PlanNotFoundError,
    as_result,
)
from schema.plan.inputs import ParticipantsInput, given, not_null
from schema.plan.mutations import actor
from schema.plan.types import PlanMeeting, TeamWorker
from schema.session import end_session

LiveMeetingStateType = described_enum(
    live.LiveState,
    description="Whether a meeting is held live on the big screen: NOT_OPENED, OPEN or CLOSED.",
    values={
        live.LiveState.NOT_OPENED: "Not opened live (openLiveMeeting opens it).",
        live.LiveState.OPEN: "Open: the pen holder writes the draft, every screen follows it.",
        live.LiveState.CLOSED: "Closed: the draft was recorded as the meeting's minutes.",
    },
)
LiveMeetingEventType = described_enum(
    live.LiveEvent,
    description="What happened to a live meeting: OPENED, DRAFT (saved), PEN (changed hands) or CLOSED.",
    values={
        live.LiveEvent.OPENED: "The meeting was opened live.",
        live.LiveEvent.DRAFT: "The draft was saved.",
        live.LiveEvent.PEN: "The pen was taken, handed over or put down.",
        live.LiveEvent.CLOSED: "The meeting was closed and its minutes recorded.",
    },
)


@strawberry.type(description="An action agreed at the live meeting; created under its goal at the close.")
class DraftAction:
    goal_id: strawberry.ID = strawberry.field(description="The goal it serves (PlanGoal.id).")
    department: DepartmentType = strawberry.field(description="The administration delivering it.")  # type: ignore[valid-type]
    kind: str = strawberry.field(description="The kind of service.")
    description: str = strawberry.field(description="What the action is, in more detail.")
    responsible_user_id: strawberry.ID | None = strawberry.field(
        description="The responsible worker (TeamWorker.id), if agreed."
    )


@strawberry.type(description="A goal's new status agreed at the live meeting; applied at the close.")
class DraftGoalChange:
    goal_id: strawberry.ID = strawberry.field(description="The goal (PlanGoal.id).")
    status: GoalStatusType = strawberry.field(description="Its new status.")  # type: ignore[valid-type]


@strawberry.type(description="A follow-up meeting held live: the draft of its minutes and who holds the pen.")
class LiveMeeting:
    family_id: strawberry.ID = strawberry.field(description="The meeting's family (Family.id).")
    meeting: PlanMeeting = strawberry.field(
        description="The meeting: agenda, participants, recorded minutes."
    )
    state: LiveMeetingStateType = strawberry.field(description="NOT_OPENED, OPEN or CLOSED.")  # type: ignore[valid-type]
    draft_version: int = strawberry.field(
        description="The draft's version: send it as `expectedDraftVersion` (0 until opened)."
    )
    minutes: str = strawberry.field(description="The minutes as typed so far.")
    decisions: list[str] = strawberry.field(description="The decisions so far, in order.")
    actions: list[DraftAction] = strawberry.field(description="Actions agreed so far.")
    goal_changes: list[DraftGoalChange] = strawberry.field(description="Goal status changes agreed so far.")
    pen_holder: TeamWorker | None = strawberry.field(
        description="Who holds the pen (may write the draft); null when nobody does or the lease lapsed."
    )
    pen_expires_at: datetime | None = strawberry.field(
        description="When the holder's pen lapses unless they save again (HUB_MEETING_PEN_LEASE_S)."
    )
    opened_at: datetime | None = strawberry.field(description="When it was opened live.")
    closed_at: datetime | None = strawberry.field(description="When it was closed; null while open.")

    @strawberry.field(description="Whether the viewer holds the pen (may save the draft now).")
    def viewer_holds_pen(self, info: Info) -> bool:
        principal = info.context.principal
        return (
            principal is not None
            and self.pen_holder is not None
            and str(self.pen_holder.id) == principal.user_id
        )

    @classmethod
    def of(cls, v: live.LiveMeetingView) -> LiveMeeting:
        return cls(
            family_id=strawberry.ID(v.meeting.family_id),
            meeting=PlanMeeting.of(v.meeting),
            state=v.state,
            draft_version=v.draft_version,
            minutes=v.minutes,
            decisions=list(v.decisions),
            actions=[
                DraftAction(
                    goal_id=strawberry.ID(a.goal_id),
                    department=a.department,
                    kind=a.kind,
                    description=a.description,
                    responsible_user_id=strawberry.ID(a.responsible_user_id)
                    if a.responsible_user_id
                    else None,
                )
                for a in v.actions
            ],
            goal_changes=[
                DraftGoalChange(goal_id=strawberry.ID(c.goal_id), status=c.status) for c in v.goal_changes
            ],
            pen_holder=TeamWorker.of(v.pen_holder),
            pen_expires_at=v.pen_expires_at,
            opened_at=v.opened_at,
            closed_at=v.closed_at,
        )


@strawberry.type(description="One change to a live meeting, with the meeting as it is now.")
class MeetingUpdateType:
    event: LiveMeetingEventType = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    draft_version: int = strawberry.field(description="The draft version this event produced.")
    cursor: str | None = strawberry.field(
        description="Resume after this update (`after`); null if it could not be stored."
    )
    meeting: LiveMeeting = strawberry.field(description="The live meeting as it is now, for this viewer.")

    @classmethod
    def of(cls, u: MeetingUpdate) -> MeetingUpdateType:
        return cls(
            event=u.event, draft_version=u.draft_version, cursor=u.cursor, meeting=LiveMeeting.of(u.meeting)
        )


LiveMeetingResult = Annotated[
    LiveMeeting | PlanInputError | PlanNotFoundError | PlanForbiddenError | PlanConflictError,
    strawberry.union(
        "LiveMeetingResult",
        description="The live meeting as saved, or an expected error (PlanInputError, PlanNotFoundError, "
        "PlanForbiddenError, PlanConflictError: STALE_DRAFT, PEN_HELD, NO_PEN, MEETING_CLOSED, FAMILY_CLOSED).",
    ),
]


@strawberry.input(description="An action agreed at the meeting (created under its goal at the close).")
class DraftActionInput:
    goal_id: strawberry.ID = strawberry.field(description="The goal it serves (PlanGoal.id).")
    department: DepartmentType = strawberry.field(description="The administration delivering it.")  # type: ignore[valid-type]
    kind: str = strawberry.field(description="The kind of service (1-120 characters).")
    description: str = strawberry.field(default="", description="More detail (up to 10,000 characters).")
    responsible_user_id: strawberry.ID | None = strawberry.field(
        default=None, description="The responsible worker (TeamWorker.id), if agreed."
    )


@strawberry.input(description="A goal's new status agreed at the meeting (applied at the close).")
class DraftGoalChangeInput:
    goal_id: strawberry.ID = strawberry.field(description="The goal (PlanGoal.id).")
    status: GoalStatusType = strawberry.field(description="Its new status.")  # type: ignore[valid-type]


@strawberry.input(description="A save of the live draft; fields left out stay as they are.")
class UpdateMeetingDraftInput:
    meeting_id: strawberry.ID = strawberry.field(description="The live meeting (PlanMeeting.id).")
    expected_draft_version: int = strawberry.field(
        description="The draft version the client saw (LiveMeeting.draftVersion); a stale one gives "
        "PlanConflictError with reason STALE_DRAFT and changes nothing."
    )
    minutes: str | None = strawberry.field(
        default=strawberry.UNSET, description="The minutes so far (up to 50,000 characters); cannot be null."
    )
    decisions: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="The decisions so far, in order; cannot be null."
    )
    actions: list[DraftActionInput] | None = strawberry.field(
        default=strawberry.UNSET, description="The actions agreed so far; cannot be null."
    )
    goal_changes: list[DraftGoalChangeInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Goal status changes agreed so far; cannot be null."
    )

    def patch(self) -> live.DraftPatch:
        actions = not_null(given(self.actions), "actions")
        changes = not_null(given(self.goal_changes), "goalChanges")
        return live.DraftPatch(
            minutes=not_null(given(self.minutes), "minutes"),
            decisions=not_null(given(self.decisions), "decisions"),
            actions=UNSET
            if actions is UNSET
            else [
                live.DraftAction(
                    goal_id=str(a.goal_id),
                    department=a.department,
                    kind=a.kind,
                    description=a.description,
                    responsible_user_id=str(a.responsible_user_id) if a.responsible_user_id else None,
                )
                for a in actions
            ],
            goal_changes=UNSET
            if changes is UNSET
            else [live.GoalChange(goal_id=str(c.goal_id), status=c.status) for c in changes],
        )


@strawberry.input(description="Close a live meeting: its draft becomes the minutes (one versioned step).")
class CloseLiveMeetingInput:
    meeting_id: strawberry.ID = strawberry.field(description="The live meeting (PlanMeeting.id).")
    expected_version: int = strawberry.field(
        description="The plan version the client saw (FamilyPlan.version); a stale one gives PlanConflictError."
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


@strawberry.input(description="Hand the pen to another member of the family's core team.")
class HandOverMeetingPenInput:
    meeting_id: strawberry.ID = strawberry.field(description="The live meeting (PlanMeeting.id).")
    to_user_id: strawberry.ID = strawberry.field(
        description="Who gets the pen (TeamWorker.id, on the core team)."
    )


MeetingIdArg = Annotated[strawberry.ID, strawberry.argument(description="The meeting (PlanMeeting.id).")]


def _lease(info: Info) -> float:
    return float(info.context.services.settings.meeting_pen_lease_s)


@strawberry.type
class LiveMeetingQuery:
    @strawberry.field(
        description="A follow-up meeting as held live: the draft as typed so far and who holds the pen, for the "
        "family's core team and the family. NOT_FOUND for anyone else."
    )
    async def live_meeting(self, info: Info, meeting_id: MeetingIdArg) -> LiveMeeting:
        ctx = info.context
        view = await live.live_meeting(
            ctx.services.sessions,
            ctx.require_principal(),
            meeting_id=str(meeting_id),
            now=ctx.now,
            today=local_day(ctx.now),
            lease_s=_lease(info),
        )
        return LiveMeeting.of(view)


@strawberry.type
class LiveMeetingMutation:
    @strawberry.mutation(
        description="Open a scheduled meeting live on the big screen: a draft of its minutes, and the pen "
        "for the opener (idempotent while open)."
    )
    async def open_live_meeting(self, info: Info, meeting_id: MeetingIdArg) -> LiveMeetingResult:
        who, sessions = actor(info), info.context.services.sessions

        async def call() -> LiveMeeting:
            view = await live.open_live(sessions, who, meeting_id=str(meeting_id), lease_s=_lease(info))
            return LiveMeeting.of(view)

        return await as_result(call)

    @strawberry.mutation(
        description="Save the live draft (the pen holder only, with the draft version seen; renews the pen)."
    )
    async def update_meeting_draft(
        self,
        info: Info,
        input: Annotated[UpdateMeetingDraftInput, strawberry.argument(description="The draft's changes.")],
    ) -> LiveMeetingResult:
        who, sessions = actor(info), info.context.services.sessions

        async def call() -> LiveMeeting:
            view = await live.update_draft(
                sessions,
                who,
                meeting_id=str(input.meeting_id),
                expected_draft_version=input.expected_draft_version,
                patch=input.patch(),
                lease_s=_lease(info),
            )
            return LiveMeeting.of(view)

        return await as_result(call)

    @strawberry.mutation(
        description="Take the pen of a live meeting if nobody holds it (or its lease lapsed)."
    )
    async def take_meeting_pen(self, info: Info, meeting_id: MeetingIdArg) -> LiveMeetingResult:
        who, sessions = actor(info), info.context.services.sessions

        async def call() -> LiveMeeting:
            view = await live.take_pen(sessions, who, meeting_id=str(meeting_id), lease_s=_lease(info))
            return LiveMeeting.of(view)

        return await as_result(call)

    @strawberry.mutation(
        description="Hand the pen to another member of the family's core team (holder only)."
    )
    async def hand_over_meeting_pen(
        self,
        info: Info,
        input: Annotated[
            HandOverMeetingPenInput, strawberry.argument(description="The meeting and to whom.")
        ],
    ) -> LiveMeetingResult:
        who, sessions = actor(info), info.context.services.sessions

        async def call() -> LiveMeeting:
            view = await live.hand_over_pen(
                sessions,
                who,
                meeting_id=str(input.meeting_id),
                to_user_id=str(input.to_user_id),
                lease_s=_lease(info),
            )
            return LiveMeeting.of(view)

        return await as_result(call)

    @strawberry.mutation(description="Put the pen down (holder only): anyone on the team may then take it.")
    async def release_meeting_pen(self, info: Info, meeting_id: MeetingIdArg) -> LiveMeetingResult:
        who, sessions = actor(info), info.context.services.sessions

        async def call() -> LiveMeeting:
            view = await live.release_pen(sessions, who, meeting_id=str(meeting_id), lease_s=_lease(info))
            return LiveMeeting.of(view)

        return await as_result(call)

    @strawberry.mutation(
        description="Close a live meeting (pen holder only): the draft is recorded as the minutes, with its "
        "decisions, agreed actions and goal changes, in one versioned step as recordMeetingMinutes does."
    )
    async def close_live_meeting(
        self,
        info: Info,
        input: Annotated[
            CloseLiveMeetingInput, strawberry.argument(description="The meeting and the close.")
        ],
    ) -> LiveMeetingResult:
        who, sessions = actor(info), info.context.services.sessions

        async def call() -> LiveMeeting:
            view = await live.close_live(
                sessions,
                who,
                meeting_id=str(input.meeting_id),
                expected_version=input.expected_version,
                closing=live.Closing(
                    held_at=input.held_at,
                    next_meeting_at=input.next_meeting_at,
                    participants=input.attended.value() if input.attended else None,
                ),
                lease_s=_lease(info),
            )
            return LiveMeeting.of(view)

        return await as_result(call)


@strawberry.type
class LiveMeetingSubscription:
    @strawberry.subscription(
        description="A live meeting as it happens, on every participant's screen: each draft save, pen change "
        "and the close, with the meeting as it is now. NOT_FOUND for a meeting the viewer may not read. With "
        "`after`, first the updates since that cursor, then live ones (as familyUpdated)."
    )
    async def meeting_updated(
        self,
        info: Info,
        meeting_id: MeetingIdArg,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Resume after this update: the `cursor` of the last one received."
            ),
        ] = None,
    ) -> AsyncGenerator[MeetingUpdateType, None]:
        ctx = info.context
        ctx.require_principal()
        resume_after = None if after is None else parse_cursor(after)

        def new_gate() -> Gate:
            return gate(dataclasses.replace(ctx, loaders={}, now=ctx.services.clock()))

        try:
            async for update in meeting_updates(ctx.services, str(meeting_id), new_gate, after=resume_after):
                yield MeetingUpdateType.of(update)
        except StreamEnded as ended:
            if ended.end.reauthenticate:
                await end_session(ctx)
            raise NotFound("no such meeting", field="meetingId") from None
