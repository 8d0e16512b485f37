"""Who may change and read the consent registry, and the audit event every change writes.

The family's own team (coordinator and core-team workers currently assigned, per hub/access) changes its
consents; a citizen may withdraw a consent they granted, that concerns themselves (from 15), or that concerns
a child in their custody. Never decides what data may be shown: that is hub/consent/policy.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.facts import load_facts
from hub.access.policy import TEAM_ROLES, family_access
from hub.access.visibility import CONSENT, Missing, require_visible
from hub.audit.events import AuditAction, AuditDecision, AuditEvent, actor_fields
from hub.auth.principal import Principal
from hub.consent.repository import Subject
from hub.consent.vocabulary import OWN_CONSENT_AGE, Purpose
from hub.cpr import age_on
from hub.domain import DataCategory
from hub.errors import Forbidden

SOURCE = "HUB:consent"


def require_team_role(principal: Principal) -> None:
    """Only team roles change consents: checked BEFORE anything is looked up, so FORBIDDEN never tells
    an existing consent or member from a missing one."""
    if principal.role not in TEAM_ROLES:
        raise Forbidden("only the family's coordinator and core team record consents")


async def require_team(
    session: AsyncSession, principal: Principal, family_id: str, today: date, hidden_as: Missing
) -> None:
    """Only the family's own team (coordinator, core team currently assigned) changes its consents.

    `hidden_as` is the object the input named (the consent, the subject): for a worker not on the family it
    does not exist, with exactly the answer a missing one gets.
    """
    require_team_role(principal)
    facts = await load_facts(session, principal, today, family_ids=[family_id])
    require_visible(family_access(principal, facts, family_id).allowed, hidden_as)


def may_withdraw(
    person_id: str,
    *,
    subject_id: str,
    birth: date,
    grantor_ids: frozenset[str],
    custody_holder_ids: frozenset[str],
    today: date,
) -> bool:
    """A grantor, the person themselves from 15, or a current custody holder of a child under 15.

    A withdrawal only ever narrows disclosure, so a grantor may always withdraw; a custody holder who did not
    grant it may withdraw for a child under 15 only, because from 15 the young person decides for themselves.
    """
    age = age_on(birth, today)
    if person_id in grantor_ids:
        return True
    if person_id == subject_id:
        return age >= OWN_CONSENT_AGE
    return person_id in custody_holder_ids and age < OWN_CONSENT_AGE


async def require_citizen_may_withdraw(
    session: AsyncSession,
    principal: Principal,
    *,
    subject_id: str,
    birth: date,
    grantor_ids: frozenset[str],
    today: date,
) -> str:
    # Only the citizen's own facts (always loaded whole) matter here: no family's team or caseload rows.
    facts = await load_facts(session, principal, today, family_ids=())
    own = facts.own_person_id
    own_age = age_on(facts.own_birth_date, today) if facts.own_birth_date else None
    if own is None or own != principal.person_id or own_age is None or own_age < OWN_CONSENT_AGE:
        raise CONSENT.error()
    holders = frozenset({own}) if subject_id in facts.custody_children else frozenset()
    if not may_withdraw(
        own,
        subject_id=subject_id,
        birth=birth,
        grantor_ids=grantor_ids,
        custody_holder_ids=holders,
        today=today,
    ):
        raise CONSENT.error()
    return own


def audit_event(
    principal: Principal,
    now: datetime,
    reason: str,
    *,
    basis: str,
    subject: Subject,
    request_id: str | None,
    categories: Iterable[DataCategory],
) -> AuditEvent:
    return AuditEvent(
        occurred_at=now,
        action=AuditAction.CONSENT_CHANGE,
        decision=AuditDecision.GRANTED,
        reason=reason,
        **actor_fields(principal),
        subject_person_id=subject.person_id,
        family_id=subject.family_id,
        source=SOURCE,
        categories=tuple(sorted(c.value for c in categories)),
        purpose=Purpose.HFI_COORDINATION.value,
        basis=basis,
        request_id=request_id,
    )
