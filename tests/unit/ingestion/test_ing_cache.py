"""The cache in front of the departments: fresh hits, TTL, stale-if-error, the in-process LRU (no SQL writes
from a view), purge and push invalidation (also across processes), bounded memory."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
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
from hub.ingestion.memory import CacheEntry

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


async def test_a_miss_fetches_once_for_the_batch_and_keeps_the_answers_in_memory_only(
    sessions, seeded: Seeded
) -> None:
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
    assert stored == {}  # the database holds pushed records only: a view writes nothing there
    assert len(cache.memory) == 3  # not-registered answers are cached too
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


async def test_a_fetch_that_began_before_a_push_cannot_hide_it(sessions, seeded: Seeded) -> None:
    cpr = seeded.registered(SOF)[0]
    person_id = seeded.person_ids[cpr]
    base = seeded.world.department_records[SOF][cpr]
    cache = _cache(sessions)
    began = cache.memory.epoch  # a department look-up begins ...
    # ... a push commits meanwhile (its commit drops the key from every LRU) ...
    await service(sessions, clock=Clock(NOW + timedelta(seconds=1))).push(
        system(SOF), [event(seeded, SOF, cpr, version=7, record=dict(base, antalAabneSager=9))]
    )
    # ... and the look-up's older answer arrives: it must not be kept over the push.
    cache.remember(SOF, {person_id: NotRegistered()}, NOW, since=began)
    held = cache.memory.get((person_id, SOF))
    assert held is not None
    assert (held.source, held.version) == ("PUSH", 7)  # the push's own copy, kept at its commit
    cache.memory.clear()  # another process: it only heard "dropped", and reads the pushed row once
    connector = CountingConnector(seeded.world, SOF)
    (member,) = await _members(sessions, seeded, [cpr])
    section = await _sections(connector, cache, now=NOW + timedelta(seconds=2)).section(member, SOF)
    assert connector.calls == []  # the pushed row, read once from the database
    assert section.record is not None
    assert section.record.open_cases == 9


def _held(cache: SectionCache) -> list[CacheEntry]:
    return list(cache.memory._entries.values())


async def test_a_push_drops_what_this_process_had_fetched(sessions, seeded: Seeded) -> None:
    cpr = seeded.registered(SOF)[0]
    base = seeded.world.department_records[SOF][cpr]
    cache = _cache(sessions)
    connector = CountingConnector(seeded.world, SOF)
    (member,) = await _members(sessions, seeded, [cpr])
    await _sections(connector, cache).section(member, SOF)
    assert len(connector.calls) == 1
    await service(sessions, clock=Clock(NOW + timedelta(seconds=1))).push(
        system(SOF), [event(seeded, SOF, cpr, version=3, record=dict(base, antalAabneSager=4))]
    )
    section = await _sections(connector, cache, now=NOW + timedelta(seconds=2)).section(member, SOF)
    assert len(connector.calls) == 1
    assert section.record is not None
    assert section.record.open_cases == 4


async def test_the_pushing_process_keeps_the_pushed_record_without_reading_it_back(
    sessions, seeded: Seeded
) -> None:
    from sqlalchemy import event as sa_event

    from hub.pubsub import InProcessPubSub

    cpr = seeded.registered(SOF)[0]
    person_id = seeded.person_ids[cpr]
    base = seeded.world.department_records[SOF][cpr]
    bus = InProcessPubSub()
    cache = SectionCache(sessions, lambda _d: 300, pubsub=bus)
    await cache.start()
    try:
        await service(sessions, pubsub=bus, clock=Clock(NOW)).push(
            system(SOF), [event(seeded, SOF, cpr, version=5, record=dict(base, antalAabneSager=6))]
        )
        await cache.drain()
        await asyncio.sleep(0.05)  # our own announcement comes back on the bus: it must not drop our copy
        held = cache.memory.get((person_id, SOF))
        assert held is not None
        assert held.source == "PUSH"
        assert held.version == 5
        reads: list[str] = []

        def on_execute(conn: object, cursor: object, statement: str, *args: object) -> None:
            if "ingestion_cache" in statement:
                reads.append(statement)

        engine = sessions.kw["bind"].sync_engine
        sa_event.listen(engine, "before_cursor_execute", on_execute)
        try:
            connector = CountingConnector(seeded.world, SOF)
            (member,) = await _members(sessions, seeded, [cpr])
            section = await _sections(connector, cache, now=NOW + timedelta(seconds=1)).section(member, SOF)
        finally:
            sa_event.remove(engine, "before_cursor_execute", on_execute)
        assert connector.calls == []
        assert reads == []
        assert section.record is not None
        assert section.record.open_cases == 6
    finally:
        await cache.aclose()


async def test_a_view_writes_nothing_to_the_database(sessions, seeded: Seeded) -> None:
    from sqlalchemy import event as sa_event

    cprs = seeded.registered(SOF)[:3]
    members = await _members(sessions, seeded, cprs)
    writes: list[str] = []

    def on_execute(conn: object, cursor: object, statement: str, *args: object) -> None:
        if not statement.lstrip().upper().startswith(("SELECT", "BEGIN", "PRAGMA", "COMMIT", "ROLLBACK")):
            writes.append(statement.split(maxsplit=1)[0])

    engine = sessions.kw["bind"].sync_engine
    sa_event.listen(engine, "before_cursor_execute", on_execute)
    try:
        cache = _cache(sessions, ttl=0)  # cold: every view asks the department
        for n in range(3):
            svc = _sections(CountingConnector(seeded.world, SOF), cache, now=NOW + timedelta(seconds=n))
            await svc.prepare(members, [SOF])
            for member in members:
                assert (await svc.section(member, SOF)).status is SectionStatus.OK
        await cache.drain()
    finally:
        sa_event.remove(engine, "before_cursor_execute", on_execute)
    assert writes == []


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
    cache.remember(SOF, {person_id: NotRegistered()}, NOW)  # held before the withdrawal
    began = cache.memory.epoch  # a department look-up begins; the consent is withdrawn (purged) meanwhile
    async with sessions() as session, session.begin():
        removed = await purge_member_department(session, person_id, SOF)
    assert removed == 0  # nothing was pushed, so the database held nothing
    assert len(cache.memory) == 0  # the commit dropped this process's copy
    cache.remember(SOF, {person_id: NotRegistered()}, NOW + timedelta(seconds=1), since=began)
    assert len(cache.memory) == 0
    async with sessions() as session:
        assert await read_many(session, SOF, [person_id]) == {}
    # A look-up that began after the purge is cached as usual.
    cache.remember(SOF, {person_id: NotRegistered()}, NOW + timedelta(minutes=1))
    assert len(cache.memory) == 1


async def test_a_rolled_back_purge_drops_nothing(sessions, seeded: Seeded) -> None:
    person_id = seeded.person_ids[seeded.registered(SOF)[0]]
    cache = _cache(sessions)
    cache.remember(SOF, {person_id: NotRegistered()}, NOW)
    with contextlib.suppress(RuntimeError):
        async with sessions() as session, session.begin():
            await purge_member_department(session, person_id, SOF)
            raise RuntimeError("the withdrawal failed")
    assert len(cache.memory) == 1


async def test_a_purge_reaches_the_cache_of_another_process(sessions, seeded: Seeded) -> None:
    """Two hub processes (two engines on one database) sharing a pub/sub: A's purge empties B's copy."""
    from hub.persistence.engine import create_engine, create_session_factory
    from hub.pubsub import InProcessPubSub

    person_id = seeded.person_ids[seeded.registered(SOF)[0]]
    bus = InProcessPubSub()  # stands in for Redis between the two
    engine_b = create_engine(sessions.kw["bind"].url.render_as_string(hide_password=False))
    a = SectionCache(sessions, lambda _d: 300, pubsub=bus)
    b = SectionCache(create_session_factory(engine_b), lambda _d: 300, pubsub=bus)
    try:
        await a.start()
        await b.start()
        b.remember(SOF, {person_id: NotRegistered()}, NOW)
        began = b.memory.epoch
        async with sessions() as session, session.begin():  # through A's engine
            await purge_member_department(session, person_id, SOF)
        await a.drain()
        for _ in range(100):  # delivery is asynchronous, bounded
            if not len(b.memory):
                break
            await asyncio.sleep(0.01)
        assert len(b.memory) == 0
        b.remember(SOF, {person_id: NotRegistered()}, NOW, since=began)  # B's look-up in flight
        assert len(b.memory) == 0
    finally:
        await a.aclose()
        await b.aclose()
        await engine_b.dispose()


async def test_a_missed_invalidation_clears_the_whole_cache(sessions, seeded: Seeded) -> None:
    from hub.pubsub import InProcessPubSub

    person_id = seeded.person_ids[seeded.registered(SOF)[0]]
    bus = InProcessPubSub(queue_size=1)
    cache = SectionCache(sessions, lambda _d: 300, pubsub=bus)
    await cache.start()
    try:
        cache.remember(SOF, {person_id: NotRegistered()}, NOW)
        # A burst the listener cannot keep up with: its queue overflows and a drop is lost.
        bus.deliver("section-cache", {"drop": [["P-other", "SOF"]]})
        bus.deliver("section-cache", {"drop": [["P-other-2", "SOF"]]})
        for _ in range(100):
            if not len(cache.memory):
                break
            await asyncio.sleep(0.01)
        assert len(cache.memory) == 0
        # A reconnected Redis subscription (messages may have been missed): the next look-up starts over.
        cache.remember(SOF, {person_id: NotRegistered()}, NOW)
        bus.reconnects = 1  # type: ignore[attr-defined]
        connector = CountingConnector(seeded.world, SOF)
        await cache.answers(connector, ["x"], {}, deadline=Deadline.after(1), now=NOW)
        assert all(e.person_id != person_id for e in _held(cache))
    finally:
        await cache.aclose()


async def test_memory_stays_within_its_bound_over_ten_thousand_families(sessions, seeded: Seeded) -> None:
    """Views of 10,000 distinct families (5 members each) keep the LRU and its drop record bounded."""

    class Instant:
        department = SOF
        batch_limit = 100

        async def fetch_many(self, cprs: Sequence[str], *, deadline: Deadline | None = None) -> dict:
            return dict.fromkeys(cprs, NotRegistered())

    cache = SectionCache(sessions, lambda _d: 0, max_entries=500)
    connector = Instant()
    for family in range(10_000):
        members = {f"{family:05d}{m}": f"P-{family}-{m}" for m in range(5)}
        if family % 100 == 0:  # pushes and withdrawals come and go too
            cache.invalidate([(f"P-{family}-0", SOF), (f"P-x-{family}", SOF)])
        # Persons unknown to the database: a miss reads it once, the answer lands in the LRU.
        answers = await cache.answers(
            connector,
            list(members),
            members,
            deadline=Deadline.after(1),
            now=NOW,  # type: ignore[arg-type]
        )
        assert len(answers) == 5
        assert len(cache.memory) <= 500
        assert cache.memory.remembered_drops <= 500
    assert len(cache.memory) == 500
    assert cache.memory.evictions == 10_000 * 5 - 500
