"""Exit criteria: goals of the family action plan marked as what must be reached for the course to end well.

Marking is a versioned plan edit (the plan's `expectedVersion`, history, live update) by the family's core team,
through the plan's own edit transaction (hub/plan/edits.py): a goal the viewer may not see answers exactly as a
missing one. A closed family's plan is read-only, so its exit criteria are too.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.access.visibility import GOAL
from hub.outcomes.models import ExitCriterion
from hub.plan.domain import ChangeKind, Entity
from hub.plan.edits import open_edit, owner_of, require_expected
from hub.plan.goals import goal_view
from hub.plan.history import Actor
from hub.plan.models import Goal
from hub.plan.views import GoalView


async def set_exit_criterion(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    goal_id: str,
    exit_criterion: bool,
    expected_version: int,
) -> GoalView:
    expected = require_expected(expected_version)
    owner = await owner_of(sessions, Goal, goal_id, GOAL)
    async with open_edit(
        sessions, actor, owner.family_id, expected_version=expected, hidden_as=GOAL, person_id=owner.person_id
    ) as edit:
        goal = await edit.session.get(Goal, goal_id)
        if goal is None or goal.family_id != edit.family_id:
            raise GOAL.error()
        edit.require_current()
        marked = await edit.session.get(ExitCriterion, goal_id) is not None
        if marked is exit_criterion:
            await edit.unchanged()
            return await goal_view(edit.session, edit.family_id, goal_id)
        if exit_criterion:
            edit.session.add(
                ExitCriterion(
                    goal_id=goal_id,
                    family_id=edit.family_id,
                    marked_by=actor.principal.user_id,
                    marked_at=actor.now,
                )
            )
        else:
            await edit.session.execute(delete(ExitCriterion).where(ExitCriterion.goal_id == goal_id))
        await edit.log(
            entity=Entity.GOAL,
            entity_id=goal_id,
            change=ChangeKind.UPDATED,
            summary=f"Goal {'marked' if exit_criterion else 'no longer'} an exit criterion: {goal.title}",
            diff={"exit_criterion": [marked, exit_criterion]},
            person_id=goal.person_id,
        )
        return await goal_view(edit.session, edit.family_id, goal_id)


async def exit_criteria(session: AsyncSession, goal_ids: Collection[str]) -> set[str]:
    """Which of these goals are exit criteria."""
    if not goal_ids:
        return set()
    rows = await session.scalars(
        select(ExitCriterion.goal_id).where(ExitCriterion.goal_id.in_(list(goal_ids)))
    )
    return set(rows)
