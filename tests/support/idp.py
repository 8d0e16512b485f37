"""A test OpenID provider on 127.0.0.1: an RS256 key generated in the test, its JWKS and discovery document.

Tokens carry only what a provider puts in them (iss, aud, sub, iat, exp, groups, preferred_username, name, ...):
never a hub role. `running_idp()` serves `/.well-known/openid-configuration` and `/certs` under its issuer URL.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from joserfc import jwt
from joserfc.jwk import RSAKey

AUDIENCE = "familiehub"
# A generic provider's mapping as an operator would write it (README, "Users from the identity provider").
GROUP_ROLES = (
    "hfi-admin=ADMIN,hfi-tovholder=COORDINATOR,hfi-kerneteam=CORE_TEAM,"
    "hfi-sof-sagsbehandler=CASEWORKER:SOF,hfi-bif-sagsbehandler=CASEWORKER:BIF,hfi-styregruppe=STEERING_GROUP"
)


@dataclass
class TestIdp:
    __test__ = False  # not a test class

    url: str  # where it is served on 127.0.0.1
    key: RSAKey
    issuer: str = ""  # the `iss` it signs (default: `url`); a production test names an https issuer
    claims_supported: list[str] = field(
        default_factory=lambda: [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "groups",
            "department",
            "preferred_username",
            "name",
        ]
    )
    discovery_hits: int = 0

    def token(self, subject: str, ttl_s: int = 300, **claims: Any) -> str:
        now = int(time.time())
        body = {
            "iss": self.issuer or self.url,
            "aud": AUDIENCE,
            "sub": subject,
            "iat": now,
            "exp": now + ttl_s,
            **claims,
        }
        header = {"alg": "RS256", "kid": self.key.kid, "typ": "at+jwt"}
        return jwt.encode(header, body, self.key, algorithms=["RS256"])

    def settings(self) -> dict[str, Any]:
        """The hub's HUB_OIDC_* settings for this provider (as Settings keyword arguments)."""
        return {
            "dev_issuer": False,
            "oidc_issuer": self.url,
            "oidc_jwks_url": f"{self.url}/certs",
            "oidc_algorithm": "RS256",
            "oidc_audience": AUDIENCE,
            "oidc_group_roles": GROUP_ROLES,
        }


@contextlib.asynccontextmanager
async def running_idp() -> AsyncIterator[TestIdp]:
    key = RSAKey.generate_key(2048, {"kid": "test-idp-1"}, private=True)
    state = TestIdp(url="", key=key)

    async def jwks(request: web.Request) -> web.Response:
        return web.json_response({"keys": [key.as_dict(private=False)]})

    async def discovery(request: web.Request) -> web.Response:
        state.discovery_hits += 1
        return web.json_response(
            {
                "issuer": state.issuer or state.url,
                "jwks_uri": f"{state.url}/certs",
                "id_token_signing_alg_values_supported": ["RS256"],
                "claims_supported": state.claims_supported,
            }
        )

    app = web.Application()
    app.router.add_get("/realms/hfi/certs", jwks)
    app.router.add_get("/realms/hfi/.well-known/openid-configuration", discovery)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    state.url = f"http://127.0.0.1:{port}/realms/hfi"
    try:
        yield state
    finally:
        await runner.cleanup()
