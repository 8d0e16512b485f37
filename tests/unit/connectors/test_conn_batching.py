"""fetch_many: dedupe, chunking by the batch limit, concurrent chunks within the bulkhead."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import respx
from conftest import MakeConnector
from connector_fakes import answer, cprs, sample
from prometheus_client import CollectorRegistry

from connectors.base import NOT_REGISTERED, Deadline
from connectors.errors import BulkheadFull, DepartmentOverloaded
from connectors.records import LeisureRecord
from hub.cpr import InvalidCPR

SETTLE_S = 10.0  # an upper bound for something to happen, never a speed target


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=answer(json.loads(request.content)["cprs"]))


def asked(route: respx.Route) -> list[list[str]]:
    return [json.loads(call.request.content)["cprs"] for call in route.calls]


async def test_250_cprs_become_three_calls(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    route = mock_router.post("/batch").mock(side_effect=ok)
    wanted = cprs(250)
    result = await make_connector().fetch_many(wanted)
    assert route.call_count == 3
    assert sorted(len(chunk) for chunk in asked(route)) == [50, 100, 100]
    assert sorted(c for chunk in asked(route) for c in chunk) == sorted(wanted)
    assert result.keys() == set(wanted)  # every asked CPR answered
    for cpr in wanted:
        expected = LeisureRecord if int(cpr[-1]) % 2 == 0 else type(NOT_REGISTERED)
        assert isinstance(result[cpr], expected)


@pytest.mark.parametrize(("n", "calls"), [(1, 1), (100, 1), (101, 2), (200, 2), (201, 3)])
async def test_chunks_only_at_the_batch_limit(
    make_connector: MakeConnector, mock_router: respx.MockRouter, n: int, calls: int
) -> None:
    route = mock_router.post("/batch").mock(side_effect=ok)
    await make_connector().fetch_many(cprs(n))
    assert route.call_count == calls


async def test_duplicates_are_asked_once(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    route = mock_router.post("/batch").mock(side_effect=ok)
    a, b = "0101900002", "0101900003"
    result = await make_connector().fetch_many([a, b, a, a, b])
    assert asked(route) == [[a, b]]
    assert set(result) == {a, b}


async def test_dedupe_happens_before_chunking(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    route = mock_router.post("/batch").mock(side_effect=ok)
    await make_connector().fetch_many(cprs(100) * 3)
    assert route.call_count == 1


async def test_batch_limit_comes_from_the_config(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    route = mock_router.post("/batch").mock(side_effect=ok)
    connector = make_connector(batch_limit=10)
    assert connector.batch_limit == 10
    await connector.fetch_many(cprs(25))
    assert sorted(len(chunk) for chunk in asked(route)) == [5, 10, 10]


async def test_chunks_run_concurrently_within_the_bulkhead(
    make_connector: MakeConnector, mock_router: respx.MockRouter, registry: CollectorRegistry
) -> None:
    in_flight = 0
    peak = 0
    gauge_peak = 0.0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak, gauge_peak
        in_flight += 1
        peak = max(peak, in_flight)
        gauge_peak = max(gauge_peak, sample(registry, "familiehub_connector_in_flight", department="KFF"))
        await asyncio.sleep(0.02)
        in_flight -= 1
        return ok(request)

    mock_router.post("/batch").mock(side_effect=slow)
    connector = make_connector(batch_limit=10, max_concurrency=3)
    result = await connector.fetch_many(cprs(100))
    assert len(result) == 100
    assert peak == 3  # concurrent, but never past the bulkhead
    assert gauge_peak == 3
    assert sample(registry, "familiehub_connector_in_flight", department="KFF") == 0


async def test_a_full_bulkhead_past_its_wait_is_unavailable(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    release = asyncio.Event()
    holding = asyncio.Event()

    async def blocked(request: httpx.Request) -> httpx.Response:
        holding.set()
        await release.wait()
        return ok(request)

    route = mock_router.post("/batch").mock(side_effect=blocked)
    connector = make_connector(max_concurrency=1, bulkhead_max_wait_s=0.05)
    first = asyncio.create_task(connector.fetch_many(["0101900002"]))
    await asyncio.wait_for(holding.wait(), SETTLE_S)  # the first call holds the only slot
    with pytest.raises(BulkheadFull) as caught:
        await connector.fetch_many(["0101900004"])
    assert caught.value.code == "DEPARTMENT_UNAVAILABLE"
    release.set()
    await first
    assert route.call_count == 1


async def test_a_full_bulkhead_is_capped_by_the_deadline(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    release = asyncio.Event()
    holding = asyncio.Event()

    async def blocked(request: httpx.Request) -> httpx.Response:
        holding.set()
        await release.wait()
        return ok(request)

    mock_router.post("/batch").mock(side_effect=blocked)
    connector = make_connector(max_concurrency=1, bulkhead_max_wait_s=10.0)
    first = asyncio.create_task(connector.fetch_many(["0101900002"]))
    await asyncio.wait_for(holding.wait(), SETTLE_S)  # the first call holds the only slot
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(BulkheadFull):
        await connector.fetch_many(["0101900004"], deadline=Deadline.after(0.05))
    assert (
        loop.time() - started < 5
    )  # the deadline ended the wait, not the 10 s bulkhead wait (no speed target)
    release.set()
    await first


async def test_one_failing_chunk_fails_the_call_and_cancels_the_rest(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    # The other chunks wait on an event nobody sets: they end only by being cancelled, never by a race.
    started = cancelled = finished = 0
    never, others_in_flight, both_cancelled = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def first_fails(request: httpx.Request) -> httpx.Response:
        nonlocal started, cancelled, finished
        if json.loads(request.content)["cprs"][0] == cprs(1)[0]:
            await others_in_flight.wait()  # fail only once the two other chunks are running
            return httpx.Response(503)
        started += 1
        if started == 2:
            others_in_flight.set()
        try:
            await never.wait()
        except asyncio.CancelledError:
            cancelled += 1
            if cancelled == 2:
                both_cancelled.set()
            raise
        finished += 1
        return ok(request)

    mock_router.post("/batch").mock(side_effect=first_fails)
    connector = make_connector(max_attempts=1, batch_limit=10)
    with pytest.raises(DepartmentOverloaded):
        await asyncio.wait_for(connector.fetch_many(cprs(30)), SETTLE_S)
    await asyncio.wait_for(both_cancelled.wait(), SETTLE_S)
    assert (started, cancelled, finished) == (2, 2, 0)


async def test_dashed_and_plain_forms_are_one_person(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    route = mock_router.post("/batch").mock(side_effect=ok)
    result = await make_connector().fetch_many(["010190-0002", "0101900002", " 0101900003"])
    assert asked(route) == [["0101900002", "0101900003"]]
    assert set(result) == {"010190-0002", "0101900002", " 0101900003"}  # keyed as asked
    assert result["010190-0002"] is result["0101900002"]


async def test_an_invalid_cpr_fails_before_any_call_without_echoing_it(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    route = mock_router.post("/batch").mock(side_effect=ok)
    with pytest.raises(InvalidCPR) as caught:
        await make_connector().fetch_many(["0101900002", "9999999999"])
    assert "9999999999" not in str(caught.value)
    assert route.call_count == 0
