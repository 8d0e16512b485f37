"""Prometheus metrics of the department connectors, one label per department.

    familiehub_connector_requests_total{department,outcome}       HTTP attempts sent, by outcome
    familiehub_connector_request_duration_seconds{department}     latency of each attempt (histogram)
    familiehub_connector_retries_total{department}                retries made (after the first attempt)
    familiehub_connector_errors_total{department,code,reason}     calls that failed, by error code and reason
    familiehub_connector_breaker_state{department}                0 closed, 1 half-open, 2 open
    familiehub_connector_in_flight{department}                    requests in flight (bulkhead occupancy)

The metrics live on the `CollectorRegistry` given to `ConnectorMetrics`: the app passes the hub's registry,
tests their own. Nothing registers on prometheus_client's global default registry. Labels carry departments
and fixed vocabularies only, never anything about a person.
"""

from __future__ import annotations

from enum import StrEnum

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from connectors.base import BreakerState
from hub.domain import Department

BREAKER_STATE_VALUE: dict[BreakerState, int] = {
    BreakerState.CLOSED: 0,
    BreakerState.HALF_OPEN: 1,
    BreakerState.OPEN: 2,
}

# Department calls on a local network: milliseconds to a few seconds.
_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Outcome(StrEnum):
    """How one HTTP attempt ended (the `outcome` label)."""

    SUCCESS = "success"
    TIMEOUT = "timeout"
    CONNECT_ERROR = "connect_error"
    SERVER_ERROR = "server_error"  # 5xx
    RATE_LIMITED = "rate_limited"  # 429
    UNAUTHORIZED = "unauthorized"  # 401/403
    CLIENT_ERROR = "client_error"  # any other 4xx
    BAD_RESPONSE = "bad_response"  # answered, but the body was malformed or violated the schema
    CANCELLED = "cancelled"


class ConnectorMetrics:
    """The connector metrics on one registry, shared by all five connectors."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "familiehub_connector_requests_total",
            "HTTP attempts sent to a department system, by outcome.",
            ["department", "outcome"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "familiehub_connector_request_duration_seconds",
            "Latency of each HTTP attempt to a department system.",
            ["department"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.retries = Counter(
            "familiehub_connector_retries_total",
            "Retries made to a department system after a transient failure.",
            ["department"],
            registry=self.registry,
        )
        self.errors = Counter(
            "familiehub_connector_errors_total",
            "Connector calls that failed, by GraphQL error code and reason.",
            ["department", "code", "reason"],
            registry=self.registry,
        )
        self.breaker_state = Gauge(
            "familiehub_connector_breaker_state",
            "Circuit breaker state per department: 0 closed, 1 half-open, 2 open.",
            ["department"],
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "familiehub_connector_in_flight",
            "Requests in flight to a department system.",
            ["department"],
            registry=self.registry,
        )

    def set_breaker_state(self, department: Department, state: BreakerState) -> None:
        self.breaker_state.labels(department=department.value).set(BREAKER_STATE_VALUE[state])
