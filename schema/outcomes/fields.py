"""Resolvers behind `PlanGoal.exitCriterion` and `Family.handOver` (each a batched loader per request)."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from hub.outcomes import exit as exits
from hub.outcomes import handover, snapshots
from hub.outcomes.handover import HandOverView
from hub.outcomes.measures import LABELS, ConfiguredIndicator, parse_indicators
from hub.outcomes.snapshots import Occasion
from schema.context import Context, Info
from schema.outcomes.types import HandOverType, OutcomeSnapshotType


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


@functools.lru_cache(maxsize=4)
def indicators(raw: str) -> tuple[ConfiguredIndicator, ...]:
    """The departments' configured effect indicators (HUB_OUTCOME_INDICATORS), parsed once per value."""
    return parse_indicators(raw)


def labels(ctx: Context) -> dict[str, str]:
    return LABELS | {i.key: i.label for i in indicators(ctx.services.settings.outcome_indicators)}


async def take_snapshot(info: Info, family_id: str, occasion: Occasion) -> list[OutcomeSnapshotType]:
    from schema.signals.fields import _sections

    ctx = info.context
    taken = await snapshots.take(
        ctx.services.sessions,
        ctx.services.vault,
        _sections(ctx),
        principal=ctx.require_principal(),
        family_id=family_id,
        occasion=occasion,
        now=ctx.now,
        indicators=indicators(ctx.services.settings.outcome_indicators),
    )
    names = labels(ctx)
    return [OutcomeSnapshotType.of(v, names) for v in taken]


async def family_outcomes(info: Info, family_id: str) -> list[OutcomeSnapshotType]:
    """The family's snapshots, member by member as the plan's access shows them."""
    from schema.plan.loaders import plan_access

    access = await plan_access(info).load(family_id)
    if not access.can_read:
        return []
    async with info.context.services.sessions() as session:
        found = (await snapshots.of_families(session, [family_id]))[family_id]
    names = labels(info.context)
    return [OutcomeSnapshotType.of(v, names) for v in found if access.sees_person(v.person_id)]
