"""Demo outcome snapshots for `hub seed`, so `Family.outcomes` and the steering report's startToEnd have data.

Each enrolled family (ACTIVE, CLOSED) gets a snapshot per member at enrolment, at every half-year reached (each
claimed in `outcome_periods`, so the scheduler does not take it again) and, for a closed family, at closure.
The measures are computed exactly as a live snapshot computes them (hub/outcomes/measures.py) from the world's
department records read through the connectors' own mapping, as they stood on the day (reports in the half
year before, activities running, the latest assessment of functioning); a department counts only where the
member's seeded consent or statutory basis names it (and had not ended by the day), and health data
(functioning, wellbeing scores) only where it names HEALTH too, as the gate would have decided (a closed
family has no seeded consent rows: its course counts as run under the programme's standard consent, every
department and case data, no health). Since the generated world has no
department history, the enrolment snapshot is moved, deterministically, towards the situation a family
typically enters the programme in (on cash benefit, more absence, no activation yet, more difficulty in
functioning). Runs after the enrolment seeder (closing dates) and the plan seeder (measurements), before the
closures; deterministic per world seed; never writes a CPR number.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.records import DepartmentRecord
from hub.domain import DataCategory, Department, FamilyStatus
from hub.family.redact import redact
from hub.ingestion.wire import WireError, connector_parsers, parse_wire
from hub.outcomes.course_report import CASH_BENEFITS
from hub.outcomes.measures import Score, Value, measure
from hub.outcomes.models import OutcomePeriod, OutcomeSnapshot
from hub.outcomes.schedule import current_period, half_year
from hub.outcomes.snapshots import READ, Occasion
from hub.persistence.models import Family
from hub.plan.models import Measurement
from hub.seed_context import SeedContext

COORDINATOR = "tovholder"
Basis = tuple[date, date, date | None, frozenset[Department], frozenset[DataCategory]]


async def _bases(session: AsyncSession) -> dict[str, list[Basis]]:
    """Per person: (from, until, ended, departments, categories) of every consent and statutory basis."""
    from hub.consent.models import (
        Consent,
        ConsentCategory,
        ConsentDepartment,
        StatutoryBasis,
        StatutoryBasisCategory,
        StatutoryBasisDepartment,
    )

    departments: dict[str, set[Department]] = defaultdict(set)
    categories: dict[str, set[DataCategory]] = defaultdict(set)
    for cid, d in (
        await session.execute(select(ConsentDepartment.consent_id, ConsentDepartment.department))
    ).all():
        departments[cid].add(d)
    for cid, c in (await session.execute(select(ConsentCategory.consent_id, ConsentCategory.category))).all():
        categories[cid].add(c)
    for bid, d in (
        await session.execute(select(StatutoryBasisDepartment.basis_id, StatutoryBasisDepartment.department))
    ).all():
        departments[bid].add(d)
    for bid, c in (
        await session.execute(select(StatutoryBasisCategory.basis_id, StatutoryBasisCategory.category))
    ).all():
        categories[bid].add(c)
    out: dict[str, list[Basis]] = defaultdict(list)
    for consent in await session.scalars(select(Consent)):
        ended = min(
            (t.date() for t in (consent.withdrawn_at, consent.superseded_at) if t is not None), default=None
        )
        out[consent.subject_id].append(
            (
                consent.valid_from,
                consent.valid_until,
                ended,
                frozenset(departments[consent.id]),
                frozenset(categories[consent.id]),
            )
        )
    for basis in await session.scalars(select(StatutoryBasis)):
        out[basis.subject_id].append(
            (
                basis.valid_from,
                basis.valid_until,
                None,
                frozenset(departments[basis.id]),
                frozenset(categories[basis.id]),
            )
        )
    return out


def _allowed(bases: Iterable[Basis], department: Department, on: date) -> frozenset[DataCategory] | None:
    """The categories the member's consents and bases name for `department` (None: none names it).

    The seeded consents are the family's current ones (the world has no consent history before them), so
    their scope stands for the scope given at enrolment and renewed since: a basis counts on any day before
    it ended, and not after it was withdrawn, superseded or expired."""
    found: set[DataCategory] = set()
    any_basis = False
    for _start, until, ended, departments, categories in bases:
        if department in departments and on <= until and (ended is None or ended > on):
            any_basis = True
            found |= categories
    return frozenset(found | {DataCategory.CASE}) if any_basis else None


def _worse_at_enrolment(values: dict[str, Value], rng: random.Random) -> dict[str, Value]:
    out = dict(values)
    benefit = out.get("BENEFIT_TYPE")
    if benefit is not None and benefit not in CASH_BENEFITS and rng.random() < 0.35:
        out["BENEFIT_TYPE"] = "KONTANTHJAELP"
    activation = out.get("ACTIVATION")
    if activation not in (None, "NONE") and rng.random() < 0.4:
        out["ACTIVATION"] = "NONE"
    absence = out.get("UNLAWFUL_ABSENCE_PCT")
    if isinstance(absence, int | float) and absence < 15 and rng.random() < 0.3:
        out["UNLAWFUL_ABSENCE_PCT"] = round(absence + rng.uniform(10, 20), 1)
    functioning = out.get("FUNCTIONING")
    if isinstance(functioning, int) and functioning < 4 and rng.random() < 0.3:
        out["FUNCTIONING"] = functioning + 1
    return out


def _occasions(enrolled_on: date, closed_on: date | None, today: date) -> list[tuple[Occasion, date, int]]:
    last = closed_on or today
    out = [(Occasion.ENROLMENT, enrolled_on, 0)]
    for period in range(1, current_period(enrolled_on, last) + 1):
        day = half_year(enrolled_on, period)
        if closed_on is None or day < closed_on:
            out.append((Occasion.HALF_YEAR, day, period))
    if closed_on is not None:
        out.append((Occasion.CLOSURE, closed_on, -1))
    return out


async def seed_outcomes(session: AsyncSession, ctx: SeedContext) -> None:
    parsers = connector_parsers()
    taker = ctx.users.get(COORDINATOR)
    bases = await _bases(session)
    scores: dict[str, list[Score]] = defaultdict(list)
    for m in await session.scalars(select(Measurement)):
        scores[m.person_id].append(Score(m.instrument, m.score, m.measured_on))
    rows = (
        await session.execute(
            select(Family.id, Family.enrolled_on, Family.closed_on, Family.status).where(
                Family.status.in_([FamilyStatus.ACTIVE, FamilyStatus.CLOSED]), Family.enrolled_on.is_not(None)
            )
        )
    ).all()
    by_id = {ctx.family_ids[f.key]: f for f in ctx.world.families if f.key in ctx.family_ids}
    snapshots: list[dict[str, Any]] = []
    periods: list[dict[str, Any]] = []
    for family_id, enrolled_on, closed_on, status in rows:
        family = by_id.get(family_id)
        if family is None or enrolled_on is None:
            continue
        rng = random.Random(f"{ctx.world.seed}-outcomes-{family.key}")  # noqa: S311 - demo data
        closed = closed_on if status is FamilyStatus.CLOSED else None
        # The consent seeder writes the enrolled families' current consents only: a closed family's course
        # ran under the programme's standard consent (every department, case data, no health).
        standard: list[Basis] = [
            (enrolled_on, closed or ctx.today, None, frozenset(Department), frozenset({DataCategory.CASE}))
        ]
        records = {m.cpr: _records(parsers, ctx.world.department_records, m.cpr) for m in family.members}
        for occasion, on, period in _occasions(enrolled_on, closed, ctx.today):
            at = datetime.combine(on, time(10), UTC)
            for member in family.members:
                person_id = ctx.person_ids[member.cpr]
                mine = bases.get(person_id) or (standard if closed is not None else [])
                seen: dict[Department, DepartmentRecord | None] = {}
                for department, record in records[member.cpr].items():
                    categories = _allowed(mine, department, on)
                    if categories is not None:
                        seen[department] = redact(record, categories)
                health = _allowed(mine, Department.SUF, on)
                own = scores.get(person_id) if health is not None and DataCategory.HEALTH in health else None
                values = measure(seen, own, on)
                if occasion is Occasion.ENROLMENT:
                    values = _worse_at_enrolment(values, rng)
                snapshots.append(
                    {
                        "id": f"OS-{member.key}-{on:%Y%m%d}-{occasion.value[0]}",
                        "family_id": family_id,
                        "person_id": person_id,
                        "occasion": occasion.value,
                        "taken_on": on,
                        "values": values,
                        "taken_by": taker,
                        "taken_at": at,
                    }
                )
            if occasion is Occasion.HALF_YEAR:
                periods.append(
                    {
                        "family_id": family_id,
                        "course_start": enrolled_on,
                        "period": period,
                        "due_on": on,
                        "taken_by": taker,
                        "claimed_at": at,
                    }
                )
    for start in range(0, len(snapshots), 2000):
        await session.execute(insert(OutcomeSnapshot), snapshots[start : start + 2000])
    if periods:
        await session.execute(insert(OutcomePeriod), periods)


def _records(
    parsers: Mapping[Department, Any], world_records: Mapping[Department, Mapping[str, Any]], cpr: str
) -> dict[Department, DepartmentRecord]:
    out: dict[Department, DepartmentRecord] = {}
    for department in READ:
        wire = world_records.get(department, {}).get(cpr)
        if wire is None:
            continue
        try:
            out[department] = parse_wire(parsers, department, wire)
        except WireError:  # pragma: no cover - the world's records map (tests/unit/connectors)
            continue
    return out
