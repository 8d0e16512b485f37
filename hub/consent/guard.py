"""The gate's consent step: per request, load the members' consents once and decide per (member, department).

`ConsentGuard.load(members)` reads consents and statutory bases for every not-yet-loaded member in one round
(two statements, whatever the number of members); `section(member, department, ...)` then decides purely, for
CASE and for HEALTH, at the request's `now`. Subscriptions call `section` again at every delivery with a fresh
guard (or `reload`), so an expired or withdrawn consent stops the very next delivery. Never fetches department
data and never caches a decision across requests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.auth.principal import Principal
from hub.consent.facts import BasesBySubject, SubjectBases, load_bases
from hub.consent.policy import ConsentDecision, SubjectFacts, decide
from hub.consent.vocabulary import Purpose
from hub.domain import DataCategory, Department, Role
from hub.family.model import MemberInfo

if TYPE_CHECKING:
    from hub.readmodel.model import ReadModel


@dataclass(frozen=True, slots=True)
class SectionConsent:
    allowed: bool
    categories: frozenset[DataCategory]  # what may be shown when allowed: CASE, and HEALTH only if consented
    basis: str | None
    reason: str
    case: ConsentDecision
    health: ConsentDecision | None = None


def subject_facts(
    member: MemberInfo,
    *,
    caseworker: tuple[str, Department] | None = None,
    custody_holder: str | None = None,
) -> SubjectFacts:
    holders = frozenset(member.custody_holder_ids) | ({custody_holder} if custody_holder else set())
    return SubjectFacts(
        person_id=member.person_id,
        birth_date=member.birth_date,
        family_id=member.family_id,
        custody_holder_ids=holders,
        caseworkers=frozenset({caseworker}) if caseworker else frozenset(),
    )


class ConsentGuard:
    """One per request and viewer."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        principal: Principal | None,
        now: datetime,
        *,
        purpose: Purpose = Purpose.HFI_COORDINATION,
        readmodel: ReadModel | None = None,
    ) -> None:
        # With the process's read model (coherent from the request's start), consents come from it; a
        # subscription's guard has none and reads them afresh at every delivery.
        self.readmodel = readmodel
        self.sessions = sessions
        self.principal = principal
        self.now = now
        self.purpose = purpose
        self._bases = BasesBySubject()
        self._loaded: set[str] = set()
        self.loads = 0  # rounds of queries run, for tests that prove one round per request

    async def load(self, members: Iterable[MemberInfo]) -> None:
        missing = {m.person_id for m in members} - self._loaded
        if not missing:
            return
        # Statutory bases are visible only to workers; a citizen's decisions never rest on them.
        workers = self.principal is not None and self.principal.is_worker
        if self.readmodel is not None:
            found = await self.readmodel.subject_bases(missing)
            self._bases.by_subject.update(
                (pid, bases if workers else SubjectBases(bases.consents)) for pid, bases in found.items()
            )
        else:
            async with self.sessions() as session:
                loaded = await load_bases(session, missing, include_statutory=workers)
            self._bases.by_subject.update(loaded.by_subject)
        self.loads += 1
        self._loaded |= missing

    async def reload(self, members: Iterable[MemberInfo], now: datetime) -> None:
        """Forget what was loaded and decide at `now` (a subscription's next delivery, read from SQL)."""
        self.readmodel = None
        self._bases = BasesBySubject()
        self._loaded.clear()
        self.now = now
        await self.load(members)

    def section(
        self,
        member: MemberInfo,
        department: Department,
        *,
        own_department: bool = False,
        custody_holder: bool = False,
        consent_only: bool = False,
    ) -> SectionConsent:
        """Consent for one section.

        Access's findings are facts here: `own_department` (the member is in the viewer's own caseload in
        this department) and `custody_holder` (the citizen viewer currently holds custody of the member).
        `consent_only`: statutory bases do not count (a closed family's record holder is not its team).
        """
        principal = self.principal
        if principal is None:
            no = ConsentDecision(False, None, "unauthenticated")
            return SectionConsent(False, frozenset(), None, no.reason, no)
        if member.person_id not in self._loaded:
            # Deciding without the facts would be deciding on no consent; the gate loads first.
            raise RuntimeError("consent facts not loaded for this member")
        worker = principal.role is not Role.CITIZEN
        subject = subject_facts(
            member,
            caseworker=(principal.user_id, department) if own_department and worker else None,
            custody_holder=principal.person_id if custody_holder and not worker else None,
        )
        bases = self._bases.get(member.person_id)
        statutory = () if consent_only else bases.statutory
        case = decide(
            principal,
            subject,
            department,
            DataCategory.CASE,
            self.purpose,
            self.now,
            bases.consents,
            statutory,
        )
        if not case.allowed:
            return SectionConsent(False, frozenset(), None, case.reason, case)
        health = decide(
            principal,
            subject,
            department,
            DataCategory.HEALTH,
            self.purpose,
            self.now,
            bases.consents,
            statutory,
        )
        categories = frozenset({DataCategory.CASE} | ({DataCategory.HEALTH} if health.allowed else set()))
        return SectionConsent(True, categories, case.basis, case.reason, case, health)
