"""Pluggable publish/subscribe for live updates: in-process by default, Redis across several hub processes.

    PubSub.publish(channel, message)      fire-and-forget; a message is a small JSON-able dict of ids
    async with PubSub.subscribe(channel) as subscription:
        async for message in subscription: ...

Messages carry ids and versions only, never personal data: they may cross Redis, and every subscriber
re-checks access and consent before it delivers anything (hub/ingestion/live.py). Delivery is best-effort
(a slow subscriber loses its oldest messages); durable state lives in the database.
"""

from __future__ import annotations

from hub.pubsub.base import PubSub, Subscription
from hub.pubsub.memory import InProcessPubSub
from hub.settings import Settings


def build_pubsub(settings: Settings) -> PubSub:
    """Redis when `HUB_REDIS_URL` is set, else in-process."""
    if settings.redis_url:
        from hub.pubsub.redis import RedisPubSub  # imported only when configured

        return RedisPubSub(settings.redis_url, prefix=settings.pubsub_prefix)
    return InProcessPubSub()


__all__ = ["InProcessPubSub", "PubSub", "Subscription", "build_pubsub"]
