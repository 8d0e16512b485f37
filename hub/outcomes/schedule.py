"""Half-yearly outcome snapshots, taken when they fall due: by a background task in every hub process and by
`hub outcomes snapshot-due` for operators.

An enrolled (ACTIVE) family's course has a half-year every six calendar months from its enrolment; the period
due is the latest one reached. Each is taken once: a row in `outcome_periods` keyed (family, course start,
period) is claimed before any department is read, so two replicas racing for it take it once (the second
insert fails and that replica moves on). A period missed while no hub ran is not back-filled: a snapshot taken
now cannot say how the family was then; the current period is taken instead.

The snapshot is taken as the family's coordinator (its tovholder now), through the coordinator's own gate, so
it holds what the coordinator may see; the reads are audited under the coordinator with client `scheduler`.
A family without a coordinator, or a department that does not answer, releases the claim: the next round tries
again. Nothing here logs personal data: counts only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from connectors.base import Deadline
from hub.audit.buffer import audit_read, read_buffer, session_writer
from hub.audit.events import AuditDecision
from hub.auth.directory import principal_of
from hub.auth.principal import Principal
from hub.domain import Department, FamilyStatus
from hub.family.gate import Gate, SectionDecision
from hub.family.model import MemberInfo
from hub.family.sections import SectionService
from hub.outcomes import snapshots
from hub.outcomes.measures import ConfiguredIndicator, parse_indicators
from hub.outcomes.models import OutcomePeriod
from hub.persistence.models import Family, TeamAssignment, TeamRole, User
from hub.services import LATENCY_BUDGETS, Services

log = logging.getLogger("hub.outcomes.schedule")

SCHEDULER_CLIENT = "scheduler"
SCHEDULER_TASK = "outcomes.scheduler"


def half_year(start: date, period: int) -> date:
    """`period` half-years (six calendar months each) after `start`; the 31st falls back to the month's end."""
    month = start.month - 1 + 6 * period
    year, month = start.year + month // 12, month % 12 + 1
    for day in (start.day, 30, 29, 28):
        with contextlib.suppress(ValueError):
            return date(year, month, min(start.day, day))
    raise AssertionError("unreachable")  # pragma: no cover


def current_period(enrolled_on: date, today: date) -> int:
    """The latest half-year reached on `today` (0 before the first)."""
    period = 0
    while half_year(enrolled_on, period + 1) <= today:
        period += 1
    return period


@dataclass(frozen=True, slots=True)
class Due:
    family_id: str
    course_start: date
    period: int
    due_on: date


@dataclass
class RoundResult:
    """What one round did (counts only: safe to log and print)."""

    taken: list[Due] = field(default_factory=list)
    taken_elsewhere: int = 0  # another replica (or the CLI) claimed it first
    no_coordinator: int = 0
    failed: int = 0  # a department did not answer, or the write failed: tried again next round

    def summary(self) -> str:
        return (
            f"taken={len(self.taken)} taken_elsewhere={self.taken_elsewhere} "
            f"no_coordinator={self.no_coordinator} failed={self.failed}"
        )


async def due_periods(services: Services, today: date) -> list[Due]:
    """Every ACTIVE family's current half-year that has not been claimed yet."""
    async with services.sessions() as session:
        families = (
            await session.execute(
                select(Family.id, Family.enrolled_on).where(
                    Family.status == FamilyStatus.ACTIVE, Family.enrolled_on.is_not(None)
                )
            )
        ).all()
        claimed = {
            (row.family_id, row.course_start, row.period)
            for row in await session.scalars(select(OutcomePeriod))
        }
    out = []
    for family_id, enrolled_on in families:
        if enrolled_on is None:  # pragma: no cover - filtered above
            continue
        period = current_period(enrolled_on, today)
        if period >= 1 and (family_id, enrolled_on, period) not in claimed:
            out.append(Due(family_id, enrolled_on, period, half_year(enrolled_on, period)))
    return sorted(out, key=lambda d: (d.due_on, d.family_id))


async def _coordinator(services: Services, family_id: str, today: date) -> Principal | None:
    async with services.sessions() as session:
        user = await session.scalar(
            select(User)
            .join(TeamAssignment, TeamAssignment.user_id == User.id)
            .where(
                TeamAssignment.family_id == family_id,
                TeamAssignment.team_role == TeamRole.COORDINATOR,
                TeamAssignment.since <= today,
                (TeamAssignment.until.is_(None)) | (TeamAssignment.until > today),
                User.active.is_(True),
            )
            .order_by(TeamAssignment.since.desc(), User.id)
            .limit(1)
        )
    return principal_of(user, client=SCHEDULER_CLIENT) if user is not None else None


@dataclass
class _AuditContext:
    """What the audit buffer needs (hub/audit/buffer.py): the round acts as the coordinator, outside a request."""

    principal: Principal | None
    now: datetime
    request_id: str = ""
    state: dict[str, Any] = field(default_factory=dict)


async def _claim(services: Services, due: Due, principal: Principal) -> bool:
    try:
        async with services.sessions.begin() as session:
            session.add(
                OutcomePeriod(
                    family_id=due.family_id,
                    course_start=due.course_start,
                    period=due.period,
                    due_on=due.due_on,
                    taken_by=principal.user_id,
                )
            )
    except IntegrityError:
        return False
    return True


async def _release(services: Services, due: Due) -> None:
    async with services.sessions.begin() as session:
        await session.execute(
            delete(OutcomePeriod).where(
                OutcomePeriod.family_id == due.family_id,
                OutcomePeriod.course_start == due.course_start,
                OutcomePeriod.period == due.period,
            )
        )


async def _take(
    services: Services,
    due: Due,
    principal: Principal,
    now: datetime,
    indicators: Collection[ConfiguredIndicator],
) -> None:
    settings = services.settings
    context = _AuditContext(principal=principal, now=now)

    def audit(member: MemberInfo, department: Department, decision: SectionDecision) -> None:
        audit_read(
            context,
            subject_person_id=member.person_id,
            family_id=member.family_id,
            source=department.value,
            categories=[c.value for c in decision.categories],
            decision=AuditDecision.GRANTED if decision.allowed else AuditDecision.DENIED,
            reason=decision.reason,
            basis=decision.basis,
        )

    gate = Gate(principal, sessions=services.sessions, today=now.date(), now=now)
    sections = SectionService(
        gate,
        services.connectors,
        deadline=Deadline.after(settings.request_deadline_s),
        now=now,
        audit=audit,
        cache=services.extras.get("section_cache"),
        budgets=services.extras.get(LATENCY_BUDGETS),
    )
    views = await snapshots.observe(
        services.sessions,
        services.vault,
        sections,
        principal=principal,
        family_id=due.family_id,
        occasion=snapshots.Occasion.HALF_YEAR,
        now=now,
        indicators=indicators,
        complete=True,
    )
    await session_writer(services.sessions)(read_buffer(context).drain())  # the reads are logged first
    async with services.sessions.begin() as session:
        snapshots.store(session, views, principal=principal, now=now)


async def take_due(services: Services, now: datetime | None = None) -> RoundResult:
    """One round: take every half-yearly snapshot due on `now` (the services' clock by default)."""
    now = now or services.clock()
    today = now.date()
    indicators = parse_indicators(services.settings.outcome_indicators)
    result = RoundResult()
    for due in await due_periods(services, today):
        principal = await _coordinator(services, due.family_id, today)
        if principal is None:
            result.no_coordinator += 1
            continue
        if not await _claim(services, due, principal):
            result.taken_elsewhere += 1
            continue
        try:
            await _take(services, due, principal, now, indicators)
        except Exception as exc:  # any failure releases the claim; the next round retries
            log.warning("outcome snapshot not taken (%s); released for the next round", type(exc).__name__)
            await _release(services, due)
            result.failed += 1
            continue
        result.taken.append(due)
    if result.taken or result.failed:
        log.info("outcome snapshots due: %s", result.summary())
    return result


class SnapshotScheduler:
    """Runs `take_due` every `interval_s` seconds in the hub process (started and stopped by the lifespan).

    `sleep` is injectable so a test can drive rounds without waiting; the first round runs at start."""

    def __init__(
        self,
        services: Services,
        interval_s: float,
        *,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.services = services
        self.interval_s = interval_s
        self.sleep = sleep
        self.rounds = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="hub-outcome-snapshots")

    async def _run(self) -> None:
        while True:
            try:
                await take_due(self.services)
            except Exception as exc:  # a failed round (database down) must not end the task
                log.warning("outcome snapshot round failed (%s)", type(exc).__name__)
            self.rounds += 1
            await self.sleep(self.interval_s)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def start_scheduler(services: Services) -> None:
    interval = services.settings.outcome_snapshot_interval_s
    if interval > 0 and SCHEDULER_TASK not in services.extras:
        scheduler = SnapshotScheduler(services, interval)
        services.extras[SCHEDULER_TASK] = scheduler
        scheduler.start()


async def stop_scheduler(services: Services) -> None:
    scheduler = services.extras.pop(SCHEDULER_TASK, None)
    if isinstance(scheduler, SnapshotScheduler):
        await scheduler.stop()
