"""The hub's stable error codes and the one exception type that carries them to GraphQL clients.

An `AppError` is an expected error: its message is safe to show and it carries `extensions.code` (and any extra
extensions). Anything else raised in a resolver is masked as INTERNAL with the request id; the trace goes to the
log only. Messages never contain CPR numbers, names or health data.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    CONSENT_REQUIRED = "CONSENT_REQUIRED"
    DEPARTMENT_UNAVAILABLE = "DEPARTMENT_UNAVAILABLE"
    DEPARTMENT_BAD_RESPONSE = "DEPARTMENT_BAD_RESPONSE"
    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    CONFLICT = "CONFLICT"
    RATE_LIMITED = "RATE_LIMITED"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"  # an unknown document id (hub/documents)
    OPERATION_NOT_ALLOWED = "OPERATION_NOT_ALLOWED"  # not a trusted document (production)
    SERVICE_OVERLOADED = "SERVICE_OVERLOADED"  # HTTP 503 with Retry-After: try again shortly
    RELOAD_REQUIRED = (
        "RELOAD_REQUIRED"  # too much to resume a live stream from: reload, then subscribe afresh
    )
    INTERNAL = "INTERNAL"


class AppError(Exception):
    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": self.code.value, **extensions}


class Unauthenticated(AppError):
    code = ErrorCode.UNAUTHENTICATED


class Forbidden(AppError):
    code = ErrorCode.FORBIDDEN


class ConsentRequired(AppError):
    code = ErrorCode.CONSENT_REQUIRED


class NotFound(AppError):
    code = ErrorCode.NOT_FOUND


class BadUserInput(AppError):
    """Bad input. Pass `field="..."` to name the offending input field."""

    code = ErrorCode.BAD_USER_INPUT


class Conflict(AppError):
    code = ErrorCode.CONFLICT


class ReloadRequired(AppError):
    """A live stream cannot be resumed from the client's cursor (too much happened): reload, subscribe afresh."""

    code = ErrorCode.RELOAD_REQUIRED


class RateLimited(AppError):
    code = ErrorCode.RATE_LIMITED


class QueryTooComplex(AppError):
    code = ErrorCode.QUERY_TOO_COMPLEX


class DepartmentError(AppError):
    """A department could not answer (raised into `errors` next to a section that says so as data)."""

    def __init__(self, message: str, *, code: ErrorCode, department: str, **extensions: Any) -> None:
        self.code = code
        super().__init__(message, department=department, **extensions)
