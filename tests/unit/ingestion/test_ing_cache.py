"""The cache in front of the departments: fresh hits, TTL, stale-if-error, write-through, purge."""

from __future__ import annotations

from datetime import timedelta

from ingestion_support import NOW, VAULT, AllowAll, Clock, CountingConnector, Seeded, event, service, system
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.base import Deadline, NotRegistered
from hub.auth.principal import Principal
from hub.domain import Department, Role
from hub.family import repository
from hub.family.gate import Gate
from hub.family.model import MemberInfo
from hub.family.sections import SectionService, SectionStatus
from hub.ingestion.cache import SectionCache, purge_member_department, read_many
from hub.ingestion.events import EventStatus
from hub.persistence.base import utcnow

SOF = Department.SOF
COORDINATOR = Principal(user_id="u1", username="tovholder", role=Role.COORDINATOR, department=None)


async def _members(
    sessions: async_sessionmaker[AsyncSession], seeded: Seeded, cprs: list[str]
) -> list[MemberInfo]:
    async with sessions() as session:
        found = await repository.get_members(session, VAULT, [seeded.person_ids[c] for c in cprs])
    return [found[seeded.person_ids[c]] for c in cprs]


def _sections(
    connector: CountingConnector, cache: SectionCache, now=NOW, gate: Gate | None = None
) -> SectionService:
    return SectionService(
        gate or AllowAll(COORDINATOR),
        {connector.department: connector},
        deadline=Deadline.after(5),
        now=now,
        cache=cache,
    )


def _cache(sessions: async_sessionmaker[AsyncSession], ttl: int = 300) -> SectionCache:
    return SectionCache(sessions, lambda _d: ttl)


async def test_fresh_pushed_data_is_served_without_calling_the_department(sessions, seeded: Seeded) -> None:
    cprs = seeded.registered(SOF)[:3]
    clock = Clock(NOW - timedelta(seconds=30))
    await service(sessions, clock=clock).push(system(SOF), [event(seeded, SOF, c, version=1) for c in cprs])
    connector = CountingConnector(seeded.world, SOF)
    cache = _cache(sessions)
    members = await _members(sessions, seeded, cprs)
    svc = _sections(connector, cache)
    await svc.prepare(members, [SOF])
    sections = [await svc.section(m, SOF) for m in members]
    assert connector.calls == []
    assert [s.status for s in sections] == [SectionStatus.OK] * 3
    assert [s.fetched_at for s in sections] == [clock.now] * 3
    assert sections[0].record is not None


async def test_a_miss_fetches_once_for_the_batch_and_writes_through(sessions, seeded: Seeded) -> None:
    cprs = seeded.registered(SOF)[:2]
    members = await _members(sessions, seeded, cprs)
    everyone = [
        m
        for m in await _members(sessions, seeded, list(seeded.person_ids))
        if m.person_id not in {x.person_id for x in members}
    ]
    connector = CountingConnector(seeded.world, SOF)
    cache = _cache(sessions)
    svc = _sections(connector, cache)
    await svc.prepare([*members, everyone[0]], [SOF])
    first = [await svc.section(m, SOF) for m in [*members, everyone[0]]]
    assert len(connector.calls) == 1
    assert len(connector.calls[0]) == 3
    assert [s.status for s in first[:2]] == [SectionStatus.OK] * 2
    await cache.drain()
    async with sessions() as session:
        stored = await read_many(session, SOF, [m.person_id for m in [*members, everyone[0]]])
    assert len(stored) == 3  # not-registered answers are cached too
    # A second request inside the TTL: no department call at all.
    again = _sections(connector, cache, now=NOW + timedelta(seconds=60))
    await again.prepare([*members, everyone[0]], [SOF])
    second = [await again.section(m, SOF) for m in [*members, everyone[0]]]
    assert len(connector.calls) == 1
    assert [s.status for s in second] == [s.status for s in first]


async def test_data_older_than_the_ttl_is_refreshed(sessions, seeded: Seeded) -> None:
    cpr = seeded.registered(SOF)[0]
    results = await service(sessions, clock=Clock(NOW - timedelta(minutes=10))).push(
        system(SOF), [event(seeded, SOF, cpr, version=1)]
    )
    assert results[0].status is EventStatus.APPLIED
    connector = CountingConnector(seeded.world, SOF)
    (member,) = await _members(sessions, seeded, [cpr])
    section = await _sections(connector, _cache(sessions, ttl=300)).section(member, SOF)
    assert connector.calls == [[cpr]]  # the pushed copy is 10 minutes old: past the TTL
    assert section.status is SectionStatus.OK
    assert section.fetched_at == NOW
    assert not section.stale


async def test_stale_if_error_serves_the_last_known_data_marked_stale(sessions, seeded: Seeded) -> None:
    known, unknown = seeded.registered(SOF)[:2]
    pushed_at = NOW - timedelta(hours=2)
    await service(sessions, clock=Clock(pushed_at)).push(system(SOF), [event(seeded, SOF, known, version=1)])
    connector = CountingConnector(seeded.world, SOF)
    connector.down = True
    members = await _members(sessions, seeded, [known, unknown])
    svc = _sections(connector, _cache(sessions))
    await svc.prepare(members, [SOF])
    stale, missing = [await svc.section(m, SOF) for m in members]
    assert len(connector.calls) == 1
    assert stale.status is SectionStatus.STALE
    assert stale.stale
    assert stale.fetched_at == pushed_at
    assert stale.record is not None
    assert missing.status is SectionStatus.UNAVAILABLE
    assert missing.record is None


async def test_the_gate_decides_before_the_cache_is_read(sessions, seeded: Seeded) -> None:
    cpr = seeded.registered(SOF)[0]
    await service(sessions).push(system(SOF), [event(seeded, SOF, cpr, version=1)])
    connector = CountingConnector(seeded.world, SOF)
    admin = Principal(user_id="a", username="admin", role=Role.ADMIN, department=None)
    (member,) = await _members(sessions, seeded, [cpr])
    # A gate that knows nothing about the viewer (no facts) denies: the cache is never consulted.
    section = await _sections(connector, _cache(sessions), gate=Gate(admin)).section(member, SOF)
    assert section.status is SectionStatus.FORBIDDEN
    assert section.record is None
    assert connector.calls == []


async def test_write_through_never_overwrites_a_newer_push(sessions, seeded: Seeded) -> None:
    cpr = seeded.registered(SOF)[0]
    person_id = seeded.person_ids[cpr]
    base = seeded.world.department_records[SOF][cpr]
    # The push lands after the fetch began (fetch at NOW, push at NOW+1s): the fetched answer must not win.
    await service(sessions, clock=Clock(NOW + timedelta(seconds=1))).push(
        system(SOF), [event(seeded, SOF, cpr, version=7, record=dict(base, antalAabneSager=9))]
    )
    cache = _cache(sessions)
    cache.write_behind(SOF, {person_id: NotRegistered()}, NOW)
    await cache.drain()
    async with sessions() as session:
        entry = (await read_many(session, SOF, [person_id]))[person_id]
    assert entry.version == 7
    assert entry.source == "PUSH"
    assert not isinstance(entry.result, NotRegistered)
    assert entry.result.open_cases == 9


async def test_after_purge_the_department_is_asked_again(sessions, seeded: Seeded) -> None:
    cpr = seeded.registered(SOF)[0]
    results = await service(sessions).push(system(SOF), [event(seeded, SOF, cpr, version=1)])
    assert results[0].status is EventStatus.APPLIED
    async with sessions() as session, session.begin():
        await purge_member_department(session, seeded.person_ids[cpr], SOF)
    connector = CountingConnector(seeded.world, SOF)
    (member,) = await _members(sessions, seeded, [cpr])
    await _sections(connector, _cache(sessions)).section(member, SOF)
    assert connector.calls == [[cpr]]


async def test_a_fetch_in_flight_during_a_withdrawal_cannot_put_the_data_back(
    sessions, seeded: Seeded
) -> None:
    cpr = seeded.registered(SOF)[0]
    person_id = seeded.person_ids[cpr]
    cache = _cache(sessions)
    # The fetch began an hour ago (its answer is dated then); the consent is withdrawn (purged) now.
    began = NOW - timedelta(hours=1)
    async with sessions() as session, session.begin():
        removed = await purge_member_department(session, person_id, SOF)
    assert removed == 0  # nothing was cached yet
    cache.write_behind(SOF, {person_id: NotRegistered()}, began)
    await cache.drain()
    async with sessions() as session:
        assert await read_many(session, SOF, [person_id]) == {}
    # A fetch that began after the purge is cached as usual.
    cache.write_behind(SOF, {person_id: NotRegistered()}, utcnow() + timedelta(minutes=1))
    await cache.drain()
    async with sessions() as session:
        assert person_id in await read_many(session, SOF, [person_id])
