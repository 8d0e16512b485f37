"""Who may read or change a family's plan: the identity concern's need-to-know decision, then the plan's rules.

Whether the viewer may know a family exists at all is decided in ONE place, hub/access/policy.py
(`family_access`), over the viewer's facts from hub/access/facts.py (`load_facts`). This module never
re-decides that; it only narrows an allowed family down by the plan's own, stricter rules:
- EDIT: a COORDINATOR or CORE_TEAM worker currently on the family's core team (coordinator, makkerpar or core
  team) reads everything and changes the plan, meetings, measurements and members.
- READ: a CITIZEN allowed to see the family (an adult member, or a member from 15) reads the family-level
  goals, their own goals and those of the children under 18 they currently hold custody of (never another
  adult's member goals), meetings and the core team.
- SEE: a caseworker with a current member on their caseload may know the family exists (the family view
  shows their own department's data) but not its plan: reading or changing it is FORBIDDEN.
- NONE: everyone need-to-know denies (an unassigned coordinator or core-team worker, a caseworker without a
  member on the caseload, a citizen of another family or under 15, steering group, admin, department
  systems): the family does not exist for them, so every check is NOT_FOUND, never FORBIDDEN.
Managing the core team (assign, unassign) is for the family's current coordinator and for workers with the
COORDINATOR role on the team; an unassigned coordinator, like anyone unassigned, gets NOT_FOUND.
- CLOSED: a closed family's plan is frozen. The coordinator who closed it keeps its record (READ, reason
  `family_closed`); any change is a CONFLICT with reason FAMILY_CLOSED (hub/plan/edits.py also refuses every
  change to a closed family, whoever asks).

`decide` is pure; `access_for` does the only I/O (the viewer's facts, loaded once for any number of
families). Never decide plan access anywhere else, and never decide family visibility here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access import policy
from hub.access.facts import AccessFacts, load_facts
from hub.access.visibility import FAMILY
from hub.auth.principal import Principal
from hub.cpr import age_on
from hub.domain import Role
from hub.errors import Conflict, Forbidden
from hub.persistence.models import TeamRole

FAMILY_CLOSED = "family_closed"


class Level(StrEnum):
    NONE = "NONE"
    SEE = "SEE"
    READ = "READ"
    EDIT = "EDIT"


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
        if self.reason == FAMILY_CLOSED:
            raise family_closed()
        if self.level is Level.NONE:
            raise FAMILY.error()
        raise Forbidden("only the family's core team may change its plan")

    def require_read(self) -> None:
        if self.can_read:
            return
        if self.level is Level.NONE:
            raise FAMILY.error()
        raise Forbidden("the family's plan is shown to its core team and the family itself")

    def require_manage_team(self) -> None:
        if self.manage_team:
            return
        if self.reason == FAMILY_CLOSED:
            raise family_closed()
        if self.level is Level.NONE:
            raise FAMILY.error()
        raise Forbidden("only the family's coordinator may change its core team")


def family_closed(current_version: int | None = None) -> Conflict:
    """The refusal of any change to a closed family's plan, team or meetings."""
    extensions: dict[str, object] = {"reason": "FAMILY_CLOSED"}
    if current_version is not None:
        extensions["currentVersion"] = current_version
    return Conflict(
        "the family's course is closed: its plan is read-only (re-open the family first)", **extensions
    )


def _citizen_persons(facts: AccessFacts) -> frozenset[str]:
    """The members whose member-level plan data a citizen sees: themselves and their minor custody children."""
    own = frozenset({facts.own_person_id}) if facts.own_person_id is not None else frozenset()
    # Same cut-off as the policy's custody basis: custody of a child ends, for the hub, when they turn 18.
    children = frozenset(
        child
        for child, born in facts.custody_children.items()
        if age_on(born, facts.today) < policy.ADULT_AGE
    )
    return own | children


def decide(principal: Principal | None, facts: AccessFacts, family_id: str) -> PlanAccess:
    """Pure: the principal's access to `family_id`'s plan, given the viewer's need-to-know facts."""
    family = policy.family_access(principal, facts, family_id)
    if principal is None or not family.allowed:
        return PlanAccess(family_id, Level.NONE, family.reason)
    if principal.role in policy.TEAM_ROLES:
        team_roles = facts.assignments.get(family_id, frozenset())
        if not team_roles:  # pragma: no cover - need-to-know allows team roles only on assigned families
            return PlanAccess(family_id, Level.NONE, "not_assigned")
        if not policy.on_live_team(facts, family_id):
            return PlanAccess(family_id, Level.READ, FAMILY_CLOSED)  # the closed family's record
        manage = principal.role is Role.COORDINATOR or TeamRole.COORDINATOR in team_roles
        return PlanAccess(family_id, Level.EDIT, family.reason, manage_team=manage)
    if principal.role is Role.CITIZEN:
        return PlanAccess(family_id, Level.READ, family.reason, person_ids=_citizen_persons(facts))
    # A caseworker (or any future role need-to-know lets see the family) knows it exists, not its plan.
    return PlanAccess(family_id, Level.SEE, family.reason, person_ids=frozenset())


async def access_for(
    session: AsyncSession, principal: Principal | None, family_ids: Collection[str], today: date
) -> dict[str, PlanAccess]:
    """The viewer's plan access for each family, from one load of the viewer's facts about them (one query).

    Run inside the caller's session, so an edit decides on the team as it is inside the edit's transaction.
    """
    ids = list(dict.fromkeys(family_ids))
    if not ids:
        return {}
    facts = await load_facts(session, principal, today, family_ids=ids)
    return {fid: decide(principal, facts, fid) for fid in ids}
