"""Half-yearly outcome snapshots taken when due, against the real mock departments (issue 23).

The clock is injected: a round "on" a day takes each enrolled family's current half-year once, as its
coordinator (audited with client `scheduler`); a second round, or a second replica racing the first, takes
nothing again; a department that does not answer releases the claim for the next round; the hub's background
task runs a round at start; `hub outcomes snapshot-due` does the same from the command line.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.app import build_services
from hub.audit.models import AuditEntry
from hub.domain import Department, FamilyStatus
from hub.outcomes.models import OutcomePeriod, OutcomeSnapshot
from hub.outcomes.schedule import SnapshotScheduler, current_period, due_periods, take_due
from hub.persistence.models import Family
from tests.support.stack import Stack, running_stack

# Days after the world's today: every enrolled family has reached a half-year not yet taken, and most consents
# still run (a year on, they have expired and the snapshot would see nothing).
LATER = 185


def _on(day: date) -> datetime:
    return datetime.combine(day, time(9), UTC)


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=6, seed=7) as s:
        yield s


async def _half_years(stack: Stack) -> dict[str, int]:
    async with stack.services.sessions() as session:
        rows = await session.execute(
            select(OutcomeSnapshot.family_id, func.count())
            .where(OutcomeSnapshot.occasion == "HALF_YEAR", OutcomeSnapshot.taken_on > stack.world.today)
            .group_by(OutcomeSnapshot.family_id)
        )
        return dict(rows.all())


async def test_a_round_takes_each_due_half_year_once_as_the_coordinator(stack: Stack) -> None:
    now = _on(stack.world.today + timedelta(days=LATER))
    due = await due_periods(stack.services, now.date())
    async with stack.services.sessions() as session:
        active = {
            f.id: f.enrolled_on
            for f in await session.scalars(select(Family).where(Family.status == FamilyStatus.ACTIVE))
        }
    assert {d.family_id for d in due} == set(active)
    for d in due:
        enrolled = active[d.family_id]
        assert enrolled is not None
        assert d.period == current_period(enrolled, now.date()) >= 1
        assert d.course_start == enrolled
    await stack.reset_stats()
    first = await take_due(stack.services, now)
    assert len(first.taken) == len(due), first.summary()
    assert first.failed == first.no_coordinator == 0
    members = {f.key: len(f.members) for f in stack.world.families}
    assert await _half_years(stack) == {d.family_id: members[d.family_id] for d in due}
    async with stack.services.sessions() as session:
        values = list(await session.scalars(select(OutcomeSnapshot.values)))
    assert any(values)  # the coordinator's gate let some measures through
    stats = await stack.stats()
    assert stats[Department.KFF]["total_requests"] == stats[Department.SUF]["total_requests"] == 0
    # Audited as the coordinator, through the scheduler.
    async with stack.services.sessions() as session:
        audited = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.client == "scheduler")
        )
    assert audited
    # Idempotent: the next round, and the next day, find nothing due.
    again = await take_due(stack.services, now + timedelta(days=1))
    assert again.taken == []
    assert again.taken_elsewhere == 0
    assert await due_periods(stack.services, now.date()) == []


async def test_a_period_is_claimed_once(stack: Stack) -> None:
    from hub.outcomes.schedule import _claim, _coordinator

    now = _on(stack.world.today + timedelta(days=LATER))
    first = (await due_periods(stack.services, now.date()))[0]
    principal = await _coordinator(stack.services, first.family_id, now.date())
    assert principal is not None
    assert await _claim(stack.services, first, principal) is True
    assert await _claim(stack.services, first, principal) is False  # the second replica's insert fails
    assert first not in await due_periods(stack.services, now.date())


async def test_two_replicas_racing_take_each_period_once(stack: Stack) -> None:
    now = _on(stack.world.today + timedelta(days=LATER))
    due = await due_periods(stack.services, now.date())
    a, b = await asyncio.gather(take_due(stack.services, now), take_due(stack.services, now))
    assert len(a.taken) + len(b.taken) == len(due)  # each once, whoever came first
    assert not {(d.family_id, d.period) for d in a.taken} & {(d.family_id, d.period) for d in b.taken}
    members = {f.key: len(f.members) for f in stack.world.families}
    assert await _half_years(stack) == {d.family_id: members[d.family_id] for d in due}


async def test_a_department_down_releases_the_claim_for_the_next_round(stack: Stack) -> None:
    now = _on(stack.world.today + timedelta(days=LATER))
    due = await due_periods(stack.services, now.date())
    await stack.set_faults(Department.BUF, error_rate=1.0, error_status=500)
    first = await take_due(stack.services, now)
    assert first.failed >= 1  # a family whose BUF section was read
    assert len(first.taken) + first.failed == len(due)
    taken = {d.family_id for d in first.taken}
    assert set(await _half_years(stack)) == taken  # nothing stored for a failed one
    async with stack.services.sessions() as session:
        claimed = set(
            await session.scalars(
                select(OutcomePeriod.family_id).where(OutcomePeriod.due_on > stack.world.today)
            )
        )  # the seeded half-years up to the world's today are claimed already
    assert claimed == taken  # its claim released
    assert {d.family_id for d in await due_periods(stack.services, now.date())} == {
        d.family_id for d in due
    } - taken
    await stack.clear_faults()
    # BUF is back. This process's breaker stays open for its cool-down (real time), so the next round is
    # another replica's (fresh connectors, same database): it takes exactly the released ones.
    replica = build_services(stack.settings)
    try:
        retried = await take_due(replica, now + timedelta(hours=1))
    finally:
        await replica.aclose()
    assert len(retried.taken) == first.failed, retried.summary()
    assert await due_periods(stack.services, now.date()) == []


async def test_the_background_task_runs_a_round_at_start(stack: Stack) -> None:
    later = stack.world.today + timedelta(days=LATER)
    stack.services.clock = lambda: _on(later)
    slept = asyncio.Event()

    async def sleep(seconds: float) -> None:
        assert seconds == 60
        slept.set()
        await asyncio.Event().wait()  # until stopped

    scheduler = SnapshotScheduler(stack.services, 60, sleep=sleep)
    scheduler.start()
    try:
        await asyncio.wait_for(slept.wait(), timeout=60)  # generous: "it happens"
    finally:
        await scheduler.stop()
    assert scheduler.rounds == 1
    assert await _half_years(stack)
    assert await due_periods(stack.services, later) == []


async def test_the_operators_command_lists_and_takes_what_is_due(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from hub.outcomes.cli import _run

    on = stack.world.today + timedelta(days=LATER)
    due = await due_periods(stack.services, on)
    listing = argparse.Namespace(on=on, list=True)
    assert await asyncio.to_thread(_run, listing, stack.settings) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sorted(lines) == sorted(
        f"{d.family_id} half-year {d.period} due {d.due_on.isoformat()}" for d in due
    )
    take = argparse.Namespace(on=on, list=False)
    assert await asyncio.to_thread(_run, take, stack.settings) == 0
    assert capsys.readouterr().out.strip() == f"taken={len(due)} taken_elsewhere=0 no_coordinator=0 failed=0"
    assert await asyncio.to_thread(_run, take, stack.settings) == 0  # again: nothing left
    assert capsys.readouterr().out.strip() == "taken=0 taken_elsewhere=0 no_coordinator=0 failed=0"


async def test_the_hub_process_starts_and_stops_the_task_with_its_lifespan(tmp_path: Path) -> None:
    from hub.outcomes.schedule import SCHEDULER_TASK

    async with running_stack(tmp_path, families=6, seed=7, outcome_snapshot_interval_s=3600) as s:
        scheduler = s.services.extras.get(SCHEDULER_TASK)
        assert isinstance(scheduler, SnapshotScheduler)
        assert scheduler.interval_s == 3600
    assert SCHEDULER_TASK not in s.services.extras  # stopped at shutdown
    async with running_stack(tmp_path / "off", families=6, seed=7) as off:  # the tests' default: 0, off
        assert SCHEDULER_TASK not in off.services.extras


@pytest.mark.postgres
async def test_two_replicas_on_postgresql_take_each_period_once(tmp_path: Path) -> None:
    """Two hub processes' services (their own engines and connectors) on one PostgreSQL database."""
    from tests.support.backends import create_postgres_database, drop_postgres_database

    url = await asyncio.to_thread(create_postgres_database)
    try:
        async with running_stack(tmp_path, families=6, seed=7, database_url=url) as stack:
            now = _on(stack.world.today + timedelta(days=LATER))
            due = await due_periods(stack.services, now.date())
            assert due
            other = build_services(stack.settings)
            try:
                a, b = await asyncio.gather(take_due(stack.services, now), take_due(other, now))
            finally:
                await other.aclose()
            assert len(a.taken) + len(b.taken) == len(due)  # each once, whoever came first
            members = {f.key: len(f.members) for f in stack.world.families}
            assert await _half_years(stack) == {d.family_id: members[d.family_id] for d in due}
    finally:
        await asyncio.to_thread(drop_postgres_database, url)
