"""The finer connector errors, below the tree in connectors/base.py, and which of them are transient.

    ConnectorError
    ├── DepartmentUnavailable                      DEPARTMENT_UNAVAILABLE
    │   ├── DepartmentUnauthorized                 401/403: our credential is wrong (never retried)
    │   ├── DepartmentRejected                     any other 4xx or an unexpected status (never retried)
    │   ├── DepartmentServerError                  500, 501, ... (not retried: may be deterministic)
    │   ├── DepartmentTransientError  (retried)
    │   │   ├── DepartmentTimeout                  connect or read timed out
    │   │   ├── DepartmentConnectionError          refused, reset, dropped mid-response
    │   │   ├── DepartmentOverloaded               502, 503, 504
    │   │   └── DepartmentRateLimited              429, with the Retry-After it asked for
    │   ├── CircuitOpen                            refused locally: the breaker is open
    │   ├── BulkheadFull                           refused locally: too many calls in flight too long
    │   ├── DepartmentSlow                         no answer within the view's latency budget (connectors/latency.py)
    │   └── DeadlineExceeded                       the request's deadline ran out
    └── DepartmentBadResponse                      DEPARTMENT_BAD_RESPONSE: malformed or schema-violating

Callers outside `connectors/` need only the two codes; the subclasses drive retries (only
`DepartmentTransientError` is retried) and label the metrics (`metric_reason`, a fixed vocabulary).
Messages name the department and what went wrong, never a person.
"""

from __future__ import annotations

from connectors.base import (
    ConnectorError,
    DepartmentBadResponse,
    DepartmentUnauthorized,
    DepartmentUnavailable,
)
from hub.domain import Department


class DepartmentRejected(DepartmentUnavailable):
    metric_reason = "rejected"


class DepartmentServerError(DepartmentUnavailable):
    metric_reason = "server_error"


class DepartmentTransientError(DepartmentUnavailable):
    """A failure worth retrying (for idempotent reads, within the deadline and the retry budget)."""

    metric_reason = "transient"


class DepartmentTimeout(DepartmentTransientError):
    metric_reason = "timeout"


class DepartmentConnectionError(DepartmentTransientError):
    metric_reason = "connection"


class DepartmentOverloaded(DepartmentTransientError):
    metric_reason = "overloaded"


class DepartmentRateLimited(DepartmentTransientError):
    metric_reason = "rate_limited"

    def __init__(self, department: Department, reason: str, *, retry_after: float | None) -> None:
        super().__init__(department, reason)
        self.retry_after = retry_after


class CircuitOpen(DepartmentUnavailable):
    metric_reason = "breaker_open"


class BulkheadFull(DepartmentUnavailable):
    metric_reason = "bulkhead_full"


class DepartmentSlow(DepartmentUnavailable):
    """The department did not answer within the view's latency budget; the call may still finish."""

    metric_reason = "slow"


class DeadlineExceeded(DepartmentUnavailable):
    metric_reason = "deadline"


def metric_reason(error: ConnectorError) -> str:
    """The `reason` label for an error: a small fixed vocabulary, safe for any metrics backend."""
    reason = getattr(error, "metric_reason", None)
    if isinstance(reason, str):
        return reason
    if isinstance(error, DepartmentUnauthorized):
        return "unauthorized"
    if isinstance(error, DepartmentBadResponse):
        return "bad_response"
    return "unavailable"


__all__ = [
    "BulkheadFull",
    "CircuitOpen",
    "DeadlineExceeded",
    "DepartmentConnectionError",
    "DepartmentOverloaded",
    "DepartmentRateLimited",
    "DepartmentRejected",
    "DepartmentServerError",
    "DepartmentSlow",
    "DepartmentTimeout",
    "DepartmentTransientError",
    "metric_reason",
]
