"""A family's distinct municipal contact points on a day: the programme's aim is to bring them down (one way in).

Counted from what the hub itself holds, the same way at enrolment (stored on the ENROLLED event by
`enrolFamily`) and now (the steering report): the distinct workers currently on the family's core team
(coordinator, makkerpar, core team) and the distinct caseworkers holding a current member's case. A worker who
is both counts once. No department is called and no person's data is read, so the count needs no consent; it
leaves the hub only aggregated and suppressed (hub/enrolment/report.py). Department contacts that only the
departments' records name (a mentor, a health visitor) are not in it: `Family.contacts` shows those to the team.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.persistence.models import CaseloadEntry, Membership, TeamAssignment


async def contact_points(session: AsyncSession, family_ids: Collection[str], today: date) -> dict[str, int]:
    """family id -> distinct workers the family deals with on `today` (two statements for all families)."""
    if not family_ids:
        return {}
    ids = list(family_ids)
    workers: dict[str, set[str]] = {fid: set() for fid in ids}
    team = await session.execute(
        select(TeamAssignment.family_id, TeamAssignment.user_id).where(
            TeamAssignment.family_id.in_(ids),
            TeamAssignment.since <= today,
            or_(TeamAssignment.until.is_(None), TeamAssignment.until > today),
        )
    )
    caseworkers = await session.execute(
        select(Membership.family_id, CaseloadEntry.user_id)
        .join(CaseloadEntry, CaseloadEntry.person_id == Membership.person_id)
        .where(Membership.family_id.in_(ids), Membership.left_on.is_(None))
    )
    for family_id, user_id in [*team.all(), *caseworkers.all()]:
        workers[family_id].add(user_id)
    return {fid: len(users) for fid, users in workers.items()}
