"""HUB_CORS_ORIGINS: one list for the CORS allow-list and the GraphQL WebSocket's origin check."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from pydantic import ValidationError
from starlette.applications import Starlette
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from hub.app import create_app
from hub.settings import ProductionConfigError, Settings
from tests.support.waits import IT_HAPPENS_S

ALLOWED = "http://localhost:5173"
OTHER = "https://evil.example"


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", var_dir=tmp_path / "var", **overrides
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", []),
        ("http://localhost:5173", ["http://localhost:5173"]),
        ("https://a.example, http://127.0.0.1:3000/", ["https://a.example", "http://127.0.0.1:3000"]),
        ('["https://a.example"]', ["https://a.example"]),
        ("*", ["*"]),
    ],
)
def test_origins_from_the_environment(raw: str, expected: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_CORS_ORIGINS", raw)
    assert Settings().cors_origins == expected


@pytest.mark.parametrize("bad", ["https://a.example/path", "a.example", "ftp://a.example", "https://"])
def test_a_value_that_is_not_an_origin_is_refused(bad: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_CORS_ORIGINS", bad)
    with pytest.raises(ValidationError, match="not an origin"):
        Settings()


def test_production_refuses_any_origin() -> None:
    settings = Settings(env="production", cors_origins=["*"])
    with pytest.raises(ProductionConfigError, match="HUB_CORS_ORIGINS"):
        settings.check_production()


@contextlib.asynccontextmanager
async def _served(app: Starlette) -> AsyncIterator[str]:
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=0, lifespan="off", ws="websockets-sansio", log_level="error"
        )
    )
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        yield f"127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, IT_HAPPENS_S)


async def _ws_accepted(address: str, origin: str) -> bool:
    try:
        async with connect(
            f"ws://{address}/graphql",
            origin=origin,
            subprotocols=["graphql-transport-ws"],
            open_timeout=IT_HAPPENS_S,
        ):
            return True
    except InvalidStatus:
        return False


async def test_one_list_for_cors_and_the_websocket(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path, cors_origins=[ALLOWED]))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as client:
            preflight = {
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization",
            }
            allowed = await client.options("/graphql", headers={"Origin": ALLOWED, **preflight})
            assert allowed.status_code == 200
            assert allowed.headers["access-control-allow-origin"] == ALLOWED
            refused = await client.options("/graphql", headers={"Origin": OTHER, **preflight})
            assert "access-control-allow-origin" not in refused.headers
        async with _served(app) as address:
            assert await _ws_accepted(address, ALLOWED)
            assert not await _ws_accepted(address, OTHER)
    finally:
        await app.state.services.aclose()


async def test_without_the_setting_no_cross_origin_page_gets_in(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as client:
            response = await client.post(
                "/graphql", json={"query": "{ __typename }"}, headers={"Origin": ALLOWED}
            )
            assert "access-control-allow-origin" not in response.headers
        async with _served(app) as address:
            assert not await _ws_accepted(address, ALLOWED)
    finally:
        await app.state.services.aclose()
