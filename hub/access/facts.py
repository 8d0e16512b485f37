"""The facts a need-to-know decision rests on, loaded per request for one viewer, only as far as it needs.

`load_facts(session, principal, today)` loads the viewer's whole scope: current team assignments (coordinator,
core team), the caseload and the caseload persons' current families (caseworker), or the citizen's own person
and the children they hold custody of. Roles without person data load nothing.

`load_facts(..., family_ids=..., person_ids=...)` loads only the facts about those families and persons: the
viewer's team assignments on those families; their caseload entries for those persons and for the current
members of those families. A coordinator on 10,000 families asking about one family reads one family's rows.
A citizen's facts are small and always loaded whole. Scoped facts record what they cover (`scope`); facts
about anything else are simply absent, so the policy denies it (the default is no): ask only about what
was covered, or merge in more (`merged`) first. The gate (hub/family/gate.py) does this bookkeeping.

`model_facts(model, principal, today, family_ids=..., person_ids=...)` builds the same scoped facts from the
process's read model (hub/readmodel), which reads SQL only for what it does not hold yet.

This module only reads; it never decides. Decisions are pure functions of these facts in hub/access/policy.py;
lists filter by the same rules in SQL (hub/access/scope.py).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.elements import ColumnElement

from hub.auth.principal import Principal
from hub.domain import Department, Role
from hub.persistence.models import CaseloadEntry, Custody, Membership, Person, TeamAssignment

if TYPE_CHECKING:
    from hub.readmodel.model import ReadModel

# Past this many ids a scoped load costs more (bound parameters, query size) than the viewer's whole scope.
MAX_SCOPED_IDS = 1000


@dataclass(frozen=True, slots=True)
class FactScope:
    """What scoped facts cover: everything the viewer's facts say about these families and persons."""

    family_ids: frozenset[str] = frozenset()
    person_ids: frozenset[str] = frozenset()

    def covers(self, family_ids: Collection[str], person_ids: Collection[str]) -> bool:
        return self.family_ids.issuperset(family_ids) and self.person_ids.issuperset(person_ids)

    def __or__(self, other: FactScope) -> FactScope:
        return FactScope(self.family_ids | other.family_ids, self.person_ids | other.person_ids)


@dataclass(frozen=True, slots=True)
class AccessFacts:
    """Everything need-to-know needs to know about one viewer, as of `today` (within `scope`)."""

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
    # None: the viewer's whole scope. Otherwise only facts about these families and persons were loaded.
    scope: FactScope | None = None

    @classmethod
    def none(cls, today: date) -> AccessFacts:
        """No facts: every decision over them denies."""
        return cls(today=today)

    def covers(self, family_ids: Collection[str] = (), person_ids: Collection[str] = ()) -> bool:
        """Whether decisions about these families and persons may rest on these facts."""
        return self.scope is None or self.scope.covers(family_ids, person_ids)

    def merged(self, other: AccessFacts) -> AccessFacts:
        """These facts and `other`'s (same viewer, same day): the union of what both know and cover."""
        if self.scope is None:
            return self
        if other.scope is None:
            return other
        caseload = {pid: deps | other.caseload.get(pid, frozenset()) for pid, deps in self.caseload.items()}
        caseload.update({pid: deps for pid, deps in other.caseload.items() if pid not in caseload})
        assignments = {
            fid: roles | other.assignments.get(fid, frozenset()) for fid, roles in self.assignments.items()
        }
        assignments.update({fid: roles for fid, roles in other.assignments.items() if fid not in assignments})
        return AccessFacts(
            today=self.today,
            assignments=assignments,
            caseload=caseload,
            caseload_family_ids=self.caseload_family_ids | other.caseload_family_ids,
            own_person_id=self.own_person_id,
            own_birth_date=self.own_birth_date,
            own_family_ids=self.own_family_ids,
            custody_children=self.custody_children,
            scope=self.scope | other.scope,
        )


def current(since: Mapped[date], until: Mapped[date | None], today: date) -> ColumnElement[bool]:
    """The interval [since, until) contains today; until None means it still runs."""
    return and_(since <= today, or_(until.is_(None), until > today))


async def load_facts(
    session: AsyncSession,
    principal: Principal | None,
    today: date,
    *,
    family_ids: Collection[str] | None = None,
    person_ids: Collection[str] | None = None,
) -> AccessFacts:
    """The viewer's facts: all of them, or (given `family_ids` and/or `person_ids`) only about those.

    A team worker's facts are per family: to decide about a member's sections, pass the member's family too.
    """
    if principal is None:
        return AccessFacts.none(today)
    scope: FactScope | None = None
    if family_ids is not None or person_ids is not None:
        scope = FactScope(frozenset(family_ids or ()), frozenset(person_ids or ()))
        if len(scope.family_ids) + len(scope.person_ids) > MAX_SCOPED_IDS:
            scope = None  # the whole scope is a superset, and cheaper than thousands of parameters
    if principal.role in (Role.COORDINATOR, Role.CORE_TEAM):
        return await _team_facts(session, principal, today, scope)
    if principal.role is Role.CASEWORKER and principal.department is not None:
        return await _caseworker_facts(session, principal, today, scope)
    if principal.role is Role.CITIZEN and principal.person_id is not None:
        return await _citizen_facts(session, principal.person_id, today)
    return AccessFacts.none(today)


async def _team_facts(
    session: AsyncSession, principal: Principal, today: date, scope: FactScope | None
) -> AccessFacts:
    stmt = select(TeamAssignment.family_id, TeamAssignment.team_role).where(
        TeamAssignment.user_id == principal.user_id,
        current(TeamAssignment.since, TeamAssignment.until, today),
    )
    if scope is not None:
        if not scope.family_ids:
            return AccessFacts(today=today, scope=scope)
        stmt = stmt.where(TeamAssignment.family_id.in_(sorted(scope.family_ids)))
    roles: dict[str, set[str]] = {}
    for family_id, team_role in (await session.execute(stmt)).all():
        roles.setdefault(family_id, set()).add(team_role)
    return AccessFacts(today=today, assignments={k: frozenset(v) for k, v in roles.items()}, scope=scope)


async def _caseworker_facts(
    session: AsyncSession, principal: Principal, today: date, scope: FactScope | None
) -> AccessFacts:
    stmt = (
        select(CaseloadEntry.person_id, CaseloadEntry.department, Membership.family_id)
        .outerjoin(
            Membership,
            and_(Membership.person_id == CaseloadEntry.person_id, Membership.left_on.is_(None)),
        )
        # Only the viewer's own department's caseload counts: a caseworker acts for one administration.
        .where(CaseloadEntry.user_id == principal.user_id, CaseloadEntry.department == principal.department)
    )
    if scope is not None:
        if not scope.family_ids and not scope.person_ids:
            return AccessFacts(today=today, scope=scope)
        # The asked-about persons' entries, and every entry of a current member of an asked-about family:
        # complete for both, so a family absent from caseload_family_ids really has no caseload person.
        stmt = stmt.where(
            or_(
                CaseloadEntry.person_id.in_(sorted(scope.person_ids)),
                Membership.family_id.in_(sorted(scope.family_ids)),
            )
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
        scope=scope,
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
            .where(Custody.holder_id == person_id, current(Custody.since, Custody.until, today))
        )
    ).all()
    return AccessFacts(
        today=today,
        own_person_id=person_id,
        own_birth_date=own[0][0],
        own_family_ids=frozenset(fid for _b, fid in own if fid is not None),
        custody_children={row[0]: row[1] for row in children},
    )


def _current_on(since: date, until: date | None, today: date) -> bool:
    return since <= today and (until is None or until > today)


async def model_facts(
    model: ReadModel,
    principal: Principal | None,
    today: date,
    *,
    family_ids: Collection[str],
    person_ids: Collection[str],
) -> AccessFacts | None:
    """Scoped facts from the read model, as `load_facts` would load them; None: ask `load_facts` instead."""
    scope = FactScope(frozenset(family_ids), frozenset(person_ids))
    if len(scope.family_ids) + len(scope.person_ids) > MAX_SCOPED_IDS:
        return None  # the whole scope, in SQL
    if principal is None:
        facts = AccessFacts.none(today)
    elif principal.role in (Role.COORDINATOR, Role.CORE_TEAM):
        facts = await _model_team_facts(model, principal, today, scope)
    elif principal.role is Role.CASEWORKER and principal.department is not None:
        facts = await _model_caseworker_facts(model, principal, today, scope)
    elif principal.role is Role.CITIZEN and principal.person_id is not None:
        facts = await _model_citizen_facts(model, principal.person_id, today)
    else:
        facts = AccessFacts.none(today)
    return facts


async def _model_team_facts(
    model: ReadModel, principal: Principal, today: date, scope: FactScope
) -> AccessFacts:
    assignments: dict[str, frozenset[str]] = {}
    for fid, team in (await model.team_rows(scope.family_ids)).items():
        roles = frozenset(
            role
            for uid, role, since, until in team
            if uid == principal.user_id and _current_on(since, until, today)
        )
        if roles:
            assignments[fid] = roles
    return AccessFacts(today=today, assignments=assignments, scope=scope)


async def _model_caseworker_facts(
    model: ReadModel, principal: Principal, today: date, scope: FactScope
) -> AccessFacts:
    # The asked-about persons and every current member of an asked-about family, as in _caseworker_facts.
    persons = set(scope.person_ids)
    for group in (await model.members_of(scope.family_ids)).values():
        persons.update(m.person_id for m in group)
    caseload: dict[str, frozenset[Department]] = {}
    families: set[str] = set()
    for pid, found in (await model.caseload_of(persons)).items():
        mine = frozenset(
            d for uid, d in found.entries if uid == principal.user_id and d == principal.department
        )
        if mine:
            caseload[pid] = mine
            families |= found.family_ids
    return AccessFacts(today=today, caseload=caseload, caseload_family_ids=frozenset(families), scope=scope)


async def _model_citizen_facts(model: ReadModel, person_id: str, today: date) -> AccessFacts:
    citizen = await model.citizen(person_id)
    if citizen is None:
        return AccessFacts.none(today)
    return AccessFacts(
        today=today,
        own_person_id=person_id,
        own_birth_date=citizen.birth_date,
        own_family_ids=citizen.family_ids,
        custody_children={
            child: birth for child, since, until, birth in citizen.custody if _current_on(since, until, today)
        },
    )
