"""The per-request buffer of read events, and the writer that flushes it as one batched append.

Code that reads personal data on behalf of a request calls `audit_read(info_or_context, ...)` BEFORE the data
leaves the hub; the events collect in `context.state["audit"]` (a `ReadBuffer`) and the GraphQL extension
(`schema.audit.extension.AuditFlush`) writes them with ONE `record` call at the end of the operation, failing
the whole response closed if that write fails. Changes do not use the buffer: the changing service calls
`hub.audit.log.record` in its own transaction.

The buffer holds ids and category codes only, never data values, names or CPR numbers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.audit.asyncpg_writer import asyncpg_writer
from hub.audit.events import AuditAction, AuditDecision, AuditEvent
from hub.audit.log import record
from hub.audit.threaded import sqlite_thread_writer
from hub.auth.principal import Principal
from hub.persistence.engine import transaction

STATE_KEY = "audit"
DEFAULT_PURPOSE = "HFI_COORDINATION"

# Writes one request's events; the default opens its own transaction. Tests inject a failing one.
AuditWriter = Callable[[Sequence[AuditEvent]], Awaitable[None]]


class AuditContext(Protocol):
    """What the buffer needs from a request context (satisfied by `schema.context.Context`)."""

    principal: Principal | None
    request_id: str
    now: datetime
    state: dict[str, Any]


class ReadBuffer:
    """One request's read events, deduplicated (a section resolved twice is one access)."""

    def __init__(self) -> None:
        self._events: list[AuditEvent] = []
        self._seen: set[AuditEvent] = set()

    def add(self, event: AuditEvent) -> None:
        if event not in self._seen:
            self._seen.add(event)
            self._events.append(event)

    def extend(self, events: Iterable[AuditEvent]) -> None:
        for event in events:
            self.add(event)

    def drain(self) -> list[AuditEvent]:
        """Hand over the pending events; later duplicates of drained ones are still dropped."""
        events, self._events = self._events, []
        return events

    def __len__(self) -> int:
        return len(self._events)


def _context_of(info_or_context: Any) -> AuditContext:
    context = getattr(info_or_context, "context", info_or_context)
    if not hasattr(context, "state"):
        raise TypeError("audit_read needs a GraphQL Info or a request Context")
    return context  # type: ignore[no-any-return]


def read_buffer(info_or_context: Any) -> ReadBuffer:
    """The request's buffer, created on first use."""
    state = _context_of(info_or_context).state
    buffer = state.get(STATE_KEY)
    if buffer is None:
        buffer = state[STATE_KEY] = ReadBuffer()
    if not isinstance(buffer, ReadBuffer):
        raise TypeError(f"context.state[{STATE_KEY!r}] is not the audit buffer")
    return buffer


def read_event(
    context: AuditContext,
    *,
    subject_person_id: str | None,
    source: str,
    categories: Iterable[str],
    decision: AuditDecision = AuditDecision.GRANTED,
    reason: str,
    basis: str | None = None,
    family_id: str | None = None,
    purpose: str = DEFAULT_PURPOSE,
    action: AuditAction = AuditAction.READ,
) -> AuditEvent:
    principal = context.principal
    return AuditEvent(
        occurred_at=context.now,
        action=action,
        decision=decision,
        reason=reason,
        actor_user_id=principal.user_id if principal else None,
        actor_role=principal.role if principal else None,
        actor_department=principal.department if principal else None,
        actor_unit=principal.unit if principal else "",
        client=principal.client if principal else "graphql",
        subject_person_id=subject_person_id,
        family_id=family_id,
        source=source,
        categories=tuple(sorted({str(c) for c in categories})),
        purpose=purpose,
        basis=basis,
        request_id=context.request_id or None,
    )


def audit_read(
    info_or_context: Any,
    *,
    subject_person_id: str | None,
    source: str,
    categories: Iterable[str],
    decision: AuditDecision = AuditDecision.GRANTED,
    reason: str,
    basis: str | None = None,
    family_id: str | None = None,
    purpose: str = DEFAULT_PURPOSE,
    action: AuditAction = AuditAction.READ,
) -> AuditEvent:
    """Log one read decision of this request (granted or denied) before its data leaves the hub.

    `source` is a department code ("SOF") or a hub-owned source ("HUB:plan"); `categories` are DataCategory
    values or hub category codes. Returns the buffered event.
    """
    context = _context_of(info_or_context)
    event = read_event(
        context,
        subject_person_id=subject_person_id,
        source=source,
        categories=categories,
        decision=decision,
        reason=reason,
        basis=basis,
        family_id=family_id,
        purpose=purpose,
        action=action,
    )
    read_buffer(context).add(event)
    return event


def session_writer(sessions: async_sessionmaker[AsyncSession]) -> AuditWriter:
    """The default writer: one transaction, one `record` call (one batched insert) per flush. On a SQLite file
    the whole transaction runs in one worker-thread hop (hub/audit/threaded.py); on PostgreSQL with asyncpg
    on the driver's connection itself (hub/audit/asyncpg_writer.py)."""
    bind = sessions.kw.get("bind")
    if isinstance(bind, AsyncEngine):
        direct = sqlite_thread_writer(bind) or asyncpg_writer(bind)
        if direct is not None:
            return direct

    async def write(events: Sequence[AuditEvent]) -> None:
        async with transaction(sessions) as session:
            await record(session, events)

    return write
