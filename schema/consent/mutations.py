"""Consent mutations: record, withdraw and supersede a consent; record a statutory basis.

Thin: input → hub.consent service (which checks who may, validates, writes the audit event in the same
transaction, and on withdrawal purges cached data). Errors leave as BAD_USER_INPUT (with `field`), FORBIDDEN,
NOT_FOUND or CONFLICT.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from hub.consent.rules import ConsentRequest
from hub.consent.service import StatutoryRequest
from hub.consent.views import ConsentView, StatutoryBasisView
from hub.consent.vocabulary import Channel, Purpose
from hub.domain import DataCategory, Department
from hub.ingestion.feed import announce
from hub.pubsub import PubSub
from schema.consent.queries import consent_service
from schema.consent.types import (
    Consent,
    ConsentChannelType,
    ConsentPurposeType,
    DataCategoryType,
    StatutoryBasis,
)
from schema.context import Info
from schema.core import DepartmentType


async def _tell_the_team(info: Info, view: ConsentView | StatutoryBasisView, what: str) -> None:
    """After commit: the family's subscribers (the makkerpar and the coordinator) hear of it at once.

    The message names the member by id and the departments by code, nothing else; each delivery is re-decided
    against the subscriber's access (hub/ingestion/live.py).
    """
    pubsub: PubSub | None = info.context.services.extras.get("pubsub")
    if pubsub is None:
        return
    departments = ", ".join(sorted(d.value for d in view.departments))
    noun = "Statutory basis" if isinstance(view, StatutoryBasisView) else "Consent"
    await announce(
        info.context.services.sessions,
        pubsub,
        [
            {
                "type": "CONSENT_CHANGE",
                "familyId": view.family_id,
                "personId": view.subject_id,
                "summary": f"{noun} {what} ({departments})",
                "occurredAt": info.context.now.isoformat(),
            }
        ],
    )


@strawberry.input(description="A consent as given by the citizen (or, under 15, by the custody holders).")
class RecordConsentInput:
    subject_id: strawberry.ID = strawberry.field(description="Whose data (familyMember id).")
    grantor_ids: list[strawberry.ID] = strawberry.field(
        description="Who consents: the person from 15; under 15 every current custody holder (both under "
        "joint custody)."
    )
    departments: list[DepartmentType] = strawberry.field(description="Source departments covered.")  # type: ignore[valid-type]
    categories: list[DataCategoryType] = strawberry.field(  # type: ignore[valid-type]
        description="Data categories covered; HEALTH only when named explicitly."
    )
    collected_via: ConsentChannelType = strawberry.field(description="How it was collected.")  # type: ignore[valid-type]
    evidence_ref: str = strawberry.field(description="Journal or document reference of the evidence.")
    purpose: ConsentPurposeType = strawberry.field(  # type: ignore[valid-type]
        default=Purpose.HFI_COORDINATION, description="The purpose."
    )
    valid_from: date | None = strawberry.field(
        default=None, description="First day in force (default today)."
    )
    valid_until: date | None = strawberry.field(
        default=None,
        description="Last day in force (default 12 months; at most 24; capped before 18 for parents).",
    )
    child_view: str | None = strawberry.field(
        default=None, description="The child's own view; required for a child aged 10–14."
    )

    def request(self) -> ConsentRequest:
        return ConsentRequest(
            subject_id=str(self.subject_id),
            grantor_ids=tuple(str(g) for g in self.grantor_ids),
            departments=frozenset(Department(d) for d in self.departments),
            categories=frozenset(DataCategory(c) for c in self.categories),
            collected_via=Channel(self.collected_via),
            evidence_ref=self.evidence_ref,
            purpose=Purpose(self.purpose),
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            child_view=self.child_view,
        )


@strawberry.input(
    description="A statutory basis for sharing (e.g. a report of concern), recorded by a worker."
)
class RecordStatutoryBasisInput:
    subject_id: strawberry.ID = strawberry.field(description="Whose data (familyMember id).")
    statute_reference: str = strawberry.field(description="The statute, e.g. 'Barnets lov § 133'.")
    case_reference: str = strawberry.field(description="The journal reference it was decided under.")
    departments: list[DepartmentType] = strawberry.field(description="Source departments covered.")  # type: ignore[valid-type]
    categories: list[DataCategoryType] = strawberry.field(  # type: ignore[valid-type]
        default_factory=lambda: [DataCategory.CASE], description="Data categories covered (default CASE)."
    )
    valid_from: date | None = strawberry.field(
        default=None, description="First day in force (default today)."
    )
    valid_until: date | None = strawberry.field(
        default=None, description="Last day in force (default 12 months)."
    )

    def request(self) -> StatutoryRequest:
        return StatutoryRequest(
            subject_id=str(self.subject_id),
            statute_reference=self.statute_reference,
            case_reference=self.case_reference,
            departments=frozenset(Department(d) for d in self.departments),
            categories=frozenset(DataCategory(c) for c in self.categories),
            valid_from=self.valid_from,
            valid_until=self.valid_until,
        )


@strawberry.input(
    description="Ending a statutory basis before its period ends: why (who and when are the caller and now)."
)
class EndStatutoryBasisInput:
    id: strawberry.ID = strawberry.field(description="The statutory basis to end (StatutoryBasis.id).")
    reason: str = strawberry.field(
        description="Why it ends early, e.g. 'Sagen er afsluttet'; 1-1000 characters. Never personal data."
    )


@strawberry.type
class ConsentMutation:
    @strawberry.mutation(
        description="Record a consent. The family's coordinator or core team only. BAD_USER_INPUT (with "
        "`field`) for a grantor without custody, a missing second custody holder, a parent naming HEALTH "
        "for a 15+ year-old, a period ending before it starts, an empty scope, ..."
    )
    async def record_consent(
        self,
        info: Info,
        input: Annotated[RecordConsentInput, strawberry.argument(description="The consent as given.")],
    ) -> Consent:
        principal = info.context.require_principal()
        view = await consent_service(info).record_consent(
            principal, input.request(), request_id=info.context.request_id
        )
        await _tell_the_team(info, view, "recorded")
        return Consent.of(view)

    @strawberry.mutation(
        description="Withdraw a consent from now on (not backwards): the hub stops fetching, purges cached "
        "data of that member from those departments. The family's team records a withdrawal received by any "
        "channel; a citizen may withdraw digitally a consent they granted or that concerns them (from 15)."
    )
    async def withdraw_consent(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The consent to withdraw (Consent.id).")
        ],
        channel: Annotated[
            ConsentChannelType,  # type: ignore[valid-type]
            strawberry.argument(description="How the withdrawal was received."),
        ],
        withdrawn_by_person_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="The family member who asked to withdraw it (familyMember id): the person "
                "themself or a custody holder. Ignored for a citizen, who is always the one withdrawing; "
                "null when the team does not record who asked."
            ),
        ] = None,
    ) -> Consent:
        principal = info.context.require_principal()
        view = await consent_service(info).withdraw_consent(
            principal,
            str(id),
            Channel(channel),
            withdrawn_by_person_id=str(withdrawn_by_person_id) if withdrawn_by_person_id else None,
            request_id=info.context.request_id,
        )
        await _tell_the_team(info, view, "withdrawn")
        return Consent.of(view)

    @strawberry.mutation(
        description="Replace an active consent by a new one for the same person (e.g. re-consent at review); "
        "departments the new one drops are purged as on withdrawal. CONFLICT if the consent is not active."
    )
    async def supersede_consent(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The active consent to replace.")],
        input: Annotated[
            RecordConsentInput,
            strawberry.argument(description="The new consent; its subject must be the same person."),
        ],
    ) -> Consent:
        principal = info.context.require_principal()
        view = await consent_service(info).supersede_consent(
            principal, str(id), input.request(), request_id=info.context.request_id
        )
        await _tell_the_team(info, view, "superseded")
        return Consent.of(view)

    @strawberry.mutation(
        description="Record a statutory basis (not consent-based; the citizen cannot withdraw it; visible to "
        "workers only). The family's coordinator or core team only."
    )
    async def record_statutory_basis(
        self,
        info: Info,
        input: Annotated[
            RecordStatutoryBasisInput, strawberry.argument(description="The statutory basis to record.")
        ],
    ) -> StatutoryBasis:
        principal = info.context.require_principal()
        view = await consent_service(info).record_statutory_basis(
            principal, input.request(), request_id=info.context.request_id
        )
        return StatutoryBasis.of(view)

    @strawberry.mutation(
        description="End a statutory basis early (the duty ended, the case closed): it allows nothing from now "
        "on; who, when and why are recorded (endedBy, endedAt, endReason) and audited, the member's cached "
        "data from its departments is purged. The family's coordinator or core team only; a basis the caller "
        "may not see is NOT_FOUND; one already ended or expired is CONFLICT; BAD_USER_INPUT on `reason`."
    )
    async def end_statutory_basis(
        self,
        info: Info,
        input: Annotated[
            EndStatutoryBasisInput, strawberry.argument(description="The statutory basis to end, and why.")
        ],
    ) -> StatutoryBasis:
        principal = info.context.require_principal()
        view = await consent_service(info).end_statutory_basis(
            principal, str(input.id), input.reason, request_id=info.context.request_id
        )
        await _tell_the_team(info, view, "ended")
        return StatutoryBasis.of(view)
