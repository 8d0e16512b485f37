"""Resuming `familyUpdated` from a cursor (hub/ingestion/feed.py, hub/ingestion/live.py): the updates stored
since are replayed, then live ones follow, with no gap and no repeat at the seam; bounded; gated alike."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from ingestion_support import NOW, VAULT, AllowAll, Seeded, event, service, system
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from test_ing_live_timeline import VIEWER, Denying, _family_with

from hub.domain import Department
from hub.errors import BadUserInput, ReloadRequired
from hub.family.gate import Gate
from hub.ingestion.feed import family_channel, parse_cursor, stored_after
from hub.ingestion.live import FamilyUpdate, family_updates
from hub.persistence.models import User
from hub.pubsub import InProcessPubSub
from hub.services import Services
from hub.settings import Settings
from tests.support.waits import listening

SOF, BIF = Department.SOF, Department.BIF


async def _services(
    sessions: async_sessionmaker[AsyncSession], pubsub: InProcessPubSub, **settings: Any
) -> Services:
    async with sessions.begin() as session:  # the stream goes on only while its user is active
        if await session.get(User, VIEWER.user_id) is None:
            session.add(
                User(
                    id=VIEWER.user_id,
                    username="tovholder",
                    subject="tovholder",
                    display_name="T",
                    role=VIEWER.role,
                )
            )
    return Services(
        settings=Settings(**settings),
        engine=sessions.kw["bind"],
        sessions=sessions,
        vault=VAULT,
        connectors={},
        metrics=None,  # type: ignore[arg-type]
        clock=lambda: NOW,
        extras={"pubsub": pubsub},
    )


@contextlib.asynccontextmanager
async def _following(
    services: Services,
    family_id: str,
    *,
    after: str | None = None,
    gate: Callable[[], Gate] = lambda: AllowAll(VIEWER),
) -> AsyncIterator[asyncio.Queue[FamilyUpdate | BaseException]]:
    """A follower task putting each update (or the error that ended it) on a queue, live once it yields."""
    pubsub = services.extras["pubsub"]
    updates: asyncio.Queue[FamilyUpdate | BaseException] = asyncio.Queue()
    resume = None if after is None else parse_cursor(after)

    async def follow() -> None:
        try:
            async for update in family_updates(services, family_id, gate, after=resume):
                await updates.put(update)
        except Exception as exc:
            await updates.put(exc)

    task = asyncio.create_task(follow())
    try:
        # Live once it listens, or it ended first (refused: the error is on the queue).
        listens = asyncio.create_task(listening(pubsub, family_channel(family_id)))
        done, _ = await asyncio.wait({task, listens}, return_when=asyncio.FIRST_COMPLETED)
        if listens in done:
            listens.result()  # raises if the follower never subscribed
        else:
            listens.cancel()
        yield updates
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _next(updates: asyncio.Queue[FamilyUpdate | BaseException]) -> FamilyUpdate:
    update = await asyncio.wait_for(updates.get(), 5)
    assert isinstance(update, FamilyUpdate), update
    return update


async def test_a_resumed_stream_gets_exactly_what_it_missed_then_live_ones(sessions, seeded: Seeded) -> None:
    family_id, cprs = _family_with(seeded, SOF)
    pubsub = InProcessPubSub()
    services = await _services(sessions, pubsub)
    svc = service(sessions, pubsub=pubsub)
    async with _following(services, family_id) as updates:
        await svc.push(system(SOF), [event(seeded, SOF, cprs[SOF], version=1)])
        seen = await _next(updates)
    assert seen.version == 1
    assert seen.cursor is not None
    # Disconnected: three changes happen.
    for version in (2, 3, 4):
        await svc.push(system(SOF), [event(seeded, SOF, cprs[SOF], version=version)])
    async with _following(services, family_id, after=seen.cursor) as updates:
        missed = [await _next(updates) for _ in range(3)]
        assert [u.version for u in missed] == [2, 3, 4]
        cursors = [int(str(u.cursor)) for u in missed]
        assert cursors == sorted(cursors)
        assert cursors[0] > int(seen.cursor)
        # At the seam a live copy of a replayed update may still arrive: it is not delivered twice.
        (last,) = await stored_after(sessions, family_id, cursors[1], 10)
        await pubsub.publish(family_channel(family_id), last)
        await svc.push(system(SOF), [event(seeded, SOF, cprs[SOF], version=5)])
        live = await _next(updates)
        assert live.version == 5
        assert int(str(live.cursor)) > cursors[-1]
        await asyncio.sleep(0.05)
        assert updates.empty()


async def test_resuming_from_the_newest_cursor_replays_nothing(sessions, seeded: Seeded) -> None:
    family_id, cprs = _family_with(seeded, SOF)
    pubsub = InProcessPubSub()
    services = await _services(sessions, pubsub)
    svc = service(sessions, pubsub=pubsub)
    async with _following(services, family_id) as updates:
        await svc.push(system(SOF), [event(seeded, SOF, cprs[SOF], version=1)])
        seen = await _next(updates)
    async with _following(services, family_id, after=seen.cursor) as updates:
        await svc.push(system(SOF), [event(seeded, SOF, cprs[SOF], version=2)])
        assert (await _next(updates)).version == 2
        await asyncio.sleep(0.05)
        assert updates.empty()


async def test_replayed_updates_are_decided_like_live_ones(sessions, seeded: Seeded) -> None:
    family_id, cprs = _family_with(seeded, SOF, BIF)
    pubsub = InProcessPubSub()
    services = await _services(sessions, pubsub)
    svc = service(sessions, pubsub=pubsub)
    async with _following(services, family_id) as updates:
        await svc.push(system(BIF), [event(seeded, BIF, cprs[BIF], version=1)])
        seen = await _next(updates)
    await svc.push(system(SOF), [event(seeded, SOF, cprs[SOF], version=1)])
    await svc.push(system(BIF), [event(seeded, BIF, cprs[BIF], version=2)])
    # SOF's consent withdrawn while disconnected: its stored update is not replayed.
    async with _following(services, family_id, after=seen.cursor, gate=lambda: Denying({SOF})) as updates:
        replayed = await _next(updates)
        assert (replayed.department, replayed.version) == (BIF, 2)
        await asyncio.sleep(0.05)
        assert updates.empty()
    # A viewer who may not see the family gets NOT_FOUND, with or without a cursor.
    with pytest.raises(Exception, match="no such family"):
        await anext(family_updates(services, family_id, lambda: Gate(VIEWER), after=0))


async def test_a_resume_beyond_the_bound_asks_the_client_to_reload(sessions, seeded: Seeded) -> None:
    family_id, cprs = _family_with(seeded, SOF)
    pubsub = InProcessPubSub()
    services = await _services(sessions, pubsub, subscription_replay_max=2)
    svc = service(sessions, pubsub=pubsub)
    async with _following(services, family_id) as updates:
        await svc.push(system(SOF), [event(seeded, SOF, cprs[SOF], version=1)])
        seen = await _next(updates)
    for version in (2, 3, 4):
        await svc.push(system(SOF), [event(seeded, SOF, cprs[SOF], version=version)])
    async with _following(services, family_id, after=seen.cursor) as updates:
        ended = await asyncio.wait_for(updates.get(), 5)
    assert isinstance(ended, ReloadRequired)
    assert ended.extensions == {"code": "RELOAD_REQUIRED", "maxReplay": 2}


@pytest.mark.parametrize("cursor", ["", "abc", "-1", "1.5", "٣", "9" * 20, " "])
def test_a_cursor_that_is_not_one_is_bad_user_input(cursor: str) -> None:
    with pytest.raises(BadUserInput) as raised:
        parse_cursor(cursor)
    assert raised.value.extensions == {"code": "BAD_USER_INPUT", "field": "after"}
