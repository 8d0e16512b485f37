"""The per-request read buffer and the AuditFlush extension, on a tiny schema (query and subscription)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
import strawberry

from connectors.base import Deadline
from hub.audit.buffer import ReadBuffer, audit_read, read_buffer
from hub.audit.events import AuditAction, AuditDecision, AuditEvent
from hub.auth.principal import Principal
from hub.domain import Department, Role
from schema.audit.extension import AuditFlush
from schema.context import Context, Info

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
WORKER = Principal("U-7", "sof-kerne", Role.CORE_TEAM, Department.SOF, unit="Enhed A")


def _context(writer: Any, principal: Principal | None = WORKER, request_id: str = "req-9") -> Context:
    services: Any = SimpleNamespace(extras={"audit_writer": writer}, sessions=None)
    return Context(
        services=services,
        request=None,  # type: ignore[arg-type]
        principal=principal,
        request_id=request_id,
        deadline=Deadline.after(5),
        now=NOW,
    )


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list[AuditEvent]] = []
        self.fail = fail

    async def __call__(self, events: Sequence[AuditEvent]) -> None:
        self.calls.append(list(events))
        if self.fail:
            raise OSError("database down")


def _read(info: Info, person: str, department: str = "SOF") -> None:
    audit_read(info, subject_person_id=person, source=department, categories=["CASE"], reason="assigned")


@strawberry.type
class Query:
    @strawberry.field
    def secret(self, info: Info, person: str) -> str:
        _read(info, person)
        _read(info, person)  # the same access twice in one request is one entry
        return f"data of {person}"

    @strawberry.field
    def public(self) -> str:
        return "nothing personal"


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def updates(self, info: Info) -> AsyncGenerator[str, None]:
        for n in range(3):
            _read(info, f"P-{n}")
            yield f"update {n}"


SCHEMA = strawberry.Schema(query=Query, subscription=Subscription, extensions=[AuditFlush])


def test_audit_read_fills_the_event_from_the_request() -> None:
    ctx = _context(Recorder())
    event = audit_read(
        ctx,
        subject_person_id="P-1",
        family_id="F1",
        source="HUB:plan",
        categories=["PLAN", "CASE", "PLAN"],
        decision=AuditDecision.DENIED,
        reason="not_assigned",
    )
    assert event == AuditEvent(
        occurred_at=NOW,
        action=AuditAction.READ,
        decision=AuditDecision.DENIED,
        reason="not_assigned",
        actor_user_id="U-7",
        actor_role=Role.CORE_TEAM,
        actor_department=Department.SOF,
        actor_unit="Enhed A",
        client="graphql",
        subject_person_id="P-1",
        family_id="F1",
        source="HUB:plan",
        categories=("CASE", "PLAN"),
        purpose="HFI_COORDINATION",
        basis=None,
        request_id="req-9",
    )
    assert len(read_buffer(ctx)) == 1
    anonymous = audit_read(
        _context(Recorder(), principal=None, request_id=""),
        subject_person_id=None,
        source="SOF",
        categories=[],
        reason="x",
    )
    assert (anonymous.actor_user_id, anonymous.actor_role, anonymous.request_id) == (None, None, None)
    with pytest.raises(TypeError):
        audit_read(object(), subject_person_id=None, source="SOF", categories=[], reason="x")


def test_the_buffer_deduplicates_even_after_a_drain() -> None:
    ctx = _context(Recorder())
    for _ in range(2):
        audit_read(ctx, subject_person_id="P-1", source="SOF", categories=["CASE"], reason="r")
    buffer = read_buffer(ctx)
    assert isinstance(buffer, ReadBuffer)
    assert len(buffer.drain()) == 1
    audit_read(ctx, subject_person_id="P-1", source="SOF", categories=["CASE"], reason="r")
    assert buffer.drain() == []


async def test_a_query_flushes_once_before_returning() -> None:
    writer = Recorder()
    result = await SCHEMA.execute(
        '{ a: secret(person: "P-1") b: secret(person: "P-2") }', context_value=_context(writer)
    )
    assert result.errors is None
    assert result.data == {"a": "data of P-1", "b": "data of P-2"}
    assert [[e.subject_person_id for e in call] for call in writer.calls] == [["P-1", "P-2"]]


async def test_no_reads_no_write() -> None:
    writer = Recorder(fail=True)
    result = await SCHEMA.execute("{ public }", context_value=_context(writer))
    assert result.data == {"public": "nothing personal"}
    assert writer.calls == []


async def test_a_failed_write_withholds_the_data() -> None:
    writer = Recorder(fail=True)
    result = await SCHEMA.execute('{ secret(person: "P-1") public }', context_value=_context(writer))
    assert result.data is None
    assert result.errors is not None
    assert [(e.message, e.extensions) for e in result.errors] == [
        ("Internal error", {"code": "INTERNAL", "requestId": "req-9"})
    ]
    assert len(writer.calls) == 1


async def _collect(writer: Recorder) -> list[Any]:
    stream = await SCHEMA.subscribe("subscription { updates }", context_value=_context(writer))
    assert not hasattr(stream, "data") or stream.data is None  # an async iterator, not a pre-execution error
    return [result async for result in stream]  # type: ignore[union-attr]


async def test_each_streamed_result_is_logged_before_it_is_sent() -> None:
    writer = Recorder()
    results = await _collect(writer)
    assert [r.data for r in results] == [{"updates": f"update {n}"} for n in range(3)]
    assert [[e.subject_person_id for e in call] for call in writer.calls] == [["P-0"], ["P-1"], ["P-2"]]


async def test_a_streamed_result_is_withheld_when_its_write_fails() -> None:
    results = await _collect(Recorder(fail=True))
    assert [r.data for r in results] == [None, None, None]
    assert all(r.errors[0].extensions["code"] == "INTERNAL" for r in results)
