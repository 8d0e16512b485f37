"""Both doors judge each pushed event on its own: a mistyped event is dead-lettered with its field and the rest of
the batch is applied, through GraphQL exactly as through the webhook."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import func, select

from hub.auth.seed import system_username
from hub.domain import Department
from hub.ingestion.models import DeadLetter
from hub.ingestion.webhook import signed_headers
from tests.support.stack import Stack

SOF = Department.SOF

PUSH = """
mutation Push($events: [DepartmentEventInput!]!) {
  pushDepartmentUpdates(events: $events) {
    applied superseded rejected
    results { eventId status error { code field } }
  }
}
"""


def _good(stack: Stack, n: int) -> dict[str, Any]:
    cpr, record = sorted(stack.world.department_records[SOF].items())[n]
    return {
        "eventId": f"pe-{uuid.uuid4().hex}",
        "department": SOF.value,
        "subjectCpr": cpr,
        "recordKind": "person",
        "recordId": f"SOF-pe-{n}",
        "version": 1,
        "occurredAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
        "record": record,
    }


def _batch(stack: Stack) -> tuple[list[dict[str, Any]], list[str | None]]:
    """Good events between mistyped ones; the field each event is rejected for (None: applied)."""
    good = [_good(stack, n) for n in range(3)]
    bad = _good(stack, 3)
    missing_cpr = {k: v for k, v in _good(stack, 4).items() if k != "subjectCpr"}
    events = [
        good[0],
        {**bad, "eventId": f"pe-{uuid.uuid4().hex}", "version": "x"},
        {**bad, "eventId": f"pe-{uuid.uuid4().hex}", "version": 1.5},
        good[1],
        {**bad, "eventId": f"pe-{uuid.uuid4().hex}", "occurredAt": "yesterday"},
        {**bad, "eventId": f"pe-{uuid.uuid4().hex}", "department": "XYZ"},
        {**missing_cpr, "eventId": f"pe-{uuid.uuid4().hex}"},
        {**bad, "eventId": 42},
        {**bad, "eventId": f"pe-{uuid.uuid4().hex}", "record": "not an object"},
        {**bad, "eventId": f"pe-{uuid.uuid4().hex}", "deleted": "yes"},
        good[2],
    ]
    fields = [None, "version", "version", None, "occurredAt", "department", "subjectCpr", "eventId"]
    return events, [*fields, "record", "deleted", None]


async def _dead_letters(stack: Stack) -> int:
    async with stack.services.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(DeadLetter)) or 0)


def _judged(results: list[dict[str, Any]]) -> list[str | None]:
    return [None if r["status"] == "APPLIED" else (r["error"] or {}).get("field") for r in results]


async def test_graphql_push_rejects_only_the_mistyped_events(stack: Stack) -> None:
    events, fields = _batch(stack)
    body = await stack.graphql(PUSH, {"events": events}, token=stack.token(system_username(SOF)))
    assert "errors" not in body, body
    payload = body["data"]["pushDepartmentUpdates"]
    assert _judged(payload["results"]) == fields
    assert (payload["applied"], payload["rejected"]) == (3, 8)
    assert {r["error"]["code"] for r in payload["results"] if r["error"]} == {"BAD_USER_INPUT"}
    assert await _dead_letters(stack) == 8


async def test_the_webhook_judges_the_same_batch_alike(stack: Stack) -> None:
    events, fields = _batch(stack)
    body = orjson.dumps({"events": events})
    response = await stack.client.post(
        "/webhooks/SOF", content=body, headers=signed_headers(stack.settings.webhook_secret(SOF), body)
    )
    assert response.status_code == 200, response.text
    assert _judged(response.json()["results"]) == fields
    assert await _dead_letters(stack) == 8


def _literal(value: Any) -> str:
    """A JSON value as a GraphQL literal (object keys unquoted)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return orjson.dumps(value).decode()


async def test_a_literal_push_with_enum_and_numeric_string_still_works(stack: Stack) -> None:
    event = _good(stack, 0)
    query = f"""
    mutation {{
      pushDepartmentUpdates(events: [{{
        eventId: "{event["eventId"]}", department: SOF, subjectCpr: "{event["subjectCpr"]}",
        recordKind: "person", recordId: "SOF-literal", version: "12", occurredAt: "{event["occurredAt"]}",
        record: {_literal(event["record"])}
      }}]) {{ applied results {{ status error {{ field }} }} }}
    }}
    """
    body = await stack.graphql(query, token=stack.token(system_username(SOF)))
    assert "errors" not in body, body
    assert body["data"]["pushDepartmentUpdates"]["applied"] == 1, body
