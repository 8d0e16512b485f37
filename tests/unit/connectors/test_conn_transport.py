"""The client: aiohttp's engine under the httpx API, never plain httpx's pool; credentials per department;
metrics on an injected registry; nothing personal in logs or errors."""

from __future__ import annotations

import json
import logging

import aiohttp
import httpx
import pytest
import respx
from aiohttp import web
from conftest import MakeConnector
from connector_fakes import FakeConnector, answer, sample
from httpx_aiohttp import AiohttpTransport
from prometheus_client import REGISTRY, CollectorRegistry

from connectors._http import AuthStyle
from connectors.base import ConnectorError, DepartmentConnector
from connectors.config import ConnectorConfig
from connectors.errors import DepartmentConnectionError, DepartmentRateLimited, DepartmentServerError
from connectors.metrics import ConnectorMetrics
from connectors.registry import aclose_all, build_connectors, default_configs
from hub.domain import Department


def test_default_transport_is_aiohttp(make_connector: MakeConnector, monkeypatch: pytest.MonkeyPatch) -> None:
    # Proxy variables would make a trusting client mount plain httpx transports for every URL.
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("ALL_PROXY", "http://proxy.invalid:3128")
    connector = make_connector()
    client = connector.client
    assert type(client._transport) is AiohttpTransport
    assert type(client._transport_for_url(httpx.URL("http://dept.test/batch"))) is AiohttpTransport
    assert not isinstance(client._transport, httpx.AsyncHTTPTransport)
    limits = client._transport.limits
    assert limits.max_connections == connector.config.max_concurrency
    assert limits.keepalive_expiry == connector.config.keepalive_expiry_s


async def test_a_real_request_goes_through_aiohttp(metrics: ConnectorMetrics) -> None:
    """No respx here: a real aiohttp server on 127.0.0.1, port chosen by the OS."""
    seen: list[dict[str, str]] = []

    async def batch(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response(answer((await request.json())["cprs"]))

    app = web.Application()
    app.router.add_post("/batch", batch)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    connector = FakeConnector(
        ConnectorConfig(base_url=f"http://127.0.0.1:{port}", credential="c"), metrics=metrics
    )
    try:
        for _ in range(3):
            await connector.fetch_many(["0101900002"])
        transport = connector.client._transport
        assert isinstance(transport, AiohttpTransport)
        session = transport.client
        assert isinstance(session, aiohttp.ClientSession)  # the request really went through aiohttp
        assert seen[0]["Authorization"] == "Bearer c"
        assert seen[0]["Accept"] == "application/json"
    finally:
        await connector.aclose()
        await runner.cleanup()
    assert session.closed


async def test_a_closed_connector_opens_no_new_session(metrics: ConnectorMetrics) -> None:
    """A call that comes after aclose (a straggling task at shutdown) fails as httpx would, and never creates an
    aiohttp session that nothing would close (pytest reports those as unraisable ResourceWarnings)."""
    connector = FakeConnector(ConnectorConfig(base_url="http://127.0.0.1:9", credential="c"), metrics=metrics)
    await connector.aclose()
    with pytest.raises(Exception):  # noqa: B017, PT011 - whichever error the connector maps it to
        await connector.fetch_many(["0101900002"])
    transport = connector.client._transport
    assert isinstance(transport, AiohttpTransport)
    assert transport.client is None


async def test_the_direct_aiohttp_path_sends_what_httpx_sent_and_maps_refusals(
    metrics: ConnectorMetrics,
) -> None:
    """The production path skips httpx's request objects: the same headers and JSON body arrive, a 429's
    Retry-After is honoured, a 500 is a server error, a dropped connection a connection error."""
    seen: list[tuple[dict[str, str], bytes]] = []
    statuses = [429, 500]

    async def batch(request: web.Request) -> web.Response:
        seen.append((dict(request.headers), await request.read()))
        if statuses:
            status = statuses.pop(0)
            return web.Response(status=status, headers={"Retry-After": "7"} if status == 429 else {})
        return web.json_response(answer((await request.json())["cprs"]))

    app = web.Application()
    app.router.add_post("/batch", batch)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    connector = FakeConnector(
        ConnectorConfig(base_url=f"http://127.0.0.1:{port}", credential="c", max_attempts=1), metrics=metrics
    )
    try:
        with pytest.raises(DepartmentRateLimited) as limited:
            await connector.fetch_many(["0101900002"])
        assert limited.value.retry_after == 7.0
        connector.http._rate_limited_until = 0.0  # the test does not wait out the Retry-After
        with pytest.raises(DepartmentServerError):
            await connector.fetch_many(["0101900002"])
        result = await connector.fetch_many(["0101900002"])
        assert set(result) == {"0101900002"}
        headers, body = seen[-1]
        assert headers["Authorization"] == "Bearer c"
        assert headers["Accept"] == "application/json"
        assert headers["Content-Type"] == "application/json"
        assert json.loads(body) == {"cprs": ["0101900002"]}
        assert connector.client._transport.client is not None  # type: ignore[attr-defined]
    finally:
        await connector.aclose()
        await runner.cleanup()
    gone = FakeConnector(
        ConnectorConfig(base_url=f"http://127.0.0.1:{port}", credential="c", max_attempts=1), metrics=metrics
    )
    try:
        with pytest.raises(DepartmentConnectionError):  # the server is gone
            await gone.fetch_many(["0101900002"])
    finally:
        await gone.aclose()


class ApiKeyConnector(FakeConnector):
    AUTH = AuthStyle.API_KEY


async def test_api_key_departments_send_x_api_key(
    make_connector: MakeConnector, mock_router: respx.MockRouter
) -> None:
    route = mock_router.post("/batch").mock(
        side_effect=lambda r: httpx.Response(200, json=answer(json.loads(r.content)["cprs"]))
    )
    await make_connector(ApiKeyConnector).fetch_many(["0101900002"])
    headers = route.calls.last.request.headers
    assert headers["X-API-Key"] == "sekret"
    assert "Authorization" not in headers


def test_satisfies_the_connector_protocol(make_connector: MakeConnector) -> None:
    assert isinstance(make_connector(), DepartmentConnector)


def test_the_credential_stays_out_of_repr() -> None:
    config = ConnectorConfig(base_url="http://x.test", credential="top-secret")
    assert "top-secret" not in repr(config)


def test_metrics_stay_off_the_global_registry(registry: CollectorRegistry) -> None:
    ConnectorMetrics(registry)
    ConnectorMetrics(CollectorRegistry())  # a second hub in the same process: no duplicate registration
    assert "familiehub_connector_requests_total" not in REGISTRY._names_to_collectors
    assert "familiehub_connector_requests_total" in registry._names_to_collectors
    names = {m.name for m in registry.collect()}
    assert {
        "familiehub_connector_requests",
        "familiehub_connector_request_duration_seconds",
        "familiehub_connector_retries",
        "familiehub_connector_errors",
        "familiehub_connector_breaker_state",
        "familiehub_connector_in_flight",
    } <= names


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(503),
        httpx.Response(401),
        httpx.Response(200, content=b'{"found": [{"cpr": "0101900002", "id": 7}], "not_found": []}'),
        httpx.Response(200, content=b"0101900002 Jens Hansen"),
        httpx.ConnectError("refused"),
    ],
)
async def test_no_cpr_in_logs_or_errors(
    make_connector: MakeConnector,
    mock_router: respx.MockRouter,
    caplog: pytest.LogCaptureFixture,
    response: httpx.Response | Exception,
) -> None:
    mock_router.post("/batch").mock(side_effect=[response] * 3)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ConnectorError) as caught:
        await make_connector().fetch_many(["0101900002"])
    texts = [str(caught.value), repr(caught.value), *(r.getMessage() for r in caplog.records)]
    texts += [str(getattr(r, name, "")) for r in caplog.records for name in ("department", "reason", "code")]
    cause = caught.value.__cause__
    while cause is not None:
        texts.append(str(cause))
        cause = cause.__cause__
    assert caplog.records
    assert not [t for t in texts if "0101900002" in t or "Jens" in t]


@pytest.mark.parametrize(
    ("department", "header", "value"),
    [
        (Department.SOF, "Authorization", "Bearer dev-sof-hub"),
        (Department.BIF, "X-API-Key", "dev-bif-hub"),
        (Department.BUF, "Authorization", "Bearer dev-buf-hub"),
        (Department.KFF, "X-API-Key", "dev-kff-hub"),
        (Department.SUF, "Authorization", "Bearer dev-suf-hub"),
    ],
)
async def test_each_department_gets_its_auth_style(
    department: Department, header: str, value: str, metrics: ConnectorMetrics
) -> None:
    connectors = build_connectors({department: ConnectorConfig.for_department(department)}, metrics=metrics)
    try:
        connector = connectors[department]
        assert connector.department is department
        headers = connector.client.headers  # type: ignore[attr-defined]
        assert headers[header] == value
        assert ("X-API-Key" in headers) == (header == "X-API-Key")
        assert ("Authorization" in headers) == (header == "Authorization")
    finally:
        await aclose_all(connectors)


def test_the_factory_builds_all_five_on_one_registry(registry: CollectorRegistry) -> None:
    connectors = build_connectors(default_configs(), metrics=ConnectorMetrics(registry))
    assert set(connectors) == set(Department)
    assert all(isinstance(c, DepartmentConnector) for c in connectors.values())
    assert all(c.batch_limit == 100 for c in connectors.values())
    for department in Department:
        assert sample(registry, "familiehub_connector_breaker_state", department=department.value) == 0
