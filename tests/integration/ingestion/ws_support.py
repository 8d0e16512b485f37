"""Serving an app on a real 127.0.0.1 port (uvicorn, in-process) and a small graphql-transport-ws client."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from websockets.asyncio.client import ClientConnection, connect

from tests.support.waits import IT_HAPPENS_S

SUBSCRIBE = """
subscription Follow($familyId: ID!) {
  familyUpdated(familyId: $familyId) { familyId kind memberId department recordId version deleted summary }
}
"""
# With the resume cursor (familyUpdated(familyId, after:)): each update names its cursor.
RESUMABLE = """
subscription Resume($familyId: ID!, $after: String) {
  familyUpdated(familyId: $familyId, after: $after) { familyId kind memberId department version cursor }
}
"""


def free_port() -> int:
    """A port the OS says is free now (for a separate process, which must bind it itself)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def serving(app: ASGIApp, *, lifespan: str = "off") -> AsyncIterator[str]:
    """The app on a free port chosen by the OS; yields its base URL (http://127.0.0.1:PORT)."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, lifespan=lifespan, ws="websockets-sansio", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        # "it happens": under load a server takes long to start (#21)
        deadline = asyncio.get_running_loop().time() + 120
        while asyncio.get_running_loop().time() < deadline:
            if server.started:
                break
            await asyncio.sleep(0.01)
        else:
            raise RuntimeError("uvicorn did not start")
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, IT_HAPPENS_S)


async def receive_text(ws: ClientConnection, wait_s: float) -> Any:
    """The next message, decoded; graphql-transport-ws messages are text frames (browsers get binary ones as a
    Blob, which GraphiQL and graphql-ws cannot read), so a binary frame fails the test."""
    frame = await asyncio.wait_for(ws.recv(), wait_s)
    assert isinstance(frame, str), f"binary WebSocket frame: {frame[:40]!r}"
    return json.loads(frame)


class Subscriber:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def next(self, wait_s: float = IT_HAPPENS_S) -> dict[str, Any]:
        """The next `next` payload's data (fails on an error or completion)."""
        while True:
            message = await receive_text(self.ws, wait_s)
            if message["type"] == "ping":
                await self.ws.send(json.dumps({"type": "pong"}))
                continue
            assert message["type"] == "next", message
            assert "errors" not in message["payload"], message["payload"]
            data: dict[str, Any] = message["payload"]["data"]["familyUpdated"]
            return data

    async def first_message(self, wait_s: float = 5.0) -> dict[str, Any]:
        message: dict[str, Any] = await receive_text(self.ws, wait_s)
        return message


@contextlib.asynccontextmanager
async def subscribed(
    base_url: str, token: str, family_id: str, *, after: str | None = None, resumable: bool = False
) -> AsyncIterator[Subscriber]:
    """Subscribed to familyUpdated(familyId); `resumable` (or an `after` cursor) asks for each update's cursor."""
    query, variables = SUBSCRIBE, {"familyId": family_id}
    if resumable or after is not None:
        query, variables = RESUMABLE, {"familyId": family_id, "after": after}
    url = base_url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=IT_HAPPENS_S) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        ack = await receive_text(ws, 5)
        assert ack["type"] == "connection_ack", ack
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables},
                }
            )
        )
        yield Subscriber(ws)
