"""Plan entries obtained under a consent that has since been withdrawn (DOMAIN §4).

Withdrawal works from its moment, not backwards: what the team already wrote into the family's own plan stays
(the duty to keep records), marked as obtained under the withdrawn consent. A withdrawal hook
(hub/consent/hooks.py) runs in the withdrawal's transaction and marks every entry written while the consent was in
force (from when it was recorded until it was withdrawn) that could rest on it:

- goals of the consent's subject, and the family's own goals, created or changed in that window;
- progress notes on those goals written in that window;
- meeting minutes recorded in that window (minutes are the whole family's).

A consent the hub ended because the family's course was closed (`FAMILY_CLOSED`) is not a withdrawal of this
kind and marks nothing; nor does an expired or superseded one. Marks are facts, never removed. Never calls a
department and never logs personal data.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.consent.closure import FAMILY_CLOSED
from hub.consent.hooks import Withdrawal, register_withdrawal_hook
from hub.consent.models import Consent
from hub.consent.vocabulary import ConsentStatus
from hub.domain import Department
from hub.plan.models import Goal, Meeting, ProgressNote, WithdrawnConsentMark

GOAL = "GOAL"
PROGRESS_NOTE = "PROGRESS_NOTE"
MEETING_MINUTES = "MEETING_MINUTES"


@dataclass(frozen=True, slots=True)
class MarkView:
    entity: str
    entity_id: str
    consent_id: str
    subject_id: str
    departments: tuple[Department, ...]
    withdrawn_at: datetime


async def mark_entries(session: AsyncSession, withdrawal: Withdrawal) -> int:
    """Mark the family's plan entries written while the withdrawn consent was in force; returns how many."""
    consent = await session.get(Consent, withdrawal.consent_id)
    if (
        consent is None
        or consent.status is not ConsentStatus.WITHDRAWN
        or consent.withdrawal_reason == FAMILY_CLOSED
    ):
        return 0
    start, end = consent.recorded_at, withdrawal.withdrawn_at
    family_id, subject_id = withdrawal.family_id, withdrawal.subject_id
    concerns = or_(Goal.person_id == subject_id, Goal.person_id.is_(None))
    goals = await session.scalars(
        select(Goal.id).where(
            Goal.family_id == family_id, concerns, Goal.created_at < end, Goal.updated_at >= start
        )
    )
    notes = await session.scalars(
        select(ProgressNote.id)
        .join(Goal, Goal.id == ProgressNote.goal_id)
        .where(
            Goal.family_id == family_id,
            concerns,
            ProgressNote.written_at >= start,
            ProgressNote.written_at < end,
        )
    )
    minutes = await session.scalars(
        select(Meeting.id).where(
            Meeting.family_id == family_id,
            Meeting.minutes_recorded_at.is_not(None),
            and_(Meeting.minutes_recorded_at >= start, Meeting.minutes_recorded_at < end),
        )
    )
    entries = (
        [(GOAL, i) for i in goals]
        + [(PROGRESS_NOTE, i) for i in notes]
        + [(MEETING_MINUTES, i) for i in minutes]
    )
    departments = sorted(d.value for d in withdrawal.departments)
    for entity, entity_id in entries:
        session.add(
            WithdrawnConsentMark(
                family_id=family_id,
                entity=entity,
                entity_id=entity_id,
                consent_id=consent.id,
                subject_id=subject_id,
                departments=departments,
                withdrawn_at=end,
            )
        )
    return len(entries)


@register_withdrawal_hook
async def _on_withdrawal(session: AsyncSession, withdrawal: Withdrawal) -> None:
    await mark_entries(session, withdrawal)


async def marks_for(session: AsyncSession, entity_ids: Collection[str]) -> dict[str, list[MarkView]]:
    """Every mark on these entries (goal, note or meeting ids), oldest withdrawal first: one query."""
    if not entity_ids:
        return {}
    rows = await session.scalars(
        select(WithdrawnConsentMark)
        .where(WithdrawnConsentMark.entity_id.in_(list(entity_ids)))
        .order_by(WithdrawnConsentMark.withdrawn_at, WithdrawnConsentMark.id)
    )
    out: dict[str, list[MarkView]] = {}
    for row in rows:
        out.setdefault(row.entity_id, []).append(
            MarkView(
                entity=row.entity,
                entity_id=row.entity_id,
                consent_id=row.consent_id,
                subject_id=row.subject_id,
                departments=tuple(Department(d) for d in row.departments),
                withdrawn_at=row.withdrawn_at,
            )
        )
    return out
