"""Enrolment by the programme's rules: eligibility first, capacity by programme year, the waitlist in
referral order, closing (reason, hand-over, history) and re-opening a place. Changes are audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from hub.audit.models import entries_table
from hub.consent.models import Consent
from hub.consent.vocabulary import ConsentStatus
from hub.domain import Department, FamilyStatus
from hub.enrolment.eligibility import assess
from hub.enrolment.models import EnrolmentEvent, EnrolmentSnapshot, EventKind, Outcome
from hub.enrolment.views import EnrolResult, WaitReason
from hub.errors import BadUserInput, Conflict, Forbidden, NotFound
from hub.family.gate import Gate
from hub.persistence.models import Family
from hub.plan.models import HistoryEntry
from tests.integration.enrolment.enrol_world import NOW, World, actor, employment, principal, social

FIRST_YEAR = datetime(2023, 6, 1, 10, 0, tzinfo=UTC)


def gate(world: World, username: str = "coord", now: datetime = NOW) -> Gate:
    return Gate(principal(username), sessions=world.sessions, today=now.date(), now=now)


async def eligible(world: World, fid: str, now: datetime = NOW) -> None:
    """Give the family open cases in SOF and BIF and record an ELIGIBLE assessment."""
    first = world.members[fid][0]
    world.record(Department.SOF, first, social(1))
    world.record(Department.BIF, first, employment(cash=True))
    svc = world.service()
    view = await assess(svc.sessions, svc.vault, svc.sources, actor(now=now), fid, gate=gate(world, now=now))
    assert view.outcome is Outcome.ELIGIBLE


async def referred(
    world: World, count: int, *, start: date = date(2023, 1, 2), prefix: str = "R"
) -> list[str]:
    ids = []
    for i in range(count):
        fid = f"{prefix}{i:02d}"
        await world.family(fid, referred_on=start + timedelta(days=i), children=())
        ids.append(fid)
    return ids


async def status_of(world: World, fid: str) -> FamilyStatus:
    async with world.sessions() as s:
        family = await s.get(Family, fid)
        assert family is not None
        return family.status


async def test_capacity_is_20_in_the_first_programme_year_and_35_after(world: World) -> None:
    svc = world.service()
    assert (await svc.capacity(date(2023, 1, 1))).capacity == 20
    assert (await svc.capacity(date(2023, 12, 31))).capacity == 20
    assert (await svc.capacity(date(2024, 1, 1))).capacity == 35
    assert (await svc.capacity(date(2024, 1, 1))).programme_year == 2
    other = world.service(capacity=40, capacity_first_year=10, programme_start="2024-03-01")
    assert (await other.capacity(date(2025, 2, 28))).capacity == 10
    assert (await other.capacity(date(2025, 3, 1))).capacity == 40


async def test_enrolment_past_the_first_year_cap_is_refused_and_waitlisted(world: World) -> None:
    svc = world.service(capacity_first_year=3, capacity=5)
    ids = await referred(world, 5)
    for fid in ids:
        await eligible(world, fid, FIRST_YEAR)
    outcomes = [await svc.enrol(actor(now=FIRST_YEAR), fid, gate=gate(world, now=FIRST_YEAR)) for fid in ids]
    assert [o.result for o in outcomes] == [EnrolResult.ENROLLED] * 3 + [EnrolResult.WAITLISTED] * 2
    assert outcomes[3].wait_reason is WaitReason.PROGRAMME_FULL
    assert [o.waitlist_position for o in outcomes[3:]] == [1, 2]
    assert outcomes[4].capacity.active == 3
    assert outcomes[4].capacity.capacity == 3
    # In the second programme year the cap is 5: the waiting families take the two new places, in order.
    later = NOW
    for fid in ids[3:]:
        await eligible(world, fid, later)
    second = await svc.enrol(actor(now=later), ids[3], gate=gate(world))
    third = await svc.enrol(actor(now=later), ids[4], gate=gate(world))
    assert (second.result, third.result) == (EnrolResult.ENROLLED, EnrolResult.ENROLLED)
    assert third.capacity.active == 5
    assert third.capacity.capacity == 5


async def test_the_waitlist_keeps_referral_order_and_a_free_place_goes_to_the_first(world: World) -> None:
    svc = world.service(capacity=1, capacity_first_year=1)
    await world.family("A", referred_on=date(2026, 1, 1), children=())
    await world.family("LATE", referred_on=date(2026, 3, 1), children=())
    await world.family("EARLY", referred_on=date(2026, 2, 1), children=())
    for fid in ("A", "LATE", "EARLY"):
        await eligible(world, fid)
    assert (await svc.enrol(actor(), "A", gate=gate(world))).result is EnrolResult.ENROLLED
    # Waitlisted in the order they asked: LATE first, then EARLY; the list is in referral order all the same.
    late = await svc.enrol(actor(), "LATE", gate=gate(world))
    early = await svc.enrol(actor(), "EARLY", gate=gate(world))
    assert (late.waitlist_position, early.waitlist_position) == (1, 1)
    waitlist = await svc.waitlist(actor(), gate(world))
    assert [(e.position, e.family.id) for e in waitlist] == [(1, "EARLY"), (2, "LATE")]
    # A place frees up: LATE (referred later) is refused while EARLY waits; EARLY takes it.
    await svc.close(actor(), "A", reason="Mål nået", handed_over_to=Department.SOF, gate=gate(world))
    refused = await svc.enrol(actor(), "LATE", gate=gate(world))
    assert refused.result is EnrolResult.WAITLISTED
    assert refused.wait_reason is WaitReason.FAMILIES_AHEAD
    assert refused.waitlist_position == 2
    assert (await svc.enrol(actor(), "EARLY", gate=gate(world))).result is EnrolResult.ENROLLED
    assert [e.family.id for e in await svc.waitlist(actor(), gate(world))] == ["LATE"]


async def test_closing_records_reason_and_handover_frees_the_place_and_keeps_history(world: World) -> None:
    svc = world.service(capacity=1, capacity_first_year=1)
    await world.family("F1", referred_on=date(2026, 1, 1))
    await world.family("F2", referred_on=date(2026, 2, 1), children=())
    for fid in ("F1", "F2"):
        await eligible(world, fid)
    assert (await svc.enrol(actor(), "F1", gate=gate(world))).result is EnrolResult.ENROLLED
    assert (await svc.enrol(actor(), "F2", gate=gate(world))).result is EnrolResult.WAITLISTED
    with pytest.raises(BadUserInput) as empty:
        await svc.close(actor(), "F1", reason="   ", handed_over_to=None, gate=gate(world))
    assert empty.value.extensions["field"] == "reason"
    closed = await svc.close(
        actor(),
        "F1",
        reason="Overgår til almindelig indsats",
        handed_over_to=Department.BUF,
        gate=gate(world),
    )
    assert closed.capacity.active == 0
    assert closed.capacity.free == 1
    assert (closed.family.status, closed.family.closed_on, closed.family.handed_over_to) == (
        FamilyStatus.CLOSED,
        NOW.date(),
        Department.BUF,
    )
    assert closed.family.close_reason == "Overgår til almindelig indsats"
    with pytest.raises(Conflict):
        await svc.close(actor(), "F1", reason="igen", handed_over_to=None, gate=gate(world))
    # The freed place goes to the waiting family.
    assert (await svc.enrol(actor(), "F2", gate=gate(world))).result is EnrolResult.ENROLLED
    history = await svc.history(actor(), gate(world), "F1")
    assert [(e.kind, e.from_status, e.to_status) for e in history] == [
        ("ENROLLED", "REFERRED", "ACTIVE"),
        ("CLOSED", "ACTIVE", "CLOSED"),
    ]
    assert history[1].reason == "Overgår til almindelig indsats"
    assert history[1].handed_over_to is Department.BUF
    async with world.sessions() as s:
        timeline = list(await s.scalars(select(HistoryEntry).where(HistoryEntry.family_id == "F1")))
        changes = await s.scalar(
            select(func.count())
            .select_from(entries_table)
            .where(
                entries_table.c.family_id == "F1",
                entries_table.c.action == "CHANGE",
                entries_table.c.source == "HUB:enrolment",
            )
        )
    assert {(h.entity, h.change) for h in timeline} >= {("ENROLMENT", "ENROLLED"), ("ENROLMENT", "CLOSED")}
    assert all("Overgår" not in h.summary for h in timeline)  # free text stays out of the timeline
    assert changes == 3  # assessed, enrolled, closed


async def test_reopening_a_closed_family_needs_a_new_assessment_and_starts_a_new_episode(
    world: World,
) -> None:
    svc = world.service()
    members = await world.family("F1")
    await eligible(world, "F1")
    first = await svc.enrol(actor(), "F1", gate=gate(world))
    assert first.snapshot_members == len(members)
    await svc.close(actor(), "F1", reason="Familien flyttede", handed_over_to=None, gate=gate(world))
    later = NOW + timedelta(days=30)
    with pytest.raises(Conflict) as stale:
        await svc.enrol(actor(now=later), "F1", gate=gate(world, now=later))
    assert stale.value.extensions["reason"] == "ASSESSMENT_REQUIRED"
    # Closing ended the family's consents: re-opening asks the family again before any department is asked.
    first_member = world.members["F1"][0]
    with pytest.raises(AssertionError):
        await eligible(world, "F1", later)  # UNKNOWN: no member may be asked about
    await world.consent("F1", first_member, list(Department), "C-again", recorded_at=later)
    later += timedelta(minutes=1)
    await eligible(world, "F1", later)
    again = await svc.enrol(actor(now=later), "F1", gate=gate(world, now=later))
    assert again.result is EnrolResult.ENROLLED
    assert (again.family.enrolled_on, again.family.closed_on, again.family.close_reason) == (
        later.date(),
        None,
        None,
    )
    async with world.sessions() as s:
        episodes = list(
            await s.scalars(select(EnrolmentEvent).where(EnrolmentEvent.kind == EventKind.ENROLLED))
        )
        snapshots = await s.scalar(select(func.count()).select_from(EnrolmentSnapshot))
    assert len(episodes) == 2
    assert snapshots == 2 * len(members)


async def test_enrolment_needs_an_eligible_assessment(world: World) -> None:
    svc = world.service()
    await world.family("F1")
    with pytest.raises(Conflict) as none:
        await svc.enrol(actor(), "F1", gate=gate(world))
    assert none.value.extensions["reason"] == "ASSESSMENT_REQUIRED"
    # Only SOF has an open case: not eligible, and enrolment is refused.
    world.record(Department.SOF, world.members["F1"][0], social(1))
    view = await assess(svc.sessions, svc.vault, svc.sources, actor(), "F1", gate=gate(world))
    assert view.outcome is Outcome.NOT_ELIGIBLE
    with pytest.raises(Conflict) as no:
        await svc.enrol(actor(), "F1", gate=gate(world))
    assert no.value.extensions["reason"] == "NOT_ELIGIBLE"
    assert await status_of(world, "F1") is FamilyStatus.REFERRED


async def test_only_the_coordinator_on_the_family_may_enrol_or_close(world: World) -> None:
    svc = world.service()
    await world.family("F1")
    for username in ("core", "steer"):
        with pytest.raises(Forbidden):
            await svc.enrol(actor(username), "F1", gate=gate(world, username))
        with pytest.raises(Forbidden):
            await svc.close(
                actor(username), "F1", reason="x", handed_over_to=None, gate=gate(world, username)
            )
        with pytest.raises(Forbidden):
            await svc.waitlist(actor(username), gate(world, username))
    with pytest.raises(NotFound):
        await svc.enrol(actor(), "NO-SUCH", gate=gate(world))


async def test_a_stale_version_is_a_conflict(world: World) -> None:
    svc = world.service()
    await world.family("F1")
    await eligible(world, "F1")
    with pytest.raises(Conflict) as stale:
        await svc.enrol(actor(), "F1", gate=gate(world), expected_version=7)
    assert stale.value.extensions["currentVersion"] == 1
    assert (await svc.enrol(actor(), "F1", gate=gate(world), expected_version=1)).family.version == 2


async def test_a_waitlisted_family_found_not_eligible_leaves_the_head_of_the_queue(world: World) -> None:
    """Issue 23: a family re-assessed NOT_ELIGIBLE kept position 1 and blocked the free place for months."""
    svc = world.service(capacity=1, capacity_first_year=1)
    await world.family("A", referred_on=date(2026, 1, 1), children=())
    await world.family("EARLY", referred_on=date(2026, 2, 1), children=())
    await world.family("LATE", referred_on=date(2026, 3, 1), children=())
    for fid in ("A", "EARLY", "LATE"):
        await eligible(world, fid)
    assert (await svc.enrol(actor(), "A", gate=gate(world))).result is EnrolResult.ENROLLED
    for fid in ("EARLY", "LATE"):
        assert (await svc.enrol(actor(), fid, gate=gate(world))).result is EnrolResult.WAITLISTED
    # EARLY's cases close in the departments; the coordinator re-assesses it: NOT_ELIGIBLE.
    early = world.members["EARLY"][0]
    world.record(Department.SOF, early, social(0))
    world.record(Department.BIF, early, employment(cash=False, open_cases=0))
    later = NOW + timedelta(minutes=5)
    svc_now = world.service(capacity=1, capacity_first_year=1)
    view = await assess(
        svc_now.sessions,
        svc_now.vault,
        svc_now.sources,
        actor(now=later),
        "EARLY",
        gate=gate(world, now=later),
    )
    assert view.outcome is Outcome.NOT_ELIGIBLE
    waitlist = await svc.waitlist(actor(), gate(world))
    assert [(e.position, e.family.id, e.holds_place) for e in waitlist] == [
        (1, "LATE", True),
        (2, "EARLY", False),
    ]
    # A place frees up, months later: it offers itself to LATE (the coordinator is told), and LATE takes it in
    # one step, although its assessment is older than 90 days (it was waiting, not idle).
    months = NOW + timedelta(days=150)
    closed = await svc.close(
        actor(now=months), "A", reason="Mål nået", handed_over_to=None, gate=gate(world, now=months)
    )
    assert closed.place_offered_to is not None
    assert closed.place_offered_to.id == "LATE"
    offered = await svc.waitlist(actor(now=months), gate(world, now=months))
    assert [(e.family.id, e.place_offered) for e in offered] == [("LATE", True), ("EARLY", False)]
    taken = await svc.enrol(actor(now=months), "LATE", gate=gate(world, now=months))
    assert taken.result is EnrolResult.ENROLLED


async def test_closing_tells_the_access_and_consent_hooks_so_caches_drop_the_old_facts(world: World) -> None:
    from hub.access.hooks import ACCESS_HOOKS, AccessChange, register_access_hook
    from hub.consent.hooks import WITHDRAWAL_HOOKS, Withdrawal, register_withdrawal_hook

    svc = world.service()
    members = await world.family("F1")
    await eligible(world, "F1")
    await svc.enrol(actor(), "F1", gate=gate(world))
    changes: list[AccessChange] = []
    withdrawals: list[Withdrawal] = []

    async def on_access(_session: object, change: AccessChange) -> None:
        changes.append(change)

    async def on_withdrawal(_session: object, withdrawal: Withdrawal) -> None:
        withdrawals.append(withdrawal)

    register_access_hook(on_access)
    register_withdrawal_hook(on_withdrawal)
    try:
        await svc.close(actor(), "F1", reason="Mål nået", handed_over_to=None, gate=gate(world))
    finally:
        ACCESS_HOOKS.remove(on_access)
        WITHDRAWAL_HOOKS.remove(on_withdrawal)
    assert [(c.family_id, c.reason) for c in changes] == [("F1", "family_closed")]
    assert "U-coord" in changes[0].user_ids
    assert {w.subject_id for w in withdrawals} == {m.person_id for m in members}
    # The very next decision honours it: the coordinator keeps only the record, sections need new consent.
    after = gate(world)
    assert (await after.family_access("F1")).reason == "closed_record"
    async with world.sessions() as s:
        consents = list(await s.scalars(select(Consent).where(Consent.family_id == "F1")))
    assert {(c.status, c.withdrawal_reason) for c in consents} == {(ConsentStatus.WITHDRAWN, "FAMILY_CLOSED")}
