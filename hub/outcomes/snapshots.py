"""Outcome snapshots: take one for every member of a family now, through the gate, and read them back.

Department data comes through the request's `SectionService`, so the taker's gate decides each member and
department (and logs it) before any department call: one batched call per department read (BIF, BUF, SOF).
Wellbeing scores are health data: only with a health basis for the member (the gate's SUF decision naming
HEALTH); so is SOF's assessment of functioning, which the gate's redaction removes without a health basis for
SOF (hub/family/redact.py). Only the family's core team takes snapshots (plan EDIT); closeFamily takes the CLOSURE snapshot before
the sharing ends. Reading them back follows the plan's access (the family sees its own members').
`observe` reads and measures without storing, `store` writes: the half-yearly scheduler (hub/outcomes/schedule.py)
logs the reads between the two; `take` does both for the mutations.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.auth.principal import Principal
from hub.crypto import CprVault
from hub.domain import DataCategory, Department
from hub.errors import NotFound
from hub.family import repository as families
from hub.family.sections import SectionService, SectionStatus
from hub.outcomes.measures import ConfiguredIndicator, Score, Value, measure
from hub.outcomes.models import OutcomeSnapshot
from hub.plan import repository as plans
from hub.plan.access import access_for

READ = (Department.BIF, Department.BUF, Department.SOF)
UNANSWERED = frozenset({SectionStatus.UNAVAILABLE, SectionStatus.BAD_RESPONSE})


class Occasion(StrEnum):
    ENROLMENT = "ENROLMENT"
    HALF_YEAR = "HALF_YEAR"
    CLOSURE = "CLOSURE"


@dataclass(frozen=True, slots=True)
class SnapshotView:
    family_id: str
    person_id: str
    occasion: Occasion
    taken_on: date
    values: dict[str, Value]


class Incomplete(Exception):
    """A department did not answer (unavailable, bad response): a scheduled snapshot waits for the next round."""


async def take(
    sessions: async_sessionmaker[AsyncSession],
    vault: CprVault,
    sections: SectionService,
    *,
    principal: Principal,
    family_id: str,
    occasion: Occasion,
    now: datetime,
    indicators: Collection[ConfiguredIndicator] = (),
) -> list[SnapshotView]:
    """Observe and store in one go (the mutations)."""
    views = await observe(
        sessions,
        vault,
        sections,
        principal=principal,
        family_id=family_id,
        occasion=occasion,
        now=now,
        indicators=indicators,
    )
    async with sessions.begin() as session:
        store(session, views, principal=principal, now=now)
    return views


async def observe(
    sessions: async_sessionmaker[AsyncSession],
    vault: CprVault,
    sections: SectionService,
    *,
    principal: Principal,
    family_id: str,
    occasion: Occasion,
    now: datetime,
    indicators: Collection[ConfiguredIndicator] = (),
    complete: bool = False,
) -> list[SnapshotView]:
    """Each member's measures now, as the principal's gate lets them be seen; nothing stored.

    `complete`: raise Incomplete when a department did not answer (a scheduled snapshot retries later rather
    than store a gap a person did not choose)."""
    today = now.date()
    gate = sections.gate
    if family_id not in await gate.visible_families([family_id]):
        raise NotFound("no such family", field="familyId")
    async with sessions() as session:
        access = (await access_for(session, principal, [family_id], today))[family_id]
        access.require_edit()
        members = (await families.members_of(session, vault, [family_id])).get(family_id, [])
        measurements = (await plans.measurements(session, [family_id])).get(family_id, [])
    await sections.prepare(members, READ)
    decisions = await gate.decide_many(members, [Department.SUF])
    out: list[SnapshotView] = []
    for member in members:
        seen = await sections.sections(member, READ)
        if complete and any(s.status in UNANSWERED for s in seen):
            raise Incomplete(family_id)
        records = {s.department: s.record for s in seen}
        suf = decisions[(member.person_id, Department.SUF)]
        scores = (
            [
                Score(m.instrument, m.score, m.measured_on)
                for m in measurements
                if m.person.person_id == member.person_id
            ]
            if suf.allowed and DataCategory.HEALTH in suf.categories
            else None
        )
        values = measure(records, scores, today, indicators)
        out.append(SnapshotView(family_id, member.person_id, occasion, today, values))
    return out


def store(
    session: AsyncSession, views: Collection[SnapshotView], *, principal: Principal, now: datetime
) -> None:
    session.add_all(
        OutcomeSnapshot(
            family_id=v.family_id,
            person_id=v.person_id,
            occasion=v.occasion.value,
            taken_on=v.taken_on,
            values=v.values,
            taken_by=principal.user_id,
            taken_at=now,
        )
        for v in views
    )


async def of_families(session: AsyncSession, family_ids: Collection[str]) -> dict[str, list[SnapshotView]]:
    """Each family's snapshots, oldest first."""
    out: dict[str, list[SnapshotView]] = {f: [] for f in family_ids}
    if not family_ids:
        return out
    rows = await session.scalars(
        select(OutcomeSnapshot)
        .where(OutcomeSnapshot.family_id.in_(list(family_ids)))
        .order_by(OutcomeSnapshot.taken_at, OutcomeSnapshot.person_id, OutcomeSnapshot.id)
    )
    for row in rows:
        out[row.family_id].append(
            SnapshotView(row.family_id, row.person_id, Occasion(row.occasion), row.taken_on, dict(row.values))
        )
    return out
