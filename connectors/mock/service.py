"""What one mock department service is made of: its endpoints, its auth style, its error format, its OpenAPI.

Each department module (sof.py, bif.py, ...) returns a `DepartmentApi`; `app.py` turns it into an aiohttp
application with the shared auth, fault, stats and admin machinery. Nothing here may log a CPR number.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aiohttp import web

from hub.cpr import InvalidCPR, normalize
from hub.domain import Department

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
BATCH_LIMIT = 100
PERSONS_REQUESTED = web.RequestKey("persons_requested", int)


class AuthStyle(StrEnum):
    BEARER = "bearer"  # Authorization: Bearer <token>
    API_KEY = "api_key"  # X-API-Key: <key>


class EndpointKind(StrEnum):
    """The kinds of data endpoint every department has; /_admin/stats counts requests by these names."""

    SINGLE = "single"
    BATCH = "batch"
    LIST = "list"


class ErrorKind(StrEnum):
    BAD_REQUEST = "bad_request"  # 400
    UNAUTHORIZED = "unauthorized"  # 401
    NOT_FOUND = "not_found"  # 404
    TOO_LARGE = "too_large"  # 413
    RATE_LIMITED = "rate_limited"  # 429
    INTERNAL = "internal"  # 500
    BAD_GATEWAY = "bad_gateway"  # 502
    UNAVAILABLE = "unavailable"  # 503
    GATEWAY_TIMEOUT = "gateway_timeout"  # 504


ERROR_STATUS: dict[ErrorKind, int] = {
    ErrorKind.BAD_REQUEST: 400,
    ErrorKind.UNAUTHORIZED: 401,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.RATE_LIMITED: 429,
    ErrorKind.INTERNAL: 500,
    ErrorKind.BAD_GATEWAY: 502,
    ErrorKind.UNAVAILABLE: 503,
    ErrorKind.GATEWAY_TIMEOUT: 504,
}
KIND_BY_STATUS = {status: kind for kind, status in ERROR_STATUS.items()}


@dataclass(frozen=True, slots=True)
class Endpoint:
    kind: EndpointKind
    method: str
    path: str
    handler: Handler


ErrorBody = Callable[[ErrorKind, str], Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class DepartmentApi:
    department: Department
    title: str
    auth: AuthStyle
    endpoints: tuple[Endpoint, ...]
    error_body: ErrorBody  # the department's own error format
    error_content_type: str
    openapi: Mapping[str, Any]

    def error(
        self, kind: ErrorKind, message: str, *, headers: Mapping[str, str] | None = None
    ) -> web.Response:
        """An error response in this department's format. `message` must never contain personal data."""
        return json_response(
            self.error_body(kind, message),
            status=ERROR_STATUS[kind],
            content_type=self.error_content_type,
            headers=headers,
        )


def department_api(
    department: Department,
    title: str,
    auth: AuthStyle,
    *,
    single: tuple[str, Handler],
    batch: tuple[str, Handler],
    listing: tuple[str, Handler],
    error_body: ErrorBody,
    error_content_type: str = "application/json",
    openapi: Mapping[str, Any],
) -> DepartmentApi:
    """A department with the usual three data endpoints, each given as (path, handler)."""
    # The router tries routes in registration order; keep batch, single, list as every department had it.
    return DepartmentApi(
        department=department,
        title=title,
        auth=auth,
        endpoints=(
            Endpoint(EndpointKind.BATCH, "POST", *batch),
            Endpoint(EndpointKind.SINGLE, "GET", *single),
            Endpoint(EndpointKind.LIST, "GET", *listing),
        ),
        error_body=error_body,
        error_content_type=error_content_type,
        openapi=openapi,
    )


class RequestError(Exception):
    """A client error a handler reports; `app.py` renders it in the department's error format."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def json_response(
    body: Any,
    *,
    status: int = 200,
    content_type: str = "application/json",
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    return web.Response(
        body=json.dumps(body, ensure_ascii=False).encode(),
        status=status,
        content_type=content_type,
        charset="utf-8",
        headers=headers,
    )


def valid_cpr(value: object) -> str:
    """A 10-digit CPR number from a path, query or body value, or a 400."""
    if not isinstance(value, str):
        raise RequestError(ErrorKind.BAD_REQUEST, "a CPR number must be a string of 10 digits")
    try:
        return normalize(value)
    except InvalidCPR as exc:
        raise RequestError(ErrorKind.BAD_REQUEST, "not a valid CPR number (DDMMYYSSSS)") from exc


def valid_cpr_list(value: object) -> list[str]:
    """The CPR numbers of a batch look-up: 1–100 valid numbers, duplicates removed, order kept."""
    if not isinstance(value, list):
        raise RequestError(ErrorKind.BAD_REQUEST, "the CPR numbers must be a JSON array of strings")
    if not value:
        raise RequestError(ErrorKind.BAD_REQUEST, "at least one CPR number is required")
    if len(value) > BATCH_LIMIT:
        raise RequestError(ErrorKind.TOO_LARGE, f"at most {BATCH_LIMIT} CPR numbers per request")
    return list(dict.fromkeys(valid_cpr(v) for v in value))


async def json_object(request: web.Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 400."""
    try:
        body = await request.json(loads=json.loads)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RequestError(ErrorKind.BAD_REQUEST, "the body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise RequestError(ErrorKind.BAD_REQUEST, "the body must be a JSON object")
    return body


def count_persons(request: web.Request, count: int) -> None:
    """Tell the stats how many CPR numbers this request asked for (see admin.py)."""
    request[PERSONS_REQUESTED] = count


def single_record_handler(records: Mapping[str, Mapping[str, Any]], not_found: str) -> Handler:
    """The single-person endpoint most departments share: GET …/{cpr} → the record, or a 404 with `not_found`
    (in the department's own words; never naming the person)."""

    async def get(request: web.Request) -> web.StreamResponse:
        cpr = valid_cpr(request.match_info["cpr"])
        count_persons(request, 1)
        record = records.get(cpr)
        if record is None:
            raise RequestError(ErrorKind.NOT_FOUND, not_found)
        return json_response(record)

    return get


async def requested_cprs(request: web.Request, field: str) -> list[str]:
    """The CPR numbers a batch look-up asks for (the body's `field`), counted for the stats."""
    body = await json_object(request)
    cprs = valid_cpr_list(body.get(field))
    count_persons(request, len(cprs))
    return cprs


def found_and_missing(
    records: Mapping[str, Mapping[str, Any]], cprs: list[str]
) -> tuple[list[Mapping[str, Any]], list[str]]:
    """A batch answer's two lists: the records found, and the CPR numbers not registered, in asked order."""
    return [records[c] for c in cprs if c in records], [c for c in cprs if c not in records]
