"""The composition root: `create_app(settings)` builds every collaborator once and wires the Starlette app.

Nothing else constructs connectors, engines or registries. Tests call `create_app` with their own settings
(and, where they must, their own `Services`), never patch.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from connectors.config import ConnectorConfig
from connectors.latency import LatencyBudget
from connectors.metrics import ConnectorMetrics
from connectors.registry import build_connectors
from hub import tracing
from hub.auth.authenticator import install_auth, jwks_endpoint
from hub.auth.dev_token_http import dev_token_routes
from hub.crypto import CprVault
from hub.documents.trust import TRUSTED_DOCUMENTS, trusted_documents
from hub.domain import Department
from hub.enrolment.http import report_routes
from hub.graphiql import graphiql_routes
from hub.health import healthz, metrics_endpoint, readyz
from hub.heap import freeze_startup_heap
from hub.ingestion.wiring import ingestion_routes, install_ingestion, start_ingestion, stop_ingestion
from hub.logging import configure_logging
from hub.metrics import install_hub_metrics
from hub.middleware import RequestContextMiddleware
from hub.outcomes.schedule import start_scheduler, stop_scheduler
from hub.persistence.engine import create_engine, create_session_factory
from hub.plan import withdrawn as _withdrawn  # noqa: F401 - registers the withdrawal hook that marks plan entries
from hub.ratelimit import RATE_LIMITS, RateLimits
from hub.readmodel.wiring import install_readmodel, start_readmodel, stop_readmodel
from hub.services import LATENCY_BUDGETS, Services
from hub.settings import Settings
from hub.webapp import webapp_routes
from schema import build_schema
from schema.audit.extension import close_audit
from schema.view import HubGraphQL


def connector_configs(settings: Settings) -> dict[Department, ConnectorConfig]:
    return {
        d: ConnectorConfig.for_department(
            d,
            base_url=settings.department_url(d),
            credential=settings.department_credential(d),
            connect_timeout_s=settings.connect_timeout_s,
            read_timeout_s=settings.read_timeout_s,
            default_deadline_s=settings.request_deadline_s,
            breaker_slow_call_s=settings.department_budget_s,
        )
        for d in Department
    }


def build_services(settings: Settings, registry: CollectorRegistry | None = None) -> Services:
    registry = registry or CollectorRegistry()
    engine = create_engine(settings.database_url)
    services = Services(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        vault=CprVault.from_settings(settings),
        connectors=build_connectors(connector_configs(settings), metrics=ConnectorMetrics(registry)),
        metrics=registry,
    )
    services.extras[LATENCY_BUDGETS] = {
        d: LatencyBudget(d, min(settings.department_budget_s, settings.request_deadline_s))
        for d in Department
    }
    services.extras[RATE_LIMITS] = RateLimits(settings, registry)
    install_auth(services)
    install_ingestion(services)
    install_readmodel(services)
    install_hub_metrics(services)
    return services


def create_app(
    settings: Settings | None = None, *, services: Services | None = None, freeze_heap: bool = False
) -> Starlette:
    """The app. `freeze_heap`: once started, freeze the start-up heap out of garbage collection (hub.heap);
    only for a process that serves until it exits, never for a test that builds many apps."""
    settings = settings or (services.settings if services else Settings())
    settings.check_production()
    services = services or build_services(settings)
    install_ingestion(services)  # idempotent: for services built by a test
    install_readmodel(services)  # idempotent too
    if TRUSTED_DOCUMENTS not in services.extras:  # the allow-list (hub/documents), loaded once at start
        services.extras[TRUSTED_DOCUMENTS] = trusted_documents(settings)
    schema = build_schema(settings)
    middleware = [
        Middleware(
            RequestContextMiddleware,
            registry=services.metrics,
            max_url_bytes=settings.max_url_bytes,
            hsts=settings.hsts,
        )
    ]
    if tracing.configure(settings):  # off: nothing below is installed, so tracing costs nothing
        schema.extensions = (tracing.GraphQLOperationSpan, *schema.extensions)
        middleware.insert(0, Middleware(tracing.TracingMiddleware))
        tracing.instrument_engine(services.engine)
    graphql = HubGraphQL(schema, services=services)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        await start_ingestion(services)
        await start_readmodel(services, services.extras["pubsub"])
        await start_scheduler(services)
        if freeze_heap:
            freeze_startup_heap()
        try:
            yield {}
        finally:
            await stop_scheduler(services)
            await close_audit(services)
            if (limits := services.extras.get(RATE_LIMITS)) is not None:
                await limits.aclose()
            await stop_readmodel(services)
            await stop_ingestion(services)
            await services.aclose()
            tracing.flush()

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        Route("/.well-known/jwks.json", jwks_endpoint, methods=["GET"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        *ingestion_routes(),
        *report_routes(),
        *graphiql_routes(settings.introspection_enabled),
        *webapp_routes(settings),
        *dev_token_routes(settings),
    ]
    if settings.cors_origins:
        # Outermost, so a preflight is answered before anything asks for a token. The same list lets those
        # origins' pages open the GraphQL WebSocket (schema/view.py).
        middleware.insert(
            0,
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Authorization", "Content-Type"],
                max_age=600,
            ),
        )
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={404: _not_found, 500: _internal},
        lifespan=lifespan,
    )
    app.state.services = services
    return app


async def _not_found(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": {"code": "NOT_FOUND", "message": "no such resource"}}, status_code=404)


async def _internal(request: Request, exc: Exception) -> Response:
    return JSONResponse(
        {
            "error": {
                "code": "INTERNAL",
                "message": "internal error",
                "requestId": request.scope.get("state", {}).get("request_id"),
            }
        },
        status_code=500,
    )


def asgi() -> Starlette:
    """The uvicorn factory (`uvicorn --factory hub.app:asgi`): settings from the environment."""
    settings = Settings()
    configure_logging(settings.log_level)
    return create_app(settings, freeze_heap=True)
