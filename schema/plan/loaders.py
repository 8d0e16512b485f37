"""Per-request DataLoaders for the plan, keyed by family id (created lazily in the request's context).

Each loader batches one kind of read for a whole page of families into a fixed number of queries.
`plan_access` answers, per family, what the viewer may do (hub.plan.access); every plan read asks it first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from hub.days import local_day
from hub.plan import history as plan_history
from hub.plan import repository
from hub.plan.access import PlanAccess, access_for
from hub.plan.domain import MeetingStatus
from hub.plan.views import CoreTeamView, HistoryView, MeasurementView, MeetingView, PlanView
from schema.context import Info

V = TypeVar("V")


def _loader(
    info: Info, name: str, fetch: Callable[[AsyncSession, list[str]], Awaitable[dict[str, V]]]
) -> DataLoader[str, V]:
    ctx = info.context
    key = f"plan.{name}"
    existing = ctx.loaders.get(key)
    if existing is None:
        sessions = ctx.services.sessions

        async def load(family_ids: list[str]) -> Sequence[V]:
            async with sessions() as session:
                found = await fetch(session, family_ids)
            return [found[fid] for fid in family_ids]

        existing = DataLoader(load_fn=load)
        ctx.loaders[key] = existing
    return cast(DataLoader[str, V], existing)


def plan_access(info: Info) -> DataLoader[str, PlanAccess]:
    principal, today = info.context.principal, local_day(info.context.now)

    async def fetch(session: AsyncSession, ids: list[str]) -> dict[str, PlanAccess]:
        return await access_for(session, principal, ids, today)

    return _loader(info, "PlanAccessByFamily", fetch)


def plans(info: Info) -> DataLoader[str, PlanView]:
    return _loader(info, "PlanByFamily", repository.plans)


def teams(info: Info) -> DataLoader[str, CoreTeamView]:
    return _loader(info, "CoreTeamByFamily", repository.teams)


def meetings(info: Info) -> DataLoader[str, list[MeetingView]]:
    return _loader(info, "MeetingsByFamily", repository.meetings)


def measurements(info: Info) -> DataLoader[str, list[MeasurementView]]:
    return _loader(info, "MeasurementsByFamily", repository.measurements)


async def latest_meeting(info: Info, family_id: str) -> MeetingView | None:
    held = [m for m in await meetings(info).load(family_id) if m.status is MeetingStatus.HELD]
    return held[-1] if held else None


async def next_meeting(info: Info, family_id: str) -> MeetingView | None:
    now = info.context.now
    upcoming = [
        m
        for m in await meetings(info).load(family_id)
        if m.status is MeetingStatus.SCHEDULED and m.scheduled_at >= now
    ]
    return upcoming[0] if upcoming else None


async def history(info: Info, access: PlanAccess, limit: int) -> list[HistoryView]:
    bounded = max(1, min(limit, 200))
    async with info.context.services.sessions() as session:
        return await plan_history.recent(session, access.family_id, bounded, person_ids=access.person_ids)
