"""Administrators' mutations: team assignments (worker <-> family), caseloads (caseworker <-> person), users.

Thin: every mutation checks the ADMIN role and calls hub/auth/staffing.py or hub/auth/users.py, which audit on
the SECURITY chain and invalidate the read model. Errors carry a stable code: FORBIDDEN (not an administrator),
NOT_FOUND, BAD_USER_INPUT (with `field`), CONFLICT (already assigned, already on the caseload).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from hub.auth import staffing, users
from hub.auth.principal import Principal
from hub.auth.security_audit import ChangeActor
from hub.domain import Role
from hub.errors import Forbidden
from schema.context import Info
from schema.core import DepartmentType, RoleType


def _admin(info: Info) -> tuple[Principal, ChangeActor]:
    principal = info.context.require_principal()
    if principal.role is not Role.ADMIN:
        raise Forbidden("administrators only")
    return principal, ChangeActor.of(principal)


@strawberry.type(description="A worker's assignment to a family's team, as an administrator sees it.")
class TeamAssignmentRecord:
    id: strawberry.ID = strawberry.field(description="The assignment's id (for adminEndTeamAssignment).")
    family_id: strawberry.ID = strawberry.field(description="The family.")
    user_id: strawberry.ID = strawberry.field(description="The worker's user id.")
    team_role: str = strawberry.field(description="COORDINATOR, MAKKERPAR or CORE_TEAM.")
    since: date = strawberry.field(description="First day.")
    until: date | None = strawberry.field(description="Last day; null while current.")

    @classmethod
    def of(cls, v: staffing.AssignmentView) -> TeamAssignmentRecord:
        return cls(
            id=strawberry.ID(v.id),
            family_id=strawberry.ID(v.family_id),
            user_id=strawberry.ID(v.user_id),
            team_role=v.team_role,
            since=v.since,
            until=v.until,
        )


@strawberry.type(description="A person on a caseworker's caseload (in the caseworker's department).")
class CaseloadEntryRecord:
    id: strawberry.ID = strawberry.field(description="The entry's id.")
    user_id: strawberry.ID = strawberry.field(description="The caseworker's user id.")
    person_id: strawberry.ID = strawberry.field(description="The person (familyMember id).")
    department: DepartmentType = strawberry.field(description="The caseworker's department.")  # type: ignore[valid-type]

    @classmethod
    def of(cls, v: staffing.CaseloadView) -> CaseloadEntryRecord:
        return cls(
            id=strawberry.ID(v.id),
            user_id=strawberry.ID(v.user_id),
            person_id=strawberry.ID(v.person_id),
            department=v.department,
        )


@strawberry.type(
    description="A hub user, as an administrator sees it (no personal data beyond the username)."
)
class UserRecord:
    id: strawberry.ID = strawberry.field(description="The user's id.")
    username: str = strawberry.field(description="The login name.")
    role: RoleType = strawberry.field(description="The role.")  # type: ignore[valid-type]
    department: DepartmentType | None = strawberry.field(description="The department, if any.")  # type: ignore[valid-type]
    active: bool = strawberry.field(description="False: refused from the next request on.")

    @classmethod
    def of(cls, v: users.UserView) -> UserRecord:
        return cls(
            id=strawberry.ID(v.id), username=v.username, role=v.role, department=v.department, active=v.active
        )


@strawberry.input(description="Put a worker on a family's team.")
class AdminAssignTeamMemberInput:
    family_id: strawberry.ID = strawberry.field(description="The family.")
    user_id: strawberry.ID = strawberry.field(description="The worker: user id or username.")
    team_role: str = strawberry.field(description="COORDINATOR, MAKKERPAR or CORE_TEAM.")
    since: date | None = strawberry.field(default=None, description="First day (default today).")


@strawberry.input(description="A caseworker and a person.")
class AdminCaseloadInput:
    user_id: strawberry.ID = strawberry.field(description="The caseworker: user id or username.")
    person_id: strawberry.ID = strawberry.field(description="The person (familyMember id).")


@strawberry.type
class AdminMutation:
    @strawberry.mutation(
        description="Put a worker on a family's team, administrators only (the first coordinator of a new family, "
        "say). The team's rules apply; CONFLICT if the worker is already on the team."
    )
    async def admin_assign_team_member(
        self,
        info: Info,
        input: Annotated[
            AdminAssignTeamMemberInput, strawberry.argument(description="Family, worker, role.")
        ],
    ) -> TeamAssignmentRecord:
        _principal, actor = _admin(info)
        view = await staffing.assign(
            info.context.services.sessions,
            actor,
            info.context.now,
            family_id=str(input.family_id),
            user=str(input.user_id),
            team_role=input.team_role,
            since=input.since,
            request_id=info.context.request_id,
        )
        return TeamAssignmentRecord.of(view)

    @strawberry.mutation(description="End a team assignment (today unless `until`), administrators only.")
    async def admin_end_team_assignment(
        self,
        info: Info,
        assignment_id: Annotated[strawberry.ID, strawberry.argument(description="The assignment.")],
        until: Annotated[date | None, strawberry.argument(description="Last day (default today).")] = None,
    ) -> TeamAssignmentRecord:
        _principal, actor = _admin(info)
        view = await staffing.end_assignment(
            info.context.services.sessions,
            actor,
            info.context.now,
            assignment_id=str(assignment_id),
            until=until,
            request_id=info.context.request_id,
        )
        return TeamAssignmentRecord.of(view)

    @strawberry.mutation(
        description="Put a person on a caseworker's caseload, administrators only (CONFLICT if already on it)."
    )
    async def admin_add_to_caseload(
        self,
        info: Info,
        input: Annotated[AdminCaseloadInput, strawberry.argument(description="Who and whom.")],
    ) -> CaseloadEntryRecord:
        _principal, actor = _admin(info)
        view = await staffing.add_to_caseload(
            info.context.services.sessions,
            actor,
            info.context.now,
            user=str(input.user_id),
            person_id=str(input.person_id),
            request_id=info.context.request_id,
        )
        return CaseloadEntryRecord.of(view)

    @strawberry.mutation(description="Take a person off a caseworker's caseload, administrators only.")
    async def admin_remove_from_caseload(
        self,
        info: Info,
        input: Annotated[AdminCaseloadInput, strawberry.argument(description="Who and whom.")],
    ) -> CaseloadEntryRecord:
        _principal, actor = _admin(info)
        view = await staffing.remove_from_caseload(
            info.context.services.sessions,
            actor,
            info.context.now,
            user=str(input.user_id),
            person_id=str(input.person_id),
            request_id=info.context.request_id,
        )
        return CaseloadEntryRecord.of(view)

    @strawberry.mutation(
        description="Deactivate (active false) or re-activate a user, administrators only; a deactivated user is "
        "refused from their next request on."
    )
    async def admin_set_user_active(
        self,
        info: Info,
        user_id: Annotated[strawberry.ID, strawberry.argument(description="User id or username.")],
        active: Annotated[bool, strawberry.argument(description="false: deactivate; true: activate.")],
    ) -> UserRecord:
        _principal, actor = _admin(info)
        view = await users.set_active(
            info.context.services.sessions,
            str(user_id),
            active,
            actor,
            info.context.now,
            request_id=info.context.request_id,
        )
        return UserRecord.of(view)
