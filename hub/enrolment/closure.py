"""What closing a family ends, and what re-opening it starts again: the sharing around the family.

`end_sharing` runs inside closeFamily's transaction:
- every team assignment still running ends today (`until` set: the team stays in the history), and the
  closing coordinator keeps the family's RECORD (hub.persistence.models.TeamRole.RECORD): the hub's own data,
  read-only, so the family can be re-opened; no department data is shared on it without a new consent;
- the consents given for HFI coordination end (WITHDRAWN, reason FAMILY_CLOSED; hub/consent/closure.py),
  statutory bases are left as they are;
- the plan is frozen (hub/plan/edits.py refuses every change with CONFLICT, reason FAMILY_CLOSED) and the
  meetings still ahead are cancelled (hub/plan/meetings.py);
- the access hooks (hub/access/hooks.py) and the consent withdrawal hooks run, so nothing that keeps access
  or consent facts in memory serves the old facts to the next request.
Afterwards the family's data is seen as the law allows without the programme: each department's own
caseworkers (their own department's data) and the family itself.

`resume_sharing` runs when a closed family is re-enrolled: the record ends and the re-enrolling coordinator is
the family's coordinator again. The core team is assigned anew, and consent is asked again (the closure's
withdrawal stops every consent recorded before it).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.hooks import AccessChange, run_access_hooks
from hub.consent.closure import end_family_consents
from hub.enrolment.access import Actor
from hub.persistence.models import TeamAssignment, TeamRole
from hub.plan import history
from hub.plan.domain import ChangeKind, Entity
from hub.plan.meetings import cancel_upcoming


@dataclass(frozen=True, slots=True)
class SharingEnded:
    assignments_ended: int
    consents_ended: int
    meetings_cancelled: int


def _plan_actor(actor: Actor) -> history.Actor:
    return history.Actor(actor.principal, actor.now, actor.request_id)


async def _running(session: AsyncSession, family_id: str, actor: Actor) -> list[TeamAssignment]:
    return list(
        await session.scalars(
            select(TeamAssignment).where(
                TeamAssignment.family_id == family_id,
                or_(TeamAssignment.until.is_(None), TeamAssignment.until > actor.today),
            )
        )
    )


async def end_sharing(session: AsyncSession, actor: Actor, family_id: str) -> SharingEnded:
    today = actor.today
    plan_actor = _plan_actor(actor)
    running = await _running(session, family_id, actor)
    ended = [a for a in running if a.team_role != TeamRole.RECORD]
    for assignment in ended:
        assignment.until = max(today, assignment.since)  # [since, until): not current from today on
        await history.record(
            session,
            plan_actor,
            family_id=family_id,
            entity=Entity.TEAM,
            entity_id=assignment.id,
            change=ChangeKind.UNASSIGNED,
            summary="Left the core team: the family was closed",
            diff={
                "user_id": assignment.user_id,
                "team_role": assignment.team_role,
                "until": today.isoformat(),
            },
        )
    if not any(a.team_role == TeamRole.RECORD and a.user_id == actor.principal.user_id for a in running):
        session.add(
            TeamAssignment(
                family_id=family_id, user_id=actor.principal.user_id, team_role=TeamRole.RECORD, since=today
            )
        )
    await session.flush()
    consents = await end_family_consents(
        session, actor.principal, family_id, now=actor.now, request_id=actor.request_id
    )
    meetings = await cancel_upcoming(session, plan_actor, family_id)
    await history.record(
        session,
        plan_actor,
        family_id=family_id,
        entity=Entity.PLAN,
        entity_id=family_id,
        change=ChangeKind.CLOSED,
        summary="The family was closed: the plan is read-only, the team's assignments and the consents ended",
        diff={"assignments_ended": len(ended), "consents_ended": consents, "meetings_cancelled": meetings},
    )
    users = frozenset(a.user_id for a in running) | {actor.principal.user_id}
    await run_access_hooks(session, AccessChange(family_id, users, "family_closed", actor.now))
    return SharingEnded(len(ended), consents, meetings)


async def resume_sharing(session: AsyncSession, actor: Actor, family_id: str) -> None:
    """A closed family is re-enrolled: its record ends, the re-enrolling coordinator coordinates it again."""
    today = actor.today
    running = await _running(session, family_id, actor)
    for record in (a for a in running if a.team_role == TeamRole.RECORD):
        record.until = max(today, record.since)
    if not any(a.team_role == TeamRole.COORDINATOR for a in running):
        row = TeamAssignment(
            family_id=family_id, user_id=actor.principal.user_id, team_role=TeamRole.COORDINATOR, since=today
        )
        session.add(row)
        await session.flush()
        await history.record(
            session,
            _plan_actor(actor),
            family_id=family_id,
            entity=Entity.TEAM,
            entity_id=row.id,
            change=ChangeKind.ASSIGNED,
            summary="Coordinator again: the family was re-opened (consent is asked again)",
            diff={"user_id": row.user_id, "team_role": row.team_role, "since": today.isoformat()},
        )
    users = frozenset(a.user_id for a in running) | {actor.principal.user_id}
    await run_access_hooks(session, AccessChange(family_id, users, "family_reopened", actor.now))
