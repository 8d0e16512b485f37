"""The programme's rules as pure functions: eligibility, capacity by programme year, waitlist order, quarters.

No I/O and no clock: callers pass the day. The rules (DOMAIN.md §1, the seed proposal):
- Eligible: the family lives in one of the programme's named housing areas of its district
  (`hub.domain.HOUSING_AREAS`) AND has open cases in at least two departments. A department that could not
  be asked (down, or no member with a basis to be assessed) can make the answer UNKNOWN, never NO: the
  answer is NO only when even counting every unanswered department as "open" would not reach two.
- Capacity: `capacity_first_year` active families during the first programme year (from `programme_start`,
  one calendar year), `capacity` after it.
- Waitlist: referral order (`referred_on`, then family id). A family takes a place only if there are more
  free places than waitlisted families ahead of it, so a free place always goes to the longest-waiting
  family first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from hub.domain import HOUSING_AREAS, Department, District
from hub.enrolment.models import Outcome

MIN_DEPARTMENTS = 2  # "cases in more than one administration"


class Answer(StrEnum):
    YES = "YES"
    NO = "NO"
    UNKNOWN = "UNKNOWN"


class Criterion(StrEnum):
    HOUSING_AREA = "HOUSING_AREA"  # lives in a named housing area of the programme's districts
    OPEN_CASES = "OPEN_CASES"  # open cases in at least two departments


class DepartmentFinding(StrEnum):
    """What one department said about the family's members, for the open-cases criterion."""

    OPEN = "OPEN"  # at least one member asked has an open case there
    NONE = "NONE"  # every member was asked and none has an open case there
    PARTIAL = "PARTIAL"  # no open case among those asked, but some members could not be asked (no basis)
    NO_BASIS = "NO_BASIS"  # no member had a basis (consent or statute) to be asked about
    UNAVAILABLE = "UNAVAILABLE"  # the department did not answer


UNANSWERED = frozenset({DepartmentFinding.PARTIAL, DepartmentFinding.NO_BASIS, DepartmentFinding.UNAVAILABLE})


@dataclass(frozen=True, slots=True)
class CriterionResult:
    criterion: Criterion
    answer: Answer
    explanation: str
    # Evidence: codes and counts only (this is stored and shown; never a department's data values).
    district: District | None = None
    housing_area: str | None = None
    named_area: bool | None = None
    departments_with_open_cases: tuple[Department, ...] = ()
    departments_without_open_cases: tuple[Department, ...] = ()
    departments_unavailable: tuple[Department, ...] = ()
    departments_without_basis: tuple[Department, ...] = ()  # no member, or not every member, could be asked
    members_assessed: int = 0
    members_without_basis: int = 0


@dataclass(frozen=True, slots=True)
class Eligibility:
    outcome: Outcome
    criteria: tuple[CriterionResult, ...] = field(default_factory=tuple)


def housing_criterion(district: District, housing_area: str) -> CriterionResult:
    named = housing_area in HOUSING_AREAS.get(district, ())
    if named:
        text = f"lives in {housing_area}, a named housing area of {district.value.title()}"
    else:
        areas = ", ".join(HOUSING_AREAS.get(district, ()))
        text = f"not one of the programme's named housing areas of {district.value.title()} ({areas})"
    return CriterionResult(
        Criterion.HOUSING_AREA,
        Answer.YES if named else Answer.NO,
        text,
        district=district,
        housing_area=housing_area,
        named_area=named,
    )


def open_cases_criterion(
    findings: Mapping[Department, DepartmentFinding], *, members_assessed: int, members_without_basis: int
) -> CriterionResult:
    def having(*wanted: DepartmentFinding) -> tuple[Department, ...]:
        return tuple(d for d in Department if findings.get(d, DepartmentFinding.NO_BASIS) in wanted)

    open_ = having(DepartmentFinding.OPEN)
    unanswered = having(*UNANSWERED)
    if len(open_) >= MIN_DEPARTMENTS:
        answer = Answer.YES
        text = f"open cases in {len(open_)} departments ({', '.join(d.value for d in open_)})"
    elif len(open_) + len(unanswered) >= MIN_DEPARTMENTS:
        answer = Answer.UNKNOWN
        text = (
            f"open cases found in {len(open_)} department(s); "
            f"{', '.join(d.value for d in unanswered)} could not be fully asked"
        )
    else:
        answer = Answer.NO
        text = f"open cases in {len(open_)} department(s); at least {MIN_DEPARTMENTS} are required"
    return CriterionResult(
        Criterion.OPEN_CASES,
        answer,
        text,
        departments_with_open_cases=open_,
        departments_without_open_cases=having(DepartmentFinding.NONE),
        departments_unavailable=having(DepartmentFinding.UNAVAILABLE),
        departments_without_basis=having(DepartmentFinding.NO_BASIS, DepartmentFinding.PARTIAL),
        members_assessed=members_assessed,
        members_without_basis=members_without_basis,
    )


def combine(criteria: Iterable[CriterionResult]) -> Eligibility:
    """NO if any criterion is NO; else UNKNOWN if any is UNKNOWN; else ELIGIBLE."""
    results = tuple(criteria)
    answers = {c.answer for c in results}
    if Answer.NO in answers:
        outcome = Outcome.NOT_ELIGIBLE
    elif Answer.UNKNOWN in answers:
        outcome = Outcome.UNKNOWN
    else:
        outcome = Outcome.ELIGIBLE
    return Eligibility(outcome, results)


def department_finding(
    *, asked: int, without_basis: int, open_found: bool, unavailable: bool
) -> DepartmentFinding:
    """One department's finding from how many members were asked, lacked a basis, and what it answered."""
    if open_found:
        return DepartmentFinding.OPEN  # one open case is enough, whatever else is unknown
    if asked == 0:
        return DepartmentFinding.NO_BASIS
    if unavailable:
        return DepartmentFinding.UNAVAILABLE
    return DepartmentFinding.PARTIAL if without_basis else DepartmentFinding.NONE


# --- capacity ----------------------------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def programme_year(day: date, start: date) -> int:
    """1 in the first programme year (and before the start), 2 in the second, ..."""
    year = 1
    while add_years(start, year) <= day:
        year += 1
    return year


def capacity_on(day: date, *, start: date, capacity: int, capacity_first_year: int) -> int:
    return capacity_first_year if programme_year(day, start) == 1 else capacity


def may_take_place(*, active: int, cap: int, waiting_ahead: int) -> bool:
    """A place is free for this family when free places outnumber the families waiting ahead of it."""
    return cap - active > waiting_ahead


def holds_queue_place(latest_outcome: Outcome | None) -> bool:
    """Whether a waitlisted family holds its place in the queue, by its latest eligibility assessment.

    A family re-assessed NOT_ELIGIBLE leaves the queue's head (it would otherwise block every family behind
    it from a free place); it stays on the waitlist, shown as not eligible, until a new assessment finds it
    eligible again. UNKNOWN (a department could not be asked) is never read as "no": the family keeps its place.
    """
    return latest_outcome is not Outcome.NOT_ELIGIBLE


def queue_order(entries: Sequence[tuple[str, bool]]) -> list[str]:
    """The waitlist's order from (family id, holds its place) pairs already in referral order: the families
    holding their place first, then the others, each in referral order."""
    return [fid for fid, holds in entries if holds] + [fid for fid, holds in entries if not holds]


# --- quarters ----------------------------------------------------------------------------------------


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarters_between(first: date, last: date) -> list[str]:
    """Every quarter from `first`'s to `last`'s, in order (empty if `last` is before `first`)."""
    out: list[str] = []
    year, q = first.year, (first.month - 1) // 3 + 1
    end = (last.year, (last.month - 1) // 3 + 1)
    while (year, q) <= end:
        out.append(f"{year}Q{q}")
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out
