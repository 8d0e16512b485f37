"""Acknowledging a conflict: an entry in the plan's history (entity CONFLICT, change ACKNOWLEDGED, the note as
its summary) and a CHANGE audit event, in one transaction. No table of its own: the plan's history is the
record, so the team sees what is settled beside every other plan change."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.agenda.model import Conflict
from hub.audit.events import AuditAction, AuditDecision, AuditEvent, actor_fields
from hub.audit.log import record as audit_record
from hub.auth.principal import Principal
from hub.errors import BadUserInput
from hub.plan.history import AUDIT_SOURCE, PURPOSE, SUMMARY_MAX
from hub.plan.models import HistoryEntry
from hub.plan.repository import workers

ENTITY = "CONFLICT"
CHANGE = "ACKNOWLEDGED"
NOTE_MAX = SUMMARY_MAX


@dataclass(frozen=True, slots=True)
class Acknowledged:
    at: datetime
    by: str | None  # the worker's display name
    note: str


async def acknowledgements(
    session: AsyncSession, family_id: str, keys: Collection[str]
) -> dict[str, list[Acknowledged]]:
    if not keys:
        return {}
    rows = list(
        await session.scalars(
            select(HistoryEntry)
            .where(
                HistoryEntry.family_id == family_id,
                HistoryEntry.entity == ENTITY,
                HistoryEntry.entity_id.in_(list(keys)),
            )
            .order_by(HistoryEntry.occurred_at, HistoryEntry.id)
        )
    )
    names = await workers(session, (r.actor_user_id for r in rows))
    out: dict[str, list[Acknowledged]] = defaultdict(list)
    for row in rows:
        worker = names.get(row.actor_user_id or "")
        out[row.entity_id].append(
            Acknowledged(row.occurred_at, worker.display_name if worker else None, row.summary)
        )
    return out


async def acknowledge(
    session: AsyncSession,
    principal: Principal,
    family_id: str,
    conflict: Conflict,
    note: str,
    *,
    now: datetime,
    request_id: str | None,
) -> Acknowledged:
    """Inside the caller's transaction; the caller has checked that the viewer may edit the family's plan."""
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise BadUserInput(f"the note may be at most {NOTE_MAX} characters", field="note")
    session.add(
        HistoryEntry(
            id=f"C{int(now.timestamp() * 1_000_000):016x}{uuid.uuid4().hex[:16]}",
            family_id=family_id,
            occurred_at=now,
            actor_user_id=principal.user_id,
            entity=ENTITY,
            entity_id=conflict.key,
            change=CHANGE,
            person_id=conflict.person_ids[0] if len(conflict.person_ids) == 1 else None,
            plan_version=None,
            summary=note,
            diff={"rule": conflict.rule.value, "items": len(conflict.item_keys)},
        )
    )
    await audit_record(
        session,
        [
            AuditEvent(
                occurred_at=now,
                action=AuditAction.CHANGE,
                decision=AuditDecision.GRANTED,
                reason="core_team",
                **actor_fields(principal),
                subject_person_id=conflict.person_ids[0] if len(conflict.person_ids) == 1 else None,
                family_id=family_id,
                source=AUDIT_SOURCE,
                categories=("CASE",),
                purpose=PURPOSE,
                basis=None,
                request_id=request_id,
            )
        ],
    )
    worker = (await workers(session, [principal.user_id])).get(principal.user_id)
    return Acknowledged(now, worker.display_name if worker else None, note)
