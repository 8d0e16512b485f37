"""The hub against an external identity provider: JWKS over HTTP on 127.0.0.1, RS256, no dev issuer."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from joserfc import jwt
from joserfc.jwk import RSAKey

from hub.app import build_services, create_app
from hub.auth.seed import seed_users
from hub.crypto import CprVault
from hub.persistence.engine import create_engine, create_session_factory, transaction
from hub.persistence.migrate import upgrade
from hub.seed import SeedContext, _seed_core
from hub.settings import Settings
from hub.world import generate_world

ME = "{ me { username role } }"
REFETCH_S = 30.0  # the key source's clock is the test's (below): the test moves it past the interval


@dataclass
class Idp:
    url: str
    key: RSAKey
    keys: list[RSAKey]
    hits: int = 0
    up: bool = True
    now: float = 1_000.0  # the hub's JWKS clock (seconds), moved by the tests instead of sleeping

    def clock(self) -> float:
        return self.now

    def token(self, subject: str, key: RSAKey | None = None, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": self.url, "aud": "familiehub", "sub": subject, "iat": now, "exp": now + 300, **claims}
        signer = key or self.key
        return jwt.encode(
            {"alg": "RS256", "kid": signer.kid, "typ": "at+jwt"}, body, signer, algorithms=["RS256"]
        )


@pytest.fixture
async def idp() -> AsyncIterator[Idp]:
    key = RSAKey.generate_key(2048, {"kid": "idp-1"}, private=True)
    state = Idp(url="", key=key, keys=[key])

    async def jwks(request: web.Request) -> web.Response:
        state.hits += 1
        if not state.up:
            return web.Response(status=503)
        return web.json_response({"keys": [k.as_dict(private=False) for k in state.keys]})

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
async def hub(tmp_path: Path, idp: Idp) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
        var_dir=tmp_path / "var",
        dev_issuer=False,
        oidc_issuer=idp.url,
        oidc_jwks_url=f"{idp.url}/certs",
        oidc_algorithm="RS256",
        oidc_jwks_refetch_s=REFETCH_S,
    )
    engine = create_engine(settings.database_url)
    await upgrade(engine)
    world = generate_world(3, 2026)
    ctx = SeedContext(world=world, vault=CprVault(os.urandom(32), os.urandom(32)), today=world.today)
    async with transaction(create_session_factory(engine)) as session:
        await _seed_core(session, ctx)
        await seed_users(session, ctx)
    await engine.dispose()
    services = build_services(settings)
    # Refetch timing on a clock the test moves: real time lapses unpredictably on a loaded machine.
    services.extras["authenticate"].verifier.keys._clock = idp.clock
    app = create_app(settings, services=services)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test") as client,
    ):
        yield client


async def me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"})


async def test_idp_tokens_are_verified_against_its_jwks(hub: httpx.AsyncClient, idp: Idp) -> None:
    response = await me(hub, idp.token("sof-sagsbehandler", role="ADMIN"))  # a role claim is ignored
    assert response.status_code == 200
    assert response.json()["data"]["me"] == {"username": "sof-sagsbehandler", "role": "CASEWORKER"}
    await me(hub, idp.token("tovholder"))
    assert idp.hits == 1  # cached


async def test_unknown_kid_costs_one_refetch_then_401(hub: httpx.AsyncClient, idp: Idp) -> None:
    rogue = RSAKey.generate_key(2048, {"kid": "rogue"}, private=True)
    assert (await me(hub, idp.token("tovholder"))).status_code == 200
    # Within the refetch interval of the first fetch: no refetch at all.
    assert (await me(hub, idp.token("tovholder", key=rogue))).status_code == 401
    assert idp.hits == 1
    idp.now += REFETCH_S * 1.5
    for _ in range(5):
        assert (await me(hub, idp.token("tovholder", key=rogue))).status_code == 401
    assert idp.hits == 2  # one refetch for the burst, then 401s from the cache


async def test_a_rotated_in_key_is_accepted_after_one_refetch(hub: httpx.AsyncClient, idp: Idp) -> None:
    assert (await me(hub, idp.token("tovholder"))).status_code == 200
    new = RSAKey.generate_key(2048, {"kid": "idp-2"}, private=True)
    idp.keys.append(new)
    idp.now += REFETCH_S * 1.5
    assert (await me(hub, idp.token("tovholder", key=new))).status_code == 200
    assert idp.hits == 2


async def test_cached_keys_serve_while_the_idp_is_down(hub: httpx.AsyncClient, idp: Idp) -> None:
    assert (await me(hub, idp.token("tovholder"))).status_code == 200
    idp.up = False
    for _ in range(3):
        assert (await me(hub, idp.token("admin"))).status_code == 200


async def test_dev_tokens_and_the_dev_jwks_are_gone(hub: httpx.AsyncClient, idp: Idp) -> None:
    assert (await hub.get("/.well-known/jwks.json")).status_code == 404
    hs = idp.token(
        "tovholder", key=RSAKey.generate_key(2048, {"kid": "idp-1"}, private=True)
    )  # same kid, other key
    assert (await me(hub, hs)).status_code == 401
    wrong_iss = idp.token("tovholder", iss=idp.url + "/")
    assert (await me(hub, wrong_iss)).status_code == 401
