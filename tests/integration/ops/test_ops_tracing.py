"""OpenTelemetry traces, collected with an in-memory exporter: one trace per request (server span, GraphQL
operation, department calls, SQL), the caller's `traceparent` continued and passed on to the departments, the
trace id on errors and log lines, and no personal data in any span."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry

from connectors._http import DepartmentHttp
from connectors.base import Deadline
from connectors.config import ConnectorConfig
from connectors.metrics import ConnectorMetrics
from hub import tracing
from hub.cpr import age_on
from hub.domain import Department, FamilyStatus
from hub.ingestion.webhook import signed_headers
from hub.logging import _RequestIdFilter
from hub.settings import Settings
from tests.support.stack import Stack, running_stack

VIEW = """
query FamilyView($id: ID!) {
  family(id: $id) {
    name
    members { name cpr social { status } employment { status } childAndYouth { status } health { status } }
  }
}
"""
CONSENTS = "query($id: ID!) { familyConsents(familyId: $id) { consents { id status } } }"
WITHDRAW = """
mutation($id: ID!) { withdrawConsent(id: $id, channel: VERBAL_JOURNALISED) { id status } }
"""
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    tracing.install(exporter)
    try:
        yield exporter
    finally:
        tracing.shutdown()


@pytest.fixture
async def traced_stack(spans: InMemorySpanExporter, tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=4, seed=7) as s:
        spans.clear()
        yield s


def _by_trace(spans: InMemorySpanExporter, trace_id: str) -> list[ReadableSpan]:
    return [
        s for s in spans.get_finished_spans() if s.context and format(s.context.trace_id, "032x") == trace_id
    ]


async def _view(
    stack: Stack, token: str, family_id: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await stack.client.post(
        "/graphql",
        json={"query": VIEW, "variables": {"id": family_id}},
        headers={"Authorization": f"Bearer {token}", **(headers or {})},
    )


async def test_a_family_view_is_one_trace_continuing_the_callers(
    traced_stack: Stack, spans: InMemorySpanExporter
) -> None:
    family = traced_stack.world.families[0]
    response = await _view(
        traced_stack, traced_stack.token("tovholder"), family.key, {"traceparent": TRACEPARENT}
    )
    assert response.status_code == 200, response.text
    trace = _by_trace(spans, TRACE_ID)
    names = [s.name for s in trace]
    assert "POST /graphql" in names
    assert "graphql query FamilyView" in names
    calls = [s for s in trace if s.name == "department call"]
    assert {s.attributes["department"] for s in calls if s.attributes} >= {"SOF", "BIF"}
    assert all(s.attributes and s.attributes["attempt"] >= 1 and s.attributes["breaker"] for s in calls)
    assert any(s.name.startswith("db ") for s in trace)
    # Every span of the request hangs under the server span, which continues the caller's span.
    by_id = {s.context.span_id: s for s in trace if s.context}
    server = next(s for s in trace if s.name == "POST /graphql")
    assert server.parent is not None
    assert format(server.parent.span_id, "016x") == "00f067aa0ba902b7"
    for s in trace:
        if s is server:
            continue
        parent = s
        while parent.parent is not None and parent.parent.span_id in by_id:
            parent = by_id[parent.parent.span_id]
        assert parent is server, f"{s.name} is not under the request's span"


async def test_errors_carry_the_trace_id(traced_stack: Stack, spans: InMemorySpanExporter) -> None:
    response = await traced_stack.client.post(
        "/graphql",
        json={"query": "{ noSuchField }"},
        headers={"Authorization": f"Bearer {traced_stack.token('tovholder')}", "traceparent": TRACEPARENT},
    )
    errors = response.json()["errors"]
    assert errors
    assert {e["extensions"]["traceId"] for e in errors} == {TRACE_ID}
    assert all(e["extensions"]["code"] for e in errors)


async def test_no_personal_data_in_any_span(traced_stack: Stack, spans: InMemorySpanExporter) -> None:
    stack = traced_stack
    family = stack.world.families[0]
    for user in ("tovholder", f"borger-{family.key}-1"):
        assert (await _view(stack, stack.token(user), family.key)).status_code == 200
    # A push through the webhook.
    adult = next(m for m in family.members if age_on(m.birth_date, stack.world.today) >= 18)
    department = next(d for d in Department if adult.cpr in stack.world.department_records[d])
    event = {
        "eventId": f"trace-{uuid.uuid4().hex}",
        "department": department.value,
        "subjectCpr": adult.cpr,
        "recordKind": "person",
        "recordId": f"{department.value}-{adult.key}",
        "version": 1,
        "occurredAt": (datetime.now(UTC) - timedelta(seconds=5)).isoformat(),
        "record": stack.world.department_records[department][adult.cpr],
    }
    body = orjson.dumps({"events": [event]})
    pushed = await stack.client.post(
        f"/webhooks/{department.value}",
        content=body,
        headers=signed_headers(stack.settings.webhook_secret(department), body),
    )
    assert pushed.status_code == 200, pushed.text

    # A consent change: withdraw an active consent of an enrolled family.
    enrolled = next(f for f in stack.world.families if f.status is FamilyStatus.ACTIVE)
    overview = await stack.graphql(CONSENTS, {"id": enrolled.key}, token=stack.token("tovholder"))
    active = [c for c in overview["data"]["familyConsents"]["consents"] if c["status"] == "ACTIVE"]
    assert active, overview
    withdrawn = await stack.graphql(WITHDRAW, {"id": active[0]["id"]}, token=stack.token("tovholder"))
    assert withdrawn["data"]["withdrawConsent"]["status"] == "WITHDRAWN", withdrawn

    collected = spans.get_finished_spans()
    assert len(collected) > 20
    text = "\n".join(
        f"{s.name} {dict(s.attributes or {})} {[(e.name, dict(e.attributes or {})) for e in s.events]}"
        for s in collected
    )
    secrets = set()
    for f in stack.world.families:
        for m in f.members:
            secrets |= {m.cpr, m.cpr.replace("-", ""), m.first_name, m.last_name}
    leaked = sorted(s for s in secrets if s and len(s) > 2 and s in text)
    assert not leaked, f"personal data in spans: {len(leaked)} values"


def test_log_lines_carry_the_trace_id(spans: InMemorySpanExporter) -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "m", None, None)
    with tracing.span("unit") as current:
        _RequestIdFilter().filter(record)
    assert record.trace_id == format(current.get_span_context().trace_id, "032x")
    tracing.shutdown()
    _RequestIdFilter().filter(record)
    assert record.trace_id is None


async def test_department_calls_send_traceparent(spans: InMemorySpanExporter) -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("traceparent"))
        return httpx.Response(200, json={"ok": True})

    config = ConnectorConfig.for_department(Department.SOF, base_url="http://127.0.0.1:1")
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://127.0.0.1:1")
    http = DepartmentHttp(Department.SOF, config, client, metrics=ConnectorMetrics(CollectorRegistry()))
    with tracing.span("request") as parent:
        await http.call("GET", "/x", deadline=Deadline.after(5), parse=lambda j: j, idempotent=True)
    trace_id = format(parent.get_span_context().trace_id, "032x")
    assert seen[0] is not None
    assert seen[0].split("-")[1] == trace_id
    call = next(s for s in spans.get_finished_spans() if s.name == "department call")
    assert seen[0].split("-")[2] == format(call.context.span_id, "016x")
    # Off: no header at all.
    tracing.shutdown()
    await http.call("GET", "/x", deadline=Deadline.after(5), parse=lambda j: j, idempotent=True)
    assert seen[1] is None
    await http.aclose()


def test_tracing_is_off_unless_an_otlp_endpoint_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    tracing.shutdown()
    assert not tracing.configure(Settings())
    assert not tracing.enabled()
    assert tracing.current_trace_id() is None
    with tracing.span("nothing") as nothing:
        assert nothing is None
    try:
        assert tracing.configure(Settings(otel_exporter_otlp_endpoint="http://127.0.0.1:4318"))
        assert tracing.enabled()
    finally:
        tracing.shutdown()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    try:
        assert tracing.configure(Settings())
    finally:
        tracing.shutdown()
