"""`AuditFlush`: writes the request's read events in one batched append before any data leaves the hub.

The buffer (`hub.audit.buffer.ReadBuffer`) is installed in `context.state["audit"]` when the operation starts.
For a plain query or mutation the flush runs when execution has finished and before the response is built;
for a streamed result (subscriptions, queries over WebSocket) it runs before each result is sent. If the write
fails, the result is withheld: `data` becomes null and the only error is INTERNAL with the request id. Fail
closed: no audit entry, no data.

The writer is `services.extras["audit_writer"]` when set (tests inject a failing one), else the default
session writer. Never logs event contents.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import StreamExecutionResult

from hub.audit.buffer import STATE_KEY, AuditWriter, ReadBuffer, session_writer
from hub.errors import ErrorCode
from hub.logging import masked_error
from schema.context import Context

logger = logging.getLogger("hub.audit")

WRITER_KEY = "audit_writer"


def writer_for(context: Context) -> AuditWriter:
    writer: AuditWriter | None = context.services.extras.get(WRITER_KEY)
    return writer or session_writer(context.services.sessions)


class AuditFlush(SchemaExtension):
    def _context(self) -> Context | None:
        context = self.execution_context.context
        return context if isinstance(context, Context) else None

    async def _flush(self, result: Any) -> None:
        context = self._context()
        if context is None:
            return
        buffer = context.state.get(STATE_KEY)
        if not isinstance(buffer, ReadBuffer) or not len(buffer):
            return
        events = buffer.drain()
        try:
            await writer_for(context)(events)
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


def _withhold(result: Any, request_id: str) -> None:
    if result is None:
        return
    result.data = None
    error = GraphQLError(
        "Internal error", extensions={"code": ErrorCode.INTERNAL.value, "requestId": request_id or None}
    )
    result.errors = [error]
    # Incremental-delivery frames carry their payloads separately: drop them too.
    for name in ("incremental", "initial_result"):
        if getattr(result, name, None) is not None:
            setattr(result, name, None)
