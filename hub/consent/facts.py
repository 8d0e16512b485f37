"""Loads consent facts (consents and statutory bases) for many subjects at once, as pure value objects.

Two statements whatever the number of subjects: the consents with their grantors, departments and categories
(eager-joined), and the statutory bases with theirs. This module only reads; decisions are in policy.py.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from hub.consent.models import Consent, StatutoryBasis
from hub.consent.policy import ConsentFacts, Grantor, StatutoryFacts


@dataclass(frozen=True, slots=True)
class SubjectBases:
    consents: tuple[ConsentFacts, ...] = ()
    statutory: tuple[StatutoryFacts, ...] = ()


@dataclass
class BasesBySubject:
    by_subject: dict[str, SubjectBases] = field(default_factory=dict)

    def get(self, person_id: str) -> SubjectBases:
        return self.by_subject.get(person_id, SubjectBases())


def consent_facts(row: Consent) -> ConsentFacts:
    return ConsentFacts(
        id=row.id,
        subject_id=row.subject_id,
        family_id=row.family_id,
        grantors=tuple(Grantor(g.person_id, g.capacity) for g in row.grantors),
        departments=frozenset(d.department for d in row.departments),
        categories=frozenset(c.category for c in row.categories),
        purpose=row.purpose,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        status=row.status,
        recorded_at=row.recorded_at,
        withdrawn_at=row.withdrawn_at,
        superseded_by=row.superseded_by,
        superseded_at=row.superseded_at,
    )


def statutory_facts(row: StatutoryBasis) -> StatutoryFacts:
    return StatutoryFacts(
        id=row.id,
        subject_id=row.subject_id,
        statute_reference=row.statute_reference,
        departments=frozenset(d.department for d in row.departments),
        categories=frozenset(c.category for c in row.categories),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        ended_at=row.ended_at,
    )


async def consent_rows(session: AsyncSession, subject_ids: Collection[str]) -> list[Consent]:
    if not subject_ids:
        return []
    stmt = (
        select(Consent)
        .where(Consent.subject_id.in_(list(subject_ids)))
        .options(
            joinedload(Consent.grantors), joinedload(Consent.departments), joinedload(Consent.categories)
        )
        .order_by(Consent.recorded_at, Consent.id)
    )
    return list((await session.scalars(stmt)).unique())


async def statutory_rows(session: AsyncSession, subject_ids: Collection[str]) -> list[StatutoryBasis]:
    if not subject_ids:
        return []
    stmt = (
        select(StatutoryBasis)
        .where(StatutoryBasis.subject_id.in_(list(subject_ids)))
        .options(joinedload(StatutoryBasis.departments), joinedload(StatutoryBasis.categories))
        .order_by(StatutoryBasis.recorded_at, StatutoryBasis.id)
    )
    return list((await session.scalars(stmt)).unique())


async def load_bases(
    session: AsyncSession, subject_ids: Collection[str], *, include_statutory: bool = True
) -> BasesBySubject:
    """Every consent and (if asked) statutory basis of these subjects, grouped by subject."""
    consents: dict[str, list[ConsentFacts]] = {}
    for row in await consent_rows(session, subject_ids):
        consents.setdefault(row.subject_id, []).append(consent_facts(row))
    statutory: dict[str, list[StatutoryFacts]] = {}
    if include_statutory:
        for basis in await statutory_rows(session, subject_ids):
            statutory.setdefault(basis.subject_id, []).append(statutory_facts(basis))
    return BasesBySubject(
        {
            pid: SubjectBases(tuple(consents.get(pid, ())), tuple(statutory.get(pid, ())))
            for pid in set(consents) | set(statutory)
        }
    )
