"""All five departments on one event loop: start on free ports, answer, and stop cleanly on cancellation."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from connectors.mock import default_urls, running_departments, serve_departments
from hub.domain import Department
from hub.world import World
from tests.integration.mock.conftest import ADAPTERS
from tests.support.waits import IT_HAPPENS_S

PORT_ZERO = dict.fromkeys(Department, "http://127.0.0.1:0")


async def test_all_five_listen_and_answer_their_own_dialects(world: World) -> None:
    async with running_departments(world, PORT_ZERO, environ={}) as running, httpx.AsyncClient() as http:
        ports = {url.rsplit(":", 1)[1] for url in running.urls.values()}
        assert len(ports) == 5
        assert "0" not in ports
        for department, url in running.urls.items():
            adapter = ADAPTERS[department]
            cpr = next(iter(world.department_records[department]))
            path, query = adapter.single(cpr)
            response = await http.get(url + path, params=query, headers=adapter.headers())
            assert response.status_code == 200, department
            assert adapter.record_cpr(response.json()) == cpr
            health = await http.get(url + "/health")
            assert health.json()["department"] == department.value


async def test_per_department_credentials_and_faults(world: World) -> None:
    async with (
        running_departments(
            world,
            PORT_ZERO,
            credentials={Department.KFF: ["kff-secret"]},
            faults={Department.SOF: {"error_rate": 1.0, "error_status": 503}},
            environ={},
        ) as running,
        httpx.AsyncClient() as http,
    ):
        sof, kff = ADAPTERS[Department.SOF], ADAPTERS[Department.KFF]
        path, _ = sof.single(next(iter(world.department_records[Department.SOF])))
        assert (await http.get(running.urls[Department.SOF] + path, headers=sof.headers())).status_code == 503
        path, _ = kff.single(next(iter(world.department_records[Department.KFF])))
        url = running.urls[Department.KFF] + path
        assert (await http.get(url, headers=kff.headers())).status_code == 401
        assert (await http.get(url, headers=kff.headers("kff-secret"))).status_code == 200


async def test_serve_departments_stops_on_cancellation_even_with_a_hung_request(world: World) -> None:
    started = asyncio.Event()
    urls = {Department.BUF: "http://127.0.0.1:0"}
    # serve_departments does not report ports; use running_departments' port picking via a free port.
    async with running_departments(world, urls, environ={}) as probe:
        free_url = probe.urls[Department.BUF]
    task = asyncio.create_task(
        serve_departments(
            world,
            {Department.BUF: free_url},
            faults={Department.BUF: {"hang_rate": 1.0}},
            environ={},
            started=started,
        )
    )
    await asyncio.wait_for(started.wait(), timeout=30)
    adapter = ADAPTERS[Department.BUF]
    path, _ = adapter.single(next(iter(world.department_records[Department.BUF])))
    async with httpx.AsyncClient(timeout=IT_HAPPENS_S) as http:
        hung = asyncio.create_task(http.get(free_url + path, headers=adapter.headers()))
        await asyncio.sleep(0.2)
        stopping = time.perf_counter()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.perf_counter() - stopping < 30  # cancelling ended the 60 s hang (not a speed target)
        with pytest.raises(httpx.TransportError):
            await hung


def test_default_urls_use_the_documented_ports() -> None:
    assert default_urls() == {
        Department.SOF: "http://127.0.0.1:8101",
        Department.BIF: "http://127.0.0.1:8102",
        Department.BUF: "http://127.0.0.1:8103",
        Department.KFF: "http://127.0.0.1:8104",
        Department.SUF: "http://127.0.0.1:8105",
    }


async def test_a_url_without_a_port_is_refused(world: World) -> None:
    with pytest.raises(ValueError, match="HOST:PORT"):
        async with running_departments(world, {Department.SOF: "http://127.0.0.1"}, environ={}):
            pass
