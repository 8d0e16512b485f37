"""The GraphQL HTTP/WebSocket endpoint: builds the per-request context and serialises with orjson.

Authentication happens here, once per HTTP request or WebSocket connection, through the authenticator the
composition root put in `services.extras["authenticate"]`: a bad token is a 401 (HTTP) or a closed connection
(WebSocket), never a partial answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.federation import Schema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from connectors.base import Deadline
from hub.auth.principal import Principal
from hub.errors import Unauthenticated
from hub.services import Services
from schema.context import Context

Authenticate = Callable[[Request | WebSocket], Awaitable[Principal | None]]


class HubGraphQL(GraphQL[Context, None]):
    def __init__(self, schema: Schema, *, services: Services) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if services.settings.introspection_enabled else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            allow_queries_via_get=False,
        )
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope, receive)
            try:
                scope.setdefault("state", {})["principal"] = await self._authenticate(request)
            except Unauthenticated as exc:
                body = {"errors": [{"message": exc.message, "extensions": {"code": "UNAUTHENTICATED"}}]}
                response: Response = JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def _authenticate(self, conn: Request | WebSocket) -> Principal | None:
        authenticate: Authenticate | None = self.services.extras.get("authenticate")
        return await authenticate(conn) if authenticate else None

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        state: dict[str, Any] = request.scope.get("state", {})
        if "principal" in state:
            principal = state["principal"]
        else:
            # WebSocket: authenticated when the connection is set up; a bad token closes it (see on_ws_connect).
            principal = await self._authenticate(request)
            state["principal"] = principal
        return Context(
            services=self.services,
            request=request,
            principal=principal,
            request_id=state.get("request_id", ""),
            deadline=Deadline.after(self.services.settings.request_deadline_s),
            now=self.services.clock(),
        )

    def encode_json(self, data: object) -> bytes:  # type: ignore[override]
        return orjson.dumps(data)
