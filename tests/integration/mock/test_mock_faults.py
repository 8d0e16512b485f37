"""Every fault mode, the admin API that sets them, and the request statistics, on real servers (port 0)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from connectors.mock import InvalidFaults, create_department_app
from hub.domain import Department
from hub.world import World
from tests.integration.mock.conftest import ADAPTERS, ADMIN, Adapter, MakeClient


def _first(world: World, adapter: Adapter) -> str:
    return next(iter(world.department_records[adapter.department]))


async def _set_faults(client: TestClient[Any, Any], **faults: Any) -> dict[str, Any]:
    response = await client.post("/_admin/faults", json=faults, headers=ADMIN)
    assert response.status == 200, await response.text()
    result: dict[str, Any] = await response.json()
    return result


async def _get_single(client: TestClient[Any, Any], adapter: Adapter, world: World) -> aiohttp.ClientResponse:
    path, query = adapter.single(_first(world, adapter))
    return await client.get(path, params=query, headers=adapter.headers())


async def test_error_fault_answers_in_the_departments_error_format(
    client: TestClient[Any, Any], adapter: Adapter, world: World
) -> None:
    for status in (500, 503):
        await _set_faults(client, error_rate=1.0, error_status=status)
        response = await _get_single(client, adapter, world)
        assert response.status == status
        body = await response.json(content_type=None)
        assert not list(adapter.validator(adapter.error_schema).iter_errors(body))


async def test_rate_limit_fault_sends_retry_after(
    client: TestClient[Any, Any], adapter: Adapter, world: World
) -> None:
    await _set_faults(client, rate_limit_rate=1.0, retry_after_s=7)
    response = await _get_single(client, adapter, world)
    assert response.status == 429
    assert response.headers["Retry-After"] == "7"
    assert not list(
        adapter.validator(adapter.error_schema).iter_errors(await response.json(content_type=None))
    )


async def test_latency_fault_delays_the_answer(
    client: TestClient[Any, Any], adapter: Adapter, world: World
) -> None:
    await _set_faults(client, latency_ms=150, jitter_ms=50)
    started = time.perf_counter()
    response = await _get_single(client, adapter, world)
    elapsed = time.perf_counter() - started
    assert response.status == 200
    assert 0.15 <= elapsed < 30  # load only lengthens it: the lower bound is the check, the upper "it ends"


async def test_drop_fault_closes_the_connection_without_an_answer(
    make_client: MakeClient, world: World
) -> None:
    adapter = ADAPTERS[Department.BIF]
    client = await make_client(adapter.department, faults={"drop_rate": 1.0})
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await _get_single(client, adapter, world)
    stats = await (await client.get("/_admin/stats", headers=ADMIN)).json()
    assert stats["faults"]["drop"] >= 1


async def test_hang_fault_outlasts_the_client_timeout_and_ends_on_shutdown(
    make_client: MakeClient, world: World
) -> None:
    adapter = ADAPTERS[Department.SOF]
    client = await make_client(adapter.department, faults={"hang_rate": 1.0})  # hang_s defaults to 60
    path, query = adapter.single(_first(world, adapter))
    started = time.perf_counter()
    with pytest.raises(TimeoutError):
        await client.get(
            path, params=query, headers=adapter.headers(), timeout=aiohttp.ClientTimeout(total=0.3)
        )
    assert time.perf_counter() - started < 30  # the client timeout ended it, not the 60 s hang
    # A hung request must not hold the server open: closing ends it at once.
    closing = time.perf_counter()
    await client.close()
    assert time.perf_counter() - closing < 30  # closing ended the 60 s hang (not a speed target)


async def test_a_short_hang_ends_in_a_dropped_connection(make_client: MakeClient, world: World) -> None:
    adapter = ADAPTERS[Department.KFF]
    client = await make_client(adapter.department, faults={"hang_rate": 1.0, "hang_s": 0.2})
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await _get_single(client, adapter, world)


@pytest.mark.parametrize("mode", ["invalid_json", "schema"])
async def test_malformed_fault_breaks_the_body(
    client: TestClient[Any, Any], adapter: Adapter, world: World, mode: str
) -> None:
    await _set_faults(client, malformed_rate=1.0, malformed_mode=mode)
    response = await _get_single(client, adapter, world)
    assert response.status == 200
    text = await response.text()
    if mode == "invalid_json":
        with pytest.raises(json.JSONDecodeError):
            json.loads(text)
    else:
        assert list(adapter.validator(adapter.record_schema).iter_errors(json.loads(text)))
    path, body = adapter.batch([_first(world, adapter)])
    batch = await client.post(path, json=body, headers=adapter.headers())
    assert batch.status == 200
    batch_text = await batch.text()
    assert batch_text != json.dumps(world.department_records[adapter.department])


async def test_mixed_malformed_bodies_are_either_kind(make_client: MakeClient, world: World) -> None:
    adapter = ADAPTERS[Department.BUF]
    client = await make_client(adapter.department, faults={"malformed_rate": 1.0, "seed": 3})
    kinds = set()
    for _ in range(12):
        text = await (await _get_single(client, adapter, world)).text()
        try:
            body = json.loads(text)
        except json.JSONDecodeError:
            kinds.add("invalid_json")
        else:
            assert list(adapter.validator(adapter.record_schema).iter_errors(body))
            kinds.add("schema")
    assert kinds == {"invalid_json", "schema"}


async def test_seeded_faults_are_repeatable(make_client: MakeClient, world: World) -> None:
    adapter = ADAPTERS[Department.SUF]
    sequences = []
    for seed in (42, 42, 43):
        client = await make_client(adapter.department, faults={"error_rate": 0.5, "seed": seed})
        sequences.append([(await _get_single(client, adapter, world)).status for _ in range(24)])
    assert sequences[0] == sequences[1]
    assert sequences[0] != sequences[2]
    assert {200, 500} == set(sequences[0])


async def test_faults_spare_health_openapi_and_admin(client: TestClient[Any, Any], adapter: Adapter) -> None:
    await _set_faults(client, error_rate=0.5, drop_rate=0.5)
    for _ in range(5):
        assert (await client.get("/health")).status == 200
        assert (await client.get("/openapi.json")).status == 200
        assert (await client.get("/_admin/faults", headers=ADMIN)).status == 200


async def test_faults_from_the_environment_and_clearing_them(make_client: MakeClient, world: World) -> None:
    adapter = ADAPTERS[Department.BUF]
    client = await make_client(
        adapter.department, environ={"MOCK_BUF_FAULTS": '{"error_rate": 1, "error_status": 503}'}
    )
    assert (await _get_single(client, adapter, world)).status == 503
    current = await (await client.get("/_admin/faults", headers=ADMIN)).json()
    assert current["error_rate"] == 1.0
    assert current["error_status"] == 503
    cleared = await client.delete("/_admin/faults", headers=ADMIN)
    assert cleared.status == 200
    assert (await cleared.json())["error_rate"] == 0.0
    assert (await _get_single(client, adapter, world)).status == 200


def test_a_bad_fault_environment_refuses_to_start(world: World) -> None:
    with pytest.raises(InvalidFaults):
        create_department_app(Department.SOF, world, environ={"MOCK_SOF_FAULTS": '{"error_rate": 2}'})
    with pytest.raises(InvalidFaults):
        create_department_app(Department.SOF, world, environ={"MOCK_SOF_FAULTS": "{nope"})


@pytest.mark.parametrize(
    "body",
    [
        {"eror_rate": 0.5},
        {"error_rate": 1.5},
        {"error_rate": "0.5"},
        {"error_status": 404},
        {"latency_ms": -1},
        {"latency_ms": True},
        {"hang_s": 61},
        {"hang_s": 0},
        {"retry_after_s": 1.5},
        {"malformed_mode": "sometimes"},
        {"drop_rate": 0.6, "error_rate": 0.6},
        {"seed": "x"},
        [],
    ],
)
async def test_invalid_fault_bodies_are_400(make_client: MakeClient, body: Any) -> None:
    client = await make_client(Department.KFF)
    response = await client.post("/_admin/faults", json=body, headers=ADMIN)
    assert response.status == 400
    assert "error" in await response.json()
    assert (await (await client.get("/_admin/faults", headers=ADMIN)).json())["error_rate"] == 0.0


async def test_admin_api_needs_the_admin_token(make_client: MakeClient) -> None:
    client = await make_client(Department.SOF, environ={"HUB_MOCK_ADMIN_TOKEN": "s3cret"})
    for method, path in (("GET", "/_admin/faults"), ("POST", "/_admin/faults"), ("DELETE", "/_admin/faults"),
                         ("GET", "/_admin/stats"), ("DELETE", "/_admin/stats")):  # fmt: skip
        for headers in ({}, ADMIN, {"Authorization": "Bearer dev-sof-hub"}):
            response = await client.request(method, path, json={}, headers=headers)
            assert response.status == 401, (method, path)
    ok = await client.get("/_admin/stats", headers={"Authorization": "Bearer s3cret"})
    assert ok.status == 200


async def test_stats_count_requests_per_endpoint_and_persons(
    client: TestClient[Any, Any], adapter: Adapter, world: World
) -> None:
    cprs = [p.cpr for p in world.persons()][:30]
    path, query = adapter.single(cprs[0])
    for _ in range(3):
        await client.get(path, params=query, headers=adapter.headers())
    batch_path, body = adapter.batch(cprs)
    await client.post(batch_path, json=body, headers=adapter.headers())
    list_path, list_query = adapter.list_page(5, None)
    await client.get(list_path, params=list_query, headers=adapter.headers())
    stats = await (await client.get("/_admin/stats", headers=ADMIN)).json()
    assert stats["requests"] == {"single": 3, "batch": 1, "list": 1}
    assert stats["total_requests"] == 5
    assert stats["persons_requested"] == 33
    reset = await client.delete("/_admin/stats", headers=ADMIN)
    assert (await reset.json())["total_requests"] == 0
    assert (await (await client.get("/_admin/stats", headers=ADMIN)).json())["persons_requested"] == 0


async def test_faulted_requests_are_counted_as_requests(make_client: MakeClient, world: World) -> None:
    adapter = ADAPTERS[Department.SOF]
    client = await make_client(adapter.department, faults={"rate_limit_rate": 1.0})
    for _ in range(4):
        await _get_single(client, adapter, world)
    stats = await (await client.get("/_admin/stats", headers=ADMIN)).json()
    assert stats["requests"]["single"] == 4
    assert stats["faults"]["rate_limit"] == 4
    assert stats["persons_requested"] == 0  # never reached the handler


async def test_concurrent_requests_all_get_answers(
    client: TestClient[Any, Any], adapter: Adapter, world: World
) -> None:
    await _set_faults(client, latency_ms=50)
    responses = await asyncio.gather(*(_get_single(client, adapter, world) for _ in range(20)))
    assert [r.status for r in responses] == [200] * 20
