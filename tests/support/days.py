"""Instants where Copenhagen's calendar and UTC's disagree, for tests of "today" (hub/days.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def after_copenhagen_midnight() -> datetime:
    """The latest 23:30 UTC that has passed: Copenhagen's next day already (00:30 in winter, 01:30 in summer)
    while UTC's date is still the day before."""
    now = datetime.now(UTC)
    pinned = now.replace(hour=23, minute=30, second=0, microsecond=0)
    return pinned if pinned <= now else pinned - timedelta(days=1)
