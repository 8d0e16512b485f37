"""/readyz says whether live updates reach other hub processes: Redis away is reported, not fatal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.stack import Stack, running_stack


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=2, seed=3) as s:
        yield s


class _Disconnected:
    """A Redis pub/sub while its connection is lost (RedisPubSub.connected is False then)."""

    connected = False


async def test_readyz_reports_the_pubsub_connection(stack: Stack) -> None:
    body = (await stack.client.get("/readyz")).json()
    assert body["pubsub"] == {"backend": "memory", "connected": True}
    real = stack.services.extras["pubsub"]
    stack.services.extras["pubsub"] = _Disconnected()
    try:
        response = await stack.client.get("/readyz")
    finally:
        stack.services.extras["pubsub"] = real
    assert response.status_code == 200  # the hub still serves; live updates are local only
    assert response.json()["pubsub"] == {"backend": "redis", "connected": False}
