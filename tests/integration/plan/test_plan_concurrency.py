"""Two workers edit the plan at once: exactly one wins, the other gets CONFLICT, nothing is lost."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from hub.errors import Conflict
from hub.plan import goals, history
from hub.plan.domain import GoalStatus
from hub.plan.edits import open_edit
from hub.plan.models import Goal, Plan
from tests.integration.plan.plan_world import PlanWorld, actor


async def test_concurrent_edits_one_wins_one_conflicts(plan_world: PlanWorld) -> None:
    goal = await goals.create_goal(
        plan_world.sessions, actor("coord"), family_id="F1", expected_version=0, title="Mål"
    )
    seen = goal.plan_version  # both workers loaded the plan at this version

    async def edit(username: str, title: str) -> str:
        try:
            await goals.update_goal(
                plan_world.sessions, actor(username), goal_id=goal.id, expected_version=seen, title=title
            )
        except Conflict as exc:
            return f"conflict@{exc.extensions['currentVersion']}"
        return "won"

    outcomes = await asyncio.wait_for(
        asyncio.gather(edit("sof", "Titel A"), edit("bif", "Titel B")), timeout=30
    )
    assert sorted(outcomes) == [f"conflict@{seen + 1}", "won"]
    winner_title = "Titel A" if outcomes[0] == "won" else "Titel B"
    async with plan_world.sessions() as s:
        assert await s.scalar(select(Goal.title).where(Goal.id == goal.id)) == winner_title
        assert await s.scalar(select(Plan.version).where(Plan.family_id == "F1")) == seen + 1
        entries = await history.recent(s, "F1", 10)
    assert [e.change for e in entries] == ["UPDATED", "CREATED"]  # the loser left no trace


async def test_many_concurrent_first_edits_create_one_plan(plan_world: PlanWorld) -> None:
    async def create(i: int) -> bool:
        try:
            await goals.create_goal(
                plan_world.sessions,
                actor("sof" if i % 2 else "bif"),
                family_id="F1",
                expected_version=0,
                title=f"M{i}",
            )
        except Conflict:
            return False
        return True

    results = await asyncio.wait_for(asyncio.gather(*(create(i) for i in range(5))), timeout=30)
    assert sum(results) == 1
    async with plan_world.sessions() as s:
        assert len(list(await s.scalars(select(Plan).where(Plan.family_id == "F1")))) == 1
        assert len(list(await s.scalars(select(Goal)))) == 1


async def test_sequential_edits_with_fresh_versions_all_succeed(plan_world: PlanWorld) -> None:
    goal = await goals.create_goal(
        plan_world.sessions, actor("coord"), family_id="F1", expected_version=0, title="Mål"
    )
    version = goal.plan_version
    for status in (GoalStatus.IN_PROGRESS, GoalStatus.ACHIEVED):
        goal = await goals.update_goal(
            plan_world.sessions, actor("sof"), goal_id=goal.id, expected_version=version, status=status
        )
        version = goal.plan_version
    assert goal.status is GoalStatus.ACHIEVED
    assert version == 3


async def test_second_writer_waits_for_the_first_then_conflicts(plan_world: PlanWorld) -> None:
    """Forces the interleaving: B starts while A holds the plan's lock; B must wait, then see A's version."""
    goal = await goals.create_goal(
        plan_world.sessions, actor("coord"), family_id="F1", expected_version=0, title="Mål"
    )
    seen = goal.plan_version
    async with open_edit(plan_world.sessions, actor("sof"), "F1", expected_version=seen) as edit:
        edit.require_current()
        loser = asyncio.create_task(
            goals.update_goal(
                plan_world.sessions, actor("bif"), goal_id=goal.id, expected_version=seen, title="B"
            )
        )
        await asyncio.sleep(0.3)
        assert not loser.done()  # blocked on A's lock, not failed and not through
        row = await edit.session.get(Goal, goal.id)
        assert row is not None
        row.title = "A"
    with pytest.raises(Conflict) as caught:
        await asyncio.wait_for(loser, timeout=30)
    assert caught.value.extensions["currentVersion"] == seen + 1
    async with plan_world.sessions() as s:
        assert await s.scalar(select(Goal.title).where(Goal.id == goal.id)) == "A"
