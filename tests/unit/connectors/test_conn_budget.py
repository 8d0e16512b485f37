"""The retry budget: retries as a bounded share of normal traffic."""

from __future__ import annotations

import pytest
from connector_fakes import FakeClock

from connectors.budget import RetryBudget


def test_starts_full_and_runs_dry(clock: FakeClock) -> None:
    budget = RetryBudget(ratio=0.2, min_per_s=0.0, capacity=3.0, clock=clock)
    assert [budget.try_withdraw() for _ in range(4)] == [True, True, True, False]


def test_requests_earn_retries_at_the_ratio(clock: FakeClock) -> None:
    budget = RetryBudget(ratio=0.2, min_per_s=0.0, capacity=10.0, clock=clock)
    while budget.try_withdraw():
        pass
    for _ in range(10):
        budget.record_request()
    # 10 requests at 20 % buy two retries, not three.
    assert [budget.try_withdraw() for _ in range(3)] == [True, True, False]


def test_time_trickles_tokens_back_up_to_capacity(clock: FakeClock) -> None:
    budget = RetryBudget(ratio=0.0, min_per_s=1.0, capacity=2.0, clock=clock)
    assert budget.try_withdraw()
    assert budget.try_withdraw()
    assert not budget.try_withdraw()
    clock.advance(1.0)
    assert budget.try_withdraw()
    clock.advance(100.0)
    assert budget.tokens == pytest.approx(2.0)


def test_rejects_negative_parameters() -> None:
    with pytest.raises(ValueError, match="negative"):
        RetryBudget(ratio=-0.1)
