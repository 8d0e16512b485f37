"""The webhook's edge: content types, bodies without Content-Length, and malformed input (400, never 500)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from hub.domain import Department
from hub.ingestion.webhook import signed_headers
from tests.support.stack import Stack

SOF = Department.SOF
CHUNK = 64 * 1024


def _signed(stack: Stack, body: bytes, content_type: str | None = "application/json") -> dict[str, str]:
    headers = signed_headers(stack.settings.webhook_secret(SOF), body)
    del headers["Content-Type"]
    if content_type is not None:
        headers["Content-Type"] = content_type
    return headers


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/html"],
)
async def test_a_body_that_is_not_json_is_415(stack: Stack, content_type: str) -> None:
    body = b'{"events": []}'
    response = await stack.client.post(
        "/webhooks/SOF", content=body, headers=_signed(stack, body, content_type)
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "content_type",
    [None, "application/json", "application/json; charset=utf-8", "application/cloudevents+json"],
)
async def test_json_content_types_are_accepted(stack: Stack, content_type: str | None) -> None:
    body = b'{"events": []}'
    response = await stack.client.post(
        "/webhooks/SOF", content=body, headers=_signed(stack, body, content_type)
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"results": []}


MALFORMED: dict[str, bytes] = {
    "empty": b"",
    "not json": b"events=1",
    "invalid utf-8": b'{"events": ["\xff\xfe"]}',
    "a list": b"[]",
    "a string": b'"events"',
    "null": b"null",
    "events null": b'{"events": null}',
    "events an object": b'{"events": {}}',
    "events of scalars": b'{"events": [1, "x", null, [], true]}',
    "an empty event": b'{"events": [{}]}',
    "wrong types": b'{"events": [{"eventId": 1, "department": ["SOF"], "version": "x", "record": 5}]}',
    "huge number": b'{"events": [{"eventId": "a", "department": "SOF", "version": 1e400}]}',
    "huge integer": b'{"events": [{"eventId": "a", "department": "SOF", "version": 123456789012345678901234567890}]}',
    "negative version": b'{"events": [{"eventId": "a", "department": "SOF", "version": -1, "recordKind": "person"}]}',
    "deeply nested": b'{"events": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    "nested record": b'{"events": [{"eventId": "a", "record": ' + b'{"a":' * 500 + b"1" + b"}" * 500 + b"}]}",
}


@pytest.mark.parametrize("name", list(MALFORMED))
async def test_malformed_input_is_400_or_per_event_rejection_never_500(stack: Stack, name: str) -> None:
    body = MALFORMED[name]
    response = await stack.client.post("/webhooks/SOF", content=body, headers=_signed(stack, body))
    assert response.status_code in (200, 400), (name, response.status_code, response.text)
    if response.status_code == 200:
        assert all(r["status"] == "REJECTED" for r in response.json()["results"]), response.text
    else:
        assert response.json()["error"]["code"] == "BAD_USER_INPUT"


class CountingBody:
    def __init__(self, size: int) -> None:
        self.size = size
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        sent = 0
        while sent < self.size:
            self.pulled += 1
            sent += CHUNK
            yield b" " * CHUNK


async def test_a_body_without_content_length_is_capped_while_it_streams(stack: Stack) -> None:
    limit = stack.settings.max_webhook_body_bytes
    body = CountingBody(50 * 1024 * 1024)
    headers: dict[str, Any] = _signed(stack, b"")
    response = await stack.client.post("/webhooks/SOF", content=body, headers=headers)
    assert response.status_code == 413
    assert body.pulled <= limit // CHUNK + 2  # stopped at the cap, not after reading all 50 MB
    assert response.json()["error"] == {
        "code": "BAD_USER_INPUT",
        "message": "request body too large",
        "maxBytes": limit,
    }


async def test_an_unsigned_or_stale_request_is_refused_before_its_body_is_read(stack: Stack) -> None:
    stale = _signed(stack, b"")
    stale["X-Hub-Timestamp"] = "1000000000"
    for headers in ({"Content-Type": "application/json"}, stale):
        body = CountingBody(50 * 1024 * 1024)
        response = await stack.client.post("/webhooks/SOF", content=body, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHENTICATED"
        assert body.pulled <= 1
