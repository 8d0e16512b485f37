"""The administrator's staffing: who works with which family (team assignments) and whose case (caseloads).

For the CLI (`hub assignments`, `hub caseloads`) and the GraphQL admin mutations (schema/admin). An empty
production database gets its first coordinators this way; afterwards coordinators manage their own teams
(hub/plan/team.py, whose rules an assignment here obeys too: `check_assignment`).
Every change is one transaction with an event on the SECURITY audit chain (hub/auth/security_audit.py); the
ORM listeners move the facts epoch (hub/readmodel/changes.py) and the access hooks run (hub/access/hooks.py),
so the read model and live streams see the change at the worker's next request, as for any fact change.
Errors: NOT_FOUND (no such user, family, person, assignment or caseload entry), BAD_USER_INPUT (the rules),
CONFLICT (a closed family, already assigned, already on the caseload, an ended assignment). Who may call is
decided by the caller (admins only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.access.hooks import AccessChange, run_access_hooks
from hub.audit.log import record
from hub.auth.security_audit import ChangeActor, security_event
from hub.auth.users import find_user
from hub.days import local_day
from hub.domain import Department, FamilyStatus, Role
from hub.errors import BadUserInput, Conflict, NotFound
from hub.persistence.engine import transaction
from hub.persistence.models import CaseloadEntry, Family, Person, TeamAssignment
from hub.plan.team import check_assignment

ID_MAX = 64


@dataclass(frozen=True, slots=True)
class AssignmentView:
    id: str
    family_id: str
    user_id: str
    team_role: str
    since: date
    until: date | None


@dataclass(frozen=True, slots=True)
class CaseloadView:
    id: str
    user_id: str
    person_id: str
    department: Department


def _assignment(row: TeamAssignment) -> AssignmentView:
    return AssignmentView(row.id, row.family_id, row.user_id, row.team_role, row.since, row.until)


def _id(value: str, field: str) -> str:
    if not value or len(value) > ID_MAX or "\x00" in value:
        raise BadUserInput("not an id", field=field)
    return value


async def assign(
    sessions: async_sessionmaker[AsyncSession],
    actor: ChangeActor,
    now: datetime,
    *,
    family_id: str,
    user: str,
    team_role: str,
    since: date | None = None,
    request_id: str | None = None,
) -> AssignmentView:
    """Put a worker (id or username) on a family's team in a team role (COORDINATOR, MAKKERPAR, CORE_TEAM)."""
    family_id = _id(family_id, "familyId")
    today = local_day(now)
    async with transaction(sessions) as session:
        family = await session.get(Family, family_id)
        if family is None:
            raise NotFound("no such family", field="familyId")
        if family.status is FamilyStatus.CLOSED:
            # A closed family's team has ended; re-opening goes through consent and enrolment (README).
            raise Conflict("the family is closed", field="familyId")
        worker = await find_user(session, user)
        current = await session.scalar(
            select(TeamAssignment.id).where(
                TeamAssignment.family_id == family_id,
                TeamAssignment.user_id == worker.id,
                or_(TeamAssignment.until.is_(None), TeamAssignment.until > today),
            )
        )
        if current is not None:
            raise Conflict("the worker is already on this family's team", field="userId")
        await check_assignment(session, family_id, worker.id, team_role.upper(), today)
        row = TeamAssignment(
            family_id=family_id, user_id=worker.id, team_role=team_role.upper(), since=since or today
        )
        session.add(row)
        await session.flush()
        event = security_event(
            actor, "team_assigned", now, user_id=worker.id, family_id=family_id, request_id=request_id
        )
        await record(session, [event])
        await run_access_hooks(session, AccessChange(family_id, frozenset({worker.id}), "team_assigned", now))
        return _assignment(row)


async def end_assignment(
    sessions: async_sessionmaker[AsyncSession],
    actor: ChangeActor,
    now: datetime,
    *,
    assignment_id: str,
    until: date | None = None,
    request_id: str | None = None,
) -> AssignmentView:
    """End a team assignment (today unless `until`); the history stays."""
    assignment_id = _id(assignment_id, "assignmentId")
    end = until or local_day(now)
    async with transaction(sessions) as session:
        row = await session.get(TeamAssignment, assignment_id)
        if row is None:
            raise NotFound("no such team assignment", field="assignmentId")
        if row.until is not None and row.until <= local_day(now):
            raise Conflict("the assignment has already ended", field="assignmentId")
        if end < row.since:
            raise BadUserInput("an assignment cannot end before it started", field="until")
        row.until = end
        event = security_event(
            actor, "team_unassigned", now, user_id=row.user_id, family_id=row.family_id, request_id=request_id
        )
        await record(session, [event])
        await run_access_hooks(
            session, AccessChange(row.family_id, frozenset({row.user_id}), "team_unassigned", now)
        )
        return _assignment(row)


async def add_to_caseload(
    sessions: async_sessionmaker[AsyncSession],
    actor: ChangeActor,
    now: datetime,
    *,
    user: str,
    person_id: str,
    request_id: str | None = None,
) -> CaseloadView:
    """Put a person on a caseworker's caseload, in the caseworker's own department."""
    person_id = _id(person_id, "personId")
    try:
        async with transaction(sessions) as session:
            worker = await find_user(session, user)
            if not worker.active or worker.role is not Role.CASEWORKER or worker.department is None:
                raise BadUserInput(
                    "only an active caseworker of a department holds a caseload", field="userId"
                )
            if await session.get(Person, person_id) is None:
                raise NotFound("no such person", field="personId")
            exists = await session.scalar(
                select(CaseloadEntry.id).where(
                    CaseloadEntry.user_id == worker.id, CaseloadEntry.person_id == person_id
                )
            )
            if exists is not None:
                raise Conflict("the person is already on this caseload", field="personId")
            row = CaseloadEntry(user_id=worker.id, person_id=person_id, department=worker.department)
            session.add(row)
            await session.flush()
            event = security_event(
                actor, "caseload_added", now, user_id=worker.id, person_id=person_id, request_id=request_id
            )
            await record(session, [event])
            return CaseloadView(row.id, row.user_id, row.person_id, row.department)
    except IntegrityError as exc:  # the same entry added at the same moment by another request
        raise Conflict("the person is already on this caseload", field="personId") from exc


async def remove_from_caseload(
    sessions: async_sessionmaker[AsyncSession],
    actor: ChangeActor,
    now: datetime,
    *,
    user: str,
    person_id: str,
    request_id: str | None = None,
) -> CaseloadView:
    """Take a person off a caseworker's caseload (their access to the person ends with it)."""
    person_id = _id(person_id, "personId")
    async with transaction(sessions) as session:
        worker = await find_user(session, user)
        row = await session.scalar(
            select(CaseloadEntry).where(
                CaseloadEntry.user_id == worker.id, CaseloadEntry.person_id == person_id
            )
        )
        if row is None:
            raise NotFound("the person is not on this caseload", field="personId")
        view = CaseloadView(row.id, row.user_id, row.person_id, row.department)
        await session.delete(row)
        event = security_event(
            actor, "caseload_removed", now, user_id=worker.id, person_id=person_id, request_id=request_id
        )
        await record(session, [event])
        return view


async def assignments_of(sessions: async_sessionmaker[AsyncSession], user: str) -> list[AssignmentView]:
    async with sessions() as session:
        worker = await find_user(session, user)
        rows = await session.scalars(
            select(TeamAssignment).where(TeamAssignment.user_id == worker.id).order_by(TeamAssignment.since)
        )
        return [_assignment(r) for r in rows]


async def caseload_of(sessions: async_sessionmaker[AsyncSession], user: str) -> list[CaseloadView]:
    async with sessions() as session:
        worker = await find_user(session, user)
        rows = await session.scalars(
            select(CaseloadEntry).where(CaseloadEntry.user_id == worker.id).order_by(CaseloadEntry.person_id)
        )
        return [CaseloadView(r.id, r.user_id, r.person_id, r.department) for r in rows]
