"""Queries about the caller themself."""

from __future__ import annotations

import strawberry

from hub.domain import Department, MemberRole, Role
from schema.context import Info
from schema.enum_values import described_enum

RoleType = described_enum(
    Role,
    description="A hub user's role, held in the hub's own database (never trusted from token claims).",
    values={
        Role.COORDINATOR: "The coordinator (tovholder) who drives the family's course and assigns its core "
        "team.",
        Role.CORE_TEAM: "A worker of one administration on the core team (kerneteam) of the families "
        "they are assigned to.",
        Role.CASEWORKER: "A caseworker (sagsbehandler) outside the team: their own administration's data for "
        "their own caseload only.",
        Role.CITIZEN: "A family member (identified by CPR number): their own data, the family plan, and "
        "their "
        "children's data while they hold custody.",
        Role.DEPARTMENT_SYSTEM: "A machine client of one administration that pushes updates about its own "
        "records.",
        Role.STEERING_GROUP: "The cross-administration steering group: aggregated, anonymised figures only.",
        Role.ADMIN: "Operates the hub; sees no family data.",
    },
)
DepartmentType = described_enum(
    Department,
    description="The five administrations (forvaltninger): SOF social services, BIF employment, "
    "BUF children and youth, KFF culture and leisure, SUF health and care.",
    values={
        Department.SOF: "Socialforvaltningen: social services and child welfare (reports of concern, "
        "child-welfare investigations, supportive measures, placements).",
        Department.BIF: "Beskæftigelses- og Integrationsforvaltningen: jobcentres, benefits and integration.",
        Department.BUF: "Børne- og Ungdomsforvaltningen: schools, daycare, PPR psychologists and health "
        "visitors (sundhedspleje).",
        Department.KFF: "Kultur- og Fritidsforvaltningen: culture and leisure (memberships, FritidsGuide, "
        "kontingentstøtte, FerieCamp).",
        Department.SUF: "Sundheds- og Omsorgsforvaltningen: health and care (family health conversations, "
        "referrals).",
    },
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


MemberRoleType = described_enum(
    MemberRole,
    description="A member's place in the family.",
    values={
        MemberRole.PARENT: "A parent of the family's children.",
        MemberRole.CHILD: "A child of the family (every member under 18 is a CHILD).",
        MemberRole.OTHER_ADULT: "Another adult in the household, e.g. a grandparent or an adult sibling.",
    },
)
