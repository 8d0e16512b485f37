"""Need-to-know: pure decisions on who may see which family, member, department section and full CPR number.

Every function here is a function of (principal, facts, subject[, department]) and returns a decision with
a short machine-readable reason. No I/O, no clock: the facts (hub/access/facts.py) carry `today`. The gate
(hub/family/gate.py) is the only caller on the read path; consent is decided after access, never instead.
Any role not named below, and any viewer without facts, is denied: the default is no.

The rules (DOMAIN.md §3):
- COORDINATOR and CORE_TEAM see a family only while currently assigned to it (any team role). A family they
  are not assigned to is NOT_FOUND, never FORBIDDEN, so its existence does not leak. On their families they
  may ask for all five department sections of every current member; consent decides what is then shown
  (basis `hfi_team`). Closing a family ends every team assignment and the family's consents; the closing
  coordinator keeps only the RECORD of it (the hub's own data, read-only, so it can be re-opened). On that
  record a member's sections are asked for on basis `closed_record`: only a consent recorded after the
  closure (the family asked again, to re-open) lifts confidentiality, never a statutory basis.
- CASEWORKER sees the persons on their own department's caseload, and of those persons' families only what the
  table below allows: that the family exists and its list fields (name, district, status, dates) and the
  summary's counts (members, children), never another member's name, birth date, age, CPR or id (NOT_FOUND,
  reason `not_caseload_person`). Of a caseload person only their own department's section (basis
  `own_department`: their administration's own data, as today). Every other section is FORBIDDEN.
- CITIZEN (15 or older) sees their own family, their own sections (basis `self`) and the sections of children
  under 18 they currently hold custody of (basis `custody`); never another adult's. A citizen under 15 sees
  nothing through the hub; their custody holders do.
- DEPARTMENT_SYSTEM, STEERING_GROUP and ADMIN see no person data: families NOT_FOUND, sections FORBIDDEN.

The caseworker's table (DOMAIN.md §3 "their own administration's data for their own caseload", issue #26):
| what                                   | caseload person | other member of a caseload family | other family |
|----------------------------------------|-----------------|-----------------------------------|--------------|
| family exists, list fields, counts     | ALLOW           | ALLOW (the family's, not theirs)  | NOT_FOUND    |
| member: id, name, birth date, age, CPR | ALLOW (full CPR)| NOT_FOUND                         | NOT_FOUND    |
| own department's section               | ALLOW           | FORBIDDEN                         | FORBIDDEN    |
| other departments' sections            | FORBIDDEN       | FORBIDDEN                         | FORBIDDEN    |
| plan, core team, meetings              | NOT_FOUND       | NOT_FOUND                         | NOT_FOUND    |

Full CPR numbers (`full_cpr_visible`): only a COORDINATOR on their own families and a CASEWORKER for persons
in their own caseload, the two roles that act in the departments' systems on a person's case. Everyone else
gets the masked form (DDMMYY-XXXX): core-team workers identify members by name and birth date, the hub
itself calls the departments, and citizens are never sent a number over the wire they do not need.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hub.access.facts import AccessFacts
from hub.auth.principal import Principal
from hub.cpr import age_on
from hub.domain import Department, Role
from hub.persistence.models import LIVE_TEAM_ROLES, TeamRole

ADULT_AGE = 18
OWN_DATA_AGE = 15  # from 15 a young person sees (and consents to) their own data

TEAM_ROLES = frozenset({Role.COORDINATOR, Role.CORE_TEAM})
# The strongest team role names the reason when a worker holds several on one family.
_TEAM_ROLE_ORDER = (TeamRole.COORDINATOR, TeamRole.MAKKERPAR, TeamRole.CORE_TEAM)


class Outcome(StrEnum):
    ALLOW = "ALLOW"
    FORBIDDEN = "FORBIDDEN"  # the viewer may know the thing exists, not see it
    NOT_FOUND = "NOT_FOUND"  # the viewer may not even know the thing exists


class Basis(StrEnum):
    """Why access is lawful; consent (decided after access) applies to `HFI_TEAM` only."""

    HFI_TEAM = "hfi_team"  # cross-department disclosure to the family's team: needs the citizen's consent
    OWN_DEPARTMENT = "own_department"  # a caseworker's own administration's data about their own case
    SELF = "self"  # the data subject themselves
    CUSTODY = "custody"  # a custody holder for a child under 18
    CLOSED_RECORD = "closed_record"  # a closed family's record holder: a (new) consent only, no statute


@dataclass(frozen=True, slots=True)
class AccessDecision:
    outcome: Outcome
    reason: str
    basis: Basis | None = None

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOW


def _allow(reason: str, basis: Basis | None = None) -> AccessDecision:
    return AccessDecision(Outcome.ALLOW, reason, basis)


def _not_found(reason: str) -> AccessDecision:
    return AccessDecision(Outcome.NOT_FOUND, reason)


def _forbidden(reason: str) -> AccessDecision:
    return AccessDecision(Outcome.FORBIDDEN, reason)


def _team_reason(team_roles: frozenset[str]) -> str:
    for role in _TEAM_ROLE_ORDER:
        if role in team_roles:
            return f"assigned_{role.lower()}"
    if TeamRole.RECORD in team_roles:
        return "closed_record"
    return "assigned"


def on_live_team(facts: AccessFacts, family_id: str) -> bool:
    """Whether the viewer is on the family's working team now (not only holding a closed family's record)."""
    return not LIVE_TEAM_ROLES.isdisjoint(facts.assignments.get(family_id, frozenset()))


def _citizen_age(facts: AccessFacts) -> int | None:
    return age_on(facts.own_birth_date, facts.today) if facts.own_birth_date is not None else None


def _citizen_may_act(principal: Principal, facts: AccessFacts) -> AccessDecision | None:
    """None if the citizen may use the hub at all, else the denial (as NOT_FOUND)."""
    if principal.person_id is None or facts.own_person_id != principal.person_id:
        return _not_found("citizen_without_person")
    age = _citizen_age(facts)
    if age is None or age < OWN_DATA_AGE:
        return _not_found("citizen_under_15")
    return None


def _custody_child_minor(facts: AccessFacts, person_id: str) -> bool:
    born = facts.custody_children.get(person_id)
    return born is not None and age_on(born, facts.today) < ADULT_AGE


# --- families ---------------------------------------------------------------------------------------


def visible_family_ids(principal: Principal | None, facts: AccessFacts) -> frozenset[str]:
    """Every family the viewer may know exists: the only ids a list or search may return."""
    if principal is None:
        return frozenset()
    if principal.role in TEAM_ROLES:
        return frozenset(facts.assignments)
    if principal.role is Role.CASEWORKER and principal.department is not None:
        return facts.caseload_family_ids
    if principal.role is Role.CITIZEN and _citizen_may_act(principal, facts) is None:
        return facts.own_family_ids
    return frozenset()


def _team_family(principal: Principal, facts: AccessFacts, family_id: str) -> AccessDecision:
    team_roles = facts.assignments.get(family_id)
    return _allow(_team_reason(team_roles)) if team_roles else _not_found("not_assigned")


def _caseworker_family(principal: Principal, facts: AccessFacts, family_id: str) -> AccessDecision:
    if principal.department is None:
        return _not_found("caseworker_without_department")
    if family_id in facts.caseload_family_ids:
        return _allow("caseload_family")
    return _not_found("not_caseload_family")


def _citizen_family(principal: Principal, facts: AccessFacts, family_id: str) -> AccessDecision:
    denial = _citizen_may_act(principal, facts)
    if denial is not None:
        return denial
    return _allow("own_family") if family_id in facts.own_family_ids else _not_found("not_own_family")


def family_access(principal: Principal | None, facts: AccessFacts, family_id: str) -> AccessDecision:
    """May the viewer see this family (its name, status, members, plan)? Denials are always NOT_FOUND."""
    if principal is None:
        return _not_found("unauthenticated")
    if principal.role in TEAM_ROLES:
        return _team_family(principal, facts, family_id)
    if principal.role is Role.CASEWORKER:
        return _caseworker_family(principal, facts, family_id)
    if principal.role is Role.CITIZEN:
        return _citizen_family(principal, facts, family_id)
    return _not_found("role_has_no_person_data")


# --- members ----------------------------------------------------------------------------------------


def _caseworker_member(principal: Principal, facts: AccessFacts, person_id: str) -> AccessDecision:
    # Need-to-know: the family is the caseload person's context, its other members are not the caseworker's.
    own = principal.department
    if own is not None and own in facts.caseload.get(person_id, frozenset()):
        return _allow("own_caseload")
    return _not_found("not_caseload_person")


def member_access(
    principal: Principal | None, facts: AccessFacts, person_id: str, family_id: str
) -> AccessDecision:
    """May the viewer see this person as a member of `family_id` (name, birth date, role in the family)?"""
    family = family_access(principal, facts, family_id)
    if family.allowed and principal is not None and principal.role is Role.CASEWORKER:
        return _caseworker_member(principal, facts, person_id)
    if family.allowed or principal is None or principal.role is not Role.CITIZEN:
        return family
    # A custody holder may see their child even when the child lives in another household.
    if _citizen_may_act(principal, facts) is None and _custody_child_minor(facts, person_id):
        return _allow("custody_child")
    return family


# --- department sections ----------------------------------------------------------------------------


def _team_section(principal: Principal, facts: AccessFacts, person_id: str, family_id: str) -> AccessDecision:
    team_roles = facts.assignments.get(family_id)
    if not team_roles:
        return _forbidden("not_assigned")
    if not on_live_team(facts, family_id):
        return _allow("closed_record", Basis.CLOSED_RECORD)
    return _allow(_team_reason(team_roles), Basis.HFI_TEAM)


def _caseworker_section(
    principal: Principal, facts: AccessFacts, person_id: str, department: Department
) -> AccessDecision:
    own = principal.department
    if own is None:
        return _forbidden("caseworker_without_department")
    if department is not own:
        return _forbidden("not_own_department")
    if own not in facts.caseload.get(person_id, frozenset()):
        return _forbidden("not_in_caseload")
    return _allow("own_caseload", Basis.OWN_DEPARTMENT)


def _citizen_section(principal: Principal, facts: AccessFacts, person_id: str) -> AccessDecision:
    denial = _citizen_may_act(principal, facts)
    if denial is not None:
        return _forbidden(denial.reason)
    if person_id == facts.own_person_id:
        return _allow("self", Basis.SELF)
    if _custody_child_minor(facts, person_id):
        return _allow("custody_child", Basis.CUSTODY)
    if person_id in facts.custody_children:
        return _forbidden("child_now_adult")
    return _forbidden("other_person")


def section_access(
    principal: Principal | None,
    facts: AccessFacts,
    person_id: str,
    family_id: str,
    department: Department,
) -> AccessDecision:
    """May the viewer see `department`'s section about this person (a current member of `family_id`)?

    An allowed decision names its basis; the gate then asks consent where the basis is `hfi_team`.
    """
    if principal is None:
        return _forbidden("unauthenticated")
    if principal.role in TEAM_ROLES:
        return _team_section(principal, facts, person_id, family_id)
    if principal.role is Role.CASEWORKER:
        return _caseworker_section(principal, facts, person_id, department)
    if principal.role is Role.CITIZEN:
        return _citizen_section(principal, facts, person_id)
    return _forbidden("role_has_no_person_data")


# --- CPR numbers ------------------------------------------------------------------------------------


def cpr_visibility(principal: Principal | None) -> bool:
    """Whether the viewer's role may ever be shown a full CPR number (see `full_cpr_visible` for whose)."""
    return principal is not None and principal.role in (Role.COORDINATOR, Role.CASEWORKER)


def full_cpr_visible(principal: Principal | None, facts: AccessFacts, person_id: str, family_id: str) -> bool:
    """Full CPR for this person? Coordinator: on their own families; caseworker: for their own caseload."""
    if principal is None or not cpr_visibility(principal):
        return False
    if principal.role is Role.COORDINATOR:
        return on_live_team(facts, family_id)
    own = principal.department
    return own is not None and own in facts.caseload.get(person_id, frozenset())
