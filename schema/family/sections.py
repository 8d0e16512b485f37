"""The department sections of a family member: a small wrapper per department that says what happened.

Each section resolver asks `SectionService` (hub/family/sections.py), which asks the gate before any department
is called; a department problem is data here (status) and also one entry in `errors` for generic clients.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import strawberry
from graphql import FieldNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode, SelectionNode

from hub.domain import Department
from hub.errors import ErrorCode
from hub.family.model import MemberInfo
from hub.family.sections import Section, SectionStatus
from schema.context import Info
from schema.core import DepartmentType
from schema.enum_values import described_enum
from schema.family import records as g
from schema.loaders import section_service

SectionStatusType = described_enum(
    SectionStatus,
    description="What happened to a department section: OK, STALE (last known data), NOT_REGISTERED (the "
    "department "
    "has no record of the person), UNAVAILABLE, BAD_RESPONSE, CONSENT_REQUIRED (no consent or other basis: the "
    "department was not asked), FORBIDDEN (the viewer has no need to know).",
    values={
        SectionStatus.OK: "A fresh answer from the department system.",
        SectionStatus.STALE: "The department could not answer now: the hub's last known data is shown "
        "(see source.fetchedAt).",
        SectionStatus.NOT_REGISTERED: "The department has no record of the person.",
        SectionStatus.UNAVAILABLE: "The department could not be reached and the hub holds no earlier data.",
        SectionStatus.BAD_RESPONSE: "The department system answered with data the hub could not read.",
        SectionStatus.CONSENT_REQUIRED: "No consent or statutory basis covers this data: the department was "
        "not "
        "asked.",
        SectionStatus.FORBIDDEN: "The viewer has no need to know this department's data.",
    },
)


@strawberry.type(description="Where a section's data came from and how fresh it is.")
class Source:
    department: DepartmentType = strawberry.field(description="The department system the data came from.")  # type: ignore[valid-type]
    fetched_at: datetime | None = strawberry.field(description="When the hub obtained this data.")
    stale: bool = strawberry.field(description="True when this is last known data, not a fresh answer.")


# Fields whose answer needs these departments' sections (GraphQL names).
SECTION_FIELDS: dict[str, tuple[Department, ...]] = {
    "social": (Department.SOF,),
    "employment": (Department.BIF,),
    "childAndYouth": (Department.BUF,),
    "leisure": (Department.KFF,),
    "health": (Department.SUF,),
    "departmentsInvolved": tuple(Department),
    "openCases": tuple(Department),
    "summary": tuple(Department),
    "agenda": tuple(Department),  # FamilyMember.agenda (schema/agenda)
}


def selected_departments(info: Info) -> list[Department]:
    """The departments the query selects anywhere below this field (fragments included).

    Walks graphql-core's document nodes (cached with the parsed document), not strawberry's `selected_fields`,
    which converts the whole selection into new objects on every call."""
    raw = info._raw_info
    fragments = raw.fragments
    found: set[Department] = set()
    seen: set[str] = set()

    def walk(nodes: Iterable[SelectionNode]) -> None:
        for node in nodes:
            if isinstance(node, FieldNode):
                found.update(SECTION_FIELDS.get(node.name.value, ()))
                if node.selection_set is not None:
                    walk(node.selection_set.selections)
            elif isinstance(node, InlineFragmentNode):
                walk(node.selection_set.selections)
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
                seen.add(node.name.value)
                fragment = fragments.get(node.name.value)
                if fragment is not None:
                    walk(fragment.selection_set.selections)

    for field_node in raw.field_nodes:
        if field_node.selection_set is not None:
            walk(field_node.selection_set.selections)
    return [d for d in Department if d in found]


def source_of(section: Section) -> Source:
    return Source(department=section.department, fetched_at=section.fetched_at, stale=section.stale)


def section_error(info: Info, member: MemberInfo, section: Section) -> None:
    """One entry in `errors` per affected path, so generic clients notice too (data stays in the section)."""
    codes = {
        SectionStatus.UNAVAILABLE: (ErrorCode.DEPARTMENT_UNAVAILABLE, "is unavailable"),
        SectionStatus.BAD_RESPONSE: (ErrorCode.DEPARTMENT_BAD_RESPONSE, "returned an invalid response"),
        SectionStatus.CONSENT_REQUIRED: (ErrorCode.CONSENT_REQUIRED, "needs the citizen's consent"),
    }
    if section.status not in codes:
        return
    code, text = codes[section.status]
    info.context.state.setdefault("section_errors", []).append(
        GraphQLError(
            f"{section.department.value} {text} for this member",
            path=info.path.as_list(),
            extensions={
                "code": code.value,
                "department": section.department.value,
                "memberId": member.person_id,
            },
        )
    )


@strawberry.type(description="Social services (SOF): child welfare, measures, placements, adult support.")
class SocialSection:
    status: SectionStatusType = strawberry.field(description="What happened to this section.")  # type: ignore[valid-type]
    source: Source = strawberry.field(description="Where the data came from.")
    record: g.SocialRecord | None = strawberry.field(
        description="The data; null unless status is OK or STALE."
    )
    health_withheld: bool = strawberry.field(
        description="Health details (the assessments of functioning) were withheld (no health basis)."
    )


@strawberry.type(description="Employment (BIF): benefits, target group, employment activities.")
class EmploymentSection:
    status: SectionStatusType = strawberry.field(description="What happened to this section.")  # type: ignore[valid-type]
    source: Source = strawberry.field(description="Where the data came from.")
    record: g.EmploymentRecord | None = strawberry.field(
        description="The data; null unless status is OK or STALE."
    )


@strawberry.type(description="Children and youth (BUF): school, absence, PPV, psychologist, health visitor.")
class ChildAndYouthSection:
    status: SectionStatusType = strawberry.field(description="What happened to this section.")  # type: ignore[valid-type]
    source: Source = strawberry.field(description="Where the data came from.")
    record: g.ChildYouthRecord | None = strawberry.field(
        description="The data; null unless status is OK or STALE."
    )
    health_withheld: bool = strawberry.field(description="Health details were withheld (no health consent).")


@strawberry.type(description="Culture and leisure (KFF): memberships, FritidsGuide, subsidy, FerieCamp.")
class LeisureSection:
    status: SectionStatusType = strawberry.field(description="What happened to this section.")  # type: ignore[valid-type]
    source: Source = strawberry.field(description="Where the data came from.")
    record: g.LeisureRecord | None = strawberry.field(
        description="The data; null unless status is OK or STALE."
    )


@strawberry.type(description="Health and care (SUF): health conversations, referrals, services.")
class HealthSection:
    status: SectionStatusType = strawberry.field(description="What happened to this section.")  # type: ignore[valid-type]
    source: Source = strawberry.field(description="Where the data came from.")
    record: g.HealthRecord | None = strawberry.field(
        description="The data; null unless status is OK or STALE."
    )
    health_withheld: bool = strawberry.field(description="Health details were withheld (no health consent).")


async def load_section(info: Info, member: MemberInfo, department: Department) -> Section:
    section = await section_service(info).section(member, department)
    section_error(info, member, section)
    return section
