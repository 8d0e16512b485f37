"""The seeded demo reads like the programme (issue 23): texts vary with the family and fit the person.

Seeds the demo world (40 families, seed 2026, the fixed anchor) into SQLite and reads it back: minutes differ
from meeting to meeting, goals fit the person (no Danish classes for Danish-born parents, no job goal past
pension age), no two members of a family share a first name, staff names differ, the seeded history and the
closure reasons are in Danish, and the core team has the proposal's size.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.auth.seed import CORE_TEAM_SIZE
from hub.cpr import age_on
from hub.crypto import CprVault
from hub.domain import Role
from hub.persistence.all_models import metadata
from hub.persistence.engine import create_engine, create_session_factory
from hub.persistence.models import Family, User
from hub.plan.demo_content import DANISH_CLASSES_GOAL, JOB_GOAL, PENSION_AGE
from hub.plan.models import Goal, HistoryEntry, Meeting, ProgressNote
from hub.seed import SeedContext, seed_world
from hub.world import World, generate_world
from hub.world.generator import DEMO_FAMILIES, DEMO_SEED

ENGLISH = ("New family goal", "New member goal", "Follow-up meeting", "Goals reached", "The family")


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(DEMO_FAMILIES, DEMO_SEED)


@pytest.fixture
async def seeded(
    tmp_path: Path, world: World
) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], SeedContext]]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    sessions = create_session_factory(engine)
    vault = CprVault(b"k" * 32, b"h" * 32)
    try:
        yield sessions, await seed_world(sessions, world, vault)
    finally:
        await engine.dispose()


def test_no_two_members_of_a_family_share_a_first_name(world: World) -> None:
    for family in (*world.families, *world.candidates):
        names = [m.first_name for m in family.members]
        assert len(names) == len(set(names)), (family.key, names)


async def test_minutes_vary_with_the_family(
    seeded: tuple[async_sessionmaker[AsyncSession], SeedContext],
) -> None:
    sessions, _ctx = seeded
    async with sessions() as s:
        minutes = [m for m in await s.scalars(select(Meeting.minutes)) if m]
        notes = list(await s.scalars(select(ProgressNote.text)))
    assert len(minutes) > 50
    assert len(set(minutes)) / len(minutes) > 0.95, Counter(minutes).most_common(2)
    assert len(set(notes)) > len(notes) / 3


async def test_goals_fit_the_person(
    seeded: tuple[async_sessionmaker[AsyncSession], SeedContext], world: World
) -> None:
    sessions, ctx = seeded
    person = {ctx.person_ids[m.cpr]: (f, m) for f in world.families for m in f.members}
    async with sessions() as s:
        goals = [(g.person_id, g.title) for g in await s.scalars(select(Goal)) if g.person_id]
    checked = Counter()
    for person_id, title in goals:
        family, member = person[person_id]
        age = age_on(member.birth_date, world.today)
        if title == DANISH_CLASSES_GOAL:
            assert family.origin != "danish", (family.key, member.key)
            checked["classes"] += 1
        if title == JOB_GOAL:
            assert age < PENSION_AGE, (family.key, member.key, age)
            checked["job"] += 1
    # The rules had something to bite on: both goals occur, and the demo has Danish-born parents and seniors.
    assert checked["classes"]
    assert checked["job"]
    assert any(f.origin == "danish" for f in world.families)
    assert any(age_on(m.birth_date, world.today) >= PENSION_AGE for f in world.families for m in f.members)


async def test_history_and_closure_reasons_are_in_danish(
    seeded: tuple[async_sessionmaker[AsyncSession], SeedContext],
) -> None:
    sessions, _ctx = seeded
    async with sessions() as s:
        summaries = list(await s.scalars(select(HistoryEntry.summary)))
        reasons = [r for r in await s.scalars(select(Family.close_reason)) if r]
    assert reasons
    for text in (*reasons, *(t for t in summaries if t.startswith(("Nyt mål", "Opfølgningsmøde")))):
        assert not text.startswith(ENGLISH), text
    seeded_plan = [t for t in summaries if "goal" in t.lower() or "meeting" in t.lower()]
    assert not seeded_plan, seeded_plan[:3]


async def test_staff_names_vary_and_the_team_has_the_proposals_size(
    seeded: tuple[async_sessionmaker[AsyncSession], SeedContext],
) -> None:
    sessions, _ctx = seeded
    async with sessions() as s:
        staff = [
            (u.role, u.department, u.display_name)
            for u in await s.scalars(select(User))
            if u.role in (Role.COORDINATOR, Role.CORE_TEAM, Role.CASEWORKER)
        ]
    names = [n for _r, _d, n in staff]
    assert len(names) == len(set(names))
    core = Counter(d for r, d, _n in staff if r is Role.CORE_TEAM)
    assert dict(core) == CORE_TEAM_SIZE
    assert sum(core.values()) + sum(1 for r, _d, _n in staff if r is Role.COORDINATOR) == 10
