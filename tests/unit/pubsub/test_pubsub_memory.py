"""In-process pub/sub: fan-out, channel isolation, bounded queues, unsubscribe."""

from __future__ import annotations

import asyncio

from hub.pubsub import InProcessPubSub, build_pubsub
from hub.settings import Settings


async def test_every_subscriber_of_a_channel_gets_each_message() -> None:
    pubsub = InProcessPubSub()
    async with (
        pubsub.subscribe("family:A") as a1,
        pubsub.subscribe("family:A") as a2,
        pubsub.subscribe("family:B") as b,
    ):
        await pubsub.publish("family:A", {"n": 1})
        assert await asyncio.wait_for(a1.get(), 1) == {"n": 1}
        assert await asyncio.wait_for(a2.get(), 1) == {"n": 1}
        await pubsub.publish("family:B", {"n": 2})
        assert await asyncio.wait_for(b.get(), 1) == {"n": 2}
        assert a1._queue.empty()


async def test_leaving_unsubscribes() -> None:
    pubsub = InProcessPubSub()
    async with pubsub.subscribe("c"):
        assert pubsub.subscriber_count("c") == 1
    assert pubsub.subscriber_count("c") == 0
    await pubsub.publish("c", {"n": 1})  # nobody listening: nothing happens


async def test_subscribed_returns_once_enough_subscribers_listen() -> None:
    pubsub = InProcessPubSub()
    waiting = asyncio.create_task(pubsub.subscribed("c", 2))
    async with pubsub.subscribe("c"), pubsub.subscribe("other"):
        await asyncio.sleep(0)  # the waiter runs: one subscriber on "c" is not enough
        assert not waiting.done()
        async with pubsub.subscribe("c"):
            await asyncio.wait_for(waiting, 1)
            await asyncio.wait_for(pubsub.subscribed("c", 2), 1)  # already there: returns at once


async def test_a_slow_subscriber_loses_its_oldest_messages_not_the_newest() -> None:
    pubsub = InProcessPubSub(queue_size=3)
    async with pubsub.subscribe("c") as sub:
        for n in range(5):
            await pubsub.publish("c", {"n": n})
        got = [(await sub.get())["n"] for _ in range(3)]
    assert got == [2, 3, 4]
    assert sub.dropped == 2


def test_redis_only_when_configured() -> None:
    assert isinstance(build_pubsub(Settings(redis_url=None)), InProcessPubSub)
    assert type(build_pubsub(Settings(redis_url="redis://127.0.0.1:1/0"))).__name__ == "RedisPubSub"
