"""Read models of the consent registry handed to the GraphQL layer: plain values, never ORM rows.

Statuses are computed at the request's `now` by the policy (a consent expires without a job).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from hub.consent.facts import consent_facts, statutory_facts
from hub.consent.models import Consent, StatutoryBasis
from hub.consent.policy import Grantor, consent_status
from hub.consent.vocabulary import Channel, ConsentStatus, EffectiveState, Purpose
from hub.domain import DataCategory, Department


@dataclass(frozen=True, slots=True)
class ConsentView:
    id: str
    subject_id: str
    family_id: str
    grantors: tuple[Grantor, ...]
    departments: tuple[Department, ...]
    categories: tuple[DataCategory, ...]
    purpose: Purpose
    valid_from: date
    valid_until: date
    status: ConsentStatus  # at the request's time
    collected_via: Channel
    collected_by: str
    evidence_ref: str
    child_view: str | None
    recorded_at: datetime
    withdrawn_at: datetime | None
    withdrawn_by_user_id: str | None
    withdrawn_by_person_id: str | None
    withdrawal_channel: Channel | None
    superseded_by: str | None
    superseded_at: datetime | None
    withdrawal_reason: str | None = None  # FAMILY_CLOSED: ended by the hub when the family was closed


@dataclass(frozen=True, slots=True)
class StatutoryBasisView:
    id: str
    subject_id: str
    family_id: str
    statute_reference: str
    case_reference: str
    departments: tuple[Department, ...]
    categories: tuple[DataCategory, ...]
    valid_from: date
    valid_until: date
    in_force: bool
    recorded_by: str
    recorded_at: datetime
    ended_at: datetime | None = None
    ended_by: str | None = None
    end_reason: str | None = None


@dataclass(frozen=True, slots=True)
class DepartmentState:
    department: Department
    state: EffectiveState  # for the CASE category
    consent_id: str | None  # the consent in force, or the one that explains the state
    reason: str
    health: bool | None  # HEALTH consented too; None where the viewer may not know


@dataclass(frozen=True, slots=True)
class MemberConsentState:
    person_id: str
    departments: tuple[DepartmentState, ...]


@dataclass(frozen=True, slots=True)
class FamilyConsents:
    family_id: str
    consents: tuple[ConsentView, ...]
    members: tuple[MemberConsentState, ...]
    statutory_bases: tuple[StatutoryBasisView, ...] | None  # None: not shown to this viewer (citizens)


def consent_view(row: Consent, birth_date: date, now: datetime) -> ConsentView:
    facts = consent_facts(row)
    return ConsentView(
        id=row.id,
        subject_id=row.subject_id,
        family_id=row.family_id,
        grantors=facts.grantors,
        departments=tuple(sorted(facts.departments)),
        categories=tuple(sorted(facts.categories)),
        purpose=row.purpose,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        status=consent_status(facts, birth_date, now),
        collected_via=row.collected_via,
        collected_by=row.collected_by,
        evidence_ref=row.evidence_ref,
        child_view=row.child_view,
        recorded_at=row.recorded_at,
        withdrawn_at=row.withdrawn_at,
        withdrawn_by_user_id=row.withdrawn_by_user_id,
        withdrawn_by_person_id=row.withdrawn_by_person_id,
        withdrawal_channel=row.withdrawal_channel,
        withdrawal_reason=row.withdrawal_reason,
        superseded_by=row.superseded_by,
        superseded_at=row.superseded_at,
    )


def statutory_view(row: StatutoryBasis, today: date) -> StatutoryBasisView:
    facts = statutory_facts(row)
    return StatutoryBasisView(
        id=row.id,
        subject_id=row.subject_id,
        family_id=row.family_id,
        statute_reference=row.statute_reference,
        case_reference=row.case_reference,
        departments=tuple(sorted(facts.departments)),
        categories=tuple(sorted(facts.categories)),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        in_force=row.valid_from <= today <= row.valid_until and row.ended_at is None,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        ended_at=row.ended_at,
        ended_by=row.ended_by,
        end_reason=row.end_reason,
    )
