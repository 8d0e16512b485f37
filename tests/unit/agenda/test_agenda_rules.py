"""The conflict rules, table by table: pure functions of agenda items and settings."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from hub.agenda.model import LOCAL, AgendaItem, ConflictRule, RuleSettings
from hub.agenda.rules import (
    activation_hours,
    conflicts,
    duplicate_services,
    overlaps,
    school_hours,
    weekly_load,
)
from hub.domain import Department

MONDAY = date(2026, 11, 9)


def at(
    hhmm: str,
    minutes: int = 60,
    *,
    person: str = "p1",
    day: date = MONDAY,
    department: Department | None = Department.BIF,
    place: str | None = "A",
    kind: str = "MEETING",
    title: str = "Møde",
    service: str | None = None,
    key: str | None = None,
) -> AgendaItem:
    hour, minute = (int(x) for x in hhmm.split(":"))
    start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL)
    return AgendaItem(
        key=key or f"{department}:{person}:{day}:{hhmm}:{title}",
        person_id=person,
        department=department,
        kind=kind,
        title=title,
        source_record=key or hhmm,
        start=start,
        end=start + timedelta(minutes=minutes),
        place=place,
        service=service,
    )


SETTINGS = RuleSettings(travel_gap_minutes=30, weekly_limit=3, pupils=frozenset({"child"}))


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([at("09:00"), at("09:30")], 1),  # overlapping
        ([at("09:00"), at("10:00", place="A")], 0),  # back to back, same place
        ([at("09:00"), at("10:10", place="B")], 1),  # 10 minutes to travel across town
        ([at("09:00"), at("10:30", place="B")], 0),  # the travel gap is kept
        ([at("09:00"), at("09:30", person="p2")], 0),  # two people
        ([at("09:00"), at("09:00", day=MONDAY + timedelta(days=1))], 0),  # two days
        ([at("09:00", 180), at("10:00"), at("11:00")], 2),  # a long one overlapping two
        ([at("09:00"), at("09:30", kind="ACTIVATION")], 0),  # activation is its own rule
    ],
)
def test_overlaps(items: list[AgendaItem], expected: int) -> None:
    found = overlaps(items, SETTINGS)
    assert len(found) == expected
    assert all(c.rule is ConflictRule.OVERLAP and c.reason for c in found)


def test_an_overlap_says_what_to_move_and_is_stable() -> None:
    a, b = at("10:00", title="Opfølgningsmøde"), at("10:30", title="Netværksmøde", department=Department.SOF)
    (one,) = overlaps([a, b], SETTINGS)
    (two,) = overlaps([b, a], SETTINGS)
    assert one.key == two.key
    assert "Dobbeltbooket 09.11" in one.reason
    assert "Netværksmøde" in one.reason
    assert one.item_keys == (a.key, b.key)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (at("10:00", person="child"), 1),
        (at("07:00", 60, person="child"), 0),  # before school
        (at("13:30", 60, person="child"), 1),  # runs into school hours
        (at("14:00", person="child"), 0),  # after school
        (at("10:00", person="child", day=MONDAY + timedelta(days=5)), 0),  # Saturday
        (at("10:00", person="p1"), 0),  # not a pupil
        (at("10:00", person="child", title="Skole-hjem-samtale"), 0),  # the school's own meeting
    ],
)
def test_school_hours(item: AgendaItem, expected: int) -> None:
    found = school_hours([item], SETTINGS)
    assert len(found) == expected
    assert all("skoletiden" in c.reason for c in found)


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([at("09:00", 180, kind="ACTIVATION"), at("10:00")], 1),
        ([at("09:00", 180, kind="ACTIVATION"), at("13:00")], 0),
        ([at("09:00", 180, kind="ACTIVATION"), at("10:00", person="p2")], 0),
    ],
)
def test_activation_hours(items: list[AgendaItem], expected: int) -> None:
    assert len(activation_hours(items, SETTINGS)) == expected


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (
            [
                at("17:00", service="PARENTING_COURSE", department=Department.SOF),
                at(
                    "17:00",
                    service="PARENTING_COURSE",
                    department=Department.SUF,
                    day=MONDAY + timedelta(days=1),
                ),
            ],
            1,
        ),
        (
            [
                at("17:00", service="PARENTING_COURSE", department=Department.SOF),
                at(
                    "17:00",
                    service="PARENTING_COURSE",
                    department=Department.SOF,
                    day=MONDAY + timedelta(days=7),
                ),
            ],
            0,  # the same course, two sessions
        ),
        (
            [
                at("13:00", service="MENTOR"),
                at("15:00", service="MENTOR", department=Department.SOF, person="p2"),
            ],
            1,
        ),
        (
            [
                at("13:00", service="MENTOR"),
                at("15:00", service="PARENTING_COURSE", department=Department.SOF),
            ],
            0,
        ),
    ],
)
def test_duplicate_services(items: list[AgendaItem], expected: int) -> None:
    found = duplicate_services(items, SETTINGS)
    assert len(found) == expected
    assert all("Samme slags indsats" in c.reason for c in found)


@pytest.mark.parametrize(
    ("count", "expected"),
    [(3, 0), (4, 1)],
)
def test_weekly_load(count: int, expected: int) -> None:
    items = [at("15:00", day=MONDAY + timedelta(days=d), person=f"p{d}") for d in range(count)]
    found = weekly_load(items, SETTINGS)
    assert len(found) == expected
    assert all("uge 46" in c.reason for c in found)


def test_weekly_load_counts_weeks_apart_and_leaves_activation_out() -> None:
    items = [at("15:00", day=MONDAY + timedelta(days=7 * d)) for d in range(5)]
    items += [at("09:00", 180, kind="ACTIVATION", day=MONDAY + timedelta(days=d)) for d in range(5)]
    assert weekly_load(items, SETTINGS) == []


def test_conflicts_runs_every_rule_in_day_order() -> None:
    items = [
        at("10:00", person="child", day=MONDAY + timedelta(days=1)),
        at("09:00"),
        at("09:30"),
    ]
    found = conflicts(items, SETTINGS)
    assert [c.rule for c in found] == [ConflictRule.OVERLAP, ConflictRule.SCHOOL_HOURS]
