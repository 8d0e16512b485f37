"""A small hand-made family for the plan tests, with every relation the plan's access rules care about.

F1 (ACTIVE): parents MOR (1985) and FAR (1983), children BARN (2016, custody MOR+FAR) and TEEN (2010).
F2 (ACTIVE): ANDEN (1990), another family. Users: `coord` (COORDINATOR on F1), `sof`/`bif` (MAKKERPAR
on F1), `kff` (CORE_TEAM, on no team), `buf-cw` (CASEWORKER with BARN on the caseload), `tovholder2`
(COORDINATOR role, on no team), citizens `mor` and `far`, `teen` (16) and `barn` (10), `anden` (citizen of
F2), `bif-cw` (CASEWORKER with ANDEN of F2 on the caseload), `sof-system`, `styregruppe` and `admin`.
All CPR numbers are fictitious.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.auth.principal import Principal
from hub.crypto import CprVault
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
from hub.plan.history import Actor

TODAY = date(2026, 11, 1)
NOW = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
VAULT = CprVault(b"k" * 32, b"h" * 32)

PERSONS = {  # person id -> (cpr, first name, birth date, family, role)
    "P-MOR": ("0101851111", "Amina", date(1985, 1, 1), "F1", MemberRole.PARENT),
    "P-FAR": ("0202831112", "Omar", date(1983, 2, 2), "F1", MemberRole.PARENT),
    "P-BARN": ("2005164114", "Sara", date(2016, 5, 20), "F1", MemberRole.CHILD),
    "P-TEEN": ("1503104113", "Ali", date(2010, 3, 15), "F1", MemberRole.CHILD),
    "P-ANDEN": ("0404901117", "Mette", date(1990, 4, 4), "F2", MemberRole.PARENT),
}
USERS = {  # username -> (role, department, person id)
    "coord": (Role.COORDINATOR, Department.SOF, None),
    "sof": (Role.CORE_TEAM, Department.SOF, None),
    "bif": (Role.CORE_TEAM, Department.BIF, None),
    "kff": (Role.CORE_TEAM, Department.KFF, None),
    "buf": (Role.CORE_TEAM, Department.BUF, None),
    "buf-cw": (Role.CASEWORKER, Department.BUF, None),
    "tovholder2": (Role.COORDINATOR, None, None),
    "mor": (Role.CITIZEN, None, "P-MOR"),
    "far": (Role.CITIZEN, None, "P-FAR"),
    "anden": (Role.CITIZEN, None, "P-ANDEN"),
    "admin": (Role.ADMIN, None, None),
    "teen": (Role.CITIZEN, None, "P-TEEN"),  # 16: sees the plan and their own member data
    "barn": (Role.CITIZEN, None, "P-BARN"),  # 10: sees nothing through the hub
    "bif-cw": (Role.CASEWORKER, Department.BIF, None),  # no caseload in F1
    "sof-system": (Role.DEPARTMENT_SYSTEM, Department.SOF, None),
    "styregruppe": (Role.STEERING_GROUP, None, None),
}


def principal(username: str) -> Principal:
    role, department, person_id = USERS[username]
    return Principal(
        user_id=f"U-{username}", username=username, role=role, department=department, person_id=person_id
    )


def actor(username: str, now: datetime = NOW) -> Actor:
    return Actor(principal=principal(username), now=now, request_id="req-test")


@dataclass(frozen=True)
class PlanWorld:
    sessions: async_sessionmaker[AsyncSession]
    vault: CprVault = VAULT


async def build(sessions: async_sessionmaker[AsyncSession]) -> PlanWorld:
    async with transaction(sessions) as s:
        for fid in ("F1", "F2"):
            s.add(
                Family(
                    id=fid,
                    district=District.NORREBRO,
                    housing_area="Mjølnerparken",
                    status=FamilyStatus.ACTIVE,
                    referral_source="Skole",
                    referred_on=date(2025, 12, 1),
                    enrolled_on=date(2026, 1, 5),
                    display_name=f"Familien {fid}",
                )
            )
        await s.flush()
        for pid, (cpr, first, born, _fid, _role) in PERSONS.items():
            s.add(
                Person(
                    id=pid,
                    cpr_hash=VAULT.lookup_hash(cpr),
                    cpr_encrypted=VAULT.encrypt(cpr),
                    first_name=first,
                    last_name="Testesen",
                    birth_date=born,
                )
            )
        await s.flush()
        for pid, (_cpr, _first, _born, fid, role) in PERSONS.items():
            s.add(
                Membership(
                    id=f"MS-{pid}", family_id=fid, person_id=pid, member_role=role, joined_on=date(2026, 1, 5)
                )
            )
        for child in ("P-BARN", "P-TEEN"):
            for holder in ("P-MOR", "P-FAR"):
                s.add(Custody(child_id=child, holder_id=holder, since=PERSONS[child][2]))
        for username, (role, department, person_id) in USERS.items():
            s.add(
                User(
                    id=f"U-{username}",
                    username=username,
                    subject=username,
                    display_name=f"Worker {username}",
                    role=role,
                    department=department,
                    person_id=person_id,
                )
            )
        await s.flush()
        for username, team_role in (
            ("coord", TeamRole.COORDINATOR),
            ("sof", TeamRole.MAKKERPAR),
            ("bif", TeamRole.MAKKERPAR),
        ):
            s.add(
                TeamAssignment(
                    id=f"TA-{username}",
                    family_id="F1",
                    user_id=f"U-{username}",
                    team_role=team_role,
                    since=date(2026, 1, 5),
                )
            )
        s.add(CaseloadEntry(user_id="U-buf-cw", person_id="P-BARN", department=Department.BUF))
        s.add(CaseloadEntry(user_id="U-bif-cw", person_id="P-ANDEN", department=Department.BIF))
    return PlanWorld(sessions=sessions)
