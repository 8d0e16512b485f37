"""The demo users seeder, and CPR numbers at rest: encrypted, with a keyed hash for look-up, never clear."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.auth.seed import seed_users
from hub.cpr import age_on, format_cpr
from hub.crypto import CprVault
from hub.domain import Department, MemberRole, Role
from hub.persistence.engine import create_engine, create_session_factory, transaction
from hub.persistence.migrate import upgrade
from hub.persistence.models import CaseloadEntry, Person, TeamAssignment, TeamRole, User
from hub.seed import SEEDERS, SeedContext, _seed_core
from hub.world import World, generate_world


def make_vault() -> CprVault:
    return CprVault(os.urandom(32), os.urandom(32))


async def seed_core_and_users(
    sessions: async_sessionmaker[AsyncSession], world: World, vault: CprVault
) -> SeedContext:
    ctx = SeedContext(world=world, vault=vault, today=world.today)
    async with transaction(sessions) as session:
        await _seed_core(session, ctx)
        await seed_users(session, ctx)
    return ctx


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(12, 2026)


def test_the_users_seeder_runs_first() -> None:
    assert SEEDERS[0][0] == "users"
    assert SEEDERS[-1][0] == "closures"


async def test_demo_users_roles_and_assignments(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    ctx = await seed_core_and_users(sessions, world, make_vault())
    async with sessions() as session:
        users = {u.username: u for u in await session.scalars(select(User))}
        assignments = list(await session.scalars(select(TeamAssignment)))
        caseloads = list(await session.scalars(select(CaseloadEntry)))
    assert set(ctx.users) == set(users)
    assert users["tovholder"].role is Role.COORDINATOR
    assert users["styregruppe"].role is Role.STEERING_GROUP
    assert users["admin"].role is Role.ADMIN
    for d in Department:
        code = d.value.lower()
        assert (users[f"{code}-kerne"].role, users[f"{code}-kerne"].department) == (Role.CORE_TEAM, d)
        assert (users[f"{code}-sagsbehandler"].role, users[f"{code}-sagsbehandler"].department) == (
            Role.CASEWORKER,
            d,
        )
        assert (users[f"{code}-system"].role, users[f"{code}-system"].department) == (
            Role.DEPARTMENT_SYSTEM,
            d,
        )
    citizens = [u for u in users.values() if u.role is Role.CITIZEN]
    assert citizens
    assert all(u.person_id for u in citizens)
    assert all(u.subject == u.username and u.active for u in users.values())

    current = [a for a in assignments if a.until is None]
    by_family: dict[str, list[TeamAssignment]] = {}
    for a in current:
        by_family.setdefault(a.family_id, []).append(a)
    assert set(by_family) == {f.key for f in world.families}
    id_to_user = {u.id: u for u in users.values()}
    for family_id, team in by_family.items():
        roles = Counter(a.team_role for a in team)
        assert roles[TeamRole.COORDINATOR] == 1, family_id
        pair = {id_to_user[a.user_id].department for a in team if a.team_role == TeamRole.MAKKERPAR}
        assert pair == {Department.SOF, Department.BIF}, family_id  # one SOF and one BIF contact
    # Every core-team worker has a subset of the families, not all of them.
    for username in ("sof-kerne", "sof-kerne-2", "bif-kerne", "kff-kerne", "suf-kerne"):
        mine = {a.family_id for a in current if a.user_id == users[username].id}
        assert 0 < len(mine) < len(world.families), username
    assert any(a.until is not None for a in assignments)  # some assignments have ended

    for d in Department:
        caseworker = users[f"{d.value.lower()}-sagsbehandler"]
        mine = [c for c in caseloads if c.user_id == caseworker.id]
        assert mine
        assert all(c.department is d for c in mine)
        registered = {ctx.person_ids[cpr] for cpr in world.department_records[d] if cpr in ctx.person_ids}
        assert {c.person_id for c in mine} <= registered
        assert len(mine) < len(registered)  # a caseload, not everyone


async def test_citizen_logins_belong_to_adults(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    ctx = await seed_core_and_users(sessions, world, make_vault())
    persons = {ctx.person_ids[p.cpr]: p for p in world.persons()}
    async with sessions() as session:
        citizens = list(await session.scalars(select(User).where(User.role == Role.CITIZEN)))
    for user in citizens:
        person = persons[str(user.person_id)]
        age = age_on(person.birth_date, world.today)
        if user.username.startswith("borger-"):
            assert age >= 18
        else:
            assert user.username.startswith("ung-")
            assert 15 <= age < 18
    assert {u.username for u in citizens} >= {"borger-F00001-1"}


async def test_seeding_is_deterministic(tmp_path: Path, world: World) -> None:
    snapshots = []
    for run in range(2):
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / f'run{run}.db'}")
        await upgrade(engine)
        sessions = create_session_factory(engine)
        await seed_core_and_users(sessions, world, make_vault())
        async with sessions() as session:
            users = sorted(
                (u.id, u.username, u.role, u.department, u.person_id)
                for u in await session.scalars(select(User))
            )
            team = sorted(
                (a.id, a.family_id, a.user_id, a.team_role, a.since, a.until)
                for a in await session.scalars(select(TeamAssignment))
            )
            cases = sorted((c.id, c.person_id) for c in await session.scalars(select(CaseloadEntry)))
        snapshots.append((users, team, cases))
        await engine.dispose()
    assert snapshots[0] == snapshots[1]


# --- CPR numbers at rest ----------------------------------------------------------------------------


def _cpr_forms(world: World) -> list[str]:
    cprs = [p.cpr for p in world.persons()]
    return cprs + [format_cpr(c) for c in cprs]


async def test_the_persons_table_holds_no_clear_cpr(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    vault = make_vault()
    await seed_core_and_users(sessions, world, vault)
    forms = _cpr_forms(world)
    async with sessions() as session:
        for table in ("persons", "users", "memberships", "custody", "caseloads", "team_assignments"):
            rows = (await session.execute(text(f"SELECT * FROM {table}"))).all()  # noqa: S608 - fixed names
            assert rows or table != "persons"
            for row in rows:
                for value in row:
                    raw = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                    assert not any(form in raw for form in forms), f"clear CPR in {table}"
        stored = {p.id: p for p in await session.scalars(select(Person))}
    cpr_by_pid = {f"P-{p.key}": p.cpr for p in world.persons()}
    for person_id, person in stored.items():
        assert vault.decrypt(person.cpr_encrypted) == cpr_by_pid[person_id]
        assert person.cpr_hash == vault.lookup_hash(cpr_by_pid[person_id])
        assert len(person.cpr_hash) == 64


async def test_the_database_file_holds_no_clear_cpr(tmp_path: Path, world: World) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'rest.db'}")
    await upgrade(engine)
    await seed_core_and_users(create_session_factory(engine), world, make_vault())
    await engine.dispose()
    files = [p for p in tmp_path.iterdir() if p.name.startswith("rest.db")]  # noqa: ASYNC240 - test setup
    blobs = b"".join(p.read_bytes() for p in files)
    assert len(blobs) > 10_000
    for form in _cpr_forms(world):
        assert form.encode() not in blobs


async def test_lookup_by_keyed_hash(sessions: async_sessionmaker[AsyncSession], world: World) -> None:
    vault = make_vault()
    ctx = await seed_core_and_users(sessions, world, vault)
    child = next(p for p in world.persons() if p.member_role is MemberRole.CHILD)
    async with sessions() as session:
        for query in (child.cpr, format_cpr(child.cpr), f"  {format_cpr(child.cpr)} "):
            found = await session.scalar(select(Person).where(Person.cpr_hash == vault.lookup_hash(query)))
            assert found is not None
            assert found.id == ctx.person_ids[child.cpr]
        # Another key, another hash: the hash alone reveals nothing without the hub's key.
        other = make_vault().lookup_hash(child.cpr)
        assert (
            await session.scalar(select(func.count()).select_from(Person).where(Person.cpr_hash == other))
            == 0
        )
    assert vault.encrypt(child.cpr) != vault.encrypt(child.cpr)  # a fresh nonce every time
