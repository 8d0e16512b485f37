"""Closing a family ends the sharing around it, against the real mock departments (issue 23).

After closeFamily: the team's assignments have ended (kept in history) and a former team member neither sees
the family nor makes the hub ask a department about it (counted on the mocks); the HFI consents are ended
(WITHDRAWN, reason FAMILY_CLOSED) while statutory bases stay; the plan is read-only (CONFLICT, reason
FAMILY_CLOSED) but still readable by the family and by the coordinator who keeps the record; upcoming
meetings are cancelled. Re-opening asks for consent again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hub.domain import Department, FamilyStatus
from hub.persistence.models import TeamAssignment, TeamRole, User
from tests.support.days import after_copenhagen_midnight
from tests.support.stack import Stack, running_stack

FAMILY = """query($id: ID!) { family(id: $id) { id status members { id social { status } employment { status } } } }"""
PLAN = """query($id: ID!) { familyPlan(familyId: $id) { version goals { id }
  meetings { id status cancelReason } nextMeeting { id } } }"""
CONSENTS = """query($id: ID!) { familyConsents(familyId: $id) { consents { id status withdrawalReason }
  statutoryBases { id } } }"""
CLOSE = """mutation($id: ID!) { closeFamily(input: {familyId: $id, reason: "Mål nået", handedOverTo: SOF})
  { family { status } } }"""
SCHEDULE = """mutation($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) { __typename
  ... on PlanMeeting { id status } ... on PlanMutationError { code message } ... on PlanConflictError { reason } } }"""
CREATE_GOAL = """mutation($input: CreateGoalInput!) { createGoal(input: $input) { __typename
  ... on PlanMutationError { code } ... on PlanConflictError { reason currentVersion } } }"""


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=8, seed=7, max_query_tokens=100_000) as s:
        yield s


def _first_active_with_citizen(stack: Stack) -> str:
    # Citizen logins exist for the adults of the first three families (hub/auth/seed.py).
    for family in stack.world.families[:3]:
        if family.status is FamilyStatus.ACTIVE:
            return family.key
    raise AssertionError("the seeded world has no active family among the first three")


async def _team(stack: Stack, family_id: str) -> list[tuple[str, str, Any]]:
    async with stack.services.sessions() as session:
        rows = await session.execute(
            select(User.username, TeamAssignment.team_role, TeamAssignment.until)
            .join(User, User.id == TeamAssignment.user_id)
            .where(TeamAssignment.family_id == family_id)
        )
        return [(u, r, until) for u, r, until in rows.all()]


@pytest.mark.parametrize("clock", ["now", "after_copenhagen_midnight"])
async def test_closing_ends_assignments_consents_meetings_and_freezes_the_plan(
    stack: Stack, clock: str
) -> None:
    if clock == "after_copenhagen_midnight":
        # Closing ends the team's assignments on Copenhagen's day; the gate must read them on the same day, also
        # in the hour when the UTC date is still the day before (it did not: the team kept seeing the family).
        pinned = after_copenhagen_midnight()
        stack.services.clock = lambda: pinned
    fid = _first_active_with_citizen(stack)
    coord = stack.token("tovholder")
    team_before = [(u, r) for u, r, until in await _team(stack, fid) if until is None]
    workers = [u for u, r in team_before if r != TeamRole.COORDINATOR]
    assert workers, team_before
    makkerpar = workers[0]
    # Before: the makkerpar sees the family and the hub asks SOF/BIF about its members.
    await stack.reset_stats()
    seen = await stack.graphql(FAMILY, {"id": fid}, token=stack.token(makkerpar))
    assert seen["data"]["family"]["id"] == fid
    before = await stack.stats()
    assert before[Department.SOF]["total_requests"] + before[Department.BIF]["total_requests"] > 0
    consents_before = (await stack.graphql(CONSENTS, {"id": fid}, token=coord))["data"]["familyConsents"]
    assert any(c["status"] == "ACTIVE" for c in consents_before["consents"])
    soon = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0).isoformat()
    scheduled = await stack.graphql(SCHEDULE, {"input": {"familyId": fid, "scheduledAt": soon}}, token=coord)
    meeting_id = scheduled["data"]["scheduleMeeting"]["id"]

    closed = await stack.graphql(CLOSE, {"id": fid}, token=coord)
    assert closed["data"]["closeFamily"]["family"]["status"] == "CLOSED", closed

    # The team's assignments ended (kept, with `until`); the coordinator keeps only the record.
    after = await _team(stack, fid)
    assert all(until is not None for u, r, until in after if r != TeamRole.RECORD)
    assert {(u, r) for u, r, until in after if until is None} == {("tovholder", TeamRole.RECORD)}
    assert {(u, r) for u, r, _until in after} >= set(team_before)
    # A former team member no longer sees the family, and no department is asked on their behalf.
    await stack.reset_stats()
    gone = await stack.graphql(FAMILY, {"id": fid}, token=stack.token(makkerpar))
    assert (gone["data"] or {}).get("family") is None
    assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert all(s["total_requests"] == 0 for s in (await stack.stats()).values())
    # The coordinator keeps the record (status, plan) but no department data: nothing is asked either.
    record = await stack.graphql(FAMILY, {"id": fid}, token=coord)
    assert record["data"]["family"]["status"] == "CLOSED"
    assert {m["social"]["status"] for m in record["data"]["family"]["members"]} <= {"CONSENT_REQUIRED"}
    assert all(s["total_requests"] == 0 for s in (await stack.stats()).values())
    # Consents given for HFI coordination ended with a reason; statutory bases untouched.
    consents = (await stack.graphql(CONSENTS, {"id": fid}, token=coord))["data"]["familyConsents"]
    assert not any(c["status"] == "ACTIVE" for c in consents["consents"])
    ended = {c["id"] for c in consents["consents"] if c["withdrawalReason"] == "FAMILY_CLOSED"}
    assert ended == {c["id"] for c in consents_before["consents"] if c["status"] == "ACTIVE"}
    assert consents["statutoryBases"] == consents_before["statutoryBases"]
    # The plan is frozen but readable; the upcoming meeting was cancelled.
    plan = (await stack.graphql(PLAN, {"id": fid}, token=coord))["data"]["familyPlan"]
    cancelled = next(m for m in plan["meetings"] if m["id"] == meeting_id)
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["cancelReason"]
    assert plan["nextMeeting"] is None
    refused = await stack.graphql(SCHEDULE, {"input": {"familyId": fid, "scheduledAt": soon}}, token=coord)
    assert refused["data"]["scheduleMeeting"] == {
        "__typename": "PlanConflictError",
        "code": "CONFLICT",
        "message": refused["data"]["scheduleMeeting"]["message"],
        "reason": "FAMILY_CLOSED",
    }
    goal = await stack.graphql(
        CREATE_GOAL,
        {"input": {"familyId": fid, "expectedVersion": plan["version"], "title": "Ny"}},
        token=coord,
    )
    assert goal["data"]["createGoal"]["__typename"] == "PlanConflictError"
    assert goal["data"]["createGoal"]["reason"] == "FAMILY_CLOSED"
    citizen = await stack.graphql(PLAN, {"id": fid}, token=stack.token(f"borger-{fid}-1"))
    assert citizen["data"]["familyPlan"]["version"] == plan["version"], citizen


async def test_the_demo_worlds_closed_families_are_seeded_as_closing_leaves_them(stack: Stack) -> None:
    closed = [f.key for f in stack.world.families if f.status is FamilyStatus.CLOSED]
    assert closed
    for fid in closed:
        live = {(u, r) for u, r, until in await _team(stack, fid) if until is None}
        assert live == {("tovholder", TeamRole.RECORD)}, fid
        consents = (await stack.graphql(CONSENTS, {"id": fid}, token=stack.token("tovholder")))["data"]
        assert not any(c["status"] == "ACTIVE" for c in consents["familyConsents"]["consents"])
        seen = await stack.graphql(FAMILY, {"id": fid}, token=stack.token("sof-kerne"))
        assert (seen["data"] or {}).get("family") is None
