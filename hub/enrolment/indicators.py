"""The programme's outcome indicators per person, as pure functions of typed department records.

- CASH_BENEFIT (adults, 18+, BIF): on a benefit of the cash-benefit system: kontanthjælp or uddannelseshjælp.
- HIGH_ABSENCE (children under 18 with school absence data, BUF): the latest quarter's unlawful absence is
  15 % or more (the threshold that obliges the school to report).
- LEISURE_ACTIVE (every member, KFF): at least one active leisure membership.

A value is True, False, or unknown with a gap reason: not applicable (an adult for absence, a child in
daycare), no basis (no consent or statute to use the department's data), or the department unavailable.
NOT_REGISTERED in BIF or KFF means "no benefit" / "no activity": the department answered and knows of none.
No I/O here; hub/enrolment/observe.py fetches the records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from connectors.base import LookupResult, NotRegistered
from connectors.records import ChildYouthRecord, EmploymentRecord, LeisureRecord
from hub.domain import Department

ADULT_AGE = 18
CASH_BENEFIT_TYPES = frozenset({"KONTANTHJAELP", "UDDANNELSESHJAELP"})


class Indicator(StrEnum):
    CASH_BENEFIT = "CASH_BENEFIT"
    HIGH_ABSENCE = "HIGH_ABSENCE"
    LEISURE_ACTIVE = "LEISURE_ACTIVE"


class Gap(StrEnum):
    NOT_APPLICABLE = "not_applicable"
    NO_BASIS = "no_basis"
    UNAVAILABLE = "unavailable"


SOURCE: dict[Indicator, Department] = {
    Indicator.CASH_BENEFIT: Department.BIF,
    Indicator.HIGH_ABSENCE: Department.BUF,
    Indicator.LEISURE_ACTIVE: Department.KFF,
}
DEPARTMENTS: tuple[Department, ...] = tuple(dict.fromkeys(SOURCE.values()))


@dataclass(frozen=True, slots=True)
class Observation:
    """One person's indicators at one moment: a value, or a gap saying why there is none."""

    values: dict[Indicator, bool] = field(default_factory=dict)
    gaps: dict[Indicator, Gap] = field(default_factory=dict)

    def get(self, indicator: Indicator) -> bool | None:
        return self.values.get(indicator)


def applies(indicator: Indicator, age: int) -> bool:
    if indicator is Indicator.CASH_BENEFIT:
        return age >= ADULT_AGE
    if indicator is Indicator.HIGH_ABSENCE:
        return age < ADULT_AGE
    return True


def cash_benefit(result: LookupResult) -> bool | None:
    if isinstance(result, NotRegistered):
        return False
    if not isinstance(result, EmploymentRecord):
        return None
    return result.benefit is not None and result.benefit.type in CASH_BENEFIT_TYPES


def high_absence(result: LookupResult) -> bool | None:
    """None when there is no school absence to judge (not registered, daycare, no quarters yet)."""
    if not isinstance(result, ChildYouthRecord) or not result.absence:
        return None
    latest = max(result.absence, key=lambda q: q.quarter)
    return latest.unlawful_flag


def leisure_active(result: LookupResult) -> bool | None:
    if isinstance(result, NotRegistered):
        return False
    if not isinstance(result, LeisureRecord):
        return None
    return any(m.active for m in result.memberships)


_VALUE = {
    Indicator.CASH_BENEFIT: cash_benefit,
    Indicator.HIGH_ABSENCE: high_absence,
    Indicator.LEISURE_ACTIVE: leisure_active,
}


def observe_member(age: int, answers: Mapping[Department, LookupResult | Gap]) -> Observation:
    """A member's indicators from what each source department answered (or why it could not be asked)."""
    values: dict[Indicator, bool] = {}
    gaps: dict[Indicator, Gap] = {}
    for indicator, department in SOURCE.items():
        if not applies(indicator, age):
            gaps[indicator] = Gap.NOT_APPLICABLE
            continue
        answer = answers.get(department, Gap.UNAVAILABLE)
        if isinstance(answer, Gap):
            gaps[indicator] = answer
            continue
        value = _VALUE[indicator](answer)
        if value is None:
            gaps[indicator] = Gap.NOT_APPLICABLE
        else:
            values[indicator] = value
    return Observation(values, gaps)
