"""How one department connector is configured: where the department lives, our credential, and the
numbers behind its timeouts, retries, circuit breaker and bulkhead.

Pure data. The composition root (hub/app.py) builds one `ConnectorConfig` per department from the hub's
settings; nothing here reads the environment. The credential is a secret: it never appears in `repr`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hub.domain import Department

# Where the mock department services listen by default (connectors/mock), one port per department.
DEFAULT_PORTS: dict[Department, int] = {
    Department.SOF: 8101,
    Department.BIF: 8102,
    Department.BUF: 8103,
    Department.KFF: 8104,
    Department.SUF: 8105,
}


def default_credential(department: Department) -> str:
    """The development credential the mocks accept from the hub (`HUB_<DEPT>_CREDENTIAL` overrides it)."""
    return f"dev-{department.value.lower()}-hub"


def default_base_url(department: Department, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{DEFAULT_PORTS[department]}"


@dataclass(frozen=True, slots=True)
class ConnectorConfig:
    """Everything one connector needs. The defaults suit a department on the same network as the hub."""

    base_url: str
    credential: str = field(repr=False)

    # Timeouts per attempt (seconds). The request's Deadline caps both.
    connect_timeout_s: float = 1.0
    read_timeout_s: float = 3.0
    # The deadline a call gets when the caller gives none.
    default_deadline_s: float = 8.0

    # Retries: only for idempotent reads, on transient failures.
    max_attempts: int = 3
    backoff_initial_s: float = 0.05  # full jitter: a retry waits uniform(0, min(max, initial * 2**n))
    backoff_max_s: float = 1.0
    retry_after_cap_s: float = 2.0  # a 429 asking for a longer wait than this is not retried
    # Retry budget (token bucket): retries may add at most this share on top of first attempts ...
    retry_budget_ratio: float = 0.2
    # ... plus a trickle so that a quiet hub can still retry now and then.
    retry_budget_min_per_s: float = 1.0
    retry_budget_capacity: float = 20.0

    # Circuit breaker: at least `failure_threshold` failures, and at least `failure_ratio` of the calls,
    # failing within the rolling `window_s` opens it for `cooldown_s`.
    breaker_failure_threshold: int = 5
    breaker_failure_ratio: float = 0.5
    breaker_window_s: float = 10.0
    breaker_cooldown_s: float = 5.0
    # Slow calls (as resilience4j counts them): a call that takes at least `breaker_slow_call_s`, whatever its
    # outcome, is slow; at least `failure_threshold` slow calls making at least `breaker_slow_call_ratio` of the
    # window's calls open the breaker too, so a department that hangs is opened on slowness. None: not counted.
    breaker_slow_call_s: float | None = None
    breaker_slow_call_ratio: float = 0.5

    # Bulkhead: concurrent requests in flight to this department; waiting for a slot is capped too.
    max_concurrency: int = 20
    bulkhead_max_wait_s: float = 2.0
    keepalive_expiry_s: float = 30.0

    # The department's own limit on CPR numbers per batch look-up.
    batch_limit: int = 100

    def __post_init__(self) -> None:
        positive = {
            "connect_timeout_s": self.connect_timeout_s,
            "read_timeout_s": self.read_timeout_s,
            "default_deadline_s": self.default_deadline_s,
            "breaker_window_s": self.breaker_window_s,
            "breaker_cooldown_s": self.breaker_cooldown_s,
            "bulkhead_max_wait_s": self.bulkhead_max_wait_s,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ValueError(f"{name} must be positive")
        if min(self.max_attempts, self.breaker_failure_threshold, self.max_concurrency, self.batch_limit) < 1:
            raise ValueError("attempts, breaker threshold, concurrency and batch limit must be at least 1")
        if not 0 < self.breaker_failure_ratio <= 1 or not 0 < self.breaker_slow_call_ratio <= 1:
            raise ValueError("breaker_failure_ratio and breaker_slow_call_ratio must be in (0, 1]")
        if self.breaker_slow_call_s is not None and self.breaker_slow_call_s <= 0:
            raise ValueError("breaker_slow_call_s must be positive")
        if self.retry_budget_ratio < 0 or self.retry_budget_min_per_s < 0 or self.retry_budget_capacity < 0:
            raise ValueError("retry budget parameters must not be negative")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must be an http(s) URL")

    @classmethod
    def for_department(
        cls,
        department: Department,
        *,
        base_url: str | None = None,
        credential: str | None = None,
        **overrides: Any,
    ) -> ConnectorConfig:
        """A config with development defaults: the mock's default port and the dev credential."""
        return cls(
            base_url=base_url or default_base_url(department),
            credential=credential or default_credential(department),
            **overrides,  # the numeric tuning knobs, checked in __post_init__
        )
