"""`GET /reports/steering.csv` and `GET /reports/steering.svg`: the steering report as a file.

The same bearer token as GraphQL, through the authenticator in `services.extras["authenticate"]`: no or a bad
token is 401, a role other than STEERING_GROUP or COORDINATOR is 403 (logged as a denied EXPORT), both as
JSON errors with the GraphQL codes. `?district=NORREBRO|BISPEBJERG` picks rows of the suppressed table (the
same table GraphQL serves). Before the file leaves, every use of personal data behind it (READ) and the
export itself (EXPORT) are written to the audit log in one transaction: if that fails, nothing is sent.
Responses are `Cache-Control: no-store`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.base import Deadline
from hub.audit.events import AuditEvent
from hub.audit.log import record
from hub.auth.principal import Principal
from hub.enrolment.access import AGGREGATE_ROLES, Actor
from hub.enrolment.export import to_csv, to_svg
from hub.enrolment.report import SteeringReport
from hub.enrolment.reporting import denied_export_event, export_event, steering_report, use_event
from hub.enrolment.suppression import Scope
from hub.enrolment.wiring import enrolment_service
from hub.errors import Unauthenticated
from hub.persistence.engine import transaction
from hub.services import Services

Render = Callable[[SteeringReport, Scope], Awaitable[tuple[bytes, str]]]


def _error(status: int, code: str, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


async def _principal(services: Services, request: Request) -> Principal | None:
    authenticate = services.extras.get("authenticate")
    if authenticate is None:
        return None
    principal: Principal | None = await authenticate(request)
    return principal


async def _csv(report: SteeringReport, scope: Scope) -> tuple[bytes, str]:
    scopes = tuple(Scope) if scope is Scope.ALL else (scope,)
    return to_csv(report, scopes).encode("utf-8"), "text/csv; charset=utf-8"


async def _svg(report: SteeringReport, scope: Scope) -> tuple[bytes, str]:
    # Rendering takes tens of milliseconds of CPU: off the event loop.
    return await asyncio.to_thread(to_svg, report, scope), "image/svg+xml"


def _endpoint(export_format: str, render: Render) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        services: Services = request.app.state.services
        request_id = request.scope.get("state", {}).get("request_id")
        now = services.clock()
        try:
            principal = await _principal(services, request)
        except Unauthenticated as exc:
            return _error(401, "UNAUTHENTICATED", exc.message)
        if principal is None:
            return _error(401, "UNAUTHENTICATED", "authentication required")
        if principal.role not in AGGREGATE_ROLES:
            async with transaction(services.sessions) as session:
                await record(
                    session,
                    [
                        denied_export_event(
                            principal, now=now, request_id=request_id, export_format=export_format
                        )
                    ],
                )
            return _error(
                403, "FORBIDDEN", "the steering report is for the steering group and the coordinator"
            )
        district = request.query_params.get("district", "ALL").upper()
        if district not in Scope.__members__:
            return _error(400, "BAD_USER_INPUT", "district must be NORREBRO or BISPEBJERG")
        events: list[AuditEvent] = []

        def on_use(person_id: str, family_id: str, source: str, category: str, basis: str | None) -> None:
            events.append(
                use_event(
                    principal,
                    now=now,
                    request_id=request_id,
                    person_id=person_id,
                    family_id=family_id,
                    source=source,
                    category=category,
                    basis=basis,
                )
            )

        actor = Actor(principal, now, Deadline.after(services.settings.request_deadline_s), request_id)
        report = await steering_report(enrolment_service(services), actor, on_use=on_use)
        body, media_type = await render(report, Scope[district])
        categories = {c for e in events for c in e.categories}
        events.append(
            export_event(
                principal,
                now=now,
                request_id=request_id,
                export_format=export_format,
                categories=sorted(categories),
            )
        )
        async with transaction(services.sessions) as session:
            await record(session, events)
        filename = f"steering-report-{actor.today.isoformat()}.{export_format}"
        return Response(
            body,
            media_type=media_type,
            headers={
                "Cache-Control": "no-store",
                "Content-Disposition": f'attachment; filename="{filename}"',
            },
        )

    return endpoint


def report_routes() -> list[BaseRoute]:
    return [
        Route("/reports/steering.csv", _endpoint("csv", _csv), methods=["GET"]),
        Route("/reports/steering.svg", _endpoint("svg", _svg), methods=["GET"]),
    ]
