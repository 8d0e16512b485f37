"""The programme's intake use cases: enrol (or waitlist), close, the waitlist and the capacity figures.

- `enrol`: a family referred, waitlisted, or closed (re-opening) takes a place if the programme's rules allow
  (hub/enrolment/rules.py: capacity by programme year, referral order); otherwise it goes on the waitlist and
  the outcome says why and at which position (the GraphQL layer refuses with CONFLICT). Enrolment needs an
  eligibility assessment found ELIGIBLE within `ASSESSMENT_VALID_DAYS` and after the family's last closure.
  On enrolment the members' outcome indicators are stored as its snapshot (hub/enrolment/observe.py).
- `close`: records reason and hand-over department, frees the place, and ends the sharing around the family
  (hub/enrolment/closure.py: team assignments, HFI consents, upcoming meetings; the plan is frozen); history
  stays (enrolment_events, the family timeline, the audit log), so a closed family can be re-enrolled later
  as a new episode, with a new team and new consents.
Every capacity decision runs under the programme lock (store.take_capacity_lock), so two coordinators can
never both take the last place. Every change writes its audit event (CHANGE) in the same transaction.
Department calls happen before the transaction, never while holding the lock.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.crypto import CprVault
from hub.domain import Department, FamilyStatus
from hub.enrolment import store
from hub.enrolment.access import Actor, require_coordinator, require_coordinator_on
from hub.enrolment.closure import end_sharing, resume_sharing
from hub.enrolment.contact_points import contact_points
from hub.enrolment.indicators import Indicator, Observation
from hub.enrolment.models import EnrolmentEvent, EnrolmentSnapshot, EventKind, Outcome
from hub.enrolment.observe import ReadHook, Sources, observe
from hub.enrolment.rules import capacity_on, holds_queue_place, may_take_place, programme_year
from hub.enrolment.views import (
    CapacityView,
    ClosedOutcome,
    EnrolmentEventView,
    EnrolOutcome,
    EnrolResult,
    WaitlistEntryView,
    WaitReason,
)
from hub.errors import BadUserInput, Conflict, NotFound
from hub.family import repository
from hub.family.gate import Gate
from hub.family.model import MemberInfo
from hub.outcomes import handover as handovers
from hub.outcomes.handover import HandOver
from hub.persistence.engine import transaction
from hub.persistence.models import Family
from hub.settings import Settings

ASSESSMENT_VALID_DAYS = 90
REASON_MAX = 1_000
ENROLLABLE = frozenset({FamilyStatus.REFERRED, FamilyStatus.WAITLISTED, FamilyStatus.CLOSED})


def programme_start(settings: Settings) -> date:
    return date.fromisoformat(settings.programme_start)


def cap_on(settings: Settings, day: date) -> int:
    return capacity_on(
        day,
        start=programme_start(settings),
        capacity=settings.capacity,
        capacity_first_year=settings.capacity_first_year,
    )


class EnrolmentService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        vault: CprVault,
        settings: Settings,
        sources: Sources,
    ) -> None:
        self.sessions = sessions
        self.vault = vault
        self.settings = settings
        self.sources = sources

    # --- reads ----------------------------------------------------------------------------------------

    async def capacity(self, today: date) -> CapacityView:
        async with self.sessions() as session:
            return await self._capacity(session, today)

    async def _capacity(self, session: AsyncSession, today: date) -> CapacityView:
        waiting = len(await store.waitlisted(session))
        return CapacityView(
            on=today,
            programme_year=programme_year(today, programme_start(self.settings)),
            capacity=cap_on(self.settings, today),
            active=await store.active_count(session),
            waitlisted=waiting,
        )

    async def waitlist(self, actor: Actor, gate: Gate) -> list[WaitlistEntryView]:
        """The waitlist in referral order; positions count every waiting family, rows only visible ones."""
        require_coordinator(actor.principal, "see the waitlist")
        async with self.sessions() as session:
            rows = await store.waitlisted(session)
            since = await store.waitlisted_since(session, [r.id for r in rows])
            outcomes = await store.latest_outcomes(session, [r.id for r in rows])
            offered = await self._offered(session, actor.today)
        visible = await gate.visible_families([r.id for r in rows])
        return [
            WaitlistEntryView(
                position,
                store.family_info(row),
                since.get(row.id),
                holds_place=holds_queue_place(outcomes.get(row.id)),
                place_offered=offered is not None and row.id == offered.id,
            )
            for position, row in enumerate(rows, start=1)
            if row.id in visible
        ]

    async def _offered(self, session: AsyncSession, today: date) -> Family | None:
        return await store.offered_place(session, cap_on(self.settings, today))

    async def history(self, actor: Actor, gate: Gate, family_id: str) -> list[EnrolmentEventView]:
        await require_coordinator_on(gate, actor.principal, family_id, "see the enrolment history")
        async with self.sessions() as session:
            rows = await session.scalars(
                select(EnrolmentEvent)
                .where(EnrolmentEvent.family_id == family_id)
                .order_by(EnrolmentEvent.occurred_at, EnrolmentEvent.id)
            )
            return [
                EnrolmentEventView(
                    r.id,
                    r.kind.value,
                    r.effective_on,
                    r.from_status.value,
                    r.to_status.value,
                    r.reason,
                    r.handed_over_to,
                )
                for r in rows
            ]

    # --- enrol ----------------------------------------------------------------------------------------

    async def enrol(
        self,
        actor: Actor,
        family_id: str,
        *,
        gate: Gate,
        expected_version: int | None = None,
        on_read: ReadHook | None = None,
    ) -> EnrolOutcome:
        await require_coordinator_on(gate, actor.principal, family_id, "enrol a family")
        today = actor.today
        async with self.sessions() as session:
            family = await session.get(Family, family_id)
            if family is None:
                raise NotFound("no such family", field="familyId")
            _check_enrollable(family, expected_version)
            assessment_id = await self._eligible_assessment(session, family, today)
            full = not await self._place_for(session, family, today)
            members = (await repository.members_of(session, self.vault, [family_id])).get(family_id, [])
        # The snapshot is observed before the lock: no department call while holding the programme lock.
        observations: dict[str, Observation] = {}
        if not full:
            observations = await observe(
                self.sources, members, today=today, now=actor.now, deadline=actor.deadline, on_read=on_read
            )
        async with transaction(self.sessions) as session:
            await store.take_capacity_lock(session)
            family = await session.get(Family, family_id, populate_existing=True)
            if family is None:  # pragma: no cover - deleted between the two transactions
                raise NotFound("no such family", field="familyId")
            _check_enrollable(family, expected_version)
            if await self._place_for(session, family, today):
                count = await self._take_place(
                    session, actor, family, members, observations=observations, assessment_id=assessment_id
                )
                capacity = await self._capacity(session, today)
                return EnrolOutcome(
                    EnrolResult.ENROLLED, store.family_info(family), capacity, snapshot_members=count
                )
            position, reason = await self._wait(session, actor, family, assessment_id)
            capacity = await self._capacity(session, today)
            return EnrolOutcome(EnrolResult.WAITLISTED, store.family_info(family), capacity, position, reason)

    async def _eligible_assessment(self, session: AsyncSession, family: Family, today: date) -> str:
        latest = await store.latest_assessment(session, family.id)
        too_old = today - timedelta(days=ASSESSMENT_VALID_DAYS)
        # A waitlisted family found eligible keeps that answer while it waits: waiting is not its doing, and
        # a freed place must be takeable in one step (a new assessment can still remove it from the queue).
        waiting = family.status is FamilyStatus.WAITLISTED and latest is not None
        if latest is None or (latest.assessed_at.date() < too_old and not waiting):
            raise Conflict(
                f"run an eligibility assessment first (one from the last {ASSESSMENT_VALID_DAYS} days)",
                reason="ASSESSMENT_REQUIRED",
            )
        closed_at = await store.last_closed_at(session, family.id)
        if closed_at is not None and latest.assessed_at <= closed_at:
            raise Conflict("a closed family needs a new eligibility assessment", reason="ASSESSMENT_REQUIRED")
        if latest.outcome is not Outcome.ELIGIBLE:
            raise Conflict(
                f"the latest eligibility assessment is {latest.outcome.value}; only an eligible family "
                "can be enrolled or waitlisted",
                reason="NOT_ELIGIBLE" if latest.outcome is Outcome.NOT_ELIGIBLE else "ELIGIBILITY_UNKNOWN",
            )
        return latest.id

    async def _place_for(self, session: AsyncSession, family: Family, today: date) -> bool:
        return may_take_place(
            active=await store.active_count(session),
            cap=cap_on(self.settings, today),
            waiting_ahead=await store.waiting_ahead(session, family),
        )

    async def _take_place(
        self,
        session: AsyncSession,
        actor: Actor,
        family: Family,
        members: list[MemberInfo],
        *,
        observations: dict[str, Observation],
        assessment_id: str,
    ) -> int:
        today, before = actor.today, family.status
        event = _event(actor, family, EventKind.ENROLLED, FamilyStatus.ACTIVE, assessment_id=assessment_id)
        event.contact_points = (await contact_points(session, [family.id], today))[family.id]
        session.add(event)
        family.status = FamilyStatus.ACTIVE
        family.enrolled_on = today
        family.closed_on = None
        family.close_reason = None
        family.handed_over_to = None
        family.version += 1
        await session.flush()
        if before is FamilyStatus.CLOSED:
            await resume_sharing(session, actor, family.id)
        for member in members:
            seen = observations.get(member.person_id, Observation())
            session.add(
                EnrolmentSnapshot(
                    event_id=event.id,
                    family_id=family.id,
                    person_id=member.person_id,
                    taken_on=today,
                    age=member.age(today),
                    cash_benefit=seen.get(Indicator.CASH_BENEFIT),
                    high_absence=seen.get(Indicator.HIGH_ABSENCE),
                    leisure_active=seen.get(Indicator.LEISURE_ACTIVE),
                    gaps={k.value: v.value for k, v in seen.gaps.items()},
                )
            )
        summary = (
            "Re-enrolled in the programme" if before is FamilyStatus.CLOSED else "Enrolled in the programme"
        )
        await store.log_change(
            session,
            actor.principal,
            now=actor.now,
            request_id=actor.request_id,
            family_id=family.id,
            entity_id=event.id,
            change=EventKind.ENROLLED.value,
            summary=summary,
            diff=store.status_diff(before, FamilyStatus.ACTIVE, enrolled_on=today.isoformat()),
        )
        return len(members)

    async def _wait(
        self, session: AsyncSession, actor: Actor, family: Family, assessment_id: str
    ) -> tuple[int, WaitReason]:
        cap = cap_on(self.settings, actor.today)
        reason = (
            WaitReason.PROGRAMME_FULL
            if await store.active_count(session) >= cap
            else WaitReason.FAMILIES_AHEAD
        )
        position = await store.waiting_ahead(session, family) + 1
        if family.status is not FamilyStatus.WAITLISTED:
            before = family.status
            event = _event(
                actor, family, EventKind.WAITLISTED, FamilyStatus.WAITLISTED, assessment_id=assessment_id
            )
            session.add(event)
            family.status = FamilyStatus.WAITLISTED
            family.closed_on = None
            family.close_reason = None
            family.handed_over_to = None
            family.version += 1
            await session.flush()
            await store.log_change(
                session,
                actor.principal,
                now=actor.now,
                request_id=actor.request_id,
                family_id=family.id,
                entity_id=event.id,
                change=EventKind.WAITLISTED.value,
                summary=f"Placed on the waitlist (position {position})",
                diff=store.status_diff(before, FamilyStatus.WAITLISTED, wait_reason=reason.value),
            )
        return position, reason

    # --- close ----------------------------------------------------------------------------------------

    async def close(
        self,
        actor: Actor,
        family_id: str,
        *,
        reason: str,
        handed_over_to: Department | None,
        gate: Gate,
        expected_version: int | None = None,
        hand_over: HandOver | None = None,
    ) -> ClosedOutcome:
        await require_coordinator_on(gate, actor.principal, family_id, "close a family")
        clean = " ".join(reason.split())
        if not clean:
            raise BadUserInput("say why the family is closed", field="reason")
        if len(clean) > REASON_MAX:
            raise BadUserInput(f"the reason is longer than {REASON_MAX} characters", field="reason")
        async with transaction(self.sessions) as session:
            await store.take_capacity_lock(session)
            family = await session.get(Family, family_id)
            if family is None:
                raise NotFound("no such family", field="familyId")
            if expected_version is not None and family.version != expected_version:
                raise Conflict(
                    "the family was changed by someone else; reload it", currentVersion=family.version
                )
            if family.status is FamilyStatus.CLOSED:
                raise Conflict("the family is already closed", reason="ALREADY_CLOSED")
            before = family.status
            event = _event(
                actor,
                family,
                EventKind.CLOSED,
                FamilyStatus.CLOSED,
                reason=clean,
                handed_over_to=handed_over_to,
            )
            session.add(event)
            family.status = FamilyStatus.CLOSED
            family.closed_on = actor.today
            family.close_reason = clean
            family.handed_over_to = handed_over_to
            family.version += 1
            await session.flush()
            await end_sharing(session, actor, family.id)
            if hand_over is not None:
                # The hand-over record (receiving unit, summary, continuing goals): part of the same change.
                await handovers.record(
                    session, family.id, hand_over, closed_on=actor.today, user_id=actor.principal.user_id
                )
            what = "Closed" if before is FamilyStatus.ACTIVE else f"Closed while {before.value.lower()}"
            handover = f", handed over to {handed_over_to.value}" if handed_over_to else ""
            await store.log_change(
                session,
                actor.principal,
                now=actor.now,
                request_id=actor.request_id,
                family_id=family.id,
                entity_id=event.id,
                change=EventKind.CLOSED.value,
                summary=f"{what}{handover}",
                diff=store.status_diff(
                    before,
                    FamilyStatus.CLOSED,
                    reason="set",
                    handed_over_to=handed_over_to.value if handed_over_to else None,
                ),
            )
            capacity = await self._capacity(session, actor.today)
            offered = await self._offered(session, actor.today)
            closed = ClosedOutcome(
                store.family_info(family),
                capacity,
                event.id,
                store.family_info(offered) if offered is not None else None,
            )
        # The coordinator is told of the free place only for a family they may see (need-to-know).
        if (
            closed.place_offered_to is not None
            and closed.place_offered_to.id not in await gate.visible_families([closed.place_offered_to.id])
        ):
            return replace(closed, place_offered_to=None)
        return closed


def _check_enrollable(family: Family, expected_version: int | None) -> None:
    if expected_version is not None and family.version != expected_version:
        raise Conflict("the family was changed by someone else; reload it", currentVersion=family.version)
    if family.status not in ENROLLABLE:
        raise Conflict("the family is already enrolled", reason="ALREADY_ACTIVE")


def _event(
    actor: Actor,
    family: Family,
    kind: EventKind,
    to_status: FamilyStatus,
    *,
    assessment_id: str | None = None,
    reason: str | None = None,
    handed_over_to: Department | None = None,
) -> EnrolmentEvent:
    return EnrolmentEvent(
        id=store.history_id(actor.now, "E"),
        family_id=family.id,
        kind=kind,
        effective_on=actor.today,
        occurred_at=actor.now,
        from_status=family.status,
        to_status=to_status,
        district=family.district,
        actor_user_id=actor.principal.user_id,
        reason=reason,
        handed_over_to=handed_over_to,
        assessment_id=assessment_id,
    )
