"""Reads and writes of the consent registry, and the facts its rules need (subject, custody, team).

No decisions here: the rules (rules.py), the policy (policy.py) and the service (service.py) decide.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from hub.access.visibility import CONSENT, CONSENT_SUBJECT, STATUTORY_BASIS
from hub.consent.models import (
    Consent,
    ConsentCategory,
    ConsentDepartment,
    ConsentGrantor,
    StatutoryBasis,
    StatutoryBasisCategory,
    StatutoryBasisDepartment,
)
from hub.consent.rules import ConsentRequest, ValidConsent
from hub.consent.vocabulary import ConsentStatus
from hub.domain import DataCategory, Department
from hub.persistence.base import new_id
from hub.persistence.models import Custody, Membership, Person, TeamAssignment


@dataclass(frozen=True, slots=True)
class Subject:
    person_id: str
    family_id: str
    birth_date: date
    custody_holder_ids: frozenset[str]


async def load_subjects(
    session: AsyncSession, person_ids: Collection[str], today: date
) -> dict[str, Subject]:
    """Current members among `person_ids`, with their current custody holders (two statements)."""
    if not person_ids:
        return {}
    rows = (
        await session.execute(
            select(Person.id, Person.birth_date, Membership.family_id)
            .join(Membership, and_(Membership.person_id == Person.id, Membership.left_on.is_(None)))
            .where(Person.id.in_(list(person_ids)))
        )
    ).all()
    holders: dict[str, set[str]] = {}
    custody = await session.execute(
        select(Custody.child_id, Custody.holder_id).where(
            Custody.child_id.in_(list(person_ids)),
            Custody.since <= today,
            or_(Custody.until.is_(None), Custody.until > today),
        )
    )
    for child_id, holder_id in custody.all():
        holders.setdefault(child_id, set()).add(holder_id)
    return {
        pid: Subject(pid, family_id, born, frozenset(holders.get(pid, ()))) for pid, born, family_id in rows
    }


async def load_subject(session: AsyncSession, person_id: str, today: date) -> Subject:
    subject = (await load_subjects(session, [person_id], today)).get(person_id)
    if subject is None:
        raise CONSENT_SUBJECT.error()
    return subject


async def birth_date_of(session: AsyncSession, person_id: str) -> date | None:
    born: date | None = await session.scalar(select(Person.birth_date).where(Person.id == person_id))
    return born


async def family_member_ids(session: AsyncSession, family_id: str) -> list[str]:
    rows = await session.scalars(
        select(Membership.person_id).where(Membership.family_id == family_id, Membership.left_on.is_(None))
    )
    return list(rows)


async def team_roles(session: AsyncSession, user_id: str, family_id: str, today: date) -> set[str]:
    """The user's current team roles on the family (empty: not on the family's team)."""
    rows = await session.scalars(
        select(TeamAssignment.team_role).where(
            TeamAssignment.user_id == user_id,
            TeamAssignment.family_id == family_id,
            TeamAssignment.since <= today,
            or_(TeamAssignment.until.is_(None), TeamAssignment.until > today),
        )
    )
    return set(rows)


async def get_consent(session: AsyncSession, consent_id: str, *, for_update: bool = False) -> Consent:
    stmt = (
        select(Consent)
        .where(Consent.id == consent_id)
        .options(
            joinedload(Consent.grantors), joinedload(Consent.departments), joinedload(Consent.categories)
        )
    )
    if for_update:
        # Serialises concurrent withdraw/supersede of one consent on PostgreSQL (SQLite serialises writers).
        stmt = stmt.with_for_update(of=Consent)
    row = (await session.scalars(stmt)).unique().one_or_none()
    if row is None:
        raise CONSENT.error()
    return row


async def get_statutory_basis(session: AsyncSession, basis_id: str) -> StatutoryBasis:
    stmt = (
        select(StatutoryBasis)
        .where(StatutoryBasis.id == basis_id)
        .options(joinedload(StatutoryBasis.departments), joinedload(StatutoryBasis.categories))
        .with_for_update(of=StatutoryBasis)
    )
    row = (await session.scalars(stmt)).unique().one_or_none()
    if row is None:
        raise STATUTORY_BASIS.error()
    return row


def add_consent(
    session: AsyncSession,
    request: ConsentRequest,
    valid: ValidConsent,
    subject: Subject,
    *,
    collected_by: str,
    recorded_at: datetime,
) -> Consent:
    consent_id = new_id()
    row = Consent(
        id=consent_id,
        subject_id=subject.person_id,
        family_id=subject.family_id,
        purpose=request.purpose,
        valid_from=valid.valid_from,
        valid_until=valid.valid_until,
        collected_via=request.collected_via,
        collected_by=collected_by,
        evidence_ref=valid.evidence_ref,
        child_view=valid.child_view,
        status=ConsentStatus.ACTIVE,
        recorded_at=recorded_at,
        grantors=[ConsentGrantor(person_id=pid, capacity=capacity) for pid, capacity in valid.grantors],
        departments=[ConsentDepartment(department=d) for d in sorted(request.departments)],
        categories=[ConsentCategory(category=c) for c in sorted(request.categories)],
    )
    session.add(row)
    return row


def add_statutory_basis(
    session: AsyncSession,
    subject: Subject,
    *,
    statute_reference: str,
    case_reference: str,
    departments: frozenset[Department],
    categories: frozenset[DataCategory],
    valid_from: date,
    valid_until: date,
    recorded_by: str,
    recorded_at: datetime,
) -> StatutoryBasis:
    row = StatutoryBasis(
        id=new_id(),
        subject_id=subject.person_id,
        family_id=subject.family_id,
        statute_reference=statute_reference,
        case_reference=case_reference,
        valid_from=valid_from,
        valid_until=valid_until,
        recorded_by=recorded_by,
        recorded_at=recorded_at,
        departments=[StatutoryBasisDepartment(department=d) for d in sorted(departments)],
        categories=[StatutoryBasisCategory(category=c) for c in sorted(categories)],
    )
    session.add(row)
    return row
