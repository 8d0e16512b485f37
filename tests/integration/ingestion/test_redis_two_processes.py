"""Two hub processes on one Redis: a push to one reaches a subscriber on the other.

Needs HUB_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0); with CI=true a missing Redis fails the test, elsewhere
it is skipped with a message. Each run uses its own channel prefix, so parallel runs never hear each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson
import pytest
from ws_support import free_port, subscribed

from hub.cpr import age_on
from hub.domain import Department
from hub.ingestion.webhook import signed_headers
from tests.support.backends import redis_url
from tests.support.stack import Stack
from tests.support.waits import IT_HAPPENS_S

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@contextlib.asynccontextmanager
async def hub_process(stack: Stack, redis: str, prefix: str, log: Path) -> AsyncIterator[str]:
    """A separate `uvicorn --factory hub.app:asgi` on the stack's database and var/, with Redis pub/sub."""
    port = free_port()
    env = {
        **os.environ,
        "HUB_DATABASE_URL": stack.settings.database_url,
        "HUB_VAR_DIR": str(stack.settings.var_dir),
        "HUB_REDIS_URL": redis,
        "HUB_PUBSUB_PREFIX": prefix,
        "HUB_LOG_LEVEL": "WARNING",
        **{f"HUB_{d.value}_URL": stack.settings.department_url(d) for d in Department},
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "hub.app:asgi", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--ws", "websockets-sansio", "--log-level", "warning"]
    out = await asyncio.to_thread(log.open, "wb")
    process = await asyncio.create_subprocess_exec(*command, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=1) as client:
            # "it happens": under load a server takes long to start (#21)
            deadline = asyncio.get_running_loop().time() + 120
            while asyncio.get_running_loop().time() < deadline:
                if process.returncode is not None:
                    tail = (await asyncio.to_thread(log.read_text))[-2000:]
                    raise AssertionError(f"hub process exited: {tail}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{url}/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("hub process did not start")
        yield url
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
        out.close()


async def test_a_push_to_one_process_reaches_a_subscriber_on_the_other(stack: Stack, tmp_path: Path) -> None:
    redis = redis_url()
    prefix = f"familiehub-test-{uuid.uuid4().hex[:12]}"
    family = stack.world.families[0]
    adult = next(m for m in family.members if age_on(m.birth_date, stack.world.today) >= 18)
    department = next(d for d in Department if adult.cpr in stack.world.department_records[d])
    secret = stack.settings.webhook_secret(department)
    token = stack.token(f"borger-{family.key}-1")
    async with (
        hub_process(stack, redis, prefix, tmp_path / "a.log") as hub_a,
        hub_process(stack, redis, prefix, tmp_path / "b.log") as hub_b,
        subscribed(hub_b, token, family.key) as subscriber,
        httpx.AsyncClient(base_url=hub_a, timeout=IT_HAPPENS_S) as client,
    ):
        # The subscription becomes live on B a moment after `subscribe` is sent; push (new versions) until
        # one arrives, bounded. Every push must be acknowledged by A.
        received = None
        for version in range(1, 40):
            event = {
                "eventId": f"redis-{uuid.uuid4().hex}",
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
            with contextlib.suppress(TimeoutError):
                received = await subscriber.next(wait_s=0.25)
                break
        assert received is not None, "no update crossed from process A to process B"
        assert received["memberId"] == stack.seeded.person_ids[adult.cpr]
        assert received["department"] == department.value
