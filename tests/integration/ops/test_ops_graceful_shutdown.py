"""SIGTERM on a real `hub serve` process: it stops accepting, finishes the requests in flight (with their audit
commits), closes subscriptions with 1012 (service restart) and exits, within HUB_SHUTDOWN_GRACE_S."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from pathlib import Path

import httpx
import pytest
from ops_processes import hub_env, hub_serve
from sqlalchemy import func, select
from websockets.exceptions import ConnectionClosed

from hub.audit.models import AuditEntry
from hub.domain import Department
from tests.integration.ingestion.ws_support import subscribed
from tests.support.stack import Stack
from tests.support.waits import IT_HAPPENS_S

pytestmark = [pytest.mark.slow]

VIEW = """
query View($id: ID!) {
  family(id: $id) { name members { social { status } employment { status } health { status } } }
}
"""


async def _audit_rows(stack: Stack) -> int:
    async with stack.services.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(AuditEntry))).scalar_one())


async def _department_calls(stack: Stack) -> int:
    return sum(stats["total_requests"] for stats in (await stack.stats()).values())


async def _until_departments_called(stack: Stack, before: int) -> None:
    """Wait (generously) until the view's calls have reached the departments: then it is surely in flight."""
    give_up = asyncio.get_running_loop().time() + 30
    while await _department_calls(stack) == before:
        assert asyncio.get_running_loop().time() < give_up, "the view never called a department"
        await asyncio.sleep(0.05)


async def _slow_departments(stack: Stack, latency_ms: int) -> None:
    for department in Department:
        await stack.set_faults(department, latency_ms=latency_ms)


async def test_sigterm_drains_in_flight_requests_and_closes_subscriptions(
    stack: Stack, tmp_path: Path
) -> None:
    family = stack.world.families[0]
    token = stack.token(f"borger-{family.key}-1")
    # A latency budget past the departments' delay: the view waits for them, so it is in flight at SIGTERM.
    env = hub_env(
        stack.settings,
        HUB_SHUTDOWN_GRACE_S="10",
        HUB_DEPARTMENT_BUDGET_S="30",
        HUB_READ_TIMEOUT_S="30",
        HUB_REQUEST_DEADLINE_S="30",
    )
    async with hub_serve(env, tmp_path / "hub.log") as hub:
        await _slow_departments(stack, 3000)
        before = await _audit_rows(stack)
        called = await _department_calls(stack)
        async with (
            subscribed(hub.url, token, family.key) as subscriber,
            httpx.AsyncClient(base_url=hub.url, timeout=15) as client,
        ):
            view = asyncio.create_task(
                client.post(
                    "/graphql",
                    json={"query": VIEW, "variables": {"id": family.key}},
                    headers={"Authorization": f"Bearer {token}"},
                )
            )
            await _until_departments_called(stack, called)  # the view now waits on the (slow) departments
            assert not view.done()
            hub.process.send_signal(signal.SIGTERM)

            # The subscription is closed at once, with a code that tells clients to reconnect.
            with pytest.raises(ConnectionClosed) as closed:
                await subscriber.next(wait_s=IT_HAPPENS_S)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1012

            # No new connections are accepted while draining.
            await asyncio.sleep(0.2)
            with pytest.raises(httpx.ConnectError):
                await httpx.AsyncClient(timeout=2).get(f"{hub.url}/healthz")

            # The request in flight completes normally, its audit committed.
            response = await view
            assert response.status_code == 200, response.text
            body = response.json()
            assert "errors" not in body, body
            assert body["data"]["family"]["name"]
            assert await asyncio.wait_for(hub.process.wait(), 10) == 0
        assert await _audit_rows(stack) > before


async def test_sigterm_gives_up_on_requests_after_the_grace_period(stack: Stack, tmp_path: Path) -> None:
    family = stack.world.families[0]
    token = stack.token(f"borger-{family.key}-1")
    env = hub_env(
        stack.settings,
        HUB_SHUTDOWN_GRACE_S="1",
        HUB_DEPARTMENT_BUDGET_S="30",
        HUB_READ_TIMEOUT_S="30",
        HUB_REQUEST_DEADLINE_S="30",
    )
    async with hub_serve(env, tmp_path / "hub.log") as hub:
        await _slow_departments(stack, 60_000)
        called = await _department_calls(stack)
        async with httpx.AsyncClient(base_url=hub.url, timeout=90) as client:
            view = asyncio.create_task(
                client.post(
                    "/graphql",
                    json={"query": VIEW, "variables": {"id": family.key}},
                    headers={"Authorization": f"Bearer {token}"},
                )
            )
            await _until_departments_called(stack, called)
            started = time.monotonic()
            hub.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(hub.process.wait(), 45)
            stopped_after = time.monotonic() - started
            with contextlib.suppress(httpx.HTTPError):
                await view
        # Without a bound the process would wait for the 60 s department call; the grace is 1 s plus shutdown.
        # Generous for a loaded machine (#21): the check is that the grace ends it, not how fast.
        assert stopped_after < 30, f"the hub took {stopped_after:.1f} s to stop"
