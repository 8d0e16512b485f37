"""Translating what a department's HTTP answer or failure means into the connector error tree.

`map_exceptions` is the one place foreign exceptions (httpx, aiohttp, asyncio timeouts, JSON, pydantic) become
ours, like httpx's `map_httpcore_exceptions`; `status_error` does the same for HTTP statuses. Nothing here
puts a body, a URL or a person into a message: body faults keep only their shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import aiohttp
import httpx
import pydantic

from connectors.base import ConnectorError, DepartmentBadResponse, DepartmentUnauthorized
from connectors.errors import (
    DepartmentConnectionError,
    DepartmentOverloaded,
    DepartmentRateLimited,
    DepartmentRejected,
    DepartmentServerError,
    DepartmentTimeout,
)
from connectors.metrics import Outcome
from hub.domain import Department

# Most specific source class wins (TimeoutError is an OSError; aiohttp's timeouts are connection errors).
_TRANSPORT_ERRORS: dict[type[BaseException], type[ConnectorError]] = {
    httpx.TimeoutException: DepartmentTimeout,
    TimeoutError: DepartmentTimeout,
    aiohttp.ServerTimeoutError: DepartmentTimeout,
    httpx.TransportError: DepartmentConnectionError,
    httpx.UnsupportedProtocol: DepartmentRejected,  # a misconfigured base URL: retrying cannot help
    aiohttp.ClientError: DepartmentConnectionError,
    OSError: DepartmentConnectionError,
}
_TRANSPORT_REASONS: dict[type[ConnectorError], str] = {
    DepartmentTimeout: "timed out",
    DepartmentConnectionError: "connection failed",
    DepartmentRejected: "request could not be sent",
}


@contextmanager
def map_exceptions(department: Department) -> Iterator[None]:
    """Translate foreign exceptions raised inside into the connector error tree."""
    try:
        yield
    except ConnectorError:
        raise
    except (pydantic.ValidationError, json.JSONDecodeError, UnicodeDecodeError, httpx.DecodingError) as exc:
        # `from None`: these exceptions carry the body (names, CPR numbers) and a logged traceback would
        # print it. The reason keeps only the shape of the fault.
        raise DepartmentBadResponse(department, _body_fault(exc)) from None
    except Exception as exc:
        target = _most_specific(_origin(exc))
        if target is None:
            raise
        raise target(department, _TRANSPORT_REASONS[target]) from exc


def _origin(exc: Exception) -> BaseException:
    """The aiohttp exception behind an httpx one. httpx-aiohttp's own mapping is coarse (a dropped connection
    arrives as httpx.ConnectTimeout), so we judge by the original."""
    cause = exc.__cause__
    if isinstance(exc, httpx.HTTPError) and isinstance(cause, aiohttp.ClientError | TimeoutError | OSError):
        return cause
    return exc


def _most_specific(exc: BaseException) -> type[ConnectorError] | None:
    matching = [source for source in _TRANSPORT_ERRORS if isinstance(exc, source)]
    # The source class that is a subclass of every other match; ties go to the table's order.
    for source in matching:
        if all(issubclass(source, other) or not issubclass(other, source) for other in matching):
            return _TRANSPORT_ERRORS[source]
    return None


def _body_fault(exc: Exception) -> str:
    if isinstance(exc, pydantic.ValidationError):
        first = exc.errors(include_input=False, include_url=False)[0]
        return f"response violates the schema at {_safe_loc(first['loc'])} ({first['type']})"
    return "response body is not valid JSON"


def _safe_loc(loc: tuple[int | str, ...]) -> str:
    # A location may run through a mapping keyed by CPR number: show positions and field names only.
    parts = [str(p) if isinstance(p, int) or not any(c.isdigit() for c in p) else "*" for p in loc]
    return ".".join(parts) or "<root>"


def status_error(department: Department, response: httpx.Response) -> ConnectorError:
    """The error for a non-2xx status."""
    status = response.status_code
    if status in (401, 403):
        return DepartmentUnauthorized(department, f"credential refused (HTTP {status})")
    if status == 429:
        return DepartmentRateLimited(
            department, "rate limited (HTTP 429)", retry_after=parse_retry_after(response.headers)
        )
    if status in (502, 503, 504):
        return DepartmentOverloaded(department, f"HTTP {status}")
    if status >= 500:
        return DepartmentServerError(department, f"HTTP {status}")
    return DepartmentRejected(department, f"unexpected HTTP {status}")


def parse_retry_after(headers: httpx.Headers, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds to wait: delta-seconds or an HTTP date; None when absent or unreadable."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


_OUTCOMES: tuple[tuple[type[ConnectorError], Outcome], ...] = (
    (DepartmentTimeout, Outcome.TIMEOUT),
    (DepartmentConnectionError, Outcome.CONNECT_ERROR),
    (DepartmentRateLimited, Outcome.RATE_LIMITED),
    (DepartmentOverloaded, Outcome.SERVER_ERROR),
    (DepartmentServerError, Outcome.SERVER_ERROR),
    (DepartmentUnauthorized, Outcome.UNAUTHORIZED),
    (DepartmentBadResponse, Outcome.BAD_RESPONSE),
)


def outcome_of(error: ConnectorError) -> Outcome:
    return next((o for cls, o in _OUTCOMES if isinstance(error, cls)), Outcome.CLIENT_ERROR)
