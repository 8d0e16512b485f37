"""The circuit breaker as a pure state machine, on a fake clock."""

from __future__ import annotations

import pytest
from connector_fakes import FakeClock

from connectors.base import BreakerState
from connectors.breaker import CircuitBreaker


def make(clock: FakeClock, **kw: float) -> tuple[CircuitBreaker, list[tuple[BreakerState, BreakerState]]]:
    changes: list[tuple[BreakerState, BreakerState]] = []
    params = {"failure_threshold": 3, "failure_ratio": 0.5, "window_s": 10.0, "cooldown_s": 5.0, **kw}
    breaker = CircuitBreaker(
        failure_threshold=int(params["failure_threshold"]),
        failure_ratio=params["failure_ratio"],
        window_s=params["window_s"],
        cooldown_s=params["cooldown_s"],
        clock=clock,
        on_state_change=lambda old, new: changes.append((old, new)),
    )
    return breaker, changes


def fail(breaker: CircuitBreaker, n: int = 1) -> None:
    for _ in range(n):
        permit = breaker.try_acquire()
        assert permit is not None
        breaker.record_failure(permit)


def succeed(breaker: CircuitBreaker, n: int = 1) -> None:
    for _ in range(n):
        permit = breaker.try_acquire()
        assert permit is not None
        breaker.record_success(permit)


def test_opens_at_the_failure_threshold(clock: FakeClock) -> None:
    breaker, changes = make(clock)
    fail(breaker, 2)
    assert breaker.state is BreakerState.CLOSED
    fail(breaker)
    assert breaker.state is BreakerState.OPEN
    assert breaker.try_acquire() is None
    assert changes == [(BreakerState.CLOSED, BreakerState.OPEN)]
    assert breaker.retry_in == pytest.approx(5.0)


def test_failures_outside_the_window_are_forgotten(clock: FakeClock) -> None:
    breaker, _ = make(clock)
    fail(breaker, 2)
    clock.advance(11.0)
    fail(breaker, 2)
    assert breaker.state is BreakerState.CLOSED
    fail(breaker)
    assert breaker.state is BreakerState.OPEN


def test_a_low_failure_ratio_keeps_it_closed(clock: FakeClock) -> None:
    breaker, _ = make(clock)
    succeed(breaker, 10)
    fail(breaker, 4)  # 4 of 14 fail: over the count, under the ratio
    assert breaker.state is BreakerState.CLOSED
    fail(breaker, 6)  # 10 of 20
    assert breaker.state is BreakerState.OPEN


def test_half_open_after_cooldown_lets_exactly_one_probe_through(clock: FakeClock) -> None:
    breaker, _ = make(clock)
    fail(breaker, 3)
    clock.advance(4.9)
    assert breaker.try_acquire() is None
    clock.advance(0.1)
    assert breaker.state is BreakerState.HALF_OPEN
    probe = breaker.try_acquire()
    assert probe is not None
    assert probe.probe
    assert breaker.try_acquire() is None  # only one probe at a time
    breaker.record_success(probe)
    assert breaker.state is BreakerState.CLOSED
    assert breaker.try_acquire() is not None


def test_failed_probe_reopens_for_a_new_cooldown(clock: FakeClock) -> None:
    breaker, changes = make(clock)
    fail(breaker, 3)
    clock.advance(5.0)
    probe = breaker.try_acquire()
    assert probe is not None
    breaker.record_failure(probe)
    assert breaker.state is BreakerState.OPEN
    clock.advance(4.0)
    assert breaker.state is BreakerState.OPEN
    clock.advance(1.0)
    assert breaker.state is BreakerState.HALF_OPEN
    assert changes == [
        (BreakerState.CLOSED, BreakerState.OPEN),
        (BreakerState.OPEN, BreakerState.HALF_OPEN),
        (BreakerState.HALF_OPEN, BreakerState.OPEN),
        (BreakerState.OPEN, BreakerState.HALF_OPEN),
    ]


def test_a_released_probe_frees_the_slot(clock: FakeClock) -> None:
    breaker, _ = make(clock)
    fail(breaker, 3)
    clock.advance(5.0)
    probe = breaker.try_acquire()
    assert probe is not None
    breaker.release(probe)
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.try_acquire() is not None


def test_late_reports_from_calls_started_while_closed_change_nothing(clock: FakeClock) -> None:
    breaker, _ = make(clock)
    late = breaker.try_acquire()
    assert late is not None
    fail(breaker, 3)
    breaker.record_success(late)  # must not close an open breaker
    assert breaker.state is BreakerState.OPEN
    clock.advance(5.0)
    probe = breaker.try_acquire()
    assert probe is not None
    breaker.record_failure(late)  # already reported: ignored
    breaker.record_success(probe)
    breaker.record_failure(probe)  # reported twice: the second is ignored
    assert breaker.state is BreakerState.CLOSED


def test_closing_resets_the_window(clock: FakeClock) -> None:
    breaker, _ = make(clock)
    fail(breaker, 3)
    clock.advance(5.0)
    probe = breaker.try_acquire()
    assert probe is not None
    breaker.record_success(probe)
    fail(breaker, 2)
    assert breaker.state is BreakerState.CLOSED


@pytest.mark.parametrize(
    "kw", [{"failure_threshold": 0}, {"failure_ratio": 0.0}, {"failure_ratio": 1.5}, {"window_s": 0.0}]
)
def test_rejects_invalid_parameters(kw: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="invalid"):
        CircuitBreaker(**kw)  # type: ignore[arg-type]
