"""A hanging department costs a view its latency budget, not the request's deadline: its sections come from the
cache as STALE (or UNAVAILABLE), the other four departments are whole, and slowness opens its breaker."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from connectors.base import BreakerState
from tests.e2e.test_family_view import FAMILY_QUERY, SECTIONS
from tests.support.stack import Stack, running_stack

BUDGET_S = 1.5  # generous: healthy departments must answer within it on a loaded machine (#21)


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    # TTL 0: every view asks the departments, so what the cache holds is always last known data.
    async with running_stack(
        tmp_path, families=6, seed=11, request_deadline_s=10.0, department_budget_s=BUDGET_S, cache_ttl_s=0
    ) as s:
        yield s


def _statuses(body: dict[str, Any], field: str) -> list[str]:
    return [m[field]["status"] for m in body["data"]["family"]["members"]]


async def _view(stack: Stack, family_key: str) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    body = await stack.graphql(FAMILY_QUERY, {"id": family_key}, token=stack.token("tovholder"))
    return body, time.perf_counter() - started


async def _a_family_with_live_data(stack: Stack) -> tuple[str, str, dict[str, Any]]:
    """(family key, section field, the view) of a family whose view shows that department's data."""
    for family in sorted(stack.world.families, key=lambda f: -len(f.members)):
        body, _ = await _view(stack, family.key)
        for field in SECTIONS:
            if "OK" in _statuses(body, field):
                return family.key, field, body
    raise AssertionError("no family shows department data")


async def test_a_hanging_department_is_answered_from_the_cache_within_the_budget(stack: Stack) -> None:
    key, hanging, before = await _a_family_with_live_data(stack)
    await stack.set_faults(SECTIONS[hanging], hang_rate=1.0, hang_s=60)
    after, elapsed = await _view(stack, key)
    assert elapsed < stack.settings.request_deadline_s  # not the whole deadline
    expected = ["STALE" if s == "OK" else s for s in _statuses(before, hanging)]
    assert _statuses(after, hanging) == expected
    stale = [m[hanging] for m in after["data"]["family"]["members"] if m[hanging]["status"] == "STALE"]
    assert all(s["record"] is not None for s in stale)
    for field in set(SECTIONS) - {hanging}:
        assert _statuses(after, field) == _statuses(before, field), field


async def test_a_hanging_department_opens_its_breaker_on_slowness(stack: Stack) -> None:
    key, hanging, _ = await _a_family_with_live_data(stack)
    department = SECTIONS[hanging]
    await stack.set_faults(department, hang_rate=1.0, hang_s=60)
    connector: Any = stack.services.connectors[department]
    views = 0
    while connector.breaker_state is not BreakerState.OPEN and views < 20:
        body, elapsed = await _view(stack, key)
        views += 1
        assert elapsed < stack.settings.request_deadline_s
        assert "OK" not in _statuses(body, hanging)
        for field in set(SECTIONS) - {hanging}:
            assert "UNAVAILABLE" not in _statuses(body, field), field
    assert connector.breaker_state is BreakerState.OPEN, f"still closed after {views} views"
