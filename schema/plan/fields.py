"""Thin resolvers the family view's types call for their plan fields (Family.plan, Family.coreTeam, ...).

Each asks `plan_access` first; fields on a family the viewer can see but whose plan they may not read resolve
to null (or an empty list) rather than failing the whole family view. schema/family reaches schema/plan in this
one direction only (inside resolvers and through strawberry.lazy); schema/plan never imports schema/family.
"""

from __future__ import annotations

from hub.days import local_day
from hub.plan.access import PlanAccess
from schema.context import Info
from schema.plan.enums import CoreTeamRole
from schema.plan.loaders import latest_meeting, measurements, meetings, plan_access, plans, teams
from schema.plan.loaders import next_meeting as _next_meeting
from schema.plan.types import (
    CoreTeam,
    CoreTeamMember,
    FamilyPlan,
    PlanAction,
    PlanGoal,
    PlanMeeting,
    WellbeingMeasurement,
)


async def _access(info: Info, family_id: str, *, strict: bool = False) -> PlanAccess | None:
    access = await plan_access(info).load(family_id)
    if strict:
        access.require_read()
    return access if access.can_read else None


async def readable_plan(info: Info, family_id: str, *, strict: bool = False) -> FamilyPlan | None:
    """The family's plan if the viewer may read it; with `strict`, NOT_FOUND/FORBIDDEN instead of None."""
    access = await _access(info, family_id, strict=strict)
    return FamilyPlan(access=access, family_id_=family_id) if access else None


async def core_team(info: Info, family_id: str) -> CoreTeam | None:
    if await _access(info, family_id) is None:
        return None
    return CoreTeam(view=await teams(info).load(family_id), today=local_day(info.context.now))


async def coordinator(info: Info, family_id: str) -> CoreTeamMember | None:
    found = await core_team(info, family_id)
    return found.coordinator() if found else None


async def makkerpar(info: Info, family_id: str) -> list[CoreTeamMember]:
    found = await core_team(info, family_id)
    return found.makkerpar() if found else []


async def family_meetings(info: Info, family_id: str) -> list[PlanMeeting]:
    if await _access(info, family_id) is None:
        return []
    return [PlanMeeting.of(m) for m in await meetings(info).load(family_id)]


async def latest(info: Info, family_id: str) -> PlanMeeting | None:
    if await _access(info, family_id) is None:
        return None
    found = await latest_meeting(info, family_id)
    return PlanMeeting.of(found) if found else None


async def next_meeting(info: Info, family_id: str) -> PlanMeeting | None:
    if await _access(info, family_id) is None:
        return None
    found = await _next_meeting(info, family_id)
    return PlanMeeting.of(found) if found else None


async def member_goals(info: Info, family_id: str, person_id: str) -> list[PlanGoal]:
    access = await _access(info, family_id)
    if access is None or not access.sees_person(person_id):
        return []
    plan = await plans(info).load(family_id)
    return [PlanGoal.of(g) for g in plan.goals if g.person_id == person_id]


async def member_actions(info: Info, family_id: str, person_id: str) -> list[PlanAction]:
    return [a for g in await member_goals(info, family_id, person_id) for a in g.actions]


async def member_measurements(info: Info, family_id: str, person_id: str) -> list[WellbeingMeasurement]:
    access = await _access(info, family_id)
    if access is None or not access.sees_person(person_id):
        return []
    rows = await measurements(info).load(family_id)
    return [WellbeingMeasurement.of(m) for m in rows if m.person.person_id == person_id]


__all__ = ["CoreTeamRole"]
