"""The one gate every read of a person's department data passes: need-to-know access, then consent.

`Gate.decide_many` answers, for each (member, department), whether the viewer may see that section and which
data categories; it runs before any connector call, so a member without a basis is never fetched. Every
schema path that reaches a person's department data goes through `SectionService` (hub/family/sections.py),
which asks this gate. Decisions are made by pure policies (hub/access/policy.py, hub/consent/policy.py) over
facts loaded per request for what it touches: the gate accumulates the viewer's facts about the families and
persons it is asked about (hub/access/facts.py, scoped loads), never the viewer's whole scope unless asked for
it (`facts()`, `visible_family_scope`). Families and members are filtered here too (`visible_families`,
`family_access`, `can_see_member`): a family the viewer may not see is NOT_FOUND, never FORBIDDEN. Lists
filter in SQL by `visible_family_query` (hub/access/scope.py), the same rules as the policy.

Given the process's read model (hub/readmodel), scoped facts and consents come from it instead of SQL; the
read model is coherent at the request's start (its epoch guard runs when the request is authenticated).

Break-the-glass (hub/access/breakglass): only where need-to-know says no, the viewer's emergency grant on the
family (in force at the request's `now`) may open the family and its sections instead; consent is then decided
as for an assigned worker, and health only on an explicit health basis. Decisions under a grant carry the
audit purpose `EMERGENCY_ACCESS:<grant id>` and the reason `break_glass:<reason code>`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.access import policy, scope
from hub.access.breakglass import policy as breakglass
from hub.access.breakglass.policy import EmergencyGrant
from hub.access.breakglass.store import grants_of
from hub.access.facts import AccessFacts, load_facts, model_facts
from hub.access.policy import AccessDecision, Basis
from hub.auth.principal import Principal
from hub.consent.guard import ConsentGuard
from hub.days import local_day
from hub.domain import DataCategory, Department, Role
from hub.family.model import MemberInfo

if TYPE_CHECKING:
    from hub.readmodel.model import ReadModel

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
    purpose: str | None = None  # the audit purpose when not the default (emergency access: with the grant id)

    @property
    def allowed(self) -> bool:
        return self.verdict is Verdict.ALLOW


WORKER_ROLES = frozenset({Role.COORDINATOR, Role.CORE_TEAM, Role.CASEWORKER})  # kept for callers


class Gate:
    """Per-request decisions: need-to-know access first (hub/access/policy.py), then consent.

    The viewer's facts (assignments, caseload, custody) are loaded lazily from `sessions`, only about the
    families and persons asked about, and kept for the request: each fact is read at most once. A gate without
    `sessions` or `facts` knows nothing about the viewer and so denies everything.
    """

    def __init__(
        self,
        principal: Principal | None,
        *,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        today: date | None = None,
        facts: AccessFacts | None = None,
        now: datetime | None = None,
        readmodel: ReadModel | None = None,
    ) -> None:
        self.principal = principal
        self.readmodel = readmodel
        # The moment consent is decided at: the request's time (a consent expires or is withdrawn by it).
        self.now = now or datetime.now(UTC)
        self._consent_guard: ConsentGuard | None = None
        self.today = today or (facts.today if facts is not None else local_day(datetime.now(UTC)))
        self._sessions = sessions
        self._facts = facts
        self._facts_lock = asyncio.Lock()
        self._decisions: dict[tuple[str, Department], SectionDecision] = {}
        self._grants: dict[str, tuple[EmergencyGrant, ...]] = {}

    async def emergency_grant(self, family_id: str) -> EmergencyGrant | None:
        """The viewer's break-the-glass grant on this family in force at the request's `now`, if any."""
        return (await self._emergency_grants([family_id])).get(family_id)

    async def _emergency_grants(self, family_ids: Collection[str]) -> dict[str, EmergencyGrant]:
        principal = self.principal
        if principal is None or principal.role not in breakglass.BREAK_GLASS_ROLES or self._sessions is None:
            return {}
        missing = [fid for fid in family_ids if fid not in self._grants]
        if missing:
            if self.readmodel is not None:
                self._grants.update(await self.readmodel.emergency_grants(missing))
            else:
                async with self._sessions() as session:
                    self._grants.update(await grants_of(session, missing))
            self._grants.update((fid, ()) for fid in missing if fid not in self._grants)
        out: dict[str, EmergencyGrant] = {}
        for fid in family_ids:
            grant = breakglass.active_grant(principal, self._grants[fid], fid, self.now)
            if grant is not None:
                out[fid] = grant
        return out

    async def facts(self) -> AccessFacts:
        """ALL the viewer's access facts (one or two queries), kept for the request.

        A coordinator's whole scope can be thousands of rows: on the read path ask `facts_about` instead.
        """
        if self._facts is None or (self._facts.scope is not None and self._sessions is not None):
            async with self._facts_lock:
                if self._facts is None or (self._facts.scope is not None and self._sessions is not None):
                    self._facts = await self._load_facts(None, None)
        return self._facts

    async def facts_about(
        self, family_ids: Collection[str] = (), person_ids: Collection[str] = ()
    ) -> AccessFacts:
        """The viewer's facts, covering at least these families and persons (loading only what is missing)."""
        facts = self._facts
        # Without sessions there is nothing more to learn: what is not in the given facts is denied.
        if facts is not None and (self._sessions is None or facts.covers(family_ids, person_ids)):
            return facts
        async with self._facts_lock:
            facts = self._facts
            if facts is None:
                facts = self._facts = await self._load_facts(family_ids, person_ids)
            elif not facts.covers(family_ids, person_ids):
                known = facts.scope
                assert known is not None  # noqa: S101 - whole-scope facts cover everything
                missing_families = set(family_ids) - known.family_ids
                missing_persons = set(person_ids) - known.person_ids
                facts = facts.merged(await self._load_facts(missing_families, missing_persons))
                self._facts = facts
            return facts

    async def _load_facts(
        self, family_ids: Collection[str] | None, person_ids: Collection[str] | None
    ) -> AccessFacts:
        if self._sessions is None or self.principal is None:
            return AccessFacts.none(self.today)
        if self.readmodel is not None and (family_ids is not None or person_ids is not None):
            facts = await model_facts(
                self.readmodel,
                self.principal,
                self.today,
                family_ids=family_ids or (),
                person_ids=person_ids or (),
            )
            if facts is not None:
                return facts
        async with self._sessions() as session:
            return await load_facts(
                session, self.principal, self.today, family_ids=family_ids, person_ids=person_ids
            )

    async def decide_many(
        self, members: Iterable[MemberInfo], departments: Collection[Department]
    ) -> dict[tuple[str, Department], SectionDecision]:
        pending = [(m, d) for m in members for d in departments if (m.person_id, d) not in self._decisions]
        if not pending:
            return self._decisions
        facts = await self.facts_about({m.family_id for m, _d in pending}, {m.person_id for m, _d in pending})
        # 1. Access: need-to-know, pure policy; where it says no, the viewer's emergency grant on the family may
        # say yes instead. A denial by both is final: consent is never asked for it.
        granted: list[tuple[MemberInfo, Department, AccessDecision]] = []
        emergency: list[tuple[MemberInfo, Department, AccessDecision, EmergencyGrant]] = []
        denied: list[tuple[MemberInfo, Department, AccessDecision]] = []
        for member, department in pending:
            access = policy.section_access(
                self.principal, facts, member.person_id, member.family_id, department
            )
            if access.allowed:
                granted.append((member, department, access))
            else:
                denied.append((member, department, access))
        grants = await self._emergency_grants({m.family_id for m, _d, _a in denied}) if denied else {}
        for member, department, access in denied:
            grant = grants.get(member.family_id)
            if grant is None:
                self._decisions[(member.person_id, department)] = SectionDecision(
                    Verdict.FORBIDDEN, access.reason
                )
                continue
            under = breakglass.section_access(self.principal, grant, department)
            if under.allowed:
                emergency.append((member, department, under, grant))
            else:
                self._decisions[(member.person_id, department)] = SectionDecision(
                    Verdict.FORBIDDEN, under.reason, purpose=grant.purpose
                )
        # 2. Consent: only for what access granted.
        self._decisions.update(await self._consent(granted))
        self._decisions.update(await self._emergency_consent(emergency))
        return self._decisions

    async def _emergency_consent(
        self, granted: list[tuple[MemberInfo, Department, AccessDecision, EmergencyGrant]]
    ) -> dict[tuple[str, Department], SectionDecision]:
        """Consent under an emergency grant: as for an assigned worker, and HEALTH only on a health basis.

        A caseworker's own-department basis lifts CASE (their administration's own data); health needs a consent
        or statutory basis naming HEALTH, asked for without the own-department exception.
        """
        if not granted:
            return {}
        guard = self._guard()
        await guard.load(member for member, _d, _a, _g in granted)
        out: dict[tuple[str, Department], SectionDecision] = {}
        for member, department, access, grant in granted:
            own = access.basis is Basis.OWN_DEPARTMENT
            case = guard.section(member, department, own_department=own)
            shared = guard.section(member, department) if own else case
            health = shared.health is not None and shared.health.allowed
            shown = breakglass.section_categories(department, case_allowed=case.allowed, health_basis=health)
            key = (member.person_id, department)
            if shown.allowed:
                out[key] = SectionDecision(
                    Verdict.ALLOW,
                    grant.audit_reason,
                    basis=case.basis,
                    categories=shown.categories,
                    purpose=grant.purpose,
                )
            elif not case.allowed:
                out[key] = SectionDecision(Verdict.CONSENT_REQUIRED, case.reason, purpose=grant.purpose)
            else:
                out[key] = SectionDecision(Verdict.FORBIDDEN, shown.reason, purpose=grant.purpose)
        return out

    def _guard(self) -> ConsentGuard:
        if self._consent_guard is None:
            if self._sessions is None:  # pragma: no cover - access denies everything without sessions
                raise RuntimeError("the gate needs sessions to decide consent")
            self._consent_guard = ConsentGuard(
                self._sessions, self.principal, self.now, readmodel=self.readmodel
            )
        return self._consent_guard

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
        guard = self._guard()
        await guard.load(member for member, _department, _access in granted)
        out: dict[tuple[str, Department], SectionDecision] = {}
        for member, department, access in granted:
            consent = guard.section(
                member,
                department,
                own_department=access.basis is Basis.OWN_DEPARTMENT,
                custody_holder=access.basis is Basis.CUSTODY,
                consent_only=access.basis is Basis.CLOSED_RECORD,
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
        facts = await self.facts_about(family_ids)
        visible = {fid for fid in family_ids if policy.family_access(self.principal, facts, fid).allowed}
        hidden = [fid for fid in family_ids if fid not in visible]
        return visible | set(await self._emergency_grants(hidden)) if hidden else visible

    async def visible_family_scope(self) -> Collection[str] | None:
        """All family ids the viewer may see, as a set: loads the viewer's whole scope.

        Lists and searches filter by `visible_family_query` in SQL instead. Never None: every role is scoped.
        """
        return policy.visible_family_ids(self.principal, await self.facts())

    def visible_family_query(self) -> Select[str]:
        """The family ids the viewer may see, as SQL (the policy's rules; see hub/access/scope.py)."""
        # A gate without sessions knows nothing about the viewer, so its scope is empty, as in the policy.
        principal = self.principal if self._sessions is not None else None
        return scope.visible_family_ids_query(principal, self.today)

    def searchable_person_query(self) -> Select[str] | None:
        """The persons whose names a search may match (a caseworker: their caseload only; see scope.py)."""
        return scope.searchable_person_ids_query(self.principal)

    async def family_access(self, family_id: str) -> AccessDecision:
        decision = policy.family_access(self.principal, await self.facts_about([family_id]), family_id)
        if decision.allowed:
            return decision
        grant = await self.emergency_grant(family_id)
        return breakglass.family_access(grant) if grant is not None else decision

    async def can_see_member(self, member: MemberInfo) -> bool:
        """Whether the viewer may see this member at all (own family, or a citizen's custody child)."""
        facts = await self.facts_about([member.family_id], [member.person_id])
        if policy.member_access(self.principal, facts, member.person_id, member.family_id).allowed:
            return True
        return await self.emergency_grant(member.family_id) is not None

    async def visible_members(self, members: Collection[MemberInfo]) -> list[MemberInfo]:
        """The members the viewer may see, in order: a caseworker only their caseload persons (policy table).
        Under an emergency grant on the family (hub/access/breakglass) every member is listed, as for the family's
        team: the grant's departments and consent still decide each section."""
        facts = await self.facts_about({m.family_id for m in members}, {m.person_id for m in members})
        shown = [
            (m, policy.member_access(self.principal, facts, m.person_id, m.family_id).allowed)
            for m in members
        ]
        hidden = {m.family_id for m, allowed in shown if not allowed}
        grants = await self._emergency_grants(hidden) if hidden else {}
        return [m for m, allowed in shown if allowed or m.family_id in grants]

    async def full_cpr(self, member: MemberInfo) -> bool:
        """Full CPR for this member, or masked (see hub/access/policy.py for who and why)."""
        facts = await self.facts_about([member.family_id], [member.person_id])
        return policy.full_cpr_visible(self.principal, facts, member.person_id, member.family_id)

    def full_cpr_known(self, member: MemberInfo) -> bool | None:
        """`full_cpr` without waiting, when the facts already loaded cover the member; else None."""
        facts = self._facts
        if facts is None or (
            self._sessions is not None and not facts.covers([member.family_id], [member.person_id])
        ):
            return None
        return policy.full_cpr_visible(self.principal, facts, member.person_id, member.family_id)

    def decision(self, member: MemberInfo, department: Department) -> SectionDecision | None:
        return self._decisions.get((member.person_id, department))
