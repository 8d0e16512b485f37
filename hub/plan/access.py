"""Who may read or change a family's plan: facts loaded in one batch, then a pure decision.

- EDIT: a worker currently on the family's core team (coordinator, makkerpar or core team, per
  `team_assignments`) may read everything and change the plan, meetings, measurements and members.
- READ: a CITIZEN who is a current member of the family reads the family-level goals, their own goals and
  those of the children they hold custody of (not another adult's member goals), meetings, core team.
- SEE: a caseworker with a current member on their caseload sees that the family exists (the family view shows
  their own department's data) but not the plan: changes are FORBIDDEN.
- NONE: everyone else; the family does not exist for them (NOT_FOUND, never FORBIDDEN).
Managing the core team (assign, unassign) is for users with the COORDINATOR role (the programme's tovholdere,
who build the team at intake) and for the family's current coordinator.

The decision functions are pure; `load_facts` is the only I/O. When hub.access lands, `load_facts` can be
replaced by its facts without touching the decisions' callers. Never decide plan access anywhere else.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal
from hub.domain import Role
from hub.errors import Forbidden, NotFound
from hub.persistence.models import CaseloadEntry, Custody, Family, Membership, TeamAssignment, TeamRole


class Level(StrEnum):
    NONE = "NONE"
    SEE = "SEE"
    READ = "READ"
    EDIT = "EDIT"


@dataclass(frozen=True, slots=True)
class FamilyFacts:
    family_id: str
    exists: bool
    team_roles: frozenset[str] = frozenset()  # the principal's current team roles on this family
    member_person_ids: frozenset[str] = frozenset()  # current members
    custody_children: frozenset[str] = frozenset()  # current members the principal's person holds custody of
    on_caseload: bool = False  # a current member is on the principal's caseload


@dataclass(frozen=True, slots=True)
class PlanAccess:
    family_id: str
    level: Level
    reason: str
    # For READ: the members whose member-level plan data the viewer sees; None means every member.
    person_ids: frozenset[str] | None = field(default=None)
    manage_team: bool = False

    @property
    def can_read(self) -> bool:
        return self.level in (Level.READ, Level.EDIT)

    def sees_person(self, person_id: str | None) -> bool:
        """Whether member-level data of `person_id` (None: family-level) is visible."""
        if not self.can_read:
            return False
        return person_id is None or self.person_ids is None or person_id in self.person_ids

    def require_edit(self) -> None:
        if self.level is Level.EDIT:
            return
        if self.level is Level.NONE:
            raise NotFound("no such family")
        raise Forbidden("only the family's core team may change its plan")

    def require_read(self) -> None:
        if self.can_read:
            return
        if self.level is Level.NONE:
            raise NotFound("no such family")
        raise Forbidden("the family's plan is shown to its core team and the family itself")

    def require_manage_team(self) -> None:
        if self.manage_team:
            return
        if self.level is Level.NONE:
            raise NotFound("no such family")
        raise Forbidden("only a coordinator may change the family's core team")


WORKER_ROLES = frozenset({Role.COORDINATOR, Role.CORE_TEAM, Role.CASEWORKER})


def decide(principal: Principal | None, facts: FamilyFacts) -> PlanAccess:  # noqa: PLR0911 - one rule per return
    """Pure: the principal's access to the family's plan."""
    fid = facts.family_id
    if principal is None or not facts.exists:
        return PlanAccess(fid, Level.NONE, "unknown")
    if principal.role in WORKER_ROLES:
        manage = principal.role is Role.COORDINATOR or TeamRole.COORDINATOR in facts.team_roles
        if facts.team_roles:
            return PlanAccess(fid, Level.EDIT, "core_team", manage_team=manage)
        if principal.role is Role.COORDINATOR:
            # A programme coordinator builds teams at intake, before being on one: the family exists for them.
            return PlanAccess(
                fid, Level.SEE, "programme_coordinator", person_ids=frozenset(), manage_team=True
            )
        if facts.on_caseload:
            return PlanAccess(fid, Level.SEE, "caseload", person_ids=frozenset())
        return PlanAccess(fid, Level.NONE, "not_assigned")
    if principal.role is Role.CITIZEN and principal.person_id in facts.member_person_ids:
        visible = frozenset({principal.person_id}) | facts.custody_children
        return PlanAccess(fid, Level.READ, "family_member", person_ids=visible)
    return PlanAccess(fid, Level.NONE, "role_has_no_family_data")


async def load_facts(
    session: AsyncSession, principal: Principal | None, family_ids: Collection[str], today: date
) -> dict[str, FamilyFacts]:
    """The facts `decide` needs for each family, in a handful of queries whatever the number of families."""
    ids = list(dict.fromkeys(family_ids))
    if not ids:
        return {}
    existing = set(await session.scalars(select(Family.id).where(Family.id.in_(ids))))
    if principal is None:
        return {fid: FamilyFacts(fid, fid in existing) for fid in ids}
    roles: dict[str, set[str]] = {}
    assignments = await session.execute(
        select(TeamAssignment.family_id, TeamAssignment.team_role).where(
            TeamAssignment.family_id.in_(ids),
            TeamAssignment.user_id == principal.user_id,
            TeamAssignment.since <= today,
            or_(TeamAssignment.until.is_(None), TeamAssignment.until > today),
        )
    )
    for fid, role in assignments.all():
        roles.setdefault(fid, set()).add(role)
    members: dict[str, set[str]] = {}
    rows = await session.execute(
        select(Membership.family_id, Membership.person_id).where(
            Membership.family_id.in_(ids), Membership.left_on.is_(None)
        )
    )
    for fid, pid in rows.all():
        members.setdefault(fid, set()).add(pid)
    children: set[str] = set()
    if principal.person_id is not None:
        children = set(
            await session.scalars(
                select(Custody.child_id).where(
                    Custody.holder_id == principal.person_id, Custody.until.is_(None)
                )
            )
        )
    caseload: set[str] = set()
    if principal.role is Role.CASEWORKER:
        caseload = set(
            await session.scalars(
                select(CaseloadEntry.person_id).where(CaseloadEntry.user_id == principal.user_id)
            )
        )
    return {
        fid: FamilyFacts(
            family_id=fid,
            exists=fid in existing,
            team_roles=frozenset(roles.get(fid, ())),
            member_person_ids=frozenset(members.get(fid, ())),
            custody_children=frozenset(children & members.get(fid, set())),
            on_caseload=bool(caseload & members.get(fid, set())),
        )
        for fid in ids
    }


async def access_for(
    session: AsyncSession, principal: Principal | None, family_ids: Collection[str], today: date
) -> dict[str, PlanAccess]:
    facts = await load_facts(session, principal, family_ids, today)
    return {fid: decide(principal, f) for fid, f in facts.items()}
