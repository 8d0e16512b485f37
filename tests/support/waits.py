"""How long a test waits for something that must happen (issue 21): a bound that says "it happens", not "it
happens fast". A loaded machine (a shared build agent, `make test-loaded` under stress-ng) can stall a local
connect or a message for seconds; speed belongs in `make bench`. A test that expects *nothing* to arrive uses a
short wait of its own, which can only make it pass less strictly, never fail on a slow machine."""

from __future__ import annotations

import asyncio

from hub.pubsub import InProcessPubSub
from hub.pubsub.redis import RedisPubSub

IT_HAPPENS_S = 60.0


async def listening(
    pubsub: object, channel: str, count: int = 1, *, what: str = "the subscription never reached pub/sub"
) -> None:
    """Until `count` subscribers listen on `channel` in this process: an event from the hub's pub/sub
    (`InProcessPubSub.subscribed`; a `RedisPubSub` fans out through one), bounded by `IT_HAPPENS_S`."""
    assert isinstance(pubsub, InProcessPubSub | RedisPubSub), pubsub
    try:
        await asyncio.wait_for(pubsub.subscribed(channel, count), IT_HAPPENS_S)
    except TimeoutError:
        raise AssertionError(what) from None
