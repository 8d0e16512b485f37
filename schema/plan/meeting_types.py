"""GraphQL types of the plan's follow-up meetings (familiehandleplansmøder).

Moved from schema/plan/types.py as is (which re-exports them); thin converters from hub.plan's read models.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.plan.views import (
    MeetingView,
)
from schema.context import Info

if TYPE_CHECKING:
    from schema.plan.voice import FamilyWords, LanguageNeed
    from schema.plan.withdrawn import WithdrawnConsentMark
from schema.plan.enums import (
    MeetingStatusType,
)
from schema.plan.people_types import PlanPerson, TeamWorker


@strawberry.type(description="A meeting participant: a family member or a worker.")
class MeetingParticipant:
    member: PlanPerson | None = strawberry.field(
        description="The family member taking part; null when the participant is a worker."
    )
    worker: TeamWorker | None = strawberry.field(
        description="The worker taking part; null when the participant is a family member (or the worker's "
        "user was removed)."
    )


@strawberry.type(description="An action created or changed at a meeting.")
class MeetingActionChange:
    action_id: strawberry.ID = strawberry.field(description="The action (PlanAction.id) created or changed.")
    change: str = strawberry.field(description="CREATED or UPDATED.")


@strawberry.type(
    description="A follow-up meeting (familiehandleplansmøde); its minutes act as the steering plan."
)
class PlanMeeting:
    id: strawberry.ID = strawberry.field(description="The meeting's id.")
    scheduled_at: datetime = strawberry.field(description="When it takes (or took) place.")
    location: str = strawberry.field(
        description="Where it takes place (free text, e.g. the family's home); empty if not given."
    )
    status: MeetingStatusType = strawberry.field(  # type: ignore[valid-type]
        description="SCHEDULED, HELD once its minutes are recorded, or CANCELLED (with a reason)."
    )
    agenda: list[str] = strawberry.field(description="The agenda items, in order.")
    chair: TeamWorker | None = strawberry.field(description="Who chairs the meeting.")
    participants: list[MeetingParticipant] = strawberry.field(
        description="Who is invited (SCHEDULED) or who attended (HELD): family members and workers."
    )
    minutes: str | None = strawberry.field(description="The minutes, once recorded.")
    decisions: list[str] = strawberry.field(
        description="Decisions recorded with the minutes, in order; empty until then."
    )
    next_meeting_at: datetime | None = strawberry.field(description="The next meeting agreed at this one.")
    action_changes: list[MeetingActionChange] = strawberry.field(
        description="Actions created or changed here."
    )
    minutes_recorded_by: TeamWorker | None = strawberry.field(
        description="Who recorded the minutes; null until recorded (or if that user was removed)."
    )
    minutes_recorded_at: datetime | None = strawberry.field(
        description="When the minutes were recorded; null until then."
    )
    plan_version: int = strawberry.field(description="The plan's version: send it as `expectedVersion`.")
    cancelled_at: datetime | None = strawberry.field(
        default=None, description="When the meeting was cancelled; null unless CANCELLED."
    )
    cancel_reason: str | None = strawberry.field(
        default=None, description="Why the meeting was cancelled; null unless CANCELLED."
    )
    family_id_: strawberry.Private[str] = ""
    participant_ids_: strawberry.Private[tuple[str, ...]] = ()

    @strawberry.field(
        description="Who needs an interpreter at this meeting: family participants (every current member if "
        "none are named) whose interpreter need covers plan meetings (setLanguageNeed)."
    )
    async def interpreter_needs(
        self, info: Info
    ) -> list[Annotated[LanguageNeed, strawberry.lazy("schema.plan.voice")]]:
        from schema.plan.voice import interpreter_needs

        return await interpreter_needs(info, self.family_id_, list(self.participant_ids_))

    @strawberry.field(
        description="The family's own words on this meeting's decisions (addFamilyNote with meetingId), beside "
        "the minutes, as the viewer may read them."
    )
    async def family_notes(
        self, info: Info
    ) -> list[Annotated[FamilyWords, strawberry.lazy("schema.plan.voice")]]:
        from schema.plan.voice import meeting_notes

        return await meeting_notes(info, self.family_id_, str(self.id))

    @strawberry.field(
        description="Children's views given at this meeting (recordChildView), as the viewer may read."
    )
    async def child_views(
        self, info: Info
    ) -> list[Annotated[FamilyWords, strawberry.lazy("schema.plan.voice")]]:
        from schema.plan.voice import child_views

        return await child_views(info, self.family_id_, str(self.id))

    @strawberry.field(
        description="The withdrawn consents the minutes were obtained under (recorded while they were in "
        "force): they stay, marked so. Empty when none."
    )
    async def withdrawn_consents(
        self, info: Info
    ) -> list[Annotated[WithdrawnConsentMark, strawberry.lazy("schema.plan.withdrawn")]]:
        from schema.plan.withdrawn import withdrawn_consents

        return await withdrawn_consents(info, self.family_id_, str(self.id))

    @classmethod
    def of(cls, m: MeetingView) -> PlanMeeting:
        return cls(
            cancelled_at=m.cancelled_at,
            cancel_reason=m.cancel_reason,
            id=strawberry.ID(m.id),
            scheduled_at=m.scheduled_at,
            location=m.location,
            status=m.status,
            agenda=list(m.agenda),
            chair=TeamWorker.of(m.chair),
            participants=[
                MeetingParticipant(
                    member=PlanPerson.of(p.person) if p.person else None, worker=TeamWorker.of(p.worker)
                )
                for p in m.participants
            ],
            minutes=m.minutes,
            decisions=list(m.decisions),
            next_meeting_at=m.next_meeting_at,
            action_changes=[
                MeetingActionChange(action_id=strawberry.ID(c.action_id), change=c.change)
                for c in m.action_changes
            ],
            minutes_recorded_by=TeamWorker.of(m.minutes_recorded_by),
            minutes_recorded_at=m.minutes_recorded_at,
            plan_version=m.plan_version,
            family_id_=m.family_id,
            participant_ids_=tuple(p.person.person_id for p in m.participants if p.person is not None),
        )
