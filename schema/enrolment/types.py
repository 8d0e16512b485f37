"""GraphQL types of the programme's intake: eligibility assessments, capacity, the waitlist, closures."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from hub.enrolment.models import Outcome
from hub.enrolment.rules import Answer, Criterion, CriterionResult
from hub.enrolment.views import AssessmentView, CapacityView, EnrolmentEventView, WaitlistEntryView
from schema.core import DepartmentType
from schema.enum_values import described_enum
from schema.family.types import DistrictType, Family, FamilyStatusType

EligibilityOutcomeType = described_enum(
    Outcome,
    name="EligibilityOutcome",
    description="ELIGIBLE, NOT_ELIGIBLE, or UNKNOWN (a department unasked).",
    values={
        Outcome.ELIGIBLE: "Every criterion is met: the family may be enrolled.",
        Outcome.NOT_ELIGIBLE: "A criterion is clearly not met.",
        Outcome.UNKNOWN: "A department could not be asked (down, or no consent or other basis): never read "
        "as "
        "NOT_ELIGIBLE; assess again later.",
    },
)
CriterionAnswerType = described_enum(
    Answer,
    name="CriterionAnswer",
    description="YES, NO or UNKNOWN.",
    values={
        Answer.YES: "The criterion is met.",
        Answer.NO: "The criterion is not met.",
        Answer.UNKNOWN: "Not enough answers to decide (see the criterion's unavailable and without-basis "
        "departments).",
    },
)
EligibilityCriterionKindType = described_enum(
    Criterion,
    name="EligibilityCriterionKind",
    description="HOUSING_AREA: lives in a named housing area of the programme's districts; "
    "OPEN_CASES: open cases in at least two departments.",
    values={
        Criterion.HOUSING_AREA: "The family lives in one of the programme's named housing areas in Nørrebro "
        "or "
        "Bispebjerg.",
        Criterion.OPEN_CASES: "Members of the family have open cases in at least two departments.",
    },
)


@strawberry.type(description="One criterion of an eligibility assessment, with its evidence.")
class EligibilityCriterion:
    criterion: EligibilityCriterionKindType = strawberry.field(description="Which criterion this is.")  # type: ignore[valid-type]
    answer: CriterionAnswerType = strawberry.field(description="Whether the family meets it.")  # type: ignore[valid-type]
    explanation: str = strawberry.field(
        description="A plain-language explanation of the answer, for the coordinator."
    )
    district: DistrictType | None = strawberry.field(description="HOUSING_AREA: the family's district.")  # type: ignore[valid-type]
    housing_area: str | None = strawberry.field(description="HOUSING_AREA: where the family lives.")
    named_area: bool | None = strawberry.field(
        description="HOUSING_AREA: one of the programme's named areas."
    )
    departments_with_open_cases: list[DepartmentType] = strawberry.field(  # type: ignore[valid-type]
        description="OPEN_CASES: departments where a member asked about has an open case."
    )
    departments_without_open_cases: list[DepartmentType] = strawberry.field(  # type: ignore[valid-type]
        description="OPEN_CASES: departments that answered for every member: no open case."
    )
    departments_unavailable: list[DepartmentType] = strawberry.field(  # type: ignore[valid-type]
        description="OPEN_CASES: departments that did not answer (the reason an answer can be UNKNOWN)."
    )
    departments_without_basis: list[DepartmentType] = strawberry.field(  # type: ignore[valid-type]
        description="OPEN_CASES: departments about which not every member could be asked (no consent)."
    )
    members_assessed: int = strawberry.field(description="Members asked about in at least one department.")
    members_without_basis: int = strawberry.field(
        description="Members with no basis to be asked about at all."
    )

    @classmethod
    def of(cls, c: CriterionResult) -> EligibilityCriterion:
        return cls(
            criterion=c.criterion,
            answer=c.answer,
            explanation=c.explanation,
            district=c.district,
            housing_area=c.housing_area,
            named_area=c.named_area,
            departments_with_open_cases=list(c.departments_with_open_cases),
            departments_without_open_cases=list(c.departments_without_open_cases),
            departments_unavailable=list(c.departments_unavailable),
            departments_without_basis=list(c.departments_without_basis),
            members_assessed=c.members_assessed,
            members_without_basis=c.members_without_basis,
        )


@strawberry.type(description="The coordinator's eligibility check of a family, as recorded.")
class EligibilityAssessment:
    id: strawberry.ID = strawberry.field(description="The assessment's id.")
    family_id: strawberry.ID = strawberry.field(description="The family assessed (Family.id).")
    assessed_at: datetime = strawberry.field(
        description="When the departments were asked and the answer recorded."
    )
    outcome: EligibilityOutcomeType = strawberry.field(  # type: ignore[valid-type]
        description="The overall answer; only ELIGIBLE lets the family be enrolled."
    )
    criteria: list[EligibilityCriterion] = strawberry.field(
        description="Each criterion with its answer and evidence."
    )

    @classmethod
    def of(cls, view: AssessmentView) -> EligibilityAssessment:
        return cls(
            id=strawberry.ID(view.id),
            family_id=strawberry.ID(view.family_id),
            assessed_at=view.assessed_at,
            outcome=view.outcome,
            criteria=[EligibilityCriterion.of(c) for c in view.criteria],
        )


@strawberry.type(description="Places in the programme today: the cap of the programme year, taken, waiting.")
class ProgrammeCapacity:
    on: date = strawberry.field(description="The day the figures are for (today).")
    programme_year: int = strawberry.field(description="1 in the first year from the programme's start.")
    capacity: int = strawberry.field(description="The cap of active families this programme year.")
    active_families: int = strawberry.field(description="Families enrolled now (status ACTIVE).")
    waitlisted_families: int = strawberry.field(
        description="Families waiting for a place (status WAITLISTED)."
    )
    free_places: int = strawberry.field(
        description="Places free now: capacity minus active families (never below 0)."
    )

    @classmethod
    def of(cls, view: CapacityView) -> ProgrammeCapacity:
        return cls(
            on=view.on,
            programme_year=view.programme_year,
            capacity=view.capacity,
            active_families=view.active,
            waitlisted_families=view.waitlisted,
            free_places=view.free,
        )


@strawberry.type(description="A family that took a place, with the programme's capacity after it.")
class Enrolment:
    family: Family = strawberry.field(description="The enrolled family (status ACTIVE).")
    capacity: ProgrammeCapacity = strawberry.field(
        description="The programme's capacity after the enrolment."
    )
    snapshot_members: int = strawberry.field(
        description="Members whose outcome indicators were stored as the enrolment snapshot."
    )


@strawberry.type(description="A closed family: reason and hand-over recorded, the place freed.")
class FamilyClosure:
    family: Family = strawberry.field(description="The closed family (status CLOSED).")
    closed_on: date = strawberry.field(description="The day the family was closed.")
    reason: str = strawberry.field(description="Why the family left the programme (journalised text).")
    handed_over_to: DepartmentType | None = strawberry.field(  # type: ignore[valid-type]
        description="The administration that took over (ordinary services); null if none."
    )
    capacity: ProgrammeCapacity = strawberry.field(description="The programme's capacity after the closure.")
    place_offered_to: Family | None = strawberry.field(
        default=None,
        description="The first eligible waitlisted family, when the closure left a place free for it: "
        "enrolFamily takes the place in one step. Null if no family waits (or none the caller may see).",
    )


@strawberry.type(
    description="A family waiting for a place: eligible families in referral order, then those re-assessed "
    "not eligible."
)
class WaitlistEntry:
    position: int = strawberry.field(
        description="1 is next; counts every waiting family (those not eligible come after all others)."
    )
    family: Family = strawberry.field(description="The waiting family.")
    waitlisted_on: date | None = strawberry.field(
        description="The day the family was (last) put on the waitlist; null if not recorded."
    )
    holds_place: bool = strawberry.field(
        default=True,
        description="False when the family's latest eligibility assessment is NOT_ELIGIBLE: it no longer "
        "holds its place in the queue (it blocks nobody) until a new assessment finds it eligible.",
    )
    place_offered: bool = strawberry.field(
        default=False,
        description="A place is free for this family now: enrolFamily takes it in one step.",
    )

    @classmethod
    def of(cls, view: WaitlistEntryView) -> WaitlistEntry:
        return cls(
            position=view.position,
            family=Family(info_=view.family),
            waitlisted_on=view.waitlisted_on,
            holds_place=view.holds_place,
            place_offered=view.place_offered,
        )


@strawberry.type(description="One change of a family's place in the programme.")
class EnrolmentEvent:
    id: strawberry.ID = strawberry.field(description="The event's id.")
    kind: str = strawberry.field(description="WAITLISTED, ENROLLED or CLOSED.")
    effective_on: date = strawberry.field(description="The day the change took effect.")
    from_status: FamilyStatusType = strawberry.field(description="The family's status before.")  # type: ignore[valid-type]
    to_status: FamilyStatusType = strawberry.field(description="The family's status after.")  # type: ignore[valid-type]
    reason: str | None = strawberry.field(
        description="CLOSED: why the family was closed; null for other kinds."
    )
    handed_over_to: DepartmentType | None = strawberry.field(  # type: ignore[valid-type]
        description="CLOSED: the administration that took over; null if none, and for other kinds."
    )

    @classmethod
    def of(cls, view: EnrolmentEventView) -> EnrolmentEvent:
        return cls(
            id=strawberry.ID(view.id),
            kind=view.kind,
            effective_on=view.effective_on,
            from_status=view.from_status,
            to_status=view.to_status,
            reason=view.reason,
            handed_over_to=view.handed_over_to,
        )
