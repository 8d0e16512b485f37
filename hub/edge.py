"""Refusals at the edge: what the hub answers before it reads a body or parses a document.

- `read_body(receive, limit)` reads a request body while counting, and stops at `limit` (no full read first);
  `replay(body, receive)` hands the read body on to an ASGI app as if it had never been read.
- `graphql_refusal` / `plain_refusal` are the two JSON shapes of a refusal: GraphQL-shaped on `/graphql`
  (`{"errors": [{"message", "extensions": {"code"}}]}`), `{"error": {"code", "message"}}` elsewhere.

Nothing here looks inside a body, and nothing here logs: a refusal says what limit was hit, never what was sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope

from hub.errors import ErrorCode

UNAUTHENTICATED_MESSAGE = "invalid or missing credentials"  # one message for a missing and a bad token
BODY_TOO_LARGE_MESSAGE = "request body too large"
URL_TOO_LONG_MESSAGE = "request URL too long"
RATE_LIMITED_MESSAGE = "too many requests: try again later"


class BodyTooLarge(Exception):
    """The body is longer than the limit (or says so in its Content-Length)."""


class ClientGone(Exception):
    """The client disconnected before it finished sending the body."""


def declared_length(scope: Scope) -> int | None:
    """The request's Content-Length, when it is a plain number."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The request body, read chunk by chunk; BodyTooLarge as soon as it is longer than `limit` bytes."""
    declared = declared_length(scope)
    if declared is not None and declared > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that yields `body` once, then defers to the original (for the disconnect)."""
    pending = True

    async def replayed() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def graphql_refusal(
    status: int,
    code: ErrorCode,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code.value, **extensions}}]}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def plain_refusal(
    status: int, code: ErrorCode, message: str, *, headers: Mapping[str, str] | None = None, **extra: Any
) -> Response:
    body = {"error": {"code": code.value, "message": message, **extra}}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def rate_limited(retry_after_s: int, *, graphql: bool) -> Response:
    """429 with Retry-After: the principal's or the address's budget is spent (hub/ratelimit.py)."""
    headers = {"Retry-After": str(retry_after_s)}
    refusal = graphql_refusal if graphql else plain_refusal
    return refusal(
        429, ErrorCode.RATE_LIMITED, RATE_LIMITED_MESSAGE, headers=headers, retryAfter=retry_after_s
    )


def unauthenticated() -> Response:
    return graphql_refusal(
        401, ErrorCode.UNAUTHENTICATED, UNAUTHENTICATED_MESSAGE, headers={"WWW-Authenticate": "Bearer"}
    )


def internal_error(request_id: str) -> Response:
    """Our own fault before the operation ran (e.g. the user look-up's database failed): masked, no data."""
    body = {
        "data": None,
        "errors": [
            {
                "message": "internal error",
                "extensions": {"code": ErrorCode.INTERNAL.value, "requestId": request_id},
            }
        ],
    }
    return JSONResponse(body, status_code=500)


def body_too_large(limit: int, *, graphql: bool) -> Response:
    if graphql:
        return graphql_refusal(413, ErrorCode.BAD_USER_INPUT, BODY_TOO_LARGE_MESSAGE, maxBytes=limit)
    return plain_refusal(413, ErrorCode.BAD_USER_INPUT, BODY_TOO_LARGE_MESSAGE, maxBytes=limit)


def url_length(scope: Scope) -> int:
    path: bytes = scope.get("raw_path") or scope.get("path", "").encode()
    query: bytes = scope.get("query_string", b"")
    return len(path) + (1 + len(query) if query else 0)


def url_too_long(scope: Scope, limit: int) -> Response:
    if scope.get("path", "").startswith("/graphql"):
        return graphql_refusal(414, ErrorCode.BAD_USER_INPUT, URL_TOO_LONG_MESSAGE, maxBytes=limit)
    return plain_refusal(414, ErrorCode.BAD_USER_INPUT, URL_TOO_LONG_MESSAGE, maxBytes=limit)
