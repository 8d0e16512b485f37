"""A latency budget per department: how long a view waits for one department before answering without it.

    LatencyBudget.run(call, on_late=...)
      ├── the call answers within `budget_s`: its result (or its ConnectorError), as if there were no budget
      └── it does not: DepartmentSlow at once (the view serves the department's sections from the cache as
          STALE, or UNAVAILABLE), while the call goes on in the background, bounded by its own deadline and
          by `max_background` calls per department, and hands a late answer to `on_late` (to refresh the
          cache); beyond the bound the call is cancelled.

The budget counts from the request's arrival when the caller says when that was (`started`): under load a view
may wait for the CPU before it can call the department, and that wait is part of what the user waits.

The four departments that answer in 80 ms are no longer held up by the fifth that hangs. Long-lived, one per
department per hub process (hub/app.py). It never sees what a call is about.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from connectors.base import ConnectorError
from connectors.errors import DepartmentSlow
from hub.domain import Department

log = logging.getLogger("connectors")

T = TypeVar("T")

DEFAULT_MAX_BACKGROUND = 4


class LatencyBudget:
    def __init__(
        self, department: Department, budget_s: float, *, max_background: int = DEFAULT_MAX_BACKGROUND
    ) -> None:
        if budget_s <= 0 or max_background < 0:
            raise ValueError("latency budget must be positive and max_background not negative")
        self.department = department
        self.budget_s = budget_s
        self.max_background = max_background
        self._background: set[asyncio.Task[Any]] = set()

    @property
    def in_background(self) -> int:
        return len(self._background)

    def wait_s(self, started: float | None) -> float:
        """How long a call may still take: the budget counts from `started` (the request's arrival, in
        `time.monotonic()`), not from the call, so time the view spent queued for the CPU before it could call
        the department is part of the budget. At least half the budget, so an overloaded hub still gives
        every department a fair chance to answer (it is not the department that is late)."""
        if started is None:
            return self.budget_s
        return max(self.budget_s / 2, started + self.budget_s - time.monotonic())

    async def run(
        self,
        call: Coroutine[Any, Any, T],
        *,
        on_late: Callable[[T], None] | None = None,
        started: float | None = None,
    ) -> T:
        """The call's result if it comes within the budget (counted from `started`, else from now); else
        DepartmentSlow (the call may finish later)."""
        task: asyncio.Task[T] = asyncio.ensure_future(call)
        try:
            done, _ = await asyncio.wait({task}, timeout=self.wait_s(started))
        except BaseException:  # the view itself was cancelled: nobody wants the answer
            task.cancel()
            task.add_done_callback(_retrieve)
            raise
        if done:
            return task.result()
        if len(self._background) >= self.max_background:
            task.cancel()  # enough calls to this department already finish in the background
            task.add_done_callback(_retrieve)
        else:
            self._background.add(task)
            task.add_done_callback(lambda t: self._finished(t, on_late))
        raise DepartmentSlow(self.department, f"no answer within the latency budget ({self.budget_s:g}s)")

    def _finished(self, task: asyncio.Task[T], on_late: Callable[[T], None] | None) -> None:
        self._background.discard(task)
        if task.cancelled() or task.exception() is not None:
            return  # the connector has logged and counted the failure; nobody waits for it
        if on_late is not None:
            try:
                on_late(task.result())
            except Exception as exc:  # a refresh is an optimisation: never an unhandled error
                log.warning(
                    "late department answer not kept",
                    extra={"department": self.department.value, "error": type(exc).__name__},
                )

    async def aclose(self) -> None:
        """Cancel the calls still running in the background (shutdown, tests)."""
        pending = list(self._background)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, ConnectorError):
                await task


def _retrieve(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()
