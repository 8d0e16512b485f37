"""The hub in production mode (HUB_ENV=production, PostgreSQL, an identity provider of the test's own on 127.0.0.1):
users with ordinary tokens, and anonymous callers, find the federation fields and the metrics closed; the router's
secret opens the SDL and Prometheus' token the metrics."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from aiohttp import web
from joserfc import jwt
from joserfc.jwk import RSAKey

from hub.app import build_services, create_app
from hub.auth.seed import seed_users
from hub.crypto import CprVault
from hub.domain import Department
from hub.persistence.engine import create_engine, create_session_factory, transaction
from hub.persistence.migrate import upgrade
from hub.seed import SeedContext, _seed_core
from hub.settings import Settings
from hub.world import generate_world
from tests.support.backends import create_postgres_database, drop_postgres_database

pytestmark = pytest.mark.postgres

ROUTER_SECRET = "router-secret-0123456789abcdef-0123"
METRICS_TOKEN = "scrape-token-0123456789abcdef-0123"
ENC, HASH = b"e" * 32, b"h" * 32
SDL = {"query": "{ _service { sdl } }"}


class Idp:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, {"kid": "idp-1"}, private=True)
        self.url = ""

    def token(self, subject: str) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": "familiehub", "sub": subject, "iat": now, "exp": now + 300}
        return jwt.encode(
            {"alg": "RS256", "kid": "idp-1", "typ": "at+jwt"}, claims, self.key, algorithms=["RS256"]
        )


@pytest.fixture
async def idp() -> AsyncIterator[Idp]:
    state = Idp()

    async def jwks(request: web.Request) -> web.Response:
        return web.json_response({"keys": [state.key.as_dict(private=False)]})

    app = web.Application()
    app.router.add_get("/realms/hfi/certs", jwks)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    state.url = f"http://127.0.0.1:{port}/realms/hfi"
    yield state
    await runner.cleanup()


@pytest.fixture
def pg_url() -> Iterator[str]:
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture
async def hub(pg_url: str, idp: Idp, tmp_path: Any) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        env="production",
        database_url=pg_url,
        var_dir=tmp_path / "var",
        dev_issuer=False,
        oidc_issuer=idp.url,
        oidc_jwks_url=f"{idp.url}/certs",
        oidc_algorithm="RS256",
        cpr_encryption_key=base64.urlsafe_b64encode(ENC).decode(),
        cpr_hash_key=base64.urlsafe_b64encode(HASH).decode(),
        federation_secret=ROUTER_SECRET,
        metrics_token=METRICS_TOKEN,
        **{f"{d.value.lower()}_credential": f"real-{d.value}-credential" for d in Department},
        **{
            f"{d.value.lower()}_webhook_secret": f"real-webhook-secret-{d.value}-0123456789"
            for d in Department
        },
    )
    engine = create_engine(pg_url)
    await upgrade(engine)
    world = generate_world(2, 2026)
    # Users only (the identity part of issue 26 creates them from the provider; here they are written directly).
    ctx = SeedContext(world=world, vault=CprVault(ENC, HASH), today=world.today)
    async with transaction(create_session_factory(engine)) as session:
        await _seed_core(session, ctx)
        await seed_users(session, ctx)
    await engine.dispose()
    app = create_app(settings, services=build_services(settings))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test") as client,
    ):
        yield client


async def test_federation_fields_and_metrics_are_closed_to_users_and_the_public(
    hub: httpx.AsyncClient, idp: Idp
) -> None:
    me = await hub.post(
        "/graphql",
        json={"query": "{ me { username } }"},
        headers={"Authorization": f"Bearer {idp.token('admin')}"},
    )
    assert me.json()["data"]["me"]["username"] == "admin"  # a working production sign-in
    for user in ("admin", "tovholder", "sof-sagsbehandler"):
        response = await hub.post(
            "/graphql", json=SDL, headers={"Authorization": f"Bearer {idp.token(user)}"}
        )
        assert response.json()["data"] is None
        assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["FORBIDDEN"]
        assert "type Query" not in response.text
        metrics = await hub.get("/metrics", headers={"Authorization": f"Bearer {idp.token(user)}"})
        assert metrics.status_code == 401
        assert "familiehub_" not in metrics.text
    anonymous = await hub.post("/graphql", json=SDL)
    assert anonymous.status_code == 401
    assert "type Query" not in anonymous.text
    assert (await hub.get("/metrics")).status_code == 401


async def test_the_router_and_prometheus_get_in_with_their_credentials(hub: httpx.AsyncClient) -> None:
    sdl = await hub.post("/graphql", json=SDL, headers={"X-Hub-Federation-Secret": ROUTER_SECRET})
    assert "type Query" in sdl.json()["data"]["_service"]["sdl"]
    metrics = await hub.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert metrics.status_code == 200
    assert "familiehub_http_requests_total" in metrics.text
