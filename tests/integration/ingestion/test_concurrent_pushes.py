"""Concurrent pushes through both doors of the real app (SQLite, as `hub serve` runs by default): every push
answers 200 with per-event results (no "database is locked"), overlapping records keep their newest version,
and a batch pushed twice at once lands once."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import func, select

from hub.auth.seed import system_username
from hub.domain import Department
from hub.ingestion.models import IngestedEvent, RecordVersion
from hub.ingestion.webhook import signed_headers
from tests.support.stack import Stack

SOF = Department.SOF
PUSH = """
mutation Push($events: [DepartmentEventInput!]!) {
  pushDepartmentUpdates(events: $events) { results { eventId status error { code } } }
}
"""


def _batch(stack: Stack, versions: itertools.count[int], size: int) -> list[dict[str, Any]]:
    records = sorted(stack.world.department_records[SOF].items())
    occurred = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    out = []
    for n in range(size):
        cpr, record = records[n % len(records)]
        out.append(
            {
                "eventId": f"cc-{uuid.uuid4().hex}",
                "department": SOF.value,
                "subjectCpr": cpr,
                "recordKind": "person",
                "recordId": f"SOF-shared-{n % 4}",  # every push touches the same four records
                "version": next(versions),
                "occurredAt": occurred,
                "record": record,
            }
        )
    return out


async def _webhook(stack: Stack, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    body = orjson.dumps({"events": events})
    response = await stack.client.post(
        f"/webhooks/{SOF.value}",
        content=body,
        headers=signed_headers(stack.settings.webhook_secret(SOF), body),
    )
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


async def _mutation(stack: Stack, token: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    body = await stack.graphql(PUSH, {"events": events}, token=token)
    assert "errors" not in body, body
    results: list[dict[str, Any]] = body["data"]["pushDepartmentUpdates"]["results"]
    return results


async def test_concurrent_pushes_through_both_doors_all_land(stack: Stack) -> None:
    token = stack.token(system_username(SOF))
    versions = itertools.count(1)
    batches = [_batch(stack, versions, 20) for _ in range(8)]
    answers = await asyncio.gather(
        *(_webhook(stack, b) if i % 2 else _mutation(stack, token, b) for i, b in enumerate(batches))
    )
    statuses = [r["status"] for answer in answers for r in answer]
    assert len(statuses) == 160
    assert set(statuses) <= {"APPLIED", "SUPERSEDED"}
    async with stack.services.sessions() as session:
        stored = await session.scalar(select(func.count()).select_from(IngestedEvent))
        rows = await session.execute(select(RecordVersion.record_id, RecordVersion.version))
        newest = {str(record_id): int(version) for record_id, version in rows.all()}
    assert stored == 160
    expected = {
        f"SOF-shared-{k}": max(e["version"] for b in batches for e in b if e["recordId"] == f"SOF-shared-{k}")
        for k in range(4)
    }
    assert newest == expected


async def test_the_same_batch_through_both_doors_at_once_lands_once(stack: Stack) -> None:
    token = stack.token(system_username(SOF))
    batch = _batch(stack, itertools.count(1), 10)
    answers = await asyncio.gather(
        _webhook(stack, batch), _mutation(stack, token, batch), _webhook(stack, batch)
    )
    assert answers[0] == answers[1] == answers[2]
    async with stack.services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(IngestedEvent)) == 10
