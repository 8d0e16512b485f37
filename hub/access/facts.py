"""The facts a need-to-know decision rests on, loaded once per request for one viewer.

`load_facts(session, principal, today)` runs at most two small queries, chosen by the viewer's role: current
team assignments (coordinator, core team), the caseload and the caseload persons' current families
(caseworker), or the citizen's own person and the children they hold custody of. Roles without person
data load nothing.

This module only reads; it never decides. Decisions are pure functions of these facts in hub/access/policy.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.elements import ColumnElement

from hub.auth.principal import Principal
from hub.domain import Department, Role
from hub.persistence.models import CaseloadEntry, Custody, Membership, Person, TeamAssignment


@dataclass(frozen=True, slots=True)
class AccessFacts:
    """Everything need-to-know needs to know about one viewer, as of `today`."""

    today: date
    # COORDINATOR / CORE_TEAM: family id -> the viewer's current team roles on it.
    assignments: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # CASEWORKER: person id -> departments in which the viewer holds that person's case.
    caseload: Mapping[str, frozenset[Department]] = field(default_factory=dict)
    # CASEWORKER: the current families of the caseload persons (members listed, sections gated per person).
    caseload_family_ids: frozenset[str] = frozenset()
    # CITIZEN: who they are, when they were born, and their current family (normally one).
    own_person_id: str | None = None
    own_birth_date: date | None = None
    own_family_ids: frozenset[str] = frozenset()
    # CITIZEN: children the viewer currently holds custody of -> the child's birth date.
    custody_children: Mapping[str, date] = field(default_factory=dict)

    @classmethod
    def none(cls, today: date) -> AccessFacts:
        """No facts: every decision over them denies."""
        return cls(today=today)


def _current(since: Mapped[date], until: Mapped[date | None], today: date) -> ColumnElement[bool]:
    # The interval [since, until) contains today; until None means it still runs.
    return and_(since <= today, or_(until.is_(None), until > today))


async def load_facts(session: AsyncSession, principal: Principal | None, today: date) -> AccessFacts:
    if principal is None:
        return AccessFacts.none(today)
    if principal.role in (Role.COORDINATOR, Role.CORE_TEAM):
        return await _team_facts(session, principal, today)
    if principal.role is Role.CASEWORKER and principal.department is not None:
        return await _caseworker_facts(session, principal, today)
    if principal.role is Role.CITIZEN and principal.person_id is not None:
        return await _citizen_facts(session, principal.person_id, today)
    return AccessFacts.none(today)


async def _team_facts(session: AsyncSession, principal: Principal, today: date) -> AccessFacts:
    stmt = select(TeamAssignment.family_id, TeamAssignment.team_role).where(
        TeamAssignment.user_id == principal.user_id,
        _current(TeamAssignment.since, TeamAssignment.until, today),
    )
    roles: dict[str, set[str]] = {}
    for family_id, team_role in (await session.execute(stmt)).all():
        roles.setdefault(family_id, set()).add(team_role)
    return AccessFacts(today=today, assignments={k: frozenset(v) for k, v in roles.items()})


async def _caseworker_facts(session: AsyncSession, principal: Principal, today: date) -> AccessFacts:
    stmt = (
        select(CaseloadEntry.person_id, CaseloadEntry.department, Membership.family_id)
        .outerjoin(
            Membership,
            and_(Membership.person_id == CaseloadEntry.person_id, Membership.left_on.is_(None)),
        )
        # Only the viewer's own department's caseload counts: a caseworker acts for one administration.
        .where(CaseloadEntry.user_id == principal.user_id, CaseloadEntry.department == principal.department)
    )
    caseload: dict[str, set[Department]] = {}
    families: set[str] = set()
    for person_id, department, family_id in (await session.execute(stmt)).all():
        caseload.setdefault(person_id, set()).add(department)
        if family_id is not None:
            families.add(family_id)
    return AccessFacts(
        today=today,
        caseload={k: frozenset(v) for k, v in caseload.items()},
        caseload_family_ids=frozenset(families),
    )


async def _citizen_facts(session: AsyncSession, person_id: str, today: date) -> AccessFacts:
    own = (
        await session.execute(
            select(Person.birth_date, Membership.family_id)
            .outerjoin(Membership, and_(Membership.person_id == Person.id, Membership.left_on.is_(None)))
            .where(Person.id == person_id)
        )
    ).all()
    if not own:
        return AccessFacts.none(today)
    children = (
        await session.execute(
            select(Custody.child_id, Person.birth_date)
            .join(Person, Person.id == Custody.child_id)
            .where(Custody.holder_id == person_id, _current(Custody.since, Custody.until, today))
        )
    ).all()
    return AccessFacts(
        today=today,
        own_person_id=person_id,
        own_birth_date=own[0][0],
        own_family_ids=frozenset(fid for _b, fid in own if fid is not None),
        custody_children={row[0]: row[1] for row in children},
    )
