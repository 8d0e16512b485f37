"""Reads of families and members from the hub's tables. Returns value objects with the CPR decrypted in memory.

No access decisions here: callers pass the family ids the viewer may see (`visible`, a query built by
hub/access/scope.py), and this module only filters by it, inside the database.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.crypto import CprVault
from hub.domain import District, FamilyStatus
from hub.family.model import FamilyInfo, MemberInfo
from hub.persistence.models import Custody, Family, Membership, Person


@dataclass(frozen=True, slots=True)
class FamilyFilter:
    district: District | None = None
    status: FamilyStatus | None = None
    search: str | None = None  # matches the family name or a current member's first or last name


def _family_info(row: Family) -> FamilyInfo:
    return FamilyInfo(
        id=row.id,
        display_name=row.display_name,
        district=row.district,
        housing_area=row.housing_area,
        status=row.status,
        referral_source=row.referral_source,
        referred_on=row.referred_on,
        enrolled_on=row.enrolled_on,
        closed_on=row.closed_on,
        close_reason=row.close_reason,
        handed_over_to=row.handed_over_to,
        version=row.version,
    )


async def get_families(session: AsyncSession, ids: Collection[str]) -> dict[str, FamilyInfo]:
    if not ids:
        return {}
    rows = await session.scalars(select(Family).where(Family.id.in_(list(ids))))
    return {row.id: _family_info(row) for row in rows}


def _filtered(
    stmt: Select[Family], flt: FamilyFilter, visible: Select[str] | None, persons: Select[str] | None = None
) -> Select[Family]:
    if visible is not None:
        # A correlated EXISTS, not IN (...): probed per candidate row through the scope tables' family_id
        # indexes, so a page in id order stops after `first + 1` visible rows however large the scope is.
        stmt = stmt.where(visible.where(visible.selected_columns[0] == Family.id).exists())
    if flt.district is not None:
        stmt = stmt.where(Family.district == flt.district)
    if flt.status is not None:
        stmt = stmt.where(Family.status == flt.status)
    if flt.search:
        pattern = f"%{flt.search.strip().lower()}%"
        member_match = (
            select(Membership.family_id)
            .join(Person, Person.id == Membership.person_id)
            .where(
                Membership.left_on.is_(None),
                or_(func.lower(Person.first_name).like(pattern), func.lower(Person.last_name).like(pattern)),
            )
        )
        if persons is not None:  # need-to-know: only the names the viewer may see (hub/access/scope.py)
            member_match = member_match.where(Membership.person_id.in_(persons))
        stmt = stmt.where(or_(func.lower(Family.display_name).like(pattern), Family.id.in_(member_match)))
    return stmt


async def list_families(
    session: AsyncSession,
    flt: FamilyFilter,
    *,
    visible: Select[str] | None,
    first: int,
    after_id: str | None,
    persons: Select[str] | None = None,
) -> tuple[list[FamilyInfo], bool, int]:
    """A page ordered by id (stable keyset pagination): (families, has_next_page, total_count).

    `visible` selects the family ids the viewer may see (one column); None means no scope (trusted callers).
    `persons` selects whose names `search` may match (None: every current member's).
    """
    base = _filtered(select(Family), flt, visible, persons)
    total = await session.scalar(select(func.count()).select_from(base.order_by(None).subquery())) or 0
    page = base.order_by(Family.id).limit(first + 1)
    if after_id is not None:
        page = page.where(Family.id > after_id)
    rows = list(await session.scalars(page))
    return [_family_info(r) for r in rows[:first]], len(rows) > first, total


async def members_of(
    session: AsyncSession, vault: CprVault, family_ids: Sequence[str], *, include_former: bool = False
) -> dict[str, list[MemberInfo]]:
    """Current members (or all, with history) of each family, in a stable order: parents first, then by age."""
    if not family_ids:
        return {}
    stmt = (
        select(Membership, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.family_id.in_(list(family_ids)))
    )
    if not include_former:
        stmt = stmt.where(Membership.left_on.is_(None))
    rows = (await session.execute(stmt)).all()
    person_ids = [p.id for _m, p in rows]
    holders = await custody_holders(session, person_ids)
    out: dict[str, list[MemberInfo]] = {fid: [] for fid in family_ids}
    for membership, person in rows:
        out[membership.family_id].append(_member(membership, person, vault, holders.get(person.id, ())))
    for members in out.values():
        members.sort(key=lambda m: (m.member_role.value != "PARENT", m.birth_date, m.person_id))
    return out


async def get_members(
    session: AsyncSession, vault: CprVault, person_ids: Collection[str]
) -> dict[str, MemberInfo]:
    """The current membership of each person (a person belongs to at most one family at a time)."""
    if not person_ids:
        return {}
    stmt = (
        select(Membership, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(and_(Membership.person_id.in_(list(person_ids)), Membership.left_on.is_(None)))
    )
    rows = (await session.execute(stmt)).all()
    holders = await custody_holders(session, [p.id for _m, p in rows])
    return {p.id: _member(m, p, vault, holders.get(p.id, ())) for m, p in rows}


async def custody_holders(session: AsyncSession, child_ids: Collection[str]) -> dict[str, tuple[str, ...]]:
    if not child_ids:
        return {}
    stmt = select(Custody.child_id, Custody.holder_id).where(
        Custody.child_id.in_(list(child_ids)), Custody.until.is_(None)
    )
    out: dict[str, list[str]] = {}
    for child_id, holder_id in (await session.execute(stmt)).all():
        out.setdefault(child_id, []).append(holder_id)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def _member(membership: Membership, person: Person, vault: CprVault, holders: tuple[str, ...]) -> MemberInfo:
    return MemberInfo(
        person_id=person.id,
        family_id=membership.family_id,
        cpr=vault.decrypt(person.cpr_encrypted),
        first_name=person.first_name,
        last_name=person.last_name,
        birth_date=person.birth_date,
        member_role=membership.member_role,
        joined_on=membership.joined_on,
        left_on=membership.left_on,
        custody_holder_ids=holders,
    )
