"""Rate limits (hub/ratelimit.py): per principal and per address, per kind, with Retry-After, on a clock the test
moves (time-machine, as the `limits` library's own tests do): nothing here waits for the wall clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from prometheus_client import CollectorRegistry

from hub.ratelimit import Kind, RateLimits
from hub.settings import Settings

START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def limits(**overrides: object) -> tuple[RateLimits, CollectorRegistry]:
    registry = CollectorRegistry()
    settings = Settings(
        rate_limit_query="3/minute",
        rate_limit_mutation="2/minute",
        rate_limit_subscription="1/minute",
        rate_limit_webhook="2/minute",
        rate_limit_address_factor=2,
        **overrides,  # type: ignore[arg-type]
    )
    return RateLimits(settings, registry), registry


def refused(registry: CollectorRegistry, kind: str) -> float:
    return registry.get_sample_value("familiehub_rate_limited_total", {"kind": kind}) or 0.0


async def test_a_principal_gets_its_budget_then_a_retry_after(clock: time_machine.Coordinates) -> None:
    rate, registry = limits()
    for _ in range(3):
        assert (await rate.hit(Kind.QUERY, "u1", None)).allowed
    clock.shift(20)
    verdict = await rate.hit(Kind.QUERY, "u1", None)
    assert not verdict.allowed
    assert verdict.retry_after_s == 60 - 20 + 1  # just after the first of the three leaves the window
    assert refused(registry, "query") == 1
    clock.shift(40)
    assert not (await rate.hit(Kind.QUERY, "u1", None)).allowed  # the window's edge is inclusive
    clock.shift(1)
    assert (await rate.hit(Kind.QUERY, "u1", None)).allowed


async def test_kinds_and_principals_have_separate_budgets(clock: time_machine.Coordinates) -> None:
    rate, registry = limits()
    for _ in range(3):
        assert (await rate.hit(Kind.QUERY, "u1", None)).allowed
    assert not (await rate.hit(Kind.QUERY, "u1", None)).allowed
    assert (await rate.hit(Kind.MUTATION, "u1", None)).allowed
    assert (await rate.hit(Kind.SUBSCRIPTION, "u1", None)).allowed
    assert not (await rate.hit(Kind.SUBSCRIPTION, "u1", None)).allowed
    assert (await rate.hit(Kind.QUERY, "u2", None)).allowed
    assert {k.value: refused(registry, k.value) for k in Kind} == {
        "query": 1,
        "mutation": 0,
        "subscription": 1,
        "webhook": 0,
    }


async def test_an_address_is_shared_by_its_principals(clock: time_machine.Coordinates) -> None:
    """The address's budget is the factor (2) times a principal's (3): six, whoever asks from there."""
    rate, _ = limits()
    answers = [(await rate.hit(Kind.QUERY, f"u{i}", "10.0.0.7")).allowed for i in range(7)]
    assert answers == [True] * 6 + [False]
    assert (await rate.hit(Kind.QUERY, "u9", "10.0.0.8")).allowed


async def test_disabled_limits_allow_everything(clock: time_machine.Coordinates) -> None:
    rate, registry = limits(rate_limit_enabled=False)
    assert all([(await rate.hit(Kind.WEBHOOK, "SOF", "10.0.0.7")).allowed for _ in range(10)])
    assert refused(registry, "webhook") == 0


def test_a_malformed_limit_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="rate limit"):
        Settings(rate_limit_query="lots")
