"""The shared build context for department record builders: seeded randomness, ids, dates and staff.

Must never read the clock or the global `random` module: every value comes from the context's
`random.Random`, so the same seed gives the same records.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from hub.cpr import age_on
from hub.domain import Department, District
from hub.world.model import WorldFamily, WorldPerson
from hub.world.names import STAFF_FIRST, STAFF_LAST

T = TypeVar("T")

_STAFF_PER_UNIT = 12
DISTRICT_NAMES = {District.NORREBRO: "Nørrebro", District.BISPEBJERG: "Bispebjerg"}


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A fictitious municipal employee: caseworker, teacher, nurse, leisure consultant."""

    name: str
    unit: str
    phone: str
    email: str


@dataclass(frozen=True, slots=True)
class Built:
    """A department's wire record about one person and how many open cases it counts."""

    record: dict[str, Any]
    open_cases: int


@dataclass
class BuildContext:
    rng: random.Random
    today: date
    _counters: dict[str, int] = field(default_factory=dict)
    _staff: dict[tuple[Department, District, str], tuple[StaffMember, ...]] = field(default_factory=dict)

    # --- randomness --------------------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items: Sequence[T]) -> T:
        return items[self.rng.randrange(len(items))]

    def weighted(self, items: Sequence[T], weights: Sequence[float]) -> T:
        return self.rng.choices(items, weights=weights, k=1)[0]

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        return self.rng.randint(low, high)

    # --- ids ----------------------------------------------------------------------------------------

    def next_serial(self, series: str) -> int:
        """A counter per id series: ids are unique within a department and stable for a seed."""
        value = self._counters.get(series, 0) + 1
        self._counters[series] = value
        return value

    # --- dates --------------------------------------------------------------------------------------

    def days_ago(self, low: int, high: int) -> date:
        """A date between `high` and `low` days before the world's today."""
        return self.today - timedelta(days=self.rng.randint(low, high))

    def days_after(self, start: date, low: int, high: int) -> date:
        return start + timedelta(days=self.rng.randint(low, high))

    def not_before(self, value: date, floor: date) -> date:
        return max(value, floor)

    def timestamp(self, day: date) -> datetime:
        """An office-hours instant on `day`, in UTC, never after the world's today."""
        day = min(day, self.today)
        moment = time(
            hour=self.rng.randint(6, 15), minute=self.rng.randint(0, 59), second=self.rng.randint(0, 59)
        )
        return datetime.combine(day, moment, tzinfo=UTC)

    @staticmethod
    def age(person: WorldPerson, today: date) -> int:
        return age_on(person.birth_date, today)

    # --- staff --------------------------------------------------------------------------------------

    def staff(self, department: Department, district: District, unit: str) -> StaffMember:
        """One of a stable pool of staff for a unit, so the same caseworker turns up across families."""
        key = (department, district, unit)
        pool = self._staff.get(key)
        if pool is None:
            pool = tuple(self._new_staff(department, unit) for _ in range(_STAFF_PER_UNIT))
            self._staff[key] = pool
        return self.pick(pool)

    def _new_staff(self, department: Department, unit: str) -> StaffMember:
        first, last = self.pick(STAFF_FIRST), self.pick(STAFF_LAST)
        initials = f"{first[0]}{last[0]}{self.rng.randint(10, 99)}".lower()
        # Made-up numbers and the reserved .test domain (RFC 2606): mail can never reach anyone.
        phone = f"+45 5550 {self.rng.randint(1000, 9999)}"
        email = f"{initials}@{department.value.lower()}.kk.test"
        return StaffMember(name=f"{first} {last}", unit=unit, phone=phone, email=email)


def iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def iso_z(value: datetime) -> str:
    """RFC 3339 with a `Z`, as most of the department systems write instants."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def last_quarters(today: date, count: int) -> list[tuple[int, int, date, date]]:
    """The `count` most recent completed quarters, oldest first: (year, quarter, first day, last day)."""
    year, quarter = quarter_of(today)
    result: list[tuple[int, int, date, date]] = []
    for _ in range(count):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        first = date(year, 3 * (quarter - 1) + 1, 1)
        next_first = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        result.append((year, quarter, first, next_first - timedelta(days=1)))
    return list(reversed(result))


Builder = Callable[[WorldFamily, WorldPerson, BuildContext, bool], Built | None]
"""(family, person, context, force_open) -> the department's record, or None when not registered.

With `force_open` the builder must return a record with at least one open case if the person can have
one in this department at all (the generator uses it so most families span two or more departments)."""
