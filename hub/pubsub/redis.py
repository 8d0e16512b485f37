"""Redis pub/sub (`HUB_REDIS_URL`), for several hub processes: a push to one reaches subscribers on all.

Each process holds one pattern subscription on `<prefix>:*` and fans messages out to its local subscribers
through an `InProcessPubSub`, so a thousand WebSocket subscribers cost one Redis connection, not a thousand.
Publishing goes to Redis only (the process hears its own messages back); if Redis cannot be reached the
message is delivered locally and a warning logged: live updates degrade, durable state is unaffected.
Never logs a message body.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, cast

import orjson
from redis.asyncio import Redis
from redis.asyncio.client import PubSub as RedisClientPubSub
from redis.exceptions import RedisError

from hub.pubsub.base import Subscription
from hub.pubsub.memory import InProcessPubSub

logger = logging.getLogger("hub.pubsub.redis")

_READ_TIMEOUT_S = 1.0
_RECONNECT_MAX_S = 5.0
_SUBSCRIBE_TIMEOUT_S = 5.0


class RedisPubSub:
    def __init__(self, url: str, *, prefix: str) -> None:
        self._url = url
        self._prefix = prefix.rstrip(":")
        self._local = InProcessPubSub()
        self._client: Redis | None = None
        self._reader: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    @property
    def connected(self) -> bool:
        """Subscribed on Redis now (False while reconnecting: updates then reach this process's own
        subscribers only, and other processes' updates are missed until it is back)."""
        return self._subscribed.is_set()

    def _key(self, channel: str) -> str:
        return f"{self._prefix}:{channel}"

    async def start(self) -> None:
        if self._reader is not None:
            return
        self._client = Redis.from_url(self._url)
        pubsub = await self._subscribe(self._client)
        self._reader = asyncio.create_task(self._read(pubsub), name="hub-pubsub-redis-reader")

    async def _subscribe(self, client: Redis) -> RedisClientPubSub:
        """A pattern subscription, returned once Redis has confirmed it (messages from now on arrive)."""
        pubsub = client.pubsub()
        await pubsub.psubscribe(f"{self._prefix}:*")
        async with asyncio.timeout(_SUBSCRIBE_TIMEOUT_S):
            while True:
                message = await pubsub.get_message(timeout=_READ_TIMEOUT_S)
                if message is not None and message.get("type") == "psubscribe":
                    break
        self._subscribed.set()
        return pubsub

    async def _read(self, pubsub: RedisClientPubSub) -> None:
        delay = 0.1
        while True:
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=_READ_TIMEOUT_S)
                delay = 0.1
                if message is not None and message.get("type") == "pmessage":
                    self._dispatch(message)
            except asyncio.CancelledError:
                await _quietly_close(pubsub)
                raise
            except (RedisError, OSError):
                self._subscribed.clear()
                logger.warning("redis subscription lost; reconnecting", extra={"retry_in_s": delay})
                await _quietly_close(pubsub)
                await asyncio.sleep(delay)
                delay = min(delay * 2, _RECONNECT_MAX_S)
                if self._client is not None:
                    with contextlib.suppress(RedisError, OSError, TimeoutError):
                        pubsub = await self._subscribe(self._client)

    def _dispatch(self, message: dict[str, Any]) -> None:
        channel = message["channel"]
        name = channel.decode() if isinstance(channel, bytes) else str(channel)
        try:
            body = orjson.loads(message["data"])
        except orjson.JSONDecodeError:
            logger.warning("ignored an undecodable pub/sub message")
            return
        if isinstance(body, dict):
            self._local.deliver(name.removeprefix(f"{self._prefix}:"), body)

    async def publish(self, channel: str, message: Mapping[str, Any]) -> None:
        if self._client is None:
            await self.start()
        assert self._client is not None  # noqa: S101 - start() sets it
        try:
            await self._client.publish(self._key(channel), orjson.dumps(dict(message)))
        except (RedisError, OSError):
            logger.warning("redis publish failed; delivering in this process only")
            self._local.deliver(channel, dict(message))

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        if self._reader is None:
            await self.start()
        async with self._local.subscribe(channel) as subscription:
            yield subscription

    async def subscribed(self, channel: str, count: int = 1) -> None:
        """Return once `channel` has at least `count` subscribers in this process (`InProcessPubSub.subscribed`;
        Redis delivers to them through this process's fan-out)."""
        await self._local.subscribed(channel, count)

    async def aclose(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
        await self._local.aclose()


async def _quietly_close(pubsub: RedisClientPubSub) -> None:
    with contextlib.suppress(RedisError, OSError):
        # redis-py < 8.2 leaves aclose() unannotated, 8.2 annotates it: no type: ignore fits both.
        await cast("Any", pubsub).aclose()
