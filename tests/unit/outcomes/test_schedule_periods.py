"""Half-years from enrolment (hub/outcomes/schedule.py): six calendar months each, the month's end kept."""

from __future__ import annotations

from datetime import date

import pytest

from hub.outcomes.schedule import current_period, half_year


@pytest.mark.parametrize(
    ("start", "period", "expected"),
    [
        (date(2026, 1, 15), 0, date(2026, 1, 15)),
        (date(2026, 1, 15), 1, date(2026, 7, 15)),
        (date(2026, 1, 15), 2, date(2027, 1, 15)),
        (date(2026, 8, 31), 1, date(2027, 2, 28)),  # no 31 February
        (date(2027, 8, 31), 1, date(2028, 2, 29)),  # a leap year
        (date(2026, 12, 31), 1, date(2027, 6, 30)),
    ],
)
def test_half_year(start: date, period: int, expected: date) -> None:
    assert half_year(start, period) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 1, 15), 0),  # enrolled today
        (date(2026, 7, 14), 0),  # the day before the first half-year
        (date(2026, 7, 15), 1),
        (date(2027, 1, 14), 1),
        (date(2027, 1, 15), 2),
        (date(2029, 3, 1), 6),
    ],
)
def test_current_period(today: date, expected: int) -> None:
    assert current_period(date(2026, 1, 15), today) == expected
