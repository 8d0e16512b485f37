"""GraphQL types of the people in a family action plan: workers, members, the core team, memberships.

Moved from schema/plan/types.py as is (which re-exports them); thin converters from hub.plan's read models.
"""

from __future__ import annotations

from datetime import date

import strawberry

from hub.plan.views import (
    CoreTeamView,
    MembershipView,
    PersonRef,
    TeamMemberView,
    WorkerView,
)
from schema.core import DepartmentType, MemberRoleType, RoleType
from schema.plan.enums import (
    CoreTeamRole,
    CoreTeamRoleType,
)


@strawberry.type(description="A worker on a family's core team (or who wrote or recorded something).")
class TeamWorker:
    id: strawberry.ID = strawberry.field(description="The worker's user id.")
    display_name: str = strawberry.field(description="The worker's name.")
    role: RoleType = strawberry.field(description="The worker's role in the hub.")  # type: ignore[valid-type]
    department: DepartmentType | None = strawberry.field(  # type: ignore[valid-type]
        description="The administration the worker belongs to."
    )
    unit: str = strawberry.field(description="The worker's unit.")

    @classmethod
    def of(cls, w: WorkerView | None) -> TeamWorker | None:
        if w is None:
            return None
        return cls(
            id=strawberry.ID(w.user_id),
            display_name=w.display_name,
            role=w.role,
            department=w.department,
            unit=w.unit,
        )


@strawberry.type(description="A family member as the plan names them.")
class PlanPerson:
    id: strawberry.ID = strawberry.field(description="The member's id (FamilyMember.id).")
    first_name: str = strawberry.field(description="First name.")
    last_name: str = strawberry.field(description="Last name.")

    @classmethod
    def of(cls, p: PersonRef) -> PlanPerson:
        return cls(id=strawberry.ID(p.person_id), first_name=p.first_name, last_name=p.last_name)


@strawberry.type(description="One assignment of a worker to a family's core team; history is kept.")
class CoreTeamMember:
    assignment_id: strawberry.ID = strawberry.field(description="Pass to unassignTeamMember.")
    worker: TeamWorker = strawberry.field(description="The worker.")
    team_role: CoreTeamRoleType = strawberry.field(description="Their role on this family's team.")  # type: ignore[valid-type]
    since: date = strawberry.field(description="First day on the team.")
    until: date | None = strawberry.field(description="Day they left the team (null: still on it).")

    @classmethod
    def of(cls, t: TeamMemberView) -> CoreTeamMember:
        worker = TeamWorker.of(t.worker)
        assert worker is not None  # noqa: S101 - a team member always has a worker
        return cls(
            assignment_id=strawberry.ID(t.assignment_id),
            worker=worker,
            team_role=CoreTeamRole(t.team_role),
            since=t.since,
            until=t.until,
        )


@strawberry.type(description="The family's core team (kerneteam): coordinator, makkerpar and other workers.")
class CoreTeam:
    view: strawberry.Private[CoreTeamView]
    today: strawberry.Private[date]

    @strawberry.field(description="The coordinator (tovholder), if assigned.")
    def coordinator(self) -> CoreTeamMember | None:
        found = [a for a in self.view.current(self.today) if a.team_role == CoreTeamRole.COORDINATOR]
        return CoreTeamMember.of(found[0]) if found else None

    @strawberry.field(description="The makkerpar: the family's fixed pair of contact persons.")
    def makkerpar(self) -> list[CoreTeamMember]:
        return [
            CoreTeamMember.of(a)
            for a in self.view.current(self.today)
            if a.team_role == CoreTeamRole.MAKKERPAR
        ]

    @strawberry.field(description="Whether the makkerpar is two workers from two different departments.")
    def makkerpar_spans_departments(self) -> bool:
        pair = [a for a in self.view.current(self.today) if a.team_role == CoreTeamRole.MAKKERPAR]
        return len(pair) == 2 and len({a.worker.department for a in pair}) == 2

    @strawberry.field(description="Everyone currently on the team, coordinator and makkerpar included.")
    def members(self) -> list[CoreTeamMember]:
        return [CoreTeamMember.of(a) for a in self.view.current(self.today)]

    @strawberry.field(description="Workers who were on the team before (the team's history).")
    def former(self) -> list[CoreTeamMember]:
        return [CoreTeamMember.of(a) for a in self.view.former(self.today)]


@strawberry.type(description="A person's membership of a family over time.")
class FamilyMembership:
    id: strawberry.ID = strawberry.field(description="The membership's id.")
    member: PlanPerson = strawberry.field(description="The person.")
    member_role: MemberRoleType = strawberry.field(description="Their place in the family.")  # type: ignore[valid-type]
    joined_on: date = strawberry.field(description="The day they joined the family.")
    left_on: date | None = strawberry.field(
        description="The day they left the family; null while a current member."
    )
    leave_reason: str | None = strawberry.field(
        description="Why they left (free text); null while a current member."
    )

    @classmethod
    def of(cls, m: MembershipView) -> FamilyMembership:
        return cls(
            id=strawberry.ID(m.membership_id),
            member=PlanPerson.of(m.person),
            member_role=m.member_role,
            joined_on=m.joined_on,
            left_on=m.left_on,
            leave_reason=m.leave_reason,
        )
