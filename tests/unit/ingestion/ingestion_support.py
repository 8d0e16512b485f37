"""Test helpers for ingestion: a small world written straight into the core tables, events, fakes."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.base import NOT_REGISTERED, ConnectorHealth, Deadline, DepartmentUnavailable, LookupResult
from hub.auth.principal import Principal
from hub.crypto import CprVault
from hub.domain import Department, Role
from hub.family.gate import Gate, SectionDecision, Verdict
from hub.family.model import MemberInfo
from hub.ingestion.service import IngestionService
from hub.ingestion.wire import connector_parsers, parse_wire
from hub.persistence.engine import transaction
from hub.persistence.models import Family, Membership, Person
from hub.pubsub import InProcessPubSub
from hub.world import World, generate_world

VAULT = CprVault(b"e" * 32, b"h" * 32)
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
PARSERS = connector_parsers()


@dataclass
class Seeded:
    world: World
    person_ids: dict[str, str] = field(default_factory=dict)  # CPR -> person id
    family_of: dict[str, str] = field(default_factory=dict)  # person id -> family id

    def registered(self, department: Department) -> list[str]:
        """CPR numbers the department has a record of, in a stable order."""
        return sorted(self.world.department_records[department])

    def members(self, family_id: str) -> list[str]:
        return sorted(pid for pid, fid in self.family_of.items() if fid == family_id)


def small_world() -> World:
    return generate_world(6, 5)


async def seed_core(sessions: async_sessionmaker[AsyncSession], world: World) -> Seeded:
    seeded = Seeded(world)
    families, persons, memberships = [], [], []
    for fam in world.families:
        families.append(
            {
                "id": fam.key,
                "district": fam.district,
                "housing_area": fam.housing_area,
                "status": fam.status,
                "referral_source": fam.referral_source,
                "referred_on": fam.referred_on,
                "enrolled_on": fam.enrolled_on,
                "display_name": f"Familien {fam.members[0].last_name}",
                "version": 1,
            }
        )
        for m in fam.members:
            pid = f"P-{m.key}"
            seeded.person_ids[m.cpr] = pid
            seeded.family_of[pid] = fam.key
            persons.append(
                {
                    "id": pid,
                    "cpr_hash": VAULT.lookup_hash(m.cpr),
                    "cpr_encrypted": VAULT.encrypt(m.cpr),
                    "first_name": m.first_name,
                    "last_name": m.last_name,
                    "birth_date": m.birth_date,
                }
            )
            memberships.append(
                {
                    "id": f"M-{m.key}",
                    "family_id": fam.key,
                    "person_id": pid,
                    "member_role": m.member_role,
                    "joined_on": fam.referred_on,
                }
            )
    async with transaction(sessions) as session:
        await session.execute(insert(Family), families)
        await session.execute(insert(Person), persons)
        await session.execute(insert(Membership), memberships)
    return seeded


def system(department: Department, client: str = "graphql") -> Principal:
    return Principal(
        user_id="",
        username=f"{department.value.lower()}-system",
        role=Role.DEPARTMENT_SYSTEM,
        department=department,
        client=client,
    )


def event(
    seeded: Seeded,
    department: Department,
    cpr: str,
    *,
    version: int,
    event_id: str | None = None,
    record: Mapping[str, Any] | None = None,
    deleted: bool = False,
    occurred_at: datetime | None = None,
) -> dict[str, Any]:
    wire = dict(record if record is not None else seeded.world.department_records[department][cpr])
    return {
        "eventId": event_id or f"ev-{uuid.uuid4().hex}",
        "department": department.value,
        "subjectCpr": cpr,
        "recordKind": "person",
        "recordId": f"{department.value}-{seeded.person_ids.get(cpr, 'x')}",
        "version": version,
        "occurredAt": (occurred_at or NOW - timedelta(days=1)).isoformat(),
        "record": None if deleted else wire,
        "deleted": deleted,
    }


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def service(
    sessions: async_sessionmaker[AsyncSession], *, pubsub: Any = None, clock: Any = None
) -> IngestionService:
    return IngestionService(
        sessions,
        VAULT,
        pubsub or InProcessPubSub(),
        parsers=PARSERS,
        clock=clock or Clock(),
    )


class CountingConnector:
    """A department that answers from the world's wire records through the real mapping, and counts calls."""

    def __init__(self, world: World, department: Department) -> None:
        self.department = department
        self.batch_limit = 100
        self.world = world
        self.calls: list[list[str]] = []
        self.down = False

    async def fetch_many(
        self, cprs: Sequence[str], *, deadline: Deadline | None = None
    ) -> Mapping[str, LookupResult]:
        self.calls.append(list(cprs))
        if self.down:
            raise DepartmentUnavailable(self.department, "down for the test")
        records = self.world.department_records.get(self.department, {})
        return {
            c: parse_wire(PARSERS, self.department, records[c]) if c in records else NOT_REGISTERED
            for c in cprs
        }

    async def probe(self) -> ConnectorHealth:
        raise NotImplementedError

    async def aclose(self) -> None:
        return None


class AllowAll(Gate):
    """A gate that allows every section: for tests about what happens after the gate said yes."""

    async def decide_many(
        self, members: Iterable[MemberInfo], departments: Collection[Department]
    ) -> dict[tuple[str, Department], SectionDecision]:
        for member in members:
            for department in departments:
                self._decisions.setdefault(
                    (member.person_id, department), SectionDecision(Verdict.ALLOW, "test_allows")
                )
        return self._decisions

    async def visible_families(self, family_ids: Collection[str]) -> set[str]:
        return set(family_ids)
