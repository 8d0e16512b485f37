"""`POST /webhooks/{department}`: the signed door into the ingestion service, for systems without GraphQL.

A department signs `timestamp + "." + body` with HMAC-SHA256 under its own secret
(`HUB_<DEPT>_WEBHOOK_SECRET`):

    X-Hub-Timestamp: 1767225600            (Unix seconds; at most `HUB_WEBHOOK_TOLERANCE_S` away from now)
    X-Hub-Signature: sha256=<hex digest>
    body: {"events": [DepartmentEvent, ...]}  (hub/ingestion/events.py)

Answers 200 {"results": [...]} with one result per event (the same results as the GraphQL mutation),
401 for a missing/bad signature or a stale timestamp (missing headers and a stale timestamp are refused before
the body is read; a timestamp that is not 1-12 digits is 400 there, before any arithmetic or signature work), 403 when an event names another department (nothing of
the request is stored), 404 for an unknown department, 415 for a body that is not declared JSON (text, forms),
413 for a body over `HUB_MAX_WEBHOOK_BODY_BYTES` (counted while it streams, with or without Content-Length),
400 for anything malformed, and 500 INTERNAL (with the request id) only for the hub's own failures, e.g. the
database. The signature is compared in constant time; nothing about the body is logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub import edge
from hub.auth.principal import Principal
from hub.domain import Department, Role
from hub.errors import AppError
from hub.ingestion.events import EventResult
from hub.ingestion.service import IngestionService
from hub.inputs import NUL_MESSAGE, contains_nul
from hub.logging import masked_error
from hub.services import Services

TIMESTAMP_HEADER = "X-Hub-Timestamp"
SIGNATURE_HEADER = "X-Hub-Signature"
logger = logging.getLogger("hub.ingestion")


class SignatureError(Exception):
    """Why a webhook request is not authentic (safe to return: it names no secret and no data)."""


class MalformedHeader(SignatureError):
    """A signature header that cannot be what a sender meant (400, not 401): e.g. a 400-digit timestamp."""


# Unix seconds: up to 12 digits (year 33658). Anything longer is refused before it is turned into a number, so no
# arithmetic ever sees it (a 400-digit integer minus a float raised OverflowError: a 500).
_MAX_TIMESTAMP_DIGITS = 12


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The headers a department sends with `body` (used by the mock producer and the tests)."""
    timestamp = str(int(time.time() if now is None else now))
    return {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        "Content-Type": "application/json",
    }


def check_headers(
    secret: str, timestamp: str | None, signature: str | None, *, now: float, tolerance_s: int
) -> tuple[str, str]:
    """What can be refused before the body is read: no secret, missing headers, a stale timestamp.
    Returns the timestamp and the signature."""
    if not secret:
        raise SignatureError("webhook not configured for this department")
    if not timestamp or not signature:
        raise SignatureError(f"{TIMESTAMP_HEADER} and {SIGNATURE_HEADER} are required")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= _MAX_TIMESTAMP_DIGITS):
        raise MalformedHeader(
            f"{TIMESTAMP_HEADER} must be Unix seconds (at most {_MAX_TIMESTAMP_DIGITS} digits)"
        )
    sent = int(timestamp)
    if abs(now - sent) > tolerance_s:
        raise SignatureError("timestamp outside the allowed window")
    return timestamp, signature


def verify(
    secret: str | list[str],
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    *,
    now: float,
    tolerance_s: int,
) -> None:
    """Any of the secrets (two while a department rolls over to a new one) may have signed the request."""
    secrets = [secret] if isinstance(secret, str) else secret
    timestamp, signature = check_headers(
        secrets[0] if secrets else "", timestamp, signature, now=now, tolerance_s=tolerance_s
    )
    sent = signature.strip().encode()
    # Every secret is tried (no early exit), so the time taken does not say which one matched.
    matches = [hmac.compare_digest(sign(s, timestamp, body).encode(), sent) for s in secrets]
    if not any(matches):
        raise SignatureError("signature does not match")


def _error(status: int, code: str, message: str) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def result_json(result: EventResult) -> dict[str, Any]:
    error = result.error
    return {
        "eventId": result.event_id,
        "status": result.status.value,
        "error": None
        if error is None
        else {"code": error.code, "message": error.message, "field": error.field},
    }


def make_webhook(clock: Callable[[], float] = time.time) -> Callable[[Request], Any]:
    async def webhook(request: Request) -> Response:  # noqa: PLR0911 - one early answer per HTTP outcome
        services: Services = request.app.state.services
        try:
            department = Department(request.path_params["department"].upper())
        except ValueError:
            return _error(404, "NOT_FOUND", "no such department")
        settings = services.settings
        timestamp = request.headers.get(TIMESTAMP_HEADER)
        signature = request.headers.get(SIGNATURE_HEADER)
        try:
            # Unsigned or stale requests are refused before a byte of their body is read.
            check_headers(
                settings.webhook_secret(department),
                timestamp,
                signature,
                now=clock(),
                tolerance_s=settings.webhook_tolerance_s,
            )
        except MalformedHeader as exc:
            return _error(400, "BAD_USER_INPUT", str(exc))
        except SignatureError as exc:
            return _error(401, "UNAUTHENTICATED", str(exc))
        if not is_json(request.headers.get("content-type")):
            return _error(415, "BAD_USER_INPUT", "the body must be application/json")
        limit = settings.max_webhook_body_bytes
        try:
            # Counted while it streams: a body without Content-Length is never read past the limit.
            body = await edge.read_body(request.scope, request.receive, limit)
        except edge.BodyTooLarge:
            return edge.body_too_large(limit, graphql=False)
        except edge.ClientGone:
            return _error(400, "BAD_USER_INPUT", "the body was not sent in full")
        try:
            verify(
                settings.webhook_secrets(department),
                timestamp,
                signature,
                body,
                now=clock(),
                tolerance_s=settings.webhook_tolerance_s,
            )
        except SignatureError as exc:
            return _error(401, "UNAUTHENTICATED", str(exc))
        events = parse_events(body)
        if isinstance(events, Response):
            return events
        if any(_names_other_department(e, department) for e in events):
            return _error(403, "FORBIDDEN", "a department system may only push its own department's events")
        service: IngestionService = services.extras["ingestion"]
        principal = Principal(
            user_id="",
            username=f"{department.value.lower()}-webhook",
            role=Role.DEPARTMENT_SYSTEM,
            department=department,
            client="webhook",
        )
        request_id = request.scope.get("state", {}).get("request_id")
        try:
            results = await service.push(principal, events, request_id=request_id)
        except AppError as exc:
            return _error(400, exc.code.value, exc.message)
        except Exception as exc:
            logger.error(
                "webhook push failed",
                extra={"department": department.value, "request_id": request_id, **masked_error(exc)},
            )
            return JSONResponse(
                {"error": {"code": "INTERNAL", "message": "internal error", "requestId": request_id}},
                status_code=500,
            )
        return JSONResponse({"results": [result_json(r) for r in results]})

    return webhook


def parse_events(body: bytes) -> list[Any] | Response:
    """The body's events, or the 400 answer for a body that is not `{"events": [...]}` of storable text."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _error(400, "BAD_USER_INPUT", "body is not JSON")
    events = payload.get("events") if isinstance(payload, Mapping) else None
    if not isinstance(events, list):
        return _error(400, "BAD_USER_INPUT", 'body must be {"events": [...]}')
    if contains_nul(events):
        # No text column takes NUL (PostgreSQL refuses it): refused here for the whole batch, never a 500.
        return _error(400, "BAD_USER_INPUT", NUL_MESSAGE)
    return events


def is_json(content_type: str | None) -> bool:
    """JSON or no declared type (older senders); text, forms and anything else are 415."""
    if content_type is None or not content_type.strip():
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _names_other_department(event: Any, department: Department) -> bool:
    claimed = event.get("department") if isinstance(event, Mapping) else None
    return isinstance(claimed, str) and claimed in Department.__members__ and claimed != department.value
