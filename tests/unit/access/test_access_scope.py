"""Need-to-know in SQL and scoped facts agree with the pure policy over the viewer's whole facts (both DBs).

The policy (hub/access/policy.py) is the judge. Lists filter by hub/access/scope.py's query, and the read path
decides over facts loaded only about the families and persons asked about; both must give exactly the
policy's answers for every seeded user, every family and member of a generated world, on several days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from access_world import STAFF, TODAY, make_vault, seed_access_world
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from test_access_facts_gate import VISIBLE, QueryCounter, principal

from hub.access import policy
from hub.access.facts import MAX_SCOPED_IDS, AccessFacts, load_facts
from hub.access.scope import latest_birth_date, visible_family_ids_query
from hub.auth.principal import Principal
from hub.cpr import age_on
from hub.crypto import CprVault
from hub.domain import Department, District, Role
from hub.family import repository
from hub.family.gate import Gate
from hub.family.model import MemberInfo
from hub.persistence.models import Family, User
from hub.seed import seed_world
from hub.world import generate_world

FAMILIES = 16
SEED = 10  # young people of 15-17 among the citizen logins, ended assignments, shared caseloads


@pytest.mark.parametrize(
    "today",
    [date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1), date(2026, 11, 1), date(2028, 2, 29)],
)
@pytest.mark.parametrize("age", [policy.OWN_DATA_AGE, policy.ADULT_AGE])
def test_the_birth_date_cut_off_counts_age_as_age_on_does(today: date, age: int) -> None:
    cut = latest_birth_date(age, today)
    start = today.replace(month=1, day=1).replace(year=today.year - age - 1)
    for offset in range(3 * 366):
        born = start + timedelta(days=offset)
        assert (born <= cut) == (age_on(born, today) >= age), (born, today)


async def _sql_scope(
    sessions: async_sessionmaker[AsyncSession], who: Principal | None, today: date
) -> set[str]:
    async with sessions() as session:
        return set(await session.scalars(visible_family_ids_query(who, today)))


async def _whole_facts(
    sessions: async_sessionmaker[AsyncSession], who: Principal | None, today: date
) -> AccessFacts:
    async with sessions() as session:
        return await load_facts(session, who, today)


async def test_the_sql_scope_on_the_hand_made_world(sessions: async_sessionmaker[AsyncSession]) -> None:
    await seed_access_world(sessions, make_vault())
    assert {s.username for s in STAFF} >= set(VISIBLE)
    for staff in STAFF:
        who = principal(staff.username)
        facts = await _whole_facts(sessions, who, TODAY)
        assert await _sql_scope(sessions, who, TODAY) == policy.visible_family_ids(who, facts), staff.username
        if staff.username in VISIBLE:
            assert await _sql_scope(sessions, who, TODAY) == VISIBLE[staff.username], staff.username
    assert await _sql_scope(sessions, None, TODAY) == set()


@dataclass(frozen=True)
class Generated:
    viewers: list[Principal]
    today: date
    vault: CprVault


@pytest.fixture
async def generated(sessions: async_sessionmaker[AsyncSession]) -> Generated:
    """A seeded generated world; every seeded user, plus a citizen principal for every person in it."""
    world = generate_world(FAMILIES, SEED)
    vault = make_vault()
    ctx = await seed_world(sessions, world, vault)
    async with sessions() as session:
        users = list(await session.scalars(select(User).order_by(User.username)))
    viewers = [
        Principal(u.id, u.username, u.role, u.department, u.unit, u.person_id) for u in users if u.active
    ]
    # Citizens of every age (the seeded logins are adults and a few young people): the 15+ rule in SQL.
    viewers += [
        Principal(f"U-{pid}", f"citizen-{pid}", Role.CITIZEN, None, "", pid)
        for pid in ctx.person_ids.values()
    ]
    # A caseworker with a caseload but no department: the policy lets them see nothing.
    caseworker = next(v for v in viewers if v.role is Role.CASEWORKER)
    viewers.append(Principal(caseworker.user_id, "no-department", Role.CASEWORKER, None, "", None))
    return Generated(viewers, world.today, vault)


def _synthetic(who: Principal) -> bool:
    return who.username.startswith("citizen-P-")


def _days(today: date) -> list[date]:
    # Around the seeded assignments' ends and starts, and a day when young people have had birthdays.
    return [today, today - timedelta(days=30), today + timedelta(days=400)]


async def test_the_sql_scope_agrees_with_the_policy_for_every_user(
    sessions: async_sessionmaker[AsyncSession], generated: Generated
) -> None:
    viewers, world_today = generated.viewers, generated.today
    async with sessions() as session:
        all_families = list(await session.scalars(select(Family.id)))
    seen_some = 0
    for today in _days(world_today):
        for who in viewers:
            facts = await _whole_facts(sessions, who, today)
            sql = await _sql_scope(sessions, who, today)
            assert sql == policy.visible_family_ids(who, facts), (who.username, today)
            allowed = {f for f in all_families if policy.family_access(who, facts, f).allowed}
            assert sql == allowed, (who.username, today)
            seen_some += bool(sql)
    assert seen_some > len(viewers)  # the comparison is not vacuous: many viewers see families


async def test_scoped_facts_decide_exactly_as_the_whole_facts(
    sessions: async_sessionmaker[AsyncSession], generated: Generated
) -> None:
    viewers, today, vault = generated.viewers, generated.today, generated.vault
    async with sessions() as session:
        family_ids = list(await session.scalars(select(Family.id).order_by(Family.id)))
        # Former members too: a person's old family must not lend them facts.
        groups = await repository.members_of(session, vault, family_ids, include_former=True)
    members = [m for group in groups.values() for m in group]
    counter = QueryCounter(sessions)
    viewers = [v for v in viewers if not _synthetic(v)]  # a citizen's facts are always loaded whole
    for who in viewers:
        whole = await _whole_facts(sessions, who, today)
        for family_id in family_ids:
            mine = groups[family_id]
            async with sessions() as session:
                scoped = await load_facts(
                    session, who, today, family_ids=[family_id], person_ids=[m.person_id for m in mine]
                )
            assert scoped.covers([family_id], [m.person_id for m in mine])
            _same_decisions(who, whole, scoped, family_id, mine)
            # The family alone (a `family(id)` look-up before its members are read): same visibility.
            async with sessions() as session:
                alone = await load_facts(session, who, today, family_ids=[family_id])
            assert policy.family_access(who, alone, family_id) == policy.family_access(who, whole, family_id)
    assert counter.count <= 2 * len(viewers) * (2 * len(family_ids) + 1)
    assert members


def _same_decisions(
    who: Principal, whole: AccessFacts, scoped: AccessFacts, family_id: str, members: list[MemberInfo]
) -> None:
    context = (who.username, family_id)
    assert policy.family_access(who, scoped, family_id) == policy.family_access(who, whole, family_id), (
        context
    )
    for m in members:
        pid = m.person_id
        assert policy.member_access(who, scoped, pid, family_id) == policy.member_access(
            who, whole, pid, family_id
        ), (*context, pid)
        assert policy.full_cpr_visible(who, scoped, pid, family_id) == policy.full_cpr_visible(
            who, whole, pid, family_id
        ), (*context, pid)
        for d in Department:
            assert policy.section_access(who, scoped, pid, family_id, d) == policy.section_access(
                who, whole, pid, family_id, d
            ), (*context, pid, d)


async def test_lists_filter_and_count_by_the_sql_scope(
    sessions: async_sessionmaker[AsyncSession], generated: Generated
) -> None:
    viewers, today = generated.viewers, generated.today
    async with sessions() as session:
        districts = dict((await session.execute(select(Family.id, Family.district))).all())
    district = max(District, key=lambda d: sum(v is d for v in districts.values()))
    for who in viewers:
        if _synthetic(who):
            continue  # the seeded citizen logins cover the role; the synthetic ones are for the scope test
        facts = await _whole_facts(sessions, who, today)
        expected = sorted(
            f for f, d in districts.items() if d is district and policy.family_access(who, facts, f).allowed
        )
        listed: list[str] = []
        after: str | None = None
        async with sessions() as session:
            while True:  # page through in twos: keyset pagination over the scope
                page, more, total = await repository.list_families(
                    session,
                    repository.FamilyFilter(district=district),
                    visible=visible_family_ids_query(who, today),
                    first=2,
                    after_id=after,
                )
                assert total == len(expected), who.username
                listed += [f.id for f in page]
                if not more:
                    break
                after = page[-1].id
        assert listed == expected, who.username


async def test_the_gate_reads_only_what_it_is_asked_about(
    sessions: async_sessionmaker[AsyncSession], generated: Generated
) -> None:
    viewers, today = generated.viewers, generated.today
    coordinator = next(v for v in viewers if v.username == "tovholder")
    gate = Gate(coordinator, sessions=sessions, today=today)
    assert await gate.visible_families(["F00001", "F00002"]) == {"F00001", "F00002"}
    facts = await gate.facts_about(["F00001"])
    assert set(facts.assignments) == {"F00001", "F00002"}  # not the other 14 families
    counter = QueryCounter(sessions)
    assert (await gate.family_access("F00002")).allowed
    assert counter.count == 0  # already known
    assert (await gate.family_access("F00003")).allowed
    assert counter.count == 1  # one more family, one more small query
    assert set((await gate.facts_about()).assignments) == {"F00001", "F00002", "F00003"}
    # The whole scope only when asked for it (or when the ids asked about outnumber a scoped load's limit).
    assert len((await gate.facts()).assignments) == FAMILIES
    assert (await gate.facts()).scope is None
    many = [f"F{i:05d}" for i in range(MAX_SCOPED_IDS + 1)]
    async with sessions() as session:
        assert (await load_facts(session, coordinator, today, family_ids=many)).scope is None
