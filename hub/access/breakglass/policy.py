"""Break-the-glass (nødadgang) as pure decisions: who may ask, what a grant opens, and what it never opens.

Functions of (principal, grant, department, what consent found, now): no I/O, no clock of their own. The gate
(hub/family/gate.py) asks here only after need-to-know (hub/access/policy.py) has said no, so emergency access
never narrows ordinary access and never applies to anyone whose role may not break glass.

The rules (the policy table; the README's "Break-the-glass" section says the same):

| role            | may ask | departments a grant covers            | basis under the grant | consent gate        |
|-----------------|---------|---------------------------------------|-----------------------|---------------------|
| COORDINATOR     | yes     | all five (as on the families they run)| hfi_team              | applies, as for the team |
| CORE_TEAM       | yes     | all five (as on their team's families)| hfi_team              | applies, as for the team |
| CASEWORKER      | yes, with a department | their own administration only | own_department  | applies (own data: none needed for CASE) |
| CITIZEN, STEERING_GROUP, ADMIN, DEPARTMENT_SYSTEM | never | - | - | - |

- Emergency access replaces the ASSIGNMENT (team roles) or CASELOAD (caseworkers) requirement, and nothing
  else: every section is still decided by the consent gate exactly as for a worker who was assigned, so a
  cross-administration section needs a consent or a statutory basis as before.
- HEALTH is never opened by the emergency itself: health details are shown only on an explicit health basis (a
  consent naming HEALTH, or a statutory basis covering HEALTH); a caseworker's own-department basis does not
  count for health under a grant. Sections that are health data through and through (SUF) are FORBIDDEN under a
  grant without such a basis; other sections are shown with their health details withheld.
- A grant is for one worker and one family, from `granted_at` for a bounded time (`HUB_BREAK_GLASS_TTL_S`),
  until it expires or is revoked (an administrator's NOT_JUSTIFIED verdict revokes it at once). It is evaluated
  at the request's `now`, never cached as a decision.
- A grant opens the family by id only: lists and searches never show emergency families; full CPR numbers
  stay masked under a grant.
- Asking needs a reason code (`ReasonCode`) and a written justification of JUSTIFICATION_MIN..MAX characters.
  A worker who already sees the family (assigned, or a caseworker with a caseload person in it) may not ask.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hub.access.policy import AccessDecision, Basis, Outcome
from hub.auth.principal import Principal
from hub.domain import DataCategory, Department, Role

JUSTIFICATION_MIN = 20
JUSTIFICATION_MAX = 2000
AUDIT_PURPOSE = (
    "EMERGENCY_ACCESS"  # the audit purpose of every read under a grant: f"{AUDIT_PURPOSE}:{grant id}"
)

TEAM_ROLES = frozenset({Role.COORDINATOR, Role.CORE_TEAM})
BREAK_GLASS_ROLES = frozenset({Role.COORDINATOR, Role.CORE_TEAM, Role.CASEWORKER})
# Departments whose whole section is health data: under a grant, shown only on an explicit health basis.
HEALTH_DEPARTMENTS = frozenset({Department.SUF})


class ReasonCode(StrEnum):
    CHILD_SAFETY = "CHILD_SAFETY"  # a child's safety is at acute risk
    ACUTE_HEALTH = "ACUTE_HEALTH"  # acute risk to someone's life or health
    VIOLENCE_OR_THREAT = "VIOLENCE_OR_THREAT"  # violence or a threat against a member or staff
    TEAM_UNREACHABLE = "TEAM_UNREACHABLE"  # the family's team cannot be reached and action cannot wait
    OTHER_URGENT = "OTHER_URGENT"  # another urgent situation, explained in the justification


class Verdict(StrEnum):
    JUSTIFIED = "JUSTIFIED"
    NOT_JUSTIFIED = "NOT_JUSTIFIED"


@dataclass(frozen=True, slots=True)
class EmergencyGrant:
    """One grant as the decisions need it (the justification is not needed to decide, so not here)."""

    id: str
    user_id: str
    family_id: str
    reason: ReasonCode
    departments: frozenset[Department]
    granted_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def active_at(self, now: datetime) -> bool:
        return self.granted_at <= now < self.expires_at and (self.revoked_at is None or now < self.revoked_at)

    @property
    def purpose(self) -> str:
        return f"{AUDIT_PURPOSE}:{self.id}"

    @property
    def audit_reason(self) -> str:
        return f"break_glass:{self.reason.value}"


@dataclass(frozen=True, slots=True)
class RequestDecision:
    allowed: bool
    reason: str  # "ok", "role_may_not_break_glass", "no_department", "already_has_access", ...
    field: str | None = None  # the input at fault, for BAD_USER_INPUT


def covered_departments(principal: Principal | None) -> frozenset[Department]:
    """The departments the worker's role covers: what a grant of theirs may ever open."""
    if principal is None:
        return frozenset()
    if principal.role in TEAM_ROLES:
        return frozenset(Department)
    if principal.role is Role.CASEWORKER and principal.department is not None:
        return frozenset({principal.department})
    return frozenset()


def may_request(principal: Principal | None, *, already_visible: bool) -> RequestDecision:
    """May this worker ask for emergency access to a family (that exists)? Input checks are separate."""
    if principal is None or principal.role not in BREAK_GLASS_ROLES:
        return RequestDecision(False, "role_may_not_break_glass")
    if not covered_departments(principal):
        return RequestDecision(False, "no_department")
    if already_visible:
        return RequestDecision(False, "already_has_access")
    return RequestDecision(True, "ok")


def check_justification(reason: str, justification: str) -> RequestDecision:
    """A known reason code and a justification of bounded length (whitespace does not count)."""
    if reason not in ReasonCode.__members__:
        return RequestDecision(False, "unknown_reason_code", "reasonCode")
    text = justification.strip()
    if len(text) < JUSTIFICATION_MIN:
        return RequestDecision(False, "justification_too_short", "justification")
    if len(text) > JUSTIFICATION_MAX:
        return RequestDecision(False, "justification_too_long", "justification")
    return RequestDecision(True, "ok")


def active_grant(
    principal: Principal | None, grants: Iterable[EmergencyGrant], family_id: str, now: datetime
) -> EmergencyGrant | None:
    """The viewer's grant on this family in force at `now` (the latest to expire), if any."""
    if principal is None or principal.role not in BREAK_GLASS_ROLES:
        return None
    found = [
        g for g in grants if g.user_id == principal.user_id and g.family_id == family_id and g.active_at(now)
    ]
    return max(found, key=lambda g: (g.expires_at, g.id)) if found else None


def family_access(grant: EmergencyGrant | None) -> AccessDecision:
    """The family (name, members) under a grant; without one, NOT_FOUND as need-to-know says."""
    if grant is None:
        return AccessDecision(Outcome.NOT_FOUND, "not_assigned")
    return AccessDecision(Outcome.ALLOW, "break_glass")


def section_access(
    principal: Principal | None, grant: EmergencyGrant | None, department: Department
) -> AccessDecision:
    """Access to a department section under a grant (consent is decided after, as for an assignment)."""
    if principal is None or grant is None:
        return AccessDecision(Outcome.FORBIDDEN, "not_assigned")
    if department not in grant.departments or department not in covered_departments(principal):
        return AccessDecision(Outcome.FORBIDDEN, "break_glass_department_not_covered")
    if principal.role is Role.CASEWORKER:
        return AccessDecision(Outcome.ALLOW, "break_glass", Basis.OWN_DEPARTMENT)
    return AccessDecision(Outcome.ALLOW, "break_glass", Basis.HFI_TEAM)


@dataclass(frozen=True, slots=True)
class EmergencyCategories:
    allowed: bool
    categories: frozenset[DataCategory]
    reason: str


def section_categories(
    department: Department, *, case_allowed: bool, health_basis: bool
) -> EmergencyCategories:
    """What of a section a grant shows, given what the consent gate found.

    `case_allowed`: the consent gate allowed the section (CASE) on the grant's basis; `health_basis`: an explicit
    health basis (consent naming HEALTH, or a statutory basis covering HEALTH) exists for the viewer.
    """
    if not case_allowed:
        return EmergencyCategories(False, frozenset(), "no_basis")
    if department in HEALTH_DEPARTMENTS and not health_basis:
        return EmergencyCategories(False, frozenset(), "break_glass_needs_health_basis")
    categories = {DataCategory.CASE} | ({DataCategory.HEALTH} if health_basis else set())
    return EmergencyCategories(True, frozenset(categories), "ok")


def may_review(principal: Principal | None) -> bool:
    """Only administrators review emergency accesses.

    The queue shows who asked (username, role, administration, unit), the reason and the justification, which
    the reviewer must read; never a section or any department data.
    """
    return principal is not None and principal.role is Role.ADMIN
