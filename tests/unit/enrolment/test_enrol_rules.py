"""The programme's pure rules: eligibility criteria, programme years and capacity, places, quarters; and the
outcome indicators read from typed department records."""

from __future__ import annotations

from datetime import date

import pytest

from connectors.base import NOT_REGISTERED
from connectors.records import ChildYouthRecord, Contact
from hub.domain import Department, District
from hub.enrolment.indicators import Gap, Indicator, observe_member
from hub.enrolment.models import Outcome
from hub.enrolment.rules import (
    Answer,
    capacity_on,
    combine,
    department_finding,
    housing_criterion,
    may_take_place,
    open_cases_criterion,
    programme_year,
    quarter_of,
    quarters_between,
)
from hub.enrolment.rules import (
    DepartmentFinding as F,
)
from tests.integration.enrolment.enrol_world import employment, leisure, school

START = date(2023, 1, 1)


@pytest.mark.parametrize(
    ("findings", "answer"),
    [
        ({Department.SOF: F.OPEN, Department.BIF: F.OPEN}, Answer.YES),
        ({Department.SOF: F.OPEN, Department.BIF: F.UNAVAILABLE}, Answer.UNKNOWN),  # down: never NO
        ({Department.SOF: F.OPEN, Department.BUF: F.NO_BASIS}, Answer.UNKNOWN),
        ({Department.SOF: F.OPEN, Department.KFF: F.PARTIAL}, Answer.UNKNOWN),
        (
            {
                Department.SOF: F.OPEN,
                **dict.fromkeys((Department.BIF, Department.BUF, Department.KFF, Department.SUF), F.NONE),
            },
            Answer.NO,
        ),
        (dict.fromkeys(Department, F.NONE), Answer.NO),
        (
            {
                Department.SOF: F.UNAVAILABLE,
                Department.BIF: F.UNAVAILABLE,
                **dict.fromkeys((Department.BUF, Department.KFF, Department.SUF), F.NONE),
            },
            Answer.UNKNOWN,
        ),
    ],
)
def test_open_cases_in_two_departments(findings: dict[Department, F], answer: Answer) -> None:
    full = {d: findings.get(d, F.NONE) for d in Department}
    result = open_cases_criterion(full, members_assessed=3, members_without_basis=0)
    assert result.answer is answer
    assert set(result.departments_unavailable) == {d for d, f in full.items() if f is F.UNAVAILABLE}


def test_department_finding() -> None:
    assert department_finding(asked=2, without_basis=1, open_found=True, unavailable=False) is F.OPEN
    assert department_finding(asked=0, without_basis=3, open_found=False, unavailable=False) is F.NO_BASIS
    assert department_finding(asked=3, without_basis=0, open_found=False, unavailable=True) is F.UNAVAILABLE
    assert department_finding(asked=2, without_basis=1, open_found=False, unavailable=False) is F.PARTIAL
    assert department_finding(asked=3, without_basis=0, open_found=False, unavailable=False) is F.NONE


def test_housing_area_and_the_combined_outcome() -> None:
    yes = housing_criterion(District.NORREBRO, "Mjølnerparken")
    wrong_district = housing_criterion(District.NORREBRO, "Bispeparken")
    assert (yes.answer, yes.named_area, wrong_district.answer) == (Answer.YES, True, Answer.NO)
    open_ = open_cases_criterion(
        {Department.SOF: F.OPEN, Department.BIF: F.OPEN}, members_assessed=2, members_without_basis=0
    )
    unknown = open_cases_criterion(
        {Department.SOF: F.OPEN, Department.BIF: F.UNAVAILABLE}, members_assessed=2, members_without_basis=0
    )
    assert combine((yes, open_)).outcome is Outcome.ELIGIBLE
    assert combine((yes, unknown)).outcome is Outcome.UNKNOWN
    assert combine((wrong_district, unknown)).outcome is Outcome.NOT_ELIGIBLE


@pytest.mark.parametrize(
    ("day", "year", "cap"),
    [
        (date(2022, 12, 31), 1, 20),
        (date(2023, 1, 1), 1, 20),
        (date(2023, 12, 31), 1, 20),
        (date(2024, 1, 1), 2, 35),
        (date(2026, 11, 1), 4, 35),
    ],
)
def test_capacity_by_programme_year(day: date, year: int, cap: int) -> None:
    assert programme_year(day, START) == year
    assert capacity_on(day, start=START, capacity=35, capacity_first_year=20) == cap


def test_a_leap_day_start() -> None:
    assert programme_year(date(2025, 2, 27), date(2024, 2, 29)) == 1
    assert programme_year(date(2025, 2, 28), date(2024, 2, 29)) == 2


def test_a_place_goes_to_the_families_waiting_first() -> None:
    assert may_take_place(active=19, cap=20, waiting_ahead=0)
    assert not may_take_place(active=20, cap=20, waiting_ahead=0)
    assert not may_take_place(active=18, cap=20, waiting_ahead=2)
    assert may_take_place(active=17, cap=20, waiting_ahead=2)


def test_quarters() -> None:
    assert quarter_of(date(2025, 3, 31)) == "2025Q1"
    assert quarter_of(date(2025, 10, 1)) == "2025Q4"
    assert quarters_between(date(2024, 11, 5), date(2025, 4, 1)) == ["2024Q4", "2025Q1", "2025Q2"]
    assert quarters_between(date(2025, 4, 1), date(2024, 1, 1)) == []


def test_indicators_from_department_records() -> None:
    adult = observe_member(
        35,
        {Department.BIF: employment(cash=True), Department.KFF: NOT_REGISTERED, Department.BUF: Gap.NO_BASIS},
    )
    assert adult.values == {Indicator.CASH_BENEFIT: True, Indicator.LEISURE_ACTIVE: False}
    assert adult.gaps == {Indicator.HIGH_ABSENCE: Gap.NOT_APPLICABLE}
    child = observe_member(
        12, {Department.BUF: school(unlawful_pct=15.0), Department.KFF: leisure(active=True)}
    )
    assert child.values == {Indicator.HIGH_ABSENCE: True, Indicator.LEISURE_ACTIVE: True}
    assert child.gaps == {Indicator.CASH_BENEFIT: Gap.NOT_APPLICABLE}
    assert (
        observe_member(12, {Department.BUF: school(unlawful_pct=14.9)}).get(Indicator.HIGH_ABSENCE) is False
    )
    daycare = ChildYouthRecord(department_id="D", caseworker=Contact("c", "u"), institution=None)
    toddler = observe_member(3, {Department.BUF: daycare, Department.KFF: Gap.UNAVAILABLE})
    assert toddler.gaps == {
        Indicator.CASH_BENEFIT: Gap.NOT_APPLICABLE,
        Indicator.HIGH_ABSENCE: Gap.NOT_APPLICABLE,
        Indicator.LEISURE_ACTIVE: Gap.UNAVAILABLE,
    }
    not_on_benefit = observe_member(40, {Department.BIF: NOT_REGISTERED})
    assert not_on_benefit.get(Indicator.CASH_BENEFIT) is False
