"""Outcome measures as tables: what each department's record gives, and a department's configured indicator."""

from __future__ import annotations

from datetime import date

import pytest

from connectors.records import (
    AbsenceQuarter,
    Benefit,
    ChildWelfareInvestigation,
    ChildYouthRecord,
    Contact,
    EmploymentActivity,
    EmploymentRecord,
    ReportOfConcern,
    SocialRecord,
    SupportiveMeasure,
)
from hub.domain import Department
from hub.outcomes.measures import Score, measure, parse_indicators
from hub.plan.domain import Instrument

ON = date(2026, 11, 1)
CONTACT = Contact(name="X", unit="Y")


def _bif(*activities: EmploymentActivity, benefit: Benefit | None = None) -> EmploymentRecord:
    return EmploymentRecord("J1", CONTACT, benefit, "AKTIVITETSPARAT", activities=activities)


@pytest.mark.parametrize(
    ("activities", "expected"),
    [
        ((), "NONE"),
        (
            (EmploymentActivity("a", "VIRKSOMHEDSPRAKTIK", "p", date(2026, 10, 1), None, "ACTIVE"),),
            "VIRKSOMHEDSPRAKTIK",
        ),
        ((EmploymentActivity("a", "LOENTILSKUD", "p", date(2026, 1, 1), date(2026, 6, 1), "ENDED"),), "NONE"),
        ((EmploymentActivity("a", "EDUCATION", "p", date(2026, 12, 1), None, "PLANNED"),), "NONE"),
    ],
)
def test_activation_counts_what_runs_on_the_day(
    activities: tuple[EmploymentActivity, ...], expected: str
) -> None:
    values = measure({Department.BIF: _bif(*activities)}, None, ON)
    assert values["ACTIVATION"] == expected
    assert values["BENEFIT_TYPE"] == "NONE"
    assert values["TARGET_GROUP"] == "AKTIVITETSPARAT"


def test_benefit_absence_concerns_and_investigations() -> None:
    social = SocialRecord(
        "S1",
        CONTACT,
        reports_of_concern=(
            ReportOfConcern("r1", date(2026, 9, 1), "SCHOOL", False),
            ReportOfConcern("r2", date(2025, 9, 1), "POLICE", False),  # more than half a year ago
        ),
        investigations=(ChildWelfareInvestigation("i1", date(2026, 6, 1), date(2026, 10, 1), "OPEN"),),
    )
    school = ChildYouthRecord(
        "B1",
        CONTACT,
        None,
        absence=(AbsenceQuarter("2026Q2", 1, 1, 30.0), AbsenceQuarter("2026Q3", 1, 1, 12.5)),
    )
    benefit = Benefit("KONTANTHJAELP", "BASIC", date(2025, 1, 1), 12000)
    values = measure(
        {Department.SOF: social, Department.BUF: school, Department.BIF: _bif(benefit=benefit)}, None, ON
    )
    assert values["REPORTS_OF_CONCERN_6M"] == 1
    assert values["OPEN_INVESTIGATIONS"] == 1
    assert values["UNLAWFUL_ABSENCE_PCT"] == 12.5
    assert values["BENEFIT_TYPE"] == "KONTANTHJAELP"


def test_wellbeing_only_with_a_health_basis_and_the_latest_score() -> None:
    scores = [Score(Instrument.WHO5, 40, date(2026, 5, 1)), Score(Instrument.WHO5, 64, date(2026, 8, 1))]
    assert measure({}, scores, ON) == {"WHO5": 64}
    assert measure({}, None, ON) == {}  # no basis: no score at all
    assert measure({}, scores, date(2026, 6, 1)) == {"WHO5": 40}  # as of the snapshot's day


def test_a_departments_configured_indicator_counts_matching_items() -> None:
    (indicator,) = parse_indicators(
        '[{"key": "SOF_ACTIVE_MEASURES", "label": "Aktive indsatser", "department": "SOF", '
        '"collection": "measures", "where": {"status": "ACTIVE"}}]'
    )
    social = SocialRecord(
        "S1",
        CONTACT,
        measures=(
            SupportiveMeasure("m1", "CONTACT_PERSON", "p", date(2026, 1, 1), None, "ACTIVE"),
            SupportiveMeasure("m2", "FAMILY_TREATMENT", "p", date(2025, 1, 1), date(2025, 6, 1), "ENDED"),
        ),
    )
    assert measure({Department.SOF: social}, None, ON, [indicator])["SOF_ACTIVE_MEASURES"] == 1
    assert "SOF_ACTIVE_MEASURES" not in measure({}, None, ON, [indicator])  # not seen: left out


@pytest.mark.parametrize(
    "raw",
    [
        "{}",
        "[1]",
        '[{"key": "K", "label": "L", "department": "XXX", "collection": "c"}]',
        '[{"key": "K", "label": "L", "department": "SOF", "collection": "c", "where": []}]',
    ],
)
def test_bad_configuration_is_refused(raw: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message varies by what is wrong
        parse_indicators(raw)


def test_empty_configuration_is_no_indicator() -> None:
    assert parse_indicators("  ") == ()
