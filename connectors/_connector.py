"""The one `DepartmentConnector` over HTTP; each department subclasses it for its own wire format.

A subclass says how to ask (its batch path and request body), how to authenticate (bearer or API key) and
how to read the answer (its pydantic wire models mapped into connectors/records.py). Everything else —
dedupe, chunking by the batch limit, concurrent chunks within the bulkhead, deadline, retries, breaker,
metrics, the health probe — lives here once, so a sixth department is one small module.

It never logs or raises with a CPR number; it never answers about a person it was not asked about.
"""

from __future__ import annotations

import asyncio
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import httpx

from connectors._http import AuthStyle, Clock, DepartmentHttp, Sleep, build_client
from connectors.base import (
    BreakerState,
    ConnectorError,
    ConnectorHealth,
    Deadline,
    DepartmentBadResponse,
    LookupResult,
)
from connectors.config import ConnectorConfig
from connectors.metrics import ConnectorMetrics
from hub.cpr import normalize
from hub.domain import Department

_PROBE_TIMEOUT_S = 1.0


class HttpDepartmentConnector(ABC):
    DEPARTMENT: ClassVar[Department]
    AUTH: ClassVar[AuthStyle]
    BATCH_PATH: ClassVar[str]
    HEALTH_PATH: ClassVar[str] = "/health"

    def __init__(
        self,
        config: ConnectorConfig,
        *,
        metrics: ConnectorMetrics | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        """`transport` is for tests only (an `httpx.MockTransport`); by default the aiohttp transport."""
        self.department: Department = self.DEPARTMENT
        self.batch_limit: int = config.batch_limit
        self.config = config
        self.metrics = metrics if metrics is not None else ConnectorMetrics()
        self.http = DepartmentHttp(
            self.DEPARTMENT,
            config,
            build_client(config, self.AUTH, transport=transport),
            metrics=self.metrics,
            clock=clock,
            sleep=sleep,
            rng=rng,
        )

    @property
    def client(self) -> httpx.AsyncClient:
        return self.http.client

    @property
    def breaker_state(self) -> BreakerState:
        return self.http.breaker.state

    # -- the DepartmentConnector protocol ----------------------------------------------------------

    async def fetch_many(
        self, cprs: Sequence[str], *, deadline: Deadline | None = None
    ) -> Mapping[str, LookupResult]:
        # Departments key by the 10-digit form; the answer is keyed by exactly what the caller asked.
        asked = {cpr: normalize(cpr) for cpr in cprs}  # InvalidCPR (no value in its message) before any call
        unique = list(dict.fromkeys(asked.values()))
        if not unique:
            return {}
        deadline = deadline or Deadline.after(self.config.default_deadline_s)
        limit = self.batch_limit
        chunks = [unique[i : i + limit] for i in range(0, len(unique), limit)]
        merged: dict[str, LookupResult] = {}
        if len(chunks) == 1:
            merged = await self._fetch_chunk(chunks[0], deadline)
        else:
            # Chunks run concurrently; the bulkhead bounds how many reach the department at once. The first
            # failure cancels the rest: the department as a whole could not answer.
            try:
                async with asyncio.TaskGroup() as group:
                    tasks = [group.create_task(self._fetch_chunk(chunk, deadline)) for chunk in chunks]
            except* ConnectorError as failures:
                raise failures.exceptions[0] from None
            for task in tasks:
                merged.update(task.result())
        return {original: merged[normal] for original, normal in asked.items()}

    async def probe(self) -> ConnectorHealth:
        """Is the department up? Never calls it while the breaker is open: that state is the answer."""
        state = self.http.breaker.state
        if state is BreakerState.OPEN:
            retry_in = self.http.breaker.retry_in
            return ConnectorHealth(
                self.DEPARTMENT, state, None, f"breaker open, probing again in {retry_in:.1f}s"
            )
        try:
            status = await self.http.get_status(self.HEALTH_PATH, timeout_s=_PROBE_TIMEOUT_S)
        except ConnectorError as error:
            return ConnectorHealth(self.DEPARTMENT, state, False, error.reason)
        ok = 200 <= status < 300
        return ConnectorHealth(self.DEPARTMENT, state, ok, "ok" if ok else f"HTTP {status}")

    async def aclose(self) -> None:
        await self.http.aclose()

    # -- what a department supplies ----------------------------------------------------------------

    @abstractmethod
    def batch_body(self, cprs: Sequence[str]) -> Any:
        """The JSON body of one batch look-up for these (at most `batch_limit`) CPR numbers."""

    @abstractmethod
    def parse_batch(self, body: Any) -> dict[str, LookupResult]:
        """Map one decoded batch answer into records and NOT_REGISTERED, keyed by CPR number.

        Raise pydantic.ValidationError (or DepartmentBadResponse) for a body that breaks the contract."""

    # -- internals ---------------------------------------------------------------------------------

    async def _fetch_chunk(self, chunk: list[str], deadline: Deadline) -> dict[str, LookupResult]:
        def parse(body: Any) -> dict[str, LookupResult]:
            return self._answered_exactly(self.parse_batch(body), chunk)

        # A batch look-up is a POST but only reads: safe to retry.
        return await self.http.call(
            "POST",
            self.BATCH_PATH,
            json_body=self.batch_body(chunk),
            idempotent=True,
            deadline=deadline,
            parse=parse,
        )

    def _answered_exactly(self, answer: dict[str, LookupResult], asked: list[str]) -> dict[str, LookupResult]:
        asked_set = set(asked)
        if answer.keys() - asked_set:
            raise DepartmentBadResponse(self.DEPARTMENT, "answered about persons not asked for")
        missing = len(asked_set - answer.keys())
        if missing:
            raise DepartmentBadResponse(
                self.DEPARTMENT, f"left {missing} of {len(asked_set)} persons unanswered"
            )
        return answer
