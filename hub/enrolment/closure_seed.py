"""The demo's closed families as closing leaves them (hub/enrolment/closure.py), for `hub seed`.

Listed last in hub/seed.py SEEDERS (it needs the enrolment seeder's `closed_on` and the plan's meetings): for each CLOSED family, on its `closed_on`, the team's assignments end (the
coordinator `tovholder` keeps the record), the HFI consents still in force end (WITHDRAWN, reason
FAMILY_CLOSED) and meetings still scheduled after the closure are cancelled. Plain set-based statements over
the seeded rows; deterministic; no personal data beyond what the other seeders wrote.
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.consent.closure import FAMILY_CLOSED
from hub.consent.models import Consent
from hub.consent.vocabulary import ConsentStatus
from hub.days import LOCAL_TZ
from hub.domain import FamilyStatus
from hub.persistence.base import new_id
from hub.persistence.models import Family, TeamAssignment, TeamRole
from hub.plan.domain import MeetingStatus
from hub.plan.meetings import CLOSED_REASON
from hub.plan.models import Meeting
from hub.seed_context import SeedContext

RECORD_HOLDER = "tovholder"


async def seed_closures(session: AsyncSession, ctx: SeedContext) -> None:
    closed = (
        await session.execute(
            select(Family.id, Family.closed_on).where(
                Family.status == FamilyStatus.CLOSED, Family.closed_on.is_not(None)
            )
        )
    ).all()
    holder = ctx.users.get(RECORD_HOLDER)
    for family_id, closed_on in closed:
        if closed_on is None:  # pragma: no cover - filtered above
            continue
        at = datetime.combine(closed_on, time(15, 0), tzinfo=LOCAL_TZ)
        await session.execute(
            update(TeamAssignment)
            .where(
                TeamAssignment.family_id == family_id,
                or_(TeamAssignment.until.is_(None), TeamAssignment.until > closed_on),
            )
            .values(until=closed_on)
        )
        if holder is not None:
            await session.execute(
                insert(TeamAssignment).values(
                    id=new_id(),
                    family_id=family_id,
                    user_id=holder,
                    team_role=TeamRole.RECORD,
                    since=closed_on,
                )
            )
        await session.execute(
            update(Consent)
            .where(
                Consent.family_id == family_id,
                Consent.status == ConsentStatus.ACTIVE,
                Consent.valid_until >= closed_on,
                Consent.recorded_at < at,
            )
            .values(
                status=ConsentStatus.WITHDRAWN,
                withdrawn_at=at,
                withdrawn_by_user_id=holder,
                withdrawal_reason=FAMILY_CLOSED,
            )
        )
        await session.execute(
            update(Meeting)
            .where(
                and_(
                    Meeting.family_id == family_id,
                    Meeting.status == MeetingStatus.SCHEDULED,
                    Meeting.scheduled_at > at,
                )
            )
            .values(
                status=MeetingStatus.CANCELLED,
                cancelled_at=at,
                cancelled_by=holder,
                cancel_reason=CLOSED_REASON,
            )
        )
