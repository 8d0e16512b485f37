"""The hand-over record written when a family's course closes (issue 23).

Who takes over (a receiving unit: a department's team, a school, a housing-social worker, not only a
department code), a summary for them, which of the plan's goals continue there, and the day the family was
told. `validate` is pure; `record` adds the row inside closeFamily's transaction, so a closure and its hand-over
are one change. The texts are journalised, never logged.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.errors import BadUserInput
from hub.outcomes.models import HandOverRecord
from hub.plan.models import Goal

UNIT_MAX = 200
SUMMARY_MAX = 4000


@dataclass(frozen=True, slots=True)
class HandOver:
    receiving_unit: str
    summary: str
    continuing_goal_ids: tuple[str, ...]
    family_told_on: date


@dataclass(frozen=True, slots=True)
class HandOverView(HandOver):
    family_id: str
    closed_on: date


def validate(request: HandOver, family_goal_ids: Collection[str], *, today: date) -> HandOver:
    """The cleaned hand-over, or BAD_USER_INPUT naming the field."""
    unit = " ".join(request.receiving_unit.split())
    if not unit:
        raise BadUserInput("name the unit that takes over", field="handOver.receivingUnit")
    if len(unit) > UNIT_MAX:
        raise BadUserInput(
            f"the receiving unit is longer than {UNIT_MAX} characters", field="handOver.receivingUnit"
        )
    summary = request.summary.strip()
    if not summary:
        raise BadUserInput("write a summary for the receiving unit", field="handOver.summary")
    if len(summary) > SUMMARY_MAX:
        raise BadUserInput(f"the summary is longer than {SUMMARY_MAX} characters", field="handOver.summary")
    goals = tuple(dict.fromkeys(request.continuing_goal_ids))
    if any(g not in family_goal_ids for g in goals):
        raise BadUserInput(
            "a continuing goal is not one of the family's goals", field="handOver.continuingGoalIds"
        )
    if request.family_told_on > today:
        raise BadUserInput("the family must have been told by now", field="handOver.familyToldOn")
    return HandOver(unit, summary, goals, request.family_told_on)


async def record(
    session: AsyncSession, family_id: str, request: HandOver, *, closed_on: date, user_id: str | None
) -> HandOver:
    goal_ids = set(await session.scalars(select(Goal.id).where(Goal.family_id == family_id)))
    clean = validate(request, goal_ids, today=closed_on)
    session.add(
        HandOverRecord(
            family_id=family_id,
            closed_on=closed_on,
            receiving_unit=clean.receiving_unit,
            summary=clean.summary,
            continuing_goal_ids=list(clean.continuing_goal_ids),
            family_told_on=clean.family_told_on,
            recorded_by=user_id,
        )
    )
    return clean


async def latest(session: AsyncSession, family_ids: Collection[str]) -> dict[str, HandOverView]:
    """Each family's latest hand-over (a family closed, re-opened and closed again has one per closure)."""
    if not family_ids:
        return {}
    rows = await session.scalars(
        select(HandOverRecord)
        .where(HandOverRecord.family_id.in_(list(family_ids)))
        .order_by(HandOverRecord.recorded_at, HandOverRecord.id)
    )
    out: dict[str, HandOverView] = {}
    for row in rows:
        out[row.family_id] = HandOverView(
            receiving_unit=row.receiving_unit,
            summary=row.summary,
            continuing_goal_ids=tuple(row.continuing_goal_ids),
            family_told_on=row.family_told_on,
            family_id=row.family_id,
            closed_on=row.closed_on,
        )
    return out
