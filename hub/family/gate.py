"""The one gate every read of a person's department data passes: need-to-know access, then consent.

`Gate.decide_many` answers, for each (member, department), whether the viewer may see that section and which
data categories; it runs before any connector call, so a member without a basis is never fetched. Every
schema path that reaches a person's department data goes through `SectionService` (hub/family/sections.py),
which asks this gate. Decisions are made by pure policies (hub/access/policy.py, hub/consent/policy.py) over
facts loaded once per request. Families and members are filtered here too (`visible_family_scope`,
`visible_families`, `can_see_member`): a family the viewer may not see is NOT_FOUND, never FORBIDDEN.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.access import policy
from hub.access.facts import AccessFacts, load_facts
from hub.access.policy import AccessDecision, Basis
from hub.auth.principal import Principal
from hub.consent.guard import ConsentGuard
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


WORKER_ROLES = frozenset({Role.COORDINATOR, Role.CORE_TEAM, Role.CASEWORKER})  # kept for callers


class Gate:
    """Per-request decisions: need-to-know access first (hub/access/policy.py), then consent.

    The viewer's facts (assignments, caseload, custody) are loaded lazily, once per request, from `sessions`.
    A gate without `sessions` or `facts` knows nothing about the viewer and so denies everything.
    """

    def __init__(
        self,
        principal: Principal | None,
        *,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        today: date | None = None,
        facts: AccessFacts | None = None,
        now: datetime | None = None,
    ) -> None:
        self.principal = principal
        # The moment consent is decided at: the request's time (a consent expires or is withdrawn by it).
        self.now = now or datetime.now(UTC)
        self._consent_guard: ConsentGuard | None = None
        self.today = today or (facts.today if facts is not None else datetime.now(UTC).date())
        self._sessions = sessions
        self._facts = facts
        self._facts_lock = asyncio.Lock()
        self._decisions: dict[tuple[str, Department], SectionDecision] = {}

    async def facts(self) -> AccessFacts:
        """The viewer's access facts, loaded on first use (one or two queries) and kept for the request."""
        if self._facts is None:
            async with self._facts_lock:
                if self._facts is None:
                    self._facts = await self._load_facts()
        return self._facts

    async def _load_facts(self) -> AccessFacts:
        if self._sessions is None or self.principal is None:
            return AccessFacts.none(self.today)
        async with self._sessions() as session:
            return await load_facts(session, self.principal, self.today)

    async def decide_many(
        self, members: Iterable[MemberInfo], departments: Collection[Department]
    ) -> dict[tuple[str, Department], SectionDecision]:
        pending = [(m, d) for m in members for d in departments if (m.person_id, d) not in self._decisions]
        if not pending:
            return self._decisions
        facts = await self.facts()
        # 1. Access: need-to-know, pure policy. A denial is final; consent is never asked for it.
        granted: list[tuple[MemberInfo, Department, AccessDecision]] = []
        for member, department in pending:
            access = policy.section_access(
                self.principal, facts, member.person_id, member.family_id, department
            )
            if access.allowed:
                granted.append((member, department, access))
            else:
                self._decisions[(member.person_id, department)] = SectionDecision(
                    Verdict.FORBIDDEN, access.reason
                )
        # 2. Consent: only for what access granted.
        self._decisions.update(await self._consent(granted))
        return self._decisions

    async def _consent(
        self, granted: list[tuple[MemberInfo, Department, AccessDecision]]
    ) -> dict[tuple[str, Department], SectionDecision]:
        """Consent on top of granted access (hub/consent/policy.py), for CASE and then HEALTH.

        Basis `hfi_team` (cross-department disclosure to the family's team) needs the citizen's consent or a
        statutory basis; `own_department`, `self` and `custody` need none, except that a custody holder never
        sees a 15+ child's HEALTH. The members' consents are loaded once for all of them (consent guard).
        """
        if not granted:
            return {}
        if self._consent_guard is None:
            if self._sessions is None:  # pragma: no cover - access denies everything without sessions
                raise RuntimeError("the gate needs sessions to decide consent")
            self._consent_guard = ConsentGuard(self._sessions, self.principal, self.now)
        guard = self._consent_guard
        await guard.load(member for member, _department, _access in granted)
        out: dict[tuple[str, Department], SectionDecision] = {}
        for member, department, access in granted:
            consent = guard.section(
                member,
                department,
                own_department=access.basis is Basis.OWN_DEPARTMENT,
                custody_holder=access.basis is Basis.CUSTODY,
            )
            key = (member.person_id, department)
            if consent.allowed:
                out[key] = SectionDecision(
                    Verdict.ALLOW, consent.reason, basis=consent.basis, categories=consent.categories
                )
            else:
                out[key] = SectionDecision(Verdict.CONSENT_REQUIRED, consent.reason)
        return out

    # --- families and members: need-to-know only; a denial is NOT_FOUND to the caller -----------------

    async def visible_families(self, family_ids: Collection[str]) -> set[str]:
        """The subset of `family_ids` the viewer may see; the rest are to be reported as NOT_FOUND."""
        scope = await self.visible_family_scope()
        return set(family_ids) if scope is None else set(family_ids) & set(scope)

    async def visible_family_scope(self) -> Collection[str] | None:
        """All family ids the viewer may see (for lists and searches). Never None: every role is scoped."""
        return policy.visible_family_ids(self.principal, await self.facts())

    async def family_access(self, family_id: str) -> AccessDecision:
        return policy.family_access(self.principal, await self.facts(), family_id)

    async def can_see_member(self, member: MemberInfo) -> bool:
        """Whether the viewer may see this member at all (own family, or a citizen's custody child)."""
        facts = await self.facts()
        return policy.member_access(self.principal, facts, member.person_id, member.family_id).allowed

    async def full_cpr(self, member: MemberInfo) -> bool:
        """Full CPR for this member, or masked (see hub/access/policy.py for who and why)."""
        facts = await self.facts()
        return policy.full_cpr_visible(self.principal, facts, member.person_id, member.family_id)

    def decision(self, member: MemberInfo, department: Department) -> SectionDecision | None:
        return self._decisions.get((member.person_id, department))
