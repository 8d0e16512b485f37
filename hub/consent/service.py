"""The consent registry's use cases: record, withdraw, supersede consents; record statutory bases; list them.

Who may change the registry: the family's own team (coordinator and core-team workers currently assigned to
the family); a citizen may also withdraw, digitally, a consent they granted or that concerns themselves
(from 15) or a child in their custody — withdrawing must be as easy as consenting (permissions.py). Every
change writes an audit event (CONSENT_CHANGE) in the same transaction. A withdrawal works from its moment,
not backwards: it purges the member's cached data from the consent's departments (hub.ingestion.cache) and
runs the registered withdrawal hooks (hooks.py) in the same transaction. Never calls a department system;
never logs personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.access.visibility import CONSENT, CONSENT_SUBJECT, STATUTORY_BASIS
from hub.audit.log import record as audit_record
from hub.auth.principal import Principal
from hub.consent import listing
from hub.consent import repository as repo
from hub.consent.facts import consent_facts
from hub.consent.hooks import Withdrawal, run_withdrawal_hooks
from hub.consent.models import Consent
from hub.consent.permissions import (
    audit_event,
    may_withdraw,
    require_citizen_may_withdraw,
    require_team,
    require_team_role,
)
from hub.consent.policy import (
    consent_status,
)
from hub.consent.rules import (
    MAX_REFERENCE_LENGTH,
    ConsentRequest,
    SubjectForRules,
    add_months,
    validate_consent,
)
from hub.consent.views import (
    ConsentView,
    FamilyConsents,
    StatutoryBasisView,
    consent_view,
    statutory_view,
)
from hub.consent.vocabulary import (
    MAX_PERIOD_MONTHS,
    Channel,
    ConsentStatus,
)
from hub.days import local_day
from hub.domain import DataCategory, Department, Role
from hub.errors import BadUserInput, Conflict, NotFound
from hub.ingestion.cache import purge_member_department
from hub.persistence.engine import transaction

MAX_END_REASON_LENGTH = 1000


@dataclass(frozen=True, slots=True)
class StatutoryRequest:
    subject_id: str
    statute_reference: str
    case_reference: str
    departments: frozenset[Department]
    categories: frozenset[DataCategory] = frozenset({DataCategory.CASE})
    valid_from: date | None = None
    valid_until: date | None = None


class ConsentService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.clock = clock

    # --- changes ---------------------------------------------------------------------------------------

    async def record_consent(
        self, principal: Principal, request: ConsentRequest, *, request_id: str | None = None
    ) -> ConsentView:
        now = self.clock()
        today = local_day(now)
        require_team_role(principal)
        async with transaction(self.sessions) as session:
            subject = await repo.load_subject(session, request.subject_id, today)
            await require_team(session, principal, subject.family_id, today, CONSENT_SUBJECT)
            row = await _add(session, principal, request, subject, now)
            await audit_record(
                session,
                [
                    audit_event(
                        principal,
                        now,
                        "consent_recorded",
                        basis=row.id,
                        subject=subject,
                        request_id=request_id,
                        categories=request.categories,
                    )
                ],
            )
            return consent_view(row, subject.birth_date, now)

    async def supersede_consent(
        self, principal: Principal, consent_id: str, request: ConsentRequest, *, request_id: str | None = None
    ) -> ConsentView:
        now = self.clock()
        today = local_day(now)
        require_team_role(principal)
        async with transaction(self.sessions) as session:
            old = await repo.get_consent(session, consent_id, for_update=True)
            await require_team(session, principal, old.family_id, today, CONSENT)
            if request.subject_id != old.subject_id:
                raise BadUserInput("a superseding consent must concern the same person", field="subjectId")
            subject = await repo.load_subject(session, old.subject_id, today)
            status = consent_status(consent_facts(old), subject.birth_date, now)
            if status is not ConsentStatus.ACTIVE:
                raise Conflict(
                    f"only an active consent can be superseded; this one is {status.value.lower()}"
                )
            new = await _add(session, principal, request, subject, now)
            old.status = ConsentStatus.SUPERSEDED
            old.superseded_by = new.id
            old.superseded_at = now
            dropped = frozenset(d.department for d in old.departments) - request.departments
            await session.flush()
            # Departments the new consent no longer covers are withdrawn in effect: purge and tell as for a
            # withdrawal.
            await _after_withdrawal(session, Withdrawal(old.id, old.subject_id, old.family_id, dropped, now))
            await audit_record(
                session,
                [
                    audit_event(
                        principal,
                        now,
                        "consent_superseded",
                        basis=old.id,
                        subject=subject,
                        request_id=request_id,
                        categories=request.categories,
                    ),
                    audit_event(
                        principal,
                        now,
                        "consent_recorded",
                        basis=new.id,
                        subject=subject,
                        request_id=request_id,
                        categories=request.categories,
                    ),
                ],
            )
            return consent_view(new, subject.birth_date, now)

    async def withdraw_consent(
        self,
        principal: Principal,
        consent_id: str,
        channel: Channel,
        *,
        withdrawn_by_person_id: str | None = None,
        request_id: str | None = None,
    ) -> ConsentView:
        now = self.clock()
        today = local_day(now)
        if principal.role is not Role.CITIZEN:
            require_team_role(principal)
        async with transaction(self.sessions) as session:
            row = await repo.get_consent(session, consent_id, for_update=True)
            subjects = await repo.load_subjects(session, [row.subject_id], today)
            subject = subjects.get(row.subject_id)
            birth = subject.birth_date if subject else await _birth_date(session, row.subject_id, today)
            holders = subject.custody_holder_ids if subject else frozenset()
            grantor_ids = frozenset(g.person_id for g in row.grantors)
            if principal.role is Role.CITIZEN:
                withdrawn_by_person_id = await require_citizen_may_withdraw(
                    session,
                    principal,
                    subject_id=row.subject_id,
                    birth=birth,
                    grantor_ids=grantor_ids,
                    today=today,
                )
                channel = Channel.DIGITAL  # the citizen's own channel, whatever the client claimed
            else:
                await require_team(session, principal, row.family_id, today, CONSENT)
                if withdrawn_by_person_id is not None and not may_withdraw(
                    withdrawn_by_person_id,
                    subject_id=row.subject_id,
                    birth=birth,
                    grantor_ids=grantor_ids,
                    custody_holder_ids=holders,
                    today=today,
                ):
                    raise BadUserInput(
                        "this person cannot withdraw the consent (not a grantor, the person from 15, or a "
                        "custody holder)",
                        field="withdrawnByPersonId",
                    )
            status = consent_status(consent_facts(row), birth, now)
            if status is not ConsentStatus.ACTIVE:
                raise Conflict(f"only an active consent can be withdrawn; this one is {status.value.lower()}")
            row.status = ConsentStatus.WITHDRAWN
            row.withdrawn_at = now
            row.withdrawn_by_user_id = principal.user_id
            row.withdrawn_by_person_id = withdrawn_by_person_id
            row.withdrawal_channel = channel
            await session.flush()
            departments = frozenset(d.department for d in row.departments)
            await _after_withdrawal(
                session, Withdrawal(row.id, row.subject_id, row.family_id, departments, now)
            )
            categories = tuple(c.category for c in row.categories)
            event_subject = repo.Subject(row.subject_id, row.family_id, birth, holders)
            await audit_record(
                session,
                [
                    audit_event(
                        principal,
                        now,
                        "consent_withdrawn",
                        basis=row.id,
                        subject=event_subject,
                        request_id=request_id,
                        categories=categories,
                    )
                ],
            )
            return consent_view(row, birth, now)

    async def record_statutory_basis(
        self, principal: Principal, request: StatutoryRequest, *, request_id: str | None = None
    ) -> StatutoryBasisView:
        now = self.clock()
        today = local_day(now)
        statute = request.statute_reference.strip()
        case_ref = request.case_reference.strip()
        if not statute or len(statute) > MAX_REFERENCE_LENGTH:
            raise BadUserInput(
                "a statute reference (e.g. 'Barnets lov § 133') is required", field="statuteReference"
            )
        if not case_ref or len(case_ref) > MAX_REFERENCE_LENGTH:
            raise BadUserInput("the case's journal reference is required", field="caseReference")
        if not request.departments:
            raise BadUserInput("a statutory basis must name at least one department", field="departments")
        if not request.categories:
            raise BadUserInput("a statutory basis must name at least one data category", field="categories")
        valid_from = request.valid_from or today
        valid_until = request.valid_until or add_months(valid_from, 12)
        if valid_until < valid_from:
            raise BadUserInput("the period ends before it starts", field="validUntil")
        if valid_until < today:
            raise BadUserInput("the period has already ended", field="validUntil")
        if valid_until > add_months(valid_from, MAX_PERIOD_MONTHS):
            raise BadUserInput("a statutory basis can be recorded for at most 24 months", field="validUntil")
        require_team_role(principal)
        async with transaction(self.sessions) as session:
            subject = await repo.load_subject(session, request.subject_id, today)
            await require_team(session, principal, subject.family_id, today, CONSENT_SUBJECT)
            row = repo.add_statutory_basis(
                session,
                subject,
                statute_reference=statute,
                case_reference=case_ref,
                departments=request.departments,
                categories=request.categories,
                valid_from=valid_from,
                valid_until=valid_until,
                recorded_by=principal.user_id,
                recorded_at=now,
            )
            await session.flush()
            await audit_record(
                session,
                [
                    audit_event(
                        principal,
                        now,
                        "statutory_basis_recorded",
                        basis=row.id,
                        subject=subject,
                        request_id=request_id,
                        categories=request.categories,
                    )
                ],
            )
            return statutory_view(row, today)

    async def end_statutory_basis(
        self, principal: Principal, basis_id: str, reason: str, *, request_id: str | None = None
    ) -> StatutoryBasisView:
        """End a statutory basis before its period ends (the duty ended, the case closed): who, when, why.

        From this moment it allows nothing; the recorded period stays as evidence. Like a withdrawal it purges
        the member's cached data from its departments. Only the family's team; a basis the caller may not see
        is NOT_FOUND, as one that does not exist.
        """
        now = self.clock()
        today = local_day(now)
        why = reason.strip()
        require_team_role(principal)
        async with transaction(self.sessions) as session:
            row = await repo.get_statutory_basis(session, basis_id)
            await require_team(session, principal, row.family_id, today, STATUTORY_BASIS)
            if not why or len(why) > MAX_END_REASON_LENGTH:
                raise BadUserInput(
                    f"why the statutory basis ends is required (at most {MAX_END_REASON_LENGTH} characters)",
                    field="reason",
                )
            if row.ended_at is not None:
                raise Conflict("this statutory basis has already been ended")
            if row.valid_until < today:
                raise Conflict("this statutory basis has already expired")
            row.ended_at = now
            row.ended_by = principal.user_id
            row.end_reason = why
            departments = frozenset(d.department for d in row.departments)
            for department in sorted(departments):
                await purge_member_department(session, row.subject_id, department)
            birth = await _birth_date(session, row.subject_id, today)
            await audit_record(
                session,
                [
                    audit_event(
                        principal,
                        now,
                        "statutory_basis_ended",
                        basis=row.id,
                        subject=repo.Subject(row.subject_id, row.family_id, birth, frozenset()),
                        request_id=request_id,
                        categories=tuple(c.category for c in row.categories),
                    )
                ],
            )
            await session.flush()
            return statutory_view(row, today)

    # --- reads -----------------------------------------------------------------------------------------

    async def family_consents(self, principal: Principal, family_id: str) -> FamilyConsents:
        """The family's consents and each visible member × department's state, at this moment."""
        return await listing.family_consents(self.sessions, principal, family_id, self.clock())


# --- helpers ---------------------------------------------------------------------------------------------


async def _add(
    session: AsyncSession, principal: Principal, request: ConsentRequest, subject: repo.Subject, now: datetime
) -> Consent:
    rules_subject = SubjectForRules(subject.person_id, subject.birth_date, subject.custody_holder_ids)
    valid = validate_consent(request, rules_subject, local_day(now))
    row = repo.add_consent(session, request, valid, subject, collected_by=principal.user_id, recorded_at=now)
    await session.flush()
    return row


async def _after_withdrawal(session: AsyncSession, withdrawal: Withdrawal) -> None:
    for department in sorted(withdrawal.departments):
        await purge_member_department(session, withdrawal.subject_id, department)
    if withdrawal.departments:
        await run_withdrawal_hooks(session, withdrawal)


async def _birth_date(session: AsyncSession, person_id: str, today: date) -> date:
    # A subject who has left the family: the consent still belongs to them.
    born = await repo.birth_date_of(session, person_id)
    if born is None:
        raise NotFound("no person with this id")
    return born
