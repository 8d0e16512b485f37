"""The seeded demo has outcome snapshots (issue 23): enrolment, each half-year reached and closure, so
`make run` shows `Family.outcomes` and the steering report's startToEnd is not empty (against the real mocks)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.domain import FamilyStatus
from hub.outcomes.models import OutcomeSnapshot
from hub.outcomes.schedule import current_period, due_periods
from hub.persistence.models import Family, TeamAssignment, TeamRole
from hub.world.generator import DEMO_SEED
from tests.support.stack import Stack, running_stack

REPORT = """{ steeringReport { startToEnd { indicator persons { value display }
  atStart { value display } atEnd { value display } } } }"""
OUTCOMES = """query($id: ID!) { family(id: $id) { outcomes { occasion takenOn memberId measures { key value } } } }"""


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=40, seed=DEMO_SEED) as s:  # the `make run` world
        yield s


async def test_the_demo_has_a_course_of_snapshots_and_a_start_to_end_report(demo: Stack) -> None:
    async with demo.services.sessions() as session:
        families = {
            f.id: f
            for f in await session.scalars(
                select(Family).where(Family.status.in_([FamilyStatus.ACTIVE, FamilyStatus.CLOSED]))
            )
        }
        taken: dict[str, dict[str, set[date]]] = defaultdict(lambda: defaultdict(set))
        filled = 0
        for row in await session.scalars(select(OutcomeSnapshot)):
            taken[row.family_id][row.occasion].add(row.taken_on)
            filled += bool(row.values)
        coordinated = set(
            await session.scalars(
                select(TeamAssignment.family_id).where(
                    TeamAssignment.team_role == TeamRole.COORDINATOR, TeamAssignment.until.is_(None)
                )
            )
        )
    assert filled > 0
    for fid, family in families.items():
        assert family.enrolled_on is not None
        assert taken[fid]["ENROLMENT"] == {family.enrolled_on}
        end = family.closed_on if family.status is FamilyStatus.CLOSED else demo.world.today
        assert end is not None
        # Every half-year reached before the end (a closed family's last one before its closing day).
        reached = current_period(family.enrolled_on, end)
        assert len(taken[fid]["HALF_YEAR"]) in {reached, reached - 1}
        assert taken[fid]["CLOSURE"] == (
            {family.closed_on} if family.status is FamilyStatus.CLOSED else set()
        )
    # The seeded half-years are claimed: the scheduler has nothing to take on the demo's day.
    assert await due_periods(demo.services, demo.world.today) == []

    body = await demo.graphql(REPORT, token=demo.token("styregruppe"))
    assert "errors" not in body, body
    figures = {f["indicator"]: f for f in body["data"]["steeringReport"]["startToEnd"]}
    assert {"CASH_BENEFIT", "HIGH_ABSENCE", "FUNCTIONING_DIFFICULTY", "WHO5_LOW"} <= set(figures)
    assert any((f["persons"]["value"] or 0) >= 5 for f in figures.values())  # counted, not only "<5"

    active = next(
        fid for fid, f in sorted(families.items()) if f.status is FamilyStatus.ACTIVE and fid in coordinated
    )
    holder = await _coordinator_name(demo, active)
    outcomes = (await demo.graphql(OUTCOMES, {"id": active}, token=demo.token(holder)))["data"]["family"]
    assert {"ENROLMENT"} <= {o["occasion"] for o in outcomes["outcomes"]}


async def _coordinator_name(stack: Stack, family_id: str) -> str:
    from hub.persistence.models import User

    async with stack.services.sessions() as session:
        name = await session.scalar(
            select(User.username)
            .join(TeamAssignment, TeamAssignment.user_id == User.id)
            .where(
                TeamAssignment.family_id == family_id,
                TeamAssignment.team_role == TeamRole.COORDINATOR,
                TeamAssignment.until.is_(None),
            )
        )
    assert name is not None
    return name
