"""Rate limits per principal and per client address, with the `limits` library (moving windows).

Four budgets, each with its own limits (`HUB_RATE_LIMIT_QUERY`, `…_MUTATION`, `…_SUBSCRIPTION`, `…_WEBHOOK`, in
the `limits` notation, e.g. "100/second;3000/minute"): one per principal (the token's user, or the department
for a webhook) and one per client address, `HUB_RATE_LIMIT_ADDRESS_FACTOR` times as large (several users may
share an address behind a NAT). The address is the one uvicorn derived from the proxy headers, honoured only from
`HUB_FORWARDED_ALLOW_IPS`, so a client cannot pick its own.

With `HUB_REDIS_URL` the windows live in Redis, so every replica spends from the same budget; otherwise in memory,
per process. When the storage fails, the request is let through (and counted): a Redis outage must not become a
hub outage, and every other limit still holds.

`RateLimits.hit(kind, principal, address)` spends one unit of both budgets and answers a `Verdict`; a refusal
counts in `familiehub_rate_limited_total{kind}`. Who and where are never logged or put in a metric label.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from prometheus_client import CollectorRegistry, Counter

from hub.settings import Settings

logger = logging.getLogger("hub.ratelimit")
RATE_LIMITS = "rate_limits"  # services.extras key


class Kind(StrEnum):
    QUERY = "query"
    MUTATION = "mutation"
    SUBSCRIPTION = "subscription"
    WEBHOOK = "webhook"


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    retry_after_s: int = 0  # whole seconds until the exhausted window has room again (refusals only)


ALLOWED = Verdict(True)


def _scaled(item: RateLimitItem, factor: int) -> RateLimitItem:
    return type(item)(item.amount * factor, item.multiples, item.namespace)


def storage_for(settings: Settings) -> Storage:
    if settings.redis_url:
        return RedisStorage(
            f"async+{settings.redis_url}",
            implementation="redispy",
            key_prefix=f"{settings.pubsub_prefix}:ratelimit",
            wrap_exceptions=True,
        )
    return MemoryStorage()


class RateLimits:
    def __init__(
        self,
        settings: Settings,
        registry: CollectorRegistry,
        *,
        storage: Storage | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.enabled = settings.rate_limit_enabled
        self.storage = storage or storage_for(settings)
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.clock = clock  # for Retry-After; the windows themselves run on the storage's time
        factor = settings.rate_limit_address_factor
        self.per_principal: dict[Kind, list[RateLimitItem]] = {
            kind: parse_many(getattr(settings, f"rate_limit_{kind.value}")) for kind in Kind
        }
        self.per_address = {
            kind: [_scaled(i, factor) for i in items] for kind, items in self.per_principal.items()
        }
        self.refused = Counter(
            "familiehub_rate_limited_total",
            "Requests refused with RATE_LIMITED, by kind (query, mutation, subscription, webhook)",
            ["kind"],
            registry=registry,
        )
        self.storage_errors = Counter(
            "familiehub_rate_limit_storage_errors_total",
            "Rate-limit checks that could not reach their storage (the request was let through)",
            registry=registry,
        )
        for kind in Kind:
            self.refused.labels(kind.value)  # every kind exported from the start, at 0

    async def hit(self, kind: Kind, principal: str | None, address: str | None) -> Verdict:
        """Spend one unit of the principal's and the address's budget for `kind`."""
        if not self.enabled:
            return ALLOWED
        budgets: list[tuple[list[RateLimitItem], tuple[str, ...]]] = []
        if principal:
            budgets.append((self.per_principal[kind], (kind.value, "principal", principal)))
        if address:
            budgets.append((self.per_address[kind], (kind.value, "address", address)))
        try:
            for items, identifiers in budgets:
                for item in items:
                    if not await self.limiter.hit(item, *identifiers):
                        self.refused.labels(kind.value).inc()
                        return Verdict(False, await self._retry_after(item, identifiers))
        except Exception as exc:  # the storage (Redis) is down: let it through, say so once per failure
            self.storage_errors.inc()
            logger.warning("rate limit storage unavailable", extra={"error_type": type(exc).__name__})
        return ALLOWED

    async def _retry_after(self, item: RateLimitItem, identifiers: tuple[str, ...]) -> int:
        stats = await self.limiter.get_window_stats(item, *identifiers)
        # The window still holds its oldest entry at reset_time itself: room comes the moment after.
        return max(1, math.floor(stats.reset_time - self.clock()) + 1)

    async def aclose(self) -> None:
        bridge: Any = getattr(self.storage, "bridge", None)
        if bridge is not None:
            await bridge.get_connection().aclose()


def address_of(scope: Mapping[str, Any]) -> str | None:
    """The client address uvicorn put in the scope (after its trusted-proxy handling)."""
    client = scope.get("client")
    return str(client[0]) if client else None
