"""The world's value types. Pure data: the generator fills them, the seeder and the mocks read them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from hub.domain import Department, District, FamilyStatus, MemberRole

# The fixed reference anchor: `generate_world`'s default, so that tests and benchmarks get the same world on any
# day. The demo (`hub seed`, `hub up`, `hub departments`) is anchored at today instead: see hub/world/anchor.py.
WORLD_TODAY = date(2026, 11, 1)


@dataclass(frozen=True, slots=True)
class WorldPerson:
    key: str  # stable, e.g. "F00001-M2"
    cpr: str  # 10 digits, fictitious, birth date matches `birth_date`
    first_name: str
    last_name: str
    birth_date: date
    member_role: MemberRole
    custody_holders: tuple[str, ...] = ()  # CPR numbers of the custody holders (children under 18)


@dataclass(frozen=True, slots=True)
class WorldFamily:
    key: str  # stable, e.g. "F00001"
    district: District
    housing_area: str
    status: FamilyStatus
    referred_on: date
    enrolled_on: date | None
    referral_source: str
    members: tuple[WorldPerson, ...]
    origin: str = (
        "danish"  # the family's naming tradition (hub/world/names.py): "danish" means Danish-born parents
    )


@dataclass(frozen=True, slots=True)
class World:
    seed: int
    today: date
    families: tuple[WorldFamily, ...]
    # Per department: CPR -> that department's record about the person, in the department's own wire format
    # (exactly the JSON object its single-person endpoint returns). A person absent here is not registered.
    department_records: Mapping[Department, Mapping[str, Mapping[str, Any]]]
    # Families the departments know (their records are in `department_records`) that are not referred to the
    # programme: the hub's seed leaves them out; intake refers them (hub/world/generator.py).
    candidates: tuple[WorldFamily, ...] = ()

    def persons(self) -> list[WorldPerson]:
        """The programme's persons (the hub's seed); `everyone()` adds the not-yet-referred candidates."""
        return [m for f in self.families for m in f.members]

    def everyone(self) -> list[WorldPerson]:
        """Every person the departments may know: the programme's and the candidates'."""
        return [m for f in (*self.families, *self.candidates) for m in f.members]
