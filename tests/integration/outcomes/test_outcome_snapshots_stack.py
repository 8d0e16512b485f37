"""Outcome snapshots against the real mock departments (issue 23).

A half-yearly snapshot taken by the coordinator reads BIF, BUF and SOF once each (never KFF or SUF), holds only
what the gate let the coordinator see, and carries a department's configured effect indicator; closing the
family takes the CLOSURE snapshot before the sharing ends; `Family.outcomes` lists them per member. A worker
outside the team cannot take one.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest

from hub.domain import Department, FamilyStatus
from tests.support.stack import Stack, running_stack

INDICATORS = json.dumps(
    [
        {
            "key": "SOF_ACTIVE_MEASURES",
            "label": "Aktive støttende indsatser",
            "department": "SOF",
            "collection": "measures",
            "where": {"status": "ACTIVE"},
        }
    ]
)
TAKE = """mutation($id: ID!) { takeOutcomeSnapshot(familyId: $id, occasion: HALF_YEAR) {
  occasion takenOn memberId measures { key label value } } }"""
OUTCOMES = """query($id: ID!) { family(id: $id) { outcomes { occasion memberId measures { key value } } } }"""
CLOSE = (
    """mutation($id: ID!) { closeFamily(input: {familyId: $id, reason: "Mål nået"}) { family { status } } }"""
)


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=6, seed=7, outcome_indicators=INDICATORS) as s:
        anchor = datetime.combine(s.world.today, time(10), UTC)
        s.services.clock = lambda: anchor
        yield s


def _active(stack: Stack) -> str:
    return next(f.key for f in stack.world.families if f.status is FamilyStatus.ACTIVE)


async def test_a_half_yearly_snapshot_reads_three_departments_once(stack: Stack) -> None:
    fid = _active(stack)
    await stack.reset_stats()
    body = await stack.graphql(TAKE, {"id": fid}, token=stack.token("tovholder"))
    assert "errors" not in body, body
    taken: list[dict[str, Any]] = body["data"]["takeOutcomeSnapshot"]
    members = next(f for f in stack.world.families if f.key == fid).members
    assert len(taken) == len(members)
    assert {t["occasion"] for t in taken} == {"HALF_YEAR"}
    assert {t["takenOn"] for t in taken} == {stack.world.today.isoformat()}
    stats = await stack.stats()
    for department in (Department.BIF, Department.BUF, Department.SOF):
        assert stats[department]["total_requests"] <= 1, department
    assert stats[Department.KFF]["total_requests"] == 0
    assert stats[Department.SUF]["total_requests"] == 0
    keys = {m["key"] for t in taken for m in t["measures"]}
    assert keys & {"BENEFIT_TYPE", "UNLAWFUL_ABSENCE_PCT", "OPEN_INVESTIGATIONS"}
    labels = {m["key"]: m["label"] for t in taken for m in t["measures"]}
    if "SOF_ACTIVE_MEASURES" in labels:
        assert labels["SOF_ACTIVE_MEASURES"] == "Aktive støttende indsatser"
    assert any("SOF_ACTIVE_MEASURES" in {m["key"] for m in t["measures"]} for t in taken) == (
        any("OPEN_INVESTIGATIONS" in {m["key"] for m in t["measures"]} for t in taken)
    )  # the configured indicator is there exactly where SOF's record was seen


async def test_closing_takes_the_closure_snapshot_and_the_family_lists_them(stack: Stack) -> None:
    fid = _active(stack)
    coord = stack.token("tovholder")
    await stack.graphql(TAKE, {"id": fid}, token=coord)
    closed = await stack.graphql(CLOSE, {"id": fid}, token=coord)
    assert closed["data"]["closeFamily"]["family"]["status"] == "CLOSED", closed
    outcomes = (await stack.graphql(OUTCOMES, {"id": fid}, token=coord))["data"]["family"]["outcomes"]
    occasions = [o["occasion"] for o in outcomes]
    assert occasions.count("HALF_YEAR") == occasions.count("CLOSURE") > 0
    # Taken before the consents ended: the closure snapshot saw as much as the half-yearly one.
    half = {
        o["memberId"]: {m["key"] for m in o["measures"]} for o in outcomes if o["occasion"] == "HALF_YEAR"
    }
    end = {o["memberId"]: {m["key"] for m in o["measures"]} for o in outcomes if o["occasion"] == "CLOSURE"}
    assert half == end


async def test_an_outsider_cannot_take_a_snapshot(stack: Stack) -> None:
    fid = _active(stack)
    # A caseworker may know the family exists (a member on the caseload) but is not its team.
    body = await stack.graphql(TAKE, {"id": fid}, token=stack.token("kff-sagsbehandler"))
    assert body["errors"][0]["extensions"]["code"] in {"NOT_FOUND", "FORBIDDEN"}
    assert body["data"] is None
    refused = await stack.graphql(
        """mutation($id: ID!) { takeOutcomeSnapshot(familyId: $id, occasion: CLOSURE) { occasion } }""",
        {"id": fid},
        token=stack.token("tovholder"),
    )
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


REPORT = """{ steeringReport { startToEnd { indicator label persons { display } atStart { display } } } }"""


async def test_the_steering_report_compares_start_and_end_with_suppression(stack: Stack) -> None:
    fid = _active(stack)
    coord = stack.token("tovholder")
    enrolment = (
        """mutation($id: ID!) { takeOutcomeSnapshot(familyId: $id, occasion: ENROLMENT) { occasion } }"""
    )
    assert "errors" not in await stack.graphql(enrolment, {"id": fid}, token=coord)
    await stack.graphql(CLOSE, {"id": fid}, token=coord)
    body = await stack.graphql(REPORT, token=stack.token("styregruppe"))
    assert "errors" not in body, body
    figures = {f["indicator"]: f for f in body["data"]["steeringReport"]["startToEnd"]}
    assert {"CASH_BENEFIT", "HIGH_ABSENCE", "OPEN_INVESTIGATION", "SOF_ACTIVE_MEASURES"} <= set(figures)
    assert figures["SOF_ACTIVE_MEASURES"]["label"] == "Aktive støttende indsatser"
    # One small family: every count is below the threshold and shown only as "<5".
    assert {f["persons"]["display"] for f in figures.values()} == {"<5"}


FUNCTIONING_VIEW = """query($id: ID!) { family(id: $id) { members { id social { status healthWithheld
  record { functioning { method level assessedOn } } } } } }"""


async def test_functioning_comes_from_sof_only_with_a_health_basis(stack: Stack) -> None:
    """Every member SOF has assessed: the snapshot holds the latest level exactly where the coordinator's own
    family view shows the assessments (a health basis for SOF), and nothing where they are withheld."""
    coord = stack.token("tovholder")
    assessed = {
        p.cpr
        for p in stack.world.persons()
        if stack.world.department_records[Department.SOF].get(p.cpr, {}).get("funktionsvurderinger")
    }
    families = [
        f
        for f in stack.world.families
        if f.status is FamilyStatus.ACTIVE and any(m.cpr in assessed for m in f.members)
    ]
    assert families, "the world has an active family with a functioning assessment"
    seen = withheld = 0
    for family in families:
        taken = (await stack.graphql(TAKE, {"id": family.key}, token=coord))["data"]["takeOutcomeSnapshot"]
        view = (await stack.graphql(FUNCTIONING_VIEW, {"id": family.key}, token=coord))["data"]["family"]
        shown = {
            m["id"]: m["social"]
            for m in view["members"]
            if m["social"]["status"] in {"OK", "STALE"} and m["social"]["record"] is not None
        }
        for snapshot in taken:
            values = {m["key"]: m["value"] for m in snapshot["measures"]}
            social = shown.get(snapshot["memberId"])
            assessments = social["record"]["functioning"] if social else []
            if assessments:
                latest = max(assessments, key=lambda a: a["assessedOn"])
                assert values.get("FUNCTIONING") == str(latest["level"]), snapshot
                seen += 1
            else:
                assert "FUNCTIONING" not in values, snapshot
                if social is not None and social["healthWithheld"]:
                    withheld += 1
    assert seen > 0  # shown with a health basis (seed 7: two members)
    assert withheld > 0  # and withheld without one (seed 7: four)
