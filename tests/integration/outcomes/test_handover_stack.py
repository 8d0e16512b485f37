"""Exit criteria and the hand-over record, against the running stack (issue 23).

The coordinator marks a goal as an exit criterion (a versioned plan edit), closes the family with a hand-over
(receiving unit, summary, a continuing goal, the day the family was told) and the record is readable on the
family afterwards by the coordinator who keeps the record; a continuing goal of another family is refused and
nothing is closed; an outsider's marking answers as a missing goal does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.domain import FamilyStatus
from tests.support.stack import Stack, running_stack

PLAN = """query($id: ID!) { familyPlan(familyId: $id) { version goals { id exitCriterion } } }"""
MARK = """mutation($g: ID!, $on: Boolean!, $v: Int!) { setExitCriterion(goalId: $g, exitCriterion: $on,
  expectedVersion: $v) { __typename ... on PlanGoal { id exitCriterion planVersion }
  ... on PlanMutationError { code } } }"""
CLOSE = """mutation($input: CloseFamilyInput!) { closeFamily(input: $input) { family { id status } } }"""
FAMILY = """query($id: ID!) { family(id: $id) { status handOver { closedOn receivingUnit summary
  continuingGoalIds familyToldOn } } }"""


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=6, seed=7) as s:
        yield s


def _active(stack: Stack) -> list[str]:
    return [f.key for f in stack.world.families if f.status is FamilyStatus.ACTIVE]


async def _plan(stack: Stack, fid: str, token: str) -> dict[str, Any]:
    body = await stack.graphql(PLAN, {"id": fid}, token=token)
    assert "errors" not in body, body
    plan: dict[str, Any] = body["data"]["familyPlan"]
    return plan


async def test_exit_criterion_then_closing_with_a_hand_over(stack: Stack) -> None:
    coord = stack.token("tovholder")
    fid = _active(stack)[0]
    plan = await _plan(stack, fid, coord)
    goal = plan["goals"][0]["id"]
    assert plan["goals"][0]["exitCriterion"] is False
    marked = await stack.graphql(MARK, {"g": goal, "on": True, "v": plan["version"]}, token=coord)
    assert marked["data"]["setExitCriterion"] == {
        "__typename": "PlanGoal",
        "id": goal,
        "exitCriterion": True,
        "planVersion": plan["version"] + 1,
    }
    stale = await stack.graphql(MARK, {"g": goal, "on": False, "v": plan["version"]}, token=coord)
    assert stale["data"]["setExitCriterion"]["code"] == "CONFLICT"
    told = (stack.world.today - timedelta(days=3)).isoformat()
    hand_over = {
        "receivingUnit": "Jobcenter Nørrebro, team 3",
        "summary": "Familien fortsætter med mentor; skolefraværet er faldet.",
        "continuingGoalIds": [goal],
        "familyToldOn": told,
    }
    closed = await stack.graphql(
        CLOSE, {"input": {"familyId": fid, "reason": "Mål nået", "handOver": hand_over}}, token=coord
    )
    assert closed["data"]["closeFamily"]["family"]["status"] == "CLOSED", closed
    family = (await stack.graphql(FAMILY, {"id": fid}, token=coord))["data"]["family"]
    record = family["handOver"]
    assert record["receivingUnit"] == "Jobcenter Nørrebro, team 3"
    assert record["continuingGoalIds"] == [goal]
    assert record["familyToldOn"] == told
    assert record["summary"].startswith("Familien fortsætter")
    # The plan is frozen: the exit criterion cannot change any more.
    frozen = await _plan(stack, fid, coord)
    after = await stack.graphql(MARK, {"g": goal, "on": False, "v": frozen["version"]}, token=coord)
    assert after["data"]["setExitCriterion"]["code"] == "CONFLICT"


async def test_a_foreign_continuing_goal_is_refused_and_nothing_closes(stack: Stack) -> None:
    coord = stack.token("tovholder")
    first, second = _active(stack)[:2]
    foreign = (await _plan(stack, second, coord))["goals"][0]["id"]
    hand_over = {
        "receivingUnit": "Bispebjerg Skole, AKT-teamet",
        "summary": "Overdragelse",
        "continuingGoalIds": [foreign],
        "familyToldOn": stack.world.today.isoformat(),
    }
    body = await stack.graphql(
        CLOSE, {"input": {"familyId": first, "reason": "Flyttet", "handOver": hand_over}}, token=coord
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "handOver.continuingGoalIds"
    family = (await stack.graphql(FAMILY, {"id": first}, token=coord))["data"]["family"]
    assert family == {"status": "ACTIVE", "handOver": None}


async def test_an_outsider_cannot_tell_a_hidden_goal_from_a_missing_one(stack: Stack) -> None:
    coord = stack.token("tovholder")
    fid = _active(stack)[0]
    plan = await _plan(stack, fid, coord)
    outsider = stack.token("kff-sagsbehandler")
    hidden = await stack.graphql(MARK, {"g": plan["goals"][0]["id"], "on": True, "v": 1}, token=outsider)
    missing = await stack.graphql(MARK, {"g": "G-nothing", "on": True, "v": 1}, token=outsider)
    assert hidden == missing
