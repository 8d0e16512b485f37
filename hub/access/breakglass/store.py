"""Loading emergency grants for the gate: per family, as raw facts (decided at the request's `now`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.breakglass.models import BreakGlassGrant
from hub.access.breakglass.policy import EmergencyGrant, ReasonCode
from hub.domain import Department


def grant_of(row: BreakGlassGrant) -> EmergencyGrant:
    return EmergencyGrant(
        id=row.id,
        user_id=row.user_id,
        family_id=row.family_id,
        reason=ReasonCode(row.reason_code),
        departments=frozenset(Department(d) for d in row.departments),
        granted_at=row.granted_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


async def grants_of(
    session: AsyncSession, family_ids: Collection[str]
) -> Mapping[str, tuple[EmergencyGrant, ...]]:
    """Every grant ever made on these families (few: an emergency is rare), grouped by family."""
    if not family_ids:
        return {}
    rows = (
        await session.scalars(
            select(BreakGlassGrant).where(BreakGlassGrant.family_id.in_(sorted(family_ids)))
        )
    ).all()
    out: dict[str, list[EmergencyGrant]] = {}
    for row in rows:
        out.setdefault(row.family_id, []).append(grant_of(row))
    return {fid: tuple(grants) for fid, grants in out.items()}
