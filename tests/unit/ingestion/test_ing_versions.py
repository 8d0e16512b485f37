"""64-bit versions on both backends: the accepted range and the columns are one fact (hub/ingestion/versions.py)."""

from __future__ import annotations

from ingestion_support import Seeded, event, service, system
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.domain import Department
from hub.ingestion.events import EventStatus
from hub.ingestion.models import CachedSection, IngestedEvent, RecordVersion
from hub.ingestion.versions import MAX_VERSION

SOF = Department.SOF
MILLISECONDS = 1_764_800_000_000  # a millisecond-timestamp version, far above 2**31


async def test_versions_beyond_32_bits_are_applied_in_order(
    sessions: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    svc = service(sessions)
    cprs = seeded.registered(SOF)[:2]
    results = await svc.push(
        system(SOF),
        [
            event(seeded, SOF, cprs[0], version=MILLISECONDS),
            event(seeded, SOF, cprs[1], version=MAX_VERSION),
            event(seeded, SOF, cprs[0], version=2**31),
        ],
    )
    assert [r.status for r in results] == [EventStatus.APPLIED, EventStatus.APPLIED, EventStatus.SUPERSEDED]
    later = await svc.push(system(SOF), [event(seeded, SOF, cprs[0], version=MILLISECONDS + 1)])
    assert [r.status for r in later] == [EventStatus.APPLIED]
    async with sessions() as session:
        stored = set((await session.scalars(select(IngestedEvent.version))).all())
        latest = set((await session.scalars(select(RecordVersion.version))).all())
        cached = set((await session.scalars(select(CachedSection.version))).all())
    assert stored == {MILLISECONDS, MAX_VERSION, 2**31, MILLISECONDS + 1}
    assert latest == cached == {MAX_VERSION, MILLISECONDS + 1}


async def test_a_version_beyond_the_columns_is_dead_lettered_alone(
    sessions: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    cprs = seeded.registered(SOF)[:2]
    results = await service(sessions).push(
        system(SOF),
        [event(seeded, SOF, cprs[0], version=MAX_VERSION + 1), event(seeded, SOF, cprs[1], version=1)],
    )
    assert [r.status for r in results] == [EventStatus.REJECTED, EventStatus.APPLIED]
    assert results[0].error is not None
    assert results[0].error.field == "version"
