"""Slow calls open the breaker (a slow-call rate, as resilience4j counts it), a Retry-After is honoured across
calls (fail fast until it has passed), and the latency budget answers for a department that does not."""

from __future__ import annotations

import asyncio
import gc
import json
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import respx
from conftest import MakeConnector
from connector_fakes import FakeClock, answer

from connectors import latency
from connectors.base import BreakerState, ConnectorError
from connectors.breaker import CircuitBreaker
from connectors.errors import DepartmentRateLimited, DepartmentSlow
from connectors.latency import LatencyBudget
from hub.domain import Department


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=answer(json.loads(request.content)["cprs"]))


def _breaker(clock: FakeClock) -> CircuitBreaker:
    return CircuitBreaker(
        failure_threshold=3, window_s=10.0, cooldown_s=5.0, slow_call_s=1.0, slow_call_ratio=0.5, clock=clock
    )


def _call(breaker: CircuitBreaker, clock: FakeClock, seconds: float, outcome: str) -> None:
    permit = breaker.try_acquire()
    assert permit is not None
    clock.advance(seconds)
    {"ok": breaker.record_success, "fail": breaker.record_failure, "cut": breaker.release}[outcome](permit)


@pytest.mark.parametrize("outcome", ["ok", "cut"])
def test_slow_calls_open_the_breaker_whatever_their_outcome(clock: FakeClock, outcome: str) -> None:
    breaker = _breaker(clock)
    for _ in range(2):
        _call(breaker, clock, 1.5, outcome)
    assert breaker.state is BreakerState.CLOSED
    _call(breaker, clock, 1.5, outcome)
    assert breaker.state is BreakerState.OPEN


def test_a_few_slow_calls_among_many_fast_ones_keep_it_closed(clock: FakeClock) -> None:
    breaker = _breaker(clock)
    for _ in range(3):
        for _ in range(4):
            _call(breaker, clock, 0.01, "ok")
        _call(breaker, clock, 1.5, "ok")
    assert breaker.state is BreakerState.CLOSED


def test_a_slow_probe_reopens(clock: FakeClock) -> None:
    breaker = _breaker(clock)
    for _ in range(3):
        _call(breaker, clock, 2.0, "cut")
    clock.advance(5.0)
    assert breaker.state is BreakerState.HALF_OPEN
    _call(breaker, clock, 2.0, "ok")
    assert breaker.state is BreakerState.OPEN


async def test_retry_after_is_honoured_across_calls(
    make_connector: MakeConnector, mock_router: respx.MockRouter, clock: FakeClock
) -> None:
    route = mock_router.post("/batch").mock(
        side_effect=list[Any]([httpx.Response(429, headers={"Retry-After": "30"}), ok])
    )
    connector = make_connector(retry_after_cap_s=2.0)
    with pytest.raises(DepartmentRateLimited):
        await connector.fetch_many(["0101900002"])
    clock.advance(29.0)
    with pytest.raises(DepartmentRateLimited) as caught:  # fails fast: the department is not asked
        await connector.fetch_many(["0101900002"])
    assert caught.value.retry_after == pytest.approx(1.0)
    assert route.call_count == 1
    clock.advance(1.0)
    await connector.fetch_many(["0101900002"])
    assert route.call_count == 2


# The latency budget's own timeout is real (asyncio.wait), so a department call here never races it: a slow call
# waits on an event the test sets only after the budget has given up, a fast one answers at once (issue #21).
SETTLE_S = 10.0  # an upper bound for the background to finish, never a speed target


class _Department:
    """Calls that answer only when the test opens the gate."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()

    async def answer(self, value: str) -> str:
        await self.gate.wait()
        return value

    async def fail(self) -> str:
        await self.gate.wait()
        raise ConnectorError(Department.KFF, "down")


async def _now(value: str) -> str:
    return value


async def _until(condition: Callable[[], bool]) -> None:
    loop = asyncio.get_running_loop()
    give_up = loop.time() + SETTLE_S
    while not condition():
        assert loop.time() < give_up, "the background call never finished"
        await asyncio.sleep(0.001)


async def test_latency_budget_answers_in_time_or_raises_slow_and_keeps_the_late_answer() -> None:
    budget = LatencyBudget(Department.KFF, 0.05, max_background=1)
    assert await budget.run(_now("fast")) == "fast"
    slow = _Department()
    late: list[str] = []
    with pytest.raises(DepartmentSlow):
        await budget.run(slow.answer("late"), on_late=late.append)
    with pytest.raises(DepartmentSlow):  # the background is full: this one is cancelled at once
        await budget.run(slow.answer("dropped"), on_late=late.append)
    assert budget.in_background == 1
    slow.gate.set()
    await _until(lambda: budget.in_background == 0)
    assert late == ["late"]


async def test_a_late_failure_is_retrieved_not_reported() -> None:
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    try:
        budget = LatencyBudget(Department.KFF, 0.01)
        failing = _Department()
        with pytest.raises(DepartmentSlow):
            await budget.run(failing.fail())
        failing.gate.set()
        await _until(lambda: budget.in_background == 0)
        gc.collect()  # an unretrieved exception is reported when its task is collected
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert reported == []


def test_the_budget_counts_from_the_requests_arrival_with_a_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    now = 1000.0
    monkeypatch.setattr(latency, "time", SimpleNamespace(monotonic=lambda: now))  # a clock that stands still
    budget = LatencyBudget(Department.KFF, 1.0)
    assert budget.wait_s(None) == 1.0  # no arrival known: the whole budget from now
    assert budget.wait_s(now - 0.25) == pytest.approx(0.75)  # a quarter went waiting for the CPU
    assert budget.wait_s(now - 0.6) == 0.5  # never below the floor of half
    assert budget.wait_s(now - 5.0) == 0.5  # an overloaded hub still gives the department half


async def test_a_call_that_starts_late_gets_only_what_is_left_of_the_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    budget = LatencyBudget(Department.KFF, 0.4, max_background=0)
    asked: list[float | None] = []
    wait_s = budget.wait_s

    def spy(started: float | None) -> float:
        asked.append(started)
        return wait_s(started)

    monkeypatch.setattr(budget, "wait_s", spy)
    arrived = time.monotonic() - 0.3
    with pytest.raises(DepartmentSlow):
        await budget.run(_Department().answer("late"), started=arrived)
    assert asked == [arrived]  # the wait counts from the request's arrival, not from the call
    assert await budget.run(_now("fast"), started=arrived) == "fast"
