"""ASGI middleware: a request id on every request (and log line), HTTP metrics, and the URL-length refusal.

A URL longer than `HUB_MAX_URL_BYTES` is answered 414 here, before routing, so no handler parses its query string.

Pure ASGI (not BaseHTTPMiddleware) so WebSockets and streaming are untouched and the overhead stays tiny.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub import edge
from hub.logging import request_id_var, request_outcome_var

logger = logging.getLogger("hub.http")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    def __init__(
        self, app: ASGIApp, registry: CollectorRegistry, max_url_bytes: int = 8192, hsts: bool = False
    ) -> None:
        self.app = app
        self.max_url_bytes = max_url_bytes
        # Behind TLS (HUB_HSTS=true): browsers keep to HTTPS for a year, subdomains included.
        self.extra_headers: list[tuple[bytes, bytes]] = (
            [(b"strict-transport-security", b"max-age=31536000; includeSubDomains")] if hsts else []
        )
        self.requests = Counter(
            "familiehub_http_requests_total",
            "HTTP requests served",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "familiehub_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        outcome: dict[str, object] = {}
        outcome_token = request_outcome_var.set(outcome)
        status = 500
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(self.extra_headers)
                message["headers"] = headers
            await send(message)

        try:
            if edge.url_length(scope) <= self.max_url_bytes:
                await self.app(scope, receive, send_with_id)
            elif scope["type"] == "http":
                await edge.url_too_long(scope, self.max_url_bytes)(scope, receive, send_with_id)
            else:
                await send({"type": "websocket.close", "code": 1009, "reason": "URL too long"})
        finally:
            if scope["type"] == "http":
                route = _route_label(scope)
                elapsed = time.perf_counter() - start
                self.requests.labels(scope["method"], route, str(status)).inc()
                self.latency.labels(scope["method"], route).observe(elapsed)
                extra: dict[str, object] = {
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "ms": round(elapsed * 1e3, 2),
                }
                if 400 <= status < 500:  # client errors: rate-limited per route and status (hub/logging.py)
                    extra["rate_key"] = ("request", scope["method"], route, status)
                elif "client_error" in outcome:  # e.g. GraphQL errors in a 200
                    extra["rate_key"] = ("request", scope["method"], route, status, outcome["client_error"])
                logger.info("request", extra=extra)
            request_outcome_var.reset(outcome_token)
            request_id_var.reset(token)


def _route_label(scope: Scope) -> str:
    # The path template, never the raw path: keeps label cardinality bounded and ids out of metrics.
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"
