"""Language and interpreter needs, and the family's own words, against the real stack and the seeded demo world."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from hub.cpr import age_on
from hub.world.generator import DEMO_SEED
from tests.support.stack import Stack, running_stack

FAMILIES = """query { families(first: 40) { edges { node { id plan { version
  languageNeeds { member { id } language interpreterNeeded interpreterFor }
  meetings { status participants { member { id } } interpreterNeeds { member { id } language } } } } } } }"""
VIEW = """mutation($input: RecordChildViewInput!) { recordChildView(input: $input) {
  __typename ... on FamilyWords { kind writtenByFamily member { id } } ... on PlanMutationError { code } } }"""


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=40, seed=DEMO_SEED) as s:
        anchor = datetime.combine(s.world.today, time(10), UTC)
        s.services.clock = lambda: anchor
        yield s


async def test_the_demo_world_shows_interpreter_needs_on_meetings(stack: Stack) -> None:
    body = await stack.graphql(FAMILIES, token=stack.token("tovholder"))
    assert "errors" not in body, body
    plans = [e["node"]["plan"] for e in body["data"]["families"]["edges"] if e["node"]["plan"]]
    needs = [n for p in plans for n in p["languageNeeds"]]
    assert any(n["interpreterNeeded"] and n["language"] != "da" for n in needs)
    at_meetings = [n for p in plans for m in p["meetings"] for n in m["interpreterNeeds"]]
    assert at_meetings, "some seeded meeting needs an interpreter"
    for plan in plans:
        interpreting = {
            n["member"]["id"]
            for n in plan["languageNeeds"]
            if n["interpreterNeeded"] and (not n["interpreterFor"] or "PLAN_MEETING" in n["interpreterFor"])
        }
        for meeting in plan["meetings"]:
            present = {p["member"]["id"] for p in meeting["participants"] if p["member"]}
            expected = interpreting & present if present else interpreting
            assert {n["member"]["id"] for n in meeting["interpreterNeeds"]} <= interpreting
            if present:
                assert {n["member"]["id"] for n in meeting["interpreterNeeds"]} == expected


async def test_the_team_records_a_childs_view_through_the_hub(stack: Stack) -> None:
    today = stack.world.today
    children = [
        m
        for f in stack.world.families
        if f.status.value == "ACTIVE"
        for m in f.members
        if 10 <= age_on(m.birth_date, today) < 15
    ]
    token = stack.token("tovholder")
    recorded = []
    for (
        child
    ) in children:  # the demo coordinator is on some families' teams: the others do not exist for them
        body = await stack.graphql(
            VIEW, {"input": {"memberId": stack.seeded.person_ids[child.cpr], "view": "Fodbold"}}, token=token
        )
        assert "errors" not in body, body
        result = body["data"]["recordChildView"]
        assert result["__typename"] in {"FamilyWords", "PlanNotFoundError"}, result
        if result["__typename"] == "FamilyWords":
            recorded.append(result)
    assert recorded
    assert all((r["kind"], r["writtenByFamily"]) == ("CHILD_VIEW", False) for r in recorded)
