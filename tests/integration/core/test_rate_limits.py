"""Rate limits over HTTP (hub/ratelimit.py, schema/ratelimit.py): 429 RATE_LIMITED with Retry-After per
principal and per address, separate budgets for queries, mutations and webhooks, counted on /metrics; with Redis,
two hub instances spend from one budget. Budgets per hour: nothing here depends on how fast the test runs."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect

from hub.app import build_services, create_app
from hub.domain import Department
from hub.ingestion.webhook import signed_headers
from tests.support.backends import redis_url
from tests.support.stack import Stack, running_stack

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingestion"))
from ws_support import receive_text, serving

from tests.support.waits import IT_HAPPENS_S

ME = {"query": "{ me { username } }"}
MUTATION = {
    "query": 'mutation { updateGoal(input: {goalId: "G-NONE", expectedVersion: 1, status: IN_PROGRESS}) { __typename } }'
}


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(
        tmp_path,
        families=2,
        seed=3,
        rate_limit_query="2/hour",
        rate_limit_mutation="1/hour",
        rate_limit_webhook="2/hour",
        rate_limit_address_factor=2,
    ) as s:
        yield s


async def post(stack: Stack, user: str, payload: dict[str, str]) -> httpx.Response:
    headers = {"Authorization": f"Bearer {stack.token(user)}"}
    return await stack.client.post("/graphql", json=payload, headers=headers)


def assert_limited(response: httpx.Response, *, graphql: bool = True) -> None:
    assert response.status_code == 429, response.text
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 3600
    if graphql:
        [error] = response.json()["errors"]
        assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfter": retry_after}
        assert "data" not in response.json() or response.json()["data"] is None
    else:
        assert response.json()["error"]["code"] == "RATE_LIMITED"


async def test_queries_and_mutations_are_limited_per_principal_then_per_address(stack: Stack) -> None:
    for _ in range(2):
        assert (await post(stack, "tovholder", ME)).json() == {"data": {"me": {"username": "tovholder"}}}
    assert_limited(await post(stack, "tovholder", ME))
    # Mutations have their own budget.
    first = await post(stack, "tovholder", MUTATION)
    assert first.status_code == 200
    assert first.json()["data"]["updateGoal"]["__typename"], first.text
    assert_limited(await post(stack, "tovholder", MUTATION))
    # Another user has their own budget, but the address (127.0.0.1) has only twice a principal's: four queries.
    for _ in range(2):
        assert (await post(stack, "sof-kerne", ME)).status_code == 200
    assert_limited(await post(stack, "bif-kerne", ME))
    # An invalid document spends nothing and is answered with its own error.
    invalid = await post(stack, "bif-kerne", {"query": "{ nope }"})
    assert invalid.status_code == 200
    assert invalid.json()["errors"][0]["extensions"]["code"] != "RATE_LIMITED"
    metrics = (await stack.client.get("/metrics")).text
    assert 'familiehub_rate_limited_total{kind="query"} 2.0' in metrics
    assert 'familiehub_rate_limited_total{kind="mutation"} 1.0' in metrics
    assert 'familiehub_rate_limited_total{kind="subscription"} 0.0' in metrics


async def test_webhooks_are_limited_per_department_and_per_address(stack: Stack) -> None:
    body = orjson.dumps({"events": []})

    async def push(department: Department) -> httpx.Response:
        headers = signed_headers(stack.settings.webhook_secret(department), body)
        return await stack.client.post(f"/webhooks/{department.value}", content=body, headers=headers)

    for _ in range(2):
        assert (await push(Department.SOF)).status_code == 200
    assert_limited(await push(Department.SOF), graphql=False)  # SOF's budget
    assert (await push(Department.BIF)).status_code == 200
    assert_limited(await push(Department.BIF), graphql=False)  # the address's (2 × 2) is spent
    metrics = (await stack.client.get("/metrics")).text
    assert 'familiehub_rate_limited_total{kind="webhook"} 2.0' in metrics


@pytest.mark.redis
async def test_two_hub_instances_share_a_budget_through_redis(tmp_path: Path) -> None:
    redis = redis_url()
    prefix = f"familiehub-test-{uuid.uuid4().hex}"
    async with running_stack(
        tmp_path, families=2, seed=3, redis_url=redis, pubsub_prefix=prefix, rate_limit_query="3/hour"
    ) as stack:
        other = create_app(stack.settings, services=build_services(stack.settings))
        headers = {"Authorization": f"Bearer {stack.token('tovholder')}"}
        async with (
            other.router.lifespan_context(other),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://hub.test") as second,
        ):
            assert (await stack.client.post("/graphql", json=ME, headers=headers)).status_code == 200
            assert (await second.post("/graphql", json=ME, headers=headers)).status_code == 200
            assert (await stack.client.post("/graphql", json=ME, headers=headers)).status_code == 200
            assert_limited(await second.post("/graphql", json=ME, headers=headers))
            assert_limited(await stack.client.post("/graphql", json=ME, headers=headers))


async def test_subscription_starts_have_their_own_budget_over_websocket(tmp_path: Path) -> None:
    async with running_stack(tmp_path, families=2, seed=3, rate_limit_subscription="1/hour") as stack:
        family = stack.world.families[0].key
        subscribe = {"query": f'subscription {{ familyUpdated(familyId: "{family}") {{ kind }} }}'}
        async with (
            serving(stack.app) as base_url,
            connect(
                base_url.replace("http", "ws", 1) + "/graphql",
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                open_timeout=IT_HAPPENS_S,
            ) as ws,
        ):
            auth = {"Authorization": f"Bearer {stack.token('tovholder')}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": auth}))
            assert (await receive_text(ws, 5))["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
            await ws.send(json.dumps({"id": "2", "type": "subscribe", "payload": subscribe}))
            refused = await receive_text(ws, 5)  # the first is running: it answers only on an update
            assert refused["id"] == "2", refused
            errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
            assert errors[0]["extensions"]["code"] == "RATE_LIMITED"
            assert errors[0]["extensions"]["retryAfter"] > 0
        metrics = (await stack.client.get("/metrics")).text
        assert 'familiehub_rate_limited_total{kind="subscription"} 1.0' in metrics
        # Queries are a budget of their own: still open.
        assert (await post(stack, "tovholder", ME)).status_code == 200
