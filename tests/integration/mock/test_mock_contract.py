"""The contract every mock department keeps, in its own dialect: single, batch, not-found, pages, auth."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from hub.world import World
from tests.integration.mock.conftest import ADMIN, UNKNOWN_CPR, Adapter, MakeClient


def _registered(world: World, adapter: Adapter, count: int) -> list[str]:
    return list(world.department_records[adapter.department])[:count]


def _unregistered(world: World, adapter: Adapter, count: int) -> list[str]:
    records = world.department_records[adapter.department]
    return [p.cpr for p in world.persons() if p.cpr not in records][:count]


async def test_single_returns_the_worlds_record(
    client: TestClient[Any, Any], adapter: Adapter, world: World
) -> None:
    cpr = _registered(world, adapter, 1)[0]
    path, query = adapter.single(cpr)
    response = await client.get(path, params=query, headers=adapter.headers())
    assert response.status == 200
    body = await response.json(content_type=None)
    assert body == world.department_records[adapter.department][cpr]
    assert adapter.record_cpr(body) == cpr
    assert not list(adapter.validator(adapter.record_schema).iter_errors(body))


async def test_single_unknown_person_is_404_in_the_departments_error_format(
    client: TestClient[Any, Any], adapter: Adapter, world: World
) -> None:
    for cpr in (_unregistered(world, adapter, 1)[0], UNKNOWN_CPR):
        path, query = adapter.single(cpr)
        response = await client.get(path, params=query, headers=adapter.headers())
        assert response.status == 404
        body = await response.json(content_type=None)
        assert not list(adapter.validator(adapter.error_schema).iter_errors(body))
        assert cpr not in await response.text()  # the error never echoes the number


async def test_single_rejects_a_malformed_cpr(client: TestClient[Any, Any], adapter: Adapter) -> None:
    path, query = adapter.single("31021299999")
    response = await client.get(path, params=query, headers=adapter.headers())
    assert response.status == 400
    assert not list(
        adapter.validator(adapter.error_schema).iter_errors(await response.json(content_type=None))
    )


async def test_batch_lists_found_and_not_found(
    client: TestClient[Any, Any], adapter: Adapter, world: World
) -> None:
    known = _registered(world, adapter, 5)
    unknown = [*_unregistered(world, adapter, 3), UNKNOWN_CPR]
    asked = [unknown[0], *known, *unknown[1:], known[0]]  # a duplicate is answered once
    path, body = adapter.batch(asked)
    response = await client.post(path, json=body, headers=adapter.headers())
    assert response.status == 200
    answer = await response.json(content_type=None)
    assert not list(adapter.validator(_batch_schema(adapter)).iter_errors(answer))
    found = adapter.found(answer)
    assert sorted(adapter.record_cpr(r) for r in found) == sorted(known)
    assert sorted(adapter.missing(answer)) == sorted(unknown)
    records = world.department_records[adapter.department]
    assert all(r == records[adapter.record_cpr(r)] for r in found)


async def test_batch_of_exactly_100_is_accepted(
    client: TestClient[Any, Any], adapter: Adapter, world: World
) -> None:
    cprs = [p.cpr for p in world.persons()][:100]
    assert len(cprs) == 100
    path, body = adapter.batch(cprs)
    response = await client.post(path, json=body, headers=adapter.headers())
    assert response.status == 200
    answer = await response.json(content_type=None)
    assert len(adapter.found(answer)) + len(adapter.missing(answer)) == 100


async def test_batch_above_100_is_413(client: TestClient[Any, Any], adapter: Adapter, world: World) -> None:
    cprs = [p.cpr for p in world.persons()][:101]
    path, body = adapter.batch(cprs)
    response = await client.post(path, json=body, headers=adapter.headers())
    assert response.status == 413
    assert not list(
        adapter.validator(adapter.error_schema).iter_errors(await response.json(content_type=None))
    )


async def test_batch_rejects_bad_bodies(client: TestClient[Any, Any], adapter: Adapter) -> None:
    path, _ = adapter.batch(["0101011234"])
    for bad in (b"not json", b"[]", b"{}"):
        response = await client.post(
            path, data=bad, headers={**adapter.headers(), "Content-Type": "application/json"}
        )
        assert response.status == 400, bad
    _, empty = adapter.batch([])
    assert (await client.post(path, json=empty, headers=adapter.headers())).status == 400
    _, invalid = adapter.batch(["12345"])
    response = await client.post(path, json=invalid, headers=adapter.headers())
    assert response.status == 400
    assert not list(
        adapter.validator(adapter.error_schema).iter_errors(await response.json(content_type=None))
    )


async def test_list_pages_through_everyone_once(
    client: TestClient[Any, Any], adapter: Adapter, world: World
) -> None:
    expected = len(world.department_records[adapter.department])
    seen: list[dict[str, Any]] = []
    cursor: Any = None
    for _ in range(100):
        path, query = adapter.list_page(7, cursor)
        response = await client.get(path, params=query, headers=adapter.headers())
        assert response.status == 200
        body = await response.json(content_type=None)
        items = adapter.list_items(body)
        assert len(items) <= 7
        seen += items
        cursor = adapter.list_next(body)
        if cursor is None:
            break
    assert len(seen) == expected
    assert len({str(item) for item in seen}) == expected


async def test_list_rejects_bad_limits_and_tokens(client: TestClient[Any, Any], adapter: Adapter) -> None:
    for limit in (0, 501):
        path, query = adapter.list_page(limit, None)
        assert (await client.get(path, params=query, headers=adapter.headers())).status == 400
    path, query = adapter.list_page(5, "not-a-token!" if adapter.department.value != "KFF" else "-1")
    assert (await client.get(path, params=query, headers=adapter.headers())).status == 400


async def test_missing_or_wrong_credential_is_401(
    client: TestClient[Any, Any], adapter: Adapter, world: World
) -> None:
    cpr = _registered(world, adapter, 1)[0]
    path, query = adapter.single(cpr)
    other_style = (
        {"X-API-Key": adapter.credential}
        if "Authorization" in adapter.headers()
        else {"Authorization": f"Bearer {adapter.credential}"}
    )
    for headers in ({}, adapter.headers("wrong"), other_style, adapter.headers("dev-sof-hub-x")):
        response = await client.get(path, params=query, headers=headers)
        assert response.status == 401
        assert "WWW-Authenticate" in response.headers
        body = await response.json(content_type=None)
        assert not list(adapter.validator(adapter.error_schema).iter_errors(body))
    batch_path, body = adapter.batch([cpr])
    assert (await client.post(batch_path, json=body)).status == 401
    stats = await (await client.get("/_admin/stats", headers=ADMIN)).json()
    assert stats["unauthorized"] == 5
    assert stats["total_requests"] == 0


async def test_credentials_come_from_the_environment(
    make_client: MakeClient, adapter: Adapter, world: World
) -> None:
    env = {f"MOCK_{adapter.department.value}_CLIENT_CREDENTIALS": " first-key , second-key "}
    client = await make_client(adapter.department, environ=env)
    path, query = adapter.single(_registered(world, adapter, 1)[0])
    for credential, status in (("first-key", 200), ("second-key", 200), (adapter.credential, 401)):
        response = await client.get(path, params=query, headers=adapter.headers(credential))
        assert response.status == status


async def test_health_and_openapi_need_no_credential(client: TestClient[Any, Any], adapter: Adapter) -> None:
    health = await client.get("/health")
    assert health.status == 200
    assert (await health.json())["department"] == adapter.department.value
    assert (await client.get("/openapi.json")).status == 200


def _batch_schema(adapter: Adapter) -> str:
    return {
        "SOF": "OpslagSvar",
        "BIF": "LookupResponse",
        "BUF": "BatchGetResponse",
        "KFF": "LookupResponse",
        "SUF": "BatchResponseBundle",
    }[adapter.department.value]
