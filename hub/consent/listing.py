"""`familyConsents`: a family's consents and each member × department's effective state, for one viewer.

The family's team sees every current member, every consent and the statutory bases; a citizen sees themselves
and the children in their custody under 18, never statutory bases, and not a 15+ child's health consents (the
young person alone decides on their own health data). Read-only; states are computed at the request's time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.access.facts import load_facts
from hub.access.policy import TEAM_ROLES, family_access
from hub.auth.principal import Principal
from hub.consent import repository as repo
from hub.consent.facts import consent_facts, consent_rows, statutory_facts, statutory_rows
from hub.consent.policy import ConsentFacts, StatutoryFacts, SubjectFacts, effective_state
from hub.consent.views import (
    DepartmentState,
    FamilyConsents,
    MemberConsentState,
    consent_view,
    statutory_view,
)
from hub.consent.vocabulary import CUSTODY_AGE, OWN_CONSENT_AGE, EffectiveState
from hub.cpr import age_on
from hub.days import local_day
from hub.domain import DataCategory, Department, Role
from hub.errors import Forbidden, NotFound


async def family_consents(
    sessions: async_sessionmaker[AsyncSession], principal: Principal, family_id: str, now: datetime
) -> FamilyConsents:
    """The family's consents and each visible member × department's state, at `now`."""
    today = local_day(now)
    async with sessions() as session:
        facts = await load_facts(session, principal, today, family_ids=[family_id])
        if not family_access(principal, facts, family_id).allowed:
            raise NotFound("no family with this id")
        if principal.role not in TEAM_ROLES and principal.role is not Role.CITIZEN:
            raise Forbidden("the consent registry is shown to the family's team and the family")
        member_ids = await repo.family_member_ids(session, family_id)
        subjects = await repo.load_subjects(session, member_ids, today)
        worker = principal.role in TEAM_ROLES
        if not worker:
            own = principal.person_id
            subjects = {
                pid: s
                for pid, s in subjects.items()
                if pid == own or (own in s.custody_holder_ids and age_on(s.birth_date, today) < CUSTODY_AGE)
            }
        consents = [c for c in await consent_rows(session, list(subjects)) if c.family_id == family_id]
        statutory = await statutory_rows(session, list(subjects)) if worker else []
    births = {pid: s.birth_date for pid, s in subjects.items()}
    # A young person (15+) alone decides on their own health data: a parent is not told about it.
    hide_health = {
        pid
        for pid, s in subjects.items()
        if not worker and pid != principal.person_id and age_on(s.birth_date, today) >= OWN_CONSENT_AGE
    }
    listed = [
        c
        for c in consents
        if not (c.subject_id in hide_health and any(k.category is DataCategory.HEALTH for k in c.categories))
    ]
    consent_facts_list = [consent_facts(c) for c in consents]
    statutory_list = [statutory_facts(b) for b in statutory]
    members = tuple(
        _member_state(
            s,
            now,
            consents=consent_facts_list,
            statutory=statutory_list,
            worker=worker,
            hide_health=s.person_id in hide_health,
        )
        for s in sorted(subjects.values(), key=lambda s: (s.birth_date, s.person_id))
    )
    return FamilyConsents(
        family_id=family_id,
        consents=tuple(consent_view(c, births[c.subject_id], now) for c in listed),
        members=members,
        statutory_bases=tuple(statutory_view(b, today) for b in statutory) if worker else None,
    )


def _member_state(
    subject: repo.Subject,
    now: datetime,
    *,
    consents: list[ConsentFacts],
    statutory: list[StatutoryFacts],
    worker: bool,
    hide_health: bool,
) -> MemberConsentState:
    facts = SubjectFacts(subject.person_id, subject.birth_date, subject.family_id, subject.custody_holder_ids)
    mine = [c for c in consents if c.subject_id == subject.person_id]
    bases = [b for b in statutory if b.subject_id == subject.person_id]
    states: list[DepartmentState] = []
    for department in Department:
        case = effective_state(facts, department, now, mine, bases, include_statutory=worker)
        health = effective_state(
            facts, department, now, mine, bases, include_statutory=worker, category=DataCategory.HEALTH
        )
        states.append(
            DepartmentState(
                department=department,
                state=case.state,
                consent_id=case.consent.id if case.consent else None,
                reason=case.reason,
                health=None
                if hide_health
                else health.state in (EffectiveState.ACTIVE, EffectiveState.STATUTORY),
            )
        )
    return MemberConsentState(subject.person_id, tuple(states))
