"""The functioning indicator (issue 23): SOF's assessments of a person's functioning (ICS for a child, VUM for an
adult) from the world's records, through SOF's own mapping, into the outcome measure and the steering report's
yes/no indicator; withheld, like all health data, without a health basis."""

from __future__ import annotations

from datetime import date

import pytest

from connectors import sof
from connectors.records import Contact, FunctioningAssessment, SocialRecord
from hub.domain import DataCategory, Department, MemberRole
from hub.family.redact import redact, withheld_categories
from hub.outcomes.course_report import INDICATORS
from hub.outcomes.measures import measure
from hub.world.generator import generate_world

CONTACT = Contact(name="X", unit="Y")
CASE = frozenset({DataCategory.CASE})
HEALTH = frozenset({DataCategory.CASE, DataCategory.HEALTH})


def _social(*levels: tuple[str, int]) -> SocialRecord:
    return SocialRecord(
        "S1",
        CONTACT,
        functioning=tuple(
            FunctioningAssessment(f"F{i}", "ICS", date.fromisoformat(day), level)
            for i, (day, level) in enumerate(levels)
        ),
    )


@pytest.mark.parametrize(
    ("levels", "on", "expected"),
    [
        ((), date(2026, 6, 1), None),
        ((("2026-01-10", 3),), date(2026, 1, 9), None),  # assessed after the day: not yet known
        ((("2026-01-10", 3),), date(2026, 1, 10), 3),
        ((("2026-01-10", 3), ("2026-07-10", 1)), date(2026, 6, 1), 3),
        ((("2026-07-10", 1), ("2026-01-10", 3)), date(2026, 8, 1), 1),  # the latest, in any order
    ],
)
def test_the_latest_assessment_on_the_day(
    levels: tuple[tuple[str, int], ...], on: date, expected: int | None
) -> None:
    values = measure({Department.SOF: _social(*levels)}, None, on)
    assert values.get("FUNCTIONING") == expected


def test_without_a_health_basis_the_assessments_are_withheld() -> None:
    record = _social(("2026-01-10", 3))
    hidden = redact(record, CASE)
    assert isinstance(hidden, SocialRecord)
    assert hidden.functioning == ()
    assert "FUNCTIONING" not in measure({Department.SOF: hidden}, None, date(2026, 6, 1))
    assert withheld_categories(record, CASE) == {DataCategory.HEALTH}
    assert redact(record, HEALTH) is record
    assert withheld_categories(record, HEALTH) == frozenset()
    # A SOF record without an assessment withholds nothing.
    assert withheld_categories(_social(), CASE) == frozenset()


@pytest.mark.parametrize(("level", "flag"), [(0, False), (1, False), (2, True), (4, True)])
def test_the_report_counts_moderate_or_greater_difficulty(level: int, flag: bool) -> None:
    assert INDICATORS["FUNCTIONING_DIFFICULTY"]({"FUNCTIONING": level}) is flag
    assert INDICATORS["FUNCTIONING_DIFFICULTY"]({}) is None


def test_the_world_has_assessments_that_map_and_fit_the_person() -> None:
    world = generate_world(60, 11)
    found: dict[str, list[FunctioningAssessment]] = {}
    for raw in world.department_records[Department.SOF].values():
        record = sof.to_record(sof.Borger.model_validate(raw))
        if record.functioning:
            found[str(raw["cpr"])] = list(record.functioning)
    people = {p.cpr: p for p in world.everyone()}
    methods = set()
    for cpr, assessments in found.items():
        person = people.get(cpr)
        assert person is not None
        adult = (world.today - person.birth_date).days >= 18 * 365
        expected = "VUM" if adult and person.member_role is not MemberRole.CHILD else "ICS"
        assert {a.method for a in assessments} == {expected}
        assert all(0 <= a.level <= 4 and a.assessed_on <= world.today for a in assessments)
        methods.add(expected)
    assert methods == {"ICS", "VUM"}
    assert sum(len(a) > 1 for a in found.values()) >= 3  # follow-ups, so start and end can differ
    # Drawn from the person, not the world's random stream: the same world twice is the same.
    again = generate_world(60, 11)
    assert again.department_records[Department.SOF] == world.department_records[Department.SOF]


def test_a_bad_level_is_a_bad_answer() -> None:
    raw = {"id": "F", "metode": "VUM", "dato": "2026-01-01", "niveau": 5}
    with pytest.raises(ValueError, match="niveau"):
        sof.Funktionsvurdering.model_validate(raw)
