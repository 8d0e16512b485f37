"""A whole Familiehub on 127.0.0.1 for integration and end-to-end tests.

The five real aiohttp mock departments on free ports, a migrated and seeded SQLite (or PostgreSQL) database, and
the hub's ASGI app driven in-process through httpx. Tests talk HTTP to the hub and count calls on the mocks.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from hub.app import build_services, create_app
from hub.auth.principal import Principal
from hub.domain import Department
from hub.persistence.engine import create_engine, create_session_factory
from hub.persistence.migrate import upgrade
from hub.seed import SeedContext, seed_world
from hub.services import Services
from hub.settings import Settings
from hub.world import WORLD_TODAY, World, generate_world
from tests.support.waits import IT_HAPPENS_S

ADMIN = {"Authorization": "Bearer dev-admin"}


@dataclass
class Stack:
    settings: Settings
    services: Services
    app: Starlette
    client: httpx.AsyncClient
    world: World
    seeded: SeedContext
    urls: dict[Department, str]
    principals: dict[str, Principal] = field(default_factory=dict)

    async def graphql(
        self, query: str, variables: Mapping[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def token(self, username: str, ttl_s: int = 600) -> str:
        """A development token for a seeded user (the dev issuer's key lives under the stack's var/)."""
        from hub.auth.dev_issuer import DevIssuer

        return DevIssuer.from_settings(self.settings).mint(username, ttl_s=ttl_s, username=username)

    async def mock_admin(self, department: Department) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.urls[department], headers=ADMIN, timeout=IT_HAPPENS_S)

    async def stats(self) -> dict[Department, dict[str, Any]]:
        out: dict[Department, dict[str, Any]] = {}
        async with httpx.AsyncClient(headers=ADMIN, timeout=IT_HAPPENS_S) as client:
            for d, url in self.urls.items():
                out[d] = (await client.get(f"{url}/_admin/stats")).json()
        return out

    async def reset_stats(self) -> None:
        async with httpx.AsyncClient(headers=ADMIN, timeout=IT_HAPPENS_S) as client:
            for url in self.urls.values():
                await client.delete(f"{url}/_admin/stats")

    async def set_faults(self, department: Department, **faults: Any) -> None:
        async with httpx.AsyncClient(headers=ADMIN, timeout=IT_HAPPENS_S) as client:
            response = await client.post(f"{self.urls[department]}/_admin/faults", json=faults)
            assert response.status_code in (200, 204), response.text

    async def clear_faults(self) -> None:
        async with httpx.AsyncClient(headers=ADMIN, timeout=IT_HAPPENS_S) as client:
            for url in self.urls.values():
                await client.delete(f"{url}/_admin/faults")


@contextlib.asynccontextmanager
async def running_stack(
    tmp_path: Path,
    *,
    families: int = 6,
    seed: int = 7,
    database_url: str | None = None,
    anchor: date = WORLD_TODAY,
    **overrides: Any,
) -> AsyncIterator[Stack]:
    """`anchor` is the world's "today" (the fixed reference date unless a test needs the demo as of now)."""
    from connectors.mock.runner import running_departments

    world = generate_world(families, seed, anchor)
    async with running_departments(
        world, dict.fromkeys(Department, "http://127.0.0.1:0"), admin_token="dev-admin"
    ) as departments:
        urls = dict(departments.urls)
        async with _hub(tmp_path, world, urls, database_url, overrides) as stack:
            yield stack


@contextlib.asynccontextmanager
async def _hub(
    tmp_path: Path,
    world: World,
    urls: dict[Department, str],
    database_url: str | None,
    overrides: dict[str, Any],
) -> AsyncIterator[Stack]:
    settings = Settings(
        database_url=database_url or f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
        var_dir=tmp_path / "var",
        read_timeout_s=overrides.pop("read_timeout_s", 2.0),
        request_deadline_s=overrides.pop("request_deadline_s", 3.0),
        **{f"{d.value.lower()}_url": url for d, url in urls.items()},
        **overrides,
    )
    engine = create_engine(settings.database_url)
    await upgrade(engine)
    from hub.crypto import CprVault

    seeded = await seed_world(create_session_factory(engine), world, CprVault.from_settings(settings))
    await engine.dispose()
    services = build_services(settings)
    app = create_app(settings, services=services)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hub.test", timeout=30
        ) as client,
    ):
        yield Stack(settings, services, app, client, world, seeded, urls)
