"""Every figure of the steering report on a small hand-checked world, and suppression on the real report.

The world (expected values worked out by hand in the comments): 12 ACTIVE families, F00-F05 in Nørrebro
(enrolled 2025-01-15) and F06-F11 in Bispebjerg (enrolled 2025-04-10), each with two adults (A1, A2) and one
child (C1, born 2014); two closed families X1 (Nørrebro, enrolled 2024-02-10, closed 2025-05-01, handed over
to SOF) and X2 (Bispebjerg, enrolled 2024-03-01, closed 2025-06-15, no hand-over); one waitlisted family W.
The snapshots are taken by `enrol` from the fake departments' answers at enrolment; "now" is what they answer
at report time. A2 of F05 withdrew the BIF consent after enrolment (not measured now); C1 of F11 is no longer
registered in BUF (not measured now).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from hub.domain import Department, District, FamilyStatus
from hub.enrolment.eligibility import assess
from hub.enrolment.indicators import Indicator
from hub.enrolment.report import SteeringReport
from hub.enrolment.reporting import steering_report
from hub.enrolment.suppression import DISTRICT_SCOPES, Cell, Scope, Suppression
from hub.enrolment.views import EnrolResult
from hub.errors import Forbidden
from hub.family.gate import Gate
from hub.persistence.engine import transaction
from hub.plan.domain import Instrument, SdqRespondent
from hub.plan.models import Measurement
from tests.integration.enrolment.enrol_world import (
    NOW,
    World,
    actor,
    employment,
    leisure,
    principal,
    school,
    social,
)

N_ENROLLED = date(2025, 1, 15)
B_ENROLLED = date(2025, 4, 10)


def at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)


def gate(world: World, now: datetime) -> Gate:
    return Gate(principal("coord"), sessions=world.sessions, today=now.date(), now=now)


async def enrol(world: World, fid: str, on: date, state: dict[str, tuple[bool, bool]] | None = None) -> None:
    """Assess and enrol `fid` on `on`; `state` sets, per member suffix, (cash or absence, leisure) then."""
    now = at(on)
    svc = world.service()
    members = world.members[fid]
    world.record(Department.SOF, members[0], social(1))
    world.record(Department.BIF, members[0], employment(cash=True))
    view = await assess(svc.sessions, svc.vault, svc.sources, actor(now=now), fid, gate=gate(world, now))
    assert view.outcome.value == "ELIGIBLE"
    for m in members:
        key = m.person_id.rsplit("-", 1)[1]
        main, active = (state or {}).get(key, (False, False))
        if key.startswith("A"):
            world.record(Department.BIF, m, employment(cash=main))
        else:
            world.record(Department.BUF, m, school(unlawful_pct=20.0 if main else 2.0))
        world.record(Department.KFF, m, leisure(active=active))
    outcome = await svc.enrol(actor(now=now), fid, gate=gate(world, now))
    assert outcome.result is EnrolResult.ENROLLED


def fid(i: int) -> str:
    return f"F{i:02d}"


@pytest.fixture
async def report_world(world: World) -> World:
    for i in range(12):
        district = District.NORREBRO if i < 6 else District.BISPEBJERG
        await world.family(
            fid(i),
            district=district,
            referred_on=date(2024, 12, 1),
            no_consent=[(1, Department.BIF)] if i == 5 else [],
        )
    members5 = world.members[fid(5)]
    await world.consent(fid(5), members5[1], [Department.BIF], "C-F05-A2-BIF")
    for x, district, referred in (
        ("X1", District.NORREBRO, date(2024, 1, 20)),
        ("X2", District.BISPEBJERG, date(2024, 2, 1)),
    ):
        await world.family(x, district=district, referred_on=referred)
    await world.family("W", status=FamilyStatus.WAITLISTED, referred_on=date(2026, 8, 1))
    # At enrolment: A1 on cash benefit everywhere, A2 where i is even; C1 with high absence for i in 0-3, 6, 7;
    # leisure: every child, and A1 of F00 and F06.
    for i in range(12):
        state = {
            "A1": (True, i in (0, 6)),
            "A2": (i % 2 == 0, False),
            "C1": (i in (0, 1, 2, 3, 6, 7), True),
        }
        await enrol(world, fid(i), N_ENROLLED if i < 6 else B_ENROLLED, state)
    await enrol(world, "X1", date(2024, 2, 10))
    await enrol(world, "X2", date(2024, 3, 1))
    svc = world.service()
    await svc.close(
        actor(now=at(date(2025, 5, 1))),
        "X1",
        reason="Mål nået",
        handed_over_to=Department.SOF,
        gate=gate(world, at(date(2025, 5, 1))),
    )
    await svc.close(
        actor(now=at(date(2025, 6, 15))),
        "X2",
        reason="Flyttet",
        handed_over_to=None,
        gate=gate(world, at(date(2025, 6, 15))),
    )
    # Now: A1 on cash benefit in F00-F02 and F06-F08, no A2; high absence only in F00 and F06; C1 of F11 gone
    # from BUF; leisure: every child, A1 in F00-F02 and F06-F08, A2 in F00 and F06.
    for i in range(12):
        a1, a2, c1 = world.members[fid(i)]
        world.record(Department.BIF, a1, employment(cash=i in (0, 1, 2, 6, 7, 8)))
        world.record(Department.BIF, a2, employment(cash=False))
        if i == 11:
            world.connectors[Department.BUF].records.pop(c1.cpr)
        else:
            world.record(Department.BUF, c1, school(unlawful_pct=20.0 if i in (0, 6) else 2.0))
        world.record(Department.KFF, a1, leisure(active=i in (0, 1, 2, 6, 7, 8)))
        world.record(Department.KFF, a2, leisure(active=i in (0, 6)))
        world.record(Department.KFF, c1, leisure(active=True))
    await world.withdraw("C-F05-A2-BIF", NOW - timedelta(days=10))
    async with transaction(world.sessions) as s:
        for i in range(6):
            a1 = world.members[fid(i)][0]
            first = 40 + 4 * i
            for day, score in ((10, first), (200, first + 10 + 2 * i)):
                s.add(
                    _measurement(
                        fid(i),
                        a1.person_id,
                        instrument=Instrument.WHO5,
                        score=score,
                        on=N_ENROLLED + timedelta(days=day),
                    )
                )
        # Before enrolment: not part of the change since enrolment.
        s.add(
            _measurement(
                fid(0),
                world.members[fid(0)][0].person_id,
                instrument=Instrument.WHO5,
                score=0,
                on=N_ENROLLED - timedelta(days=10),
            )
        )
        for i in range(4):
            c1 = world.members[fid(i)][2]
            for day, score in ((20, 20), (220, 15)):
                s.add(
                    _measurement(
                        fid(i),
                        c1.person_id,
                        instrument=Instrument.SDQ,
                        score=score,
                        on=N_ENROLLED + timedelta(days=day),
                        respondent=SdqRespondent.PARENT,
                    )
                )
    for connector in world.connectors.values():
        connector.calls.clear()
    return world


def _measurement(
    family_id: str,
    person_id: str,
    *,
    instrument: Instrument,
    score: float,
    on: date,
    respondent: SdqRespondent | None = None,
) -> Measurement:
    return Measurement(
        family_id=family_id,
        person_id=person_id,
        instrument=instrument,
        score=score,
        respondent=respondent.value if respondent else None,
        measured_on=on,
        recorded_at=at(on),
    )


async def report_of(
    world: World, username: str = "steer"
) -> tuple[SteeringReport, list[tuple[str, str, str]]]:
    uses: list[tuple[str, str, str]] = []

    def on_use(person_id: str, family_id: str, source: str, category: str, basis: str | None) -> None:
        uses.append((person_id, source, category))

    report = await steering_report(world.service(), actor(username), on_use=on_use)
    return report, uses


def shown(cell: Cell) -> float | None:
    return cell.value if cell.shown else None


def d(cell: Cell) -> str:
    return cell.display


async def test_capacity_quarterly_flows_and_who_may_see_them(report_world: World) -> None:
    report, _uses = await report_of(report_world)
    cap = report.capacity
    assert (cap.on, cap.programme_year, cap.capacity, cap.free_places) == (NOW.date(), 4, 35, 23)
    assert [d(cap.active[s]) for s in Scope] == ["12", "6", "6"]
    assert d(cap.waitlisted) == "1"
    quarters = {q.quarter: q for q in report.quarters}
    assert next(iter(quarters)) == "2023Q1"
    assert list(quarters)[-1] == "2026Q4"
    assert len(quarters) == 16
    q = quarters["2024Q1"]
    assert [d(q.enrolled[s]) for s in Scope] == ["2", "<5", "<5"]
    q = quarters["2025Q1"]
    # Nørrebro's 6 would give away Bispebjerg's 0 (6 - 6): suppressed together.
    assert [d(q.enrolled[s]) for s in Scope] == ["6", "suppressed", "<5"]
    q = quarters["2025Q2"]
    assert [d(q.enrolled[Scope.ALL]), d(q.closed[Scope.ALL]), d(q.handed_over[Scope.ALL])] == ["6", "2", "1"]
    assert q.handed_over_to == {Department.SOF: 1}
    assert all(
        d(q.enrolled[Scope.ALL]) == "0"
        for k, q in quarters.items()
        if k not in ("2024Q1", "2025Q1", "2025Q2")
    )
    for username in ("steer", "coord"):
        await report_of(report_world, username)
    with pytest.raises(Forbidden):
        await report_of(report_world, "core")


async def test_outcome_shares_at_enrolment_and_now(report_world: World) -> None:
    report, _uses = await report_of(report_world)
    cash = report.outcomes[Indicator.CASH_BENEFIT]
    total = cash[Scope.ALL]
    # 23 adults (A2 of F05 not measured now): 18 on benefit at enrolment (12 A1 + 6 even A2), 6 now.
    assert (shown(total.persons), shown(total.families)) == (23, 12)
    assert (shown(total.at_enrolment), shown(total.at_enrolment_pct)) == (18, 78.3)
    assert (shown(total.now), shown(total.now_pct), shown(total.change_pp)) == (6, 26.1, -52.2)
    assert d(report.not_measured_now[Indicator.CASH_BENEFIT][Scope.ALL]) == "<5"
    # Nørrebro: 9 of 11 at enrolment leaves 2 without: the district breakdown is suppressed as a whole.
    north, west = cash[Scope.NORREBRO], cash[Scope.BISPEBJERG]
    assert d(north.at_enrolment) == "suppressed"
    assert d(north.persons) == "suppressed"
    assert d(west.now) == "<5"
    assert d(west.persons) == "suppressed"
    absence = report.outcomes[Indicator.HIGH_ABSENCE][Scope.ALL]
    # 11 children (C1 of F11 no longer in BUF): 6 with 15 %+ at enrolment, 2 now (fewer than 5).
    assert (shown(absence.persons), shown(absence.families)) == (11, 11)
    assert (shown(absence.at_enrolment), shown(absence.at_enrolment_pct)) == (6, 54.5)
    assert (d(absence.now), d(absence.now_pct), d(absence.change_pp)) == ("<5", "<5", "suppressed")
    assert d(report.not_measured_now[Indicator.HIGH_ABSENCE][Scope.ALL]) == "<5"
    assert all(
        not c.shown for s in DISTRICT_SCOPES for c in _cells(report.outcomes[Indicator.HIGH_ABSENCE][s])
    )
    leisure_ = report.outcomes[Indicator.LEISURE_ACTIVE]
    total = leisure_[Scope.ALL]
    # 36 members: 14 active at enrolment (12 children + A1 of F00, F06), 20 now (+ A1 x6, A2 x2 - A1 x2).
    assert (shown(total.persons), shown(total.families)) == (36, 12)
    assert (shown(total.at_enrolment), shown(total.at_enrolment_pct)) == (14, 38.9)
    assert (shown(total.now), shown(total.now_pct), shown(total.change_pp)) == (20, 55.6, 16.7)
    for scope in DISTRICT_SCOPES:
        f = leisure_[scope]
        assert (shown(f.persons), shown(f.families), shown(f.at_enrolment), shown(f.now)) == (18, 6, 7, 10)
        assert (shown(f.at_enrolment_pct), shown(f.now_pct), shown(f.change_pp)) == (38.9, 55.6, 16.7)


async def test_wellbeing_change_and_every_use_of_personal_data(report_world: World) -> None:
    report, uses = await report_of(report_world)
    who5 = report.wellbeing["WHO5"][Scope.ALL]
    # A1 of F00-F05: first 40..60 (mean 50), latest 50..80 (mean 65); the pre-enrolment 0 is left out.
    assert (shown(who5.persons), shown(who5.families)) == (6, 6)
    assert (shown(who5.first_mean), shown(who5.latest_mean), shown(who5.change)) == (50.0, 65.0, 15.0)
    # Bispebjerg has none: the district split would give Nørrebro's = the total; suppressed together.
    assert d(report.wellbeing["WHO5"][Scope.NORREBRO].first_mean) == "suppressed"
    sdq = report.wellbeing["SDQ"][Scope.ALL]
    assert (d(sdq.persons), d(sdq.first_mean), d(sdq.change)) == ("<5", "<5", "<5")
    assert d(report.wellbeing["ORS"][Scope.ALL].persons) == "<5"
    a2 = report_world.members[fid(5)][1]
    asked = {c for call in report_world.connectors[Department.BIF].calls for c in call}
    assert a2.cpr not in asked  # the withdrawn consent: never sent to BIF
    assert len(report_world.connectors[Department.BIF].calls) == 1  # one batched call per department
    assert (a2.person_id, "BIF", "CASE") not in uses
    assert sum(1 for _p, source, _c in uses if source == "BIF") == 23
    assert sum(1 for _p, source, _c in uses if source == "KFF") == 36
    assert sum(1 for _p, source, c in uses if source == "HUB:plan" and c == "HEALTH") == 10


async def test_a_department_down_now_lowers_the_basis_and_says_so(report_world: World) -> None:
    report_world.connectors[Department.KFF].down = True
    report, _uses = await report_of(report_world)
    leisure_ = report.outcomes[Indicator.LEISURE_ACTIVE][Scope.ALL]
    assert d(leisure_.persons) == "<5"
    assert d(leisure_.now_pct) == "<5"
    assert d(report.not_measured_now[Indicator.LEISURE_ACTIVE][Scope.ALL]) == "36"


def _cells(figure: object) -> list[Cell]:
    return [
        getattr(figure, f.name)
        for f in dataclasses.fields(figure)
        if isinstance(getattr(figure, f.name), Cell)
    ]  # type: ignore[arg-type]


async def test_differencing_total_minus_a_district_never_recovers_a_hidden_cell(report_world: World) -> None:
    report, _uses = await report_of(report_world)
    groups: list[dict[Scope, list[Cell]]] = []
    for by_scope in report.outcomes.values():
        groups.append({s: _cells(f) for s, f in by_scope.items()})
    for by_scope in report.wellbeing.values():
        groups.append({s: _cells(f) for s, f in by_scope.items()})
    for by_indicator in report.not_measured_now.values():
        groups.append({s: [c] for s, c in by_indicator.items()})
    for q in report.quarters:
        for cells in (q.enrolled, q.closed, q.handed_over):
            groups.append({s: [c] for s, c in cells.items()})
    groups.append({s: [c] for s, c in report.capacity.active.items()})
    hidden_somewhere = 0
    for group in groups:
        north, west = group[Scope.NORREBRO], group[Scope.BISPEBJERG]
        for a, b in zip(north, west, strict=True):
            # A district cell hidden while the other district's shows would be total - shown = hidden.
            assert a.shown == b.shown, group
            if not a.shown:
                hidden_somewhere += 1
                assert a.value is None
                assert b.value is None
    assert hidden_somewhere > 0
    assert any(c.suppression is Suppression.COMPLEMENTARY for g in groups for cs in g.values() for c in cs)
