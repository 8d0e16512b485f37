"""In-process pub/sub: subscribers in this process only. The default, and the local fan-out of Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from hub.pubsub.base import DEFAULT_QUEUE_SIZE, Subscription


class InProcessPubSub:
    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self._queue_size = queue_size
        self._channels: dict[str, set[Subscription]] = {}
        self._joined = asyncio.Condition()  # notified whenever a subscriber joins (`subscribed`)

    async def start(self) -> None:
        return None

    async def publish(self, channel: str, message: Mapping[str, Any]) -> None:
        self.deliver(channel, dict(message))

    def deliver(self, channel: str, message: dict[str, Any]) -> None:
        for subscription in list(self._channels.get(channel, ())):
            subscription.offer(message)

    def subscriber_count(self, channel: str) -> int:
        return len(self._channels.get(channel, ()))

    async def subscribed(self, channel: str, count: int = 1) -> None:
        """Return once `channel` has at least `count` subscribers in this process: for tests and start-up
        checks that must know a subscription listens before they publish. The caller bounds the wait."""
        async with self._joined:
            await self._joined.wait_for(lambda: self.subscriber_count(channel) >= count)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        subscription = Subscription(channel, self._queue_size)
        self._channels.setdefault(channel, set()).add(subscription)
        async with self._joined:
            self._joined.notify_all()
        try:
            yield subscription
        finally:
            subscribers = self._channels.get(channel)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._channels[channel]

    async def aclose(self) -> None:
        self._channels.clear()
