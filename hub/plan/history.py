"""The family's change history: a row per change in `plan_history` plus an audit event, in one transaction.

`record` is the only way a plan change is logged; `recent` reads the newest entries as the family's timeline
(the family view merges them into `Family.timeline`). Diffs are small and never carry a CPR number or long
free text (minutes, notes, descriptions are logged as "changed", not copied), so the timeline is no second
copy of sensitive text.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.events import AuditAction, AuditDecision, AuditEvent, actor_fields
from hub.audit.log import record as audit_record
from hub.auth.principal import Principal
from hub.days import local_day
from hub.plan.domain import ChangeKind, Entity
from hub.plan.models import HistoryEntry
from hub.plan.repository import workers
from hub.plan.views import HistoryView

AUDIT_SOURCE = "HUB:plan"
PURPOSE = "HFI_COORDINATION"
SUMMARY_MAX = 300
TEXT_FIELDS = frozenset({"description", "minutes", "text", "note", "leave_reason", "agenda", "decisions"})
# Entries of one transaction share a timestamp; a process-wide counter in the id keeps their order stable.
_SEQUENCE = itertools.count()


def _history_id(now: datetime) -> str:
    micros = int(now.timestamp() * 1_000_000)
    return f"H{micros:016x}{next(_SEQUENCE) % 0x10000:04x}{uuid.uuid4().hex[:12]}"


Notify = Callable[[Sequence[Mapping[str, Any]]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who changes the plan, when, and in which request (for the audit trail).

    `notify`, if given, receives a PLAN_EDIT message per history entry after the change has COMMITTED
    (the schema layer publishes them on the family's live channel); it is never called for a rolled-back edit.
    """

    principal: Principal
    now: datetime
    request_id: str | None = None
    notify: Notify | None = None

    @property
    def today(self) -> date:
        return local_day(self.now)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | frozenset | set):
        return [_plain(v) for v in value]
    return value


def diff_of(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> dict[str, Any]:
    """`{field: [old, new]}` for changed fields (`{field: new}` when created); free text only as a marker."""
    out: dict[str, Any] = {}
    for key, new in after.items():
        old = before.get(key) if before is not None else None
        if before is not None and _plain(old) == _plain(new):
            continue
        if key in TEXT_FIELDS:
            out[key] = "changed" if before is not None else "set"
        elif before is None:
            out[key] = _plain(new)
        else:
            out[key] = [_plain(old), _plain(new)]
    return out


async def record(
    session: AsyncSession,
    actor: Actor,
    *,
    family_id: str,
    entity: Entity,
    entity_id: str,
    change: ChangeKind,
    summary: str,
    diff: Mapping[str, Any],
    person_id: str | None = None,
    plan_version: int | None = None,
    categories: tuple[str, ...] = ("CASE",),
) -> None:
    """Append one history entry and its audit event inside the caller's transaction."""
    principal = actor.principal
    session.add(
        HistoryEntry(
            id=_history_id(actor.now),
            family_id=family_id,
            occurred_at=actor.now,
            actor_user_id=principal.user_id,
            entity=entity.value,
            entity_id=entity_id,
            change=change.value,
            person_id=person_id,
            plan_version=plan_version,
            summary=summary[:SUMMARY_MAX],
            diff=dict(diff),
        )
    )
    await audit_change(session, actor, family_id=family_id, person_id=person_id, categories=categories)


async def audit_change(
    session: AsyncSession,
    actor: Actor,
    *,
    family_id: str,
    person_id: str | None = None,
    categories: tuple[str, ...] = ("CASE",),
) -> None:
    """The audit event of a plan change, inside the caller's transaction. `record` writes it with every
    history entry; alone, it audits a change too small for the family's history (a live meeting's draft
    saved as it is typed, the pen passed on: hub/plan/live_meeting.py)."""
    await audit_record(
        session,
        [
            AuditEvent(
                occurred_at=actor.now,
                action=AuditAction.CHANGE,
                decision=AuditDecision.GRANTED,
                reason="core_team",
                **actor_fields(actor.principal),
                subject_person_id=person_id,
                family_id=family_id,
                source=AUDIT_SOURCE,
                categories=categories,
                purpose=PURPOSE,
                basis=None,
                request_id=actor.request_id,
            )
        ],
    )


async def recent(
    session: AsyncSession,
    family_id: str,
    limit: int = 50,
    *,
    person_ids: Collection[str] | None = None,
    before: datetime | None = None,
) -> list[HistoryView]:
    """The family's newest history entries, newest first.

    `person_ids` (for a citizen's view) keeps family-level entries and those about the given members only.
    """
    stmt = select(HistoryEntry).where(HistoryEntry.family_id == family_id)
    if before is not None:
        stmt = stmt.where(HistoryEntry.occurred_at < before)
    if person_ids is not None:
        stmt = stmt.where(HistoryEntry.person_id.is_(None) | HistoryEntry.person_id.in_(list(person_ids)))
    stmt = stmt.order_by(HistoryEntry.occurred_at.desc(), HistoryEntry.id.desc()).limit(max(0, limit))
    rows = list(await session.scalars(stmt))
    who = await workers(session, (r.actor_user_id for r in rows))
    return [
        HistoryView(
            id=r.id,
            family_id=r.family_id,
            occurred_at=r.occurred_at,
            actor=who.get(r.actor_user_id or ""),
            entity=r.entity,
            entity_id=r.entity_id,
            change=r.change,
            person_id=r.person_id,
            plan_version=r.plan_version,
            summary=r.summary,
            diff=dict(r.diff),
        )
        for r in rows
    ]
