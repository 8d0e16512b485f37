"""Early signals for the families a viewer may see: gather what the gate allows, run the pure rules.

Department data comes through `SectionService` (the gate decides each member and department first and logs the
decision; a member the gate does not allow is never sent to a department, and a section that is not allowed
yields no signal). Only the two departments the rules read are fetched (SOF investigations, BUF absence): one
batched call each, for every family asked about at once. Wellbeing scores are health data: a member's
WHO-5/ORS/CORS signal needs a health basis for that member (the gate's SUF decision naming HEALTH), and their
use is logged as a read. Plan data (meetings, measurements, consents) is read only where the viewer may read the
family's plan, member by member as the plan's access says.

Acknowledgements are append-only (hub/signals/models.py): `acknowledge` adds one and an audit CHANGE event.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.records import ChildYouthRecord, SocialRecord
from hub.audit.events import AuditAction, AuditDecision, AuditEvent, actor_fields
from hub.audit.log import record as audit_record
from hub.auth.principal import Principal
from hub.consent.models import Consent, ConsentGrantor
from hub.consent.vocabulary import ConsentStatus, GrantorCapacity
from hub.crypto import CprVault
from hub.domain import DataCategory, Department, FamilyStatus
from hub.errors import BadUserInput, NotFound
from hub.family import repository as families
from hub.family.gate import Gate
from hub.family.model import FamilyInfo, MemberInfo
from hub.family.sections import SectionService
from hub.plan import repository as plans
from hub.plan.access import PlanAccess, access_for
from hub.plan.domain import MeetingStatus
from hub.plan.views import MeasurementView, MeetingView
from hub.signals import rules
from hub.signals.models import SignalAcknowledgement
from hub.signals.rules import ConsentFact, MeasurementFact, MeetingFact, MinorFact, Signal

FETCHED = (Department.SOF, Department.BUF)
NOTE_MAX = 2000
AUDIT_SOURCE = "HUB:signals"

# Logs one use of a member's plan wellbeing scores (health data) for a signal: (family id, person id).
HealthReadAudit = Callable[[str, str], None]


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    at: datetime
    by_user_id: str | None
    note: str


@dataclass(frozen=True, slots=True)
class SignalView:
    signal: Signal
    acknowledgements: tuple[Acknowledgement, ...]  # oldest first; empty: not acknowledged

    @property
    def acknowledged(self) -> bool:
        return bool(self.acknowledgements)


class SignalService:
    """One per request (or per subscription delivery): holds the request's gate and section service."""

    def __init__(
        self,
        *,
        gate: Gate,
        sections: SectionService,
        sessions: async_sessionmaker[AsyncSession],
        vault: CprVault,
        today: date,
        no_contact_weeks: int,
        audit_health_read: HealthReadAudit | None = None,
    ) -> None:
        self.gate, self.sections, self.sessions, self.vault = gate, sections, sessions, vault
        self.today, self.no_contact_weeks = today, no_contact_weeks
        self.audit_health_read = audit_health_read

    async def for_families(self, family_ids: Collection[str]) -> dict[str, list[SignalView]]:
        """Each visible family's signals (oldest situation first); families not visible are left out."""
        visible = await self.gate.visible_families(list(dict.fromkeys(family_ids)))
        ids = [fid for fid in dict.fromkeys(family_ids) if fid in visible]
        if not ids:
            return {}
        async with self.sessions() as session:
            infos = await families.get_families(session, ids)
            members = await families.members_of(session, self.vault, ids)
            access = await access_for(session, self.gate.principal, ids, self.today)
            readable = [fid for fid in ids if access[fid].can_read]
            meetings = await plans.meetings(session, readable) if readable else {}
            measurements = await plans.measurements(session, readable) if readable else {}
            consents = await _consents(session, readable, members)
            acks = await _acknowledgements(session, ids)
        everyone = [m for fid in ids for m in members.get(fid, [])]
        await self.sections.prepare(everyone, FETCHED)
        decisions = await self.gate.decide_many(everyone, [Department.SUF])
        out: dict[str, list[SignalView]] = {}
        for fid in ids:
            found = await self._department_signals(fid, members.get(fid, []))
            if access[fid].can_read:
                found += self._plan_signals(
                    infos[fid],
                    access[fid],
                    members.get(fid, []),
                    meetings=meetings.get(fid, []),
                    measurements=measurements.get(fid, []),
                    consents=consents.get(fid, []),
                    health_basis={
                        m.person_id
                        for m in members.get(fid, [])
                        if (d := decisions.get((m.person_id, Department.SUF))) is not None
                        and d.allowed
                        and DataCategory.HEALTH in d.categories
                    },
                )
            out[fid] = [SignalView(s, tuple(acks.get((fid, s.key), ()))) for s in rules.order(found)]
        return out

    async def _department_signals(self, family_id: str, members: list[MemberInfo]) -> list[Signal]:
        found: list[Signal] = []
        for member in members:
            for section in await self.sections.sections(member, FETCHED):
                record = section.record  # None unless the gate allowed it (and the department answered)
                if isinstance(record, SocialRecord):
                    found += rules.overdue_investigations(family_id, member.person_id, record, self.today)
                elif isinstance(record, ChildYouthRecord):
                    found += rules.unlawful_absence(family_id, member.person_id, record)
        return found

    def _plan_signals(
        self,
        info: FamilyInfo,
        access: PlanAccess,
        members: list[MemberInfo],
        *,
        meetings: list[MeetingView],
        measurements: list[MeasurementView],
        consents: list[ConsentFact],
        health_basis: set[str],
    ) -> list[Signal]:
        fid = info.id
        found: list[Signal] = []
        if info.status is not FamilyStatus.ACTIVE:
            return found  # a closed, referred or waitlisted family has no course to follow up
        found += rules.overdue_meetings(
            fid, (MeetingFact(m.id, m.scheduled_at.date(), m.status) for m in meetings), self.today
        )
        contacts = [m.scheduled_at.date() for m in meetings if m.status is MeetingStatus.HELD]
        contacts += [m.measured_on for m in measurements]
        found += rules.no_contact(
            fid,
            contacts=contacts,
            enrolled_on=info.enrolled_on,
            today=self.today,
            weeks=self.no_contact_weeks,
        )
        for member in members:
            pid = member.person_id
            if not access.sees_person(pid):
                continue
            if pid in health_basis:
                mine = [
                    MeasurementFact(m.id, pid, m.instrument, m.score, m.measured_on, m.respondent)
                    for m in measurements
                    if m.person.person_id == pid
                ]
                if mine:
                    if self.audit_health_read is not None:
                        self.audit_health_read(fid, pid)
                    found += rules.low_wellbeing(fid, member.birth_date, mine)
        shown = [c for c in consents if access.sees_person(c.subject_id)]
        found += rules.consent_signals(fid, shown, self.today)
        found += rules.coming_of_age(
            fid,
            (
                MinorFact(
                    m.person_id,
                    m.birth_date,
                    bool(m.custody_holder_ids),
                    tuple(c.id for c in shown if c.subject_id == m.person_id and c.given_by_custody),
                    next(
                        (c.id for c in shown if c.subject_id == m.person_id and not c.given_by_custody), None
                    ),
                )
                for m in members
                if access.sees_person(m.person_id)
            ),
            self.today,
        )
        return found

    async def acknowledge(
        self,
        principal: Principal,
        family_id: str,
        signal_key: str,
        note: str,
        *,
        now: datetime,
        request_id: str,
    ) -> SignalView:
        """Record that `principal` has seen this signal (with a note). Only a current signal of a family whose
        plan the viewer may edit (its core team) can be acknowledged."""
        note = note.strip()
        if len(note) > NOTE_MAX:
            raise BadUserInput(f"the note may be at most {NOTE_MAX} characters", field="note")
        current = (await self.for_families([family_id])).get(family_id)
        if current is None:
            raise NotFound("no such family")
        found = next((v for v in current if v.signal.key == signal_key), None)
        if found is None:
            raise NotFound("no such signal", reason="NO_SUCH_SIGNAL")
        async with self.sessions.begin() as session:
            access = (await access_for(session, principal, [family_id], self.today))[family_id]
            access.require_edit()
            session.add(
                SignalAcknowledgement(
                    family_id=family_id,
                    signal_key=signal_key,
                    note=note,
                    acknowledged_by=principal.user_id,
                    acknowledged_at=now,
                )
            )
            await audit_record(
                session,
                [
                    AuditEvent(
                        occurred_at=now,
                        action=AuditAction.CHANGE,
                        decision=AuditDecision.GRANTED,
                        reason="core_team",
                        **actor_fields(principal),
                        subject_person_id=found.signal.person_id,
                        family_id=family_id,
                        source=AUDIT_SOURCE,
                        categories=("CASE",),
                        purpose="HFI_COORDINATION",
                        basis=None,
                        request_id=request_id,
                    )
                ],
            )
        ack = Acknowledgement(now, principal.user_id, note)
        return SignalView(found.signal, (*found.acknowledgements, ack))


async def _consents(
    session: AsyncSession, family_ids: list[str], members: Mapping[str, list[MemberInfo]]
) -> dict[str, list[ConsentFact]]:
    if not family_ids:
        return {}
    born = {m.person_id: m.birth_date for fid in family_ids for m in members.get(fid, [])}
    rows = list(
        await session.scalars(
            select(Consent).where(Consent.family_id.in_(family_ids), Consent.status == ConsentStatus.ACTIVE)
        )
    )
    custody = (
        set(
            await session.scalars(
                select(ConsentGrantor.consent_id).where(
                    ConsentGrantor.consent_id.in_([c.id for c in rows]),
                    ConsentGrantor.capacity == GrantorCapacity.CUSTODY_HOLDER,
                )
            )
        )
        if rows
        else set()
    )
    out: dict[str, list[ConsentFact]] = {fid: [] for fid in family_ids}
    for c in rows:
        if c.subject_id in born:  # a current member
            out[c.family_id].append(
                ConsentFact(c.id, c.subject_id, born[c.subject_id], c.valid_until, c.id in custody)
            )
    return out


async def _acknowledgements(
    session: AsyncSession, family_ids: list[str]
) -> dict[tuple[str, str], list[Acknowledgement]]:
    rows = await session.scalars(
        select(SignalAcknowledgement)
        .where(SignalAcknowledgement.family_id.in_(family_ids))
        .order_by(SignalAcknowledgement.acknowledged_at, SignalAcknowledgement.id)
    )
    out: dict[tuple[str, str], list[Acknowledgement]] = {}
    for row in rows:
        out.setdefault((row.family_id, row.signal_key), []).append(
            Acknowledgement(row.acknowledged_at, row.acknowledged_by, row.note)
        )
    return out
