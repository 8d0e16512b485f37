"""The shared HTTP machinery of every department connector: one client per department on aiohttp's engine,
and the resilience around each call (deadline, circuit breaker, bulkhead, retries with a budget).

    call(method, path, idempotent=..., deadline=..., parse=...)
      ├── breaker permit (one per call, retries included) -> still inside a Retry-After? fail fast
      └── tenacity: retry only DepartmentTransientError, only idempotent reads, full-jitter backoff or the
          department's Retry-After (only if it fits the deadline), stop on max attempts / deadline / spent
          retry budget; then the breaker hears the call's outcome and duration
            └── one attempt: deadline left? breaker not opened meanwhile? -> bulkhead slot -> HTTP -> parse

Foreign exceptions become the connector error tree in one place, `connectors._mapping.map_exceptions`,
like httpx's `map_httpcore_exceptions`. This module never logs or raises anything
about a person: not a CPR number, not a body, not a URL with personal data in it (connectors only ever put
CPR numbers in request bodies).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any, TypeVar

import aiohttp
import httpx
import orjson
import yarl
from httpx_aiohttp import AiohttpTransport
from multidict import CIMultiDict
from prometheus_client import Counter
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type

from connectors._mapping import map_exceptions, outcome_of, status_error
from connectors.base import BreakerState, ConnectorError, Deadline
from connectors.breaker import CircuitBreaker
from connectors.budget import RetryBudget
from connectors.config import ConnectorConfig
from connectors.errors import (
    BulkheadFull,
    CircuitOpen,
    DeadlineExceeded,
    DepartmentRateLimited,
    DepartmentServerError,
    DepartmentTimeout,
    DepartmentTransientError,
    metric_reason,
)
from connectors.metrics import ConnectorMetrics, Outcome
from hub import tracing
from hub.domain import Department

log = logging.getLogger("connectors")

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


class AuthStyle(StrEnum):
    BEARER = "bearer"  # Authorization: Bearer <credential>
    API_KEY = "api_key"  # X-API-Key: <credential>


def auth_headers(style: AuthStyle, credential: str) -> dict[str, str]:
    if style is AuthStyle.BEARER:
        return {"Authorization": f"Bearer {credential}"}
    return {"X-API-Key": credential}


def build_client(
    config: ConnectorConfig, auth: AuthStyle, *, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """One long-lived client per department on the aiohttp transport (plain httpx's pool collapses under
    concurrency, encode/httpx#3215). `trust_env=False`: proxy variables would otherwise mount plain httpx
    transports behind our back."""
    if transport is None:
        transport = AiohttpTransport(
            limits=httpx.Limits(
                max_connections=config.max_concurrency,
                max_keepalive_connections=config.max_concurrency,
                keepalive_expiry=config.keepalive_expiry_s,
            )
        )
    return httpx.AsyncClient(
        base_url=config.base_url,
        transport=transport,
        timeout=httpx.Timeout(
            connect=config.connect_timeout_s,
            read=config.read_timeout_s,
            write=config.read_timeout_s,
            pool=config.connect_timeout_s,
        ),
        headers={**auth_headers(auth, config.credential), "Accept": "application/json"},
        follow_redirects=False,
        trust_env=False,
    )


class _Answer:
    """A department's answer, read: status, raw headers and body."""

    __slots__ = ("body", "raw_headers", "status")

    def __init__(self, status: int, raw_headers: Any, body: bytes) -> None:
        self.status = status
        self.raw_headers = raw_headers
        self.body = body

    def as_httpx(self) -> httpx.Response:
        """For `status_error` (status and Retry-After), on the rare non-2xx answer."""
        return httpx.Response(self.status, headers=list(self.raw_headers), content=self.body)


# -- the resilient call ------------------------------------------------------------------------------


class DepartmentHttp:
    """One department's client with its breaker, bulkhead, retry budget and metrics."""

    def __init__(
        self,
        department: Department,
        config: ConnectorConfig,
        client: httpx.AsyncClient,
        *,
        metrics: ConnectorMetrics,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.department = department
        self.config = config
        self.client = client
        self.metrics = metrics
        self._sleep = sleep
        self._clock = clock
        self._rate_limited_until = 0.0  # until then (clock time) the department asked us to stay away
        self._rng = rng or random.Random()  # noqa: S311  # jitter, not cryptography
        self._label = department.value
        self.breaker = CircuitBreaker(
            failure_threshold=config.breaker_failure_threshold,
            failure_ratio=config.breaker_failure_ratio,
            window_s=config.breaker_window_s,
            cooldown_s=config.breaker_cooldown_s,
            slow_call_s=config.breaker_slow_call_s,
            slow_call_ratio=config.breaker_slow_call_ratio,
            clock=clock,
            on_state_change=self._on_breaker_change,
        )
        self.budget = RetryBudget(
            ratio=config.retry_budget_ratio,
            min_per_s=config.retry_budget_min_per_s,
            capacity=config.retry_budget_capacity,
            clock=clock,
        )
        self._bulkhead = asyncio.Semaphore(config.max_concurrency)
        # For the direct aiohttp path (`_exchange`): the client's headers (auth, Accept, httpx's defaults)
        # and each path's URL, built once.
        self._base_url = client.base_url
        self._headers: CIMultiDict[str] = CIMultiDict(client.headers.multi_items())
        self._headers["Content-Type"] = "application/json"
        self._urls: dict[str, yarl.URL] = {}
        self._error_counters: dict[tuple[str, str], Counter] = {}
        # The metrics' children, looked up once (a `labels()` call per request is a lock and a dict build).
        self._in_flight = metrics.in_flight.labels(department=self._label)
        self._duration = metrics.duration.labels(department=self._label)
        self._requests: dict[Outcome, Counter] = {}  # made on first use: a series appears once it counts
        metrics.set_breaker_state(department, BreakerState.CLOSED)
        self._in_flight.set(0)

    async def call(
        self,
        method: str,
        path: str,
        *,
        deadline: Deadline,
        parse: Callable[[Any], T],
        json_body: Any = None,
        idempotent: bool,
    ) -> T:
        """One logical call, retried as allowed; `parse` maps the decoded JSON (raising pydantic or our own
        errors, which become DepartmentBadResponse). Raises a ConnectorError, never anything foreign.

        The breaker judges the call, not each attempt: it failed only if its retries failed too."""
        permit = self.breaker.try_acquire()  # the fast path when open: no retry machinery, no I/O
        if permit is None:
            refused = CircuitOpen(self.department, "circuit breaker open")
            self._failed(refused)
            raise refused
        wait = self._rate_limited_until - self._clock()
        if wait > 0:  # the department asked us to stay away (Retry-After) and the time has not passed
            self.breaker.release(permit)
            limited = DepartmentRateLimited(
                self.department, "rate limited: waiting out the department's Retry-After", retry_after=wait
            )
            self._failed(limited)
            raise limited
        self.budget.record_request()
        try:
            result = await self._attempts(method, path, json_body, deadline, parse, idempotent=idempotent)
        except (DepartmentTransientError, DepartmentServerError) as error:
            self.breaker.record_failure(permit)  # retries (if any) failed too
            if deadline.remaining() > 0 or not isinstance(error, DepartmentTransientError):
                self._failed(error)
                raise
            expired = DeadlineExceeded(self.department, "deadline exceeded")
            self._failed(expired)
            raise expired from error
        except (CircuitOpen, BulkheadFull, DeadlineExceeded) as error:
            self.breaker.release(permit)  # refused or cut off on our side: only its duration counts
            self._failed(error)
            raise
        except ConnectorError as error:
            self.breaker.record_success(permit)  # it answered: alive, even if it refused us or answered badly
            self._failed(error)
            raise
        except BaseException:  # cancelled, or a bug: the department told us nothing
            self.breaker.release(permit)
            raise
        self.breaker.record_success(permit)
        return result

    async def get_status(self, path: str, *, timeout_s: float) -> int:
        """One plain GET outside breaker, bulkhead and retries, for health probes. Raises ConnectorError."""
        with map_exceptions(self.department):
            async with asyncio.timeout(timeout_s):
                response = await self.client.get(path, timeout=timeout_s)
        return response.status_code

    async def aclose(self) -> None:
        await self.client.aclose()

    async def _attempts(
        self,
        method: str,
        path: str,
        json_body: Any,
        deadline: Deadline,
        parse: Callable[[Any], T],
        *,
        idempotent: bool,
    ) -> T:
        """The attempts of one call under tenacity: retry only DepartmentTransientError; after a failure the
        backoff, then whether to stop (attempts, deadline, idempotency, retry budget), then `_before_retry` and
        the sleep."""

        def error_of(rs: RetryCallState) -> ConnectorError:
            error = rs.outcome.exception() if rs.outcome is not None else None
            if not isinstance(error, ConnectorError):  # retry_if_exception_type admits only these
                raise TypeError(f"tenacity retried a {type(error).__name__}")
            return error

        retrying = AsyncRetrying(
            retry=retry_if_exception_type(DepartmentTransientError),
            wait=lambda rs: self._backoff(rs.attempt_number, error_of(rs)),
            stop=lambda rs: self._should_stop(
                rs.attempt_number, error_of(rs), rs.upcoming_sleep, deadline, idempotent=idempotent
            ),
            sleep=self._sleep,
            before_sleep=lambda rs: self._before_retry(rs.attempt_number, error_of(rs)),
            reraise=True,
        )
        async for attempt in retrying:
            with (
                attempt,
                tracing.span(
                    "department call",
                    department=self._label,
                    attempt=attempt.retry_state.attempt_number,
                    breaker=self.breaker.state.value,
                ),
            ):
                return await self._attempt(method, path, json_body, deadline, parse)
        raise AssertionError("tenacity ended without an outcome")  # reraise=True: never reached

    # -- one attempt --------------------------------------------------------------------------------------

    async def _attempt(
        self, method: str, path: str, json_body: Any, deadline: Deadline, parse: Callable[[Any], T]
    ) -> T:
        if deadline.expired:
            raise DeadlineExceeded(self.department, "deadline exceeded")
        if self.breaker.state is BreakerState.OPEN:  # other calls opened it meanwhile: stop retrying
            raise CircuitOpen(self.department, "circuit breaker open")
        await self._enter_bulkhead(deadline)
        in_flight = self._in_flight
        in_flight.inc()
        try:
            return await self._send(method, path, json_body=json_body, deadline=deadline, parse=parse)
        finally:
            in_flight.dec()
            self._bulkhead.release()

    async def _enter_bulkhead(self, deadline: Deadline) -> None:
        if not self._bulkhead.locked():  # a slot is free and nobody queues: taken at once, no timer
            await self._bulkhead.acquire()
            return
        wait = min(deadline.remaining(), self.config.bulkhead_max_wait_s)
        try:
            async with asyncio.timeout(wait):
                await self._bulkhead.acquire()
        except TimeoutError:
            raise BulkheadFull(self.department, "too many requests in flight") from None

    async def _send(
        self,
        method: str,
        path: str,
        *,
        json_body: Any,
        deadline: Deadline,
        parse: Callable[[Any], T],
    ) -> T:
        cfg = self.config
        remaining = deadline.remaining()
        clipped = remaining < cfg.connect_timeout_s + cfg.read_timeout_s  # the deadline, not the department
        started = time.perf_counter()
        try:
            with map_exceptions(self.department):
                # aiohttp's read timeout restarts on every chunk; this caps the whole attempt by the deadline.
                async with asyncio.timeout(min(remaining, cfg.connect_timeout_s + cfg.read_timeout_s)):
                    response = await self._exchange(method, path, json_body, remaining)
        except DepartmentTransientError as error:
            self._observe(started, outcome_of(error))
            if isinstance(error, DepartmentTimeout) and clipped and deadline.remaining() <= 0.001:
                # our deadline ran out; says nothing about the department (but the breaker counts slowness)
                raise DeadlineExceeded(self.department, "deadline exceeded") from error
            raise
        except ConnectorError as error:
            self._observe(started, outcome_of(error))
            raise
        except BaseException:  # cancelled, or a bug: the department told us nothing
            self._observe(started, Outcome.CANCELLED)
            raise

        if not 200 <= response.status < 300:
            refusal = status_error(self.department, response.as_httpx())
            self._observe(started, outcome_of(refusal))
            if isinstance(refusal, DepartmentRateLimited) and refusal.retry_after:
                self._rate_limited_until = max(self._rate_limited_until, self._clock() + refusal.retry_after)
            raise refusal
        try:
            with map_exceptions(self.department):
                result = parse(orjson.loads(response.body))  # JSON is UTF-8; orjson's error is json's
        except ConnectorError as error:
            self._observe(started, outcome_of(error))
            raise
        self._observe(started, Outcome.SUCCESS)
        return result

    async def _exchange(self, method: str, path: str, json_body: Any, remaining: float) -> _Answer:
        """One HTTP exchange, its body read. On the client's own aiohttp transport the request goes straight
        to the transport's aiohttp session: URL and headers built once per department and path, the JSON
        body encoded by orjson, no httpx request or response objects (their URL parsing, header
        normalisation and per-request client work were most of a call's CPU). Any other transport (a test's
        `httpx.MockTransport`, respx, which patches `_transport_for_url`) goes through `client.request` as
        before. The same headers, timeouts (connect/read/pool clipped to the deadline) and redirect policy
        (none) either way; aiohttp's errors are mapped by `map_exceptions` as httpx-aiohttp's were."""
        cfg = self.config
        client = self.client
        # As client.request would: after aclose, never open a new aiohttp session (nothing would close it).
        if client.is_closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        transport = client._transport_for_url(self._base_url)  # what client.request would pick
        if type(transport) is not AiohttpTransport:
            timeout = httpx.Timeout(
                connect=min(cfg.connect_timeout_s, remaining),
                read=min(cfg.read_timeout_s, remaining),
                write=min(cfg.read_timeout_s, remaining),
                pool=min(cfg.connect_timeout_s, remaining),
            )
            reply = await client.request(
                method, path, json=json_body, timeout=timeout, headers=self._trace_headers()
            )
            return _Answer(reply.status_code, reply.headers.raw, reply.content)
        session = transport.client
        if not isinstance(session, aiohttp.ClientSession):
            session = transport.client = transport.get_client()
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = yarl.URL(str(client._merge_url(path)), encoded=True)
        headers = self._headers
        trace = self._trace_headers()
        if trace:
            headers = CIMultiDict(headers)
            headers.update(trace)
        async with session.request(
            method,
            url,
            headers=headers,
            data=None if json_body is None else orjson.dumps(json_body),
            allow_redirects=False,
            compress=False,
            timeout=aiohttp.ClientTimeout(
                sock_connect=min(cfg.connect_timeout_s, remaining),
                sock_read=min(cfg.read_timeout_s, remaining),
                connect=min(cfg.connect_timeout_s, remaining),
            ),
        ) as answer:
            return _Answer(answer.status, answer.raw_headers, await answer.read())

    @staticmethod
    def _trace_headers() -> dict[str, str] | None:
        if not tracing.enabled():
            return None
        headers: dict[str, str] = {}
        tracing.inject(headers)  # W3C traceparent: the department's logs join the hub's trace
        return headers

    def _observe(self, started: float, outcome: Outcome) -> None:
        self._duration.observe(time.perf_counter() - started)
        counter = self._requests.get(outcome)
        if counter is None:
            counter = self._requests[outcome] = self.metrics.requests.labels(
                department=self._label, outcome=outcome.value
            )
        counter.inc()

    # -- retry policy ---------------------------------------------------------------------------------------

    def _should_stop(
        self,
        attempt: int,
        error: ConnectorError,
        upcoming_sleep: float,
        deadline: Deadline,
        *,
        idempotent: bool,
    ) -> bool:
        if not idempotent or attempt >= self.config.max_attempts:
            return True
        if (
            isinstance(error, DepartmentRateLimited)
            and (error.retry_after or 0.0) > self.config.retry_after_cap_s
        ):
            return True  # it asked us to stay away longer than we may wait
        if upcoming_sleep >= deadline.remaining():
            return True
        if not self.budget.try_withdraw():
            log.warning("retry budget spent, not retrying", extra={"department": self._label})
            return True
        return False

    def _backoff(self, attempt: int, error: ConnectorError) -> float:
        if isinstance(error, DepartmentRateLimited) and error.retry_after is not None:
            return error.retry_after
        ceiling = min(self.config.backoff_max_s, self.config.backoff_initial_s * 2 ** (attempt - 1))
        return self._rng.uniform(0.0, ceiling)  # full jitter: callers that failed together spread out

    def _before_retry(self, attempt: int, error: ConnectorError) -> None:
        self.metrics.retries.labels(department=self._label).inc()
        reason = metric_reason(error)
        log.info(
            "retrying department call",
            extra={"department": self._label, "attempt": attempt, "reason": reason},
        )

    # -- bookkeeping -------------------------------------------------------------------------------------

    def _failed(self, error: ConnectorError) -> None:
        reason = metric_reason(error)
        counter = self._error_counters.get((error.code, reason))
        if counter is None:
            counter = self.metrics.errors.labels(department=self._label, code=error.code, reason=reason)
            self._error_counters[(error.code, reason)] = counter
        counter.inc()
        # Refusals while the breaker is open are expected and may come thousands a second: the state change
        # itself is logged once, at warning.
        level = logging.DEBUG if isinstance(error, CircuitOpen) else logging.WARNING
        log.log(
            level,
            "department call failed: %s",
            error.reason,
            extra={"department": self._label, "code": error.code, "reason": reason},
        )

    def _on_breaker_change(self, old: BreakerState, new: BreakerState) -> None:
        self.metrics.set_breaker_state(self.department, new)
        log.warning("circuit breaker %s -> %s", old.value, new.value, extra={"department": self._label})
