"""Enrolment mutations (coordinator only): refer, assess eligibility, enrol (or waitlist), close a family.

Thin: principal -> hub.enrolment service. `enrolFamily` past the cap (or with families ahead in referral
order) is refused with CONFLICT, and the family is on the waitlist when the error is returned: the
extensions say `waitlisted: true`, `reason` (PROGRAMME_FULL or FAMILIES_AHEAD), `waitlistPosition`,
`capacity` and `activeFamilies`. Other errors: FORBIDDEN (not a coordinator), NOT_FOUND (not the
coordinator's family), CONFLICT (no eligible assessment, already enrolled or closed, stale version),
BAD_USER_INPUT (a closing without a reason).
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from hub.domain import FamilyStatus
from hub.enrolment import eligibility
from hub.enrolment.views import EnrolResult, WaitReason
from hub.errors import Conflict, Forbidden, NotFound
from hub.family import repository as family_repository
from hub.outcomes.handover import HandOver
from hub.outcomes.snapshots import Occasion
from schema.audit.reads import section_audit
from schema.context import Info
from schema.core import DepartmentType
from schema.enrolment.context import actor, service, snapshot_audit
from schema.enrolment.referral import ReferFamilyInput, refer
from schema.enrolment.types import EligibilityAssessment, Enrolment, FamilyClosure, ProgrammeCapacity
from schema.family.types import Family
from schema.loaders import gate
from schema.outcomes.types import HandOverInput


@strawberry.input(description="Close a family: why, and to which department it is handed over (if any).")
class CloseFamilyInput:
    family_id: strawberry.ID = strawberry.field(description="The family to close (Family.id).")
    reason: str = strawberry.field(description="Why the family leaves the programme (journalised text).")
    handed_over_to: DepartmentType | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The department that takes over (ordinary services), if any."
    )
    expected_version: int | None = strawberry.field(default=None, description="The family version you saw.")
    hand_over: HandOverInput | None = strawberry.field(
        default=None,
        description="The hand-over record (receiving unit, summary, continuing goals, when the family was told).",
    )


@strawberry.type
class EnrolmentMutation:
    @strawberry.mutation(
        description="Register a referred family (coordinator only): its members, custody, and the caller as "
        "its coordinator, in one step. A known person (by CPR number) is reused; one who is a current member "
        "of another family is a CONFLICT."
    )
    async def refer_family(
        self,
        info: Info,
        input: Annotated[
            ReferFamilyInput, strawberry.argument(description="The referred family and its members.")
        ],
    ) -> Family:
        return await refer(info, input)

    @strawberry.mutation(
        description="Check a family against the programme's criteria, asking the departments live; records "
        "the answer with its evidence. A department that is down makes the answer UNKNOWN, never NOT_ELIGIBLE."
    )
    async def assess_eligibility(
        self,
        info: Info,
        family_id: Annotated[
            strawberry.ID, strawberry.argument(description="The family to assess (Family.id).")
        ],
    ) -> EligibilityAssessment:
        svc = service(info)
        view = await eligibility.assess(
            svc.sessions,
            svc.vault,
            svc.sources,
            actor(info),
            str(family_id),
            gate=gate(info.context),
            audit=section_audit(info.context),
        )
        return EligibilityAssessment.of(view)

    @strawberry.mutation(
        description="Give an eligible family a place (or re-open a closed one). Past the cap, or with "
        "families "
        "ahead in referral order, it is refused with CONFLICT and the family is put on the waitlist."
    )
    async def enrol_family(
        self,
        info: Info,
        family_id: Annotated[
            strawberry.ID, strawberry.argument(description="The family to enrol (Family.id).")
        ],
        expected_version: Annotated[
            int | None,
            strawberry.argument(
                description="The version of the family's enrolment record you saw; a stale one is a "
                "CONFLICT. "
                "Null skips the check."
            ),
        ] = None,
    ) -> Enrolment:
        outcome = await service(info).enrol(
            actor(info),
            str(family_id),
            gate=gate(info.context),
            expected_version=expected_version,
            on_read=snapshot_audit(info.context),
        )
        capacity = outcome.capacity
        if outcome.result is not EnrolResult.WAITLISTED:
            await _outcome_snapshot(info, str(family_id), Occasion.ENROLMENT)
        if outcome.result is EnrolResult.WAITLISTED:
            full = outcome.wait_reason is None or outcome.wait_reason is WaitReason.PROGRAMME_FULL
            why = "every place is taken" if full else "the free places go to families referred earlier"
            raise Conflict(
                f"no place for this family ({capacity.active} of {capacity.capacity} places taken; {why}); "
                f"it is on the waitlist at position {outcome.waitlist_position}",
                waitlisted=True,
                reason=(outcome.wait_reason or WaitReason.PROGRAMME_FULL).value,
                waitlistPosition=outcome.waitlist_position,
                capacity=capacity.capacity,
                activeFamilies=capacity.active,
            )
        return Enrolment(
            family=Family(info_=outcome.family),
            capacity=ProgrammeCapacity.of(capacity),
            snapshot_members=outcome.snapshot_members,
        )

    @strawberry.mutation(
        description="Close a family (or take it off the waitlist): records reason and hand-over, frees the "
        "place (offered to the first eligible waitlisted family), keeps the history. Closing ends the sharing: "
        "the team's assignments and the HFI consents end, upcoming meetings are cancelled, the plan becomes "
        "read-only; re-opening asks for consent again."
    )
    async def close_family(
        self,
        info: Info,
        input: Annotated[
            CloseFamilyInput, strawberry.argument(description="The family, the reason and the hand-over.")
        ],
    ) -> FamilyClosure:
        await _outcome_snapshot(info, str(input.family_id), Occasion.CLOSURE)
        closed = await service(info).close(
            actor(info),
            str(input.family_id),
            reason=input.reason,
            handed_over_to=input.handed_over_to,
            gate=gate(info.context),
            expected_version=input.expected_version,
            hand_over=_hand_over(input.hand_over),
        )
        family = closed.family
        return FamilyClosure(
            family=Family(info_=family),
            closed_on=family.closed_on or closed.capacity.on,
            reason=family.close_reason or "",
            handed_over_to=family.handed_over_to,
            capacity=ProgrammeCapacity.of(closed.capacity),
            place_offered_to=Family(info_=closed.place_offered_to) if closed.place_offered_to else None,
        )


def _hand_over(given: HandOverInput | None) -> HandOver | None:
    if given is None:
        return None
    return HandOver(
        receiving_unit=given.receiving_unit,
        summary=given.summary,
        continuing_goal_ids=tuple(str(g) for g in given.continuing_goal_ids),
        family_told_on=given.family_told_on,
    )


async def _outcome_snapshot(info: Info, family_id: str, occasion: Occasion) -> None:
    """An outcome snapshot of an enrolled family (ENROLMENT just after enrolling; CLOSURE just before closing,
    while the team still shares: closing ends the consents). Never fails the enrolment or the closure."""
    from schema.outcomes.fields import take_snapshot

    async with info.context.services.sessions() as session:  # as committed now, not the request's read model
        found = await family_repository.get_families(session, [family_id])
    if family_id not in found or found[family_id].status is not FamilyStatus.ACTIVE:
        return
    try:
        await take_snapshot(info, family_id, occasion)
    except (NotFound, Forbidden, Conflict):
        return  # not the caller's family, or no live team: enrolling or closing answers for itself
