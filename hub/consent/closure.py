"""Closing a family ends the consents given for its HFI coordination: the team it lifted confidentiality
towards no longer exists.

`end_family_consents` sets every consent of the family that is in force now (status ACTIVE, not expired) to
WITHDRAWN, by the closing coordinator, with `withdrawal_reason` FAMILY_CLOSED (the citizen did not ask: the
course ended), purges the members' cached department data and runs the withdrawal hooks, exactly as a
citizen's withdrawal does, and audits each (CONSENT_CHANGE, reason `consent_ended_family_closed`). Statutory
bases are a separate legal basis and are left untouched. Re-opening the family therefore asks for consent
again: the policy lets a consent permit only when recorded after the last withdrawal of its scope.
Runs inside the caller's transaction; never calls a department system.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from hub.audit.log import record as audit_record
from hub.auth.principal import Principal
from hub.consent import repository as repo
from hub.consent.facts import consent_facts
from hub.consent.hooks import Withdrawal, run_withdrawal_hooks
from hub.consent.models import Consent
from hub.consent.permissions import audit_event
from hub.consent.policy import consent_status
from hub.consent.vocabulary import ConsentStatus, Purpose
from hub.days import local_day
from hub.ingestion.cache import purge_member_department

FAMILY_CLOSED = "FAMILY_CLOSED"


async def end_family_consents(
    session: AsyncSession,
    principal: Principal,
    family_id: str,
    *,
    now: datetime,
    request_id: str | None = None,
) -> int:
    """End the family's HFI consents in force at `now`; returns how many were ended."""
    rows = list(
        await session.scalars(
            select(Consent)
            .where(
                Consent.family_id == family_id,
                Consent.status == ConsentStatus.ACTIVE,
                Consent.purpose == Purpose.HFI_COORDINATION,
            )
            .options(
                selectinload(Consent.grantors),
                selectinload(Consent.departments),
                selectinload(Consent.categories),
            )
            .order_by(Consent.recorded_at, Consent.id)
        )
    )
    if not rows:
        return 0
    births = {pid: await repo.birth_date_of(session, pid) for pid in {r.subject_id for r in rows}}
    subjects = await repo.load_subjects(session, list(births), local_day(now))
    ended = 0
    for row in rows:
        born = births[row.subject_id]
        if born is None or consent_status(consent_facts(row), born, now) is not ConsentStatus.ACTIVE:
            continue  # expired by date or at 18: nothing in force to end
        row.status = ConsentStatus.WITHDRAWN
        row.withdrawn_at = now
        row.withdrawn_by_user_id = principal.user_id
        row.withdrawal_reason = FAMILY_CLOSED
        await session.flush()
        departments = frozenset(d.department for d in row.departments)
        for department in sorted(departments):
            await purge_member_department(session, row.subject_id, department)
        await run_withdrawal_hooks(session, Withdrawal(row.id, row.subject_id, family_id, departments, now))
        known = subjects.get(row.subject_id)
        holders = known.custody_holder_ids if known else frozenset()
        await audit_record(
            session,
            [
                audit_event(
                    principal,
                    now,
                    "consent_ended_family_closed",
                    basis=row.id,
                    subject=repo.Subject(row.subject_id, family_id, born, holders),
                    request_id=request_id,
                    categories=tuple(c.category for c in row.categories),
                )
            ],
        )
        ended += 1
    return ended
