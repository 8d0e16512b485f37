"""The deterministic world generator: fictitious HFI families and every department's records about them.

`generate_world(families, seed)` is a pure function of its arguments. It must never read the clock, the
environment or the global `random` module: one `random.Random(seed)` drives everything, so the same
(families, seed, today) gives the same world on every machine and every day.

Beside the programme's families, the world holds a few families the departments know (with open cases in at
least two of them, in a named housing area) that nobody has referred yet (`World.candidates`, one per eight
families): the mocks serve their records, the hub's seed leaves them out, so intake (referral, consent,
eligibility, enrolment) can be shown and tested end to end. They come from a second random stream, after the
programme's families, so adding them changed no existing family.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from hub.cpr import age_on
from hub.domain import HOUSING_AREAS, Department, District, FamilyStatus, MemberRole
from hub.world.cprs import CprAllocator
from hub.world.departments import BuildContext, Builder, Built
from hub.world.departments.appointments import add_appointments
from hub.world.departments.bif import build_bif
from hub.world.departments.buf import build_buf
from hub.world.departments.kff import build_kff
from hub.world.departments.sof import build_sof
from hub.world.departments.suf import build_suf
from hub.world.model import WORLD_TODAY, World, WorldFamily, WorldPerson
from hub.world.names import ORIGINS, SHARED_CHILD_FEMALE, SHARED_CHILD_MALE, Origin

BUILDERS: dict[Department, Builder] = {
    Department.SOF: build_sof,
    Department.BIF: build_bif,
    Department.BUF: build_buf,
    Department.KFF: build_kff,
    Department.SUF: build_suf,
}

# The demo world: `make run`, `hub seed` and the mocks agree on these unless told otherwise.
DEMO_FAMILIES = 40
CANDIDATE_EVERY = 8  # one not-yet-referred family known to the departments per this many programme families
DEMO_SEED = 2026
MAX_MEMBERS = 7
# Most families in the programme are followed; the rest wait, are being assessed, or have left.
_STATUSES = (FamilyStatus.ACTIVE, FamilyStatus.REFERRED, FamilyStatus.WAITLISTED, FamilyStatus.CLOSED)
_STATUS_WEIGHTS = (0.70, 0.10, 0.10, 0.10)
_REFERRAL_SOURCES = (
    "Boligsocial helhedsplan",
    "Skole",
    "Jobcenter",
    "Socialforvaltningen",
    "Sundhedsplejen",
    "Daginstitution",
    "SSP",
    "Egen henvendelse",
)
_REFERRAL_WEIGHTS = (0.25, 0.17, 0.16, 0.16, 0.07, 0.06, 0.05, 0.08)
# Share of families that span at least two departments with open cases (the programme's target group).
_MULTI_DEPARTMENT_SHARE = 0.92


def generate_world(families: int, seed: int, today: date = WORLD_TODAY) -> World:
    """Build `families` fictitious families and each department's records about their members."""
    if families < 0:
        raise ValueError("families must be zero or more")
    rng = random.Random(seed)  # noqa: S311 - reproducible fictitious data, not security
    cprs = CprAllocator()
    ctx = BuildContext(rng=rng, today=today)
    records: dict[Department, dict[str, dict[str, Any]]] = {d: {} for d in Department}
    generated: list[WorldFamily] = []
    demo = _DemoCases()
    for index in range(1, families + 1):
        family = _family(f"F{index:05d}", rng, cprs, today, demo)
        generated.append(family)
        _department_records(family, ctx, records)
    candidates = _candidates(families // CANDIDATE_EVERY, seed, cprs, today, records)
    # Appointments last, from streams of their own: every other record stays as it was.
    add_appointments((*generated, *candidates), records, seed, today)
    return World(
        seed=seed,
        today=today,
        families=tuple(generated),
        department_records=records,
        candidates=candidates,
    )


def _candidates(
    count: int,
    seed: int,
    cprs: CprAllocator,
    today: date,
    records: dict[Department, dict[str, dict[str, Any]]],
) -> tuple[WorldFamily, ...]:
    """Families known to the departments, not referred: open cases in two departments or more."""
    rng = random.Random(seed * 7919 + 17)  # noqa: S311 - reproducible fictitious data, not security
    ctx = BuildContext(rng=rng, today=today)
    out: list[WorldFamily] = []
    for index in range(1, count + 1):
        family = _family(f"K{index:05d}", rng, cprs, today)
        family = replace(family, status=FamilyStatus.REFERRED, referred_on=today, enrolled_on=None)
        _department_records(family, ctx, records, multi_department=True)
        out.append(family)
    return tuple(out)


# --- families and people -----------------------------------------------------------------------------


@dataclass
class _DemoCases:
    """Rare situations the demo must show (early signals, hub/signals), placed without extra random draws.

    `coming_of_age`: the first 17-year-old of an enrolled family turns 18 soon after the world's today (the
    parents' consents and custody access end then). The birth date is moved within the same age, after the
    random draw it replaces, so every other person and record stays as it was.
    """

    coming_of_age: int = 1


COMING_OF_AGE_DAYS = 20  # the demo's young person turns 18 this many days after the world's today


def _family(
    key: str, rng: random.Random, cprs: CprAllocator, today: date, demo: _DemoCases | None = None
) -> WorldFamily:
    origin = rng.choices(ORIGINS, weights=[o.weight for o in ORIGINS], k=1)[0]
    district = rng.choice((District.NORREBRO, District.BISPEBJERG))
    area = rng.choice(HOUSING_AREAS[district])
    status = rng.choices(_STATUSES, weights=_STATUS_WEIGHTS, k=1)[0]
    referred_on, enrolled_on = _programme_dates(rng, status, today)
    members = _members(key, rng, cprs, origin, today, demo=demo if status is FamilyStatus.ACTIVE else None)
    return WorldFamily(
        key=key,
        district=district,
        housing_area=area,
        status=status,
        referred_on=referred_on,
        enrolled_on=enrolled_on,
        referral_source=rng.choices(_REFERRAL_SOURCES, weights=_REFERRAL_WEIGHTS, k=1)[0],
        members=members,
        origin=origin.key,
    )


def _programme_dates(rng: random.Random, status: FamilyStatus, today: date) -> tuple[date, date | None]:
    # The programme started in 2023; referrals still being assessed are recent.
    if status is FamilyStatus.REFERRED:
        referred = today - timedelta(days=rng.randint(3, 60))
    elif status is FamilyStatus.WAITLISTED:
        referred = today - timedelta(days=rng.randint(30, 240))
    else:
        referred = today - timedelta(days=rng.randint(90, 1300))
    enrolled = None
    if status in (FamilyStatus.ACTIVE, FamilyStatus.CLOSED):
        enrolled = min(today, referred + timedelta(days=rng.randint(14, 120)))
    return referred, enrolled


def _born(rng: random.Random, age: int, today: date) -> date:
    """A birth date that makes the person exactly `age` years old on `today`."""
    latest = _years_before(today, age)
    earliest = _years_before(today, age + 1) + timedelta(days=1)
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year - years, day=28)


def _members(
    key: str,
    rng: random.Random,
    cprs: CprAllocator,
    origin: Origin,
    today: date,
    *,
    demo: _DemoCases | None = None,
) -> tuple[WorldPerson, ...]:
    surname = rng.choice(origin.surnames)
    two_parents = rng.random() < 0.55
    mother_age = rng.randint(23, 50)
    # Parents: (age, male, surname). A lone parent is usually the mother.
    parents: list[tuple[int, bool, str]] = []
    if two_parents:
        partner_surname = surname if rng.random() < 0.7 else rng.choice(origin.surnames)
        parents = [
            (mother_age, False, partner_surname),
            (max(20, mother_age + rng.randint(-3, 9)), True, surname),
        ]
    else:
        male = rng.random() < 0.12
        parents = [(mother_age, male, surname)]
    others: list[tuple[int, bool]] = []
    if rng.random() < 0.12:  # a grandparent or another adult relative lives with the family
        others.append(
            (rng.randint(56, 80) if rng.random() < 0.6 else rng.randint(18, 35), rng.random() < 0.4)
        )

    room = MAX_MEMBERS - len(parents) - len(others)
    wanted = rng.choices((1, 2, 3, 4, 5), weights=(0.24, 0.30, 0.23, 0.14, 0.09), k=1)[0]
    child_count = max(1, min(wanted, room))
    oldest_possible = min(mother_age - 18, 21)
    youngest_possible = max(0, mother_age - 45)
    child_ages = sorted(
        (rng.randint(youngest_possible, max(youngest_possible, oldest_possible)) for _ in range(child_count)),
        reverse=True,
    )

    make = _PersonMaker(key, rng, cprs, origin, today, demo=demo)
    people: list[WorldPerson] = [make(age, male, last, MemberRole.PARENT) for age, male, last in parents]
    # Custody: both parents under joint custody, except where the second adult is a step-parent.
    holders = tuple(p.cpr for p in people)
    if len(people) == 2 and rng.random() < 0.2:
        holders = (people[0].cpr,)
    for age, male in others:
        last = surname if rng.random() < 0.6 else rng.choice(origin.surnames)
        people.append(make(age, male, last, MemberRole.OTHER_ADULT))
    for age in child_ages:
        child = make(age, rng.random() < 0.51, surname, MemberRole.CHILD)
        if age_on(child.birth_date, today) < 18:
            child = _with_custody(child, holders)
        people.append(child)
    return tuple(people)


class _PersonMaker:
    """Makes the members of one family: keys in order, names from the family's tradition, fresh CPRs."""

    def __init__(
        self,
        family_key: str,
        rng: random.Random,
        cprs: CprAllocator,
        origin: Origin,
        today: date,
        *,
        demo: _DemoCases | None = None,
    ):
        self._family_key, self._rng, self._cprs, self._origin, self._today = (
            family_key,
            rng,
            cprs,
            origin,
            today,
        )
        self._demo = demo
        self._count = 0
        self._used: set[str] = set()  # first names taken in this family: no two members share one

    def __call__(self, age: int, male: bool, last_name: str, role: MemberRole) -> WorldPerson:
        rng, origin = self._rng, self._origin
        self._count += 1
        born = _born(rng, age, self._today)
        if self._demo is not None and self._demo.coming_of_age > 0 and role is MemberRole.CHILD and age == 17:
            self._demo.coming_of_age -= 1
            born = _years_before(self._today + timedelta(days=COMING_OF_AGE_DAYS), 18)
        if role is MemberRole.CHILD and origin.key != "danish" and rng.random() < 0.25:
            pool = SHARED_CHILD_MALE if male else SHARED_CHILD_FEMALE
        else:
            pool = origin.male if male else origin.female
        first = _unused(rng.choice(pool), pool, self._used)
        self._used.add(first)
        return WorldPerson(
            key=f"{self._family_key}-M{self._count}",
            cpr=self._cprs.allocate(born, male=male),
            first_name=first,
            last_name=last_name,
            birth_date=born,
            member_role=role,
        )


def _unused(first: str, pool: tuple[str, ...], used: set[str]) -> str:
    """`first`, or the next name of its pool not yet used in the family. No random draw: the world's random
    stream (and so every other person and record) stays as it was."""
    start = pool.index(first)
    for step in range(len(pool)):
        candidate = pool[(start + step) % len(pool)]
        if candidate not in used:
            return candidate
    return first  # pragma: no cover - a pool is longer than a family


def _with_custody(child: WorldPerson, holders: tuple[str, ...]) -> WorldPerson:
    return WorldPerson(
        key=child.key,
        cpr=child.cpr,
        first_name=child.first_name,
        last_name=child.last_name,
        birth_date=child.birth_date,
        member_role=child.member_role,
        custody_holders=holders,
    )


# --- department records --------------------------------------------------------------------------------


def _department_records(
    family: WorldFamily,
    ctx: BuildContext,
    records: dict[Department, dict[str, dict[str, Any]]],
    *,
    multi_department: bool = False,
) -> None:
    open_in: set[Department] = set()
    for department, build in BUILDERS.items():
        for person in family.members:
            built = build(family, person, ctx, False)
            if built is not None:
                records[department][person.cpr] = built.record
                if built.open_cases > 0:
                    open_in.add(department)
    if len(open_in) >= 2 or (not multi_department and not ctx.chance(_MULTI_DEPARTMENT_SHARE)):
        return
    # The target group has cases in more than one administration: typically a parent in BIF and a child
    # in SOF, then school, health and leisure. Open cases until the family spans two departments.
    for department, person in _typical_cases(family, ctx.today):
        if len(open_in) >= 2:
            break
        if department in open_in:
            continue
        forced: Built | None = BUILDERS[department](family, person, ctx, True)
        if forced is not None and forced.open_cases > 0:
            records[department][person.cpr] = forced.record
            open_in.add(department)


def _typical_cases(family: WorldFamily, today: date) -> list[tuple[Department, WorldPerson]]:
    adults = [m for m in family.members if m.member_role is MemberRole.PARENT]
    children = [
        m for m in family.members if m.member_role is MemberRole.CHILD and age_on(m.birth_date, today) < 18
    ]
    pupils = [c for c in children if age_on(c.birth_date, today) >= 6]
    order: list[tuple[Department, WorldPerson]] = []
    order += [(Department.BIF, a) for a in adults]
    order += [(Department.SOF, c) for c in reversed(children)]
    order += [(Department.BUF, c) for c in pupils]
    order += [(Department.SUF, a) for a in adults]
    order += [(Department.KFF, c) for c in pupils]
    return order
