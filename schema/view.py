"""The GraphQL HTTP/WebSocket endpoint: builds the per-request context and serialises with orjson.

Authentication happens here, once per HTTP request or WebSocket connection, through the authenticator the
composition root put in `services.extras["authenticate"]`. Over HTTP a missing or bad token is a 401 with one
GraphQL-shaped body before the body is read or a document parsed (only GraphiQL's page, in development, loads
without one); the body is then read under `HUB_MAX_BODY_BYTES` (413; a department system's push batches get
`HUB_MAX_WEBHOOK_BODY_BYTES`, as on the webhook). Over WebSocket a bad token closes the
connection (4401), never a partial answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.federation import Schema
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage
from strawberry.types import ExecutionResult

from connectors.base import Deadline
from hub import edge
from hub.auth.principal import Principal
from hub.domain import Role
from hub.errors import Unauthenticated
from hub.ingestion.stream_guard import token_deadline
from hub.logging import masked_error
from hub.services import Services
from schema import federation, hardening
from schema.context import Context
from schema.errors import classify
from schema.session import END_SESSION

Authenticate = Callable[[Request | WebSocket], Awaitable[Principal | None]]
logger = logging.getLogger("hub.graphql")
WS_UNAUTHENTICATED = 4401  # WebSocket close code for a bad token (HTTP's 401)


class AuthenticatingTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws that also reads the token from `connection_init` (`{"Authorization": "Bearer …"}`,
    as browsers cannot set WebSocket headers). A bad or missing token closes the connection (4401), never acks it.

    A connection lives no longer than its token: a timer closes it with 4401 once the token has expired (past
    the leeway), and operations end it the same way through `end_session` (schema/session.py)."""

    _expiry_timer: asyncio.Task[None] | None = None
    _session_ended: bool = False

    def on_request_accepted(self) -> None:
        super().on_request_accepted()
        self.context.state[END_SESSION] = self.end_session
        self._arm_expiry_timer()

    def _arm_expiry_timer(self) -> None:
        """(Re)start the timer for the current principal's token; no token, no timer."""
        if self._expiry_timer is not None:
            self._expiry_timer.cancel()
            self._expiry_timer = None
        principal = self.context.principal
        services = self.context.services
        deadline = None if principal is None else token_deadline(principal, services.settings.oidc_leeway_s)
        if deadline is not None:
            delay = max(0.0, deadline - services.clock().timestamp())
            self._expiry_timer = asyncio.create_task(self._end_session_after(delay))
            self._expiry_timer.add_done_callback(self._task_done)

    async def _end_session_after(self, delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        await self.end_session()

    async def end_session(self) -> None:
        """Close with 4401 and cancel every operation (the calling one too, at its next await)."""
        if not self._session_ended:
            self._session_ended = True
            with contextlib.suppress(WebSocketDisconnected, RuntimeError):  # already gone: nothing to close
                await self.websocket.close(code=WS_UNAUTHENTICATED, reason="UNAUTHENTICATED")
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        await asyncio.sleep(0)  # an operation that called us is cancelled here, before it sends anything

    async def shutdown(self) -> None:
        if self._expiry_timer is not None:
            self._expiry_timer.cancel()
        await super().shutdown()

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        payload = message.get("payload")
        if isinstance(payload, dict) and not self.connection_init_received:
            value = payload.get("Authorization", payload.get("authorization"))
            if value is not None:
                authenticate: Authenticate | None = self.context.services.extras.get("authenticate")
                header_auth = getattr(authenticate, "authenticate_header", None)
                try:
                    if header_auth is None or not isinstance(value, str):
                        raise Unauthenticated("invalid or missing credentials")
                    self.context.principal = await header_auth(value)
                    self._arm_expiry_timer()
                except Unauthenticated:
                    await self.websocket.close(code=WS_UNAUTHENTICATED, reason="UNAUTHENTICATED")
                    return
        if self.context.principal is None:
            # No token in the handshake's header nor here: an anonymous client never gets to send a document.
            await self.websocket.close(code=WS_UNAUTHENTICATED, reason="UNAUTHENTICATED")
            return
        await super().handle_connection_init(message)


class TextFrameWebSocketAdapter(ASGIWebSocketAdapter):
    """Sends graphql-transport-ws messages as text frames. HTTP answers are orjson bytes; strawberry would send
    those bytes as binary frames, which browsers deliver as a `Blob` that GraphiQL and graphql-ws cannot read."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        if self.ws.application_state is WebSocketState.DISCONNECTED:
            raise WebSocketDisconnected  # we closed it (e.g. 4401): nothing more goes out
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class HubGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = AuthenticatingTransportWS
    websocket_adapter_class = TextFrameWebSocketAdapter

    def __init__(self, schema: Schema, *, services: Services) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if services.settings.introspection_enabled else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            allow_queries_via_get=False,
            # Pages on these origins may open the WebSocket (same-origin pages always may): HUB_CORS_ORIGINS.
            allowed_origins=services.settings.cors_origins,
        )
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # The order matters: who is asking is settled before a byte of the body is read, and the body is
            # read under its cap before strawberry parses anything (hub/edge.py).
            request = Request(scope, receive)
            try:
                principal = await self._authenticate(request)
            except Unauthenticated:
                principal = None
            except Exception as exc:  # the user look-up failed (database): our fault, masked, no data
                request_id = str(scope.get("state", {}).get("request_id", ""))
                logger.error("authentication failed", extra={"request_id": request_id, **masked_error(exc)})
                await edge.internal_error(request_id)(scope, receive, send)
                return
            # The federation router may fetch the SDL with its secret alone (schema/federation.py).
            router = federation.carries_router_secret(scope, self.services.settings)
            if principal is None and not router and not self._serves_ide(request):
                await edge.unauthenticated()(scope, receive, send)
                return
            scope.setdefault("state", {})["principal"] = principal
            scope["state"][federation.STATE_KEY] = router
            if scope["method"] == "POST":
                limit = self._body_limit(principal)
                try:
                    body = await edge.read_body(scope, receive, limit)
                except edge.BodyTooLarge:
                    await edge.body_too_large(limit, graphql=True)(scope, receive, send)
                    return
                except edge.ClientGone:
                    return
                receive = edge.replay(body, receive)
        elif scope["type"] == "websocket":
            websocket = WebSocket(scope, receive, send)
            try:
                scope.setdefault("state", {})["principal"] = await self._authenticate(websocket)
            except Unauthenticated:
                # Closing before accepting refuses the handshake: a bad token never gets a connection.
                await websocket.close(code=WS_UNAUTHENTICATED, reason="UNAUTHENTICATED")
                return
        await super().__call__(scope, receive, send)

    def _body_limit(self, principal: Principal | None) -> int:
        """A department system pushes batches through either door, so both take the push batch's size."""
        settings = self.services.settings
        if principal is not None and principal.role is Role.DEPARTMENT_SYSTEM:
            return max(settings.max_body_bytes, settings.max_webhook_body_bytes)
        return settings.max_body_bytes

    def _serves_ide(self, request: Request) -> bool:
        """GraphiQL's page (development only) loads without a token; it sends the token with each operation."""
        if self.graphql_ide is None or request.method != "GET" or "query" in request.query_params:
            return False
        accept = request.headers.get("accept", "")
        return "text/html" in accept or "*/*" in accept

    async def _authenticate(self, conn: Request | WebSocket) -> Principal | None:
        authenticate: Authenticate | None = self.services.extras.get("authenticate")
        return await authenticate(conn) if authenticate else None

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        state: dict[str, Any] = request.scope.get("state", {})
        if "principal" in state:
            principal = state["principal"]
        else:
            # Not reached through __call__ (e.g. a test calling get_context directly): authenticate now.
            principal = await self._authenticate(request)
            state["principal"] = principal
        return Context(
            services=self.services,
            request=request,
            principal=principal,
            request_id=state.get("request_id", ""),
            deadline=Deadline.after(self.services.settings.request_deadline_s),
            now=self.services.clock(),
            response=response if isinstance(response, Response) else None,
        )

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        # Parse errors (e.g. the token limit) end the operation before the schema extensions see a result:
        # give every error its stable code here too (classify() leaves already-coded errors alone).
        if result.errors:
            finish = hardening.redact if not self.services.settings.introspection_enabled else None
            result.errors = [classify(e) for e in result.errors]
            if finish is not None:
                result.errors = [finish(e) for e in result.errors]
        return await super().process_result(request, result)

    async def run(  # type: ignore[override]
        self, request: Request | WebSocket, context: Context | None = None, root_value: None = None
    ) -> Response | WebSocket:
        try:
            return await super().run(request)
        except HTTPException as exc:
            if not isinstance(request, Request):
                raise
            # strawberry refuses a GET operation, a batch, a bad body or content type with plain text: answer in
            # the one JSON shape clients parse everywhere else (stable code, no echo of the request).
            body = {"errors": [{"message": exc.reason, "extensions": {"code": "BAD_USER_INPUT"}}]}
            return JSONResponse(body, status_code=exc.status_code)

    async def render_graphql_ide(self, request: Request) -> Response:
        # A browser opening /graphql gets the hub's own GraphiQL (vendored assets, no CDN): hub/graphiql.py.
        from hub.graphiql import page_response

        return page_response()

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)
