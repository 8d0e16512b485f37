"""Resolvers of the family's overview. Department items come through the request's `SectionService` (the gate
decides and audits each member and department; one batched call per department, shared with every other field
of the request that needs sections); plan items only where the viewer may read the plan."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from connectors.records import DepartmentRecord
from hub.agenda import collect, rules
from hub.agenda.acknowledge import acknowledgements
from hub.agenda.contacts import family_contacts
from hub.agenda.model import AgendaItem, Conflict, RuleSettings
from hub.audit.buffer import audit_read
from hub.days import local_day
from hub.domain import Department
from hub.errors import BadUserInput
from hub.family.model import MemberInfo
from hub.plan.access import PlanAccess
from hub.plan.history import AUDIT_SOURCE
from schema.agenda.types import AgendaItemType, ConflictAcknowledgement, ConflictType, FamilyContact
from schema.context import Info
from schema.loaders import family_members, section_service
from schema.plan.loaders import meetings, plan_access, plans, teams

MAX_DAYS = 92
DEFAULT_DAYS = 28


@dataclass(frozen=True, slots=True)
class Window:
    first: date
    last: date

    @classmethod
    def of(cls, info: Info, start: date | None, days: int) -> Window:
        if not 1 <= days <= MAX_DAYS:
            raise BadUserInput(f"days must be 1-{MAX_DAYS}", field="days")
        first = start or local_day(info.context.now)
        return cls(first, first + timedelta(days=days - 1))


async def _readable_plan(info: Info, family_id: str) -> PlanAccess | None:
    access = await plan_access(info).load(family_id)
    return access if access.can_read else None


async def _records(info: Info, members: Sequence[MemberInfo]) -> list[tuple[str, DepartmentRecord]]:
    service = section_service(info)
    departments = list(Department)
    await service.prepare(members, departments)
    out: list[tuple[str, DepartmentRecord]] = []
    for member in members:
        for section in await service.sections(member, departments):
            if section.record is not None:
                out.append((member.person_id, section.record))
    return out


async def agenda_items(info: Info, family_id: str, window: Window) -> list[AgendaItem]:
    """The family's agenda for the viewer, computed once per request and window (the members' agendas and the
    conflicts reuse it, also when resolved concurrently)."""
    memo: dict[tuple[str, date, date], asyncio.Task[list[AgendaItem]]] = info.context.state.setdefault(
        "agenda", {}
    )
    cache_key = (family_id, window.first, window.last)
    task = memo.get(cache_key)
    if task is None:
        task = memo[cache_key] = asyncio.ensure_future(_agenda_items(info, family_id, window))
    return await asyncio.shield(task)


async def _agenda_items(info: Info, family_id: str, window: Window) -> list[AgendaItem]:
    members = await family_members(info, family_id)
    items: list[AgendaItem] = []
    for person_id, record in await _records(info, members):
        items += collect.record_items(person_id, record, window.first, window.last)
    access = await _readable_plan(info, family_id)
    if access is not None:
        plan = await plans(info).load(family_id)
        goals = [g for g in plan.goals if access.sees_person(g.person.person_id if g.person else None)]
        found = collect.plan_items(goals, await meetings(info).load(family_id), window.first, window.last)
        if found:
            audit_read(
                info,
                subject_person_id=None,
                source=AUDIT_SOURCE,
                categories=("CASE",),
                reason="agenda",
                family_id=family_id,
            )
        items += found
    return collect.ordered(items)


async def family_agenda(info: Info, family_id: str, window: Window) -> list[AgendaItemType]:
    return [AgendaItemType.of(i) for i in await agenda_items(info, family_id, window)]


async def member_agenda(info: Info, family_id: str, person_id: str, window: Window) -> list[AgendaItemType]:
    items = await agenda_items(info, family_id, window)
    return [AgendaItemType.of(i) for i in items if i.person_id in (person_id, None)]


def settings_for(info: Info, members: Sequence[MemberInfo]) -> RuleSettings:
    settings = info.context.services.settings
    today = local_day(info.context.now)
    return RuleSettings(
        travel_gap_minutes=settings.agenda_travel_gap_minutes,
        weekly_limit=settings.agenda_weekly_limit,
        pupils=frozenset(m.person_id for m in members if 6 <= m.age(today) < 17),
    )


async def current_conflicts(info: Info, family_id: str, window: Window) -> list[Conflict]:
    members = await family_members(info, family_id)
    return rules.conflicts(await agenda_items(info, family_id, window), settings_for(info, members))


async def family_conflicts(
    info: Info, family_id: str, window: Window, *, include_acknowledged: bool
) -> list[ConflictType]:
    found = await current_conflicts(info, family_id, window)
    acks: dict[str, list[ConflictAcknowledgement]] = {}
    principal = info.context.principal
    # The team's notes are the team's: a citizen sees the conflicts, not the acknowledgements (as with signals).
    workers_view = principal is not None and principal.is_worker
    if found and workers_view and await _readable_plan(info, family_id) is not None:
        async with info.context.services.sessions() as session:
            stored = await acknowledgements(session, family_id, [c.key for c in found])
        acks = {
            key: [
                ConflictAcknowledgement(acknowledged_at=a.at, acknowledged_by=a.by, note=a.note) for a in got
            ]
            for key, got in stored.items()
        }
    out = [ConflictType.of(c, acks.get(c.key, [])) for c in found]
    return out if include_acknowledged else [c for c in out if not c.acknowledgements]


async def contacts(info: Info, family_id: str) -> list[FamilyContact]:
    members = await family_members(info, family_id)
    records = await _records(info, members)
    team = []
    if await _readable_plan(info, family_id) is not None:
        team = (await teams(info).load(family_id)).current(local_day(info.context.now))
    return [FamilyContact.of(c) for c in family_contacts(team, records)]
