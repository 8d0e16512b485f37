"""Foreign exceptions and HTTP statuses become the connector error tree at one boundary."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import httpx
import pydantic
import pytest

from connectors._mapping import map_exceptions, parse_retry_after, status_error
from connectors.base import ConnectorError, DepartmentBadResponse, DepartmentUnauthorized
from connectors.errors import (
    DepartmentConnectionError,
    DepartmentOverloaded,
    DepartmentRateLimited,
    DepartmentRejected,
    DepartmentServerError,
    DepartmentTimeout,
    DepartmentTransientError,
)
from hub.domain import Department

CPR = "0101904321"


@pytest.mark.parametrize(
    ("foreign", "expected"),
    [
        (httpx.ConnectTimeout("t"), DepartmentTimeout),
        (httpx.ReadTimeout("t"), DepartmentTimeout),
        (httpx.PoolTimeout("t"), DepartmentTimeout),
        (TimeoutError(), DepartmentTimeout),  # asyncio.timeout, though TimeoutError is an OSError
        (aiohttp.ServerTimeoutError(), DepartmentTimeout),
        (httpx.ConnectError("refused"), DepartmentConnectionError),
        (httpx.ReadError("reset"), DepartmentConnectionError),
        (httpx.RemoteProtocolError("dropped"), DepartmentConnectionError),
        (aiohttp.ServerDisconnectedError(), DepartmentConnectionError),
        (aiohttp.ClientPayloadError(), DepartmentConnectionError),
        (ConnectionResetError(), DepartmentConnectionError),
        (httpx.UnsupportedProtocol("ftp"), DepartmentRejected),
        (ValueError("Expecting value: line 1 column 1 (char 0)"), None),
    ],
)
def test_transport_errors_map_to_the_tree(foreign: Exception, expected: type[ConnectorError] | None) -> None:
    if expected is None:
        with pytest.raises(type(foreign)), map_exceptions(Department.SOF):
            raise foreign
        return
    with pytest.raises(expected) as caught, map_exceptions(Department.SOF):
        raise foreign
    assert type(caught.value) is expected
    assert caught.value.department is Department.SOF
    assert caught.value.__cause__ is foreign


def test_timeouts_and_connection_errors_are_transient() -> None:
    assert issubclass(DepartmentTimeout, DepartmentTransientError)
    assert issubclass(DepartmentConnectionError, DepartmentTransientError)
    assert not issubclass(DepartmentRejected, DepartmentTransientError)


class _Wire(pydantic.BaseModel):
    persons: dict[str, int]


def test_schema_violations_keep_no_personal_data() -> None:
    with pytest.raises(pydantic.ValidationError) as validation:
        _Wire.model_validate({"persons": {CPR: "Jens Hansen"}})
    with pytest.raises(DepartmentBadResponse) as caught, map_exceptions(Department.BIF):
        raise validation.value
    message = str(caught.value)
    assert message == "BIF: response violates the schema at persons.* (int_parsing)"
    assert CPR not in message
    assert "Jens" not in message
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_malformed_json_is_a_bad_response() -> None:
    with pytest.raises(DepartmentBadResponse, match="not valid JSON"), map_exceptions(Department.BIF):
        httpx.Response(200, content=b'{"cpr": "0101904321"').json()


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (401, DepartmentUnauthorized),
        (403, DepartmentUnauthorized),
        (400, DepartmentRejected),
        (404, DepartmentRejected),
        (422, DepartmentRejected),
        (302, DepartmentRejected),
        (429, DepartmentRateLimited),
        (500, DepartmentServerError),
        (501, DepartmentServerError),
        (502, DepartmentOverloaded),
        (503, DepartmentOverloaded),
        (504, DepartmentOverloaded),
    ],
)
def test_statuses_map_to_the_tree(status: int, expected: type[ConnectorError]) -> None:
    error = status_error(Department.SUF, httpx.Response(status, headers={"Retry-After": "3"}))
    assert type(error) is expected
    assert isinstance(error, DepartmentTransientError) == (status in (429, 502, 503, 504))
    if isinstance(error, DepartmentRateLimited):
        assert error.retry_after == 3.0


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("2", 2.0),
        ("0.5", 0.5),
        ("-4", 0.0),
        ("Sun, 01 Nov 2026 00:00:07 GMT", 7.0),
        ("Sat, 31 Oct 2026 23:00:00 GMT", 0.0),
        ("soon", None),
    ],
)
def test_retry_after_accepts_seconds_and_http_dates(header: str | None, seconds: float | None) -> None:
    headers = httpx.Headers({} if header is None else {"Retry-After": header})
    assert parse_retry_after(headers, now=datetime(2026, 11, 1, tzinfo=UTC)) == seconds


def test_judges_httpx_aiohttp_errors_by_their_aiohttp_origin() -> None:
    # httpx-aiohttp maps every aiohttp connection error, a server hang-up included, to httpx.ConnectTimeout.
    def raised(origin: Exception) -> Exception:
        try:
            raise httpx.ConnectTimeout("mapped") from origin
        except httpx.ConnectTimeout as exc:
            return exc

    with pytest.raises(DepartmentConnectionError), map_exceptions(Department.SOF):
        raise raised(aiohttp.ServerDisconnectedError())
    with pytest.raises(DepartmentTimeout), map_exceptions(Department.SOF):
        raise raised(aiohttp.ConnectionTimeoutError())
    with pytest.raises(DepartmentTimeout), map_exceptions(Department.SOF):
        raise raised(aiohttp.SocketTimeoutError())
