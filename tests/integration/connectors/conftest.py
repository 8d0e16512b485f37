"""The real aiohttp mock departments on 127.0.0.1 (ports chosen by the OS), their admin API, and connectors
built by the factory the app uses, with test-sized timeouts and a private metrics registry."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry

from connectors.base import DepartmentConnector
from connectors.config import ConnectorConfig, default_credential
from connectors.metrics import ConnectorMetrics
from connectors.mock import RunningDepartments, running_departments
from connectors.registry import aclose_all, build_connectors
from hub.domain import Department
from hub.world import World
from hub.world.generator import generate_world
from tests.support.waits import IT_HAPPENS_S

ADMIN = {"Authorization": "Bearer dev-admin"}
# Small numbers so that every failure path finishes in well under a second.
FAST: dict[str, Any] = {
    # Generous too: mocks and client share one event loop, so a stalled loop (a GC pause late in a long CI run)
    # can outlast a short connect timeout, and that attempt then never reaches the mock (CI, stop 34).
    "connect_timeout_s": 5.0,
    "read_timeout_s": 10.0,  # generous: a loaded machine must not time out a healthy mock (issue #21)
    "default_deadline_s": 30.0,
    "max_attempts": 3,
    "backoff_initial_s": 0.005,
    "backoff_max_s": 0.02,
    "breaker_failure_threshold": 50,
    "breaker_cooldown_s": 0.2,
}


@pytest.fixture(scope="session")
def world() -> World:
    return generate_world(40, 20261101)


@pytest.fixture(params=list(Department), ids=lambda d: d.value)
def department(request: pytest.FixtureRequest) -> Department:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
async def mocks(world: World) -> AsyncIterator[RunningDepartments]:
    async with running_departments(
        world, dict.fromkeys(Department, "http://127.0.0.1:0"), admin_token="dev-admin", environ={}
    ) as running:
        yield running


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


MakeConnector = Callable[..., DepartmentConnector]


@pytest.fixture
async def make_connector(
    mocks: RunningDepartments, registry: CollectorRegistry
) -> AsyncIterator[MakeConnector]:
    built: list[dict[Department, DepartmentConnector]] = []
    metrics = ConnectorMetrics(registry)

    def make(
        department: Department, *, credential: str | None = None, **overrides: Any
    ) -> DepartmentConnector:
        config = ConnectorConfig(
            base_url=mocks.urls[department],
            credential=credential or default_credential(department),
            **{**FAST, **overrides},
        )
        connectors = build_connectors({department: config}, metrics=metrics)
        built.append(connectors)
        return connectors[department]

    yield make
    for connectors in built:
        await aclose_all(connectors)


class Admin:
    """The mock's test-only admin API: faults and request counts."""

    def __init__(self, client: httpx.AsyncClient, urls: dict[Department, str]) -> None:
        self._client = client
        self._urls = urls

    async def faults(self, department: Department, **faults: Any) -> None:
        response = await self._client.post(
            f"{self._urls[department]}/_admin/faults", json=faults, headers=ADMIN
        )
        response.raise_for_status()

    async def clear_faults(self, department: Department) -> None:
        response = await self._client.delete(f"{self._urls[department]}/_admin/faults", headers=ADMIN)
        response.raise_for_status()

    async def stats(self, department: Department) -> dict[str, Any]:
        response = await self._client.get(f"{self._urls[department]}/_admin/stats", headers=ADMIN)
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    async def batch_calls(self, department: Department) -> int:
        return int((await self.stats(department))["requests"]["batch"])


@pytest.fixture
async def admin(mocks: RunningDepartments) -> AsyncIterator[Admin]:
    async with httpx.AsyncClient(timeout=IT_HAPPENS_S) as client:
        yield Admin(client, mocks.urls)


Sampler = Callable[[str], Awaitable[float]]
