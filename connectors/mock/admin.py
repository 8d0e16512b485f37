"""The mock departments' test-only admin API: faults and request statistics.

    GET    /_admin/faults   the current fault configuration
    POST   /_admin/faults   replace it (JSON body, every field optional; 400 on unknown fields/bad values)
    DELETE /_admin/faults   clear all faults
    GET    /_admin/stats    requests per data endpoint, CPR numbers asked for, faults injected, 401s
    DELETE /_admin/stats    reset the counters
    POST   /_admin/persons  register a person with this department's record about them:
                            {"cpr": "10 digits", "record": {... the department's own wire format ...}};
                            201 {"persons": N}. The single-person and batch look-ups serve it at once (the
                            paged list keeps the world's persons). Replaces a record already there.

All take `Authorization: Bearer <admin token>`. The admin API is never subject to faults and never
returns personal data.
"""

from __future__ import annotations

import json

from aiohttp import web

from connectors.mock.auth import bearer_token, matches
from connectors.mock.faults import FaultConfig, InvalidFaults
from connectors.mock.service import json_response
from connectors.mock.state import MOCK_STATE

CPR_DIGITS = 10


def _admin_error(status: int, code: str, message: str) -> web.Response:
    return json_response({"error": {"code": code, "message": message}}, status=status)


def add_admin_routes(app: web.Application, *, admin_token: str) -> None:
    def authorized(request: web.Request) -> web.Response | None:
        if matches(bearer_token(request), (admin_token,)):
            return None
        return _admin_error(401, "unauthorized", "admin token missing or wrong")

    async def get_faults(request: web.Request) -> web.StreamResponse:
        if (denied := authorized(request)) is not None:
            return denied
        return json_response(request.app[MOCK_STATE].injector.config.to_json())

    async def set_faults(request: web.Request) -> web.StreamResponse:
        if (denied := authorized(request)) is not None:
            return denied
        try:
            body = await request.json(loads=json.loads)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _admin_error(400, "bad_request", "the body is not valid JSON")
        try:
            config = FaultConfig.from_json(body)
        except InvalidFaults as exc:
            return _admin_error(400, "bad_request", str(exc))
        request.app[MOCK_STATE].injector.configure(config)
        return json_response(config.to_json())

    async def clear_faults(request: web.Request) -> web.StreamResponse:
        if (denied := authorized(request)) is not None:
            return denied
        request.app[MOCK_STATE].injector.configure(FaultConfig())
        return json_response(FaultConfig().to_json())

    async def get_stats(request: web.Request) -> web.StreamResponse:
        if (denied := authorized(request)) is not None:
            return denied
        return json_response(request.app[MOCK_STATE].stats.to_json())

    async def reset_stats(request: web.Request) -> web.StreamResponse:
        if (denied := authorized(request)) is not None:
            return denied
        state = request.app[MOCK_STATE]
        state.stats.reset()
        return json_response(state.stats.to_json())

    async def register_person(request: web.Request) -> web.StreamResponse:
        if (denied := authorized(request)) is not None:
            return denied
        try:
            body = await request.json(loads=json.loads)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _admin_error(400, "bad_request", "the body is not valid JSON")
        cpr = body.get("cpr") if isinstance(body, dict) else None
        record = body.get("record") if isinstance(body, dict) else None
        if not isinstance(cpr, str) or len(cpr) != CPR_DIGITS or not cpr.isdigit():
            return _admin_error(400, "bad_request", "cpr must be 10 digits")
        if not isinstance(record, dict):
            return _admin_error(400, "bad_request", "record must be a JSON object")
        state = request.app[MOCK_STATE]
        state.records[cpr] = record
        return json_response({"persons": len(state.records)}, status=201)

    app.router.add_get("/_admin/faults", get_faults)
    app.router.add_post("/_admin/faults", set_faults)
    app.router.add_delete("/_admin/faults", clear_faults)
    app.router.add_get("/_admin/stats", get_stats)
    app.router.add_delete("/_admin/stats", reset_stats)
    app.router.add_post("/_admin/persons", register_person)
