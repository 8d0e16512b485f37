"""Fault configuration validation, seeded decisions and body mangling, without a server."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from connectors.mock.faults import Fault, FaultConfig, FaultInjector, InvalidFaults, MalformedMode, malform


def test_empty_config_is_inactive_and_decides_nothing() -> None:
    injector = FaultInjector()
    assert not injector.config.active
    assert {injector.decide().fault for _ in range(50)} == {None}


def test_round_trip_through_json() -> None:
    config = FaultConfig.from_json({"latency_ms": 10, "error_rate": 0.25, "error_status": 503, "seed": 4})
    assert FaultConfig.from_json(config.to_json()) == config
    assert FaultConfig.from_env(json.dumps(config.to_json())) == config
    assert FaultConfig.from_env("  ") == FaultConfig()
    assert FaultConfig.from_env(None) == FaultConfig()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"bogus": 1}, "unknown fields: bogus"),
        ({"error_rate": -0.1}, "error_rate"),
        ({"error_status": 418}, "error_status"),
        ({"jitter_ms": 1.5}, "jitter_ms"),
        ({"hang_rate": 0.5, "drop_rate": 0.3, "malformed_rate": 0.3}, "sum"),
        ({"malformed_mode": 3}, "malformed_mode"),
        ("nope", "JSON object"),
    ],
)
def test_invalid_configs_name_the_problem(body: object, message: str) -> None:
    with pytest.raises(InvalidFaults, match=message):
        FaultConfig.from_json(body)


def test_rates_are_honoured_and_exclusive() -> None:
    injector = FaultInjector(
        FaultConfig(
            drop_rate=0.1, hang_rate=0.1, rate_limit_rate=0.2, error_rate=0.2, malformed_rate=0.2, seed=1
        )
    )
    counts = Counter(injector.decide().fault for _ in range(5000))
    assert abs(counts[Fault.DROP] / 5000 - 0.1) < 0.02
    assert abs(counts[Fault.RATE_LIMIT] / 5000 - 0.2) < 0.03
    assert abs(counts[None] / 5000 - 0.2) < 0.03


def test_same_seed_same_decisions_and_reconfiguring_restarts_the_sequence() -> None:
    config = FaultConfig(error_rate=0.5, jitter_ms=100, seed=8)
    first = FaultInjector(config)
    second = FaultInjector(config)
    run = [first.decide() for _ in range(40)]
    assert run == [second.decide() for _ in range(40)]
    first.configure(config)
    assert [first.decide() for _ in range(40)] == run
    assert all(0 <= d.delay_s <= 0.1 for d in run)


def test_malform_invalid_json_cannot_be_parsed() -> None:
    body = json.dumps({"a": [1, 2, 3], "b": "text"}).encode()
    with pytest.raises(json.JSONDecodeError):
        json.loads(malform(body, MalformedMode.INVALID_JSON))


def test_malform_schema_keeps_json_but_changes_every_type() -> None:
    original = {"id": "x", "count": 3, "flag": True, "items": [1], "nested": {"a": 1}, "none": None}
    broken = json.loads(malform(json.dumps(original).encode(), MalformedMode.SCHEMA))
    assert set(broken) == set(original)
    for key, value in original.items():
        assert type(broken[key]) is not type(value), key
