"""A small, hand-built family on a migrated database (SQLite and PostgreSQL) for the consent registry's tests.

Family F1: mother and father (joint custody of their three children), a stepfather without custody, a child
of 8, a child of 13 and a young person of 17. Users: the family's coordinator and SOF core-team worker
(assigned), a coordinator on another family, a BUF caseworker with the 8-year-old in her caseload, and
citizen logins for the mother and the young person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.auth.principal import Principal
from hub.domain import Department, District, FamilyStatus, MemberRole, Role
from hub.persistence.engine import transaction
from hub.persistence.models import (
    CaseloadEntry,
    Custody,
    Family,
    Membership,
    Person,
    TeamAssignment,
    TeamRole,
    User,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
FAMILY = "F1"
OTHER_FAMILY = "F2"
BORN = {
    "P-mother": date(1986, 4, 2),
    "P-father": date(1984, 9, 9),
    "P-step": date(1980, 1, 1),
    "P-child": date(2018, 3, 1),
    "P-tween": date(2013, 6, 1),
    "P-youth": date(2009, 6, 1),
    "P-stranger": date(1990, 1, 1),
}
ROLES = {
    "P-mother": MemberRole.PARENT,
    "P-father": MemberRole.PARENT,
    "P-step": MemberRole.OTHER_ADULT,
    "P-child": MemberRole.CHILD,
    "P-tween": MemberRole.CHILD,
    "P-youth": MemberRole.CHILD,
}
CHILDREN = ("P-child", "P-tween", "P-youth")


@dataclass(frozen=True)
class People:
    coordinator: Principal
    core_sof: Principal
    other_coordinator: Principal
    caseworker_buf: Principal
    mother: Principal
    youth: Principal


def _principal(
    user_id: str, role: Role, department: Department | None = None, person: str | None = None
) -> Principal:
    return Principal(
        user_id=user_id, username=user_id.lower(), role=role, department=department, person_id=person
    )


PEOPLE = People(
    coordinator=_principal("U-coord", Role.COORDINATOR),
    core_sof=_principal("U-sof", Role.CORE_TEAM, Department.SOF),
    other_coordinator=_principal("U-other", Role.COORDINATOR),
    caseworker_buf=_principal("U-bufcw", Role.CASEWORKER, Department.BUF),
    mother=_principal("U-mother", Role.CITIZEN, person="P-mother"),
    youth=_principal("U-youth", Role.CITIZEN, person="P-youth"),
)


async def build_family(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with transaction(sessions) as session:
        for fid in (FAMILY, OTHER_FAMILY):
            await session.execute(
                insert(Family),
                [
                    {
                        "id": fid,
                        "district": District.NORREBRO,
                        "housing_area": "Mjølnerparken",
                        "status": FamilyStatus.ACTIVE,
                        "referral_source": "Skole",
                        "referred_on": date(2023, 12, 1),
                        "enrolled_on": date(2024, 1, 1),
                        "display_name": f"Familien {fid}",
                    }
                ],
            )
        await session.execute(
            insert(Person),
            [
                {
                    "id": pid,
                    "cpr_hash": f"hash-{pid}",
                    "cpr_encrypted": pid.encode(),
                    "first_name": pid[2:].title(),
                    "last_name": "Testesen",
                    "birth_date": born,
                }
                for pid, born in BORN.items()
            ],
        )
        memberships = [
            {
                "id": f"MS-{pid}",
                "family_id": FAMILY,
                "person_id": pid,
                "member_role": role,
                "joined_on": date(2024, 1, 1),
            }
            for pid, role in ROLES.items()
        ]
        memberships.append(
            {
                "id": "MS-P-stranger",
                "family_id": OTHER_FAMILY,
                "person_id": "P-stranger",
                "member_role": MemberRole.PARENT,
                "joined_on": date(2024, 1, 1),
            }
        )
        await session.execute(insert(Membership), memberships)
        await session.execute(
            insert(Custody),
            [
                {"id": f"CU-{child}-{holder}", "child_id": child, "holder_id": holder, "since": BORN[child]}
                for child in CHILDREN
                for holder in ("P-mother", "P-father")
            ],
        )
        await session.execute(
            insert(User),
            [
                {
                    "id": p.user_id,
                    "username": p.username,
                    "subject": p.username,
                    "display_name": p.username,
                    "role": p.role,
                    "department": p.department,
                    "unit": "",
                    "person_id": p.person_id,
                    "active": True,
                }
                for p in (
                    PEOPLE.coordinator,
                    PEOPLE.core_sof,
                    PEOPLE.other_coordinator,
                    PEOPLE.caseworker_buf,
                    PEOPLE.mother,
                    PEOPLE.youth,
                )
            ],
        )
        await session.execute(
            insert(TeamAssignment),
            [
                {
                    "id": "TA-1",
                    "family_id": FAMILY,
                    "user_id": "U-coord",
                    "team_role": TeamRole.COORDINATOR,
                    "since": date(2024, 1, 1),
                },
                {
                    "id": "TA-2",
                    "family_id": FAMILY,
                    "user_id": "U-sof",
                    "team_role": TeamRole.MAKKERPAR,
                    "since": date(2024, 1, 1),
                },
                {
                    "id": "TA-3",
                    "family_id": OTHER_FAMILY,
                    "user_id": "U-other",
                    "team_role": TeamRole.COORDINATOR,
                    "since": date(2024, 1, 1),
                },
            ],
        )
        await session.execute(
            insert(CaseloadEntry),
            [{"id": "CL-1", "user_id": "U-bufcw", "person_id": "P-child", "department": Department.BUF}],
        )


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
