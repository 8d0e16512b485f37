"""The hub's own Prometheus metrics beyond HTTP (hub/middleware.py) and department calls (connectors/metrics.py):
the audit group commit, the section cache, live subscriptions and stored dead letters. One set per `Services`
(its registry), installed by `build_services`; code that runs without it (unit tests) finds None and skips.

    familiehub_audit_commit_duration_seconds   histogram: one group commit's transaction (hub/audit/group.py)
    familiehub_audit_write_failures_total      counter: group commits that failed (their requests failed closed)
    familiehub_audit_queue_depth               gauge: requests waiting for the audit log now
    familiehub_section_cache_lookups_total{result="hit"|"miss"}   the in-process section cache (hub/ingestion/memory.py)
    familiehub_subscriptions_active            gauge: familyUpdated streams open on this process
    familiehub_dead_letters_stored             gauge: rows in ingestion_dead_letters (counted at most every 30 s,
                                               when /metrics is scraped)

Labels are fixed words, never ids or personal data.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    from hub.ingestion.memory import MemoryCache
    from hub.services import Services

HUB_METRICS = "hub_metrics"  # Services.extras key
DEAD_LETTER_QUERY_TIMEOUT_S = 2.0
DEAD_LETTER_REFRESH_S = 30.0


class _SectionCacheCollector(Collector):
    """Hits and misses as the process's section cache counts them (read at scrape time)."""

    def __init__(self, cache: Callable[[], MemoryCache | None]) -> None:
        self._cache = cache

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "familiehub_section_cache_lookups",
            "Section cache look-ups in this process by result (hit: held in memory; miss: not held)",
            labels=["result"],
        )
        cache = self._cache()
        family.add_metric(["hit"], float(cache.hits if cache is not None else 0))
        family.add_metric(["miss"], float(cache.misses if cache is not None else 0))
        yield family


class HubMetrics:
    def __init__(self, registry: CollectorRegistry, cache: Callable[[], MemoryCache | None]) -> None:
        self.audit_commit = Histogram(
            "familiehub_audit_commit_duration_seconds",
            "Audit group commit: one batch's transaction, committed or not",
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.audit_write_failures = Counter(
            "familiehub_audit_write_failures",
            "Audit group commits that failed: every request in them failed closed",
            registry=registry,
        )
        self.audit_queue_depth = Gauge(
            "familiehub_audit_queue_depth", "Requests waiting for the audit log", registry=registry
        )
        self.subscriptions = Gauge(
            "familiehub_subscriptions_active", "familyUpdated streams open on this process", registry=registry
        )
        self.dead_letters = Gauge(
            "familiehub_dead_letters_stored",
            "Dead-lettered pushed events stored (ingestion_dead_letters), across all processes",
            registry=registry,
        )
        registry.register(_SectionCacheCollector(cache))
        self._dead_letters_at: float | None = None

    async def refresh(self, services: Services) -> None:
        """Before a scrape: count the stored dead letters, at most every DEAD_LETTER_REFRESH_S."""
        now = time.monotonic()
        if self._dead_letters_at is not None and now - self._dead_letters_at < DEAD_LETTER_REFRESH_S:
            return
        self._dead_letters_at = now
        from hub.ingestion.models import DeadLetter

        try:
            async with asyncio.timeout(DEAD_LETTER_QUERY_TIMEOUT_S), services.sessions() as session:
                count = await session.scalar(select(func.count()).select_from(DeadLetter))
        except (SQLAlchemyError, OSError, TimeoutError):
            # The database is away or slow (a refused connection is an OSError from the driver): keep the last
            # value, never fail or stall the scrape (readiness reports the database).
            return
        self.dead_letters.set(float(count or 0))


def install_hub_metrics(services: Services) -> HubMetrics:
    def cache() -> MemoryCache | None:
        section_cache = services.extras.get("section_cache")
        return getattr(section_cache, "memory", None)

    metrics = HubMetrics(services.metrics, cache)
    services.extras[HUB_METRICS] = metrics
    return metrics


def hub_metrics(services: Any) -> HubMetrics | None:
    """The services' hub metrics, or None where none were installed (unit tests' hand-built services)."""
    extras = getattr(services, "extras", None)
    found = extras.get(HUB_METRICS) if isinstance(extras, dict) else None
    return found if isinstance(found, HubMetrics) else None
