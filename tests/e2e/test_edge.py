"""Refusals at the edge (hub/edge.py): who asks is settled before a body is read, bodies and URLs are capped.

Bodies are streamed from generators that count what the hub pulled, so "refused before reading" is asserted on
the bytes read, never on a clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.stack import Stack, running_stack

CHUNK = 64 * 1024
FIFTY_MB = 50 * 1024 * 1024
UNAUTHENTICATED = {
    "errors": [{"message": "invalid or missing credentials", "extensions": {"code": "UNAUTHENTICATED"}}]
}


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=2, max_body_bytes=256 * 1024) as s:
        yield s


class CountingBody:
    """A request body of `size` bytes, streamed in chunks (no Content-Length), counting the chunks pulled."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        # Starts like a GraphQL document, so nothing but the size could refuse it.
        head = b'{"query": "mutation { x }", "variables": {"pad": "'
        yield head
        self.pulled += 1
        sent = len(head)
        while sent < self.size:
            self.pulled += 1
            sent += CHUNK
            yield b"a" * CHUNK


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-jwt", "Basic dXNlcjpwdw==", "Bearer "])
async def test_missing_and_bad_tokens_get_one_401_before_the_body_is_read(
    stack: Stack, authorization: str | None
) -> None:
    body = CountingBody(FIFTY_MB)
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    response, health = await asyncio.gather(
        stack.client.post("/graphql", content=body, headers=headers), stack.client.get("/healthz")
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == UNAUTHENTICATED
    assert body.pulled <= 1  # at most what the transport hands over with the headers; never the 50 MB
    assert health.status_code == 200


async def test_anonymous_get_is_refused_and_graphiql_still_loads_in_development(stack: Stack) -> None:
    response = await stack.client.get("/graphql", params={"query": "{ __typename }"})
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    page = await stack.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


async def test_an_oversized_body_is_refused_while_it_streams(stack: Stack) -> None:
    token = stack.token("tovholder")
    limit = stack.settings.max_body_bytes
    body = CountingBody(FIFTY_MB)
    response, health = await asyncio.gather(
        stack.client.post(
            "/graphql",
            content=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        ),
        stack.client.get("/healthz"),
    )
    assert response.status_code == 413
    assert response.json() == {
        "errors": [
            {
                "message": "request body too large",
                "extensions": {"code": "BAD_USER_INPUT", "maxBytes": limit},
            }
        ]
    }
    assert body.pulled <= limit // CHUNK + 2  # stopped at the cap, not at the end of the 50 MB
    assert health.status_code == 200


async def test_a_declared_oversized_body_is_refused_without_reading_and_a_small_one_works(
    stack: Stack,
) -> None:
    headers = {"Authorization": f"Bearer {stack.token('tovholder')}"}
    limit = stack.settings.max_body_bytes
    padded = "{ me { username } } #" + "x" * limit
    response = await stack.client.post("/graphql", json={"query": padded}, headers=headers)
    assert response.status_code == 413
    ok = await stack.client.post("/graphql", json={"query": "{ me { username } }"}, headers=headers)
    assert ok.status_code == 200
    assert ok.json() == {"data": {"me": {"username": "tovholder"}}}


async def test_an_overlong_url_is_414_before_anything_else(stack: Stack) -> None:
    long_query = "{ me { " + "username " * 1000 + "} }"
    token = {"Authorization": f"Bearer {stack.token('tovholder')}"}
    for headers in ({}, token):
        response = await stack.client.get("/graphql", params={"query": long_query}, headers=headers)
        assert response.status_code == 414
        assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "maxBytes": 8192}
    response = await stack.client.get("/healthz", params={"pad": "x" * 9000})
    assert response.status_code == 414
    assert response.json()["error"]["code"] == "BAD_USER_INPUT"
    assert (await stack.client.get("/healthz", params={"pad": "x" * 100})).status_code == 200


async def _status_line(reader: asyncio.StreamReader) -> str:
    line = await asyncio.wait_for(reader.readline(), 10)  # a safety net against a hang, not a speed target
    return line.decode().strip()


async def test_on_a_real_server_a_declared_50_mb_anonymous_body_is_answered_before_it_is_sent(
    stack: Stack,
) -> None:
    from tests.integration.ingestion.ws_support import serving

    async with serving(stack.app) as url:
        port = int(url.rsplit(":", 1)[1])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /graphql HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {FIFTY_MB}\r\n\r\n".encode()
            + b'{"query": "mutation { x }", "variables": {"pad": "'
            + b"a" * CHUNK
        )
        await writer.drain()
        # Only 64 KB of the declared 50 MB are on the wire, and the answer is already there.
        assert await _status_line(reader) == "HTTP/1.1 401 Unauthorized"
        health_reader, health_writer = await asyncio.open_connection("127.0.0.1", port)
        health_writer.write(b"GET /healthz HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n")
        await health_writer.drain()
        assert await _status_line(health_reader) == "HTTP/1.1 200 OK"
        for w in (writer, health_writer):
            w.close()


async def test_a_department_system_may_push_a_batch_larger_than_a_person_may_send(stack: Stack) -> None:
    from hub.auth.seed import system_username
    from hub.domain import Department

    # 300 KB: over the stack's 256 KB for people, well under the push batch limit for department systems.
    document = (
        "mutation($events: [DepartmentEventInput!]!) { pushDepartmentUpdates(events: $events) { applied } }"
    )
    padded = {"query": document + " #" + "x" * 300_000, "variables": {"events": []}}
    system = {"Authorization": f"Bearer {stack.token(system_username(Department.SOF))}"}
    person = {"Authorization": f"Bearer {stack.token('tovholder')}"}
    assert (await stack.client.post("/graphql", json=padded, headers=person)).status_code == 413
    pushed = await stack.client.post("/graphql", json=padded, headers=system)
    assert pushed.status_code == 200, pushed.text
    assert pushed.json() == {"data": {"pushDepartmentUpdates": {"applied": 0}}}
