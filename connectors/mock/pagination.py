"""Opaque page tokens for the mock departments' list endpoints, and limit parsing.

A token encodes the offset of the next page; clients must treat it as opaque. Never put personal data in
a token.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from aiohttp import web

from connectors.mock.service import ErrorKind, RequestError

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def encode_token(offset: int) -> str:
    raw = json.dumps({"o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        padded = token + "=" * (-len(token) % 4)
        offset = json.loads(base64.urlsafe_b64decode(padded.encode()))["o"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise RequestError(ErrorKind.BAD_REQUEST, "invalid page token") from exc
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise RequestError(ErrorKind.BAD_REQUEST, "invalid page token")
    return offset


def parse_int(value: str | None, *, name: str, default: int, minimum: int, maximum: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise RequestError(ErrorKind.BAD_REQUEST, f"{name} must be an integer") from exc
    if not minimum <= number <= maximum:
        raise RequestError(ErrorKind.BAD_REQUEST, f"{name} must be between {minimum} and {maximum}")
    return number


def page(items: Sequence[T], offset: int, limit: int) -> tuple[Sequence[T], int | None]:
    """The slice at `offset` and the offset of the next page (None on the last page)."""
    chunk = items[offset : offset + limit]
    following = offset + limit
    return chunk, (following if following < len(items) else None)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    following: int | None  # offset of the next page; None on the last page
    limit: int


def token_page(request: web.Request, items: Sequence[T], *, size_param: str, cursor_param: str) -> Page[T]:
    """The page a list request asks for by its page-size and opaque page-token query parameters.

    The size is checked before the token, so a request wrong in both gets the size's 400.
    """
    limit = parse_int(
        request.query.get(size_param), name=size_param, default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT
    )
    offset = decode_token(request.query.get(cursor_param))
    chunk, following = page(items, offset, limit)
    return Page(chunk, following, limit)
