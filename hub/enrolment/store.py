"""Reads and writes of the enrolment tables, inside the caller's transaction. No decisions here.

`take_capacity_lock` must be the FIRST statement of a capacity decision's transaction: a write (an upsert of
the programme's lock row) that serialises every enrolment (the row lock on PostgreSQL, the database write lock
on SQLite taken before the transaction reads anything, so the count it then reads is current).
`log_change` writes the family timeline entry (the plan's `plan_history`, entity ENROLMENT) and the audit
event (CHANGE) of one change, in the same transaction as the change.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.events import AuditAction, AuditDecision, AuditEvent, actor_fields
from hub.audit.log import record as audit_record
from hub.auth.principal import Principal
from hub.domain import FamilyStatus
from hub.enrolment.models import EligibilityAssessment, EnrolmentEvent, EnrolmentLock, EventKind, Outcome
from hub.enrolment.rules import holds_queue_place, queue_order
from hub.family.model import FamilyInfo
from hub.persistence.models import Family
from hub.plan.models import HistoryEntry

_SEQUENCE = itertools.count()
PROGRAMME_LOCK = "programme"
AUDIT_SOURCE = "HUB:enrolment"
PURPOSE = "HFI_COORDINATION"
HISTORY_ENTITY = "ENROLMENT"


async def take_capacity_lock(session: AsyncSession) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(EnrolmentLock).values(name=PROGRAMME_LOCK, version=1)
    stmt = stmt.on_conflict_do_update(index_elements=["name"], set_={"version": EnrolmentLock.version + 1})
    await session.execute(stmt)


async def active_count(session: AsyncSession) -> int:
    stmt = select(func.count()).select_from(Family).where(Family.status == FamilyStatus.ACTIVE)
    return int(await session.scalar(stmt) or 0)


def _ahead_of(family: Family) -> Any:
    return or_(
        Family.referred_on < family.referred_on,
        and_(Family.referred_on == family.referred_on, Family.id < family.id),
    )


async def waiting_ahead(session: AsyncSession, family: Family) -> int:
    """Waitlisted families ahead of `family` in referral order (referred_on, then id) that hold their place
    in the queue (rules.holds_queue_place: not re-assessed NOT_ELIGIBLE)."""
    stmt = select(Family.id).where(
        Family.status == FamilyStatus.WAITLISTED, Family.id != family.id, _ahead_of(family)
    )
    ahead = list(await session.scalars(stmt))
    outcomes = await latest_outcomes(session, ahead)
    return sum(holds_queue_place(outcomes.get(fid)) for fid in ahead)


async def waitlisted(session: AsyncSession) -> list[Family]:
    """The waitlist in queue order: families holding their place first, then those found not eligible,
    each in referral order (rules.queue_order)."""
    stmt = (
        select(Family).where(Family.status == FamilyStatus.WAITLISTED).order_by(Family.referred_on, Family.id)
    )
    rows = list(await session.scalars(stmt))
    outcomes = await latest_outcomes(session, [r.id for r in rows])
    order = queue_order([(r.id, holds_queue_place(outcomes.get(r.id))) for r in rows])
    by_id = {r.id: r for r in rows}
    return [by_id[fid] for fid in order]


async def latest_outcomes(session: AsyncSession, family_ids: Sequence[str]) -> dict[str, Outcome]:
    """Each family's latest eligibility outcome (families never assessed are absent)."""
    if not family_ids:
        return {}
    rows = await session.execute(
        select(EligibilityAssessment.family_id, EligibilityAssessment.outcome)
        .where(EligibilityAssessment.family_id.in_(list(family_ids)))
        .order_by(EligibilityAssessment.assessed_at, EligibilityAssessment.id)
    )
    return {str(fid): outcome for fid, outcome in rows.all()}  # in time order: the latest wins


async def latest_assessment(session: AsyncSession, family_id: str) -> EligibilityAssessment | None:
    stmt = (
        select(EligibilityAssessment)
        .where(EligibilityAssessment.family_id == family_id)
        .order_by(EligibilityAssessment.assessed_at.desc(), EligibilityAssessment.id.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def last_closed_at(session: AsyncSession, family_id: str) -> datetime | None:
    stmt = select(func.max(EnrolmentEvent.occurred_at)).where(
        EnrolmentEvent.family_id == family_id, EnrolmentEvent.kind == EventKind.CLOSED
    )
    found: datetime | None = await session.scalar(stmt)
    return found


def family_info(row: Family) -> FamilyInfo:
    return FamilyInfo(
        id=row.id,
        display_name=row.display_name,
        district=row.district,
        housing_area=row.housing_area,
        status=row.status,
        referral_source=row.referral_source,
        referred_on=row.referred_on,
        enrolled_on=row.enrolled_on,
        closed_on=row.closed_on,
        close_reason=row.close_reason,
        handed_over_to=row.handed_over_to,
        version=row.version,
    )


def history_id(now: datetime, prefix: str = "H") -> str:
    """Time-ordered ids (time, then a process-wide counter): changes made at one `now` keep their order.

    Sorts with the plan's own history ids, so the family timeline keeps its order too."""
    micros = int(now.timestamp() * 1_000_000)
    return f"{prefix}{micros:016x}{next(_SEQUENCE) % 0x10000:04x}{uuid.uuid4().hex[:12]}"


async def log_change(
    session: AsyncSession,
    principal: Principal,
    *,
    now: datetime,
    request_id: str | None,
    family_id: str,
    entity_id: str,
    change: str,
    summary: str,
    diff: Mapping[str, Any],
    reason: str = "coordinator",
) -> None:
    """One timeline entry and one audit event (CHANGE) for one change, in the caller's transaction."""
    session.add(
        HistoryEntry(
            id=history_id(now),
            family_id=family_id,
            occurred_at=now,
            actor_user_id=principal.user_id,
            entity=HISTORY_ENTITY,
            entity_id=entity_id,
            change=change,
            person_id=None,
            plan_version=None,
            summary=summary[:300],
            diff=dict(diff),
        )
    )
    await session.flush()
    await audit_record(
        session,
        [
            AuditEvent(
                occurred_at=now,
                action=AuditAction.CHANGE,
                decision=AuditDecision.GRANTED,
                reason=reason,
                **actor_fields(principal),
                subject_person_id=None,
                family_id=family_id,
                source=AUDIT_SOURCE,
                categories=("CASE",),
                purpose=PURPOSE,
                basis=None,
                request_id=request_id,
            )
        ],
    )


def status_diff(before: FamilyStatus, after: FamilyStatus, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"status": [before.value, after.value]}
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


def day_iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


async def offered_place(session: AsyncSession, cap: int) -> Family | None:
    """The family a free place offers itself to: the first waitlisted family holding its place (None when
    the programme is full or nobody waits)."""
    if await active_count(session) >= cap:
        return None
    rows = await waitlisted(session)
    outcomes = await latest_outcomes(session, [r.id for r in rows])
    return next((r for r in rows if holds_queue_place(outcomes.get(r.id))), None)


async def waitlisted_since(session: AsyncSession, family_ids: list[str]) -> dict[str, date]:
    if not family_ids:
        return {}
    rows = await session.execute(
        select(EnrolmentEvent.family_id, EnrolmentEvent.effective_on)
        .where(EnrolmentEvent.family_id.in_(family_ids), EnrolmentEvent.kind == EventKind.WAITLISTED)
        .order_by(EnrolmentEvent.occurred_at)
    )
    return {str(fid): on for fid, on in rows.all()}  # ordered by time: the latest waitlisting wins
