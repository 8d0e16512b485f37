"""The pub/sub port and the per-subscriber queue every backend hands out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

logger = logging.getLogger("hub.pubsub")

Message = dict[str, Any]
DEFAULT_QUEUE_SIZE = 256


class Subscription:
    """One subscriber's bounded queue. A full queue drops its oldest message: live views favour the newest."""

    def __init__(self, channel: str, maxsize: int = DEFAULT_QUEUE_SIZE) -> None:
        self.channel = channel
        self.dropped = 0
        self._queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=maxsize)

    def offer(self, message: Message) -> None:
        while True:
            try:
                self._queue.put_nowait(message)
                return
            except asyncio.QueueFull:
                self._queue.get_nowait()
                self.dropped += 1
                if self.dropped == 1 or self.dropped % 100 == 0:
                    logger.warning("slow subscriber lost messages", extra={"dropped": self.dropped})

    async def get(self) -> Message:
        return await self._queue.get()

    def __aiter__(self) -> AsyncIterator[Message]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Message]:
        while True:
            yield await self._queue.get()


class PubSub(Protocol):
    async def start(self) -> None:
        """Connect and begin receiving (idempotent). Called from the app's lifespan."""

    async def publish(self, channel: str, message: Mapping[str, Any]) -> None:
        """Send `message` to every subscriber of `channel` in every hub process. Never raises for delivery."""

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[Subscription]:
        """Receive the messages published to `channel` from now on, until the context exits."""

    async def aclose(self) -> None: ...
