"""The README's GraphQL examples run against the demo world `make run` seeds (40 families, seed 2026)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.stack import Stack, running_stack

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCKS = re.findall(r"```graphql\n(.*?)```", README.read_text(), flags=re.DOTALL)
QUERIES = [b for b in BLOCKS if b.lstrip().startswith(("{", "query"))]


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Stack]:
    from hub.world.generator import DEMO_FAMILIES, DEMO_SEED

    async with running_stack(tmp_path, families=DEMO_FAMILIES, seed=DEMO_SEED) as stack:
        yield stack


def test_the_readme_has_query_examples() -> None:
    assert len(QUERIES) >= 2


async def test_readme_queries_return_the_demo_family(demo: Stack) -> None:
    token = demo.token("tovholder")
    for query in QUERIES:
        body = await demo.graphql(query, token=token)
        data = body.get("data") or {}
        # Every root the example asks for answers (family, familyPlan, ...).
        assert data, body
        assert all(value is not None for value in data.values()), body
        # Expected problems are data (CONSENT_REQUIRED sections); nothing else may go wrong.
        codes = {e["extensions"]["code"] for e in body.get("errors", [])}
        assert codes <= {"CONSENT_REQUIRED"}, body["errors"]
    body = await demo.graphql(QUERIES[0], token=token)
    members = body["data"]["family"]["members"]
    fields = ("social", "employment", "childAndYouth", "leisure", "health")
    live = {f for m in members for f in fields if m[f]["status"] == "OK"}
    assert live == set(fields), "the README's family should show live data from all five departments"


@pytest.fixture
async def demo_today(tmp_path: Path) -> AsyncIterator[Stack]:
    """The demo world as `make run` seeds it: anchored at today's date."""
    from hub.world.generator import DEMO_FAMILIES, DEMO_SEED

    async with running_stack(tmp_path, families=DEMO_FAMILIES, seed=DEMO_SEED, anchor=date.today()) as stack:
        yield stack


PLAN_QUERY = next(b for b in BLOCKS if b.lstrip().startswith("query FamilyPlan"))


async def test_the_demo_anchored_at_today_shows_a_living_family(demo_today: Stack) -> None:
    """The README's plan query on `make run`'s world: a next meeting ahead, recent measurements, active consents,
    and an upcoming jobcentre interview somewhere in the family (the world is anchored at today, not 2026-11-01)."""
    token = demo_today.token("tovholder")
    now = datetime.now(UTC)
    body = await demo_today.graphql(PLAN_QUERY, token=token)
    assert "errors" not in body, body["errors"]
    family = body["data"]["family"]
    assert family["nextMeeting"] is not None, "the README's plan query shows no next meeting"
    assert datetime.fromisoformat(family["nextMeeting"]["scheduledAt"]) > now
    measured = [date.fromisoformat(m["measuredOn"]) for m in family["plan"]["measurements"]]
    assert measured
    assert max(measured) >= date.today() - timedelta(days=120)
    actions = [a for g in family["plan"]["goals"] for a in g["actions"] if a["status"] == "ACTIVE"]
    assert all(a["endsOn"] is None or date.fromisoformat(a["endsOn"]) >= date.today() for a in actions)

    view = await demo_today.graphql(QUERIES[0], token=token)
    interviews = [
        m["employment"]["record"]["nextInterview"]
        for m in view["data"]["family"]["members"]
        if m["employment"]["record"] and m["employment"]["record"].get("nextInterview")
    ]
    assert interviews, "no upcoming interview in the README's family"
    assert max(date.fromisoformat(i[:10]) for i in interviews) >= date.today()

    consents = await demo_today.graphql(
        '{ familyConsents(familyId: "F00002") { consents { status validUntil } } }', token=token
    )
    assert "errors" not in consents, consents
    rows = consents["data"]["familyConsents"]["consents"]
    active = [c for c in rows if c["status"] == "ACTIVE"]
    assert active
    assert all(date.fromisoformat(c["validUntil"]) >= date.today() for c in active)
