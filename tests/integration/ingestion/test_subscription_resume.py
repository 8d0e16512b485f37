"""`familyUpdated(familyId, after:)` over a real WebSocket, across two hub processes on one Redis: a subscriber on
B that lost its connection resumes from its last cursor and gets exactly the three changes pushed to A while it
was away, then live ones.

Needs HUB_TEST_REDIS_URL (as test_redis_two_processes.py); skipped without it outside CI.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from test_redis_two_processes import hub_process
from ws_support import subscribed

from hub.cpr import age_on
from hub.domain import Department
from hub.ingestion.webhook import signed_headers
from tests.support.backends import redis_url
from tests.support.stack import Stack
from tests.support.waits import IT_HAPPENS_S

pytestmark = [pytest.mark.redis, pytest.mark.slow]


async def test_a_subscriber_resumes_from_its_cursor_on_another_process(stack: Stack, tmp_path: Path) -> None:
    redis = redis_url()
    prefix = f"familiehub-test-{uuid.uuid4().hex[:12]}"
    family = stack.world.families[0]
    adult = next(m for m in family.members if age_on(m.birth_date, stack.world.today) >= 18)
    department = next(d for d in Department if adult.cpr in stack.world.department_records[d])
    secret = stack.settings.webhook_secret(department)
    token = stack.token(f"borger-{family.key}-1")

    async def push(client: httpx.AsyncClient, version: int) -> None:
        event: dict[str, Any] = {
            "eventId": f"resume-{uuid.uuid4().hex}",
            "department": department.value,
            "subjectCpr": adult.cpr,
            "recordKind": "person",
            "recordId": f"{department.value}-{adult.key}",
            "version": version,
            "occurredAt": (datetime.now(UTC) - timedelta(seconds=5)).isoformat(),
            "record": stack.world.department_records[department][adult.cpr],
        }
        body = orjson.dumps({"events": [event]})
        response = await client.post(
            f"/webhooks/{department.value}", content=body, headers=signed_headers(secret, body)
        )
        assert response.status_code == 200, response.text
        assert response.json()["results"][0]["status"] == "APPLIED"

    async with (
        hub_process(stack, redis, prefix, tmp_path / "a.log") as hub_a,
        hub_process(stack, redis, prefix, tmp_path / "b.log") as hub_b,
        httpx.AsyncClient(base_url=hub_a, timeout=IT_HAPPENS_S) as client,
    ):
        version = 0
        async with subscribed(hub_b, token, family.key, resumable=True) as subscriber:
            # Live on B a moment after `subscribe`: push until one arrives (bounded).
            seen = None
            while seen is None and version < 40:
                version += 1
                await push(client, version)
                with contextlib.suppress(TimeoutError):
                    seen = await subscriber.next(wait_s=0.25)
            assert seen is not None, "no update crossed from process A to process B"
            # Drain what may still be in flight from the loop, keeping the newest cursor.
            while seen["version"] < version:
                seen = await subscriber.next()
        cursor = seen["cursor"]
        assert isinstance(cursor, str)
        missed = [version + 1, version + 2, version + 3]
        for v in missed:
            await push(client, v)
        async with subscribed(hub_b, token, family.key, after=cursor) as subscriber:
            replayed = [await subscriber.next() for _ in missed]
            assert [u["version"] for u in replayed] == missed
            assert len({u["cursor"] for u in replayed}) == 3
            # Then live: pushes to A after the resume arrive (the first may race the live subscription on B,
            # which the replay covers: a push before it is replayed, one after it is live, none twice).
            await push(client, version + 4)
            live = await subscriber.next()
            assert live["version"] == version + 4
            assert int(live["cursor"]) > int(replayed[-1]["cursor"])
            with pytest.raises(TimeoutError):
                await subscriber.next(wait_s=0.5)
