"""Resolvers behind `PlanGoal.exitCriterion` and `Family.handOver` (each a batched loader per request)."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from hub.outcomes import exit as exits
from hub.outcomes import handover
from hub.outcomes.handover import HandOverView
from schema.context import Context, Info
from schema.outcomes.types import HandOverType


def _exit_criterion_by_goal(ctx: Context) -> DataLoader[str, bool]:
    existing = ctx.loaders.get("ExitCriterionByGoal")
    if existing is None:

        async def load(goal_ids: list[str]) -> Sequence[bool]:
            async with ctx.services.sessions() as session:
                marked = await exits.exit_criteria(session, goal_ids)
            return [g in marked for g in goal_ids]

        existing = DataLoader(load_fn=load)
        ctx.loaders["ExitCriterionByGoal"] = existing
    return existing


def _handover_by_family(ctx: Context) -> DataLoader[str, HandOverView | None]:
    existing = ctx.loaders.get("HandOverByFamily")
    if existing is None:

        async def load(family_ids: list[str]) -> Sequence[HandOverView | None]:
            async with ctx.services.sessions() as session:
                found = await handover.latest(session, family_ids)
            return [found.get(f) for f in family_ids]

        existing = DataLoader(load_fn=load)
        ctx.loaders["HandOverByFamily"] = existing
    return existing


async def exit_criterion(info: Info, goal_id: str) -> bool:
    """The goal was shown to the viewer by its plan's access already: this only adds one flag to it."""
    return await _exit_criterion_by_goal(info.context).load(goal_id)


async def family_handover(info: Info, family_id: str) -> HandOverType | None:
    """The family's hand-over, for those who may read its plan (the team's record, the family itself)."""
    from schema.plan.loaders import plan_access

    if not (await plan_access(info).load(family_id)).can_read:
        return None
    found = await _handover_by_family(info.context).load(family_id)
    return HandOverType.of(found) if found is not None else None
