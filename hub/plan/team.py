"""The family's core team: assign and unassign the coordinator, the makkerpar and other core-team workers.

Assignments live in the core `team_assignments` table; unassigning sets `until`, so the team's history stays.
Every change runs the access hooks (hub/access/hooks.py), so in-memory access facts are dropped at once.
Rules: one current coordinator, at most two makkerpar workers (normally from two different departments), a
worker appears once in the current team. Only coordinators manage the team (see hub.plan.access).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.access.hooks import AccessChange, run_access_hooks
from hub.access.visibility import TEAM_ASSIGNMENT
from hub.domain import Role
from hub.errors import BadUserInput
from hub.persistence.models import TeamAssignment, TeamRole, User
from hub.plan import repository
from hub.plan.domain import ChangeKind, Entity
from hub.plan.edits import Edit, open_edit, owner_of
from hub.plan.history import Actor
from hub.plan.views import TeamMemberView

TEAM_ROLES = (TeamRole.COORDINATOR, TeamRole.MAKKERPAR, TeamRole.CORE_TEAM)
MAKKERPAR_SIZE = 2


async def _open_assignments(session: AsyncSession, family_id: str, today: date) -> list[TeamAssignment]:
    return list(
        await session.scalars(
            select(TeamAssignment).where(
                TeamAssignment.family_id == family_id,
                or_(TeamAssignment.until.is_(None), TeamAssignment.until > today),
            )
        )
    )


async def _view(edit: Edit, assignment_id: str) -> TeamMemberView:
    await edit.session.flush()
    team = (await repository.teams(edit.session, [edit.family_id]))[edit.family_id]
    return next(a for a in team.assignments if a.assignment_id == assignment_id)


async def check_assignment(
    session: AsyncSession, family_id: str, user_id: str, team_role: str, today: date
) -> User:
    """The team's rules for a new assignment (BadUserInput otherwise); also used by the administrator's
    assignments (hub/auth/staffing.py). Returns the worker."""
    if team_role not in TEAM_ROLES:
        raise BadUserInput("unknown team role", field="teamRole")
    user = await session.get(User, user_id)
    if user is None or not user.active or user.role not in (Role.COORDINATOR, Role.CORE_TEAM):
        raise BadUserInput("only active coordinators and core-team workers join a core team", field="userId")
    if team_role != TeamRole.COORDINATOR and user.department is None:
        raise BadUserInput("a core-team worker belongs to a department", field="userId")
    current = await _open_assignments(session, family_id, today)
    if any(a.user_id == user_id for a in current):
        raise BadUserInput("the worker is already on this family's core team", field="userId")
    if team_role == TeamRole.COORDINATOR and any(a.team_role == TeamRole.COORDINATOR for a in current):
        raise BadUserInput("the family has a coordinator; unassign them first", field="teamRole")
    if (
        team_role == TeamRole.MAKKERPAR
        and sum(a.team_role == TeamRole.MAKKERPAR for a in current) >= MAKKERPAR_SIZE
    ):
        raise BadUserInput("the makkerpar has two workers already; unassign one first", field="teamRole")
    return user


async def assign_team_member(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    family_id: str,
    user_id: str,
    team_role: str,
    since: date | None = None,
) -> TeamMemberView:
    if team_role not in TEAM_ROLES:
        raise BadUserInput("unknown team role", field="teamRole")
    start = since or actor.today
    async with open_edit(sessions, actor, family_id, manage_team=True) as edit:
        user = await check_assignment(edit.session, family_id, user_id, team_role, actor.today)
        row = TeamAssignment(family_id=family_id, user_id=user_id, team_role=team_role, since=start)
        edit.session.add(row)
        await edit.session.flush()
        await edit.log(
            entity=Entity.TEAM,
            entity_id=row.id,
            change=ChangeKind.ASSIGNED,
            summary=f"{user.display_name} joined the core team as {team_role.lower().replace('_', ' ')}",
            diff={"user_id": user_id, "team_role": team_role, "since": start.isoformat()},
        )
        await run_access_hooks(
            edit.session, AccessChange(family_id, frozenset({user_id}), "team_assigned", actor.now)
        )
        return await _view(edit, row.id)


async def unassign_team_member(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    assignment_id: str,
    until: date | None = None,
) -> TeamMemberView:
    end = until or actor.today
    family_id = (await owner_of(sessions, TeamAssignment, assignment_id, TEAM_ASSIGNMENT)).family_id
    async with open_edit(sessions, actor, family_id, manage_team=True, hidden_as=TEAM_ASSIGNMENT) as edit:
        row = await edit.session.get(TeamAssignment, assignment_id)
        if row is None:  # pragma: no cover - found a moment ago, and assignments are never deleted
            raise TEAM_ASSIGNMENT.error()
        if row.until is not None and row.until <= actor.today:
            raise BadUserInput("the assignment has already ended", field="assignmentId")
        if end < row.since:
            raise BadUserInput("an assignment cannot end before it started", field="until")
        row.until = end
        user = await edit.session.get(User, row.user_id)
        await edit.log(
            entity=Entity.TEAM,
            entity_id=row.id,
            change=ChangeKind.UNASSIGNED,
            summary=f"{user.display_name if user else 'A worker'} left the core team",
            diff={"user_id": row.user_id, "team_role": row.team_role, "until": end.isoformat()},
        )
        await run_access_hooks(
            edit.session, AccessChange(family_id, frozenset({row.user_id}), "team_unassigned", actor.now)
        )
        return await _view(edit, row.id)
