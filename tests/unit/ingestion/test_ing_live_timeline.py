"""Family.timeline and live delivery: both filtered per (member, department) by a fresh gate decision."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Iterable
from datetime import timedelta
from typing import Any

import pytest
from ingestion_support import NOW, VAULT, AllowAll, Seeded, event, service, system
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.auth.principal import Principal
from hub.domain import Department, Role
from hub.errors import NotFound
from hub.family import repository
from hub.family.gate import Gate, SectionDecision, Verdict
from hub.family.model import MemberInfo
from hub.ingestion.feed import family_channel
from hub.ingestion.live import deliverable, family_updates
from hub.ingestion.timeline import TimelineKind, timeline
from hub.persistence.models import User
from hub.plan.access import Level, PlanAccess
from hub.plan.models import HistoryEntry
from hub.pubsub import InProcessPubSub
from hub.services import Services
from hub.settings import Settings
from tests.support.waits import listening

SOF, BIF = Department.SOF, Department.BIF
VIEWER = Principal(user_id="u1", username="tovholder", role=Role.COORDINATOR, department=None)


class Denying(AllowAll):
    """Allows everything except the given departments (as a withdrawn consent would)."""

    def __init__(self, denied: Collection[Department]) -> None:
        super().__init__(VIEWER)
        self.denied = set(denied)

    async def decide_many(
        self, members: Iterable[MemberInfo], departments: Collection[Department]
    ) -> dict[tuple[str, Department], SectionDecision]:
        members = list(members)
        for m in members:
            for d in departments:
                if d in self.denied:
                    self._decisions[(m.person_id, d)] = SectionDecision(Verdict.CONSENT_REQUIRED, "withdrawn")
        return await super().decide_many(members, departments)


def _family_with(seeded: Seeded, *departments: Department) -> tuple[str, dict[Department, str]]:
    """A family with a member registered in each department, and that member's CPR per department."""
    for fam in seeded.world.families:
        chosen: dict[Department, str] = {}
        for d in departments:
            cprs = [m.cpr for m in fam.members if m.cpr in seeded.world.department_records[d]]
            if cprs:
                chosen[d] = cprs[0]
        if len(chosen) == len(departments):
            return fam.key, chosen
    raise AssertionError("no such family in the test world")


async def _members(sessions: async_sessionmaker[AsyncSession], family_id: str) -> list[MemberInfo]:
    async with sessions() as session:
        return (await repository.members_of(session, VAULT, [family_id]))[family_id]


async def test_timeline_merges_department_updates_and_plan_edits_newest_first(
    sessions, seeded: Seeded
) -> None:
    family_id, cprs = _family_with(seeded, SOF, BIF)
    svc = service(sessions)
    await svc.push(
        system(SOF), [event(seeded, SOF, cprs[SOF], version=1, occurred_at=NOW - timedelta(hours=3))]
    )
    await svc.push(
        system(BIF), [event(seeded, BIF, cprs[BIF], version=1, occurred_at=NOW - timedelta(hours=1))]
    )
    await svc.push(system(BIF), [event(seeded, BIF, cprs[BIF], version=0, occurred_at=NOW)])  # superseded
    async with sessions() as session, session.begin():
        session.add(
            HistoryEntry(
                family_id=family_id,
                occurred_at=NOW - timedelta(hours=2),
                entity="GOAL",
                entity_id="g1",
                change="CREATED",
                summary="goal added",
                diff={},
            )
        )
    members = await _members(sessions, family_id)
    plan = PlanAccess(family_id, Level.EDIT, "core_team")
    async with sessions() as session:
        entries = await timeline(session, AllowAll(VIEWER), members, plan, 10)
        assert [(e.kind, e.department) for e in entries] == [
            (TimelineKind.DEPARTMENT_UPDATE, BIF),
            (TimelineKind.PLAN_EDIT, None),
            (TimelineKind.DEPARTMENT_UPDATE, SOF),
        ]
        assert cprs[SOF] not in entries[2].summary
        assert entries[2].person_id == seeded.person_ids[cprs[SOF]]
        # Consent withdrawn for SOF: its entries vanish; no plan access: no plan edits.
        filtered = await timeline(
            session, Denying({SOF}), members, PlanAccess(family_id, Level.NONE, "x"), 10
        )
        assert [e.department for e in filtered] == [BIF]
        assert len(await timeline(session, AllowAll(VIEWER), members, plan, 1)) == 1


def _services(sessions: async_sessionmaker[AsyncSession], pubsub: InProcessPubSub) -> Services:
    return Services(
        settings=Settings(),
        engine=sessions.kw["bind"],
        sessions=sessions,
        vault=VAULT,
        connectors={},
        metrics=None,  # type: ignore[arg-type]
        clock=lambda: NOW,
        extras={"pubsub": pubsub},
    )


async def test_live_updates_are_decided_per_delivery(sessions, seeded: Seeded) -> None:
    family_id, cprs = _family_with(seeded, SOF, BIF)
    pubsub = InProcessPubSub()
    services = _services(sessions, pubsub)
    async with sessions.begin() as session:  # the stream goes on only while its user is active
        session.add(
            User(
                id=VIEWER.user_id,
                username="tovholder",
                subject="tovholder",
                display_name="T",
                role=VIEWER.role,
            )
        )
    denied: set[Department] = set()
    updates: asyncio.Queue[Any] = asyncio.Queue()

    async def follow() -> None:
        async for update in family_updates(services, family_id, lambda: Denying(denied)):
            await updates.put(update)

    task = asyncio.create_task(follow())
    try:
        await listening(pubsub, family_channel(family_id))
        svc = service(sessions, pubsub=pubsub)
        await svc.push(system(SOF), [event(seeded, SOF, cprs[SOF], version=1)])
        first = await asyncio.wait_for(updates.get(), 2)
        assert (first.department, first.person_id, first.version) == (SOF, seeded.person_ids[cprs[SOF]], 1)
        denied.add(SOF)  # e.g. consent withdrawn mid-subscription: the next SOF update is not delivered
        await svc.push(system(SOF), [event(seeded, SOF, cprs[SOF], version=2)])
        await svc.push(system(BIF), [event(seeded, BIF, cprs[BIF], version=1)])
        second = await asyncio.wait_for(updates.get(), 2)
        assert second.department is BIF
        assert updates.empty()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_messages_for_other_families_or_former_members_are_not_delivered(
    sessions, seeded: Seeded
) -> None:
    family_id, cprs = _family_with(seeded, SOF)
    other = next(f.key for f in seeded.world.families if f.key != family_id)
    services = _services(sessions, InProcessPubSub())
    message = {
        "type": "DEPARTMENT_RECORD",
        "familyId": family_id,
        "personId": seeded.person_ids[cprs[SOF]],
        "department": "SOF",
        "recordKind": "borger",
        "recordId": "r",
        "version": 1,
        "deleted": False,
        "occurredAt": NOW.isoformat(),
    }
    allow = lambda: AllowAll(VIEWER)  # noqa: E731 - a one-line factory
    assert await deliverable(services, family_id, message, allow) is not None
    assert await deliverable(services, other, message, allow) is None
    moved = {**message, "familyId": other}
    assert await deliverable(services, other, moved, allow) is None  # the person is not in `other`
    assert await deliverable(services, family_id, {**message, "type": "UNKNOWN"}, allow) is None


async def test_subscribing_to_a_family_the_viewer_may_not_see_is_not_found(sessions, seeded: Seeded) -> None:
    services = _services(sessions, InProcessPubSub())
    with pytest.raises(NotFound):
        await anext(family_updates(services, seeded.world.families[0].key, lambda: Gate(VIEWER)))
    with pytest.raises(NotFound):
        await anext(family_updates(services, "no-such-family", lambda: AllowAll(VIEWER)))
