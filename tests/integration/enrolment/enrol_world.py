"""Hand-built worlds for the enrolment tests: families written straight into the database, fake departments.

`FakeConnector` answers from a dict (CPR -> typed record; missing means NOT_REGISTERED) and can be "down".
`WorldBuilder` writes users (`coord` COORDINATOR on every family, `core` CORE_TEAM, `steer` STEERING_GROUP),
families with members, the coordinator's team assignment and (by default) an active consent per member for
all five departments. All CPR numbers are fictitious and generated here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.base import (
    NOT_REGISTERED,
    BreakerState,
    ConnectorHealth,
    Deadline,
    DepartmentUnavailable,
    LookupResult,
)
from connectors.records import (
    AbsenceQuarter,
    Benefit,
    ChildYouthRecord,
    Contact,
    EmploymentRecord,
    Institution,
    LeisureRecord,
    Membership,
    SocialRecord,
)
from hub.auth.principal import Principal
from hub.consent.models import Consent, ConsentCategory, ConsentDepartment, ConsentGrantor
from hub.consent.vocabulary import Channel, ConsentStatus, GrantorCapacity, Purpose
from hub.crypto import CprVault
from hub.domain import DataCategory, Department, District, FamilyStatus, MemberRole, Role
from hub.enrolment.access import Actor
from hub.enrolment.observe import Sources
from hub.enrolment.service import EnrolmentService
from hub.persistence.engine import transaction
from hub.persistence.models import Family, Person, TeamAssignment, TeamRole, User
from hub.persistence.models import Membership as MembershipRow
from hub.settings import Settings

VAULT = CprVault(b"e" * 32, b"n" * 32)
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
CONTACT = Contact(name="Kontakt", unit="Enhed")
_serial = itertools.count(1000)

USERS = {
    "coord": (Role.COORDINATOR, None),
    "core": (Role.CORE_TEAM, Department.SOF),
    "steer": (Role.STEERING_GROUP, None),
}


def principal(username: str) -> Principal:
    role, department = USERS[username]
    return Principal(user_id=f"U-{username}", username=username, role=role, department=department)


def actor(username: str = "coord", now: datetime = NOW) -> Actor:
    return Actor(principal(username), now, Deadline.after(5.0), "req-enrol")


def cpr_for(born: date) -> str:
    """A fictitious CPR number for `born` (the 7th digit picks the century)."""
    serial = next(_serial) % 1000
    century = "0" if born.year < 2000 else "4"
    return f"{born:%d%m%y}{century}{serial:03d}"


# --- department records --------------------------------------------------------------------------------


def social(open_cases: int = 1) -> SocialRecord:
    return SocialRecord(department_id="S1", caseworker=CONTACT, open_cases=open_cases)


def employment(*, cash: bool, open_cases: int = 1) -> EmploymentRecord:
    benefit = Benefit("KONTANTHJAELP", "BASIC", date(2024, 1, 1), 11_000) if cash else None
    return EmploymentRecord(
        department_id="B1", caseworker=CONTACT, benefit=benefit, target_group=None, open_cases=open_cases
    )


def school(*, unlawful_pct: float, open_cases: int = 0) -> ChildYouthRecord:
    return ChildYouthRecord(
        department_id="U1",
        caseworker=CONTACT,
        institution=Institution("Skolen", "SCHOOL", "6"),
        absence=(AbsenceQuarter("2026Q2", 2.0, 1.0, 1.0), AbsenceQuarter("2026Q3", 2.0, 1.0, unlawful_pct)),
        open_cases=open_cases,
    )


def leisure(*, active: bool) -> LeisureRecord:
    return LeisureRecord(
        department_id="K1",
        contact=CONTACT,
        memberships=(Membership("M1", "Klubben", "Fodbold", date(2024, 1, 1), active),),
    )


class FakeConnector:
    """A department answering from a dict; `down` makes every call fail as DEPARTMENT_UNAVAILABLE."""

    batch_limit = 100

    def __init__(self, department: Department) -> None:
        self.department = department
        self.records: dict[str, LookupResult] = {}
        self.down = False
        self.calls: list[list[str]] = []

    async def fetch_many(
        self, cprs: Sequence[str], *, deadline: Deadline | None = None
    ) -> Mapping[str, LookupResult]:
        self.calls.append(list(cprs))
        if self.down:
            raise DepartmentUnavailable(self.department, "down for the test")
        return {c: self.records.get(c, NOT_REGISTERED) for c in cprs}

    async def probe(self) -> ConnectorHealth:
        return ConnectorHealth(self.department, BreakerState.CLOSED, not self.down)

    async def aclose(self) -> None:
        return None


def fake_connectors() -> dict[Department, FakeConnector]:
    return {d: FakeConnector(d) for d in Department}


# --- the database ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    person_id: str
    cpr: str
    born: date
    role: MemberRole


@dataclass
class World:
    sessions: async_sessionmaker[AsyncSession]
    connectors: dict[Department, FakeConnector] = field(default_factory=fake_connectors)
    members: dict[str, list[Member]] = field(default_factory=dict)  # family id -> members

    def service(self, **settings: object) -> EnrolmentService:
        values: dict[str, object] = {
            "capacity": 35,
            "capacity_first_year": 20,
            "programme_start": "2023-01-01",
        }
        values.update(settings)
        return EnrolmentService(
            self.sessions,
            VAULT,
            Settings(**values),
            Sources(self.sessions, self.connectors),  # type: ignore[arg-type]
        )

    def record(self, department: Department, member: Member, record: LookupResult) -> None:
        self.connectors[department].records[member.cpr] = record

    async def users(self) -> None:
        async with transaction(self.sessions) as s:
            for username, (role, department) in USERS.items():
                s.add(
                    User(
                        id=f"U-{username}",
                        username=username,
                        subject=username,
                        display_name=username,
                        role=role,
                        department=department,
                    )
                )

    async def family(
        self,
        fid: str,
        *,
        district: District = District.NORREBRO,
        housing_area: str | None = None,
        status: FamilyStatus = FamilyStatus.REFERRED,
        referred_on: date = date(2026, 9, 1),
        enrolled_on: date | None = None,
        adults: int = 2,
        children: Iterable[date] = (date(2014, 6, 1),),
        consent: Iterable[Department] = tuple(Department),
        no_consent: Iterable[tuple[int, Department]] = (),
    ) -> list[Member]:
        """A family with `adults` parents (born 1980 + i) and `children`; consents for every member."""
        area = housing_area or ("Mjølnerparken" if district is District.NORREBRO else "Bispeparken")
        members = [
            Member(f"P-{fid}-A{i + 1}", "", date(1980 + i, 3, 1), MemberRole.PARENT) for i in range(adults)
        ]
        members += [
            Member(f"P-{fid}-C{i + 1}", "", born, MemberRole.CHILD) for i, born in enumerate(children)
        ]
        members = [Member(m.person_id, cpr_for(m.born), m.born, m.role) for m in members]
        skip = set(no_consent)
        departments = tuple(consent)
        async with transaction(self.sessions) as s:
            s.add(
                Family(
                    id=fid,
                    district=district,
                    housing_area=area,
                    status=status,
                    referral_source="Skole",
                    referred_on=referred_on,
                    enrolled_on=enrolled_on,
                    display_name=f"Familien {fid}",
                )
            )
            await s.flush()
            for m in members:
                s.add(
                    Person(
                        id=m.person_id,
                        cpr_hash=VAULT.lookup_hash(m.cpr),
                        cpr_encrypted=VAULT.encrypt(m.cpr),
                        first_name=f"Fornavn{m.person_id[-2:]}",
                        last_name=f"Efternavn{fid}",
                        birth_date=m.born,
                    )
                )
            await s.flush()
            for m in members:
                s.add(
                    MembershipRow(
                        id=f"MS-{m.person_id}",
                        family_id=fid,
                        person_id=m.person_id,
                        member_role=m.role,
                        joined_on=referred_on,
                    )
                )
            s.add(
                TeamAssignment(
                    id=f"TA-{fid}",
                    family_id=fid,
                    user_id="U-coord",
                    team_role=TeamRole.COORDINATOR,
                    since=referred_on - timedelta(days=1),
                )
            )
            await s.flush()
            for index, m in enumerate(members):
                covered = [d for d in departments if (index, d) not in skip]
                if covered:
                    await _consent(s, fid, m, covered)
        self.members[fid] = members
        return members

    async def consent(
        self,
        fid: str,
        member: Member,
        departments: Sequence[Department],
        consent_id: str,
        recorded_at: datetime | None = None,
    ) -> None:
        async with transaction(self.sessions) as s:
            await _consent(s, fid, member, departments, consent_id, recorded_at=recorded_at)

    async def withdraw(self, consent_id: str, at: datetime) -> None:
        async with transaction(self.sessions) as s:
            row = await s.get(Consent, consent_id)
            assert row is not None
            row.status = ConsentStatus.WITHDRAWN
            row.withdrawn_at = at
            row.withdrawn_by_user_id = "U-coord"
            row.withdrawal_channel = Channel.DIGITAL


async def _consent(
    s: AsyncSession,
    fid: str,
    member: Member,
    departments: Sequence[Department],
    consent_id: str | None = None,
    *,
    recorded_at: datetime | None = None,
) -> None:
    consent_id = consent_id or f"C-{member.person_id}"
    # A child's consent is given by the custody holders in real life; here the subject stands in (the policy
    # decides on scope and period, not on the grantor, which the recording rules check).
    s.add(
        Consent(
            id=consent_id,
            subject_id=member.person_id,
            family_id=fid,
            purpose=Purpose.HFI_COORDINATION,
            valid_from=date(2023, 1, 1),
            valid_until=date(2027, 12, 31),
            collected_via=Channel.DIGITAL,
            collected_by="U-coord",
            evidence_ref="J-1",
            status=ConsentStatus.ACTIVE,
            recorded_at=recorded_at or datetime(2023, 1, 1, tzinfo=UTC),
        )
    )
    await s.flush()
    s.add(ConsentGrantor(consent_id=consent_id, person_id=member.person_id, capacity=GrantorCapacity.SELF))
    for department in departments:
        s.add(ConsentDepartment(consent_id=consent_id, department=department))
    s.add(ConsentCategory(consent_id=consent_id, category=DataCategory.CASE))
