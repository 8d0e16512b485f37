"""The application factory for one mock department: routes, credentials, faults, stats and admin API.

`create_department_app(department, world)` serves that department's records about the world's people in the
department's own wire format (see sof.py, bif.py, buf.py, kff.py, suf.py). The middleware here checks the
client credential, counts the request, applies faults, and renders the department's own error bodies.
It must never log a CPR number, a credential or a record.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import Any

from aiohttp import web

from connectors.mock.admin import add_admin_routes
from connectors.mock.auth import (
    admin_token_from_env,
    challenge,
    credentials_from_env,
    matches,
    presented_credential,
)
from connectors.mock.bif import bif_api
from connectors.mock.buf import buf_api
from connectors.mock.faults import Decision, Fault, FaultConfig, FaultInjector, malform
from connectors.mock.kff import kff_api
from connectors.mock.service import (
    KIND_BY_STATUS,
    PERSONS_REQUESTED,
    DepartmentApi,
    EndpointKind,
    ErrorKind,
    Handler,
    RequestError,
    json_response,
)
from connectors.mock.sof import sof_api
from connectors.mock.state import MOCK_STATE, MockState
from connectors.mock.suf import suf_api
from hub.domain import Department
from hub.world.model import World

Records = Mapping[str, Mapping[str, Any]]

API_FACTORIES: dict[Department, Callable[[Records], DepartmentApi]] = {
    Department.SOF: sof_api,
    Department.BIF: bif_api,
    Department.BUF: buf_api,
    Department.KFF: kff_api,
    Department.SUF: suf_api,
}
_ROUTE_PREFIX = "data:"


def faults_env(department: Department) -> str:
    return f"MOCK_{department.value}_FAULTS"


def create_department_app(
    department: Department,
    world: World,
    *,
    credentials: Iterable[str] | None = None,
    admin_token: str | None = None,
    faults: FaultConfig | Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> web.Application:
    """One department's mock service over `world`.

    Unset arguments come from the environment (`MOCK_<DEPT>_CLIENT_CREDENTIALS`, `HUB_MOCK_ADMIN_TOKEN`,
    `MOCK_<DEPT>_FAULTS`) and then from the development defaults. Raises InvalidFaults for a bad fault
    configuration.
    """
    env = os.environ if environ is None else environ
    found = world.department_records.get(department)
    # One mutable dict shared by the API and the admin API (which registers persons into it).
    records: MutableMapping[str, Any] = found if isinstance(found, MutableMapping) else dict(found or {})
    api = API_FACTORIES[department](records)
    if faults is None:
        config = FaultConfig.from_env(env.get(faults_env(department)))
    elif isinstance(faults, FaultConfig):
        config = faults
    else:
        config = FaultConfig.from_json(faults)
    accepted = frozenset(credentials) if credentials is not None else credentials_from_env(department, env)
    if not accepted:
        raise ValueError("at least one client credential is required")
    app = web.Application(middlewares=[_department_middleware])
    app[MOCK_STATE] = MockState(
        api=api, credentials=accepted, injector=FaultInjector(config), records=records
    )
    for endpoint in api.endpoints:
        app.router.add_route(
            endpoint.method, endpoint.path, endpoint.handler, name=_ROUTE_PREFIX + endpoint.kind
        )

    async def health(request: web.Request) -> web.StreamResponse:
        return json_response({"status": "ok", "department": department.value, "persons": len(records)})

    async def openapi(request: web.Request) -> web.StreamResponse:
        return json_response(api.openapi)

    app.router.add_get("/health", health)
    app.router.add_get("/openapi.json", openapi)
    add_admin_routes(app, admin_token=admin_token or admin_token_from_env(env))
    app.on_shutdown.append(_wake_waiters)
    return app


async def _wake_waiters(app: web.Application) -> None:
    app[MOCK_STATE].stopping.set()


def _endpoint_kind(request: web.Request) -> EndpointKind | None:
    name = request.match_info.route.name
    if name is None or not name.startswith(_ROUTE_PREFIX):
        return None
    return EndpointKind(name.removeprefix(_ROUTE_PREFIX))


@web.middleware
async def _department_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    kind = _endpoint_kind(request)
    if kind is None:  # /health, /openapi.json, /_admin/*: no credential check, no faults
        return await handler(request)
    state = request.app[MOCK_STATE]
    api = state.api
    if not matches(presented_credential(request, api.auth), state.credentials):
        state.stats.unauthorized += 1
        return api.error(
            ErrorKind.UNAUTHORIZED, "client credential missing or not accepted", headers=challenge(api.auth)
        )
    state.stats.requests[kind.value] += 1

    decision = state.injector.decide()
    if decision.fault is not None:
        state.stats.faults[decision.fault.value] += 1
    early = await _fault_response(request, state, decision)
    if early is not None:
        return early
    try:
        response = await handler(request)
    except RequestError as exc:
        response = api.error(exc.kind, exc.message)
    state.stats.persons_requested += request.get(PERSONS_REQUESTED, 0)
    if decision.fault is Fault.MALFORMED and isinstance(response, web.Response) and response.body is not None:
        body = response.body if isinstance(response.body, bytes) else bytes(response.body)  # type: ignore[arg-type]
        return web.Response(
            body=malform(body, decision.malformed_mode),
            status=response.status,
            content_type=response.content_type,
            charset=response.charset,
        )
    return response


async def _fault_response(
    request: web.Request, state: MockState, decision: Decision
) -> web.StreamResponse | None:
    """The response a fault replaces the real one with (None: let the handler answer)."""
    api, config = state.api, state.injector.config
    if decision.delay_s > 0 and await _stopped_within(state, decision.delay_s):
        return _drop(request)
    if decision.fault is Fault.DROP:
        return _drop(request)
    if decision.fault is Fault.HANG:
        await _stopped_within(state, config.hang_s)
        return _drop(request)  # a hung request never gets an answer, even when it finally ends
    if decision.fault is Fault.RATE_LIMIT:
        retry_after = {"Retry-After": str(config.retry_after_s)}
        return api.error(ErrorKind.RATE_LIMITED, "too many requests", headers=retry_after)
    if decision.fault is Fault.ERROR:
        return api.error(KIND_BY_STATUS[config.error_status], "injected failure")
    return None


async def _stopped_within(state: MockState, seconds: float) -> bool:
    """Wait up to `seconds`; True when the server started shutting down meanwhile."""
    try:
        await asyncio.wait_for(state.stopping.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True


def _drop(request: web.Request) -> web.StreamResponse:
    """Close the connection without an HTTP response (the client sees a disconnect)."""
    if request.protocol is not None:
        request.protocol.force_close()
    if request.transport is not None:
        request.transport.close()
    # aiohttp discards this once the transport is closed; it is never sent.
    return web.Response(status=599)
