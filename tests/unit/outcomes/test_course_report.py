"""Start against end across closed courses: like with like, and the report's suppression rule applies."""

from __future__ import annotations

from hub.enrolment.suppression import Scope, Suppression
from hub.outcomes.course_report import INDICATORS, Course, start_to_end
from hub.outcomes.measures import Value


def _course(n: int, district: str, start: dict[str, Value], end: dict[str, Value], people: int = 2) -> Course:
    persons = [f"P{n}-{i}" for i in range(people)]
    return Course(f"F{n}", district, {p: dict(start) for p in persons}, {p: dict(end) for p in persons})


def test_shares_at_start_and_end_on_the_same_persons() -> None:
    courses = [
        _course(
            n,
            "NORREBRO" if n < 5 else "BISPEBJERG",
            {"BENEFIT_TYPE": "KONTANTHJAELP"},
            {"BENEFIT_TYPE": "NONE"},
        )
        for n in range(10)
    ] + [
        _course(n, "NORREBRO", {"BENEFIT_TYPE": "NONE"}, {"BENEFIT_TYPE": "NONE"}, people=3)
        for n in range(10, 15)
    ]
    figure = start_to_end(courses, {"CASH_BENEFIT": INDICATORS["CASH_BENEFIT"]})["CASH_BENEFIT"][Scope.ALL]
    assert figure.persons.value == 35
    assert figure.at_enrolment.value == 20
    assert figure.now.suppression is not Suppression.NONE  # 0 at the end: a small number, hidden
    assert figure.at_enrolment_pct.value == round(100 * 20 / 35, 1)


def test_a_person_not_seen_at_the_end_is_left_out_and_small_numbers_are_hidden() -> None:
    courses = [_course(1, "NORREBRO", {"WHO5": 40.0}, {})]
    figure = start_to_end(courses, {"WHO5_LOW": INDICATORS["WHO5_LOW"]})["WHO5_LOW"][Scope.ALL]
    assert figure.persons.value in (None, 0)
    assert figure.persons.display == "<5"
