"""An eventId reused with different content is a sender's bug: CONFLICT and dead-lettered, never a silent replay.
The same id with the same content stays a no-op replay, answered as the first push was."""

from __future__ import annotations

from typing import Any

from ingestion_support import Seeded, event, service, system
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.domain import Department
from hub.ingestion.events import EventStatus
from hub.ingestion.models import CachedSection, DeadLetter, IngestedEvent

SOF = Department.SOF


async def _count(sessions: async_sessionmaker[AsyncSession], model: Any) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_same_id_different_content_is_a_conflict_and_dead_lettered(
    sessions: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    svc = service(sessions)
    cpr = seeded.registered(SOF)[0]
    base = seeded.world.department_records[SOF][cpr]
    first = event(seeded, SOF, cpr, version=1, event_id="sof-reused", record=dict(base, antalAabneSager=1))
    other = {**first, "version": 2, "record": dict(base, antalAabneSager=2)}
    assert [r.status for r in await svc.push(system(SOF), [first])] == [EventStatus.APPLIED]

    (answer,) = await svc.push(system(SOF), [other])
    assert answer.status is EventStatus.REJECTED
    assert answer.error is not None
    assert (answer.error.code, answer.error.field) == ("CONFLICT", "eventId")
    assert await _count(sessions, DeadLetter) == 1
    assert await _count(sessions, IngestedEvent) == 1
    async with sessions() as session:
        row = await session.get(CachedSection, (seeded.person_ids[cpr], SOF))
    assert row is not None
    assert row.version == 1  # the conflicting content changed nothing

    # The same content again is a plain replay: the first answer, nothing stored.
    assert [r.status for r in await svc.push(system(SOF), [first])] == [EventStatus.APPLIED]
    assert await _count(sessions, DeadLetter) == 1


async def test_within_one_batch_too(sessions: async_sessionmaker[AsyncSession], seeded: Seeded) -> None:
    cpr = seeded.registered(SOF)[0]
    first = event(seeded, SOF, cpr, version=1, event_id="sof-twice")
    results = await service(sessions).push(system(SOF), [first, first, {**first, "version": 5}])
    assert [r.status for r in results] == [EventStatus.APPLIED, EventStatus.APPLIED, EventStatus.REJECTED]
    assert results[2].error is not None
    assert results[2].error.code == "CONFLICT"
    assert await _count(sessions, DeadLetter) == 1


async def test_the_same_event_through_the_other_door_is_a_replay(
    sessions: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    """The GraphQL door hands occurredAt over as a datetime, the webhook as text: still the same content."""
    from datetime import datetime

    svc = service(sessions)
    cpr = seeded.registered(SOF)[0]
    webhook = event(seeded, SOF, cpr, version=3, event_id="sof-doors")
    graphql = {**webhook, "occurredAt": datetime.fromisoformat(webhook["occurredAt"])}
    assert [r.status for r in await svc.push(system(SOF, "webhook"), [webhook])] == [EventStatus.APPLIED]
    assert [r.status for r in await svc.push(system(SOF), [graphql])] == [EventStatus.APPLIED]
    assert await _count(sessions, DeadLetter) == 0
