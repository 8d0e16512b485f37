"""The pen's lease (hub/plan/live_meeting.py `pen_holder`): pure, over an injected `now`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.plan.live_meeting import pen_holder
from hub.plan.models import MeetingPen

T0 = datetime(2026, 11, 1, 10, tzinfo=UTC)
LEASE = timedelta(seconds=120)


@pytest.mark.parametrize(
    ("holder", "idle_s", "expected"),
    [
        ("U-a", 0, "U-a"),
        ("U-a", 120, "U-a"),  # the lease runs for exactly its length
        ("U-a", 121, None),  # then it has lapsed
        (None, 0, None),  # put down
    ],
)
def test_the_pen_is_held_until_its_lease_lapses(
    holder: str | None, idle_s: int, expected: str | None
) -> None:
    pen = MeetingPen(meeting_id="M", holder_user_id=holder, taken_at=T0, last_active_at=T0)
    assert pen_holder(pen, T0 + timedelta(seconds=idle_s), LEASE) == expected


def test_no_pen_row_is_nobody() -> None:
    assert pen_holder(None, T0, LEASE) is None
