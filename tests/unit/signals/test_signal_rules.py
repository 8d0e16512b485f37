"""The early-signal rules as tables: each rule fires exactly at its boundary, with a stable key and a reason."""

from __future__ import annotations

import re
from datetime import date

import pytest

from connectors.records import (
    AbsenceQuarter,
    ChildWelfareInvestigation,
    ChildYouthRecord,
    Contact,
    SocialRecord,
)
from hub.domain import Department
from hub.plan.domain import Instrument, MeetingStatus
from hub.signals import rules
from hub.signals.rules import ConsentFact, MeasurementFact, MeetingFact, MinorFact, SignalKind, SourceKind

TODAY = date(2026, 11, 1)
CONTACT = Contact(name="Sagsbehandler", unit="Enhed")


def _social(*investigations: ChildWelfareInvestigation) -> SocialRecord:
    return SocialRecord(department_id="SOF-1", caseworker=CONTACT, investigations=investigations)


@pytest.mark.parametrize(
    ("status", "due", "fires"),
    [
        ("OPEN", date(2026, 10, 31), True),  # one day past the four months
        ("OPEN", TODAY, False),  # due today: not yet overdue
        ("OPEN", date(2026, 12, 1), False),
        ("COMPLETED", date(2026, 1, 1), False),  # finished late is no longer a signal
        ("CLOSED", date(2026, 1, 1), False),
    ],
)
def test_investigation_overdue(status: str, due: date, fires: bool) -> None:
    inv = ChildWelfareInvestigation(id="BFU-1", opened_on=date(2026, 6, 1), due_on=due, status=status)
    found = rules.overdue_investigations("F1", "P1", _social(inv), TODAY)
    assert bool(found) is fires
    if fires:
        (signal,) = found
        assert signal.key == "INVESTIGATION_OVERDUE:SOF:BFU-1"
        assert (signal.department, signal.source_kind, signal.source_id) == (
            Department.SOF,
            SourceKind.DEPARTMENT_RECORD,
            "BFU-1",
        )
        assert "§20" in signal.reason
        assert "1 dage over fristen" in signal.reason


@pytest.mark.parametrize(
    ("quarters", "fires", "quarter"),
    [
        ([("2026Q2", 3.0), ("2026Q3", 15.0)], True, "2026Q3"),  # the 15 % line obliges a report
        ([("2026Q2", 30.0), ("2026Q3", 14.9)], False, None),  # only the latest quarter counts
        ([("2026Q3", 22.5), ("2026Q2", 1.0)], True, "2026Q3"),  # order of the department's list is no matter
        ([], False, None),
    ],
)
def test_unlawful_absence(quarters: list[tuple[str, float]], fires: bool, quarter: str | None) -> None:
    record = ChildYouthRecord(
        department_id="barn-1",
        caseworker=CONTACT,
        institution=None,
        absence=tuple(AbsenceQuarter(q, 1.0, 1.0, pct) for q, pct in quarters),
    )
    found = rules.unlawful_absence("F1", "P1", record)
    assert bool(found) is fires
    if fires:
        assert found[0].key == f"SCHOOL_ABSENCE:BUF:barn-1:{quarter}"
        assert found[0].since == date(2026, 9, 30)
        assert "kvartal 2026" in found[0].reason


ADULT = date(1985, 5, 5)
YOUTH = date(2011, 5, 5)  # 15 at the measurements
CHILD = date(2016, 5, 5)


@pytest.mark.parametrize(
    ("born", "instrument", "score", "fires"),
    [
        (ADULT, Instrument.WHO5, 50.0, True),  # at or under 50
        (ADULT, Instrument.WHO5, 52.0, False),
        (ADULT, Instrument.ORS, 24.9, True),  # adults: under 25
        (ADULT, Instrument.ORS, 25.0, False),
        (YOUTH, Instrument.ORS, 27.5, True),  # 13-17: under 28
        (YOUTH, Instrument.ORS, 28.0, False),
        (CHILD, Instrument.CORS, 31.0, True),  # children: under 32
        (CHILD, Instrument.CORS, 32.0, False),
        (CHILD, Instrument.SDQ, 30.0, False),  # SDQ is not one of this rule's instruments
    ],
)
def test_low_wellbeing(born: date, instrument: Instrument, score: float, fires: bool) -> None:
    m = MeasurementFact("W1", "P1", instrument, score, date(2026, 10, 1))
    found = rules.low_wellbeing("F1", born, [m])
    assert bool(found) is fires
    if fires:
        assert found[0].health
        assert found[0].key == "LOW_WELLBEING:MEASUREMENT:W1"


def test_low_wellbeing_reads_only_the_latest_score() -> None:
    old = MeasurementFact("W1", "P1", Instrument.WHO5, 20.0, date(2026, 5, 1))
    new = MeasurementFact("W2", "P1", Instrument.WHO5, 72.0, date(2026, 8, 1))
    assert rules.low_wellbeing("F1", ADULT, [new, old]) == []


@pytest.mark.parametrize(
    ("until", "fires"),
    [(TODAY, True), (date(2026, 11, 30), True), (date(2026, 12, 1), False), (date(2026, 10, 31), False)],
)
def test_consent_expiring_within_30_days(until: date, fires: bool) -> None:
    consent = ConsentFact("C1", "P1", ADULT, until, given_by_custody=False)
    found = rules.consent_signals("F1", [consent], TODAY)
    assert [s.kind for s in found] == ([SignalKind.CONSENT_EXPIRING] if fires else [])


@pytest.mark.parametrize(
    ("born", "custody", "fires"),
    [
        (date(2008, 11, 21), True, True),  # turns 18 in 20 days
        (date(2008, 12, 1), True, True),  # in 30 days
        (date(2008, 12, 2), True, False),  # in 31 days
        (date(2008, 11, 1), True, False),  # turned 18 today: the consents already ended
        (date(2008, 11, 21), False, False),  # nobody holds custody: no parents' consent to end
    ],
)
def test_eighteenth_birthday_ends_the_parents_consents(born: date, custody: bool, fires: bool) -> None:
    minor = MinorFact("P1", born, custody, custody_consent_ids=("C-parents",))
    found = rules.coming_of_age("F1", [minor], TODAY)
    assert bool(found) is fires
    if fires:
        assert found[0].source_kind is SourceKind.CONSENT
        assert found[0].source_id == "C-parents"
        assert "18 år" in found[0].reason


def test_eighteenth_birthday_without_any_consent_points_at_the_member() -> None:
    (signal,) = rules.coming_of_age("F1", [MinorFact("P1", date(2008, 11, 21), True)], TODAY)
    assert (signal.source_kind, signal.source_id) == (SourceKind.MEMBER, "P1")
    assert "selv give samtykke" in signal.reason


@pytest.mark.parametrize(
    ("status", "day", "fires"),
    [
        (MeetingStatus.SCHEDULED, date(2026, 10, 31), True),
        (MeetingStatus.SCHEDULED, TODAY, False),  # today's meeting may still be held
        (MeetingStatus.HELD, date(2026, 10, 1), False),
        (MeetingStatus.CANCELLED, date(2026, 10, 1), False),
    ],
)
def test_meeting_overdue(status: MeetingStatus, day: date, fires: bool) -> None:
    found = rules.overdue_meetings("F1", [MeetingFact("M1", day, status)], TODAY)
    assert bool(found) is fires


@pytest.mark.parametrize(
    ("contacts", "enrolled", "weeks", "fires"),
    [
        ([date(2026, 9, 6)], date(2026, 1, 1), 8, False),  # exactly 8 weeks ago
        ([date(2026, 9, 5)], date(2026, 1, 1), 8, True),  # 8 weeks and a day
        ([date(2026, 9, 5)], date(2026, 1, 1), 9, False),  # the setting moves the line
        ([], date(2026, 10, 1), 8, False),  # newly enrolled: counted from enrolment
        ([], date(2026, 8, 1), 8, True),
        ([date(2027, 1, 1)], date(2026, 1, 1), 8, True),  # a future date is no contact
        ([], None, 8, False),  # not enrolled: no course to follow
    ],
)
def test_no_contact(contacts: list[date], enrolled: date | None, weeks: int, fires: bool) -> None:
    found = rules.no_contact("F1", contacts=contacts, enrolled_on=enrolled, today=TODAY, weeks=weeks)
    assert bool(found) is fires


def test_a_new_contact_is_a_new_occurrence() -> None:
    first = rules.no_contact("F1", contacts=[date(2026, 8, 1)], enrolled_on=date(2026, 1, 1), today=TODAY)
    later = rules.no_contact(
        "F1",
        contacts=[date(2026, 8, 1), date(2026, 9, 1)],
        enrolled_on=date(2026, 1, 1),
        today=date(2027, 1, 1),
    )
    assert first[0].key != later[0].key  # an acknowledgement of the first does not silence the second


def test_no_reason_carries_a_cpr_or_a_name() -> None:
    found = rules.coming_of_age("F1", [MinorFact("P1", date(2008, 11, 21), True)], TODAY)
    found += rules.consent_signals("F1", [ConsentFact("C1", "P1", ADULT, TODAY, False)], TODAY)
    assert found
    for signal in found:
        assert re.search(r"\d{6}-?\d{4}", signal.reason) is None
        assert "P1" not in signal.reason  # ids go in fields, not in the text for people
