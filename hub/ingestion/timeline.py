"""`Family.timeline(last: N)`: the family's recent changes, newest first, filtered for the viewer.

Two sources: pushed department events (only for (member, department) pairs the gate allows — the same
decision that guards the sections, so a withdrawn consent hides that department's entries at once) and plan
edits from `hub.plan.history.recent` (only those the viewer's plan access shows). Former members are covered
for the period they were members (from the day they joined until the day they left, Copenhagen days), on the
same gate decision as a current member's: what a department pushed about them before or after is not the
family's. Entries carry ids,
versions and short summaries: never record content, never a CPR number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.days import LOCAL_TZ
from hub.domain import Department
from hub.family.gate import Gate
from hub.family.model import MemberInfo
from hub.ingestion.events import EventStatus
from hub.ingestion.models import IngestedEvent
from hub.plan.access import PlanAccess
from hub.plan.history import recent

MAX_TIMELINE = 100


class TimelineKind(StrEnum):
    DEPARTMENT_UPDATE = "DEPARTMENT_UPDATE"
    PLAN_EDIT = "PLAN_EDIT"
    CONSENT_CHANGE = "CONSENT_CHANGE"  # live only: a consent was recorded, withdrawn or superseded
    EMERGENCY_ACCESS = "EMERGENCY_ACCESS"  # live only, to the coordinator: a worker broke the glass


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    occurred_at: datetime
    kind: TimelineKind
    summary: str
    person_id: str | None = None
    department: Department | None = None
    record_kind: str | None = None
    record_id: str | None = None
    version: int | None = None
    deleted: bool = False


async def department_entries(
    session: AsyncSession, gate: Gate, members: Sequence[MemberInfo], limit: int
) -> list[TimelineEntry]:
    """Applied pushes for the (member, department) pairs the gate allows, newest first: one query. A former
    member (`left_on` set) counts only for the days they were a member."""
    if not members or limit <= 0:
        return []
    decisions = await gate.decide_many(members, list(Department))
    allowed: dict[Department, list[str]] = {}
    pairs: list[ColumnElement[bool]] = []
    for member in members:
        for department in Department:
            if not decisions[(member.person_id, department)].allowed:
                continue
            if member.left_on is None:
                allowed.setdefault(department, []).append(member.person_id)
                continue
            pairs.append(
                and_(
                    IngestedEvent.department == department,
                    IngestedEvent.person_id == member.person_id,
                    IngestedEvent.occurred_at >= _day_start(member.joined_on),
                    IngestedEvent.occurred_at < _day_start(member.left_on),
                )
            )
    pairs += [
        and_(IngestedEvent.department == d, IngestedEvent.person_id.in_(ids)) for d, ids in allowed.items()
    ]
    if not pairs:
        return []
    rows = await session.scalars(
        select(IngestedEvent)
        .where(IngestedEvent.status == EventStatus.APPLIED.value, or_(*pairs))
        .order_by(IngestedEvent.occurred_at.desc(), IngestedEvent.received_at.desc())
        .limit(limit)
    )
    out: list[TimelineEntry] = []
    for row in rows:
        assert row.occurred_at is not None  # noqa: S101 - APPLIED events always have one
        out.append(
            TimelineEntry(
                occurred_at=row.occurred_at,
                kind=TimelineKind.DEPARTMENT_UPDATE,
                summary=department_summary(
                    row.department, row.record_kind, row.record_id, row.version, deleted=row.deleted
                ),
                person_id=row.person_id,
                department=row.department,
                record_kind=row.record_kind,
                record_id=row.record_id,
                version=row.version,
                deleted=row.deleted,
            )
        )
    return out


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def department_summary(
    department: Department,
    record_kind: str | None,
    record_id: str | None,
    version: int | None,
    *,
    deleted: bool,
) -> str:
    """The one line for a department's pushed change: the timeline entry and the live update say the same."""
    verb = "deleted" if deleted else "updated"
    return f"{department.value} {verb} {record_kind} {record_id} (version {version})"


async def plan_entries(session: AsyncSession, access: PlanAccess, limit: int) -> list[TimelineEntry]:
    if not access.can_read or limit <= 0:
        return []
    history = await recent(session, access.family_id, limit, person_ids=access.person_ids)
    return [
        TimelineEntry(
            occurred_at=h.occurred_at,
            kind=TimelineKind.PLAN_EDIT,
            summary=h.summary,
            person_id=h.person_id,
        )
        for h in history
        if access.sees_person(h.person_id)
    ]


async def timeline(
    session: AsyncSession,
    gate: Gate,
    members: Sequence[MemberInfo],
    plan_access: PlanAccess | None,
    last: int,
) -> list[TimelineEntry]:
    """The newest `last` entries of both sources, newest first (`last` is capped at MAX_TIMELINE)."""
    last = max(0, min(last, MAX_TIMELINE))
    entries = await department_entries(session, gate, members, last)
    if plan_access is not None:
        entries += await plan_entries(session, plan_access, last)
    entries.sort(key=lambda e: e.occurred_at, reverse=True)
    return entries[:last]
