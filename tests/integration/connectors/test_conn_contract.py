"""One contract suite, parametrised over all five connectors against their real aiohttp mock departments:
the same promises from every department, with its fault injection on and its own call counts checked."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import pydantic
import pytest
from conftest import FAST, Admin, MakeConnector
from httpx_aiohttp import AiohttpTransport
from prometheus_client import CollectorRegistry

from connectors import bif, buf, kff, sof, suf
from connectors.base import (
    NOT_REGISTERED,
    BreakerState,
    Deadline,
    DepartmentBadResponse,
    DepartmentUnauthorized,
    DepartmentUnavailable,
)
from connectors.config import ConnectorConfig, default_credential
from connectors.errors import (
    CircuitOpen,
    DeadlineExceeded,
    DepartmentConnectionError,
    DepartmentOverloaded,
    DepartmentRateLimited,
    DepartmentServerError,
    DepartmentTimeout,
)
from connectors.metrics import ConnectorMetrics
from connectors.mock import RunningDepartments
from connectors.mock.faults import MAX_HANG_S as HANG_S
from connectors.records import RECORD_TYPES, DepartmentRecord
from connectors.registry import CONNECTOR_TYPES
from hub.domain import Department
from hub.world import World

WIRE: dict[Department, tuple[type[pydantic.BaseModel], Callable[[Any], DepartmentRecord]]] = {
    Department.SOF: (sof.Borger, sof.to_record),
    Department.BIF: (bif.Citizen, bif.to_record),
    Department.BUF: (buf.Child, buf.to_record),
    Department.KFF: (kff.Member, kff.to_record),
    Department.SUF: (suf.PatientSummary, suf.to_record),
}
UNKNOWN = "3112994999"  # a valid CPR number no world person has


def everyone(world: World) -> list[str]:
    return [p.cpr for p in world.persons()]


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float:
    return registry.get_sample_value(name, labels) or 0.0


async def test_answers_everyone_asked_for_in_batches_of_100(
    department: Department, make_connector: MakeConnector, admin: Admin, world: World
) -> None:
    asked = [*everyone(world), UNKNOWN]
    connector = make_connector(department)
    result = await connector.fetch_many(asked)
    assert result.keys() == set(asked)
    registered = world.department_records[department]
    model, to_record = WIRE[department]
    assert registered, "the world should give every department some persons"
    for cpr in asked:
        if cpr in registered:
            assert type(result[cpr]) is RECORD_TYPES[department]
            assert result[cpr] == to_record(model.model_validate(registered[cpr]))
        else:
            assert result[cpr] is NOT_REGISTERED
    stats = await admin.stats(department)
    assert stats["requests"]["batch"] == math.ceil(len(asked) / 100)
    assert stats["requests"]["single"] == 0
    assert stats["persons_requested"] == len(asked)


async def test_duplicates_cost_nothing_extra(
    department: Department, make_connector: MakeConnector, admin: Admin, world: World
) -> None:
    some = everyone(world)[:30]
    await make_connector(department).fetch_many(some * 4)
    stats = await admin.stats(department)
    assert (stats["requests"]["batch"], stats["persons_requested"]) == (1, 30)


async def test_a_wrong_credential_is_unauthorized_and_not_retried(
    department: Department, make_connector: MakeConnector, admin: Admin, world: World
) -> None:
    connector = make_connector(department, credential="dev-wrong-hub")
    with pytest.raises(DepartmentUnauthorized) as caught:
        await connector.fetch_many(everyone(world)[:3])
    assert caught.value.code == "DEPARTMENT_UNAVAILABLE"
    stats = await admin.stats(department)
    assert (stats["unauthorized"], stats["requests"]["batch"]) == (1, 0)


async def test_probe_reaches_the_health_endpoint(
    department: Department, make_connector: MakeConnector
) -> None:
    health = await make_connector(department).probe()
    assert (health.department, health.breaker, health.reachable) == (department, BreakerState.CLOSED, True)


async def test_503s_are_retried_until_attempts_run_out(
    department: Department,
    make_connector: MakeConnector,
    admin: Admin,
    world: World,
    registry: CollectorRegistry,
) -> None:
    await admin.faults(department, error_rate=1.0, error_status=503)
    with pytest.raises(DepartmentOverloaded):
        await make_connector(department, max_attempts=3).fetch_many(everyone(world)[:5])
    assert await admin.batch_calls(department) == 3
    assert sample(registry, "familiehub_connector_retries_total", department=department.value) == 2


async def test_a_500_is_not_retried(
    department: Department, make_connector: MakeConnector, admin: Admin, world: World
) -> None:
    await admin.faults(department, error_rate=1.0, error_status=500)
    with pytest.raises(DepartmentServerError):
        await make_connector(department).fetch_many(everyone(world)[:5])
    assert await admin.batch_calls(department) == 1


async def test_429_is_retried_after_retry_after(
    department: Department, make_connector: MakeConnector, admin: Admin, world: World
) -> None:
    await admin.faults(department, rate_limit_rate=1.0, retry_after_s=0)
    with pytest.raises(DepartmentRateLimited):
        await make_connector(department).fetch_many(everyone(world)[:5])
    assert await admin.batch_calls(department) == 3


async def test_429_asking_too_long_a_wait_is_given_up(
    department: Department, make_connector: MakeConnector, admin: Admin, world: World
) -> None:
    await admin.faults(department, rate_limit_rate=1.0, retry_after_s=60)
    started = time.monotonic()
    with pytest.raises(DepartmentRateLimited) as caught:
        await make_connector(department).fetch_many(everyone(world)[:5])
    assert caught.value.retry_after == 60.0
    assert time.monotonic() - started < 30  # it gave up rather than wait the 60 s asked (not a speed target)
    assert await admin.batch_calls(department) == 1


@pytest.mark.parametrize("mode", ["invalid_json", "schema"])
async def test_a_malformed_body_is_a_bad_response_for_that_department_only(
    department: Department, make_connector: MakeConnector, admin: Admin, world: World, mode: str
) -> None:
    await admin.faults(department, malformed_rate=1.0, malformed_mode=mode)
    other = Department.KFF if department is not Department.KFF else Department.SOF
    with pytest.raises(DepartmentBadResponse) as caught:
        await make_connector(department).fetch_many(everyone(world)[:5])
    assert caught.value.code == "DEPARTMENT_BAD_RESPONSE"
    assert await admin.batch_calls(department) == 1
    healthy = await make_connector(other).fetch_many(everyone(world)[:5])
    assert len(healthy) == 5


async def test_dropped_connections_are_retried_then_unavailable(
    department: Department, make_connector: MakeConnector, admin: Admin, world: World
) -> None:
    await admin.faults(department, drop_rate=1.0)
    with pytest.raises(DepartmentConnectionError):
        await make_connector(department).fetch_many(everyone(world)[:5])
    assert await admin.batch_calls(department) == 3


async def test_a_hanging_department_times_out(
    department: Department, make_connector: MakeConnector, admin: Admin, world: World
) -> None:
    await admin.faults(department, hang_rate=1.0)
    started = time.monotonic()
    with pytest.raises(DepartmentTimeout):
        await make_connector(department, read_timeout_s=0.1, max_attempts=2).fetch_many(everyone(world)[:5])
    assert (
        time.monotonic() - started < HANG_S / 2
    )  # the read timeout ended it, not the hang (not a speed target)
    assert await admin.batch_calls(department) == 2


async def test_the_deadline_caps_a_slow_department(
    department: Department, make_connector: MakeConnector, admin: Admin, world: World
) -> None:
    await admin.faults(department, hang_rate=1.0)
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        await make_connector(department, read_timeout_s=HANG_S).fetch_many(
            everyone(world)[:5], deadline=Deadline.after(0.15)
        )
    assert time.monotonic() - started < HANG_S / 2  # the deadline ended it, not the hang (not a speed target)
    assert await admin.batch_calls(department) == 1


async def test_seeded_flaky_department_still_answers_with_retries(
    department: Department,
    make_connector: MakeConnector,
    admin: Admin,
    world: World,
    registry: CollectorRegistry,
) -> None:
    await admin.faults(department, error_rate=0.3, error_status=503, drop_rate=0.1, seed=7)
    asked = everyone(world)
    connector = make_connector(department, max_attempts=6, batch_limit=20)
    result = await connector.fetch_many(asked)
    assert result.keys() == set(asked)
    chunks = math.ceil(len(asked) / 20)
    calls = await admin.batch_calls(department)
    retries = sample(registry, "familiehub_connector_retries_total", department=department.value)
    assert calls > chunks  # some chunks did fail at first ...
    assert retries == calls - chunks  # ... and each extra call was a counted retry


async def test_breaker_opens_spares_the_department_and_closes_after_a_probe(
    department: Department,
    mocks: RunningDepartments,
    admin: Admin,
    world: World,
    registry: CollectorRegistry,
) -> None:
    # The breaker's cool-down runs on a clock the test moves: a loaded machine cannot let it lapse early.
    clock = _ManualClock()
    config = ConnectorConfig(
        base_url=mocks.urls[department],
        credential=default_credential(department),
        **{**FAST, "max_attempts": 1, "breaker_failure_threshold": 3, "breaker_cooldown_s": 5.0},
    )
    connector = CONNECTOR_TYPES[department](config, metrics=ConnectorMetrics(registry), clock=clock)
    try:
        await admin.faults(department, error_rate=1.0, error_status=503)
        asked = everyone(world)[:5]
        for _ in range(3):
            with pytest.raises(DepartmentOverloaded):
                await connector.fetch_many(asked)
        for _ in range(50):
            with pytest.raises(CircuitOpen):
                await connector.fetch_many(asked)
        assert await admin.batch_calls(department) == 3  # nothing reached it while open
        health = await connector.probe()
        assert (health.breaker, health.reachable) == (BreakerState.OPEN, None)
        assert sample(registry, "familiehub_connector_breaker_state", department=department.value) == 2

        await admin.clear_faults(department)
        clock.now += 5.0
        assert len(await connector.fetch_many(asked)) == 5  # the half-open probe succeeds
        assert sample(registry, "familiehub_connector_breaker_state", department=department.value) == 0
        assert await admin.batch_calls(department) == 4
    finally:
        await connector.aclose()


class _ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_bulkhead_bounds_concurrency_against_a_slow_department(
    department: Department, make_connector: MakeConnector, admin: Admin, world: World
) -> None:
    await admin.faults(department, latency_ms=50)
    connector = make_connector(department, max_concurrency=2, batch_limit=10)
    asked = everyone(world)[:60]  # six chunks, two at a time: three waves of at least 50 ms
    started = time.monotonic()
    result = await connector.fetch_many(asked)
    elapsed = time.monotonic() - started
    assert len(result) == 60
    # Load only makes it slower: the lower bound (no single wave of six) cannot flake; the upper one is "it ends".
    assert 0.14 <= elapsed < 30
    assert await admin.batch_calls(department) == 6


async def test_errors_are_unavailable_or_bad_response_only(department: Department) -> None:
    # The two codes the GraphQL layer shows: every connector error is one of them.
    for error in (DepartmentOverloaded, DepartmentTimeout, CircuitOpen, DepartmentUnauthorized):
        assert issubclass(error, DepartmentUnavailable)
    assert DepartmentBadResponse.code == "DEPARTMENT_BAD_RESPONSE"


async def test_talks_through_aiohttp_not_plain_httpx(
    department: Department, make_connector: MakeConnector
) -> None:
    connector = make_connector(department)
    await connector.fetch_many([UNKNOWN])
    client = connector.client  # type: ignore[attr-defined]
    transport = client._transport_for_url(client.base_url)
    assert type(transport) is AiohttpTransport
    assert isinstance(transport.client, aiohttp.ClientSession)  # created by the request just made
