"""GraphQL types of the consent registry. Thin: every value comes from hub.consent views."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from hub.consent.policy import Grantor
from hub.consent.views import (
    ConsentView,
    DepartmentState,
    FamilyConsents,
    MemberConsentState,
    StatutoryBasisView,
)
from hub.consent.vocabulary import Channel, ConsentStatus, EffectiveState, GrantorCapacity, Purpose
from hub.domain import DataCategory
from schema.core import DepartmentType
from schema.enum_values import described_enum

DataCategoryType = described_enum(
    DataCategory,
    name="DataCategory",
    description="A kind of data: CASE (that a service exists, dates, status, contact) or HEALTH (GDPR "
    "art. 9; must always be named explicitly).",
    values={
        DataCategory.CASE: "Ordinary case data: that a service exists, its dates, status and contact person.",
        DataCategory.HEALTH: "Health data (GDPR art. 9): conditions, psychologist, health visitor, "
        "screenings. "
        "Covered only when named explicitly.",
    },
)
GrantorCapacityType = described_enum(
    GrantorCapacity,
    description="SELF (the person, from 15) or CUSTODY_HOLDER (a holder of custody, for a child under 15).",
    values={
        GrantorCapacity.SELF: "The person consents to their own data (from age 15).",
        GrantorCapacity.CUSTODY_HOLDER: "A holder of custody (forældremyndighed) consents for a child under "
        "15.",
    },
)
ConsentPurposeType = described_enum(
    Purpose,
    name="ConsentPurpose",
    description="Why data may be shared under a consent.",
    values={
        Purpose.HFI_COORDINATION: "Lifts confidentiality towards the family's core team (its roles, never "
        "named "
        "staff) for coordinating the family's course.",
    },
)
ConsentChannelType = described_enum(
    Channel,
    name="ConsentChannel",
    description="How a consent was collected or a withdrawal received: DIGITAL, PAPER, VERBAL_JOURNALISED.",
    values={
        Channel.DIGITAL: "Signed digitally (MitID) or through the citizen's own channel.",
        Channel.PAPER: "A signed paper form, scanned into the journal.",
        Channel.VERBAL_JOURNALISED: "Given orally and written into the journal by the worker.",
    },
)
ConsentStatusType = described_enum(
    ConsentStatus,
    description="ACTIVE, WITHDRAWN, EXPIRED (computed from the period, and at 18 for a parents' consent), "
    "SUPERSEDED.",
    values={
        ConsentStatus.ACTIVE: "In force (or, if validFrom is still ahead, about to be).",
        ConsentStatus.WITHDRAWN: "Withdrawn; it stopped lifting confidentiality from the moment of "
        "withdrawal.",
        ConsentStatus.EXPIRED: "Its period has ended, or the child turned 18 (a custody holders' consent).",
        ConsentStatus.SUPERSEDED: "Replaced by a newer consent for the same person.",
    },
)
ConsentStateType = described_enum(
    EffectiveState,
    name="ConsentState",
    description="What lifts confidentiality for a member's data from one department: ACTIVE (a consent), "
    "STATUTORY (a statutory basis; shown to workers only), WITHDRAWN, EXPIRED, NONE.",
    values={
        EffectiveState.ACTIVE: "An active consent covers it.",
        EffectiveState.STATUTORY: "No consent, but a statutory basis covers it (shown to workers only).",
        EffectiveState.WITHDRAWN: "The last consent covering it was withdrawn.",
        EffectiveState.EXPIRED: "The last consent covering it expired (by date, or at 18).",
        EffectiveState.NONE: "No consent covers it: never given, or replaced by one that leaves it out.",
    },
)


@strawberry.type(description="Who granted a consent, and in which capacity.")
class ConsentGrantor:
    person_id: strawberry.ID = strawberry.field(description="The grantor (familyMember id).")
    capacity: GrantorCapacityType = strawberry.field(description="SELF or CUSTODY_HOLDER.")  # type: ignore[valid-type]

    @classmethod
    def of(cls, grantor: Grantor) -> ConsentGrantor:
        return cls(person_id=strawberry.ID(grantor.person_id), capacity=grantor.capacity)


@strawberry.type(
    description="A family member's express, specific, withdrawable consent (forvaltningsloven § 28)."
)
class Consent:
    id: strawberry.ID = strawberry.field(description="The consent's id.")
    subject_id: strawberry.ID = strawberry.field(description="Whose data (familyMember id).")
    family_id: strawberry.ID = strawberry.field(description="The family whose core team it is towards.")
    grantors: list[ConsentGrantor] = strawberry.field(description="Who granted it.")
    departments: list[DepartmentType] = strawberry.field(description="The source departments it covers.")  # type: ignore[valid-type]
    categories: list[DataCategoryType] = strawberry.field(description="The data categories it covers.")  # type: ignore[valid-type]
    purpose: ConsentPurposeType = strawberry.field(description="The purpose.")  # type: ignore[valid-type]
    valid_from: date = strawberry.field(description="First day in force.")
    valid_until: date = strawberry.field(
        description="Last day in force (capped at the day before 18 for parents)."
    )
    status: ConsentStatusType = strawberry.field(description="The status now.")  # type: ignore[valid-type]
    collected_via: ConsentChannelType = strawberry.field(description="How it was collected.")  # type: ignore[valid-type]
    collected_by: strawberry.ID = strawberry.field(description="The worker who recorded it (user id).")
    evidence_ref: str = strawberry.field(description="Journal or document reference of the evidence.")
    child_view: str | None = strawberry.field(
        description="The child's own view (children 10–14), as journalised."
    )
    recorded_at: datetime = strawberry.field(description="When it was recorded in the hub.")
    withdrawn_at: datetime | None = strawberry.field(
        description="When it was withdrawn (works from then on)."
    )
    withdrawn_by_person_id: strawberry.ID | None = strawberry.field(description="Who asked to withdraw it.")
    withdrawal_channel: ConsentChannelType | None = strawberry.field(  # type: ignore[valid-type]
        description="How the withdrawal came in."
    )
    superseded_by: strawberry.ID | None = strawberry.field(description="The consent that replaced it.")
    superseded_at: datetime | None = strawberry.field(description="When it was replaced.")
    withdrawal_reason: str | None = strawberry.field(
        default=None,
        description="Why the hub ended it without the citizen asking: FAMILY_CLOSED when the family's course "
        "was closed (consent is asked again if it is re-opened); null otherwise.",
    )

    @classmethod
    def of(cls, view: ConsentView) -> Consent:
        return cls(
            id=strawberry.ID(view.id),
            subject_id=strawberry.ID(view.subject_id),
            family_id=strawberry.ID(view.family_id),
            grantors=[ConsentGrantor.of(g) for g in view.grantors],
            departments=list(view.departments),
            categories=list(view.categories),
            purpose=view.purpose,
            valid_from=view.valid_from,
            valid_until=view.valid_until,
            status=view.status,
            collected_via=view.collected_via,
            collected_by=strawberry.ID(view.collected_by),
            evidence_ref=view.evidence_ref,
            child_view=view.child_view,
            recorded_at=view.recorded_at,
            withdrawn_at=view.withdrawn_at,
            withdrawn_by_person_id=_id(view.withdrawn_by_person_id),
            withdrawal_channel=view.withdrawal_channel,
            superseded_by=_id(view.superseded_by),
            superseded_at=view.superseded_at,
            withdrawal_reason=view.withdrawal_reason,
        )


@strawberry.type(
    description="A legal duty or power to share data (e.g. a report of concern); not withdrawable."
)
class StatutoryBasis:
    id: strawberry.ID = strawberry.field(description="The statutory basis's id.")
    subject_id: strawberry.ID = strawberry.field(description="Whose data (familyMember id).")
    statute_reference: str = strawberry.field(description="The statute, e.g. 'Barnets lov § 133'.")
    case_reference: str = strawberry.field(description="The journal reference it was decided under.")
    departments: list[DepartmentType] = strawberry.field(description="The source departments it covers.")  # type: ignore[valid-type]
    categories: list[DataCategoryType] = strawberry.field(description="The data categories it covers.")  # type: ignore[valid-type]
    valid_from: date = strawberry.field(description="First day in force.")
    valid_until: date = strawberry.field(description="Last day in force.")
    in_force: bool = strawberry.field(description="Whether it is in force today.")
    recorded_by: strawberry.ID = strawberry.field(description="The worker who recorded it (user id).")
    recorded_at: datetime = strawberry.field(description="When it was recorded.")
    ended_at: datetime | None = strawberry.field(
        default=None,
        description="When it was ended early (endStatutoryBasis); null while it runs its period.",
    )
    ended_by: strawberry.ID | None = strawberry.field(
        default=None, description="The worker who ended it early (user id)."
    )
    end_reason: str | None = strawberry.field(default=None, description="Why it was ended early.")

    @classmethod
    def of(cls, view: StatutoryBasisView) -> StatutoryBasis:
        return cls(
            id=strawberry.ID(view.id),
            subject_id=strawberry.ID(view.subject_id),
            statute_reference=view.statute_reference,
            case_reference=view.case_reference,
            departments=list(view.departments),
            categories=list(view.categories),
            valid_from=view.valid_from,
            valid_until=view.valid_until,
            in_force=view.in_force,
            recorded_by=strawberry.ID(view.recorded_by),
            recorded_at=view.recorded_at,
            ended_at=view.ended_at,
            ended_by=strawberry.ID(view.ended_by) if view.ended_by else None,
            end_reason=view.end_reason,
        )


@strawberry.type(description="What lifts confidentiality for one member's data from one department, now.")
class DepartmentConsentState:
    department: DepartmentType = strawberry.field(description="The source department.")  # type: ignore[valid-type]
    state: ConsentStateType = strawberry.field(description="The state for case data.")  # type: ignore[valid-type]
    consent_id: strawberry.ID | None = strawberry.field(
        description="The consent in force, or the one that explains the state (withdrawn, expired)."
    )
    reason: str = strawberry.field(description="Machine-readable reason, e.g. consent, no_consent.")
    health: bool | None = strawberry.field(
        description="Whether HEALTH data is covered too; null where the viewer may not know (a 15+ child's)."
    )

    @classmethod
    def of(cls, state: DepartmentState) -> DepartmentConsentState:
        return cls(
            department=state.department,
            state=state.state,
            consent_id=_id(state.consent_id),
            reason=state.reason,
            health=state.health,
        )


@strawberry.type(description="One family member's consent state per department.")
class MemberConsents:
    person_id: strawberry.ID = strawberry.field(description="The member (familyMember id).")
    departments: list[DepartmentConsentState] = strawberry.field(description="One entry per department.")

    @classmethod
    def of(cls, member: MemberConsentState) -> MemberConsents:
        return cls(
            person_id=strawberry.ID(member.person_id),
            departments=[DepartmentConsentState.of(d) for d in member.departments],
        )


@strawberry.type(description="A family's consents and what they lift, member by member.")
class FamilyConsentOverview:
    family_id: strawberry.ID = strawberry.field(description="The family.")
    consents: list[Consent] = strawberry.field(description="The consents (all states), oldest first.")
    members: list[MemberConsents] = strawberry.field(description="Each visible member × department state.")
    statutory_bases: list[StatutoryBasis] | None = strawberry.field(
        description="Statutory bases; null for citizens (shown to workers only)."
    )

    @classmethod
    def of(cls, view: FamilyConsents) -> FamilyConsentOverview:
        return cls(
            family_id=strawberry.ID(view.family_id),
            consents=[Consent.of(c) for c in view.consents],
            members=[MemberConsents.of(m) for m in view.members],
            statutory_bases=None
            if view.statutory_bases is None
            else [StatutoryBasis.of(b) for b in view.statutory_bases],
        )


def _id(value: str | None) -> strawberry.ID | None:
    return strawberry.ID(value) if value is not None else None
