"""Break-the-glass (nødadgang) in GraphQL: `requestEmergencyAccess`, `breakGlassReviews`, `reviewBreakGlass`.

Thin: arguments -> hub.access.breakglass.service (which checks who may, validates, writes the grant and its
security-chain audit event in one transaction). After commit the family's coordinator is told on the
`familyUpdated` stream (kind EMERGENCY_ACCESS). Errors: FORBIDDEN (role), BAD_USER_INPUT (justification, note;
with `field`), CONFLICT (already has access, a grant in force, already reviewed), NOT_FOUND.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from hub.access.breakglass import service
from hub.access.breakglass.policy import ReasonCode, Verdict
from hub.access.breakglass.service import GrantView
from hub.pubsub import PubSub
from schema.context import Info
from schema.core import DepartmentType, RoleType
from schema.enum_values import described_enum
from schema.loaders import gate

EmergencyReasonType = described_enum(
    ReasonCode,
    name="EmergencyReason",
    description="Why a worker needs emergency access to a family they are not assigned to.",
    values={
        ReasonCode.CHILD_SAFETY: "A child's safety is at acute risk.",
        ReasonCode.ACUTE_HEALTH: "Acute risk to someone's life or health.",
        ReasonCode.VIOLENCE_OR_THREAT: "Violence, or a threat against a family member or staff.",
        ReasonCode.TEAM_UNREACHABLE: "The family's team cannot be reached and action cannot wait.",
        ReasonCode.OTHER_URGENT: "Another urgent situation, explained in the justification.",
    },
)
ReviewVerdictType = described_enum(
    Verdict,
    name="BreakGlassVerdict",
    description="An administrator's verdict on an emergency access.",
    values={
        Verdict.JUSTIFIED: "The emergency access was justified.",
        Verdict.NOT_JUSTIFIED: "It was not justified: a grant still in force is revoked at once.",
    },
)


@strawberry.type(description="A worker's emergency access (nødadgang) to one family, for a limited time.")
class EmergencyAccess:
    id: strawberry.ID = strawberry.field(
        description="The grant's id (in the audit log of every read under it)."
    )
    family_id: strawberry.ID = strawberry.field(description="The family (Family.id).")
    reason_code: EmergencyReasonType = strawberry.field(description="Why.")  # type: ignore[valid-type]
    departments: list[DepartmentType] = strawberry.field(  # type: ignore[valid-type]
        description="The departments the worker's role covers: no section beyond them is ever opened."
    )
    granted_at: datetime = strawberry.field(description="From when.")
    expires_at: datetime = strawberry.field(description="Until when (HUB_BREAK_GLASS_TTL_S after grantedAt).")
    revoked_at: datetime | None = strawberry.field(description="When an administrator revoked it, if so.")

    @classmethod
    def of(cls, view: GrantView) -> EmergencyAccess:
        g = view.grant
        return cls(
            id=strawberry.ID(g.id),
            family_id=strawberry.ID(g.family_id),
            reason_code=g.reason,
            departments=sorted(g.departments),
            granted_at=g.granted_at,
            expires_at=g.expires_at,
            revoked_at=g.revoked_at,
        )


@strawberry.type(
    description="An emergency access as administrators review it: who (by username, role, administration and "
    "unit), why, and the verdict. No family or department data."
)
class BreakGlassReview:
    access: EmergencyAccess = strawberry.field(description="The grant.")
    justification: str = strawberry.field(description="The worker's written justification.")
    worker_username: str = strawberry.field(description="The worker's username.")
    worker_role: RoleType = strawberry.field(description="The worker's role.")  # type: ignore[valid-type]
    worker_department: DepartmentType | None = strawberry.field(  # type: ignore[valid-type]
        description="The worker's administration."
    )
    worker_unit: str = strawberry.field(description="The worker's unit.")
    verdict: ReviewVerdictType | None = strawberry.field(  # type: ignore[valid-type]
        description="The verdict; null while it awaits review."
    )
    note: str | None = strawberry.field(description="The reviewer's note.")
    reviewed_at: datetime | None = strawberry.field(description="When it was reviewed.")

    @classmethod
    def of(cls, view: GrantView) -> BreakGlassReview:
        return cls(
            access=EmergencyAccess.of(view),
            justification=view.justification,
            worker_username=view.worker_username,
            worker_role=view.worker_role,
            worker_department=view.worker_department,
            worker_unit=view.worker_unit,
            verdict=view.review_verdict,
            note=view.review_note,
            reviewed_at=view.reviewed_at,
        )


@strawberry.type
class BreakGlassQuery:
    @strawberry.field(
        description="Administrators only: emergency accesses awaiting review, oldest first (or every one, "
        "newest first, with includeReviewed). FORBIDDEN for everyone else."
    )
    async def break_glass_reviews(
        self,
        info: Info,
        include_reviewed: Annotated[
            bool, strawberry.argument(description="Also list reviewed ones (newest first).")
        ] = False,
        first: Annotated[int, strawberry.argument(description="At most this many, 1-100.")] = 50,
    ) -> list[BreakGlassReview]:
        ctx = info.context
        principal = ctx.require_principal()
        views = await service.reviews(
            ctx.services.sessions, principal, include_reviewed=include_reviewed, first=first
        )
        return [BreakGlassReview.of(v) for v in views]


@strawberry.type
class BreakGlassMutation:
    @strawberry.mutation(
        description="Emergency access (nødadgang) to a family you are not assigned to: for workers whose role "
        "allows it (coordinator, core team, caseworker), for HUB_BREAK_GLASS_TTL_S, only to the departments "
        "your role covers, never to health details without a health basis; consent still decides every "
        "section. Every read under it is audited, the family's coordinator is told, and an administrator "
        "reviews it."
    )
    async def request_emergency_access(
        self,
        info: Info,
        family_id: Annotated[strawberry.ID, strawberry.argument(description="The family (Family.id).")],
        reason_code: Annotated[
            EmergencyReasonType,  # type: ignore[valid-type]
            strawberry.argument(description="Why."),
        ],
        justification: Annotated[
            str,
            strawberry.argument(
                description="Why, in writing: 20-2000 characters. Kept with the grant for the review, never "
                "copied into logs."
            ),
        ],
    ) -> EmergencyAccess:
        ctx = info.context
        ctx.require_principal()
        view = await service.request_access(
            ctx.services.sessions,
            gate(ctx),
            str(family_id),
            ReasonCode(reason_code).value,
            justification,
            now=ctx.now,
            ttl_s=ctx.services.settings.break_glass_ttl_s,
            request_id=ctx.request_id or None,
        )
        pubsub: PubSub | None = ctx.services.extras.get("pubsub")
        await service.announce(ctx.services.sessions, pubsub, view, ctx.now)
        return EmergencyAccess.of(view)

    @strawberry.mutation(
        description="Administrators only: record a verdict on an emergency access (once). NOT_JUSTIFIED "
        "revokes a grant still in force at once. Audited in the security log."
    )
    async def review_break_glass(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The grant (EmergencyAccess.id).")],
        verdict: Annotated[ReviewVerdictType, strawberry.argument(description="The verdict.")],  # type: ignore[valid-type]
        note: Annotated[str, strawberry.argument(description="The reviewer's note, 1-2000 characters.")],
    ) -> BreakGlassReview:
        ctx = info.context
        principal = ctx.require_principal()
        view = await service.review(
            ctx.services.sessions,
            principal,
            str(id),
            Verdict(verdict).value,
            note,
            now=ctx.now,
            request_id=ctx.request_id or None,
        )
        return BreakGlassReview.of(view)
