"""Facts from the database (both backends) and the gate that decides over them, before any connector call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from access_world import PID, STAFF, TODAY, make_vault, seed_access_world
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.base import Deadline, LookupResult, NotRegistered
from hub.access.facts import AccessFacts, load_facts
from hub.access.policy import section_access
from hub.auth.principal import Principal
from hub.crypto import CprVault
from hub.domain import Department
from hub.family import repository
from hub.family.gate import Gate, Verdict
from hub.family.model import MemberInfo
from hub.family.sections import SectionService, SectionStatus
from hub.persistence.models import TeamRole


def principal(username: str) -> Principal:
    staff = next(s for s in STAFF if s.username == username)
    return Principal(
        user_id=f"U-{username}",
        username=username,
        role=staff.role,
        department=staff.department,
        person_id=PID[staff.person] if staff.person else None,
    )


@pytest.fixture
def vault() -> CprVault:
    return make_vault()


@pytest.fixture
async def world(
    sessions: async_sessionmaker[AsyncSession], vault: CprVault
) -> async_sessionmaker[AsyncSession]:
    await seed_access_world(sessions, vault)
    return sessions


class QueryCounter:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.count = 0
        engine = sessions.kw["bind"]
        event.listen(engine.sync_engine, "before_cursor_execute", self._on)

    def _on(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # Count queries only (SQLite's explicit BEGIN passes through here too).
        self.count += statement.lstrip().upper().startswith("SELECT")


async def facts_for(sessions: async_sessionmaker[AsyncSession], username: str) -> AccessFacts:
    async with sessions() as session:
        return await load_facts(session, principal(username), TODAY)


async def test_facts_for_every_kind_of_viewer(world: async_sessionmaker[AsyncSession]) -> None:
    counter = QueryCounter(world)
    coord = await facts_for(world, "coord")
    assert coord.assignments == {
        "F00001": frozenset({TeamRole.COORDINATOR}),
        "F00002": frozenset({TeamRole.COORDINATOR}),
    }
    # Only current assignments: the ended one (F00002) and the future one (F00003) do not count.
    assert (await facts_for(world, "sof-core")).assignments == {"F00001": frozenset({TeamRole.MAKKERPAR})}

    cw = await facts_for(world, "cw-sof")
    assert cw.caseload == {PID["C1"]: frozenset({Department.SOF}), PID["D2"]: frozenset({Department.SOF})}
    assert cw.caseload_family_ids == {"F00001", "F00003"}  # the stray BIF entry for B1 does not count

    a1 = await facts_for(world, "citizen-a1")
    assert (a1.own_person_id, a1.own_birth_date, a1.own_family_ids) == (
        PID["A1"],
        TODAY.replace(1985, 1, 1),
        {"F00001"},
    )
    assert set(a1.custody_children) == {PID["C1"], PID["C2"], PID["C3"]}
    a2 = await facts_for(world, "citizen-a2")
    assert set(a2.custody_children) == {PID["C1"], PID["C2"], PID["B2"]}  # B2 lives in F00002
    assert (await facts_for(world, "citizen-o1")).custody_children == {}

    for nobody in ("sys-sof", "steering", "admin"):
        assert await facts_for(world, nobody) == AccessFacts.none(TODAY)
    # One or two queries per viewer, none for roles without person data.
    assert counter.count <= 2 * 6


async def test_a_citizen_without_a_person_has_no_facts(world: async_sessionmaker[AsyncSession]) -> None:
    nobody = Principal(user_id="U-x", username="x", role=principal("citizen-a1").role, department=None)
    async with world() as session:
        assert await load_facts(session, nobody, TODAY) == AccessFacts.none(TODAY)
        assert await load_facts(session, None, TODAY) == AccessFacts.none(TODAY)


async def members(sessions: async_sessionmaker[AsyncSession], vault: CprVault) -> list[MemberInfo]:
    async with sessions() as session:
        groups = await repository.members_of(session, vault, ["F00001", "F00002", "F00003"])
    return [m for group in groups.values() for m in group]


async def test_gate_decisions_follow_the_access_policy_and_facts_load_once(
    world: async_sessionmaker[AsyncSession], vault: CprVault
) -> None:
    everyone = await members(world, vault)
    for staff in STAFF:
        await check_gate(world, everyone, staff.username)


async def check_gate(
    world: async_sessionmaker[AsyncSession], everyone: list[MemberInfo], username: str
) -> None:
    who = principal(username)
    gate = Gate(who, sessions=world, today=TODAY)
    counter = QueryCounter(world)
    facts = await gate.facts()
    assert counter.count <= 2  # one or two queries for the viewer's facts
    before = counter.count
    await gate.visible_family_scope()
    await gate.family_access("F00001")
    await gate.full_cpr(everyone[0])
    await gate.can_see_member(everyone[0])
    # Never again in the same request; a worker refused the family also has their emergency (break-the-glass)
    # grants on it looked up, once.
    assert counter.count <= before + 1
    before = counter.count
    await gate.family_access("F00001")
    await gate.can_see_member(everyone[0])
    assert counter.count == before
    decisions = await gate.decide_many(everyone, list(Department))
    after_first = counter.count
    assert await gate.decide_many(everyone, list(Department)) == decisions
    assert counter.count == after_first  # decisions are kept for the request
    for m in everyone:
        for d in Department:
            access = section_access(who, facts, m.person_id, m.family_id, d)
            decision = decisions[(m.person_id, d)]
            if access.allowed:
                # Access granted: consent decides next, but it is never a need-to-know FORBIDDEN.
                assert decision.verdict in (Verdict.ALLOW, Verdict.CONSENT_REQUIRED)
            else:
                assert (decision.verdict, decision.reason) == (Verdict.FORBIDDEN, access.reason)


async def test_gate_spot_checks(world: async_sessionmaker[AsyncSession], vault: CprVault) -> None:
    everyone = {m.person_id: m for m in await members(world, vault)}

    async def passes_access(username: str, person: str) -> set[Department]:
        """The departments whose section need-to-know lets through (consent may still withhold it)."""
        gate = Gate(principal(username), sessions=world, today=TODAY)
        decisions = await gate.decide_many([everyone[PID[person]]], list(Department))
        return {d for (_p, d), dec in decisions.items() if dec.verdict is not Verdict.FORBIDDEN}

    assert await passes_access("coord", "B2") == set(Department)
    assert await passes_access("coord", "D2") == set()  # F00003: not assigned
    assert await passes_access("sof-core", "B2") == set()  # assignment ended yesterday
    assert await passes_access("sof-core", "D2") == set()  # assignment starts in five days
    assert await passes_access("cw-sof", "C1") == {Department.SOF}
    assert await passes_access("cw-sof", "C2") == set()
    assert await passes_access("cw-bif", "A1") == {Department.BIF}
    assert await passes_access("citizen-a1", "A1") == set(Department)
    assert await passes_access("citizen-a1", "C1") == set(Department)
    assert await passes_access("citizen-a1", "A2") == set()  # never another adult
    assert await passes_access("citizen-a1", "C3") == set()  # 19: no longer a custody child
    assert await passes_access("citizen-a2", "B2") == set(Department)  # custody child in another household
    assert await passes_access("citizen-c1", "C1") == set(Department)  # 16: their own
    assert await passes_access("citizen-c1", "C2") == set()
    assert await passes_access("citizen-c2", "C2") == set()  # 10: through the custody holders only
    for nobody in ("sys-sof", "steering", "admin"):
        assert await passes_access(nobody, "C1") == set()


VISIBLE = {
    "coord": {"F00001", "F00002"},
    "sof-core": {"F00001"},
    "bif-core": {"F00002"},
    "cw-sof": {"F00001", "F00003"},
    "cw-bif": {"F00001"},
    "citizen-a1": {"F00001"},
    "citizen-c1": {"F00001"},
    "citizen-c2": set(),
    "sys-sof": set(),
    "steering": set(),
    "admin": set(),
}


async def test_visible_families(world: async_sessionmaker[AsyncSession]) -> None:
    for username, families in VISIBLE.items():
        gate = Gate(principal(username), sessions=world, today=TODAY)
        assert set(await gate.visible_family_scope() or ()) == families, username
        assert await gate.visible_families(["F00001", "F00002", "F00003", "F99999"]) == families, username


async def test_members_and_full_cpr(world: async_sessionmaker[AsyncSession], vault: CprVault) -> None:
    everyone = {m.person_id: m for m in await members(world, vault)}
    a2 = Gate(principal("citizen-a2"), sessions=world, today=TODAY)
    assert await a2.can_see_member(everyone[PID["B2"]])  # their custody child elsewhere
    assert not await a2.can_see_member(everyone[PID["B1"]])
    coord = Gate(principal("coord"), sessions=world, today=TODAY)
    assert await coord.full_cpr(everyone[PID["B2"]])
    assert not await coord.full_cpr(everyone[PID["D2"]])
    cw = Gate(principal("cw-sof"), sessions=world, today=TODAY)
    assert await cw.full_cpr(everyone[PID["C1"]])
    assert not await cw.full_cpr(everyone[PID["C2"]])  # same family, not in the caseload
    core = Gate(principal("sof-core"), sessions=world, today=TODAY)
    assert not await core.full_cpr(everyone[PID["C1"]])


async def test_a_gate_without_facts_denies_everything(
    world: async_sessionmaker[AsyncSession], vault: CprVault
) -> None:
    everyone = await members(world, vault)
    gate = Gate(principal("coord"))  # no session factory: knows nothing about the viewer
    decisions = await gate.decide_many(everyone, list(Department))
    assert not any(d.allowed for d in decisions.values())
    assert await gate.visible_family_scope() == frozenset()


class RecordingConnector:
    batch_limit = 100

    def __init__(self, department: Department) -> None:
        self.department = department
        self.asked: list[str] = []

    async def fetch_many(
        self, cprs: Sequence[str], *, deadline: Deadline | None = None
    ) -> Mapping[str, LookupResult]:
        self.asked.extend(cprs)
        return dict.fromkeys(cprs, NotRegistered())

    async def probe(self) -> Any:
        raise NotImplementedError

    async def aclose(self) -> None:
        return None


async def test_denied_members_are_never_sent_to_a_department(
    world: async_sessionmaker[AsyncSession], vault: CprVault
) -> None:
    everyone = await members(world, vault)
    connectors = {d: RecordingConnector(d) for d in Department}
    gate = Gate(principal("cw-sof"), sessions=world, today=TODAY)
    service = SectionService(
        gate,
        connectors,
        deadline=Deadline.after(5),
        now=datetime(2026, 11, 1, tzinfo=UTC),  # type: ignore[arg-type]
    )
    await service.prepare(everyone, list(Department))
    sections = {(m.person_id, d): await service.section(m, d) for m in everyone for d in Department}
    c1 = next(m for m in everyone if m.person_id == PID["C1"])
    d2 = next(m for m in everyone if m.person_id == PID["D2"])
    assert sorted(connectors[Department.SOF].asked) == sorted([c1.cpr, d2.cpr])
    for d in Department:
        if d is not Department.SOF:
            assert connectors[d].asked == []
    assert sections[(PID["C2"], Department.SOF)].status is SectionStatus.FORBIDDEN
    assert sections[(PID["C1"], Department.BIF)].status is SectionStatus.FORBIDDEN
    assert sections[(PID["C1"], Department.SOF)].status is SectionStatus.NOT_REGISTERED
