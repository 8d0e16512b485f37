"""Both doors into ingestion on the real app: the signed webhook and the GraphQL mutation."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from hub.auth.seed import system_username
from hub.domain import Department
from hub.ingestion.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_headers
from tests.support.stack import Stack

SOF, BIF = Department.SOF, Department.BIF

PUSH = """
mutation Push($events: [DepartmentEventInput!]!) {
  pushDepartmentUpdates(events: $events) {
    applied superseded rejected
    results { eventId status error { code message field } }
  }
}
"""


def _event(
    stack: Stack, department: Department, *, version: int = 1, event_id: str | None = None, **extra: Any
) -> dict[str, Any]:
    cpr, record = sorted(stack.world.department_records[department].items())[0]
    return {
        "eventId": event_id or f"it-{uuid.uuid4().hex}",
        "department": department.value,
        "subjectCpr": cpr,
        "recordKind": "person",
        "recordId": f"{department.value}-1",
        "version": version,
        "occurredAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
        "record": record,
        **extra,
    }


def _secret(stack: Stack, department: Department) -> str:
    return stack.settings.webhook_secret(department)


async def _webhook(
    stack: Stack, department: Department, events: list[Any], *, headers: dict[str, str] | None = None
) -> Any:
    body = orjson.dumps({"events": events})
    return await stack.client.post(
        f"/webhooks/{department.value}",
        content=body,
        headers=headers or signed_headers(_secret(stack, department), body),
    )


async def test_signed_webhook_push_is_applied_and_replays_answer_the_same(stack: Stack) -> None:
    event = _event(stack, SOF, event_id="wh-1")
    first = await _webhook(stack, SOF, [event, {**event, "eventId": "wh-2", "version": "x"}])
    assert first.status_code == 200, first.text
    results = first.json()["results"]
    assert [r["status"] for r in results] == ["APPLIED", "REJECTED"]
    assert results[1]["error"]["field"] == "version"
    again = await _webhook(stack, SOF, [event, {**event, "eventId": "wh-2", "version": "x"}])
    assert again.json() == first.json()
    assert event["subjectCpr"] not in first.text


async def test_bad_signature_stale_timestamp_wrong_and_unknown_department(stack: Stack) -> None:
    event = _event(stack, SOF)
    body = orjson.dumps({"events": [event]})
    forged = signed_headers("not-the-secret", body)
    assert (await _webhook(stack, SOF, [event], headers=forged)).status_code == 401
    stale = signed_headers(_secret(stack, SOF), body, now=time.time() - 301)
    response = await _webhook(stack, SOF, [event], headers=stale)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"
    unsigned = {TIMESTAMP_HEADER: str(int(time.time())), SIGNATURE_HEADER: ""}
    assert (await _webhook(stack, SOF, [event], headers=unsigned)).status_code == 401
    # Signed correctly by SOF, but the event names BIF: refused as a whole, nothing stored.
    foreign = _event(stack, BIF)
    response = await _webhook(stack, SOF, [foreign])
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"
    # Signed with SOF's secret but sent to BIF's door: the signature does not match BIF's secret.
    assert (
        await _webhook(stack, BIF, [event], headers=signed_headers(_secret(stack, SOF), body))
    ).status_code == 401
    response = await stack.client.post("/webhooks/XYZ", content=body, headers=signed_headers("x", body))
    assert response.status_code == 404


async def test_graphql_push_as_the_department_system(stack: Stack) -> None:
    token = stack.token(system_username(SOF))
    events = [_event(stack, SOF, version=2), _event(stack, BIF), _event(stack, SOF, version=1)]
    body = await stack.graphql(PUSH, {"events": events}, token=token)
    assert "errors" not in body, body
    payload = body["data"]["pushDepartmentUpdates"]
    assert [r["status"] for r in payload["results"]] == ["APPLIED", "REJECTED", "SUPERSEDED"]
    assert payload["results"][1]["error"]["code"] == "FORBIDDEN"
    assert (payload["applied"], payload["superseded"], payload["rejected"]) == (1, 1, 1)


@pytest.mark.parametrize("username", ["tovholder", "sof-sagsbehandler"])
async def test_graphql_push_is_forbidden_for_people(stack: Stack, username: str) -> None:
    body = await stack.graphql(PUSH, {"events": [_event(stack, SOF)]}, token=stack.token(username))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
