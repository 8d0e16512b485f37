"""A bounded schemathesis run over the whole GraphQL schema, in-process, as every kind of user: whatever valid
document is sent, no answer is a 500 and no error is INTERNAL (an unexpected failure of the hub's own).

Schemathesis generates the documents (every query and mutation, arguments included, from the schema's
introspection); the requests go through the app as a client's would (httpx on the ASGI app, with each user's
token), on SQLite and on PostgreSQL. The run is fixed (derandomised: the same documents every time) and small
(FUZZ_EXAMPLES per operation), so `make test` stays fast. A longer, random run:

    HUB_FUZZ_EXAMPLES=200 HUB_FUZZ_RANDOM=1 .venv/bin/python -m pytest tests/fuzz -x -p no:cacheprovider
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from graphql import introspection_from_schema
from hypothesis import HealthCheck, given, settings

from hub.settings import Settings
from schema import build_schema
from tests.support.backends import create_postgres_database, drop_postgres_database
from tests.support.stack import Stack, running_stack

FUZZ_EXAMPLES = int(os.environ.get("HUB_FUZZ_EXAMPLES", "2"))
RANDOM = os.environ.get("HUB_FUZZ_RANDOM", "") not in ("", "0")


@cache
def documents() -> tuple[str, ...]:
    """FUZZ_EXAMPLES generated documents per operation of the schema (the same ones each run unless RANDOM)."""
    schema = schemathesis.graphql.from_dict(introspection_from_schema(build_schema(Settings())._schema))
    found: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=FUZZ_EXAMPLES,
            derandomize=not RANDOM,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(operation.as_strategy())
        def collect(case: Any) -> None:
            found.append(str(case.body))

        collect()
    return tuple(dict.fromkeys(found))  # unique, in a stable order


def users(stack: Stack) -> list[str]:
    """One user of each kind the seeded world has (role: coordinator, core team, caseworker, citizen, department
    system, steering group, administrator)."""
    return [
        "tovholder",
        "sof-kerne",
        "suf-sagsbehandler",
        f"borger-{stack.world.families[0].key}-1",
        "sof-system",
        "styregruppe",
        "admin",
    ]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    if request.param == "sqlite":
        yield None
        return
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture
async def stack(tmp_path: Path, database_url: str | None) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=3, seed=5, database_url=database_url) as s:
        yield s


def test_the_run_covers_every_operation() -> None:
    schema = build_schema(Settings())._schema
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    fields = (set(schema.query_type.fields) | set(schema.mutation_type.fields)) - {"_service", "_entities"}
    generated = documents()
    covered = {f for f in fields if any(re.search(rf"\b{f}\b", d) for d in generated)}
    assert covered == fields


async def test_no_document_makes_the_hub_fail(stack: Stack) -> None:
    failures: list[str] = []
    for user in users(stack):
        token = stack.token(user)
        me = await stack.graphql("{ me { username } }", token=token)
        assert me["data"]["me"]["username"] == user, me
        for document in documents():
            response = await stack.client.post(
                "/graphql", json={"query": document}, headers={"Authorization": f"Bearer {token}"}
            )
            body = (
                response.json()
                if response.headers.get("content-type", "").startswith("application/json")
                else {}
            )
            codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
            if response.status_code >= 500 or "INTERNAL" in codes:
                failures.append(f"{user}: {response.status_code} {sorted(map(str, codes))}\n{document}")
    assert not failures, f"{len(failures)} failing documents; the first:\n" + failures[0]
