"""The edge of a hub started in production mode (PostgreSQL, an external issuer whose JWKS this test serves on
127.0.0.1, introspection off): misspelt documents recover nothing of the schema, anonymously or signed in."""

from __future__ import annotations

import base64
import os
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.app import build_services, create_app
from hub.auth.seed import seed_users
from hub.crypto import CprVault
from hub.domain import Department
from hub.persistence.engine import create_engine, create_session_factory, transaction
from hub.persistence.migrate import upgrade
from hub.seed import SeedContext, _seed_core
from hub.settings import Environment, Settings
from hub.world import generate_world
from schema import build_schema, hardening

pytestmark = pytest.mark.postgres

MISSPELT = [
    "{ familys { id } }",
    "{ me { usernme } }",
    '{ family(idd: "F00001") { id } }',
    '{ family(id: "F00001") { membrs { id } } }',
    "{ me }",
    "query($x: FamilyInputt) { me { username } }",
    "{ ... on Familie { id } }",
    "mutation { referFamily(input: {district: NORREBRO}) { id } }",
    "{ __schema { types { name } } }",
    '{ __type(name: "Family") { fields { name } } }',
]


def _schema_names() -> set[str]:
    schema = build_schema(Settings(env=Environment.PRODUCTION))._schema
    names: set[str] = set()
    for type_ in schema.type_map.values():
        if type_.name.startswith("__"):
            continue
        names.add(type_.name)
        for field_name, field in (getattr(type_, "fields", None) or {}).items():
            names.add(field_name)
            names.update(getattr(field, "args", None) or {})
        names.update(getattr(type_, "values", None) or {})
    # Words of the hub's own neutral messages, and `x`, the misspelt document's own variable.
    own = re.findall(r"\w+", hardening.DOCUMENT_INVALID + " Variable has an invalid value x")
    return names - set(own)


SCHEMA_NAMES = _schema_names()


@pytest.fixture
async def issuer() -> AsyncIterator[tuple[str, RSAKey]]:
    key = RSAKey.generate_key(2048, {"kid": "prod-1"}, private=True)

    async def jwks(request: web.Request) -> web.Response:
        return web.json_response({"keys": [key.as_dict(private=False)]})

    app = web.Application()
    app.router.add_get("/certs", jwks)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", key
    await runner.cleanup()


def _secret() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


async def _fresh(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        await conn.exec_driver_sql("CREATE SCHEMA public")
    await upgrade(engine)


@pytest.fixture
async def hub(
    tmp_path: Path, postgres_database: str, issuer: tuple[str, RSAKey]
) -> AsyncIterator[httpx.AsyncClient]:
    url, _ = issuer
    settings = Settings(
        env=Environment.PRODUCTION,
        database_url=postgres_database,
        var_dir=tmp_path / "var",
        dev_issuer=False,
        oidc_issuer=url,
        oidc_jwks_url=f"{url}/certs",
        oidc_algorithm="RS256",
        cpr_encryption_key=_secret(),
        cpr_hash_key=_secret(),
        mock_admin_token=_secret(),
        max_body_bytes=64 * 1024,
        # Ad-hoc documents: this test is about what lies beneath the allow-list (validation's messages);
        # tests/e2e/test_production_e2e.py runs production as it ships, with trusted documents required.
        trusted_documents="off",
        **{f"{d.value.lower()}_credential": _secret() for d in Department},
        **{f"{d.value.lower()}_webhook_secret": _secret() for d in Department},
    )
    engine = create_engine(settings.database_url)
    await _fresh(engine)
    world = generate_world(2, 2026)
    context = SeedContext(world=world, vault=CprVault.from_settings(settings), today=world.today)
    async with transaction(create_session_factory(engine)) as session:
        await _seed_core(session, context)
        await seed_users(session, context)
    await engine.dispose()
    app = create_app(settings, services=build_services(settings))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test") as client,
    ):
        yield client


def _token(issuer: tuple[str, RSAKey], subject: str) -> str:
    url, key = issuer
    now = int(time.time())
    claims = {"iss": url, "aud": "familiehub", "sub": subject, "iat": now, "exp": now + 300}
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "at+jwt"}, claims, key, algorithms=["RS256"])


def _names_in(response: httpx.Response) -> set[str]:
    messages = " ".join(e["message"] for e in response.json().get("errors", []))
    return set(re.findall(r"\w+", messages)) & SCHEMA_NAMES


async def test_misspelt_documents_recover_nothing_anonymously_or_signed_in(
    hub: httpx.AsyncClient, issuer: tuple[str, RSAKey]
) -> None:
    signed_in = {"Authorization": f"Bearer {_token(issuer, 'tovholder')}"}
    ok = await hub.post("/graphql", json={"query": "{ me { username } }"}, headers=signed_in)
    assert ok.json() == {"data": {"me": {"username": "tovholder"}}}
    anonymous_bodies = set()
    for document in MISSPELT:
        anonymous = await hub.post("/graphql", json={"query": document})
        assert anonymous.status_code == 401
        anonymous_bodies.add(anonymous.text)
        answer = await hub.post("/graphql", json={"query": document}, headers=signed_in)
        assert answer.status_code == 200
        assert answer.json()["errors"], document
        assert "Did you mean" not in answer.text
        assert not _names_in(answer), (document, answer.text)
    assert len(anonymous_bodies) == 1  # one answer whatever was asked


async def test_production_refuses_large_bodies_and_urls(
    hub: httpx.AsyncClient, issuer: tuple[str, RSAKey]
) -> None:
    signed_in = {"Authorization": f"Bearer {_token(issuer, 'tovholder')}"}
    big = {"query": "{ me { username } }", "variables": {"pad": "x" * 70_000}}
    assert (await hub.post("/graphql", json=big, headers=signed_in)).status_code == 413
    assert (await hub.post("/graphql", json=big)).status_code == 401  # who asks comes first
    assert (await hub.get("/graphql", params={"query": "x" * 9000})).status_code == 414
    page = await hub.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 401  # no GraphiQL in production
