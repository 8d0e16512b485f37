"""The steering group's outcome report: aggregates only, computed once per request, then suppressed.

- Capacity: active families against the cap of the day's programme year, and the waitlist.
- Flows per quarter (from `enrolment_events`): enrolments, closures of enrolled families, hand-overs (and
  to which department).
- Outcomes at enrolment and now, like with like: the persons are the current members of ACTIVE families
  with an enrolment snapshot (the family's latest enrolment); each indicator counts only persons with a value
  both at enrolment and now (hub/enrolment/indicators.py). "Now" is observed with the same consent rule as
  the snapshot (hub/enrolment/observe.py), through the hub's cache or live; a person without a value now is
  counted in `not_measured_now`, never guessed.
- Wellbeing: per instrument (WHO-5, SDQ, ORS/CORS), each person's first and latest score since enrolment
  (SDQ: one respondent's series), the mean of both and of the change.
- Contact points: the mean number of distinct municipal contact points per family at enrolment (stored on the
  family's latest ENROLLED event) and now, counted the same way both times (hub/enrolment/contact_points.py),
  over the ACTIVE families with a count at enrolment; the families are the unit, under the same rule.
Every figure says how many persons and families it rests on. `compute` returns raw counts only inside this
module: the result is passed through hub/enrolment/suppression.py before anything leaves. Every use of a
person's data is reported to `on_use` (for the audit log). Never returns an id, a name or a CPR number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Deadline
from hub.crypto import CprVault
from hub.domain import Department, FamilyStatus
from hub.enrolment.contact_points import contact_points
from hub.enrolment.indicators import Indicator, Observation
from hub.enrolment.models import EnrolmentEvent, EnrolmentSnapshot, EventKind
from hub.enrolment.observe import Sources, observe
from hub.enrolment.rules import programme_year, quarter_of, quarters_between
from hub.enrolment.suppression import (
    Cell,
    MeanCounts,
    MeanFigure,
    Scope,
    ShareCounts,
    ShareFigure,
    suppress_counts,
    suppress_means,
    suppress_shares,
)
from hub.family import repository
from hub.family.model import MemberInfo
from hub.persistence.models import Family
from hub.plan.domain import Instrument
from hub.plan.models import Measurement

# person id, family id, source ("BIF", "HUB:plan"), category, basis
UseHook = Callable[[str, str, str, str, str | None], None]


class Wellbeing:
    WHO5 = "WHO5"
    SDQ = "SDQ"
    ORS = "ORS"  # ORS and CORS: the same 0-40 scale, CORS below 13


INSTRUMENT_GROUP = {
    Instrument.WHO5: Wellbeing.WHO5,
    Instrument.SDQ: Wellbeing.SDQ,
    Instrument.ORS: Wellbeing.ORS,
    Instrument.CORS: Wellbeing.ORS,
}
WELLBEING_GROUPS = (Wellbeing.WHO5, Wellbeing.SDQ, Wellbeing.ORS)


@dataclass(frozen=True, slots=True)
class CapacityFigures:
    on: date
    programme_year: int
    capacity: int
    active: dict[Scope, Cell]
    waitlisted: Cell
    free_places: int


@dataclass(frozen=True, slots=True)
class QuarterFlow:
    quarter: str
    enrolled: dict[Scope, Cell]
    closed: dict[Scope, Cell]
    handed_over: dict[Scope, Cell]
    handed_over_to: dict[Department, int]  # programme level only (rule 3)


@dataclass(frozen=True, slots=True)
class SteeringReport:
    generated_at: datetime
    capacity: CapacityFigures
    quarters: tuple[QuarterFlow, ...]
    outcomes: dict[Indicator, dict[Scope, ShareFigure]]
    not_measured_now: dict[Indicator, dict[Scope, Cell]]
    wellbeing: dict[str, dict[Scope, MeanFigure]]
    contact_points: dict[Scope, MeanFigure]


@dataclass
class _Tally:
    persons: int = 0
    at_enrolment: int = 0
    now: int = 0
    not_measured: int = 0
    families: set[str] = field(default_factory=set)


@dataclass
class _MeanTally:
    persons: int = 0
    first_sum: float = 0.0
    latest_sum: float = 0.0
    families: set[str] = field(default_factory=set)


def _scopes(district: str) -> tuple[Scope, Scope]:
    return Scope.ALL, Scope(district)


async def compute(
    session: AsyncSession,
    vault: CprVault,
    sources: Sources,
    *,
    start: date,
    cap: int,
    now: datetime,
    today: date,
    deadline: Deadline,
    on_use: UseHook | None = None,
) -> SteeringReport:
    families = list(await session.scalars(select(Family)))
    active = {f.id: f for f in families if f.status is FamilyStatus.ACTIVE}
    snapshots = await _latest_snapshots(session, list(active))
    members = await repository.members_of(session, vault, list(active)) if active else {}
    measured = [m for ms in members.values() for m in ms if m.person_id in snapshots]
    hook = None
    if on_use is not None:
        use = on_use

        def hook(member: MemberInfo, department: Department, basis: str) -> None:
            use(member.person_id, member.family_id, department.value, "CASE", basis)

    current = await observe(sources, measured, today=today, now=now, deadline=deadline, on_read=hook)
    outcomes, not_measured = _outcomes(measured, snapshots, current, active)
    wellbeing = await _wellbeing(session, active, members, on_use)
    events = list(await session.scalars(select(EnrolmentEvent)))
    contacts = await _contact_points(session, active, events, today)
    return SteeringReport(
        generated_at=now,
        capacity=_capacity(families, start=start, cap=cap, today=today),
        quarters=_flows(events, start=start, today=today),
        outcomes=outcomes,
        not_measured_now=not_measured,
        wellbeing=wellbeing,
        contact_points=contacts,
    )


async def _contact_points(
    session: AsyncSession, active: Mapping[str, Family], events: Sequence[EnrolmentEvent], today: date
) -> dict[Scope, MeanFigure]:
    """Mean distinct contact points per family at its latest enrolment and now, like with like."""
    latest: dict[str, EnrolmentEvent] = {}
    for event in sorted(events, key=lambda e: e.occurred_at):
        if event.kind is EventKind.ENROLLED and event.family_id in active:
            latest[event.family_id] = event
    at_enrolment = {fid: e.contact_points for fid, e in latest.items() if e.contact_points is not None}
    now = await contact_points(session, list(at_enrolment), today)
    tally = {scope: _MeanTally() for scope in Scope}
    for family_id, before in at_enrolment.items():
        for scope in _scopes(active[family_id].district.value):
            t = tally[scope]
            t.persons += 1
            t.families.add(family_id)
            t.first_sum += before
            t.latest_sum += now[family_id]
    return suppress_means(
        {s: MeanCounts(t.persons, len(t.families), t.first_sum, t.latest_sum) for s, t in tally.items()}
    )


async def _latest_snapshots(session: AsyncSession, family_ids: Sequence[str]) -> dict[str, EnrolmentSnapshot]:
    """person id -> snapshot of the family's latest enrolment (a re-enrolled family starts a new episode)."""
    if not family_ids:
        return {}
    latest = (
        select(EnrolmentEvent.family_id, func.max(EnrolmentEvent.occurred_at).label("at"))
        .where(EnrolmentEvent.family_id.in_(family_ids), EnrolmentEvent.kind == EventKind.ENROLLED)
        .group_by(EnrolmentEvent.family_id)
        .subquery()
    )
    stmt = (
        select(EnrolmentSnapshot)
        .join(EnrolmentEvent, EnrolmentEvent.id == EnrolmentSnapshot.event_id)
        .join(
            latest,
            (latest.c.family_id == EnrolmentEvent.family_id) & (latest.c.at == EnrolmentEvent.occurred_at),
        )
    )
    return {s.person_id: s for s in await session.scalars(stmt)}


def _snapshot_value(snapshot: EnrolmentSnapshot, indicator: Indicator) -> bool | None:
    return {
        Indicator.CASH_BENEFIT: snapshot.cash_benefit,
        Indicator.HIGH_ABSENCE: snapshot.high_absence,
        Indicator.LEISURE_ACTIVE: snapshot.leisure_active,
    }[indicator]


def _outcomes(
    measured: Sequence[MemberInfo],
    snapshots: Mapping[str, EnrolmentSnapshot],
    current: Mapping[str, Observation],
    active: Mapping[str, Family],
) -> tuple[dict[Indicator, dict[Scope, ShareFigure]], dict[Indicator, dict[Scope, Cell]]]:
    shares: dict[Indicator, dict[Scope, ShareFigure]] = {}
    missing: dict[Indicator, dict[Scope, Cell]] = {}
    for indicator in Indicator:
        tally = {scope: _Tally() for scope in Scope}
        for member in measured:
            before = _snapshot_value(snapshots[member.person_id], indicator)
            if before is None:
                continue
            after = current.get(member.person_id, Observation()).get(indicator)
            for scope in _scopes(active[member.family_id].district.value):
                t = tally[scope]
                if after is None:
                    t.not_measured += 1
                    continue
                t.persons += 1
                t.families.add(member.family_id)
                t.at_enrolment += int(before)
                t.now += int(after)
        shares[indicator] = suppress_shares(
            {
                s: ShareCounts(t.persons, len(t.families), t.at_enrolment, t.now, t.not_measured)
                for s, t in tally.items()
            }
        )
        missing[indicator] = suppress_counts({s: t.not_measured for s, t in tally.items()})
    return shares, missing


async def _wellbeing(
    session: AsyncSession,
    active: Mapping[str, Family],
    members: Mapping[str, list[MemberInfo]],
    on_use: UseHook | None,
) -> dict[str, dict[Scope, MeanFigure]]:
    family_of = {m.person_id: fid for fid, ms in members.items() for m in ms}
    rows = (
        list(
            await session.scalars(
                select(Measurement)
                .where(Measurement.person_id.in_(list(family_of)))
                .order_by(Measurement.measured_on, Measurement.recorded_at, Measurement.id)
            )
        )
        if family_of
        else []
    )
    series: dict[tuple[str, str, str], list[Measurement]] = defaultdict(list)
    for row in rows:
        family = active.get(family_of[row.person_id])
        # Since the family's (latest) enrolment, and in the family the person belongs to now.
        if (
            family is None
            or row.family_id != family.id
            or (family.enrolled_on and row.measured_on < family.enrolled_on)
        ):
            continue
        series[(row.person_id, INSTRUMENT_GROUP[row.instrument], row.respondent or "")].append(row)
    chosen: dict[tuple[str, str], list[Measurement]] = {}
    for (person_id, group, _respondent), found in sorted(series.items()):
        key = (person_id, group)
        # SDQ by one respondent only (parent, teacher or self differ): the longest series, then by name.
        if len({m.measured_on for m in found}) >= 2 and (key not in chosen or len(found) > len(chosen[key])):
            chosen[key] = found
    sums = {g: {s: _MeanTally() for s in Scope} for g in WELLBEING_GROUPS}
    for (person_id, group), found in chosen.items():
        family_id = family_of[person_id]
        if on_use is not None:
            on_use(person_id, family_id, "HUB:plan", "HEALTH", None)
        for scope in _scopes(active[family_id].district.value):
            acc = sums[group][scope]
            acc.persons += 1
            acc.families.add(family_id)
            acc.first_sum += found[0].score
            acc.latest_sum += found[-1].score
    return {
        group: suppress_means(
            {
                s: MeanCounts(a.persons, len(a.families), a.first_sum, a.latest_sum)
                for s, a in by_scope.items()
            }
        )
        for group, by_scope in sums.items()
    }


def _capacity(families: Sequence[Family], *, start: date, cap: int, today: date) -> CapacityFigures:
    active = dict.fromkeys(Scope, 0)
    for family in families:
        if family.status is FamilyStatus.ACTIVE:
            for scope in _scopes(family.district.value):
                active[scope] += 1
    waiting = sum(1 for f in families if f.status is FamilyStatus.WAITLISTED)
    return CapacityFigures(
        on=today,
        programme_year=programme_year(today, start),
        capacity=cap,
        active=suppress_counts(active, exact_total=True),
        waitlisted=Cell(waiting),
        free_places=max(0, cap - active[Scope.ALL]),
    )


def _flows(events: Sequence[EnrolmentEvent], *, start: date, today: date) -> tuple[QuarterFlow, ...]:
    quarters = quarters_between(min([start, *(e.effective_on for e in events)]), today)
    counts = {
        q: {k: dict.fromkeys(Scope, 0) for k in ("enrolled", "closed", "handed_over")} for q in quarters
    }
    to: dict[str, dict[Department, int]] = {q: {} for q in quarters}
    for event in events:
        quarter = quarter_of(event.effective_on)
        if quarter not in counts:
            continue  # dated after today: not yet in the report
        kinds = []
        if event.kind is EventKind.ENROLLED:
            kinds.append("enrolled")
        elif event.kind is EventKind.CLOSED and event.from_status is FamilyStatus.ACTIVE:
            kinds.append("closed")
            if event.handed_over_to is not None:
                kinds.append("handed_over")
                to[quarter][event.handed_over_to] = to[quarter].get(event.handed_over_to, 0) + 1
        for kind in kinds:
            for scope in _scopes(event.district.value):
                counts[quarter][kind][scope] += 1
    return tuple(
        QuarterFlow(
            quarter=q,
            enrolled=suppress_counts(counts[q]["enrolled"], exact_total=True),
            closed=suppress_counts(counts[q]["closed"], exact_total=True),
            handed_over=suppress_counts(counts[q]["handed_over"], exact_total=True),
            handed_over_to=dict(sorted(to[q].items())),
        )
        for q in quarters
    )
