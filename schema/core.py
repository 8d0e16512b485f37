"""Queries about the caller themself."""

from __future__ import annotations

import strawberry

from hub.domain import Department, Role
from schema.context import Info

RoleType = strawberry.enum(Role, description="A hub user's role, held in the hub's own database.")
DepartmentType = strawberry.enum(
    Department,
    description="The five administrations (forvaltninger): SOF social services, BIF employment, "
    "BUF children and youth, KFF culture and leisure, SUF health and care.",
)


@strawberry.type(description="The signed-in user.")
class Viewer:
    username: str = strawberry.field(description="The user's login name.")
    role: RoleType = strawberry.field(description="The user's role in the hub.")  # type: ignore[valid-type]
    department: DepartmentType | None = strawberry.field(  # type: ignore[valid-type]
        description="The administration the user works for (workers and department systems)."
    )
    unit: str = strawberry.field(description="The user's unit within the administration.")
    person_id: strawberry.ID | None = strawberry.field(
        description="For a citizen: the family member they are (familyMember id)."
    )


@strawberry.type
class CoreQuery:
    @strawberry.field(description="The signed-in user; UNAUTHENTICATED without a valid bearer token.")
    def me(self, info: Info) -> Viewer:
        principal = info.context.require_principal()
        return Viewer(
            username=principal.username,
            role=principal.role,
            department=principal.department,
            unit=principal.unit,
            person_id=strawberry.ID(principal.person_id) if principal.person_id else None,
        )
