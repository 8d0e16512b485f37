"""Run the five mock departments on one event loop, each on its own port.

`running_departments(world, urls)` is an async context manager that starts one aiohttp AppRunner/TCPSite
per department where its URL points (port 0 picks a free port; the bound URLs are reported) and stops them
all on exit. `serve_departments(world, urls)` runs them until cancelled. Access logging is off: the
departments' URLs contain CPR numbers, which must never reach a log.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from connectors.mock.app import create_department_app
from connectors.mock.faults import FaultConfig
from connectors.mock.producer import ChangeProducer, ProducerConfig
from hub.domain import Department
from hub.world.model import World

DEFAULT_PORTS: dict[Department, int] = {
    Department.SOF: 8101,
    Department.BIF: 8102,
    Department.BUF: 8103,
    Department.KFF: 8104,
    Department.SUF: 8105,
}
# Requests still in flight at shutdown get this long before they are cancelled; hung ones end at once.
SHUTDOWN_TIMEOUT_S = 5.0


def default_urls(host: str = "127.0.0.1") -> dict[Department, str]:
    return {department: f"http://{host}:{port}" for department, port in DEFAULT_PORTS.items()}


@dataclass(frozen=True, slots=True)
class RunningDepartments:
    urls: dict[Department, str]  # where each department actually listens (port 0 resolved)
    apps: dict[Department, web.Application]


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname is None or parts.port is None:
        raise ValueError("a department URL must look like http://HOST:PORT")
    return parts.hostname, parts.port


@asynccontextmanager
async def running_departments(
    world: World,
    urls: Mapping[Department, str],
    *,
    credentials: Mapping[Department, Iterable[str]] | None = None,
    admin_token: str | None = None,
    faults: Mapping[Department, FaultConfig | Mapping[str, Any]] | None = None,
    environ: Mapping[str, str] | None = None,
) -> AsyncIterator[RunningDepartments]:
    runners: list[web.AppRunner] = []
    bound: dict[Department, str] = {}
    apps: dict[Department, web.Application] = {}
    try:
        for department, url in urls.items():
            host, port = _host_port(url)
            app = create_department_app(
                department,
                world,
                credentials=None if credentials is None else credentials.get(department),
                admin_token=admin_token,
                faults=None if faults is None else faults.get(department),
                environ=environ,
            )
            runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT_S)
            await runner.setup()
            runners.append(runner)
            await web.TCPSite(runner, host, port).start()
            bound_port = runner.addresses[0][1]
            bound[department] = f"http://{host}:{bound_port}"
            apps[department] = app
        yield RunningDepartments(urls=bound, apps=apps)
    finally:
        for runner in reversed(runners):
            await runner.cleanup()


async def serve_departments(
    world: World,
    urls: Mapping[Department, str],
    *,
    credentials: Mapping[Department, Iterable[str]] | None = None,
    admin_token: str | None = None,
    faults: Mapping[Department, FaultConfig | Mapping[str, Any]] | None = None,
    environ: Mapping[str, str] | None = None,
    started: asyncio.Event | None = None,
    producer: ProducerConfig | None = None,
) -> None:
    """Serve until cancelled, then stop every department cleanly. `started` is set once all listen.

    With `producer` (rate > 0) the departments also change over time and push to the hub (producer.py)."""
    async with running_departments(
        world, urls, credentials=credentials, admin_token=admin_token, faults=faults, environ=environ
    ):
        if started is not None:
            started.set()
        changes = None
        if producer is not None and producer.rate_per_minute > 0:
            changes = asyncio.create_task(ChangeProducer(world, producer).run(), name="mock-change-producer")
        try:
            await asyncio.Event().wait()
        finally:
            if changes is not None:
                changes.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await changes
