"""Plain value objects the enrolment service hands to the GraphQL layer: no ORM rows, no CPR numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from hub.domain import Department
from hub.enrolment.models import Outcome
from hub.enrolment.rules import CriterionResult
from hub.family.model import FamilyInfo


@dataclass(frozen=True, slots=True)
class AssessmentView:
    id: str
    family_id: str
    assessed_at: datetime
    outcome: Outcome
    criteria: tuple[CriterionResult, ...]


@dataclass(frozen=True, slots=True)
class CapacityView:
    on: date
    programme_year: int
    capacity: int
    active: int
    waitlisted: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.active)


class EnrolResult(StrEnum):
    ENROLLED = "ENROLLED"
    WAITLISTED = "WAITLISTED"


class WaitReason(StrEnum):
    PROGRAMME_FULL = "PROGRAMME_FULL"  # every place is taken
    FAMILIES_AHEAD = "FAMILIES_AHEAD"  # places are free, but go to families referred earlier


@dataclass(frozen=True, slots=True)
class EnrolOutcome:
    result: EnrolResult
    family: FamilyInfo
    capacity: CapacityView
    waitlist_position: int | None = None
    wait_reason: WaitReason | None = None
    snapshot_members: int = 0


@dataclass(frozen=True, slots=True)
class ClosedOutcome:
    family: FamilyInfo
    capacity: CapacityView
    event_id: str
    # The first eligible waitlisted family, when the closure left a place free for it (coordinator: enrol it).
    place_offered_to: FamilyInfo | None = None


@dataclass(frozen=True, slots=True)
class WaitlistEntryView:
    position: int
    family: FamilyInfo
    waitlisted_on: date | None
    holds_place: bool = True  # False: re-assessed NOT_ELIGIBLE, so behind every eligible family
    place_offered: bool = False  # a place is free for this family now: enrolFamily takes it in one step


@dataclass(frozen=True, slots=True)
class EnrolmentEventView:
    id: str
    kind: str
    effective_on: date
    from_status: str
    to_status: str
    reason: str | None
    handed_over_to: Department | None
