"""Trusted documents over HTTP (schema/view.py, hub/documents): the manifest's operations by id in both forms,
refusals in GraphQL's shape, and Apollo's automatic persisted queries where documents are not required."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.documents.manifest import ROOT, document_id
from tests.support.stack import Stack, running_stack
from tests.support.waits import IT_HAPPENS_S

ME = (ROOT / "schema" / "operations" / "Me.graphql").read_text(encoding="utf-8")
ME_ID = document_id(ME)
AD_HOC = "{ me { username } }"


@pytest.fixture(params=["required", "off"])
async def stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=2, seed=3, trusted_documents=request.param) as s:
        yield s


async def post(stack: Stack, payload: dict[str, Any]) -> httpx.Response:
    headers = {"Authorization": f"Bearer {stack.token('tovholder')}"}
    return await stack.client.post("/graphql", json=payload, headers=headers)


def code(response: httpx.Response) -> str:
    [error] = response.json()["errors"]
    return str(error["extensions"]["code"])


async def test_listed_operations_run_by_id_in_both_forms(stack: Stack) -> None:
    apollo = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": ME_ID}}}
    for payload in (apollo, {"documentId": ME_ID}, {"documentId": f"sha256:{ME_ID}"}, {"query": ME}):
        response = await post(stack, payload)
        assert response.status_code == 200, response.text
        assert response.json()["data"]["me"]["username"] == "tovholder"


async def test_an_unknown_id_is_not_found(stack: Stack) -> None:
    response = await post(stack, {"documentId": document_id(AD_HOC)})
    assert response.status_code == 200
    assert code(response) == "PERSISTED_QUERY_NOT_FOUND"
    assert "data" not in response.json()


async def test_ad_hoc_documents_run_only_where_not_required(stack: Stack) -> None:
    response = await post(stack, {"query": AD_HOC})
    if stack.settings.trusted_documents_required:
        assert response.status_code == 400
        assert code(response) == "OPERATION_NOT_ALLOWED"
        assert AD_HOC not in response.text
    else:
        assert response.json() == {"data": {"me": {"username": "tovholder"}}}


async def test_apollo_automatic_persisted_queries_register_only_where_not_required(stack: Stack) -> None:
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": document_id(AD_HOC)}}
    assert code(await post(stack, {"extensions": extensions})) == "PERSISTED_QUERY_NOT_FOUND"
    registering = await post(stack, {"query": AD_HOC, "extensions": extensions})
    again = await post(stack, {"extensions": extensions})
    if stack.settings.trusted_documents_required:
        assert code(registering) == "OPERATION_NOT_ALLOWED"
        assert code(again) == "PERSISTED_QUERY_NOT_FOUND"
    else:
        assert registering.json() == again.json() == {"data": {"me": {"username": "tovholder"}}}
    mismatch = await post(stack, {"query": ME, "extensions": extensions})
    assert (mismatch.status_code, code(mismatch)) == (400, "BAD_USER_INPUT")


async def test_a_websocket_operation_is_held_to_the_same_list(stack: Stack) -> None:
    import json
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "integration" / "ingestion"))
    from websockets.asyncio.client import connect
    from ws_support import receive_text, serving

    async with serving(stack.app) as base_url:
        url = base_url.replace("http", "ws") + "/graphql"
        async with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=IT_HAPPENS_S) as ws:  # type: ignore[list-item]
            auth = {"Authorization": f"Bearer {stack.token('tovholder')}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": auth}))
            assert (await receive_text(ws, 5))["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": AD_HOC}}))
            answer = await receive_text(ws, 5)
            if stack.settings.trusted_documents_required:
                assert answer["type"] == "error", answer
                assert answer["payload"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
            else:
                assert answer["payload"]["data"] == {"me": {"username": "tovholder"}}
            await ws.send(json.dumps({"id": "2", "type": "subscribe", "payload": {"documentId": ME_ID}}))
            answer = await receive_text(ws, 5)
            while answer.get("id") == "1":  # the ad-hoc query's `complete` (off)
                answer = await receive_text(ws, 5)
            assert answer["type"] == "next", answer
            assert answer["payload"]["data"]["me"]["username"] == "tovholder"
