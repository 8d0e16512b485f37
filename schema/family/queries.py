"""Family queries: `family(id)`, `families(first, after, filter)` (Relay connection) and `familyMember(id)`.

Each root resolver loads the members it returns and asks `SectionService.prepare` for exactly the departments the
query selects, so the whole request costs at most one connector call per selected department.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

import strawberry

from hub.errors import BadUserInput, NotFound
from hub.family import repository
from hub.family.model import MemberInfo
from schema.context import Info
from schema.family.sections import selected_departments
from schema.family.types import DistrictType, Family, FamilyMember, FamilyStatusType
from schema.loaders import (
    family_infos,
    family_visibility_by_id,
    log_identity_reads,
    log_not_found,
    members_by_family,
    members_by_id,
    section_service,
)

MAX_PAGE = 100


async def _prepare(info: Info, members: list[MemberInfo]) -> None:
    departments = selected_departments(info)
    if departments and members:
        service = section_service(info)
        # Only the members the viewer may see (a caseworker: their caseload): no decision, no audit entry and
        # no department call for a member who is not shown.
        shown = await service.gate.visible_members(members)
        if shown:
            await service.prepare(shown, departments)


async def load_family(info: Info, family_id: str) -> Family | None:
    info.context.require_principal()
    # Need-to-know, decided by the gate over the viewer's facts about this family only (batched: _entities).
    if not await family_visibility_by_id(info.context).load(family_id):
        log_not_found(info, None)
        return None
    found = await family_infos(info.context, [family_id])
    if family_id not in found:
        log_not_found(info, None)
        return None
    members = await members_by_family(info.context).load(family_id)
    await _prepare(info, members)
    return Family(info_=found[family_id])


async def load_member(info: Info, person_id: str) -> FamilyMember | None:
    info.context.require_principal()
    member = await members_by_id(info.context).load(person_id)
    if member is None or not await section_service(info).gate.can_see_member(member):
        log_not_found(info, None)
        return None
    log_identity_reads(info, [member])
    await _prepare(info, [member])
    return FamilyMember(member=member)


def encode_cursor(family_id: str) -> str:
    return base64.urlsafe_b64encode(f"family:{family_id}".encode()).decode()


def decode_cursor(cursor: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadUserInput("invalid cursor", field="after") from exc
    kind, _, value = raw.partition(":")
    if kind != "family" or not value:
        raise BadUserInput("invalid cursor", field="after")
    return value


@strawberry.input(description="Filters for the family list; all given filters must match.")
class FamilyFilter:
    district: DistrictType | None = strawberry.field(default=None, description="Only this district.")  # type: ignore[valid-type]
    status: FamilyStatusType | None = strawberry.field(default=None, description="Only this status.")  # type: ignore[valid-type]
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive match on the family name or a current member's name."
    )


@strawberry.type(description="Pagination state of a connection (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More families follow.")
    has_previous_page: bool = strawberry.field(description="Families precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first edge.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last edge; pass as `after`.")


@strawberry.type(description="A family on a page of families.")
class FamilyEdge:
    cursor: str = strawberry.field(description="Opaque cursor of this edge.")
    node: Family = strawberry.field(description="The family.")


@strawberry.type(description="A page of families (Relay connection).")
class FamilyConnection:
    edges: list[FamilyEdge] = strawberry.field(description="The families on this page.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    total_count: int = strawberry.field(description="Families matching the filter that the viewer may see.")


@strawberry.type
class FamilyQuery:
    @strawberry.field(
        description="One family, if the viewer may see it (NOT_FOUND otherwise, never FORBIDDEN)."
    )
    async def family(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The family's id.")]
    ) -> Family:
        family = await load_family(info, str(id))
        if family is None:
            raise NotFound("no such family")
        return family

    @strawberry.field(description="One family member, if the viewer may see their family.")
    async def family_member(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The member's id (FamilyMember.id).")],
    ) -> FamilyMember:
        member = await load_member(info, str(id))
        if member is None:
            raise NotFound("no such family member")
        return member

    @strawberry.field(description="The families the viewer may see, ordered by id, a page at a time.")
    async def families(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description="Families per page, 1-100.")] = 20,
        after: Annotated[
            str | None,
            strawberry.argument(description="Start after this cursor (pageInfo.endCursor); null for page 1."),
        ] = None,
        filter: Annotated[
            FamilyFilter | None, strawberry.argument(description="Only families matching all given filters.")
        ] = None,
    ) -> FamilyConnection:
        info.context.require_principal()
        if not 1 <= first <= MAX_PAGE:
            raise BadUserInput(f"first must be between 1 and {MAX_PAGE}", field="first")
        after_id = decode_cursor(after) if after else None
        flt = repository.FamilyFilter(
            district=filter.district if filter else None,
            status=filter.status if filter else None,
            search=(filter.search or None) if filter else None,
        )
        if flt.search is not None and len(flt.search) > 100:
            raise BadUserInput("search is too long", field="filter.search")
        # The viewer's scope stays in the database: a query of the visible ids (hub/access/scope.py).
        gate = section_service(info).gate
        visible = gate.visible_family_query()
        async with info.context.services.sessions() as session:
            families, has_next, total = await repository.list_families(
                session,
                flt,
                visible=visible,
                first=first,
                after_id=after_id,
                persons=gate.searchable_person_query(),
            )
        if selected_departments(info):
            loader = members_by_family(info.context)
            groups = await loader.load_many([f.id for f in families])
            await _prepare(info, [m for group in groups for m in group])
        edges = [FamilyEdge(cursor=encode_cursor(f.id), node=Family(info_=f)) for f in families]
        return FamilyConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=has_next,
                has_previous_page=after_id is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=total,
        )
