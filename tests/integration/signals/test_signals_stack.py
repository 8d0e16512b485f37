"""Early signals against the real mock departments and a seeded demo world (issue 23).

The demo world (40 families, seed 2026, the fixed anchor) shows every kind of signal; the coordinator's
`mySignals` costs one call to each department the rules read (SOF, BUF) and none to the others; a plain family
view without `signals` calls no department; an acknowledgement is kept with its note, hides the signal from
the default list and reaches `familyUpdated`-style readers; a worker outside the family sees nothing of it.
The hub's "today" is the world's anchor (an injected clock), never the wall clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest

from hub.domain import Department
from hub.signals.rules import SignalKind
from hub.world.generator import DEMO_SEED
from tests.support.stack import Stack, running_stack

MY_SIGNALS = """query($all: Boolean!) { mySignals(includeAcknowledged: $all, first: 500) {
  key kind reason familyId memberId since acknowledged source { kind department id }
  acknowledgements { note byMe } } }"""
FAMILY_SIGNALS = """query($id: ID!) { family(id: $id) { id signals { key kind acknowledged
  acknowledgements { note byMe } } } }"""
PLAIN_FAMILY = """query($id: ID!) { family(id: $id) { id name members { firstName } } }"""
ACK = """mutation($f: ID!, $k: String!, $n: String!) { acknowledgeSignal(familyId: $f, signalKey: $k, note: $n) {
  __typename ... on Signal { key acknowledged acknowledgements { note byMe } }
  ... on PlanMutationError { code } } }"""


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=40, seed=DEMO_SEED) as s:
        anchor = datetime.combine(s.world.today, time(10), UTC)
        s.services.clock = lambda: anchor
        yield s


async def _signals(stack: Stack, token: str, *, everything: bool = True) -> list[dict[str, Any]]:
    body = await stack.graphql(MY_SIGNALS, {"all": everything}, token=token)
    assert "errors" not in body, body
    found: list[dict[str, Any]] = body["data"]["mySignals"]
    return found


async def test_the_demo_world_shows_every_kind_of_signal_at_one_call_per_department(stack: Stack) -> None:
    await stack.reset_stats()
    found = await _signals(stack, stack.token("tovholder"))
    kinds = Counter(s["kind"] for s in found)
    assert set(kinds) == {k.value for k in SignalKind}, kinds
    stats = await stack.stats()
    # At most one call each (the first request's answers may still be fresh in the section cache).
    assert stats[Department.SOF]["total_requests"] <= 1
    assert stats[Department.BIF]["total_requests"] == 0
    assert stats[Department.BUF]["total_requests"] == 1
    for department in (Department.BIF, Department.KFF, Department.SUF):
        assert stats[department]["total_requests"] == 0, department
    for signal in found:
        assert signal["reason"]
        assert signal["source"]["id"]
        if signal["source"]["kind"] == "DEPARTMENT_RECORD":
            assert signal["source"]["department"] in {"SOF", "BUF"}
    keys = [s["key"] for s in found]
    assert len(keys) == len(set(keys))


async def test_signals_are_computed_only_when_selected(stack: Stack) -> None:
    found = await _signals(stack, stack.token("tovholder"))
    fid = next(s["familyId"] for s in found if s["kind"] == "INVESTIGATION_OVERDUE")
    await stack.reset_stats()
    plain = await stack.graphql(PLAIN_FAMILY, {"id": fid}, token=stack.token("tovholder"))
    assert plain["data"]["family"]["id"] == fid
    stats = await stack.stats()
    assert all(stats[d]["total_requests"] == 0 for d in Department)
    with_signals = await stack.graphql(FAMILY_SIGNALS, {"id": fid}, token=stack.token("tovholder"))
    kinds = {s["kind"] for s in with_signals["data"]["family"]["signals"]}
    assert "INVESTIGATION_OVERDUE" in kinds
    stats = await stack.stats()
    # At most one call each (the first request's answers may still be fresh in the section cache).
    assert stats[Department.SOF]["total_requests"] <= 1
    assert stats[Department.BIF]["total_requests"] == 0


async def test_acknowledging_keeps_the_note_and_hides_the_signal_by_default(stack: Stack) -> None:
    coord = stack.token("tovholder")
    found = await _signals(stack, coord, everything=False)
    target = next(s for s in found if s["kind"] == "MEETING_OVERDUE")
    first = await stack.graphql(
        ACK, {"f": target["familyId"], "k": target["key"], "n": "Mødet flyttes; ringet til mor."}, token=coord
    )
    assert first["data"]["acknowledgeSignal"]["acknowledged"] is True
    again = await stack.graphql(
        ACK, {"f": target["familyId"], "k": target["key"], "n": "Nyt møde aftalt."}, token=coord
    )
    notes = [a["note"] for a in again["data"]["acknowledgeSignal"]["acknowledgements"]]
    assert notes == ["Mødet flyttes; ringet til mor.", "Nyt møde aftalt."]  # history, oldest first
    open_now = {s["key"] for s in await _signals(stack, coord, everything=False)}
    assert target["key"] not in open_now
    everything = {s["key"]: s for s in await _signals(stack, coord)}
    assert everything[target["key"]]["acknowledged"] is True
    assert all(a["byMe"] for a in everything[target["key"]]["acknowledgements"])


async def test_unknown_signal_and_outsiders_are_not_found(stack: Stack) -> None:
    coord = stack.token("tovholder")
    found = await _signals(stack, coord)
    target = found[0]
    missing = await stack.graphql(
        ACK, {"f": target["familyId"], "k": "NO_CONTACT:nope", "n": ""}, token=coord
    )
    assert missing["data"]["acknowledgeSignal"]["code"] == "NOT_FOUND"
    # A caseworker outside the team never sees the plan: no plan-based signals, no acknowledging.
    outsider = stack.token("kff-sagsbehandler")
    theirs = await _signals(stack, outsider)
    assert all(s["source"]["kind"] in {"DEPARTMENT_RECORD"} for s in theirs)
    refused = await stack.graphql(ACK, {"f": target["familyId"], "k": target["key"], "n": ""}, token=outsider)
    assert refused["data"]["acknowledgeSignal"]["code"] in {"NOT_FOUND", "FORBIDDEN"}


async def test_a_citizen_sees_no_more_than_the_team_of_their_own_family(stack: Stack) -> None:
    coord = stack.token("tovholder")
    family = next(f.key for f in stack.world.families[:3] if f.status.value == "ACTIVE")
    team_keys = {s["key"] for s in await _signals(stack, coord) if s["familyId"] == family}
    theirs = await _signals(stack, stack.token(f"borger-{family}-1"))
    assert {s["familyId"] for s in theirs} <= {family}
    assert {s["key"] for s in theirs} <= team_keys
    assert all(s["acknowledgements"] == [] for s in theirs)


MEMBERS = """query($id: ID!) { family(id: $id) { members { id health { status healthWithheld }
  measurements { instrument score measuredOn } } } }"""


async def test_wellbeing_signals_only_with_a_health_basis(stack: Stack) -> None:
    coord = stack.token("tovholder")
    flagged = {s["memberId"] for s in await _signals(stack, coord) if s["kind"] == "LOW_WELLBEING"}
    low_without_basis = 0
    for family in [f.key for f in stack.world.families if f.status.value == "ACTIVE"][:12]:
        body = await stack.graphql(MEMBERS, {"id": family}, token=coord)
        for member in body["data"]["family"]["members"]:
            who5 = sorted(
                (m for m in member["measurements"] if m["instrument"] == "WHO5"),
                key=lambda m: m["measuredOn"],
            )
            low = bool(who5) and who5[-1]["score"] <= 50
            basis = (
                member["health"]["status"] in {"OK", "STALE", "NOT_REGISTERED"}
                and not member["health"]["healthWithheld"]
            )
            if low and not basis:
                low_without_basis += 1
                assert member["id"] not in flagged, member["id"]
            if member["id"] in flagged:
                assert basis, member
    assert low_without_basis > 0  # the demo has low scores the team may not use as health data
