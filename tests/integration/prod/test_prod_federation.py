"""`_service { sdl }` and `_entities` answer only the federation router's credential in production (or wherever
HUB_FEDERATION_SECRET is set): an ordinary token and no token get nothing but a coded error."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.settings import Environment, Settings
from schema import build_schema
from schema.federation import FederationGate, gated
from tests.support.stack import Stack, running_stack

SECRET = "router-secret-0123456789abcdef-0123"
SDL = "{ _service { sdl } }"
ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Family { id } } }"
SMUGGLED = [
    SDL,
    "{ schema: _service { sdl } }",
    "query { ...F } fragment F on Query { _service { sdl } }",
    "query { ... on Query { ... on Query { _service { sdl } } } }",
    "query A { me { username } } query B { _service { sdl } }",
]


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=2, seed=7, federation_secret=SECRET) as s:
        yield s


async def _post(stack: Stack, query: str, headers: dict[str, str], **variables: Any) -> httpx.Response:
    return await stack.client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


def _bearer(stack: Stack, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.token(user)}"}


def _refused(response: httpx.Response, code: str) -> None:
    assert "type Query" not in response.text
    assert "sdl" not in response.text.replace("_service { sdl }", "")
    if response.status_code == 200:
        body = response.json()
        assert body.get("data") is None
        assert [e["extensions"]["code"] for e in body["errors"]] == [code]
    else:
        assert response.status_code == 401


@pytest.mark.parametrize("query", SMUGGLED)
async def test_an_ordinary_token_gets_no_sdl(stack: Stack, query: str) -> None:
    for user in ("admin", "tovholder", "sof-sagsbehandler"):
        _refused(await _post(stack, query, _bearer(stack, user)), "FORBIDDEN")


async def test_no_token_gets_nothing(stack: Stack) -> None:
    response = await _post(stack, SDL, {})
    assert response.status_code == 401
    _refused(response, "UNAUTHENTICATED")


async def test_a_wrong_secret_is_no_credential(stack: Stack) -> None:
    wrong = {"X-Hub-Federation-Secret": SECRET[:-1] + "x"}
    assert (await _post(stack, SDL, wrong)).status_code == 401
    _refused(await _post(stack, SDL, {**wrong, **_bearer(stack, "admin")}), "FORBIDDEN")


async def test_entities_need_the_router_credential(stack: Stack) -> None:
    family_id = next(iter(stack.seeded.family_ids.values()))
    reps = [{"__typename": "Family", "id": family_id}]
    _refused(await _post(stack, ENTITIES, _bearer(stack, "tovholder"), r=reps), "FORBIDDEN")
    routed = await _post(
        stack, ENTITIES, {**_bearer(stack, "tovholder"), "X-Hub-Federation-Secret": SECRET}, r=reps
    )
    assert routed.status_code == 200
    assert routed.json()["data"]["_entities"] == [{"id": family_id}]


async def test_the_router_gets_the_sdl_with_its_secret_alone(stack: Stack) -> None:
    response = await _post(stack, SDL, {"X-Hub-Federation-Secret": SECRET})
    assert response.status_code == 200
    assert "type Query" in response.json()["data"]["_service"]["sdl"]


@pytest.mark.parametrize(
    "query",
    [
        "{ me { username } }",
        "{ _service { sdl } me { username } }",
        "mutation { __typename }",
        "query($r: [_Any!]!) { _entities(representations: $r) { __typename } }",
    ],
)
async def test_the_secret_alone_opens_nothing_but_the_sdl(stack: Stack, query: str) -> None:
    response = await _post(stack, query, {"X-Hub-Federation-Secret": SECRET}, r=[])
    assert response.status_code == 200
    body = response.json()
    assert body.get("data") is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


async def test_development_without_a_secret_is_unchanged(tmp_path: Path) -> None:
    async with running_stack(tmp_path, families=2, seed=7) as stack:
        body = await stack.graphql(SDL, token=stack.token("tovholder"))
        assert "type Query" in body["data"]["_service"]["sdl"]


def test_production_always_gates_the_federation_fields() -> None:
    production = Settings(env=Environment.PRODUCTION)
    assert gated(production)
    assert not gated(Settings())
    assert gated(Settings(federation_secret=SECRET))
    assert FederationGate in build_schema(production).extensions
    assert FederationGate not in build_schema(Settings()).extensions
