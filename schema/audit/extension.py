"""`AuditFlush`: writes the request's read events before any data leaves the hub, by group commit.

The buffer (`hub.audit.buffer.ReadBuffer`) is installed in `context.state["audit"]` when the operation starts.
For a plain query or mutation the flush runs when execution has finished and before the response is built;
for a streamed result (subscriptions, queries over WebSocket) it runs before each result is sent. The events
go to the process's `GroupCommitter` (hub/audit/group.py), which appends the events of every request waiting
at that moment in one transaction; the flush returns once the transaction holding this request's events has
committed. If it did not, the result is withheld: `data` becomes null and the only error is INTERNAL with the
request id. Fail closed: no audit entry, no data. If too many requests are already waiting, the result is
withheld with SERVICE_OVERLOADED (HTTP 503 with Retry-After).

A request that starts a department call (`commit_soon`, from the section service) queues its commit at once:
the group writer drains the request's buffer when it forms that batch, so the transaction runs while the
departments answer. The flush then waits for that commit and commits only what was buffered since; the result
is withheld as above if either did not commit.

The writer is `services.extras["audit_writer"]` when set (tests inject a failing one), else the default
session writer; the committer is `services.extras["audit_committer"]`, built on first use. Never logs event
contents.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError
from starlette.responses import Response
from strawberry.extensions import SchemaExtension
from strawberry.types import StreamExecutionResult

from hub.audit.buffer import STATE_KEY, AuditWriter, ReadBuffer, session_writer
from hub.audit.group import AuditOverloaded, GroupCommitter
from hub.errors import ErrorCode
from hub.logging import masked_error
from hub.metrics import hub_metrics
from schema.context import Context

logger = logging.getLogger("hub.audit")

WRITER_KEY = "audit_writer"
COMMITTER_KEY = "audit_committer"
EARLY_DELAY_S = 0.002  # after the department requests are on their way: the commit's CPU does not delay them
# context.state: the request's early commit (commit_soon), until the flush awaits it
EARLY_KEY = "audit_early"


def writer_for(context: Context) -> AuditWriter:
    return _writer(context.services)


def _writer(services: Any) -> AuditWriter:
    writer: AuditWriter | None = services.extras.get(WRITER_KEY)
    return writer or session_writer(services.sessions)


def committer_for(services: Any) -> GroupCommitter:
    """The process's group committer for these services, built on first use with the settings' bounds."""
    committer: GroupCommitter | None = services.extras.get(COMMITTER_KEY)
    if committer is None:
        settings = getattr(services, "settings", None)
        bounds: dict[str, int] = {}
        if settings is not None:
            bounds = {
                "max_pending": settings.audit_queue_max_requests,
                "max_batch_events": settings.audit_batch_max_events,
            }
        committer = GroupCommitter(lambda: _writer(services), metrics=hub_metrics(services), **bounds)
        services.extras[COMMITTER_KEY] = committer
    return committer


async def close_audit(services: Any) -> None:
    """Commit what is queued and stop the writer (the app's shutdown)."""
    committer: GroupCommitter | None = services.extras.get(COMMITTER_KEY)
    if committer is not None:
        await committer.aclose()


def commit_soon(context: Context) -> None:
    """Start committing the request's buffered events now (it is about to wait for a department): queued at
    once, drained when its batch forms. Once per flush; the flush awaits it. A full queue is left to the flush,
    which refuses the response with SERVICE_OVERLOADED."""
    state = context.state
    buffer = state.get(STATE_KEY)
    if EARLY_KEY in state or not isinstance(buffer, ReadBuffer):
        return
    early = state[EARLY_KEY] = _Early()
    early.timer = asyncio.get_running_loop().call_later(EARLY_DELAY_S, early.submit, context.services, buffer)


class _Early:
    """An early commit: a timer until it is queued, then the committer's future."""

    def __init__(self) -> None:
        self.timer: asyncio.TimerHandle | None = None
        self.done: asyncio.Future[None] | None = None

    def submit(self, services: Any, buffer: ReadBuffer) -> None:
        self.timer = None
        try:
            self.done = committer_for(services).submit_later(buffer.drain)
        except AuditOverloaded:
            return

    def cancel(self) -> asyncio.Future[None] | None:
        """Not queued yet: never will be (the flush commits everything); queued: the future to await."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        return self.done


class AuditFlush(SchemaExtension):
    def _context(self) -> Context | None:
        context = self.execution_context.context
        return context if isinstance(context, Context) else None

    async def _flush(self, result: Any) -> None:
        context = self._context()
        if context is None:
            return
        pending: _Early | None = context.state.pop(EARLY_KEY, None)
        early = pending.cancel() if pending is not None else None
        buffer = context.state.get(STATE_KEY)
        if early is None and (not isinstance(buffer, ReadBuffer) or not len(buffer)):
            return
        events = buffer.drain() if isinstance(buffer, ReadBuffer) else []
        try:
            if early is not None:
                await asyncio.shield(early)
            await committer_for(context.services).append(events)
        except AuditOverloaded as exc:
            logger.warning("audit queue full; refusing the response", extra={"events": len(events)})
            _withhold(result, context.request_id, ErrorCode.SERVICE_OVERLOADED, retryAfter=exc.retry_after_s)
            _http_overloaded(context, exc.retry_after_s)
        except Exception as exc:
            logger.error(
                "audit flush failed; withholding the response",
                extra={"events": len(events), "request_id": context.request_id, **masked_error(exc)},
            )
            _withhold(result, context.request_id)

    async def on_operation(self) -> AsyncIterator[None]:
        context = self._context()
        if context is not None:
            context.state.setdefault(STATE_KEY, ReadBuffer())
        yield
        await self._flush(self.execution_context.result)

    async def on_stream_result(self, result: StreamExecutionResult) -> AsyncIterator[None]:
        await self._flush(result)
        yield


def _http_overloaded(context: Context, retry_after_s: int) -> None:
    """HTTP 503 with Retry-After on the response being built (WebSocket frames carry the code only)."""
    response = context.response
    if isinstance(response, Response):
        response.status_code = 503
        response.headers["Retry-After"] = str(retry_after_s)


def _withhold(result: Any, request_id: str, code: ErrorCode = ErrorCode.INTERNAL, **extensions: Any) -> None:
    if result is None:
        return
    result.data = None
    message = "Internal error" if code is ErrorCode.INTERNAL else "Service overloaded; try again shortly"
    error = GraphQLError(
        message, extensions={"code": code.value, "requestId": request_id or None, **extensions}
    )
    result.errors = [error]
    # Incremental-delivery frames carry their payloads separately: drop them too.
    for name in ("incremental", "initial_result"):
        if getattr(result, name, None) is not None:
            setattr(result, name, None)
