"""A small hand-made world with every relation need-to-know cares about, seeded with explicit users.

F00001: two parents (A1, A2), a grandmother (O1), children of 16 (C1) and 10 (C2), an adult child of 19 (C3,
        whose custody record was never closed). F00002: a parent (B1) and a child of 8 (B2) over whom A2 also
        holds custody (another household). F00003: a parent (D1) and a child of 12 (D2).
All CPR numbers are fictitious (the birth date first, as in a CPR number).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.crypto import CprVault
from hub.domain import Department, District, FamilyStatus, MemberRole, Role
from hub.persistence.engine import transaction
from hub.persistence.models import CaseloadEntry, TeamAssignment, TeamRole, User
from hub.seed import SeedContext, _seed_core, person_id_for
from hub.world import World, WorldFamily, WorldPerson

TODAY = date(2026, 11, 1)

CPR = {
    "A1": "0101851111",
    "A2": "0202861112",
    "O1": "0303601116",
    "C1": "1503104113",
    "C2": "2005164114",
    "C3": "0106074115",
    "B1": "0404901117",
    "B2": "0707184118",
    "D1": "0505881119",
    "D2": "0808144120",
}
FAMILY_OF = {
    "A1": "F00001",
    "A2": "F00001",
    "O1": "F00001",
    "C1": "F00001",
    "C2": "F00001",
    "C3": "F00001",
    "B1": "F00002",
    "B2": "F00002",
    "D1": "F00003",
    "D2": "F00003",
}
PID = {name: person_id_for(f"{family}-{name}") for name, family in FAMILY_OF.items()}  # the seeder's ids


def _person(
    family: str, name: str, born: date, role: MemberRole, holders: tuple[str, ...] = ()
) -> WorldPerson:
    return WorldPerson(
        key=f"{family}-{name}",
        cpr=CPR[name],
        first_name=f"Fornavn{name}",
        last_name=f"Efternavn{family}",
        birth_date=born,
        member_role=role,
        custody_holders=tuple(CPR[h] for h in holders),
    )


def _family(key: str, members: tuple[WorldPerson, ...]) -> WorldFamily:
    return WorldFamily(
        key=key,
        district=District.NORREBRO,
        housing_area="Mjølnerparken",
        status=FamilyStatus.ACTIVE,
        referred_on=date(2025, 1, 10),
        enrolled_on=date(2025, 2, 1),
        referral_source="Skole",
        members=members,
    )


def access_world() -> World:
    f1 = _family(
        "F00001",
        (
            _person("F00001", "A1", date(1985, 1, 1), MemberRole.PARENT),
            _person("F00001", "A2", date(1986, 2, 2), MemberRole.PARENT),
            _person("F00001", "O1", date(1960, 3, 3), MemberRole.OTHER_ADULT),
            _person("F00001", "C1", date(2010, 3, 15), MemberRole.CHILD, ("A1", "A2")),
            _person("F00001", "C2", date(2016, 5, 20), MemberRole.CHILD, ("A1", "A2")),
            _person("F00001", "C3", date(2007, 6, 1), MemberRole.CHILD, ("A1",)),
        ),
    )
    f2 = _family(
        "F00002",
        (
            _person("F00002", "B1", date(1990, 4, 4), MemberRole.PARENT),
            _person("F00002", "B2", date(2018, 7, 7), MemberRole.CHILD, ("B1", "A2")),
        ),
    )
    f3 = _family(
        "F00003",
        (
            _person("F00003", "D1", date(1988, 5, 5), MemberRole.PARENT),
            _person("F00003", "D2", date(2014, 8, 8), MemberRole.CHILD, ("D1",)),
        ),
    )
    records = {d: {} for d in Department}
    return World(seed=0, today=TODAY, families=(f1, f2, f3), department_records=records)


@dataclass(frozen=True, slots=True)
class Staff:
    username: str
    role: Role
    department: Department | None = None
    person: str | None = None  # a key of CPR, for citizens


STAFF = (
    Staff("coord", Role.COORDINATOR),
    Staff("sof-core", Role.CORE_TEAM, Department.SOF),
    Staff("bif-core", Role.CORE_TEAM, Department.BIF),
    Staff("cw-sof", Role.CASEWORKER, Department.SOF),
    Staff("cw-bif", Role.CASEWORKER, Department.BIF),
    Staff("citizen-a1", Role.CITIZEN, person="A1"),
    Staff("citizen-a2", Role.CITIZEN, person="A2"),
    Staff("citizen-o1", Role.CITIZEN, person="O1"),
    Staff("citizen-c1", Role.CITIZEN, person="C1"),
    Staff("citizen-c2", Role.CITIZEN, person="C2"),
    Staff("sys-sof", Role.DEPARTMENT_SYSTEM, Department.SOF),
    Staff("steering", Role.STEERING_GROUP),
    Staff("admin", Role.ADMIN),
)


def make_vault() -> CprVault:
    return CprVault(os.urandom(32), os.urandom(32))


async def seed_access_world(sessions: async_sessionmaker[AsyncSession], vault: CprVault) -> SeedContext:
    world = access_world()
    ctx = SeedContext(world=world, vault=vault, today=TODAY)
    since = date(2025, 2, 1)
    async with transaction(sessions) as session:
        await _seed_core(session, ctx)
        pid = {name: ctx.person_ids[cpr] for name, cpr in CPR.items()}
        assert pid == PID
        users = [
            {
                "id": f"U-{s.username}",
                "username": s.username,
                "subject": s.username,
                "display_name": s.username,
                "role": s.role,
                "department": s.department,
                "unit": "",
                "person_id": pid[s.person] if s.person else None,
                "active": True,
            }
            for s in STAFF
        ]
        await session.execute(insert(User), users)
        ctx.users.update({s.username: f"U-{s.username}" for s in STAFF})

        def assign(
            n: int, family: str, user: str, role: str, start: date, *, until: date | None = None
        ) -> dict[str, object]:
            return {
                "id": f"TA-{n}",
                "family_id": family,
                "user_id": f"U-{user}",
                "team_role": role,
                "since": start,
                "until": until,
            }

        await session.execute(
            insert(TeamAssignment),
            [
                assign(1, "F00001", "coord", TeamRole.COORDINATOR, since),
                assign(2, "F00002", "coord", TeamRole.COORDINATOR, since),
                assign(3, "F00001", "sof-core", TeamRole.MAKKERPAR, since),
                assign(4, "F00002", "sof-core", TeamRole.MAKKERPAR, since, until=TODAY - timedelta(days=1)),
                assign(5, "F00003", "sof-core", TeamRole.CORE_TEAM, TODAY + timedelta(days=5)),  # not yet
                assign(6, "F00002", "bif-core", TeamRole.CORE_TEAM, since),
            ],
        )
        await session.execute(
            insert(CaseloadEntry),
            [
                {"id": "CL-1", "user_id": "U-cw-sof", "person_id": pid["C1"], "department": Department.SOF},
                {"id": "CL-2", "user_id": "U-cw-sof", "person_id": pid["D2"], "department": Department.SOF},
                # A stray entry in another department: does not count for the SOF caseworker.
                {"id": "CL-3", "user_id": "U-cw-sof", "person_id": pid["B1"], "department": Department.BIF},
                {"id": "CL-4", "user_id": "U-cw-bif", "person_id": pid["A1"], "department": Department.BIF},
            ],
        )
    return ctx
