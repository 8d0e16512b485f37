"""The steering report's distinct contact points per family, at enrolment and now (#19.3): the mean over the
active families with a count at their latest enrolment, counted the same way both times from the hub's own
staffing (hub/enrolment/contact_points.py), suppressed like the rest. Through the real hub and mock departments
(the demo world: 40 families)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.domain import FamilyStatus, Role
from hub.enrolment.contact_points import contact_points
from hub.enrolment.models import EnrolmentEvent, EventKind
from hub.persistence.models import Family, TeamAssignment, User
from hub.world.generator import DEMO_SEED
from tests.support.stack import Stack, running_stack

REPORT = """query($d: District) { steeringReport(district: $d) { scope contactPoints {
  families { value display } atEnrolmentMean { value display } nowMean { value display }
  meanChange { value display } } } }"""


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=40, seed=DEMO_SEED) as s:
        yield s


async def _expected(stack: Stack, district: str | None) -> tuple[int, float, float]:
    today = stack.services.clock().date()
    async with stack.services.sessions() as session:
        families = {
            f.id: f
            for f in await session.scalars(select(Family).where(Family.status == FamilyStatus.ACTIVE))
            if district is None or f.district.value == district
        }
        events = await session.scalars(
            select(EnrolmentEvent)
            .where(EnrolmentEvent.kind == EventKind.ENROLLED, EnrolmentEvent.family_id.in_(list(families)))
            .order_by(EnrolmentEvent.occurred_at)
        )
        latest = {e.family_id: e.contact_points for e in events}
        at_enrolment = {fid: n for fid, n in latest.items() if n is not None}
        now = await contact_points(session, list(at_enrolment), today)
    n = len(at_enrolment)
    return n, sum(at_enrolment.values()) / n, sum(now.values()) / n


async def test_contact_points_at_enrolment_and_now(stack: Stack) -> None:
    token = stack.token("styregruppe")
    await stack.reset_stats()
    body = await stack.graphql(REPORT, {"d": None}, token=token)
    assert "errors" not in body, body
    figure = body["data"]["steeringReport"]["contactPoints"]
    families, before, now = await _expected(stack, None)
    assert families >= 5  # enough families that the programme's figure is shown
    assert figure["families"]["value"] == families
    assert figure["atEnrolmentMean"]["value"] == pytest.approx(round(before, 1))
    assert figure["nowMean"]["value"] == pytest.approx(round(now, 1))
    assert figure["meanChange"]["value"] == pytest.approx(
        round(round(now, 1) - round(before, 1), 1), abs=0.11
    )

    # A worker added to one family's team is one more contact point now, never one more at enrolment.
    async with stack.services.sessions() as session, session.begin():
        family_id = next(iter(await _families_with_counts(stack)))
        on_team = select(TeamAssignment.user_id).where(TeamAssignment.family_id == family_id)
        user_id = await session.scalar(
            select(User.id)
            .where(User.role == Role.CORE_TEAM, User.id.not_in(on_team))
            .order_by(User.id)
            .limit(1)
        )
        assert user_id is not None
        session.add(
            TeamAssignment(
                family_id=family_id,
                user_id=user_id,
                team_role="CORE_TEAM",
                since=stack.services.clock().date(),
            )
        )
    again = (await stack.graphql(REPORT, {"d": None}, token=token))["data"]["steeringReport"]["contactPoints"]
    _, before_2, now_2 = await _expected(stack, None)
    assert before_2 == before
    assert now_2 > now
    assert again["nowMean"]["value"] == pytest.approx(round(now_2, 1))

    # Each district: shown as counted, or suppressed as a whole (small numbers), never a guess.
    for district in ("NORREBRO", "BISPEBJERG"):
        cell = (await stack.graphql(REPORT, {"d": district}, token=token))["data"]["steeringReport"][
            "contactPoints"
        ]
        n, b, w = await _expected(stack, district)
        if cell["families"]["value"] is None:
            assert cell["nowMean"]["value"] is None
            continue
        assert cell["families"]["value"] == n
        assert cell["atEnrolmentMean"]["value"] == pytest.approx(round(b, 1))
        assert cell["nowMean"]["value"] == pytest.approx(round(w, 1))


async def _families_with_counts(stack: Stack) -> list[str]:
    async with stack.services.sessions() as session:
        rows = await session.scalars(
            select(EnrolmentEvent.family_id)
            .join(Family, Family.id == EnrolmentEvent.family_id)
            .where(
                EnrolmentEvent.kind == EventKind.ENROLLED,
                EnrolmentEvent.contact_points.is_not(None),
                Family.status == FamilyStatus.ACTIVE,
            )
        )
        return sorted(set(rows))
