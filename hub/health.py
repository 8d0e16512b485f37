"""Operational endpoints: liveness, readiness (database and each department connector) and Prometheus metrics.

`/metrics` answers only Prometheus' bearer token when `HUB_METRICS_TOKEN` is set (401 otherwise), and without
one it is open in development and closed (404, as if it did not exist) in production: the metrics name
departments, routes and error rates, nothing for the public.
"""

from __future__ import annotations

import asyncio
import hmac

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.metrics import hub_metrics
from hub.services import Services
from hub.settings import Settings


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    services: Services = request.app.state.services
    database_ok = True
    try:
        async with services.engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=2.0)
    except Exception:
        database_ok = False
    probes = await asyncio.gather(*(c.probe() for c in services.connectors.values()), return_exceptions=True)
    departments: dict[str, dict[str, object]] = {}
    for department, probe in zip(services.connectors, probes, strict=True):
        if isinstance(probe, BaseException):
            departments[department.value] = {"breaker": "unknown", "reachable": False}
        else:
            departments[department.value] = {"breaker": probe.breaker.value, "reachable": probe.reachable}
    # Readiness depends on the database only: a department being down degrades sections, not the hub; Redis
    # being away degrades live updates to this process's own subscribers (it reconnects by itself).
    pubsub = services.extras.get("pubsub")
    body = {
        "status": "ready" if database_ok else "not_ready",
        "database": database_ok,
        "departments": departments,
        "pubsub": {
            # Only a cross-process backend (Redis) has a connection to lose; in-process delivery always works.
            "backend": "redis" if hasattr(pubsub, "connected") else "memory",
            "connected": bool(getattr(pubsub, "connected", True)),
        },
    }
    return JSONResponse(body, status_code=200 if database_ok else 503)


async def metrics_endpoint(request: Request) -> Response:
    services: Services = request.app.state.services
    refusal = metrics_refusal(request, services.settings)
    if refusal is not None:
        return refusal
    if (metrics := hub_metrics(services)) is not None:
        await metrics.refresh(services)  # gauges read from the database (hub/metrics.py)
    return Response(generate_latest(services.metrics), media_type=CONTENT_TYPE_LATEST)


def metrics_refusal(request: Request, settings: Settings) -> Response | None:
    """Why this request may not read the metrics (a response to send), or None."""
    token = settings.metrics_token.get_secret_value()
    if token:
        sent = request.headers.get("authorization", "").encode("latin-1")
        if hmac.compare_digest(sent, f"Bearer {token}".encode()):
            return None
        return JSONResponse(
            {"error": {"code": "UNAUTHENTICATED", "message": "invalid or missing credentials"}},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    if settings.is_production:
        return JSONResponse({"error": {"code": "NOT_FOUND", "message": "no such resource"}}, status_code=404)
    return None
