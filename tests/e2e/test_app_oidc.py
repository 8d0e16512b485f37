"""Production-style sign-in in a real browser: authorization code + PKCE against an OpenID Connect issuer (a small
one on 127.0.0.1, standing in for the municipality's IdP), the hub verifying the issuer's tokens through its JWKS.
The token lives in sessionStorage only, never localStorage, and sign-out removes it."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import web
from joserfc import jwt
from joserfc.jwk import ECKey

from tests.e2e.app_browser import WAIT_MS, browsing
from tests.support.stack import Stack, running_stack

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CORS = {"Access-Control-Allow-Origin": "*"}


class FakeIssuer:
    """Discovery, /authorize (signs in `username` at once), /token (checks the PKCE verifier), /jwks."""

    def __init__(self, username: str) -> None:
        self.username = username
        self.key = ECKey.generate_key("P-256", {"use": "sig", "alg": "ES256"}, private=True, auto_kid=True)
        self.codes: dict[str, dict[str, str]] = {}
        self.url = ""
        self.token_requests: list[dict[str, str]] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/.well-known/openid-configuration", self.discovery)
        app.router.add_get("/authorize", self.authorize)
        app.router.add_post("/token", self.token)
        app.router.add_get("/jwks", self.jwks)
        return app

    async def discovery(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "jwks_uri": f"{self.url}/jwks",
                "code_challenge_methods_supported": ["S256"],
            },
            headers=CORS,
        )

    async def authorize(self, request: web.Request) -> web.Response:
        q = request.query
        assert q["response_type"] == "code"
        assert q["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "challenge": q["code_challenge"],
            "redirect_uri": q["redirect_uri"],
            "client": q["client_id"],
        }
        raise web.HTTPFound(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}")

    async def token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.token_requests.append({k: str(v) for k, v in form.items()})
        grant = self.codes.pop(str(form.get("code")), None)
        verifier = str(form.get("code_verifier", ""))
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if grant is None or digest != grant["challenge"] or form.get("redirect_uri") != grant["redirect_uri"]:
            return web.json_response({"error": "invalid_grant"}, status=400, headers=CORS)
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": "familiehub",
            "sub": self.username,
            "iat": now,
            "exp": now + 600,
            "preferred_username": self.username,
        }
        token = jwt.encode({"alg": "ES256", "kid": self.key.kid, "typ": "at+jwt"}, claims, self.key)
        return web.json_response(
            {"access_token": token, "token_type": "Bearer", "expires_in": 600}, headers=CORS
        )

    async def jwks(self, request: web.Request) -> web.Response:
        return web.json_response({"keys": [self.key.as_dict(private=False)]})


@pytest.fixture
async def issuer() -> AsyncIterator[FakeIssuer]:
    fake = FakeIssuer("tovholder")
    runner = web.AppRunner(fake.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    fake.url = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        await runner.cleanup()


@pytest.fixture
async def stack(tmp_path: Path, issuer: FakeIssuer) -> AsyncIterator[Stack]:
    async with running_stack(
        tmp_path,
        families=4,
        seed=7,
        dev_issuer=False,
        oidc_issuer=issuer.url,
        oidc_jwks_url=f"{issuer.url}/jwks",
        oidc_algorithm="ES256",
    ) as s:
        yield s


async def test_oidc_code_flow_with_pkce_signs_in_and_sign_out_forgets_the_token(
    stack: Stack, issuer: FakeIssuer
) -> None:
    assert (await stack.client.post("/dev/token", json={"username": "tovholder"})).status_code == 404
    async with browsing(stack) as browser:
        page = await browser.page()
        await page.goto(f"{browser.base}/app/")
        await page.get_by_role("button", name="Log ind via 127.0.0.1").click()
        await page.get_by_role("heading", name="Mine familier").wait_for(timeout=WAIT_MS)
        assert page.url == f"{browser.base}/app/familier"
        await page.get_by_text("tovholder · Tovholder").wait_for(timeout=WAIT_MS)

        assert len(issuer.token_requests) == 1
        request = issuer.token_requests[0]
        assert request["grant_type"] == "authorization_code"
        assert request["client_id"] == "familiehub"
        assert "client_secret" not in request  # a public client: PKCE, no secret in the page
        stored = json.loads(await page.evaluate("sessionStorage.getItem('familiehub.session')"))
        assert stored["token"]
        assert await page.evaluate("localStorage.length") == 0

        await page.get_by_role("button", name="Log ud").click()
        await page.get_by_role("button", name="Log ind via 127.0.0.1").wait_for(timeout=WAIT_MS)
        assert await page.evaluate("sessionStorage.getItem('familiehub.session')") is None
        assert await page.evaluate("sessionStorage.length") == 0
