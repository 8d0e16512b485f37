"""The circuit breaker and the health probe on the call path: opening, refusing in microseconds,
the half-open probe, and probe() reporting breaker state without calling an open department."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import respx
from conftest import MakeConnector
from connector_fakes import BASE_URL, FakeClock, answer, sample
from prometheus_client import CollectorRegistry

from connectors.base import BreakerState
from connectors.errors import CircuitOpen, DepartmentConnectionError, DepartmentOverloaded


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=answer(json.loads(request.content)["cprs"]))


async def test_breaker_opens_and_then_refuses_locally(
    make_connector: MakeConnector, mock_router: respx.MockRouter, registry: CollectorRegistry
) -> None:
    route = mock_router.post("/batch").mock(side_effect=httpx.ConnectError("refused"))
    connector = make_connector(max_attempts=1, breaker_failure_threshold=3)
    for _ in range(3):
        with pytest.raises(DepartmentConnectionError):
            await connector.fetch_many(["0101900002"])
    assert connector.breaker_state is BreakerState.OPEN
    assert sample(registry, "familiehub_connector_breaker_state", department="KFF") == 2

    # How cheap a refusal is belongs in `make bench`, not here: a loaded machine made a µs bound flaky (#21).
    for _ in range(200):
        with pytest.raises(CircuitOpen):
            await connector.fetch_many(["0101900002"])
    assert route.call_count == 3  # nothing reached the department while open


async def test_a_call_counts_once_for_the_breaker_after_its_retries(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    route = mock_router.post("/batch").mock(return_value=httpx.Response(503))
    connector = make_connector(max_attempts=3, breaker_failure_threshold=2)
    with pytest.raises(DepartmentOverloaded):
        await connector.fetch_many(["0101900002"])
    assert connector.breaker_state is BreakerState.CLOSED  # three failed attempts, one failed call
    with pytest.raises(DepartmentOverloaded):
        await connector.fetch_many(["0101900002"])
    assert connector.breaker_state is BreakerState.OPEN
    assert route.call_count == 6


async def test_failures_that_retries_hide_never_open_the_breaker(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    """A 30 % 503 rate that one retry hides from every caller: no call failed, so the breaker stays closed."""
    fates = iter(([httpx.Response(503)] * 3 + [ok] * 7) * 10)

    def flaky(request: httpx.Request) -> httpx.Response:
        fate = next(fates)
        return fate(request) if callable(fate) else fate

    mock_router.post("/batch").mock(side_effect=flaky)
    connector = make_connector(max_attempts=4, breaker_failure_threshold=2, retry_budget_capacity=100)
    for _ in range(60):
        await connector.fetch_many(["0101900002"])
    assert connector.breaker_state is BreakerState.CLOSED


async def test_half_open_probe_closes_the_breaker(
    make_connector: MakeConnector,
    mock_router: respx.MockRouter,
    clock: FakeClock,
    registry: CollectorRegistry,
) -> None:
    route = mock_router.post("/batch").mock(side_effect=list[Any]([httpx.Response(503)] * 2 + [ok] * 5))
    connector = make_connector(max_attempts=1, breaker_failure_threshold=2, breaker_cooldown_s=5.0)
    for _ in range(2):
        with pytest.raises(DepartmentOverloaded):
            await connector.fetch_many(["0101900002"])
    clock.advance(5.0)
    assert connector.breaker_state is BreakerState.HALF_OPEN
    assert sample(registry, "familiehub_connector_breaker_state", department="KFF") == 1
    await connector.fetch_many(["0101900002"])  # the probe
    assert connector.breaker_state is BreakerState.CLOSED
    assert sample(registry, "familiehub_connector_breaker_state", department="KFF") == 0
    await connector.fetch_many(["0101900002"])
    assert route.call_count == 4


async def test_half_open_lets_one_probe_through_and_refuses_the_rest(
    make_connector: MakeConnector, mock_router: respx.MockRouter, clock: FakeClock
) -> None:
    release, probing = asyncio.Event(), asyncio.Event()

    async def slow_ok(request: httpx.Request) -> httpx.Response:
        probing.set()
        await release.wait()
        return ok(request)

    route = mock_router.post("/batch").mock(
        side_effect=list[Any]([httpx.Response(503), httpx.Response(503), slow_ok])
    )
    connector = make_connector(max_attempts=1, breaker_failure_threshold=2)
    for _ in range(2):
        with pytest.raises(DepartmentOverloaded):
            await connector.fetch_many(["0101900002"])
    clock.advance(5.0)
    probe = asyncio.create_task(connector.fetch_many(["0101900002"]))
    await asyncio.wait_for(probing.wait(), 10)  # the probe is at the department (an event, not a sleep)
    with pytest.raises(CircuitOpen):
        await connector.fetch_many(["0101900004"])
    release.set()
    await probe
    assert connector.breaker_state is BreakerState.CLOSED
    assert route.call_count == 3


async def test_failed_probe_reopens(
    make_connector: MakeConnector, mock_router: respx.MockRouter, clock: FakeClock
) -> None:
    route = mock_router.post("/batch").mock(return_value=httpx.Response(503))
    connector = make_connector(max_attempts=3, breaker_failure_threshold=2)
    for _ in range(2):
        with pytest.raises(DepartmentOverloaded):
            await connector.fetch_many(["0101900002"])
    assert connector.breaker_state is BreakerState.OPEN
    clock.advance(5.0)
    with pytest.raises(DepartmentOverloaded):  # the probe call (with its retries) fails and reopens
        await connector.fetch_many(["0101900002"])
    assert connector.breaker_state is BreakerState.OPEN
    with pytest.raises(CircuitOpen):
        await connector.fetch_many(["0101900002"])
    assert route.call_count == 9


async def test_probe_reports_breaker_state_without_calling_when_open(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    health = mock_router.get("/health").mock(return_value=httpx.Response(200, json={"status": "ok"}))
    mock_router.post("/batch").mock(return_value=httpx.Response(503))
    connector = make_connector(max_attempts=1, breaker_failure_threshold=1)
    first = await connector.probe()
    assert (first.breaker, first.reachable) == (BreakerState.CLOSED, True)
    with pytest.raises(DepartmentOverloaded):
        await connector.fetch_many(["0101900002"])
    second = await connector.probe()
    assert (second.breaker, second.reachable) == (BreakerState.OPEN, None)
    assert health.call_count == 1


@pytest.mark.parametrize(
    ("mocked", "reachable", "detail"),
    [
        (httpx.Response(503), False, "HTTP 503"),
        (httpx.ConnectError("refused"), False, "connection failed"),
    ],
)
async def test_probe_reports_an_unhealthy_department(
    make_connector: MakeConnector, mock_router: respx.MockRouter, mocked: Any, reachable: bool, detail: str
) -> None:
    mock_router.get(f"{BASE_URL}/health").mock(side_effect=[mocked])
    health = await make_connector().probe()
    assert (health.reachable, health.detail) == (reachable, detail)
