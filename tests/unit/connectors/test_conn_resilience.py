"""Every path of one department call through the machinery: retries, timeouts, deadline, breaker,
validation, credentials. respx intercepts at the httpx layer, so the client keeps its aiohttp transport."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
import respx
from conftest import MakeConnector
from connector_fakes import RecordingSleep, answer, sample
from prometheus_client import CollectorRegistry

from connectors.base import (
    NOT_REGISTERED,
    BreakerState,
    Deadline,
    DepartmentBadResponse,
    DepartmentUnauthorized,
    DepartmentUnavailable,
)
from connectors.errors import (
    DeadlineExceeded,
    DepartmentOverloaded,
    DepartmentRateLimited,
    DepartmentRejected,
    DepartmentServerError,
    DepartmentTimeout,
)
from connectors.records import LeisureRecord


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=answer(json.loads(request.content)["cprs"]))


async def test_success_maps_found_and_not_registered(
    make_connector: MakeConnector, mock_router: respx.MockRouter, registry: CollectorRegistry
) -> None:
    route = mock_router.post("/batch").mock(side_effect=ok)
    found, absent = "0101900002", "0101900003"
    result = await make_connector().fetch_many([found, absent])
    assert isinstance(result[found], LeisureRecord)
    assert result[absent] is NOT_REGISTERED
    assert route.call_count == 1
    request = route.calls.last.request
    assert request.headers["Authorization"] == "Bearer sekret"
    assert json.loads(request.content) == {"cprs": [found, absent]}
    assert sample(registry, "familiehub_connector_requests_total", department="KFF", outcome="success") == 1
    assert sample(registry, "familiehub_connector_request_duration_seconds_count", department="KFF") == 1


async def test_no_cprs_no_call(make_connector: MakeConnector, mock_router: respx.MockRouter) -> None:
    route = mock_router.post("/batch").mock(side_effect=ok)
    assert await make_connector().fetch_many([]) == {}
    assert route.call_count == 0


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(503),
        httpx.Response(502),
        httpx.Response(504),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
    ],
)
async def test_transient_failure_then_success(
    make_connector: MakeConnector,
    mock_router: respx.MockRouter,
    sleep: RecordingSleep,
    registry: CollectorRegistry,
    failure: Any,
) -> None:
    route = mock_router.post("/batch").mock(side_effect=list[Any]([failure, ok]))
    result = await make_connector().fetch_many(["0101900002"])
    assert isinstance(result["0101900002"], LeisureRecord)
    assert route.call_count == 2
    assert len(sleep.waits) == 1
    assert 0.0 <= sleep.waits[0] <= 0.05
    assert sample(registry, "familiehub_connector_retries_total", department="KFF") == 1


async def test_retries_exhausted(
    make_connector: MakeConnector,
    mock_router: respx.MockRouter,
    sleep: RecordingSleep,
    registry: CollectorRegistry,
) -> None:
    route = mock_router.post("/batch").mock(return_value=httpx.Response(503))
    connector = make_connector(max_attempts=4, backoff_initial_s=0.1, backoff_max_s=0.15)
    with pytest.raises(DepartmentOverloaded) as caught:
        await connector.fetch_many(["0101900002"])
    assert caught.value.code == "DEPARTMENT_UNAVAILABLE"
    assert route.call_count == 4
    assert len(sleep.waits) == 3
    assert all(0.0 <= w <= ceiling for w, ceiling in zip(sleep.waits, [0.1, 0.15, 0.15], strict=True))
    assert sample(registry, "familiehub_connector_retries_total", department="KFF") == 3
    assert (
        sample(registry, "familiehub_connector_requests_total", department="KFF", outcome="server_error") == 4
    )
    labels = {"department": "KFF", "code": "DEPARTMENT_UNAVAILABLE", "reason": "overloaded"}
    assert sample(registry, "familiehub_connector_errors_total", **labels) == 1


async def test_429_waits_as_long_as_retry_after_asks(
    make_connector: MakeConnector, mock_router: respx.MockRouter, sleep: RecordingSleep
) -> None:
    route = mock_router.post("/batch").mock(
        side_effect=list[Any]([httpx.Response(429, headers={"Retry-After": "1.5"}), ok])
    )
    await make_connector().fetch_many(["0101900002"])
    assert route.call_count == 2
    assert sleep.waits == [1.5]


async def test_429_asking_longer_than_the_cap_is_not_retried(
    make_connector: MakeConnector, mock_router: respx.MockRouter, sleep: RecordingSleep
) -> None:
    route = mock_router.post("/batch").mock(return_value=httpx.Response(429, headers={"Retry-After": "30"}))
    with pytest.raises(DepartmentRateLimited) as caught:
        await make_connector(retry_after_cap_s=2.0).fetch_many(["0101900002"])
    assert caught.value.retry_after == 30.0
    assert route.call_count == 1
    assert sleep.waits == []


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, DepartmentRejected),
        (404, DepartmentRejected),
        (422, DepartmentRejected),
        (500, DepartmentServerError),
    ],
)
async def test_other_errors_are_never_retried(
    make_connector: MakeConnector, mock_router: respx.MockRouter, status: int, error: type[Exception]
) -> None:
    route = mock_router.post("/batch").mock(return_value=httpx.Response(status, json={"error": "x"}))
    with pytest.raises(error):
        await make_connector().fetch_many(["0101900002"])
    assert route.call_count == 1


async def test_401_from_a_misconfigured_credential(
    make_connector: MakeConnector, mock_router: respx.MockRouter, registry: CollectorRegistry
) -> None:
    def check(request: httpx.Request) -> httpx.Response:
        if request.headers.get("Authorization") != "Bearer right":
            return httpx.Response(401, json={"error": "invalid_token"})
        return ok(request)

    route = mock_router.post("/batch").mock(side_effect=check)
    connector = make_connector()  # credential "sekret"
    with pytest.raises(DepartmentUnauthorized) as caught:
        await connector.fetch_many(["0101900002"])
    assert isinstance(caught.value, DepartmentUnavailable)
    assert str(caught.value) == "KFF: credential refused (HTTP 401)"
    assert route.call_count == 1
    assert connector.breaker_state is BreakerState.CLOSED  # a wrong credential is not a dead department
    labels = {"department": "KFF", "code": "DEPARTMENT_UNAVAILABLE", "reason": "unauthorized"}
    assert sample(registry, "familiehub_connector_errors_total", **labels) == 1


async def test_timeout_is_retried_then_reported(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    route = mock_router.post("/batch").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(DepartmentTimeout) as caught:
        await make_connector(max_attempts=2).fetch_many(["0101900002"])
    assert str(caught.value) == "KFF: timed out"
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert route.call_count == 2


async def test_a_hanging_department_times_out_at_the_read_timeout(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    started_calls = []

    async def hang(request: httpx.Request) -> httpx.Response:
        started_calls.append(request)  # respx counts a call only once it is answered
        await asyncio.sleep(30)
        raise AssertionError("not reached")

    mock_router.post("/batch").mock(side_effect=hang)
    connector = make_connector(connect_timeout_s=0.05, read_timeout_s=0.05, max_attempts=2)
    started = time.monotonic()
    with pytest.raises(DepartmentTimeout):
        await connector.fetch_many(["0101900002"], deadline=Deadline.after(5.0))
    assert len(started_calls) == 2
    assert (
        time.monotonic() - started < 15
    )  # the read timeout ended each, not the 30 s hang (not a speed target)


async def test_deadline_exceeded_caps_the_attempt(
    make_connector: MakeConnector, mock_router: respx.MockRouter, registry: CollectorRegistry
) -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        raise AssertionError("not reached")

    mock_router.post("/batch").mock(side_effect=hang)
    connector = make_connector(read_timeout_s=20.0)
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        await connector.fetch_many(["0101900002"], deadline=Deadline.after(0.1))
    # It waited for the deadline (load only lengthens that) and not for the read timeout: no speed target.
    assert 0.09 <= time.monotonic() - started < 15
    assert connector.breaker_state is BreakerState.CLOSED  # our impatience is not the department's failure
    labels = {"department": "KFF", "code": "DEPARTMENT_UNAVAILABLE", "reason": "deadline"}
    assert sample(registry, "familiehub_connector_errors_total", **labels) == 1


async def test_an_expired_deadline_calls_nobody(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    route = mock_router.post("/batch").mock(side_effect=ok)
    with pytest.raises(DeadlineExceeded):
        await make_connector().fetch_many(["0101900002"], deadline=Deadline(time.monotonic() - 1))
    assert route.call_count == 0


async def test_no_retry_when_the_backoff_would_outlive_the_deadline(
    make_connector: MakeConnector, mock_router: respx.MockRouter, sleep: RecordingSleep
) -> None:
    route = mock_router.post("/batch").mock(return_value=httpx.Response(429, headers={"Retry-After": "1.9"}))
    with pytest.raises(DepartmentRateLimited):
        await make_connector().fetch_many(["0101900002"], deadline=Deadline.after(1.0))
    assert route.call_count == 1
    assert sleep.waits == []


async def test_retry_budget_stops_hammering_a_struggling_department(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    route = mock_router.post("/batch").mock(return_value=httpx.Response(503))
    connector = make_connector(
        retry_budget_capacity=2.0,
        retry_budget_ratio=0.0,
        retry_budget_min_per_s=0.0,
        breaker_failure_threshold=100,
    )
    for _ in range(3):
        with pytest.raises(DepartmentOverloaded):
            await connector.fetch_many(["0101900002"])
    assert route.call_count == 3 + 2  # three first attempts, and only the two retries the budget held


@pytest.mark.parametrize(
    "body",
    [
        b"<html>gateway</html>",
        b'{"found": [',
        json.dumps({"found": [{"cpr": "0101900002"}], "not_found": []}).encode(),  # id missing
        json.dumps({"found": [], "not_found": "0101900002"}).encode(),
        json.dumps({"found": [], "not_found": ["0101900002"], "debug": True}).encode(),
    ],
)
async def test_malformed_or_schema_violating_body(
    make_connector: MakeConnector, mock_router: respx.MockRouter, body: bytes, registry: CollectorRegistry
) -> None:
    route = mock_router.post("/batch").mock(return_value=httpx.Response(200, content=body))
    connector = make_connector()
    with pytest.raises(DepartmentBadResponse) as caught:
        await connector.fetch_many(["0101900002"])
    assert caught.value.code == "DEPARTMENT_BAD_RESPONSE"
    assert "0101900002" not in str(caught.value)
    assert route.call_count == 1  # not retried
    assert connector.breaker_state is BreakerState.CLOSED
    labels = {"department": "KFF", "code": "DEPARTMENT_BAD_RESPONSE", "reason": "bad_response"}
    assert sample(registry, "familiehub_connector_errors_total", **labels) == 1
    assert (
        sample(registry, "familiehub_connector_requests_total", department="KFF", outcome="bad_response") == 1
    )


async def test_an_answer_that_skips_someone_is_a_bad_response(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    asked = ["0101900002", "0101900003"]
    mock_router.post("/batch").mock(
        return_value=httpx.Response(200, json=answer(asked, missing=["0101900003"]))
    )
    with pytest.raises(DepartmentBadResponse, match="left 1 of 2 persons unanswered"):
        await make_connector().fetch_many(asked)


async def test_an_answer_about_someone_not_asked_for_is_a_bad_response(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    mock_router.post("/batch").mock(
        return_value=httpx.Response(200, json=answer(["0101900002", "0101900004"]))
    )
    with pytest.raises(DepartmentBadResponse, match="not asked for"):
        await make_connector().fetch_many(["0101900002"])


async def test_a_non_idempotent_call_is_never_retried(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    route = mock_router.post("/cases").mock(return_value=httpx.Response(503))
    connector = make_connector(max_attempts=5)
    with pytest.raises(DepartmentOverloaded):
        await connector.http.call(
            "POST", "/cases", json_body={}, idempotent=False, deadline=Deadline.after(1.0), parse=lambda b: b
        )
    assert route.call_count == 1
