"""The README's GraphQL examples run against the demo world `make run` seeds (40 families, seed 2026)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
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
        family = body["data"]["family"]
        assert family is not None, body
        # Expected problems are data (CONSENT_REQUIRED sections); nothing else may go wrong.
        codes = {e["extensions"]["code"] for e in body.get("errors", [])}
        assert codes <= {"CONSENT_REQUIRED"}, body["errors"]
    body = await demo.graphql(QUERIES[0], token=token)
    members = body["data"]["family"]["members"]
    fields = ("social", "employment", "childAndYouth", "leisure", "health")
    live = {f for m in members for f in fields if m[f]["status"] == "OK"}
    assert live == set(fields), "the README's family should show live data from all five departments"
