"""Client credentials for the mock departments and the admin token for their test API.

Each department accepts the credentials in `MOCK_<DEPT>_CLIENT_CREDENTIALS` (comma-separated), by default
`dev-<dept>-hub`, which is also the hub's default `HUB_<DEPT>_CREDENTIAL`. SOF, BUF and SUF read
`Authorization: Bearer <token>`; BIF and KFF read `X-API-Key: <key>`. The admin API takes
`Authorization: Bearer <HUB_MOCK_ADMIN_TOKEN>` (default `dev-admin`).

Never log a presented credential, and compare in constant time.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterable, Mapping

from aiohttp import web

from connectors.mock.service import AuthStyle
from hub.domain import Department

DEFAULT_ADMIN_TOKEN = "dev-admin"  # noqa: S105 - the documented development default, not a secret
ADMIN_TOKEN_ENV = "HUB_MOCK_ADMIN_TOKEN"  # noqa: S105 - the name of a variable


def default_credential(department: Department) -> str:
    return f"dev-{department.value.lower()}-hub"


def credentials_env(department: Department) -> str:
    return f"MOCK_{department.value}_CLIENT_CREDENTIALS"


def credentials_from_env(department: Department, environ: Mapping[str, str] | None = None) -> frozenset[str]:
    env = os.environ if environ is None else environ
    raw = env.get(credentials_env(department), "")
    values = frozenset(part.strip() for part in raw.split(",") if part.strip())
    return values or frozenset({default_credential(department)})


def admin_token_from_env(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get(ADMIN_TOKEN_ENV, "").strip() or DEFAULT_ADMIN_TOKEN


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def presented_credential(request: web.Request, style: AuthStyle) -> str | None:
    if style is AuthStyle.BEARER:
        return bearer_token(request)
    key = request.headers.get("X-API-Key", "").strip()
    return key or None


def matches(presented: str | None, accepted: Iterable[str]) -> bool:
    if presented is None:
        return False
    candidate = presented.encode()
    # Check every accepted value so timing does not reveal which one (or how many) matched.
    results = [hmac.compare_digest(candidate, value.encode()) for value in accepted]
    return any(results)


def challenge(style: AuthStyle) -> dict[str, str]:
    """The WWW-Authenticate header a 401 carries, as RFC 6750 asks for bearer tokens."""
    if style is AuthStyle.BEARER:
        return {"WWW-Authenticate": 'Bearer realm="department"'}
    return {"WWW-Authenticate": 'ApiKey header="X-API-Key"'}
