"""GraphQL types of the programme's intake: eligibility assessments, capacity, the waitlist, closures."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from hub.enrolment.models import Outcome
from hub.enrolment.rules import Answer, Criterion, CriterionResult
from hub.enrolment.views import AssessmentView, CapacityView, EnrolmentEventView, WaitlistEntryView
from schema.core import DepartmentType
from schema.family.types import DistrictType, Family, FamilyStatusType

EligibilityOutcomeType = strawberry.enum(
    Outcome,
    name="EligibilityOutcome",
    description="ELIGIBLE, NOT_ELIGIBLE, or UNKNOWN (a department unasked).",
)
CriterionAnswerType = strawberry.enum(Answer, name="CriterionAnswer", description="YES, NO or UNKNOWN.")
EligibilityCriterionKindType = strawberry.enum(
    Criterion,
    name="EligibilityCriterionKind",
    description="HOUSING_AREA: lives in a named housing area of the programme's districts; "
    "OPEN_CASES: open cases in at least two departments.",
)


@strawberry.type(description="One criterion of an eligibility assessment, with its evidence.")
class EligibilityCriterion:
    criterion: EligibilityCriterionKindType  # type: ignore[valid-type]
    answer: CriterionAnswerType  # type: ignore[valid-type]
    explanation: str
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
    id: strawberry.ID
    family_id: strawberry.ID
    assessed_at: datetime
    outcome: EligibilityOutcomeType  # type: ignore[valid-type]
    criteria: list[EligibilityCriterion]

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
    on: date
    programme_year: int = strawberry.field(description="1 in the first year from the programme's start.")
    capacity: int = strawberry.field(description="The cap of active families this programme year.")
    active_families: int
    waitlisted_families: int
    free_places: int

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
    family: Family
    capacity: ProgrammeCapacity
    snapshot_members: int = strawberry.field(
        description="Members whose outcome indicators were stored as the enrolment snapshot."
    )


@strawberry.type(description="A closed family: reason and hand-over recorded, the place freed.")
class FamilyClosure:
    family: Family
    closed_on: date
    reason: str
    handed_over_to: DepartmentType | None  # type: ignore[valid-type]
    capacity: ProgrammeCapacity


@strawberry.type(description="A family waiting for a place, in referral order.")
class WaitlistEntry:
    position: int = strawberry.field(description="1 is next; counts every waiting family.")
    family: Family
    waitlisted_on: date | None

    @classmethod
    def of(cls, view: WaitlistEntryView) -> WaitlistEntry:
        return cls(position=view.position, family=Family(info_=view.family), waitlisted_on=view.waitlisted_on)


@strawberry.type(description="One change of a family's place in the programme.")
class EnrolmentEvent:
    id: strawberry.ID
    kind: str = strawberry.field(description="WAITLISTED, ENROLLED or CLOSED.")
    effective_on: date
    from_status: FamilyStatusType  # type: ignore[valid-type]
    to_status: FamilyStatusType  # type: ignore[valid-type]
    reason: str | None
    handed_over_to: DepartmentType | None  # type: ignore[valid-type]

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
