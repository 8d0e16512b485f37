"""Meeting mutations beside scheduling and minutes: move a scheduled meeting, or cancel it, with a reason.

Thin: principal -> hub.plan.meetings. The reason is kept in the plan's history (and, for a cancellation, on
the meeting). A closed family's meetings cannot be changed (CONFLICT, reason FAMILY_CLOSED).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from hub.plan import meetings
from schema.context import Info
from schema.plan.mutations import MeetingResult, saved
from schema.plan.types import PlanMeeting


@strawberry.input(description="Move a scheduled meeting to another time.")
class MoveMeetingInput:
    meeting_id: strawberry.ID = strawberry.field(description="The meeting (PlanMeeting.id), still SCHEDULED.")
    scheduled_at: datetime = strawberry.field(description="The new time, with a UTC offset.")
    reason: str = strawberry.field(
        description="Why it moves (kept in the plan's history; up to 1,000 characters)."
    )


@strawberry.input(description="Cancel a scheduled meeting.")
class CancelMeetingInput:
    meeting_id: strawberry.ID = strawberry.field(description="The meeting (PlanMeeting.id), still SCHEDULED.")
    reason: str = strawberry.field(
        description="Why it is cancelled (kept on the meeting and in the plan's history; up to 1,000 characters)."
    )


@strawberry.type
class MeetingMutation:
    @strawberry.mutation(description="Move a scheduled follow-up meeting; the reason is kept in the history.")
    async def move_meeting(
        self,
        info: Info,
        input: Annotated[MoveMeetingInput, strawberry.argument(description="The meeting, when, and why.")],
    ) -> MeetingResult:
        return await saved(
            info,
            lambda sessions, who: meetings.move_meeting(
                sessions,
                who,
                meeting_id=str(input.meeting_id),
                scheduled_at=input.scheduled_at,
                reason=input.reason,
            ),
            PlanMeeting.of,
        )

    @strawberry.mutation(
        description="Cancel a scheduled follow-up meeting, with a reason (kept in the history)."
    )
    async def cancel_meeting(
        self,
        info: Info,
        input: Annotated[CancelMeetingInput, strawberry.argument(description="The meeting and why.")],
    ) -> MeetingResult:
        return await saved(
            info,
            lambda sessions, who: meetings.cancel_meeting(
                sessions, who, meeting_id=str(input.meeting_id), reason=input.reason
            ),
            PlanMeeting.of,
        )
