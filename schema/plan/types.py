"""GraphQL types of the family action plan: thin converters from hub.plan's read models.

Member-level data in a `FamilyPlan` is filtered by the viewer's `PlanAccess` (a citizen sees family goals,
their own and their children's); nothing here decides access itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from strawberry.scalars import JSON

from hub.days import local_day
from hub.plan.access import PlanAccess
from hub.plan.views import (
    HistoryView,
)
from schema.context import Info
from schema.plan import loaders

if TYPE_CHECKING:
    from schema.plan.voice import FamilyWords, LanguageNeed
from schema.plan.enums import (
    GoalScope,
    InstrumentType,
)
from schema.plan.goal_types import PlanAction, PlanGoal, ProgressNote
from schema.plan.measurement_types import WellbeingMeasurement
from schema.plan.meeting_types import MeetingActionChange, MeetingParticipant, PlanMeeting
from schema.plan.people_types import CoreTeam, CoreTeamMember, FamilyMembership, PlanPerson, TeamWorker

__all__ = [
    "CoreTeam",
    "CoreTeamMember",
    "FamilyMembership",
    "FamilyPlan",
    "MeetingActionChange",
    "MeetingParticipant",
    "PlanAction",
    "PlanGoal",
    "PlanHistoryEntry",
    "PlanMeeting",
    "PlanPerson",
    "ProgressNote",
    "TeamWorker",
    "WellbeingMeasurement",
]


@strawberry.type(description="One change in the family's history: who changed what, and when.")
class PlanHistoryEntry:
    id: strawberry.ID = strawberry.field(description="The entry's id.")
    occurred_at: datetime = strawberry.field(description="When the change was made.")
    actor: TeamWorker | None = strawberry.field(
        description="Who made the change (null if that user no longer exists in the hub)."
    )
    entity: str = strawberry.field(description="GOAL, ACTION, MEETING, MEASUREMENT, TEAM, MEMBERSHIP, ...")
    entity_id: strawberry.ID = strawberry.field(
        description="The id of the changed goal, action, meeting, measurement, assignment or membership."
    )
    change: str = strawberry.field(description="CREATED, UPDATED, SCHEDULED, MINUTES_RECORDED, ASSIGNED, ...")
    member_id: strawberry.ID | None = strawberry.field(
        description="The member concerned; null for the family."
    )
    plan_version: int | None = strawberry.field(
        description="The plan's version after a versioned edit (goals, actions, minutes); null for appends "
        "such as notes, measurements, team and membership changes."
    )
    summary: str = strawberry.field(
        description="A one-line human-readable summary of the change (at most 300 characters)."
    )
    diff: JSON = strawberry.field(
        description="The changed fields: {field: [old, new]} (free text only marked)."
    )

    @classmethod
    def of(cls, h: HistoryView) -> PlanHistoryEntry:
        return cls(
            id=strawberry.ID(h.id),
            occurred_at=h.occurred_at,
            actor=TeamWorker.of(h.actor),
            entity=h.entity,
            entity_id=strawberry.ID(h.entity_id),
            change=h.change,
            member_id=strawberry.ID(h.person_id) if h.person_id else None,
            plan_version=h.plan_version,
            summary=h.summary,
            diff=cast(JSON, h.diff),
        )


@strawberry.type(
    description="The family action plan (familiehandleplan): goals, actions, meetings, measurements."
)
class FamilyPlan:
    access: strawberry.Private[PlanAccess]
    family_id_: strawberry.Private[str]

    @strawberry.field(description="The family's id.")
    def family_id(self) -> strawberry.ID:
        return strawberry.ID(self.family_id_)

    @strawberry.field(
        description="The plan's version (0: nothing planned yet). Send it as `expectedVersion`."
    )
    async def version(self, info: Info) -> int:
        return (await loaders.plans(info).load(self.family_id_)).version

    @strawberry.field(description="When the plan last changed.")
    async def updated_at(self, info: Info) -> datetime | None:
        return (await loaders.plans(info).load(self.family_id_)).updated_at

    @strawberry.field(description="Goals the viewer may see: the family's first, then members'.")
    async def goals(
        self,
        info: Info,
        scope: Annotated[
            GoalScope, strawberry.argument(description="Family goals, member goals, or both.")
        ] = GoalScope.ALL,
        member_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only this member's goals (FamilyMember.id); null for everyone's."
            ),
        ] = None,
    ) -> list[PlanGoal]:
        plan = await loaders.plans(info).load(self.family_id_)
        out = []
        for g in plan.goals:
            if not self.access.sees_person(g.person_id):
                continue
            if scope is GoalScope.FAMILY and g.person is not None:
                continue
            if scope is GoalScope.MEMBERS and g.person is None:
                continue
            if member_id is not None and g.person_id != str(member_id):
                continue
            out.append(PlanGoal.of(g))
        return out

    @strawberry.field(
        description="Children's views (10-17) the viewer may read: written by the young person or recorded by "
        "the team as the child's; a 15-17-year-old's reach a parent only with their consent."
    )
    async def child_views(
        self, info: Info
    ) -> list[Annotated[FamilyWords, strawberry.lazy("schema.plan.voice")]]:
        from schema.plan.voice import child_views

        return await child_views(info, self.family_id_)

    @strawberry.field(description="Current members' language and interpreter needs (setLanguageNeed).")
    async def language_needs(
        self, info: Info
    ) -> list[Annotated[LanguageNeed, strawberry.lazy("schema.plan.voice")]]:
        from schema.plan.voice import family_language_needs

        return await family_language_needs(info, self.family_id_)

    @strawberry.field(description="The family's core team.")
    async def core_team(self, info: Info) -> CoreTeam:
        return CoreTeam(
            view=await loaders.teams(info).load(self.family_id_), today=local_day(info.context.now)
        )

    @strawberry.field(description="All follow-up meetings, oldest first.")
    async def meetings(self, info: Info) -> list[PlanMeeting]:
        return [PlanMeeting.of(m) for m in await loaders.meetings(info).load(self.family_id_)]

    @strawberry.field(
        description="The latest meeting with minutes: its minutes are the current steering plan."
    )
    async def latest_meeting(self, info: Info) -> PlanMeeting | None:
        found = await loaders.latest_meeting(info, self.family_id_)
        return PlanMeeting.of(found) if found else None

    @strawberry.field(description="The next scheduled meeting from now.")
    async def next_meeting(self, info: Info) -> PlanMeeting | None:
        found = await loaders.next_meeting(info, self.family_id_)
        return PlanMeeting.of(found) if found else None

    @strawberry.field(description="Wellbeing measurements the viewer may see, by member and date.")
    async def measurements(
        self,
        info: Info,
        member_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only this member's measurements (FamilyMember.id); null for all."
            ),
        ] = None,
        instrument: Annotated[
            InstrumentType | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only this instrument; null for all."),
        ] = None,
    ) -> list[WellbeingMeasurement]:
        rows = await loaders.measurements(info).load(self.family_id_)
        return [
            WellbeingMeasurement.of(m)
            for m in rows
            if self.access.sees_person(m.person.person_id)
            and (member_id is None or m.person.person_id == str(member_id))
            and (instrument is None or m.instrument is instrument)
        ]

    @strawberry.field(description="The plan's history, newest first (who changed what, and when).")
    async def history(
        self,
        info: Info,
        limit: Annotated[
            int,
            strawberry.argument(
                description="How many of the newest entries (values outside 1-200 are clamped)."
            ),
        ] = 50,
    ) -> list[PlanHistoryEntry]:
        return [PlanHistoryEntry.of(h) for h in await loaders.history(info, self.access, limit)]
