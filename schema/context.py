"""The per-request GraphQL context: who asks, the request's deadline, and the request's DataLoaders.

Loaders are created per request (never shared between requests or users), so caching in them can never leak one
user's data to another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from connectors.base import Deadline
from hub.auth.principal import Principal
from hub.errors import Unauthenticated
from hub.services import Services


@dataclass
class Context:
    services: Services
    request: Request | WebSocket
    principal: Principal | None
    request_id: str
    deadline: Deadline
    now: datetime
    # Per-request caches and loaders, keyed by name; created lazily by `schema.loaders`.
    loaders: dict[str, Any] = field(default_factory=dict)
    # Per-request state other concerns attach (e.g. the audit buffer), keyed by name.
    state: dict[str, Any] = field(default_factory=dict)
    # The HTTP response being built (status and headers merge into the answer); None over WebSocket.
    response: Response | None = None
    # When the request arrived (`time.monotonic()`): the departments' latency budgets count from here.
    started: float | None = None

    def require_principal(self) -> Principal:
        if self.principal is None:
            raise Unauthenticated("authentication required")
        return self.principal


Info = StrawberryInfo[Context, None]
