"""hub/metrics.py: the audit group commit, the section cache and live subscriptions report what they do."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from prometheus_client import CollectorRegistry

from hub.audit.events import AuditEvent
from hub.audit.group import AuditWriteFailed, GroupCommitter
from hub.domain import Department
from hub.ingestion.memory import MemoryCache
from hub.metrics import HubMetrics
from tests.unit.audit.test_audit_group import _events


def _value(registry: CollectorRegistry, name: str, **labels: str) -> float:
    value = registry.get_sample_value(name, labels)
    assert value is not None, name
    return value


async def test_the_audit_commit_is_timed_and_its_failures_counted() -> None:
    registry = CollectorRegistry()
    metrics = HubMetrics(registry, lambda: None)
    failing = False

    async def write(events: Sequence[AuditEvent]) -> None:
        if failing:
            raise RuntimeError("database gone")

    committer = GroupCommitter(lambda: write, metrics=metrics)
    await committer.append(_events("r1"))
    assert _value(registry, "familiehub_audit_commit_duration_seconds_count") == 1
    assert _value(registry, "familiehub_audit_write_failures_total") == 0
    failing = True
    with pytest.raises(AuditWriteFailed):
        await committer.append(_events("r2"))
    assert _value(registry, "familiehub_audit_write_failures_total") == 1
    assert _value(registry, "familiehub_audit_commit_duration_seconds_count") == 2
    assert _value(registry, "familiehub_audit_queue_depth") == 0
    await committer.aclose()


def test_section_cache_hits_and_misses_are_exported() -> None:
    registry = CollectorRegistry()
    cache = MemoryCache(10)
    HubMetrics(registry, lambda: cache)
    cache.get(("P-1", Department.SOF))
    cache.get(("P-2", Department.SOF))
    assert _value(registry, "familiehub_section_cache_lookups_total", result="miss") == 2
    assert _value(registry, "familiehub_section_cache_lookups_total", result="hit") == 0
