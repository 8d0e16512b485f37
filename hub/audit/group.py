"""Group commit of read events: one writer task per hub process appends the events of every request waiting at
that moment in ONE transaction, and each request waits for the commit that holds its own events.

    committer = GroupCommitter(writer, max_pending=..., max_batch_events=...)
    await committer.append(events)    # returns once committed; raises AuditWriteFailed / AuditOverloaded
    done = committer.submit_later(buffer.drain)   # queued now, drained when its batch forms; await done later

A request that is about to wait for a department can start its commit early (`submit_later`): its events
are taken from its buffer when its batch is formed, so the transaction runs while the departments answer and
the response finds it committed. Whatever the request buffers after that is committed at its end as before.

Requests queue in arrival order and a batch is written in that order, so the hash chains get the entries in
the order the requests asked (`hub.audit.log.record` chains a batch as one append). While one batch is being
written the next requests queue up: under load a transaction carries many requests, at rest it carries one.

Fail closed: if the batch's transaction fails, every request in it gets `AuditWriteFailed` and must withhold
its data; none of them is told "committed". The queue is bounded (`max_pending` requests): a request that
finds it full fails at once with `AuditOverloaded` (SERVICE_OVERLOADED, HTTP 503 with Retry-After) instead of
growing memory without limit.

Across processes the chains stay one: every writer takes the chains' append lock in its transaction
(PostgreSQL: `FOR UPDATE` on the head rows; SQLite: the database write lock), so batches of different
processes interleave whole. Never logs event contents.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from hub.audit.events import AuditEvent
from hub.errors import AppError, ErrorCode
from hub.metrics import HubMetrics

logger = logging.getLogger("hub.audit.group")

# Writes one batch of events in one transaction (hub.audit.buffer.session_writer, or a test's).
BatchWriter = Callable[[Sequence[AuditEvent]], Awaitable[None]]

DEFAULT_MAX_PENDING = 1000
DEFAULT_MAX_BATCH_EVENTS = 5000
RETRY_AFTER_S = 1


class AuditOverloaded(AppError):
    """Too many requests are already waiting for the audit log: try again shortly (HTTP 503)."""

    code = ErrorCode.SERVICE_OVERLOADED

    def __init__(self, retry_after_s: int = RETRY_AFTER_S) -> None:
        super().__init__("the hub is overloaded; try again shortly", retryAfter=retry_after_s)
        self.retry_after_s = retry_after_s


class AuditWriteFailed(RuntimeError):
    """The transaction holding this request's events did not commit: the request must fail closed."""


@dataclass(slots=True)
class _Waiting:
    events: Sequence[AuditEvent]
    done: asyncio.Future[None] = field(repr=False)
    drain: Callable[[], Sequence[AuditEvent]] | None = field(default=None, repr=False)

    def take(self) -> Sequence[AuditEvent]:
        """The events, drained from the request's buffer the first time a batch looks at them."""
        if self.drain is not None:
            self.events, self.drain = list(self.drain()), None
        return self.events


class GroupCommitter:
    """One per hub process (built lazily per `Services`). Not thread-safe: one event loop."""

    def __init__(
        self,
        writer: Callable[[], BatchWriter],
        *,
        max_pending: int = DEFAULT_MAX_PENDING,
        max_batch_events: int = DEFAULT_MAX_BATCH_EVENTS,
        metrics: HubMetrics | None = None,
    ) -> None:
        # The writer is looked up per batch, so a test can swap it (inject a failure) on a running hub.
        self._writer = writer
        self.max_pending = max(1, max_pending)
        self.max_batch_events = max(1, max_batch_events)
        self._queue: deque[_Waiting] = deque()
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.batches = 0  # transactions written (tests, metrics)
        self._metrics = metrics
        if metrics is not None:
            metrics.audit_queue_depth.set_function(lambda: len(self._queue))

    @property
    def pending(self) -> int:
        return len(self._queue)

    async def append(self, events: Sequence[AuditEvent]) -> None:
        """Queue `events` for the next group commit and wait until the transaction holding them committed."""
        if not events:
            return
        # Shielded: a client that goes away does not cancel the write other requests share.
        await asyncio.shield(self._submit(list(events), None))

    def submit_later(self, drain: Callable[[], Sequence[AuditEvent]]) -> asyncio.Future[None]:
        """Queue a request for the next group commit without waiting; `drain` hands over its events when the
        batch is formed (events buffered until then ride along). The caller awaits the future (shielded) before
        any of its data leaves. Raises AuditOverloaded at once when the queue is full."""
        return self._submit((), drain)

    def _submit(
        self, events: Sequence[AuditEvent], drain: Callable[[], Sequence[AuditEvent]] | None
    ) -> asyncio.Future[None]:
        if len(self._queue) >= self.max_pending:
            raise AuditOverloaded()
        loop = asyncio.get_running_loop()
        waiting = _Waiting(events, loop.create_future(), drain)
        waiting.done.add_done_callback(_retrieved)  # a client gone meanwhile: no "never retrieved" noise
        self._queue.append(waiting)
        self._ensure_writer(loop)
        assert self._wake is not None  # noqa: S101 - _ensure_writer sets it
        self._wake.set()
        return waiting.done

    def _ensure_writer(self, loop: asyncio.AbstractEventLoop) -> None:
        task = self._task
        if task is not None and not task.done() and task.get_loop() is loop:
            return
        self._wake = asyncio.Event()
        self._task = loop.create_task(self._run(), name="hub-audit-group-commit")

    async def _run(self) -> None:
        assert self._wake is not None  # noqa: S101 - set before the task starts
        wake = self._wake
        while True:
            wake.clear()  # before looking at the queue: an append from now on wakes the next wait
            while self._queue:
                batch = self._take()
                try:
                    await self._write(batch)
                except BaseException:  # cancelled mid-write (shutdown): nobody may think it committed
                    _fail(batch)
                    raise
            if self._closing:
                return
            await wake.wait()

    def _take(self) -> list[_Waiting]:
        """The requests of the next batch, oldest first: all waiting, up to `max_batch_events` (at least one)."""
        batch = [self._queue.popleft()]
        count = len(batch[0].take())
        while self._queue and count + len(self._queue[0].take()) <= self.max_batch_events:
            waiting = self._queue.popleft()
            count += len(waiting.events)
            batch.append(waiting)
        return batch

    async def _write(self, batch: list[_Waiting]) -> None:
        events = [event for waiting in batch for event in waiting.events]
        if not events:  # early commits whose requests had buffered nothing new: nothing to write
            for waiting in batch:
                if not waiting.done.done():
                    waiting.done.set_result(None)
            return
        started = time.perf_counter()
        try:
            await self._writer()(events)
        except Exception as exc:
            if self._metrics is not None:
                self._metrics.audit_commit.observe(time.perf_counter() - started)
                self._metrics.audit_write_failures.inc()
            # No traceback: database errors quote their parameters.
            logger.error(
                "audit group commit failed; failing its requests closed",
                extra={"requests": len(batch), "events": len(events), "error": type(exc).__name__},
            )
            _fail(batch)
            return
        if self._metrics is not None:
            self._metrics.audit_commit.observe(time.perf_counter() - started)
        self.batches += 1
        for waiting in batch:
            if not waiting.done.done():
                waiting.done.set_result(None)

    async def aclose(self) -> None:
        """Write what is queued, then stop the writer (the app's shutdown)."""
        task = self._task
        if task is None or task.done():
            return
        if task.get_loop() is not asyncio.get_running_loop():  # a loop that is gone: nothing to wait for
            self._task = None
            return
        self._closing = True
        assert self._wake is not None  # noqa: S101 - set with the task
        self._wake.set()
        try:
            await task
        finally:
            self._task = None
            self._closing = False


def _retrieved(done: asyncio.Future[None]) -> None:
    if not done.cancelled():
        done.exception()


def _fail(batch: list[_Waiting]) -> None:
    for waiting in batch:
        if not waiting.done.done():
            waiting.done.set_exception(AuditWriteFailed("audit log write failed"))
